"""A frame whose content scrolls when it is taller than the room it has: a dialog on a 600-line
screen keeps its buttons in view and scrolls its fields instead of running off the screen."""
from __future__ import annotations

import tkinter as tk
from tkinter import ttk


class ScrollFrame(ttk.Frame):
    """Put the content in `.inner`. The frame asks for the content's whole size, but no taller
    than `max_height`; beyond that a scrollbar appears and the wheel scrolls."""

    def __init__(self, parent, max_height: int | None = None, **options):
        super().__init__(parent, **options)
        self.max_height = max_height
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0)
        self.scrollbar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.scrollbar.set)
        self.canvas.pack(side="left", fill="both", expand=True)
        self.inner = ttk.Frame(self.canvas)
        self._window = self.canvas.create_window(0, 0, window=self.inner, anchor="nw")
        self.inner.bind("<Configure>", self._content_changed)
        self.canvas.bind("<Configure>", self._room_changed)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.bind_all_inside(sequence)

    def bind_all_inside(self, sequence: str) -> None:
        self.canvas.bind(sequence, self._wheel, add="+")
        self.inner.bind(sequence, self._wheel, add="+")

    def _content_changed(self, event=None) -> None:
        width, height = self.inner.winfo_reqwidth(), self.inner.winfo_reqheight()
        shown = height if self.max_height is None else min(height, self.max_height)
        self.canvas.configure(width=width, height=shown, scrollregion=(0, 0, width, height))
        if height > shown:
            if not self.scrollbar.winfo_ismapped():
                self.scrollbar.pack(side="right", fill="y")
        elif self.scrollbar.winfo_ismapped():
            self.scrollbar.pack_forget()

    def _room_changed(self, event) -> None:
        self.canvas.itemconfigure(self._window, width=max(event.width, self.inner.winfo_reqwidth()))

    def _wheel(self, event) -> str | None:
        if not self.scrollbar.winfo_ismapped():
            return None
        if getattr(event, "num", None) == 4 or getattr(event, "delta", 0) > 0:
            self.canvas.yview_scroll(-3, "units")
        else:
            self.canvas.yview_scroll(3, "units")
        return "break"

    def see(self, widget: tk.Misc) -> None:
        """Scroll so that a widget inside is in view (a field reached with Tab, a message)."""
        self.update_idletasks()
        total = self.inner.winfo_height()
        if total <= 0 or not self.scrollbar.winfo_ismapped():
            return
        y = widget.winfo_rooty() - self.inner.winfo_rooty()
        top = self.canvas.canvasy(0)
        bottom = top + self.canvas.winfo_height()
        if y < top:
            self.canvas.yview_moveto(max(y - 8, 0) / total)
        elif y + widget.winfo_height() > bottom:
            self.canvas.yview_moveto(max(y + widget.winfo_height() + 8 - self.canvas.winfo_height(), 0) / total)

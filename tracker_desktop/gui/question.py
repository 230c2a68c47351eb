"""Two message boxes Tk's own cannot show: Save / Don't save / Cancel when leaving a return with
changes, and a failure whose log file path can be selected and copied.

Both are modal and wait for an answer, like Tk's message boxes; they go through `messages.ask`
and `messages.report`, so tests replace them with one function, or drive them by pressing keys.
"""
from __future__ import annotations

import tkinter as tk
from functools import partial
from pathlib import Path
from tkinter import ttk


class _Modal(tk.Toplevel):
    def __init__(self, parent, title: str):
        # tkinter's own _get_default_root() (the app's Tk) is missing from its type stubs
        top = parent.winfo_toplevel() if parent is not None else tk._get_default_root()  # type: ignore[attr-defined]
        super().__init__(top)
        self.withdraw()
        self.title(title)
        self.transient(top)
        self.resizable(False, False)
        self.top = top

    def _show(self, focus: tk.Widget) -> None:
        self.update_idletasks()
        top = self.top
        x = top.winfo_rootx() + max((top.winfo_width() - self.winfo_reqwidth()) // 2, 0)
        y = top.winfo_rooty() + max((top.winfo_height() - self.winfo_reqheight()) // 3, 0)
        self.geometry(f"+{x}+{y}")
        self.deiconify()
        focus.focus_set()
        try:
            self.wait_visibility()
            self.grab_set()
        except tk.TclError:
            pass  # no grab (another window holds one): still answered with the keys or mouse
        self.wait_window(self)

    default: ttk.Button | None = None

    def _enter(self, event=None) -> str:
        """Enter presses the button that has the focus, else the default one (the safe answer)."""
        try:
            focused = self.focus_get()
        except (KeyError, tk.TclError):
            focused = None
        if isinstance(focused, ttk.Button) and focused.winfo_toplevel() is self:
            focused.invoke()
        elif self.default is not None:
            self.default.invoke()
        return "break"


class SaveQuestion(_Modal):
    """answer: True = Save, False = Don't save, None = Cancel (also Escape and closing the box)."""

    def __init__(self, parent, title: str, message: str, default: str = "save"):
        super().__init__(parent, title)
        self.answer: bool | None = None
        frame = ttk.Frame(self, padding=16)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text=message, wraplength=420, justify="left").pack(anchor="w", pady=(0, 14))
        bar = ttk.Frame(frame)
        bar.pack(anchor="e")
        self.buttons: dict[str, ttk.Button] = {}
        for key, text, answer in (("save", "Save", True), ("discard", "Don't save", False), ("cancel", "Cancel", None)):
            button = ttk.Button(bar, text=text, style="Accent.TButton" if key == default else "TButton",
                                command=partial(self._answer, answer))
            button.pack(side="left", padx=(8, 0))
            self.buttons[key] = button
        self.bind("<Return>", self._enter)
        self.bind("<KP_Enter>", self._enter)
        self.bind("<Escape>", lambda e: self._answer(None))
        self.protocol("WM_DELETE_WINDOW", lambda: self._answer(None))
        self.default = self.buttons[default]
        self._show(self.default)

    def _answer(self, answer: bool | None) -> None:
        self.answer = answer
        self.destroy()


class FailureMessage(_Modal):
    """Something went wrong: what, and the log file to send, in a read-only box with Copy."""

    def __init__(self, parent, title: str, message: str, log: Path):
        super().__init__(parent, title)
        frame = ttk.Frame(self, padding=16)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text=message, wraplength=480, justify="left").pack(anchor="w")
        ttk.Label(frame, text="The details (no personal data) are in this file. Please send it to whoever "
                              "supports Tracker Desktop:", wraplength=480, justify="left"
                  ).pack(anchor="w", pady=(10, 4))
        row = ttk.Frame(frame)
        row.pack(fill="x")
        self.path = tk.StringVar(self, str(log))
        self.entry = ttk.Entry(row, textvariable=self.path, state="readonly", width=max(40, min(len(str(log)) + 2, 90)))
        self.entry.pack(side="left", fill="x", expand=True)
        self.copy_button = ttk.Button(row, text="Copy", command=self.copy)
        self.copy_button.pack(side="left", padx=(8, 0))
        bar = ttk.Frame(frame)
        bar.pack(fill="x", pady=(14, 0))
        self.ok_button = ttk.Button(bar, text="OK", style="Accent.TButton", command=self.destroy)
        self.ok_button.pack(side="right")
        self.bind("<Return>", self._enter)
        self.bind("<KP_Enter>", self._enter)
        self.bind("<Escape>", lambda e: self.destroy())
        self.default = self.ok_button
        self._show(self.ok_button)

    def copy(self) -> None:
        self.clipboard_clear()
        self.clipboard_append(self.path.get())
        self.copy_button.configure(text="Copied")

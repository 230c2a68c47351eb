"""What was prepared here: each file the app saved for a return, newest first, with when, where
it was saved and its counts (core/routine/history.py keeps the record; no names are in it)."""
from __future__ import annotations

import datetime as dt
import tkinter as tk
from tkinter import ttk
from typing import Literal

COLUMNS: tuple[tuple[str, str, int, bool, Literal["w", "e"]], ...] = (
    # (id, heading, width, stretch, anchor)
    ("return", "Return", 200, True, "w"),
    ("period", "For", 90, False, "w"),
    ("kind", "What", 120, False, "w"),
    ("when", "Saved", 150, False, "w"),
    ("rows", "Learners", 70, False, "e"),
    ("errors", "Errors", 60, False, "e"),
    ("queries", "Queries", 64, False, "e"),
    ("accepted", "Accepted", 70, False, "e"),
    ("out", "Taken out", 76, False, "e"),
)


def period_text(entry) -> str:
    """The reporting month (Oct 2024) or, for a yearly return, its academic year."""
    from tracker_desktop.core.errors import UserError
    from tracker_desktop.core.returns.definitions import load_definition

    try:
        monthly = load_definition(entry.return_id).period == "month"
    except UserError:
        monthly = True
    if not monthly:
        return entry.academic_year
    try:
        return dt.date.fromisoformat(entry.period + "-01").strftime("%b %Y")
    except ValueError:
        return entry.period


def saved_text(entry) -> str:
    try:
        return dt.datetime.fromisoformat(entry.prepared_at).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return entry.prepared_at


class HistoryWindow(tk.Toplevel):
    """Every file recorded, newest first; choosing one shows its file name and folder in full."""

    def __init__(self, parent, folder=None):
        from tracker_desktop.core.returns.definitions import load_definition
        from tracker_desktop.core.routine.history import EVERY_KIND, entries
        from tracker_desktop.core.settings import history_dir
        from tracker_desktop.gui.routine import kind_label

        # Read before the window is made: an unreadable history is a plain message (App.show_history).
        self.entries = list(reversed(entries(folder or history_dir(), EVERY_KIND)))
        super().__init__(parent)
        self.title("Prepared returns")
        self.transient(parent.winfo_toplevel())
        self.geometry("1000x520")
        self.minsize(700, 360)
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text="What was prepared here", style="Title.TLabel").pack(anchor="w")
        intro = ("Every return saved from Tracker Desktop on this computer, newest first, with the problems lists "
                 "and e-mail drafts written for them. The counts are as they were when it was saved.") if self.entries \
            else "Nothing has been prepared here yet: each return you save is listed here."
        ttk.Label(frame, text=intro, style="Muted.TLabel", wraplength=940, justify="left").pack(anchor="w", pady=(2, 8))

        bar = ttk.Frame(frame)
        bar.pack(side="bottom", fill="x", pady=(8, 0))
        self.close_button = ttk.Button(bar, text="Close", command=self.destroy)
        self.close_button.pack(side="right")
        self.open_button = ttk.Button(bar, text="Open its folder", command=self.open_folder)
        self.detail = ttk.Label(frame, text="", justify="left", anchor="w", wraplength=940)
        self.detail.pack(side="bottom", fill="x", pady=(6, 0))

        inner = ttk.Frame(frame)
        inner.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(inner, columns=[c[0] for c in COLUMNS], show="headings", selectmode="browse")
        for name, text, width, stretch, anchor in COLUMNS:
            self.tree.heading(name, text=text, anchor=anchor)
            self.tree.column(name, width=width, stretch=stretch, anchor=anchor)
        scroll = ttk.Scrollbar(inner, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        if self.entries:
            self.tree.pack(side="left", fill="both", expand=True)
            scroll.pack(side="right", fill="y")
            self.open_button.pack(side="right", padx=(0, 8))
        titles: dict[str, str] = {}
        for i, entry in enumerate(self.entries):
            if entry.return_id not in titles:
                try:
                    titles[entry.return_id] = load_definition(entry.return_id).title
                except Exception:
                    titles[entry.return_id] = entry.return_id
            returned = entry.kind == "return" and not entry.file.lower().endswith(".eml")
            counts: tuple = (entry.rows, entry.errors, entry.queries, entry.accepted, entry.taken_out)
            if not returned:  # a problems list or an e-mail has no learners of its own
                counts = ("",) * 5
            self.tree.insert("", "end", iid=str(i), values=(titles[entry.return_id], period_text(entry),
                                                            kind_label(entry), saved_text(entry), *counts))
        self.tree.bind("<<TreeviewSelect>>", self._show_detail)
        self.tree.bind("<Double-1>", lambda e: self.open_folder())
        self.bind("<Escape>", lambda e: self.destroy())
        items = self.tree.get_children()
        if items:
            self.tree.selection_set(items[0])
            self.tree.focus(items[0])
            self.tree.focus_set()
        else:
            self.close_button.focus_set()

    def chosen(self):
        picked = self.tree.selection()
        return self.entries[int(picked[0])] if picked else None

    def _show_detail(self, event=None) -> None:
        entry = self.chosen()
        if entry is None:
            self.detail.configure(text="")
            return
        where = "still there" if entry.path.is_file() else "no longer there (moved, renamed or deleted)"
        self.detail.configure(text=f"{entry.file}   in   {entry.folder}   ({where})")

    def open_folder(self) -> None:
        from tracker_desktop.gui.folders import open_folder

        entry = self.chosen()
        if entry is not None and entry.path.parent.is_dir():
            open_folder(entry.path.parent)

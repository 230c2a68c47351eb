"""The monthly routine: a nil return when nobody is in scope, and tidying away old returns."""
from __future__ import annotations

import datetime as dt
import tkinter as tk
from pathlib import Path
from tkinter import ttk

from tracker_desktop.gui import messages

APP_TITLE = "Tracker Desktop"
KINDS = {"return": "Return", "problems": "Problems list", "draft": "E-mail draft"}


def kind_label(entry) -> str:
    """What a recorded file is, in the office's words (a nil return is an e-mail, not a workbook)."""
    if entry.kind == "return" and entry.file.lower().endswith(".eml"):
        return "Nil-return e-mail"
    return KINDS.get(entry.kind, entry.kind)


def save_nil_return(app, folder: Path, force: bool = False) -> None:
    """Write the nil-return e-mail draft to KCC MI, and record the month as prepared."""
    from tracker_desktop.core.routine import nil_return
    from tracker_desktop.core.writing.files import OutputExists
    from tracker_desktop.gui.tep_flow import record_history

    prep, settings = app.prep, app.settings
    folder = Path(folder)
    target = folder / nil_return.draft_name(prep)

    def work(job):
        path = nil_return.save(prep, folder, settings.school_name, force=force)
        return path, record_history(prep, path)

    def failed(e):
        if isinstance(e, OutputExists) and not force:
            if messages.ask("yesno", APP_TITLE, f"{target.name} is already in {folder}.\n\nReplace it?", app.master,
                            default="no"):
                save_nil_return(app, folder, force=True)
            return
        messages.report(e, app.master, f"saving {target.name}")

    def done(result):
        path, history_problem = result
        app.remember_prepared(prep)
        if messages.ask("yesno", "Saved", f"Saved the nil-return e-mail {path.name} in {path.parent}.\n\n"
                        "Next: open it (it opens in Outlook, addressed to MICorePlus@kent.gov.uk), "
                        "check it and send it. "
                        f"No workbook is needed.{history_problem}\n\nOpen the folder now?", app.master):
            from tracker_desktop.gui.folders import open_folder

            open_folder(path.parent)

    app.worker.run(f"Saving {target.name}", work, done, failed)


class TidyWindow(tk.Toplevel):
    """Returns this app saved that are past their deadline by more than a month and still in
    their folder, unchanged; the user ticks none, some or all and confirms before anything goes."""

    def __init__(self, parent, history_folder: Path, today: dt.date | None = None, stale: list | None = None):
        from tracker_desktop.core.returns.definitions import load_definition
        from tracker_desktop.core.routine.clear_out import stale_returns

        # Read before the window is made: an unreadable history is a plain message (App.tidy_up).
        self.stale = stale if stale is not None else stale_returns(history_folder, today or dt.date.today())
        super().__init__(parent)
        self.title("Tidy up old returns")
        self.transient(parent.winfo_toplevel())
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        intro = ("These files were written here for returns more than a month past their deadline: the returns, "
                 "the problems lists exported from them and their e-mail drafts, still in their folder, unchanged. "
                 "They hold learners' personal data: once KCC or TEP has the return, choose the copies to delete. "
                 "Nothing else is touched.") if self.stale else \
            "Nothing to tidy: no return prepared here is more than a month past its deadline and still in its folder."
        ttk.Label(frame, text=intro, wraplength=640, justify="left").pack(anchor="w", pady=(0, 8))
        # The buttons are packed before the list: on a short screen the list shortens instead.
        bar = ttk.Frame(frame)
        bar.pack(side="bottom", fill="x", pady=(8, 0))
        inner = ttk.Frame(frame)
        inner.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(inner, columns=("kind", "return", "due", "folder"), show="tree headings", height=12,
                                 selectmode="extended")
        self.tree.heading("#0", text="File", anchor="w")
        self.tree.heading("kind", text="What it is", anchor="w")
        self.tree.heading("return", text="Return", anchor="w")
        self.tree.heading("due", text="Was due", anchor="w")
        self.tree.heading("folder", text="Folder", anchor="w")
        self.tree.column("#0", width=280)
        self.tree.column("kind", width=110, stretch=False)
        self.tree.column("return", width=180)
        self.tree.column("due", width=110, stretch=False)
        self.tree.column("folder", width=260)
        scroll = ttk.Scrollbar(inner, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        if self.stale:  # nothing to list: the sentence above says so, without an empty table
            self.tree.pack(side="left", fill="both", expand=True)
            scroll.pack(side="right", fill="y")
        for i, item in enumerate(self.stale):
            try:
                title = load_definition(item.entry.return_id).title
            except Exception:
                title = item.entry.return_id
            self.tree.insert("", "end", iid=str(i), text=item.entry.file,
                             values=(kind_label(item.entry), title, f"{item.due:%d %b %Y}",
                                     item.entry.folder))
        # Nothing is chosen for the user: deleting is for files they pick (or all, on purpose).
        self.close_button = ttk.Button(bar, text="Close", command=self.destroy)
        self.close_button.pack(side="right")
        self.delete_button = ttk.Button(bar, text="Delete the selected files…", style="Accent.TButton",
                                        command=self.delete)
        self.select_all_button = ttk.Button(bar, text="Select all", command=self.select_all)
        if self.stale:
            self.delete_button.pack(side="right", padx=(0, 8))
            self.select_all_button.pack(side="left")
            ttk.Label(bar, text="Ctrl+click or Shift+click to choose several.",
                      style="Muted.TLabel").pack(side="left", padx=(8, 0))
        self.bind("<Escape>", lambda e: self.destroy())
        (self.tree if self.stale else self.close_button).focus_set()
        from tracker_desktop.gui.window_size import place_on_screen

        place_on_screen(self, parent.winfo_toplevel())

    def select_all(self) -> None:
        self.tree.selection_set(self.tree.get_children())

    def delete(self) -> tuple[list, list] | None:
        from tracker_desktop.core.routine.clear_out import delete

        chosen = [self.stale[int(i)] for i in self.tree.selection()]
        if not chosen:
            messages.info("Select the files to delete first.", self)
            return None
        names = "\n".join(s.entry.file for s in chosen[:15])
        if len(chosen) > 15:
            names += f"\n… and {len(chosen) - 15} more"
        what = "this file" if len(chosen) == 1 else f"these {len(chosen)} files"
        if not messages.ask("yesno", "Delete old returns", f"Delete {what}? "
                            f"{'It' if len(chosen) == 1 else 'They'} cannot be got back from Tracker Desktop."
                            f"\n\n{names}", self,
                            default="no"):  # Enter keeps the files
            return None
        try:
            deleted, kept = delete(chosen)
        except Exception as e:  # e.g. the history cannot be updated: said plainly, never a traceback
            messages.report(e, self, "deleting old returns")
            return None
        text = f"Deleted {len(deleted)} file{'s' if len(deleted) != 1 else ''}."
        if kept:
            text += (f"\n\nKept {len(kept)}: changed since Tracker Desktop saved it, or open in another program "
                     "(close it and try again):\n" + "\n".join(p.name for p in kept))
        messages.info(text, self)
        gone = {str(p) for p in deleted}
        for i, item in enumerate(self.stale):
            if str(item.path) in gone and self.tree.exists(str(i)):
                self.tree.delete(str(i))
        return deleted, kept

"""The main window: home, column matching and review screens, the menus and keys, and the flow
between them. Slow work runs on the Worker so the window never freezes.

`App` builds into any Tk container window (the root in the product, a Toplevel per test), so the
tests can drive many apps with one Tk interpreter.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, ttk
from typing import TYPE_CHECKING

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.certainty import needs_review
from tracker_desktop.core.returns.definitions import all_definitions, load_definition
from tracker_desktop.core.routine.nil_return import is_nil_return
from tracker_desktop.core.settings import Settings, default_output_folder, load_settings
from tracker_desktop.core.writing.files import OutputExists
from tracker_desktop.demo_data import DEMO_AS_OF, DEMO_PERIOD, DEMO_SCHOOL, demo_roll_path
from tracker_desktop.gui import messages, theme
from tracker_desktop.gui.dialogs import OpenDialog, SettingsDialog
from tracker_desktop.gui.drop import EXPORT_SUFFIXES, enable_drop
from tracker_desktop.gui.folders import open_folder
from tracker_desktop.gui.home import HomeScreen
from tracker_desktop.gui.mapping_view import MappingScreen
from tracker_desktop.gui.review import ReviewScreen
from tracker_desktop.gui.routine import TidyWindow, save_nil_return
from tracker_desktop.gui.tep_flow import open_tep, write_tep
from tracker_desktop.gui.tep_password import OutputPasswordDialog
from tracker_desktop.gui.window_size import MIN_SIZE, fit_window, window_geometry
from tracker_desktop.gui.windows import LeftOutWindow, SaveDialog, next_step
from tracker_desktop.gui.worker import Worker

if TYPE_CHECKING:
    from tracker_desktop.core.checking.accepted import AcceptedQueries
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.gui.summary_view import SummaryWindow

APP_TITLE = "Tracker Desktop"
# The demo opens the leavers return of the bundled demo roll, with the settings it is made for.
DEMO = {"return_id": "school-leavers", "school": DEMO_SCHOOL, "college": None, "period": DEMO_PERIOD,
        "as_of": DEMO_AS_OF}


def demo_export() -> Path:
    return demo_roll_path()


def load_preparation(return_id: str, export: Path, sender: dict, period, as_of, remembered, job=None,
                     understood: dict | None = None):
    """Read and prepare an export (worker thread). Returns (prep, whether the remembered matching
    was used); how a remembered matching is used is decided by the core (matching/remembered.py).
    `understood`: the user's answers for what the template's headers are."""
    from tracker_desktop.core.preparing.preparation import Preparation

    prep = Preparation.start(return_id, export, period=period, as_of=as_of, remembered=remembered,
                             understood=understood or None, **sender)
    return prep, prep.remembered


def _shortcut(action: Callable[[], object]) -> Callable[[tk.Event], str]:
    """A key binding that runs `action` and stops there: the key does nothing else."""
    def pressed(event: tk.Event) -> str:
        action()
        return "break"
    return pressed


class App:
    def __init__(self, master: tk.Tk | tk.Toplevel, settings: Settings | None = None, persist: bool = True,
                 _utest: bool = False, demo: bool = False):
        self.master = master
        self.settings = settings if settings is not None else load_settings()
        self.persist = persist  # the demo never writes the user's settings
        self.demo = demo
        self._utest = _utest
        self.prep: Preparation | None = None  # the return open, if any
        self.saved_edits = 0  # undo-stack depth at the last save: more means unsaved changes
        self.after_saved = None  # what to do once the return is saved ("Save" when leaving it)
        self.last_export: Path | None = None
        self._accepted: AcceptedQueries | None = None  # the school's accepted queries, read when needed
        self.copied_password: bytes | None = None  # a TEP password's fingerprint, while it is on the clipboard
        self.app_title = APP_TITLE + ("  ·  DEMO (fictional learners)" if demo else "")
        master.title(self.app_title)
        # Usable down to a 1024x600 screen (a small laptop, less the taskbar and title bar).
        master.minsize(*MIN_SIZE)
        theme.apply_theme(master)
        if isinstance(master, tk.Tk):
            fit_window(master, self.settings.window)

        # The status bar is packed before the screens: when the window is short, the expanding
        # screen gives up room, never the status bar (pack shrinks the last packed first).
        status = ttk.Frame(master, padding=(12, 4, 12, 8))
        status.pack(fill="x", side="bottom")
        if demo:
            ttk.Label(master, text="Demo: every learner here is fictional (the bundled demo roll). "
                                   "Nothing you do here changes your settings.",
                      style="Advice.TLabel", padding=(12, 6)).pack(fill="x", side="top")
        self.body = ttk.Frame(master)
        self.body.pack(fill="both", expand=True)
        self.home = HomeScreen(self.body, self)
        self.mapping = MappingScreen(self.body, self)
        self.review = ReviewScreen(self.body, self)
        self.current = None
        self.summary_window: SummaryWindow | None = None
        self.busy_text = ttk.Label(status, text="")
        self.busy_text.pack(side="left")
        self.cancel_button = ttk.Button(status, text="Cancel", command=self.cancel)
        self.progress = ttk.Progressbar(status, mode="indeterminate", length=220)
        self.worker = Worker(master, self._progress, self._idle)

        self._menus()
        self._keys()
        master.protocol("WM_DELETE_WINDOW", self.quit)
        self.drop_enabled = enable_drop(master, self.files_dropped) if isinstance(master, tk.Tk) else False
        self.go_home()

    # --- window furniture --------------------------------------------------------------------------

    def _menus(self) -> None:
        bar = tk.Menu(self.master)
        file = tk.Menu(bar, tearoff=False)
        file.add_command(label="Prepare a return…", accelerator="Ctrl+O", command=self.open_dialog)
        file.add_command(label="Check a filled-in return…", command=self.check_filled)
        file.add_command(label="Destinations summary…", command=self.destinations_summary)
        file.add_separator()
        file.add_command(label="Save return…", accelerator="Ctrl+S", command=self.save)
        file.add_command(label="Export problems list…", accelerator="Ctrl+E", command=self.export_problems)
        file.add_separator()
        file.add_command(label="Prepared returns (history)…", command=self.show_history)
        file.add_command(label="Tidy up old returns…", command=self.tidy_up)
        file.add_command(label="Settings…", command=self.edit_settings)
        file.add_command(label="Quit", command=self.quit)
        edit = tk.Menu(bar, tearoff=False, postcommand=self.refresh_edit_menu)
        edit.add_command(label="Undo", accelerator="Ctrl+Z", command=self.undo)
        edit.add_command(label="Redo", accelerator="Ctrl+Y", command=self.redo)
        edit.add_separator()
        # The grid's Excel habits, for whoever does not know the keys: the keys are the grid's own
        # (bound on it, so Ctrl+V in a text box elsewhere still pastes there); these run the same.
        edit.add_command(label="Copy", accelerator="Ctrl+C", command=self.copy_cells)
        edit.add_command(label="Paste", accelerator="Ctrl+V", command=self.paste_cells)
        edit.add_command(label="Fill down", accelerator="Ctrl+D", command=self.fill_down)
        edit.add_command(label="Clear", accelerator="Delete", command=self.clear_cells)
        edit.add_separator()
        edit.add_command(label="Next problem", accelerator="F8", command=lambda: self.next_problem(1))
        edit.add_command(label="Previous problem", accelerator="Shift+F8", command=lambda: self.next_problem(-1))
        edit.add_separator()
        edit.add_command(label="Take the selected row out of the return…", command=self.take_out_selected)
        edit.add_command(label="Accept the selected query…", command=self.accept_selected)
        view = tk.Menu(bar, tearoff=False)
        view.add_command(label="Returns", command=self.go_home)
        view.add_command(label="Column matching…", command=self.show_mapping)
        view.add_command(label="Learners left out…", command=self.show_left_out)
        view.add_checkbutton(label="Only rows with problems", variable=self.review.only_problems,
                             command=self.review.apply_filter)
        self.edit_menu = edit
        bar.add_cascade(label="File", menu=file, underline=0)
        bar.add_cascade(label="Edit", menu=edit, underline=0)
        bar.add_cascade(label="View", menu=view, underline=0)
        self.master.configure(menu=bar)

    def _keys(self) -> None:
        m = self.master
        for key, action in (("<Control-o>", self.open_dialog), ("<Control-O>", self.open_dialog),
                            ("<Control-s>", self.save), ("<Control-S>", self.save),
                            ("<Control-e>", self.export_problems),
                            ("<Control-z>", self.undo),
                            ("<Control-y>", self.redo), ("<Control-Y>", self.redo),
                            ("<F8>", lambda: self.next_problem(1)), ("<Shift-F8>", lambda: self.next_problem(-1))):
            m.bind(key, _shortcut(action))
        m.bind("<Control-Z>", self._capital_z)

    # The Edit menu's entries that act on the return in the review: greyed out anywhere else.
    REVIEW_ENTRIES = ("Undo", "Redo", "Copy", "Paste", "Fill down", "Clear", "Next problem", "Previous problem",
                      "Take the selected row out of the return…", "Accept the selected query…")

    def refresh_edit_menu(self) -> None:
        """Grey out the review's entries unless a return's learners are in the review and the
        worker is free. Called as the menu opens, and whenever the screen or the worker changes
        (a key press runs the same guards in the handlers, so nothing relies on this alone)."""
        state = "normal" if self._grid_ready() else "disabled"
        for label in self.REVIEW_ENTRIES:
            self.edit_menu.entryconfigure(label, state=state)  # Tk finds an entry by its label

    def _grid_ready(self) -> bool:
        prep = self.prep
        return (prep is not None and self.current is self.review and not self.worker.busy
                and bool(prep.learners) and not getattr(prep, "blocking", None))

    def _capital_z(self, event: tk.Event) -> str:
        # Ctrl+Shift+Z redoes, as in Office; a capital Z with Caps Lock on (no Shift) still undoes.
        shifted = isinstance(event.state, int) and event.state & 0x1
        (self.redo if shifted else self.undo)()
        return "break"

    def _progress(self, text: str, fraction: float | None) -> None:
        self.busy_text.configure(text=text + "…")
        if not self.progress.winfo_ismapped():
            self.progress.pack(side="right")
            self.cancel_button.pack(side="right", padx=(0, 8))
            self.progress.start(12)
        self.master.configure(cursor="watch")
        self.refresh_edit_menu()

    def _idle(self) -> None:
        self.progress.stop()
        self.progress.pack_forget()
        self.cancel_button.pack_forget()
        self.busy_text.configure(text="")
        self.master.configure(cursor="")
        self.refresh_edit_menu()

    def cancel(self) -> None:
        self.worker.cancel()
        self.busy_text.configure(text="Stopped.")

    def show(self, screen) -> None:
        if self.current is not screen:
            if self.current is not None:
                self.current.pack_forget()
            screen.pack(fill="both", expand=True)
            self.current = screen
        self.refresh_edit_menu()

    def _save_settings(self) -> None:
        if not self.persist:
            return
        try:
            self.settings.save()
        except Exception as e:  # settings are a convenience: a failure must not lose the return
            messages.report(e, self.master, "saving your settings")

    @property
    def definitions(self):
        who = "college" if self.settings.college_code and not self.settings.school_number else "school"
        return [d for d in all_definitions() if d.who == who]

    @property
    def unsaved(self) -> bool:
        return self.prep is not None and len(self.review.grid_view.undo_stack) != self.saved_edits

    @property
    def loaded(self) -> Preparation:
        """The return open. Asked for only where one is: on its screens, or once it is saved."""
        if self.prep is None:
            raise RuntimeError("no return is open")
        return self.prep

    # --- screens -----------------------------------------------------------------------------------

    def leave_return(self, doing: str, then) -> bool:
        """Before closing or replacing the return shown: with unsaved changes, ask once, Save /
        Don't save / Cancel (Save is Enter's, Escape cancels). True when the caller may go on
        now. Save opens the save dialog and `then` runs once the return is saved; Don't save
        lets the changes go, so nothing after it asks again."""
        if not self.unsaved:
            return True
        edits = len(self.review.grid_view.undo_stack) - self.saved_edits
        answer = messages.ask_save(f"Save your changes to {self.loaded.output_name} before {doing}?\n\n"
                                   f"{edits} change{'s' if edits != 1 else ''} you made "
                                   f"{'is' if edits == 1 else 'are'} "
                                   "not saved yet.", self.master)
        if answer is None:
            return False
        if answer is False:
            self.saved_edits = len(self.review.grid_view.undo_stack)  # let go of on purpose
            return True
        self.after_saved = then
        if self.save() is None:  # nothing can be saved yet (or busy): stay on the return
            self.after_saved = None
        return False

    def saved(self, edits: int) -> None:
        """A save finished: the return has no unsaved changes, and a waiting step goes on."""
        self.saved_edits = edits
        then, self.after_saved = self.after_saved, None
        if then is not None:
            self.master.after_idle(then)

    def go_home(self) -> None:
        if self.current is self.review and not self.leave_return("going back to the returns", self.go_home):
            return
        self.home.refresh(self.definitions, self.settings)
        self.master.title(self.app_title)
        self.show(self.home)
        self.home.focus_list()

    def first_run(self) -> None:
        if not self.settings.is_complete:
            self.edit_settings(first_run=True)
        elif self.current is self.home:
            self.home.focus_list()

    def edit_settings(self, first_run: bool = False) -> SettingsDialog:
        dialog = SettingsDialog(self.master, self.settings, first_run=first_run, _utest=self._utest)
        if not self._utest:
            self.settings_done(dialog)
        return dialog

    def settings_done(self, dialog: SettingsDialog) -> None:
        if dialog.result is not None:
            self._save_settings()
            if self.current is self.home:
                self.home.refresh(self.definitions, self.settings)
        if self.current is self.home:
            self.home.focus_list()  # back on the list, ready for the arrows and Enter

    def show_review(self) -> None:
        self.show(self.review)
        self.master.title(f"{self.app_title}  ·  {self.loaded.output_name}")
        self.review.grid_view.sheet.focus_set()

    def show_mapping(self) -> None:
        if self.prep is None or self.worker.busy:
            return
        self.mapping.load(self.prep, from_review=self.current is self.review)
        self.show(self.mapping)
        self.mapping.focus_first()

    def show_left_out(self) -> LeftOutWindow | None:
        if self.prep is None:
            return None
        return LeftOutWindow(self.master, self.prep, put_back=self.put_back)

    def show_history(self):
        from tracker_desktop.gui.history_view import HistoryWindow

        try:
            return HistoryWindow(self.master)
        except Exception as e:  # an unreadable history: a plain message, not a half-built window
            messages.report(e, self.master, "reading the list of prepared returns")
            return None

    # --- opening -----------------------------------------------------------------------------------

    def files_dropped(self, paths: list[Path]) -> OpenDialog | None:
        """An export dropped on the window: the Prepare dialog opens with it filled in."""
        exports = [p for p in paths if p.suffix.lower() in EXPORT_SUFFIXES]
        if not exports:
            names = ", ".join(p.name for p in paths) or "that"
            messages.error(f"{names} is not an export Tracker Desktop reads: drop a CSV, Excel or CTF (XML) file "
                           "exported from your MIS.", self.master)
            return None
        return self.open_dialog(export=exports[0])

    def open_dialog(self, return_id: str | None = None, export: Path | None = None) -> OpenDialog | None:
        if self.worker.busy:
            return None
        if not self.settings.is_complete:
            self.first_run()
            if not self.settings.is_complete:
                return None
        if return_id is None:
            # The return chosen on Home, or the one being reviewed.
            shown = self.prep.definition.id if self.prep is not None and self.current is not self.home else None
            return_id = shown or self.home.selected()
        if export is None and self.last_export is not None:
            export = self.last_export  # the same export serves the leavers and the joiners
        dialog = OpenDialog(self.master, self.definitions, return_id=return_id, export=str(export or ""),
                            folder=self.settings.last_export_folder, overdue=self.home.overdue_months,
                            _utest=self._utest)
        if not self._utest:
            answers = dialog.take_result()  # the dialog keeps no TEP password
            if answers:
                self.open_export(**answers)
        return dialog

    def open_export(self, return_id: str, export: Path, period=None, as_of=None, school=None, college=None,
                    straight_to_review: bool = False, prepopulated=None, prepopulated_password=None) -> None:
        if self.worker.busy:
            return
        again = dict(return_id=return_id, export=export, period=period, as_of=as_of, school=school, college=college,
                     straight_to_review=straight_to_review, prepopulated=prepopulated,
                     prepopulated_password=prepopulated_password)
        if not self.leave_return("opening another export", lambda: self.open_export(**again)):
            return
        try:
            definition = load_definition(return_id)
        except UserError as e:
            messages.report(e, self.master)
            return
        sender = {"school": school, "college": college} if (school or college) else self.settings.sender_args()
        remembered = self.settings.mapping_for(return_id)
        understood = self.settings.understood_for(return_id, definition.template)
        export = Path(export)
        self.last_export = export  # offered again by the Prepare dialog in this session, never saved
        if self.persist:
            self.settings.last_export_folder = str(export.parent)
        if definition.prepopulated:
            open_tep(self, return_id, export, prepopulated, prepopulated_password, sender, period, as_of,
                     straight_to_review)
            return
        self.worker.run(f"Reading {export.name}",
                        lambda job: load_preparation(return_id, export, sender, period, as_of, remembered, job,
                                                     understood),
                        lambda result: self._opened(result, straight_to_review),
                        lambda e: messages.report(e, self.master, f"reading {export.name}"))

    def open_from_args(self, args: argparse.Namespace) -> None:
        password = None
        password_file = getattr(args, "prepopulated_password_file", None)
        if password_file:
            from tracker_desktop.core.writing.encryption import read_password_file

            try:
                password = read_password_file(password_file)
            except UserError as e:
                messages.report(e, self.master)
                return
        prepopulated = getattr(args, "prepopulated", None)
        self.open_export(args.return_id, Path(args.export), period=getattr(args, "period", None),
                         as_of=getattr(args, "as_of", None), school=getattr(args, "school", None),
                         college=getattr(args, "college", None), straight_to_review=True,
                         prepopulated=Path(prepopulated) if prepopulated else None, prepopulated_password=password)

    def _opened(self, result, straight_to_review: bool = False) -> None:
        prep, remembered = result
        self.set_prep(prep)
        unsure = needs_review(prep.definition, prep.mapping, prep.template.mandatory, prep.columns)
        if not (remembered or straight_to_review) and unsure:
            self.show_mapping()
        else:
            self.show_review()

    def set_prep(self, prep, reread: list[str] | None = None) -> None:
        """Show a return; `reread`: the same return remapped, only these columns read again."""
        # A big return is millions of objects that live as long as it is open. Frozen, the cycle
        # collector stops walking them after every few edits (a pause of ~150 ms at 20,000 rows);
        # thawed again when the next return replaces this one, so nothing is kept for good.
        gc.unfreeze()
        remapped = reread is not None and self.review.grid_view.prep is prep
        self.prep = prep
        prep.use_accepted(self.accepted_queries())
        self.review.load(prep, reread if remapped else None)
        self.saved_edits = 0
        gc.freeze()  # Worker.run collected just before this return was read: little garbage is frozen

    def accepted_queries(self):
        """The school's accepted queries, kept beside its settings (the demo keeps its own aside)."""
        from tracker_desktop.core.checking.accepted import load_accepted
        from tracker_desktop.core.settings import settings_dir

        if getattr(self, "_accepted", None) is None:
            if self.persist:
                folder = settings_dir()
            else:
                import tempfile

                folder = Path(tempfile.mkdtemp(prefix="tracker-demo-"))
            self._accepted = load_accepted(folder)
        return self._accepted

    def check_filled(self) -> None:
        if self.worker.busy:
            return
        if not self.settings.is_complete:  # the school's number names the return it proposes
            self.first_run()
            if not self.settings.is_complete:
                return
        return_id = self.home.selected() or (self.definitions[0].id if self.definitions else None)
        try:
            definition = load_definition(return_id)
        except UserError as e:
            messages.report(e, self.master)
            return
        path = filedialog.askopenfilename(parent=self.master, title=f"Choose a filled-in {definition.title} workbook",
                                          filetypes=[("Excel workbooks", "*.xlsx"), ("All files", "*.*")])
        if path:
            self.check_workbook(definition.id, Path(path))

    def check_workbook(self, return_id: str, path: Path, as_of=None, period=None, password: str | None = None):
        """Check a filled-in workbook; an encrypted one (a TEP sheet) asks for its password first.
        Returns the password dialog when one is shown (tests fill it in)."""
        from tracker_desktop.core.checking.filled import NeedsPassword, check_workbook

        if self.worker.busy or not self.leave_return(
                "checking another workbook", lambda: self.check_workbook(return_id, path, as_of, period, password)):
            return []
        sender = self.settings.sender_args()
        secret = [password]
        asked: list = []

        def work(job):
            try:
                return check_workbook(return_id, path, as_of=as_of, period=period, password=secret[0], **sender), True
            finally:
                secret[0] = None  # read: the password is not kept

        def failed(e):
            secret[0] = None
            if isinstance(e, NeedsPassword):
                asked.append(self._ask_check_password(return_id, path, as_of, period))
                return
            messages.report(e, self.master, f"checking {path.name}")

        self.worker.run(f"Checking {path.name}", work, self._opened, failed)
        return asked

    def _ask_check_password(self, return_id: str, path: Path, as_of, period):
        from tracker_desktop.gui.summary_view import SummaryPasswordDialog

        dialog = SummaryPasswordDialog(self.master, [path], _utest=self._utest)
        if not self._utest and dialog.result:
            self.check_workbook(return_id, path, as_of, period, password=dialog.take_password())
        return dialog

    # --- destinations summary ----------------------------------------------------------------------

    def destinations_summary(self, paths=None):
        """Ask for filled leaver-destinations sheets or leavers returns (and their password when
        encrypted), then count the destinations. Returns the password dialog when one is shown."""
        from tracker_desktop.gui.summary_view import SHEET_TYPES, SummaryPasswordDialog, encrypted_files

        if self.worker.busy:
            return None
        if paths is None:
            chosen = filedialog.askopenfilenames(
                parent=self.master, title="Choose filled leaver-destinations sheets or leavers returns",
                initialdir=self.output_folder(), filetypes=SHEET_TYPES)
            if not chosen:
                return None
            paths = list(chosen)
        paths = [Path(p) for p in paths]
        encrypted = encrypted_files(paths)
        if not encrypted:
            self.make_summary(paths, None)
            return None
        dialog = SummaryPasswordDialog(self.master, encrypted, _utest=self._utest)
        if not self._utest and dialog.result:
            self.make_summary(paths, dialog.take_password())
        return dialog

    def make_summary(self, paths, password: str | None) -> None:
        """Count on the worker; the password is forgotten as soon as the files are read."""
        from tracker_desktop.core.routine.destinations import summarise
        from tracker_desktop.gui.summary_view import SummaryWindow

        paths = [Path(p) for p in paths]
        secret = [password]

        def forget():
            secret[0] = None

        def done(result):
            forget()
            self.summary_window = SummaryWindow(self.master, result, self, paths)

        def failed(e):
            forget()
            messages.report(e, self.master, "making the destinations summary")

        def work(job):
            try:
                return summarise(paths, secret[0])
            finally:
                forget()

        what = paths[0].name if len(paths) == 1 else f"{len(paths)} files"
        if self.worker.run(f"Counting the destinations in {what}", work, done, failed) is None:
            forget()

    # --- column matching ---------------------------------------------------------------------------

    def apply_understanding(self, answers: dict) -> None:
        """The user said what some template headers are: remembered for this template, and the
        export read again so the columns are matched and tidied as what they are."""
        if self.worker.busy:
            return
        prep = self.loaded
        definition = prep.definition
        known = self.settings.understood_for(definition.id, definition.template)
        known.update(answers)
        self.settings.remember_understood(definition.id, definition.template, known)
        self.settings.forget_mapping(definition.id)  # matched again for the new meanings
        self._save_settings()
        sender = {"school": prep.sender.school, "college": prep.sender.college}
        export = prep.table.source
        period, as_of = prep.period.month_start.strftime("%Y-%m"), prep.as_of

        def done(result):
            self.set_prep(result[0])
            self.show_mapping()

        self.worker.run("Matching the columns",
                        lambda job: load_preparation(definition.id, export, sender, period, as_of, None, job, known),
                        done, lambda e: messages.report(e, self.master, "matching the columns"))

    def apply_mapping(self, mapping) -> None:
        if self.worker.busy:
            return
        prep = self.loaded
        if mapping == prep.mapping:
            # Nothing changed: the return stands as it is, typed changes and all. Confirmed, so
            # it is remembered for next month's export.
            self.settings.remember_mapping(prep.definition.id, mapping)
            self._save_settings()
            self.show_review()
            return
        edits = len(self.review.grid_view.undo_stack)
        if edits and not messages.ask("okcancel", APP_TITLE, "Changing the columns reads the export again: the "
                                      f"{edits} change{'s' if edits != 1 else ''} you typed will be lost.\n\n"
                                      "Cancel keeps them (save the return first to keep a copy).",
                                      self.master, default="cancel"):
            return

        # Asked before the remap, which makes the new matching the return's own: a remap of one
        # column rewrites that column of the grid, not all of it.
        reread = prep.columns_read_differently(mapping)

        def done(_):
            self.settings.remember_mapping(prep.definition.id, mapping)
            self._save_settings()
            self.set_prep(prep, reread)
            self.show_review()

        self.worker.run("Matching the columns", lambda job: prep.remap(mapping), done,
                        lambda e: messages.report(e, self.master, "matching the columns"))

    # --- reviewing ---------------------------------------------------------------------------------

    def _editing(self) -> bool:
        """True while the grid's cell editor is open: keys then belong to the editor."""
        return bool(self.review.grid_view.sheet.MT.text_editor.open)

    def undo(self) -> None:
        if self.current is self.review and not self._editing() and not self.worker.busy:
            self.review.grid_view.undo()

    def redo(self) -> None:
        if self.current is self.review and not self._editing() and not self.worker.busy:
            self.review.grid_view.redo()

    def _on_grid(self, action: Callable[[], object]) -> None:
        """A menu entry doing what its key does on the grid's selection, then the grid has the keys again."""
        if self._grid_ready():
            action()
            if not self._editing():
                self.review.grid_view.sheet.focus_set()

    def copy_cells(self) -> None:
        self._on_grid(self.review.grid_view.copy)

    def paste_cells(self) -> None:
        self._on_grid(self.review.grid_view.paste)  # reads the clipboard, as Ctrl+V does

    def fill_down(self) -> None:
        self._on_grid(self.review.grid_view.fill_down)

    def clear_cells(self) -> None:
        self._on_grid(self.review.grid_view.clear_selection)

    def next_problem(self, step: int) -> None:
        if self.current is self.review and not self._editing():
            self.review.next_problem(step)

    # --- taking rows out and accepting queries -----------------------------------------------------

    def _row_action_ready(self) -> tuple[int, int] | None:
        if self.prep is None or self.current is not self.review or self.worker.busy or self._editing():
            return None
        cell = self.review.grid_view.selected_cell()
        if cell is None:
            messages.info("Select a cell in the learner's row first.", self.master)
        return cell

    def take_out_selected(self):
        from tracker_desktop.gui.row_actions import take_out_row

        cell = self._row_action_ready()
        return take_out_row(self, cell[0]) if cell else None

    def accept_selected(self):
        from tracker_desktop.gui.row_actions import accept_query

        cell = self._row_action_ready()
        return accept_query(self, cell[0], self.loaded.columns[cell[1]]) if cell else None

    def put_back(self, source_row: int):
        from tracker_desktop.gui.row_actions import put_back_row

        if self.worker.busy or self._editing():
            return None
        return put_back_row(self, source_row)

    def rows_changed(self, select: int | None = None) -> None:
        """A row was taken out or put back: a change to save (the grid's undo starts afresh)."""
        self.review.rows_changed(select)
        self.saved_edits = -1
        self.refresh_edit_menu()  # the last learner taken out leaves nothing to paste into

    def queries_changed(self, row: int) -> None:
        # Accepted for the learner (by UPN), so on every row of theirs: no longer amber.
        rows = self.loaded.sharing_identity(row)
        self.review.grid_view.recolour(rows)
        self.review.panel.update_rows(rows)
        self.review.update_summary()

    # --- saving ------------------------------------------------------------------------------------

    def output_folder(self) -> str:
        return self.settings.output_folder or str(default_output_folder())

    def save(self) -> SaveDialog | None:
        if self.prep is None or self.current is not self.review or self.worker.busy:
            return None
        if getattr(self.prep, "blocking", None):
            messages.error(f"Nothing can be saved yet: {self.prep.blocking}.", self.master)
            return None
        dialog = SaveDialog(self.master, self.prep, self.output_folder(), _utest=self._utest)
        if not self._utest:
            if dialog.result:
                self.save_to(dialog.result)
            else:
                self.after_saved = None  # not saved: whatever waited for the save does not happen
        return dialog

    def save_to(self, folder: Path):
        """After the save dialog: a nil-return e-mail, a TEP sheet (password first), or the workbook."""
        if is_nil_return(self.prep):
            return save_nil_return(self, folder)
        if self.loaded.definition.prepopulated:
            return self.ask_tep_password(folder)
        return self.write(folder)

    def ask_tep_password(self, folder: Path) -> OutputPasswordDialog:
        dialog = OutputPasswordDialog(self.master, self.loaded.output_name, _utest=self._utest)
        if not self._utest:
            if dialog.result:
                self.copied_password = dialog.take_copied()  # cleared from the clipboard after the save
                write_tep(self, folder, dialog.take_password())
            else:
                self.after_saved = None
        return dialog

    def clear_copied_password(self) -> None:
        """Take a TEP password off the clipboard once used, if the clipboard still holds it."""
        from tracker_desktop.gui.tep_password import clear_clipboard_if

        clear_clipboard_if(self.master, getattr(self, "copied_password", None))
        self.copied_password = None

    def write_tep(self, folder: Path, password: str, force: bool = False) -> None:
        write_tep(self, folder, password, force)

    def save_nil_return(self, folder: Path) -> None:
        save_nil_return(self, folder)

    def remember_prepared(self, prep) -> None:
        from tracker_desktop.core.routine.status import period_key

        self.settings.prepared[prep.definition.id] = period_key(prep.definition, prep.period.month_start)
        self._save_settings()

    def tidy_up(self, stale: list | None = None) -> TidyWindow | None:
        from tracker_desktop.core.routine.clear_out import stale_returns
        from tracker_desktop.core.settings import history_dir

        try:
            if stale is None:
                stale = stale_returns(history_dir(), dt.date.today())
        except Exception as e:  # an unreadable history: a plain message, not a half-built window
            messages.report(e, self.master, "reading the list of prepared returns")
            return None
        return TidyWindow(self.master, history_dir(), stale=stale)

    def write(self, folder: Path, force: bool = False) -> None:
        prep = self.loaded
        edits = len(self.review.grid_view.undo_stack)
        self.review.grid_view.locked = True  # no edits while the workbook is being written from the learners

        def failed(e):
            self.review.grid_view.locked = False
            if isinstance(e, OutputExists) and not force:
                if messages.ask("yesno", APP_TITLE,
                                f"{prep.output_name} is already in {folder}.\n\nReplace it with this one?",
                                self.master, default="no"):
                    self.write(folder, force=True)
                else:
                    self.after_saved = None  # not saved: leaving the return waits no more
                return
            self.after_saved = None
            messages.report(e, self.master, f"saving {prep.output_name}")

        def work(job):
            from tracker_desktop.gui.tep_flow import record_history

            path = prep.save(folder, force=force)
            return path, record_history(prep, path)

        def done(result):
            path, history_problem = result
            self.review.grid_view.locked = False
            self.saved_edits = edits
            self.remember_prepared(prep)
            errors = prep.counts()["errors"]
            warning = f"\n\n{errors} error{'s' if errors != 1 else ''} remain in it." if errors else ""
            if messages.ask("yesno", "Saved", f"Saved {path.name} in {path.parent}.{warning}\n\n{next_step(prep)}"
                            f"{history_problem}\n\nOpen the folder now?", self.master):
                open_folder(path.parent)
            self.saved(edits)

        if self.worker.run(f"Saving {prep.output_name}", work, done, failed) is None:
            self.review.grid_view.locked = False

    def export_problems(self, path: Path | None = None) -> None:
        from tracker_desktop.core.checking.problem_list import default_name, export_problems

        if self.prep is None or self.worker.busy:
            return
        if path is None:
            chosen = filedialog.asksaveasfilename(
                parent=self.master, title="Export the problems list", initialdir=self.output_folder(),
                initialfile=default_name(self.prep), defaultextension=".xlsx",
                filetypes=[("Excel workbook", "*.xlsx"), ("CSV (opens in Excel)", "*.csv")])
            if not chosen:
                return
            path = Path(chosen)
        prep = self.prep

        def work(job):
            from tracker_desktop.core.routine.history import PROBLEMS
            from tracker_desktop.gui.tep_flow import record_history

            # The file dialog has already asked before replacing a file, so force is safe here.
            saved = export_problems(prep, path, force=True)
            record_history(prep, saved, kind=PROBLEMS)  # so tidying up finds it later
            return saved

        self.worker.run("Exporting the problems list", work,
                        lambda p: messages.info(f"Saved the problems list ({len(prep.problems)} lines) "
                                                f"as {p.name} in {p.parent}.", self.master),
                        lambda e: messages.report(e, self.master, "exporting the problems list"))

    # --- closing -----------------------------------------------------------------------------------

    def quit(self) -> None:
        if not self.leave_return("quitting", self.quit):
            return
        if isinstance(self.master, tk.Tk) and self.persist:
            self.settings.window = window_geometry(self.master)  # where it opens next time
            self._save_settings()
        self.worker.cancel()
        self.clear_copied_password()
        self.master.destroy()


def _report_callback_exception(root: tk.Tk):
    def report(exc, value, tb):
        messages.report(value, root)
    return report


def _make_root() -> tk.Tk:
    theme.make_dpi_aware()
    try:
        root = tk.Tk(className="TrackerDesktop")
    except tk.TclError:
        raise UserError("The desktop app needs a screen to show its window on. Use the command line here "
                        "(tracker-desktop prepare --help).") from None
    try:
        from tracker_desktop.resources import resource_path

        icon = tk.PhotoImage(master=root, file=str(resource_path("assets", "icon.png")))
        root.iconphoto(True, icon)
        # A reference kept on the window, or Tk drops the image once Python collects it (an attribute of
        # our own: the stubs rightly do not know it, and a Tk subclass for one image is not worth it).
        root._icon = icon  # type: ignore[attr-defined]
    except (tk.TclError, OSError):
        pass  # no icon is no reason not to start
    root.report_callback_exception = _report_callback_exception(root)
    return root


def run_app(open_args: argparse.Namespace | None = None, persist: bool = True, demo: bool = False) -> int:
    """The desktop app; with open_args, straight at the review of that export."""
    root = _make_root()
    settings = load_settings()
    app = App(root, settings, persist=persist, demo=demo)
    if open_args is not None:
        root.after_idle(app.open_from_args, open_args)
    else:
        root.after_idle(app.first_run)
    root.mainloop()
    return 0


def run_demo() -> int:
    """The app at the review of the bundled demo roll; the user's settings are left alone."""
    export = demo_export()
    if not export.exists():
        raise UserError(f"The demo data is missing ({export.name} in {export.parent}).")
    return run_app(open_args=argparse.Namespace(export=export, **DEMO), persist=False, demo=True)

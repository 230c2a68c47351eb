"""Small modal dialogs: first-run settings and choosing an export.

Like idlelib's dialogs they take `_utest`: tests build them without a grab and without waiting
(a grab under Xvfb blocks the whole test session), fill the fields and press the buttons.
"""
from __future__ import annotations

import datetime as dt
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any, Generic, TypeVar

from tracker_desktop.core.routine.status import default_period
from tracker_desktop.core.settings import Settings, check_college_code, check_school_number, default_output_folder
from tracker_desktop.core.values.calendar import DAY_SHOWN, parse_day, parse_month, show_month
from tracker_desktop.gui.scrolling import ScrollFrame
from tracker_desktop.gui.window_size import DIALOG_MARGIN, place_on_screen, work_area

# One text whether or not the workbook chosen is encrypted, so nothing below it moves.
PASSWORD_HINT = ("Needed when TEP's workbook is encrypted (as TEP send them): type the password TEP gave you. "
                 "It is used only to open the file and is not kept.")
EXPORT_TYPES = [("MIS exports", "*.csv *.xlsx *.xls *.txt"), ("All files", "*.*")]


Result = TypeVar("Result")


class Dialog(tk.Toplevel, Generic[Result]):
    """OK/Cancel dialog; `result` stays None when cancelled."""

    ok_text = "OK"
    cancel_text = "Cancel"
    cancel_is_default = False  # True when going ahead is the risky choice: Enter then cancels

    def __init__(self, parent, title: str, _utest: bool = False):
        # Where the keyboard focus goes back to when the dialog closes (else it can be nowhere).
        try:
            self._return_focus = parent.winfo_toplevel().focus_lastfor()
        except (tk.TclError, KeyError):
            self._return_focus = None
        super().__init__(parent)
        self.withdraw()
        self.title(title)
        self.transient(parent.winfo_toplevel())
        self.result: Result | None = None
        self.resizable(False, False)
        # The buttons are packed first, at the bottom: on a short screen the fields scroll and
        # the buttons stay in view (a dialog taller than the screen would hide OK and Cancel).
        buttons = ttk.Frame(self, padding=(16, 0, 16, 16))
        buttons.pack(fill="x", side="bottom")
        self.scroll = ScrollFrame(self, max_height=work_area(parent)[3] - DIALOG_MARGIN)
        self.scroll.pack(fill="both", expand=True)
        body = self.scroll.inner
        body.configure(padding=16)
        self.first = self.body(body)
        self.bind("<FocusIn>", self._focus_in, add="+")
        # The default button (the one Enter presses) is the blue one. Made left to right, so Tab
        # goes through them in the order they are seen.
        risky = self.cancel_is_default
        self.cancel_button = ttk.Button(buttons, text=self.cancel_text, command=self.cancel,
                                        style="Accent.TButton" if risky else "TButton")
        self.ok_button = ttk.Button(buttons, text=self.ok_text, command=self.ok,
                                    style="TButton" if risky else "Accent.TButton")
        self.ok_button.pack(side="right")
        self.cancel_button.pack(side="right", padx=(0, 8))
        self.default_button = self.cancel_button if risky else self.ok_button
        self.bind("<Return>", self._enter)
        self.bind("<KP_Enter>", self._enter)
        self.bind("<Escape>", lambda e: self.cancel())
        self.protocol("WM_DELETE_WINDOW", self.cancel)
        self.deiconify()
        self._place(parent)
        (self.first or self.default_button).focus_set()
        if not _utest:
            self.wait_visibility()
            self.grab_set()
            self.wait_window(self)

    def _enter(self, event=None) -> str:
        """Enter presses the button that has the focus, else the default one."""
        focused = self.focus_get()
        if isinstance(focused, ttk.Button) and focused.winfo_toplevel() is self:
            focused.invoke()
        else:
            self.default_button.invoke()
        return "break"

    def destroy(self) -> None:
        back = getattr(self, "_return_focus", None)
        self._return_focus = None
        if back is not None:
            try:
                if back.winfo_exists() and back.winfo_toplevel() is not self:
                    back.focus_set()  # while the dialog still has the focus, so it really moves
            except tk.TclError:
                pass
        super().destroy()

    def _focus_in(self, event) -> None:
        widget = event.widget
        if isinstance(widget, tk.Misc) and str(widget).startswith(str(self.scroll.inner)):
            self.scroll.see(widget)  # a field reached with Tab is scrolled into view

    def _place(self, parent) -> None:
        place_on_screen(self, parent.winfo_toplevel())

    def body(self, frame: ttk.Frame):  # pragma: no cover - overridden
        return None

    def validate(self) -> str | None:
        """None if the answers are usable, otherwise what to correct (shown in the dialog)."""
        return None

    def apply(self) -> None:
        pass

    def ok(self) -> None:
        problem = self.validate()
        if problem:
            self.problem.configure(text=problem)
            return
        self.apply()
        self.destroy()

    def cancel(self) -> None:
        self.result = None
        self.destroy()

    def problem_label(self, frame, row: int, columnspan: int = 3) -> None:
        # Mistakes are shown inside the dialog, next to the fields, rather than in another box.
        self.problem = ttk.Label(frame, text="", style="Error.TLabel", wraplength=460, justify="left")
        self.problem.grid(row=row, column=0, columnspan=columnspan, sticky="w", pady=(8, 0))
        # Said where it is seen, also when the fields scroll.
        self.problem.bind("<Configure>", self._see_problem, add="+")

    def _see_problem(self, event=None) -> None:
        if self.problem.cget("text"):
            self.scroll.see(self.problem)


class SettingsDialog(Dialog[Settings]):
    """Who sends the returns and where they are saved. result: the updated Settings."""

    ok_text = "Save settings"

    def __init__(self, parent, settings: Settings, first_run: bool = False, _utest: bool = False):
        self.settings = settings
        self.first_run = first_run
        super().__init__(parent, "Welcome to Tracker Desktop" if first_run else "Settings", _utest=_utest)

    def body(self, f):
        s = self.settings
        row = 0
        if self.first_run:
            ttk.Label(f, text="Before your first return", style="Heading.TLabel").grid(row=row, column=0, columnspan=3,
                                                                                       sticky="w")
            ttk.Label(f, text="These go into the file names KCC expects. You can change them later from Settings.",
                      wraplength=460).grid(row=row + 1, column=0, columnspan=3, sticky="w", pady=(2, 12))
            row += 2
        self.kind = tk.StringVar(self, "college" if s.college_code and not s.school_number else "school")
        kinds = ttk.Frame(f)
        kinds.grid(row=row, column=0, columnspan=3, sticky="w", pady=(0, 8))
        ttk.Radiobutton(kinds, text="A school", value="school", variable=self.kind,
                        command=self._kind_changed).pack(side="left")
        ttk.Radiobutton(kinds, text="A college", value="college", variable=self.kind,
                        command=self._kind_changed).pack(side="left", padx=(16, 0))
        row += 1
        self.name = tk.StringVar(self, s.school_name)
        self.number = tk.StringVar(self, s.school_number)
        self.college = tk.StringVar(self, s.college_code)
        self.folder = tk.StringVar(self, s.output_folder or str(default_output_folder()))
        ttk.Label(f, text="Name").grid(row=row, column=0, sticky="w", pady=4, padx=(0, 12))
        name_entry = ttk.Entry(f, textvariable=self.name, width=40)
        name_entry.grid(row=row, column=1, columnspan=2, sticky="we", pady=4)
        row += 1
        self.number_label = ttk.Label(f, text="School number (886 + DfE number)")
        self.number_label.grid(row=row, column=0, sticky="w", pady=4, padx=(0, 12))
        self.number_entry = ttk.Entry(f, textvariable=self.number, width=12)
        self.number_entry.grid(row=row, column=1, sticky="w", pady=4)
        row += 1
        self.college_label = ttk.Label(f, text="College code (e.g. MKC)")
        self.college_label.grid(row=row, column=0, sticky="w", pady=4, padx=(0, 12))
        self.college_entry = ttk.Entry(f, textvariable=self.college, width=12)
        self.college_entry.grid(row=row, column=1, sticky="w", pady=4)
        row += 1
        ttk.Label(f, text="Save returns in").grid(row=row, column=0, sticky="w", pady=4, padx=(0, 12))
        ttk.Entry(f, textvariable=self.folder, width=40).grid(row=row, column=1, sticky="we", pady=4)
        ttk.Button(f, text="Change…", command=self._choose_folder).grid(row=row, column=2, padx=(8, 0), pady=4)
        row += 1
        self.closures = tk.StringVar(self, ", ".join(f"{d:%d/%m/%Y}" for d in s.closures))
        ttk.Label(f, text="School closure days").grid(row=row, column=0, sticky="w", pady=4, padx=(0, 12))
        ttk.Entry(f, textvariable=self.closures, width=40).grid(row=row, column=1, columnspan=2, sticky="we", pady=4)
        row += 1
        ttk.Label(f, text="Days, besides weekends and bank holidays, when nobody is in to send a return, "
                          "e.g. 29/05/2026, 30/05/2026. Deadlines on the last working day move back over them.",
                  wraplength=460, style="Muted.TLabel").grid(row=row, column=1, columnspan=2, sticky="w")
        row += 1
        self.problem_label(f, row)
        f.columnconfigure(1, weight=1)
        self._kind_changed()
        return name_entry

    def _kind_changed(self) -> None:
        school = self.kind.get() == "school"
        self.number_entry.configure(state="normal" if school else "disabled")
        self.college_entry.configure(state="disabled" if school else "normal")

    def _choose_folder(self) -> None:
        chosen = filedialog.askdirectory(parent=self, initialdir=self.folder.get() or None, title="Save returns in")
        if chosen:
            self.folder.set(chosen)

    def validate(self) -> str | None:
        if self.kind.get() == "school":
            problem = check_school_number(self.number.get())
        else:
            problem = check_college_code(self.college.get())
        if problem:
            return problem
        if not self.folder.get().strip():
            return "Choose the folder the returns are saved in."
        if self._closure_days() is None:
            return "Write closure days as dates like 29/05/2026, separated by commas."
        return None

    def _closure_days(self) -> list[str] | None:
        from tracker_desktop.core.values.cleaning import parse_date

        days = []
        for part in self.closures.get().replace(";", ",").split(","):
            if part.strip():
                day = parse_date(part.strip())
                if day is None:
                    return None
                days.append(day.isoformat())
        return sorted(set(days))

    def apply(self) -> None:
        s = self.settings
        s.school_name = self.name.get().strip()
        if self.kind.get() == "school":
            s.school_number, s.college_code = self.number.get().strip(), ""
        else:
            s.school_number, s.college_code = "", self.college.get().strip().upper()
        s.output_folder = self.folder.get().strip()
        s.closure_days = self._closure_days() or []
        self.result = s


class OpenDialog(Dialog[dict[str, Any]]):
    """Choose the return, the export and the period; for a TEP sheet also TEP's workbook and, when
    it is encrypted, its password (checked here: a wrong one is said plainly and asked again).
    result: dict for App.open_export; take_result() hands it over and forgets the password."""

    ok_text = "Open"

    def __init__(self, parent, definitions, return_id: str | None = None, export: str = "",
                 folder: str = "", overdue: dict | None = None, _utest: bool = False):
        self.definitions = list(definitions)
        self.overdue = dict(overdue or {})  # return id -> its earliest overdue month, offered first
        known = {d.id for d in self.definitions}
        self.start_id = return_id if return_id in known else self.definitions[0].id
        self.start_export = export
        self.start_folder = folder
        self.encrypted = False
        super().__init__(parent, "Prepare a return", _utest=_utest)

    def body(self, f):
        titles = [d.title for d in self.definitions]
        ttk.Label(f, text="Return").grid(row=0, column=0, sticky="w", pady=4, padx=(0, 12))
        self.return_var = tk.StringVar(self, next(d.title for d in self.definitions if d.id == self.start_id))
        combo = ttk.Combobox(f, textvariable=self.return_var, values=titles, state="readonly", width=38)
        combo.grid(row=0, column=1, columnspan=2, sticky="we", pady=4)
        combo.bind("<<ComboboxSelected>>", lambda e: self._return_changed())
        # TEP's own workbook (TEP sheets only), and its password when it is encrypted.
        self.tep_label = ttk.Label(f, text="TEP's workbook")
        self.tep_label.grid(padx=(0, 12), row=1, column=0, sticky="w", pady=4)
        self.tep_workbook = tk.StringVar(self, "")
        self.tep_entry = ttk.Entry(f, textvariable=self.tep_workbook, width=44)
        self.tep_entry.grid(row=1, column=1, sticky="we", pady=4)
        self.tep_browse = ttk.Button(f, text="Browse…", command=self._browse_tep)
        self.tep_browse.grid(row=1, column=2, padx=(8, 0), pady=4)
        self.password_label = ttk.Label(f, text="Its password")
        self.password_label.grid(padx=(0, 12), row=2, column=0, sticky="w", pady=4)
        self.password = tk.StringVar(self, "")
        self.password_entry = ttk.Entry(f, textvariable=self.password, show="•", width=30)
        self.password_entry.grid(row=2, column=1, sticky="w", pady=4)
        # There from the start for a TEP sheet (not appearing once the workbook is chosen and
        # pushing the fields below it down): usable when the workbook is encrypted.
        self.password_hint = ttk.Label(f, text=PASSWORD_HINT, style="Muted.TLabel", wraplength=420, justify="left")
        self.password_hint.grid(row=3, column=1, columnspan=2, sticky="w")
        self.tep_workbook.trace_add("write", lambda *a: self._tep_changed())

        self.export_label = ttk.Label(f, text="MIS export")
        self.export_label.grid(padx=(0, 12), row=4, column=0, sticky="w", pady=4)
        self.export = tk.StringVar(self, self.start_export)
        entry = ttk.Entry(f, textvariable=self.export, width=44)
        entry.grid(row=4, column=1, sticky="we", pady=4)
        ttk.Button(f, text="Browse…", command=self._browse).grid(row=4, column=2, padx=(8, 0), pady=4)
        self.export_hint = ttk.Label(f, text="", style="Muted.TLabel", wraplength=420, justify="left")
        self.export_hint.grid(row=5, column=1, columnspan=2, sticky="w")
        self.period_label = ttk.Label(f, text="Month (mm/yyyy)")
        self.period_label.grid(padx=(0, 12), row=6, column=0, sticky="w", pady=4)
        self.period = tk.StringVar(self)
        self.period_entry = ttk.Entry(f, textvariable=self.period, width=10)
        self.period_entry.grid(row=6, column=1, sticky="w", pady=4)
        self.period_hint = ttk.Label(f, text="", style="Muted.TLabel")
        self.period_hint.grid(row=7, column=1, columnspan=2, sticky="w")
        self.period.trace_add("write", lambda *a: self._period_changed())
        ttk.Label(f, text="Correct as at (dd/mm/yyyy)").grid(row=8, column=0, sticky="w", pady=4, padx=(0, 12))
        self.as_of = tk.StringVar(self, dt.date.today().strftime(DAY_SHOWN))
        ttk.Entry(f, textvariable=self.as_of, width=12).grid(row=8, column=1, sticky="w", pady=4)
        ttk.Label(f, text="The day the export was taken from your MIS: usually today.", style="Muted.TLabel"
                  ).grid(row=9, column=1, columnspan=2, sticky="w")
        self.problem_label(f, 10)
        f.columnconfigure(1, weight=1)
        self._return_changed()
        return combo if not self.start_export else entry

    @property
    def definition(self):
        return next(d for d in self.definitions if d.title == self.return_var.get())

    @property
    def is_tep(self) -> bool:
        return bool(self.definition.prepopulated)

    def _return_changed(self) -> None:
        d = self.definition
        late = self.overdue.get(d.id)
        self.period.set(show_month(late or default_period(d)))  # the hint follows (_period_changed)
        for widget in (self.tep_label, self.tep_entry, self.tep_browse, self.password_label, self.password_entry,
                       self.password_hint):
            widget.grid() if self.is_tep else widget.grid_remove()
        if self.is_tep:
            self.export_label.configure(text="MIS export")
            self.export_hint.configure(text="What the school knows about these learners. It is matched to "
                                            "TEP's rows by UPN, else TEP Ref, else name and date of birth.")
            self.export_hint.grid()
        else:
            self.export_hint.grid_remove()
        self._tep_changed()

    def _period_changed(self) -> None:
        """The hint under the month: why an overdue month is filled in, only while it still is."""
        d = self.definition
        late = self.overdue.get(d.id)
        typed = parse_month(self.period.get())
        if late and typed is not None and typed == parse_month(late):
            from tracker_desktop.core.routine.status import describe_period

            self.period_hint.configure(text=f"{describe_period(late)} is overdue, so it is filled in here. "
                                            "Change it for another month.")
        elif d.period == "month":
            self.period_hint.configure(text="The month whose joiners or leavers this return lists.")
        else:
            self.period_hint.configure(text="Any month of the academic year the return is for.")

    def _tep_changed(self) -> None:
        """Show the password row only for an encrypted TEP workbook."""
        from tracker_desktop.core.writing.encryption import is_encrypted

        self.encrypted = False
        path = Path(self.tep_workbook.get().strip()) if self.tep_workbook.get().strip() else None
        if self.is_tep and path is not None and path.is_file():
            try:
                with open(path, "rb") as fh:
                    self.encrypted = is_encrypted(fh.read(64 * 1024 * 1024))
            except OSError:
                self.encrypted = False
        self.password_entry.configure(state="normal" if self.encrypted else "disabled")
        if not self.encrypted:
            self.password.set("")
        else:
            self.password_entry.focus_set()

    def _browse_tep(self) -> None:
        current = self.tep_workbook.get().strip()
        start = str(Path(current).parent) if current else (self.start_folder or None)
        chosen = filedialog.askopenfilename(parent=self, title="Choose the workbook TEP sent you", initialdir=start,
                                            filetypes=[("Excel workbooks", "*.xlsx"), ("All files", "*.*")])
        if chosen:
            self.tep_workbook.set(chosen)

    def _browse(self) -> None:
        current = self.export.get().strip() or self.tep_workbook.get().strip()
        start = str(Path(current).parent) if current else (self.start_folder or None)
        chosen = filedialog.askopenfilename(parent=self, title="Choose the MIS export", initialdir=start,
                                            filetypes=EXPORT_TYPES)
        if chosen:
            self.export.set(chosen)

    def validate(self) -> str | None:
        if self.is_tep:
            problem = self._validate_tep()
            if problem:
                return problem
        path = self.export.get().strip()
        if not path:
            return "Choose the export file from your MIS (Browse…)."
        if not Path(path).is_file():
            return f"There is no file {Path(path).name} in {Path(path).parent}."
        if self.period.get().strip() and parse_month(self.period.get()) is None:
            return f"'{self.period.get().strip()}' is not a month: write it as mm/yyyy, e.g. 10/2024 (or Oct 2024)."
        if self.as_of.get().strip() and parse_day(self.as_of.get()) is None:
            return f"'{self.as_of.get().strip()}' is not a date: write it as dd/mm/yyyy, e.g. 31/10/2024."
        return None

    def _validate_tep(self) -> str | None:
        from tracker_desktop.core.errors import UserError
        from tracker_desktop.core.preparing.tep import open_prepopulated
        from tracker_desktop.core.writing.encryption import WrongPassword

        text = self.tep_workbook.get().strip()
        if not text:
            return "Choose the workbook TEP sent you (Browse… next to TEP's workbook)."
        path = Path(text)
        if not path.is_file():
            return f"There is no file {path.name} in {path.parent}."
        self._tep_changed()
        if not self.encrypted:
            return None
        if not self.password.get():
            self.password_entry.focus_set()
            return f"{path.name} is encrypted: type the password TEP gave you."
        self.configure(cursor="watch")
        self.update_idletasks()
        try:
            open_prepopulated(path, self.password.get())  # decrypts in memory only
        except WrongPassword:
            self.password.set("")
            self.password_entry.focus_set()
            return (f"That password does not open {path.name}. Check it with TEP (capital letters matter) "
                    "and type it again.")
        except UserError as e:
            return str(e)
        finally:
            self.configure(cursor="")
        return None

    def apply(self) -> None:
        # Kept and handed on the way the core and the history keep them: YYYY-MM and ISO days.
        month = parse_month(self.period.get()) if self.period.get().strip() else None
        day = parse_day(self.as_of.get()) if self.as_of.get().strip() else None
        self.result = {"return_id": self.definition.id, "export": Path(self.export.get().strip()),
                       "period": f"{month:%Y-%m}" if month else None, "as_of": day.isoformat() if day else None}
        if self.is_tep:
            self.result["prepopulated"] = Path(self.tep_workbook.get().strip())
            self.result["prepopulated_password"] = self.password.get() if self.encrypted else None
        self.password.set("")

    def cancel(self) -> None:
        self.password.set("")
        super().cancel()

    def take_result(self) -> dict | None:
        """The answers, once: the password is not kept in the dialog after this."""
        result, self.result = self.result, None
        return result

"""Home: the returns this school or college sends, when each is next due, and whether it has
been prepared for that period. Enter or double-click prepares the chosen return."""
from __future__ import annotations

import datetime as dt
from tkinter import ttk

from tracker_desktop.core.values.calendar import academic_year_label, academic_year_start, deadlines
from tracker_desktop.gui import theme


def next_due(definition, today: dt.date, closures=()) -> tuple[dt.date, str] | None:
    """The next due date on or after today, and the period it covers ("YYYY-MM" or "2024-25").
    `closures` are the school's own closure days (not working days for working-day deadlines)."""
    start = academic_year_start(today)
    for year in (start, start + 1):
        for day, month in deadlines(definition.deadlines, year, closures):
            if day >= today:
                return day, month or academic_year_label(year)
    return None


def _period(definition, day: dt.date, month: str | None, year: int) -> str:
    if month:
        return month
    if definition.period == "month":  # a monthly return with a fixed-date deadline: that month
        return f"{day:%Y-%m}"
    return academic_year_label(year)


# Deadlines further back are not called overdue: a new user would otherwise see every return in
# red for periods they sent by hand before using the app, and nothing can be done about them now.
OVERDUE_WINDOW = dt.timedelta(days=62)


def passed_deadlines(definition, today: dt.date, closures=()) -> list[tuple[dt.date, str]]:
    """The deadlines before today that Home checks: this academic year's, and the latest one
    before it (a yearly return's last deadline is often in the previous academic year)."""
    start = academic_year_start(today)
    passed = sorted((day, _period(definition, day, month, year)) for year in (start - 1, start)
                    for day, month in deadlines(definition.deadlines, year, closures) if day < today)
    if not passed:
        return []
    this_year = [p for p in passed if academic_year_start(p[0]) == start]
    return this_year or passed[-1:]


def last_passed(definition, today: dt.date, closures=()) -> tuple[dt.date, str] | None:
    """The latest deadline before today, and the period it covered."""
    passed = passed_deadlines(definition, today, closures)
    return passed[-1] if passed else None


def prepared_on(definition, period: str, entries) -> dt.date | None:
    """When the history says this period was prepared (the latest time), else None."""
    monthly = definition.period == "month" and period[4:5] == "-" and len(period) == 7 and period[5:].isdigit()
    found = [e.prepared_at for e in entries if e.return_id == definition.id
             and (e.period == period if monthly else e.academic_year == period)]
    if not found:
        return None
    try:
        return dt.datetime.fromisoformat(max(found)).date()
    except ValueError:
        return None


def describe_period(period: str) -> str:
    """'2024-10' -> 'October 2024'; an academic year '2024-25' stays as it is."""
    try:
        return f"{dt.date.fromisoformat(period + '-01'):%B %Y}"
    except ValueError:
        return period


def overdue(definition, today: dt.date, entries, closures=()) -> list[tuple[dt.date, str]]:
    """The recent deadlines passed with no return prepared for them, earliest first."""
    return [(day, period) for day, period in passed_deadlines(definition, today, closures)
            if today - day <= OVERDUE_WINDOW and prepared_on(definition, period, entries) is None]


def status(definition, today: dt.date, entries, closures=()) -> tuple[str, str]:
    """What Home says about a return, and its tag ("overdue", "done" or "")."""
    passed = passed_deadlines(definition, today, closures)
    missing = overdue(definition, today, entries, closures)
    if missing:
        day, period = missing[0]
        more = f"  (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        return f"OVERDUE: due {day:%a %d %b %Y} ({describe_period(period)}){more}", "overdue"
    due = next_due(definition, today, closures)
    if due:
        when = prepared_on(definition, due[1], entries)
        if when:
            return f"Prepared {when:%d %b %Y}", "done"
    if passed:
        period = passed[-1][1]
        when = prepared_on(definition, period, entries)
        if when:
            return f"Not yet  ·  {describe_period(period)} prepared on {when:%d %b %Y}", ""
    return "Not yet", ""


def period_key(definition, month_start: dt.date) -> str:
    """How a prepared return is remembered: the month for monthly returns, else the year."""
    if definition.period == "month":
        return f"{month_start.year}-{month_start.month:02d}"
    return academic_year_label(academic_year_start(month_start))


class HomeScreen(ttk.Frame):
    def __init__(self, parent, app):
        super().__init__(parent, padding=(16, 12, 16, 8))
        self.app = app
        top = ttk.Frame(self)
        top.pack(fill="x")
        self.title = ttk.Label(top, text="Tracker Desktop", style="Title.TLabel")
        self.title.pack(side="left")
        ttk.Button(top, text="Settings…", command=app.edit_settings).pack(side="right")
        self.who = ttk.Label(self, text="", style="Muted.TLabel")
        self.who.pack(anchor="w", pady=(2, 10))
        ttk.Label(self, text="Choose a return, then the export from your MIS.").pack(anchor="w", pady=(0, 6))

        frame = ttk.Frame(self)
        frame.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(frame, columns=("to", "due", "done"), show="tree headings", selectmode="browse")
        self.tree.heading("#0", text="Return", anchor="w")
        self.tree.heading("to", text="Sent to", anchor="w")
        self.tree.heading("due", text="Next due", anchor="w")
        self.tree.heading("done", text="Status", anchor="w")
        self.tree.column("#0", width=260, stretch=True)
        self.tree.column("to", width=210, stretch=False)
        self.tree.column("due", width=150, stretch=False)
        self.tree.column("done", width=430, stretch=False)
        self.tree.tag_configure("done", foreground=theme.DONE_FG)
        self.tree.tag_configure("overdue", foreground=theme.OVERDUE_FG)
        self.tree.pack(fill="both", expand=True)
        self.statuses: dict = {}
        self.overdue_months: dict[str, str] = {}
        self.tree.bind("<Double-1>", lambda e: self.prepare())
        self.tree.bind("<Return>", lambda e: (self.prepare(), "break")[1])
        self.tree.bind("<KP_Enter>", lambda e: (self.prepare(), "break")[1])

        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(10, 0))
        ttk.Button(bar, text="Prepare this return…  (Ctrl+O)", style="Accent.TButton", command=self.prepare).pack(side="right")
        ttk.Button(bar, text="Check a filled-in return…", command=app.check_filled).pack(side="right", padx=(0, 8))
        # The yearly and now-and-then jobs, where they can be found without the menus.
        ttk.Button(bar, text="Destinations summary…", command=app.destinations_summary).pack(side="left")
        ttk.Button(bar, text="Tidy up old returns…", command=app.tidy_up).pack(side="left", padx=(8, 0))

    def refresh(self, definitions, settings, today: dt.date | None = None) -> None:
        from tracker_desktop.core.routine import history
        from tracker_desktop.core.errors import UserError
        from tracker_desktop.core.settings import history_dir

        today = today or dt.date.today()
        try:
            entries = history.entries(history_dir())
        except UserError:
            entries = []  # an unreadable history must not stop the returns being listed
        name = settings.school_name or "Your school"
        self.title.configure(text=f"Tracker Desktop  ·  {name}")
        if settings.school_number:
            self.who.configure(text=f"School number {settings.school_number}.  Returns are saved in {settings.output_folder}")
        elif settings.college_code:
            self.who.configure(text=f"College code {settings.college_code}.  Returns are saved in {settings.output_folder}")
        else:
            self.who.configure(text="Open Settings to enter your school number or college code.")
        chosen = self.selected()
        self.tree.delete(*self.tree.get_children())
        # Soonest due first: the one to do now is at the top, and selected.
        closures = settings.closures
        dated = sorted(((next_due(d, today, closures), d) for d in definitions), key=lambda x: (x[0] is None, x[0] and x[0][0]))
        self.statuses = {}
        self.overdue_months = {}  # monthly returns: the earliest overdue month, offered when preparing
        for due, d in dated:
            late = overdue(d, today, entries, closures)
            if late and d.period == "month" and len(late[0][1]) == 7:
                self.overdue_months[d.id] = late[0][1]
            when = f"{due[0]:%a %d %b %Y}" if due else ""
            mark, tag = status(d, today, entries, closures)
            self.statuses[d.id] = (mark, tag)
            sent = "KCC MI (Perspective Lite)" if d.sent_to == "MI" else "TEP (encrypted e-mail)"
            self.tree.insert("", "end", iid=d.id, text=d.title, values=(sent, when, mark), tags=(tag,) if tag else ())
        items = self.tree.get_children()
        if items:
            keep = chosen if chosen in items else items[0]  # the soonest due
            self.tree.selection_set(keep)
            self.tree.focus(keep)

    def focus_list(self) -> None:
        """Keyboard focus on the returns list with a row selected: arrows move, Enter prepares."""
        items = self.tree.get_children()
        if not items:
            return
        chosen = self.selected() or items[0]
        self.tree.selection_set(chosen)
        self.tree.focus(chosen)
        self.tree.see(chosen)
        self.tree.focus_set()

    def selected(self) -> str | None:
        chosen = self.tree.selection()
        return chosen[0] if chosen else None

    def prepare(self) -> None:
        self.app.open_dialog(self.selected())

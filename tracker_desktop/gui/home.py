"""Home: the returns this school or college sends, when each is next due, and whether it has
been prepared for that period. Enter or double-click prepares the chosen return."""
from __future__ import annotations

import datetime as dt
from tkinter import ttk

from tracker_desktop.core.calendar import academic_year_label, academic_year_start, deadlines


def next_due(definition, today: dt.date) -> tuple[dt.date, str] | None:
    """The next due date on or after today, and the period it covers ("YYYY-MM" or "2024-25")."""
    start = academic_year_start(today)
    for year in (start, start + 1):
        for day, month in deadlines(definition.deadlines, year):
            if day >= today:
                return day, month or academic_year_label(year)
    return None


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
        self.tree.heading("done", text="This period", anchor="w")
        self.tree.column("#0", width=340, stretch=True)
        self.tree.column("to", width=240, stretch=False)
        self.tree.column("due", width=200, stretch=False)
        self.tree.column("done", width=200, stretch=False)
        self.tree.tag_configure("done", foreground="#1b7a35")
        self.tree.pack(fill="both", expand=True)
        self.tree.bind("<Double-1>", lambda e: self.prepare())
        self.tree.bind("<Return>", lambda e: self.prepare())

        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(10, 0))
        ttk.Button(bar, text="Prepare this return…  (Ctrl+O)", style="Accent.TButton", command=self.prepare).pack(side="right")
        ttk.Button(bar, text="Check a filled-in return…", command=app.check_filled).pack(side="right", padx=(0, 8))

    def refresh(self, definitions, settings, today: dt.date | None = None) -> None:
        today = today or dt.date.today()
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
        dated = sorted(((next_due(d, today), d) for d in definitions), key=lambda x: (x[0] is None, x[0] and x[0][0]))
        for due, d in dated:
            when = f"{due[0]:%a %d %b %Y}" if due else ""
            done = settings.prepared.get(d.id)
            mark = "Prepared" if due and done == due[1] else ("Last: " + done if done else "Not yet")
            sent = "KCC MI (Perspective Lite)" if d.sent_to == "MI" else "TEP (encrypted e-mail)"
            self.tree.insert("", "end", iid=d.id, text=d.title, values=(sent, when, mark), tags=("done",) if mark == "Prepared" else ())
        items = self.tree.get_children()
        if items:
            keep = chosen if chosen in items else items[0]  # the soonest due
            self.tree.selection_set(keep)
            self.tree.focus(keep)

    def selected(self) -> str | None:
        chosen = self.tree.selection()
        return chosen[0] if chosen else None

    def prepare(self) -> None:
        self.app.open_dialog(self.selected())

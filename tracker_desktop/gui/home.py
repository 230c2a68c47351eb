"""Home: the returns this school or college sends, when each is next due, and whether it has
been prepared for that period. Enter or double-click prepares the chosen return."""
from __future__ import annotations

import datetime as dt
from tkinter import ttk

from tracker_desktop.core.routine.status import next_due, overdue_month, status
from tracker_desktop.gui import theme


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
        ttk.Button(bar, text="Prepared returns…", command=app.show_history).pack(side="left", padx=(8, 0))
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
            late = overdue_month(d, today, entries, closures)
            if late:
                self.overdue_months[d.id] = late
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

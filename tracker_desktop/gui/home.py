"""Home: the returns this school or college sends, when each is next due, and whether it has
been prepared for that period. Enter or double-click prepares the chosen return."""
from __future__ import annotations

import datetime as dt
from tkinter import ttk

from tracker_desktop.core.routine.status import describe_due, next_due, overdue_month, status
from tracker_desktop.gui import theme
from tracker_desktop.gui.theme import elide

# Widths of the fixed columns (pixels); Status takes the rest of the window.
COLUMNS = {"#0": 240, "to": 210, "due": 250, "done": 300}


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

        # The buttons and the chosen return's line are packed before the list: a short window
        # shortens the list, and "Prepare this return" stays in view.
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(10, 0), side="bottom")
        self.detail = ttk.Label(self, text="", style="Muted.TLabel", anchor="w")
        self.detail.pack(fill="x", pady=(6, 0), side="bottom")
        frame = ttk.Frame(self)
        frame.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(frame, columns=("to", "due", "done"), show="tree headings", selectmode="browse")
        self.tree.heading("#0", text="Return", anchor="w")
        self.tree.heading("to", text="Sent to", anchor="w")
        self.tree.heading("due", text="Next due", anchor="w")
        self.tree.heading("done", text="Status", anchor="w")
        for column, width in COLUMNS.items():
            self.tree.column(column, width=width, minwidth=60, stretch=column == "done")
        self.tree.tag_configure("done", foreground=theme.DONE_FG)
        self.tree.tag_configure("overdue", foreground=theme.OVERDUE_FG)
        self.tree.pack(fill="both", expand=True)
        self.tree.bind("<Configure>", lambda e: self._fit(e.width), add="+")
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._show_detail(), add="+")
        self.texts: dict[str, tuple[str, str, str, str]] = {}  # each row's full texts, cut to fit when shown
        self.statuses: dict = {}
        self.overdue_months: dict[str, str] = {}
        self.tree.bind("<Double-1>", lambda e: self.prepare())
        self.tree.bind("<Return>", self._prepare_key)
        self.tree.bind("<KP_Enter>", self._prepare_key)

        self.prepare_button = ttk.Button(bar, text="Prepare this return…  (Ctrl+O)", style="Accent.TButton",
                                         command=self.prepare)
        self.prepare_button.pack(side="right")
        ttk.Button(bar, text="Check a filled-in return…", command=app.check_filled).pack(side="right", padx=(0, 8))
        # The yearly and now-and-then jobs, where they can be found without the menus.
        ttk.Button(bar, text="Destinations summary…", command=app.destinations_summary).pack(side="left")
        ttk.Button(bar, text="Prepared returns…", command=app.show_history).pack(side="left", padx=(8, 0))
        ttk.Button(bar, text="Tidy up old returns…", command=app.tidy_up).pack(side="left", padx=(8, 0))

    def refresh(self, definitions, settings, today: dt.date | None = None) -> None:
        from tracker_desktop.core.errors import UserError
        from tracker_desktop.core.routine import history
        from tracker_desktop.core.settings import history_dir

        today = today or dt.date.today()
        try:
            entries = history.entries(history_dir())
        except UserError:
            entries = []  # an unreadable history must not stop the returns being listed
        name = settings.school_name or "Your school"
        self.title.configure(text=f"Tracker Desktop  ·  {name}")
        if settings.school_number:
            self.who.configure(text=f"School number {settings.school_number}.  "
                                    f"Returns are saved in {settings.output_folder}")
        elif settings.college_code:
            self.who.configure(text=f"College code {settings.college_code}.  "
                                    f"Returns are saved in {settings.output_folder}")
        else:
            self.who.configure(text="Open Settings to enter your school number or college code.")
        chosen = self.selected()
        self.tree.delete(*self.tree.get_children())
        # Soonest due first: the one to do now is at the top, and selected.
        closures = settings.closures
        dated = sorted(((next_due(d, today, closures), d) for d in definitions),
                       key=lambda x: (x[0] is None, x[0] and x[0][0]))
        self.statuses = {}
        self.texts = {}
        self.overdue_months = {}  # monthly returns: the earliest overdue month, offered when preparing
        for due, d in dated:
            late = overdue_month(d, today, entries, closures)
            if late:
                self.overdue_months[d.id] = late
            when = describe_due(due[0], closures) if due else ""
            mark, tag = status(d, today, entries, closures)
            self.statuses[d.id] = (mark, tag)
            sent = "KCC MI (Perspective Lite)" if d.sent_to == "MI" else "TEP (encrypted e-mail)"
            self.texts[d.id] = (d.title, sent, when, mark)
            self.tree.insert("", "end", iid=d.id, text=d.title, values=(sent, when, mark), tags=(tag,) if tag else ())
        self._fit(self.tree.winfo_width())
        items = self.tree.get_children()
        if items:
            keep = chosen if chosen in items else items[0]  # the soonest due
            self.tree.selection_set(keep)
            self.tree.focus(keep)
        self._show_detail()

    def _fit(self, width: int) -> None:
        """Status takes the room the other columns leave; a text longer than its column ends in
        an ellipsis (the chosen return's line below the list has it in full)."""
        if width <= 1:
            return
        import tkinter.font as tkfont

        columns = list(COLUMNS)
        measure = tkfont.nametofont("TkDefaultFont", self.tree).measure
        pads = {c: 34 if c == "#0" else 14 for c in columns}
        need = {c: max([measure(t[i]) + pads[c] for t in self.texts.values()] + [60]) for i, c in enumerate(columns)}
        room = width - 4
        if sum(need.values()) <= room:  # everything fits: Status gets what is left over
            widths = dict(need, done=room - sum(w for c, w in need.items() if c != "done"))
        else:  # too narrow: the fixed columns at most their usual width, Status the rest
            widths = {c: min(need[c], w) for c, w in COLUMNS.items() if c != "done"}
            widths["done"] = max(room - sum(widths.values()), 160)
        for c in columns:
            self.tree.column(c, width=widths[c])
        for iid, texts in self.texts.items():
            if not self.tree.exists(iid):
                continue
            shown = [elide(self.tree, t, self.tree.column(c, "width") - (34 if c == "#0" else 14))
                     for c, t in zip(columns, texts, strict=True)]
            self.tree.item(iid, text=shown[0], values=shown[1:])

    def _show_detail(self) -> None:
        chosen = self.selected()
        texts = self.texts.get(chosen) if chosen else None
        if not texts:
            self.detail.configure(text="")
            return
        title, sent, when, mark = texts
        self.detail.configure(text=f"{title}: sent to {sent}" + (f", next due {when}" if when else "") + f".  {mark}")

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

    def _prepare_key(self, event=None) -> str:
        self.prepare()
        return "break"  # Enter does nothing else in the list

    def prepare(self) -> None:
        self.app.open_dialog(self.selected())

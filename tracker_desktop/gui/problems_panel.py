"""The problems panel: how many of each kind are still to look at (accepted queries counted
apart, as the summary line counts them), and every problem as a line; choosing a line selects
its cell in the grid.

After an edit only the changed learners' lines are replaced (or reworded in place) and the counts
change by the difference, so the panel keeps up with typing on a return with thousands of problems.
"""
from __future__ import annotations

import bisect
import tkinter as tk
from collections import Counter
from collections.abc import Callable
from tkinter import ttk
from typing import TYPE_CHECKING

from tracker_desktop.core.checking.rules import RULES
from tracker_desktop.gui import theme

if TYPE_CHECKING:
    from tracker_desktop.core.preparing.preparation import Preparation

ALL = "__all__"
ACCEPTED = "__accepted__"  # the kinds list's line for the queries accepted, whatever their kind
PANEL_TEXT_WIDTH = 400  # until the panel's real width is known


KIND_ROWS, SHORT_KIND_ROWS = 7, 3  # rows of "Problems by kind" on a roomy and on a short panel
ROOMY_PANEL = 460  # pixels of panel height from which the kinds list shows all its usual rows


class ProblemsPanel(ttk.Frame):
    def __init__(self, parent, on_choose: Callable[[int, str], None]):
        super().__init__(parent, padding=(8, 0, 0, 0))
        self.on_choose = on_choose
        self.prep: Preparation | None = None  # the return shown, once load() has been given one
        self.rule_filter: str | None = None
        self._items: dict[int, list[str]] = {}  # learner row -> its lines' item ids
        self._rows: list[int] = []  # rows with lines, sorted
        self._quiet = False  # selecting a line from code must not call back into the grid
        self._by_code: str | None = None  # the line show_cell selected, whose select event is not the user's
        self._problems: dict[int, list] = {}  # learner row -> all its problems (whatever the kind shown)
        self._counts: Counter = Counter()  # rule -> how many, kept edit by edit (accepted ones too)
        self._accepted: dict[int, Counter] = {}  # learner row -> rule -> its accepted queries
        self._accepted_counts: Counter = Counter()  # rule -> accepted queries, kept the same way
        self._texts: dict[str, tuple[str, str]] = {}  # line id -> (text, tag) shown
        self._kinds_shown: tuple | None = None
        self.totals = {"errors": 0, "queries": 0, "accepted": 0}

        ttk.Label(self, text="Problems by kind", style="Heading.TLabel").pack(anchor="w")
        self.kinds = ttk.Treeview(self, columns=("severity", "count"), show="tree", height=KIND_ROWS,
                                  selectmode="browse")
        self.kinds.column("#0", width=230, stretch=True)
        self.kinds.column("severity", width=50, stretch=False, anchor="w")
        self.kinds.column("count", width=48, stretch=False, anchor="e")
        self.kinds.pack(fill="x", pady=(4, 10))
        self.kinds.bind("<<TreeviewSelect>>", self._kind_chosen)

        ttk.Label(self, text="Each problem (Enter or click to go to it)", style="Heading.TLabel").pack(anchor="w")
        # The chosen line in full, wrapped: the list cuts long messages at the panel's edge.
        # A fixed height, so the list does not jump as messages of different lengths are shown.
        lines = theme.font(self).metrics("linespace")
        holder = ttk.Frame(self, height=4 * lines + 12)
        holder.pack(side="bottom", fill="x", pady=(6, 0))
        holder.pack_propagate(False)
        self.detail = ttk.Label(holder, text="", justify="left", anchor="nw", wraplength=PANEL_TEXT_WIDTH)
        self.detail.pack(fill="both", expand=True)
        holder.bind("<Configure>", lambda e: self.detail.configure(wraplength=max(e.width - 4, 100)))
        frame = ttk.Frame(self)
        frame.pack(fill="both", expand=True, pady=(4, 0))
        # No separate column for the column's name: every message starts with it, and the
        # message needs the room.
        self.lines = ttk.Treeview(frame, columns=("row", "problem"), show="headings", selectmode="browse")
        for name, text, width, stretch in (("row", "Row", 44, False), ("problem", "Problem", 330, True)):
            self.lines.heading(name, text=text, anchor="w")
            self.lines.column(name, width=width, stretch=stretch, anchor="w")
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.lines.yview)
        self.lines.configure(yscrollcommand=scroll.set)
        self.lines.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        for tree in (self.kinds, self.lines):
            tree.tag_configure("error", background=theme.ERROR_BG)
            tree.tag_configure("query", background=theme.QUERY_BG)
            tree.tag_configure("accepted", foreground="#5f5f5f")  # looked at and accepted: no colour
        self.lines.bind("<<TreeviewSelect>>", self._line_selected)
        self.bind("<Configure>", self._fit_kinds)
        self.lines.bind("<<TreeviewSelect>>", self._show_detail, add="+")
        self.lines.bind("<Return>", self._line_chosen)
        self.tip = LineTip(self.lines)

    # --- filling ---------------------------------------------------------------------------------

    def _fit_kinds(self, event) -> None:
        """On a short screen (1024x600) the kinds list gives up rows, so the list of each problem
        keeps room for several lines; the kinds still scroll with the wheel or the arrow keys."""
        rows = KIND_ROWS if event.height >= ROOMY_PANEL else SHORT_KIND_ROWS
        if int(self.kinds.cget("height")) != rows:
            self.kinds.configure(height=rows)

    @property
    def loaded(self) -> Preparation:
        """The return shown. Everything that asks for it runs after load(): the panel is empty before."""
        if self.prep is None:
            raise RuntimeError("no return is loaded")
        return self.prep

    def load(self, prep) -> None:
        self.prep = prep
        self.rule_filter = None
        self._kinds_shown = None
        self._problems = {}
        self._counts = Counter()
        self._accepted = {}
        self._accepted_counts = Counter()
        for p in prep.problems:
            self._problems.setdefault(p.row, []).append(p)
        for row, problems in self._problems.items():
            self._count(row, problems, 1)
        self.refresh_all()

    def _count(self, row: int, problems, sign: int) -> None:
        """Add (or with sign -1 take away) one learner's problems from the counts by kind. Which
        of them were accepted is kept by row: when a query is accepted or withdrawn, the row's
        old problems are taken away as they were counted, not as they are now."""
        counts = self._counts
        for p in problems:
            counts[p.rule] += sign
        if sign > 0:
            acceptance = self.loaded.acceptance
            accepted = Counter(p.rule for p in problems if p.severity == "query" and acceptance(p) is not None)
            if accepted:
                self._accepted[row] = accepted
                self._accepted_counts.update(accepted)
        else:
            was = self._accepted.pop(row, None)
            if was:
                self._accepted_counts.subtract(was)

    def refresh_all(self) -> None:
        """Every line afresh (a return loaded, or another kind chosen); the counts stand."""
        self.lines.delete(*self.lines.get_children())
        self._items.clear()
        self._rows.clear()
        self._texts.clear()
        for row in sorted(self._problems):
            problems = self._wanted(self._problems[row])
            if problems:
                self._insert_row(row, problems, "end")
        self._refresh_kinds()

    def _wanted(self, problems) -> list:
        """The lines listed: all; those of a kind still to look at; or the accepted queries."""
        chosen = self.rule_filter
        if chosen is None:
            return problems
        acceptance = self.loaded.acceptance
        if chosen == ACCEPTED:
            return [p for p in problems if acceptance(p) is not None]
        return [p for p in problems if p.rule == chosen and acceptance(p) is None]

    def update_rows(self, rows) -> None:
        """An edit changed these learners (a UPN typed may reword every row of two groups of
        duplicates): only their lines change, and the counts by the difference. A line whose
        problem stays is reworded in place, so a placeholder UPN shared by thousands of rows
        costs a rewording of each, not a rebuilt list."""
        prep = self.loaded
        for row in sorted(rows):
            self._count(row, self._problems.pop(row, ()), -1)
            found = prep.problems_at(row) if row < len(prep.learners) else []
            if found:
                self._problems[row] = found
                self._count(row, found, 1)
            self._relist(row, self._wanted(found))
        self._refresh_kinds()

    def _relist(self, row: int, problems) -> None:
        """Bring one learner's lines in line with its problems."""
        ids = self._items.get(row)
        if ids is not None and len(ids) == len(problems) and all(
                i.split("\t")[1:3] == [p.column, p.rule] for i, p in zip(ids, problems, strict=True)):
            for iid, p in zip(ids, problems, strict=True):
                line = self._line(p)
                if self._texts.get(iid) != line:
                    self._texts[iid] = line
                    text, tag = line
                    self.lines.item(iid, values=(str(self.loaded.sheet_row(row)), text), tags=(tag,))
            return
        if ids:
            self.lines.delete(*ids)
            for iid in ids:
                self._texts.pop(iid, None)
            del self._items[row]
            self._rows.pop(bisect.bisect_left(self._rows, row))
        if problems:
            at = bisect.bisect_left(self._rows, row)
            index = self.lines.index(self._items[self._rows[at]][0]) if at < len(self._rows) else "end"
            self._insert_row(row, problems, index)

    def _line(self, p) -> tuple[str, str]:
        """A problem's line: its text and colour."""
        accepted = self.loaded.acceptance(p)
        if accepted:
            return f"Accepted ({accepted.note}): {p.message}", "accepted"
        return p.message, p.severity

    def _insert_row(self, row: int, problems, index) -> None:
        ids = []
        shown = str(self.loaded.sheet_row(row))
        for i, p in enumerate(problems):
            iid = f"{row}\t{p.column}\t{p.rule}\t{i}"
            line = self._texts[iid] = self._line(p)
            text, tag = line
            self.lines.insert("", index if index == "end" else index + i, iid=iid,
                              values=(shown, text), tags=(tag,))
            ids.append(iid)
        self._items[row] = ids
        bisect.insort(self._rows, row)

    def _refresh_kinds(self) -> None:
        """Each kind counts the problems still to look at, as the summary line does; the queries
        accepted are one line of their own at the end ("Accepted queries"), so a kind whose every
        query is accepted leaves the list. "All problems" counts every line listed, accepted too."""
        counts = +self._counts  # the kinds still found (accepted queries too)
        accepted = +self._accepted_counts
        total = sum(counts.values())
        errors = sum(n for r, n in counts.items() if RULES[r].severity == "error")
        done = sum(accepted.values())
        self.totals = {"errors": errors, "queries": total - errors - done, "accepted": done}
        to_look_at = +(counts - accepted)
        shown = (total, sorted(to_look_at.items()), done, self.rule_filter)
        if shown == self._kinds_shown:
            return  # an edit that changed no count (most of them, while typing a value right)
        self._kinds_shown = shown
        selected = self.kinds.selection()
        self._quiet = True
        try:
            self.kinds.delete(*self.kinds.get_children())
            self.kinds.insert("", "end", iid=ALL, text="All problems", values=("", total))
            worst_first = sorted(to_look_at.items(), key=lambda kv: (RULES[kv[0]].severity != "error", -kv[1]))
            for rule_id, n in worst_first:
                rule = RULES[rule_id]
                self.kinds.insert("", "end", iid=rule_id, text=rule.title, values=(rule.severity.capitalize(), n),
                                  tags=(rule.severity,))
            if done:
                self.kinds.insert("", "end", iid=ACCEPTED, text="Accepted queries", values=("", done),
                                  tags=("accepted",))
            if self.rule_filter and self.kinds.exists(self.rule_filter):
                self.kinds.selection_set(self.rule_filter)
            elif selected and selected[0] == ALL:
                self.kinds.selection_set(ALL)
        finally:
            self._quiet = False

    # --- choosing --------------------------------------------------------------------------------

    def _kind_chosen(self, event=None) -> None:
        if self._quiet:
            return
        chosen = self.kinds.selection()
        rule = None if not chosen or chosen[0] == ALL else chosen[0]
        if rule != self.rule_filter:
            self.rule_filter = rule
            self.refresh_all()

    def _show_detail(self, event=None) -> None:
        chosen = self.lines.selection()
        if not chosen or not self.lines.exists(chosen[0]):
            self.detail.configure(text="")
            return
        row, message = tuple(self.lines.item(chosen[0], "values"))[:2]
        tags = self.lines.item(chosen[0], "tags")
        severity = "Error" if "error" in tags else "Query"
        self.detail.configure(text=f"Row {row} · {severity}: {message}")

    def _line_selected(self, event=None) -> None:
        """A line was selected: by the user, go to its cell; by show_cell (the grid's cell was
        selected), nothing more. Tk delivers the select event later, after show_cell has
        returned, so the line it chose is remembered rather than a flag held until then."""
        chosen = self.lines.selection()
        if chosen and chosen[0] == self._by_code:
            self._by_code = None
            return
        self._by_code = None
        self._line_chosen(event)

    def _line_chosen(self, event=None) -> None:
        if self._quiet:
            return
        chosen = self.lines.selection()
        if chosen:
            row, column = chosen[0].split("\t")[:2]
            self.on_choose(int(row), column)

    def show_cell(self, row: int, column: str) -> None:
        """Highlight the line of a cell the user selected in the grid, if it has one."""
        ids = [i for i in self._items.get(row, []) if i.split("\t")[1] == column]
        if ids and set(self.lines.selection()) & set(ids):
            return  # the user chose this very line: leave it selected
        self._quiet = True
        try:
            if ids:
                self._by_code = ids[0]
                self.lines.selection_set(ids[0])
                self.lines.see(ids[0])
            elif self.lines.selection():
                self.lines.selection_remove(*self.lines.selection())
        finally:
            self.after_idle(self._unquiet)

    def _unquiet(self) -> None:
        self._quiet = False


class LineTip:
    """The whole of a problem line whose text the list cuts off, wrapped, while the pointer
    rests on it: long messages are read without choosing each line first."""

    DELAY_MS = 500
    WRAP = 420

    def __init__(self, tree: ttk.Treeview):
        self.tree = tree
        self.window: tk.Toplevel | None = None
        self.item: str | None = None
        self._after: str | None = None
        tree.bind("<Motion>", self._moved, add="+")
        tree.bind("<Leave>", lambda e: self.hide(), add="+")
        tree.bind("<ButtonPress>", lambda e: self.hide(), add="+")

    def _moved(self, event) -> None:
        item = self.tree.identify_row(event.y)
        if item == self.item:
            return
        self.hide()
        self.item = item or None
        if item:
            self._after = self.tree.after(self.DELAY_MS, lambda: self.show(item, event.x_root, event.y_root))

    def text_of(self, item: str) -> str | None:
        """The line's message if the list cannot show it whole, else None."""
        import tkinter.font as tkfont

        if not self.tree.exists(item):
            return None
        message = str(self.tree.item(item, "values")[1])
        room = self.tree.column("problem", "width") - 12
        return message if tkfont.nametofont("TkDefaultFont").measure(message) > room else None

    def show(self, item: str, x: int, y: int) -> None:
        self._after = None
        text = self.text_of(item)
        if text is None or item != self.item:
            return
        self.window = tk.Toplevel(self.tree)
        self.window.wm_overrideredirect(True)
        tk.Label(self.window, text=text, justify="left", wraplength=self.WRAP, background="#ffffe8",
                 foreground="#000000", relief="solid", borderwidth=1, padx=6, pady=4).pack()
        self.window.update_idletasks()
        width = self.window.winfo_reqwidth()
        left = min(x + 12, self.tree.winfo_screenwidth() - width - 4)
        self.window.wm_geometry(f"+{max(left, 0)}+{y + 16}")
        self.window.lift()

    def hide(self) -> None:
        if self._after is not None:
            self.tree.after_cancel(self._after)
            self._after = None
        if self.window is not None:
            self.window.destroy()
            self.window = None
        self.item = None

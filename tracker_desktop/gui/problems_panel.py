"""The problems panel: how many of each kind, and every problem as a line; choosing a line
selects its cell in the grid.

After an edit only that learner's lines are replaced, so the panel keeps up with typing even on
a return with thousands of problems.
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
        self.lines.bind("<<TreeviewSelect>>", self._line_chosen)
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
        self.refresh_all()

    def refresh_all(self) -> None:
        self.lines.delete(*self.lines.get_children())
        self._items.clear()
        self._rows.clear()
        by_row: dict[int, list] = {}
        for p in self.loaded.problems:
            if self.rule_filter is None or p.rule == self.rule_filter:
                by_row.setdefault(p.row, []).append(p)
        for row in sorted(by_row):
            self._insert_row(row, by_row[row], "end")
        self._refresh_kinds()

    def update_rows(self, rows) -> None:
        """An edit changed these learners: replace only their lines, and the counts."""
        if len(rows) > 200:  # e.g. a UPN shared by hundreds of rows: start afresh
            self.refresh_all()
            return
        from tracker_desktop.gui.review_grid import problems_by_row

        by_row = problems_by_row(self.loaded, rows)
        for row in rows:
            ids = self._items.pop(row, None)
            if ids:
                self.lines.delete(*ids)
                self._rows.pop(bisect.bisect_left(self._rows, row))
        order = {c: i for i, c in enumerate(self.loaded.columns)}
        for row in sorted(rows):
            problems = [p for p in by_row[row] if self.rule_filter is None or p.rule == self.rule_filter]
            if not problems:
                continue
            problems.sort(key=lambda p: (order.get(p.column, 999), p.rule))
            at = bisect.bisect_left(self._rows, row)
            index = self.lines.index(self._items[self._rows[at]][0]) if at < len(self._rows) else "end"
            self._insert_row(row, problems, index)
        self._refresh_kinds()

    def _insert_row(self, row: int, problems, index) -> None:
        ids = []
        shown = str(self.loaded.sheet_row(row))
        for i, p in enumerate(problems):
            iid = f"{row}\t{p.column}\t{p.rule}\t{i}"
            accepted = self.loaded.acceptance(p)
            if accepted:
                text, tag = f"Accepted ({accepted.note}): {p.message}", "accepted"
            else:
                text, tag = p.message, p.severity
            self.lines.insert("", index if index == "end" else index + i, iid=iid,
                              values=(shown, text), tags=(tag,))
            ids.append(iid)
        self._items[row] = ids
        bisect.insort(self._rows, row)

    def _refresh_kinds(self) -> None:
        problems = self.loaded.problems
        counts = Counter(p.rule for p in problems)
        accepted = sum(1 for p in problems if self.loaded.acceptance(p) is not None)
        selected = self.kinds.selection()
        self._quiet = True
        try:
            self.kinds.delete(*self.kinds.get_children())
            errors = sum(n for r, n in counts.items() if RULES[r].severity == "error")
            queries = sum(counts.values()) - errors - accepted
            self.kinds.insert("", "end", iid=ALL, text="All problems", values=("", len(problems)))
            worst_first = sorted(counts.items(), key=lambda kv: (RULES[kv[0]].severity != "error", -kv[1]))
            for rule_id, n in worst_first:
                rule = RULES[rule_id]
                self.kinds.insert("", "end", iid=rule_id, text=rule.title, values=(rule.severity.capitalize(), n),
                                  tags=(rule.severity,))
            if self.rule_filter and self.rule_filter in counts:
                self.kinds.selection_set(self.rule_filter)
            elif selected and selected[0] == ALL:
                self.kinds.selection_set(ALL)
        finally:
            self._quiet = False
        self.totals = {"errors": errors, "queries": queries, "accepted": accepted}

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

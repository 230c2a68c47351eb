"""The review screen: the grid, the problems panel, and a line saying what the selected cell is,
what is wrong with it and what the export had before the tool cleaned it."""
from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from tracker_desktop.gui.problems_panel import ProblemsPanel
from tracker_desktop.gui.review_grid import ReviewGrid
from tracker_desktop.gui.row_actions import offers_withdraw

if TYPE_CHECKING:
    from tracker_desktop.core.preparing.preparation import Preparation

PANEL_WIDTH = 430
ACCEPT, WITHDRAW = "Accept query…", "Withdraw acceptance…"  # the selected cell's button, as its query is


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ReviewScreen(ttk.Frame):
    def __init__(self, parent, app):
        super().__init__(parent, padding=(12, 10, 12, 6))
        self.app = app
        self.prep: Preparation | None = None  # the return shown, once load() has been given one

        top = ttk.Frame(self)
        top.pack(fill="x")
        self.title = ttk.Label(top, text="", style="Title.TLabel")
        self.title.pack(side="left")
        self.summary = ttk.Label(top, text="", style="Heading.TLabel")
        self.summary.pack(side="right")

        # Two groups of buttons: finding one's way (left) and the actions (right, Save last). On
        # a narrow screen the finding ones move to a second line, so Save stays in view.
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(8, 8))
        self.bar = bar
        self.finding = ttk.Frame(bar)
        self.actions = ttk.Frame(bar)
        ttk.Button(self.finding, text="Returns", command=app.go_home).pack(side="left")
        self.mapping_button = ttk.Button(self.finding, text="Column matching…", command=app.show_mapping)
        self.mapping_button.pack(side="left", padx=(8, 0))
        self.left_out_button = ttk.Button(self.finding, text="Left out…", command=app.show_left_out)
        self.left_out_button.pack(side="left", padx=(8, 0))
        self.only_problems = tk.BooleanVar(self, False)
        ttk.Checkbutton(self.finding, text="Only rows with problems", variable=self.only_problems,
                        command=self.apply_filter).pack(side="left", padx=(16, 0))
        ttk.Button(self.finding, text="Previous (Shift+F8)",
                   command=lambda: self.next_problem(-1)).pack(side="left", padx=(16, 0))
        ttk.Button(self.finding, text="Next problem (F8)",
                   command=lambda: self.next_problem(1)).pack(side="left", padx=(8, 0))
        self.save_button = ttk.Button(self.actions, text="Save return…", style="Accent.TButton", command=app.save)
        self.save_button.pack(side="right")
        self.export_button = ttk.Button(self.actions, text="Export problems…", command=app.export_problems)
        self.export_button.pack(side="right", padx=(0, 8))
        self._two_lines: bool | None = None
        bar.columnconfigure(0, weight=1)
        bar.bind("<Configure>", lambda e: self._arrange_bar(e.width), add="+")
        self._arrange_bar(0)

        panes = ttk.PanedWindow(self, orient="horizontal")
        panes.pack(fill="both", expand=True)
        self.grid_view = ReviewGrid(panes, on_select=self.cell_selected, on_edited=self.edited)
        self.panel = ProblemsPanel(panes, on_choose=self.problem_chosen)
        panes.add(self.grid_view, weight=4)
        panes.add(self.panel, weight=1)
        self.panes = panes
        self._sash_set = False
        panes.bind("<Configure>", self._place_sash, add="+")

        # Under the grid: what the selected cell is, and what can be done about its row (take it
        # off the return, accept its query), beside the words that suggest it. Packed at the
        # bottom before the grid takes the room: a short window shortens the grid, not this.
        self.foot = ttk.Frame(self)
        self.foot.pack(fill="x", pady=(6, 0), side="bottom", before=panes)
        self.row_actions = ttk.Frame(self.foot)
        self.row_actions.pack(side="right", anchor="n", padx=(12, 0))
        self.take_out_button = ttk.Button(self.row_actions, text="Take row out…", command=app.take_out_selected)
        self.take_out_button.pack(side="left")
        # On a cell whose query is accepted it is Withdraw acceptance… instead, as wide either way
        # so the buttons do not shift under the mouse as cells are chosen.
        self.accept_button = ttk.Button(self.row_actions, text=ACCEPT, command=app.accept_selected,
                                        width=-len(WITHDRAW))
        self._accept, self._withdraw = app.accept_selected, app.withdraw_selected
        self.accept_button.pack(side="left", padx=(8, 0))
        self.status = ttk.Label(self.foot, text="", anchor="w", wraplength=820, justify="left")
        # The foot keeps the height of the longest line it has shown for this return (see
        # _hold_height): a strut beside the line, as tall as that line was.
        self._strut = ttk.Frame(self.foot, width=1, height=1)
        self._strut.pack(side="left")
        self.status.pack(side="left", fill="x", expand=True)
        self.status.bind("<Configure>", self._hold_height, add="+")
        self._foot_width = 0
        self.foot.bind("<Configure>", self._foot_resized)

        # Shown instead of the grid when a monthly return has nobody in scope (a nil return).
        self.nil = ttk.Frame(self, padding=(16, 14), style="Advice.TFrame")
        self.nil_text = ttk.Label(self.nil, text="", style="Advice.TLabel", wraplength=900, justify="left")
        self.nil_text.pack(anchor="w")
        nil_bar = ttk.Frame(self.nil, style="Advice.TFrame")
        nil_bar.pack(anchor="w", pady=(10, 0))
        self.nil_save = ttk.Button(nil_bar, text="Save a nil-return e-mail…", style="Accent.TButton", command=app.save)
        self.nil_save.pack(side="left")
        self.nil_mapping = ttk.Button(nil_bar, text="Column matching…", command=app.show_mapping)
        self.nil_mapping.pack(side="left", padx=(8, 0))
        self.nil_left_out = ttk.Button(nil_bar, text="Left out…", command=app.show_left_out)
        self.nil_left_out.pack(side="left", padx=(8, 0))

    def _foot_resized(self, event) -> None:
        """The line wraps short of the buttons (their width: a TEP sheet has no Take row out…);
        at another width its lines are counted afresh."""
        self.status.configure(wraplength=max(event.width - self.row_actions.winfo_reqwidth() - 24, 300))
        if event.width != self._foot_width:
            self._foot_width = event.width
            self.release_height()

    def _hold_height(self, event) -> None:
        """The foot does not shrink back when the line about the cell gets shorter: choosing or
        editing a cell whose line takes one more line than the last would make the grid shorter,
        the next one taller again, and each time the grid redraws every cell in view (twice the
        time of an edit). It is as tall as the longest line shown, until another return is loaded
        or the window's width changes."""
        if event.height > self._strut.winfo_reqheight():
            self._strut.configure(height=event.height)

    def release_height(self) -> None:
        self._strut.configure(height=1)  # not 0: a frame asked for 0 keeps the size it asked for last

    def _place_sash(self, event) -> None:
        # The grid gets the room; the panel a steady width (a paned window splits by request),
        # but never more than a third of a narrow window.
        if not self._sash_set and event.width > 600:
            self._sash_set = True
            self.panes.sashpos(0, event.width - min(PANEL_WIDTH, event.width // 3))

    def _arrange_bar(self, width: int) -> None:
        """One line when both groups fit, else the actions first and the finding ones below."""
        self.update_idletasks()
        two = width > 1 and self.finding.winfo_reqwidth() + self.actions.winfo_reqwidth() + 24 > width
        if two == self._two_lines:
            return
        self._two_lines = two
        self.finding.grid_forget()
        self.actions.grid_forget()
        if two:
            self.actions.grid(row=0, column=0, columnspan=2, sticky="e")
            self.finding.grid(row=1, column=0, columnspan=2, sticky="w", pady=(6, 0))
        else:
            self.finding.grid(row=0, column=0, sticky="w")
            self.actions.grid(row=0, column=1, sticky="e")

    # --- loading ---------------------------------------------------------------------------------

    @property
    def loaded(self) -> Preparation:
        """The return shown. Everything that asks for it runs after load(): the screen is empty before."""
        if self.prep is None:
            raise RuntimeError("no return is loaded")
        return self.prep

    def load(self, prep, reread: list[str] | None = None) -> None:
        """Show a return. `reread`: the return shown, remapped, with only these columns read
        again: the grid rewrites those, not every cell."""
        self.prep = prep
        self.release_height()  # as tall as this return's lines need
        self.title.configure(text=f"{prep.definition.title}  ·  {prep.output_name}")
        self.left_out_button.configure(text=f"Left out ({len(prep.left_out)})…")
        tep = bool(prep.definition.prepopulated)
        # A TEP sheet keeps every row TEP sent: nobody is left out, and it is saved encrypted.
        if tep:
            self.left_out_button.pack_forget()
            self.take_out_button.pack_forget()
        elif not self.left_out_button.winfo_manager():
            self.left_out_button.pack(side="left", padx=(8, 0), after=self.mapping_button)
            self.take_out_button.pack(side="left", before=self.accept_button)
        self._two_lines = None  # the buttons' widths changed: arrange them again
        self.after_idle(lambda: self._arrange_bar(self.bar.winfo_width()))
        self.save_button.configure(text="Encrypt and save…" if tep else "Save return…")
        if reread is not None and self.grid_view.prep is prep:
            self.panel.update_rows(self.grid_view.reread(reread))  # only the rows whose problems changed
            self.grid_view.show_rows(None)
        else:
            self.grid_view.load(prep)
            self.panel.load(prep)
        self.only_problems.set(False)
        self.update_summary()
        self.show_row_actions()  # a cell of the last return may have been the one selected
        problems = self.panel.totals["errors"] + self.panel.totals["queries"] + self.panel.totals["accepted"]
        if problems:
            self.status.configure(text="Coloured cells need a look: red must be fixed, amber should be checked, "
                                       "blue ones the tool tidied (select one to see what the export had). "
                                       "F8 goes to the next problem.")
        else:
            self.status.configure(text="No problems found. Check the learners look right, then save the return.")
        unmatched = len(self.grid_view.flagged)
        if unmatched:
            self.status.configure(text=f"{plural(unmatched, 'learner')} of TEP's list "
                                       f"{'is' if unmatched == 1 else 'are'} not in your "
                                       "export (row number marked “not in export”): "
                                       "type what you know into their rows. "
                                       "Destination codes have a dropdown. " + self.status.cget("text"))
        self._show_nil(prep)

    def _show_nil(self, prep) -> None:
        from tracker_desktop.core.routine.nil_return import is_nil_return, period_label

        blocked = getattr(prep, "blocking", None)
        if not is_nil_return(prep) and not blocked:
            self.nil.pack_forget()
            self.panes.pack(fill="both", expand=True, after=self.foot)
            if not self.row_actions.winfo_manager():
                self.row_actions.pack(side="right", anchor="n", padx=(12, 0), before=self.status)
            return
        self.panes.pack_forget()
        self.row_actions.pack_forget()  # no rows to act on
        if blocked:
            # Nobody could be put on the return: say why, and offer the fix, never a nil return.
            self.nil_save.pack_forget()
            self.nil_text.configure(text=(
                f"Nothing can be put on the {prep.definition.title} return yet: {blocked}.\n\n"
                "Open Column matching and choose the export column that holds it."))
            self.nil_left_out.configure(text=f"Left out ({len(prep.left_out)})…")
            self.nil.pack(fill="x", pady=(8, 0), after=self.foot)
            self.status.configure(text="")
            self.nil_mapping.focus_set()
            return
        self.nil_save.pack(side="left", before=self.nil_mapping)
        self.nil_text.configure(text=(
            f"Nobody in the export is on the {prep.definition.title} return for {period_label(prep)} "
            f"({plural(len(prep.left_out), 'row')} of the export checked, none in scope).\n\n"
            "KCC still needs to hear from you: instead of a workbook, send a nil return by e-mail to "
            "MICorePlus@kent.gov.uk. Tracker Desktop can write that e-mail for you to open in Outlook and send.\n\n"
            "If you expected learners here, check the month and the column matching, "
            "and look at who was left out and why."))
        self.nil_left_out.configure(text=f"Left out ({len(prep.left_out)})…")
        self.nil.pack(fill="x", pady=(8, 0), after=self.foot)
        self.status.configure(text="")

    def update_summary(self) -> None:
        counts = self.panel.totals
        prep = self.loaded
        self.left_out_button.configure(text=f"Left out ({len(prep.left_out)})…")
        accepted = f"   ·   {counts['accepted']} accepted" if counts.get("accepted") else ""
        self.summary.configure(text=f"{plural(len(prep.learners), 'learner')}   ·   "
                                    f"{plural(counts['errors'], 'error')}   ·   "
                                    f"{plural(counts['queries'], 'query').replace('querys', 'queries')}{accepted}")

    def rows_changed(self, select: int | None = None) -> None:
        """A row was taken out or put back: the grid and the list show the return as it now is."""
        self.grid_view.load(self.loaded)
        self.panel.load(self.loaded)
        self.only_problems.set(False)
        self.update_summary()
        if select is not None and 0 <= select < len(self.loaded.learners):
            self.grid_view.select(select, 0)

    # --- reacting --------------------------------------------------------------------------------

    def edited(self, rows: set[int]) -> None:
        self.panel.update_rows(rows)
        self.update_summary()
        cell = self.grid_view.selected_cell()
        if cell:
            self.after_idle(self.cell_selected, *cell)

    def show_row_actions(self) -> None:
        """Accept query… for the selected cell, or Withdraw acceptance… when its query is accepted."""
        prep, cell = self.prep, self.grid_view.selected_cell()
        withdraw = (prep is not None and cell is not None and cell[0] < len(prep.learners)
                    and offers_withdraw(prep, cell[0], prep.columns[cell[1]]))
        text, command = (WITHDRAW, self._withdraw) if withdraw else (ACCEPT, self._accept)
        if self.accept_button.cget("text") != text:
            self.accept_button.configure(text=text, command=command)

    def cell_selected(self, row: int, column: int) -> None:
        prep = self.prep
        if prep is None or row >= len(prep.learners):
            return
        self.show_row_actions()
        header = prep.columns[column]
        learner = prep.learners[row]
        if prep.definition.prepopulated:
            parts = [f"Row {learner.source_row} of TEP's sheet, {header}"]
        else:
            parts = [f"Row {prep.sheet_row(row)} (export row {learner.source_row}), {header}"]
        problems = [p for p in prep.problems_at(row) if p.column == header]
        for p in problems:
            accepted = prep.acceptance(p)
            if accepted:
                parts.append(f"Query, accepted ({accepted.note}): {p.message}")
            else:
                parts.append(f"{'Error' if p.severity == 'error' else 'Query'}: {p.message}")
            if p.rule == "duplicate-learner" and not prep.definition.prepopulated:
                parts.append("To keep one row, select the other and use Take row out… (bottom right).")
            elif p.severity == "query" and not accepted:
                parts.append("If it is right, Accept query… keeps it from being asked again.")
            elif accepted:
                parts.append("Accepted by mistake? Withdraw acceptance… asks it again.")
        fix = learner.fixes.get(header)
        if fix is not None:
            had = "you typed" if self.grid_view.typed_by_user(row, header, fix) else "the export had"
            parts.append(f"Tidied: {had} {fix.before!r}, now {fix.after!r}.")
        if not problems and fix is None:
            parts.append("No problem.")
        self.status.configure(text="   ·   ".join(parts))
        self.panel.show_cell(row, header)

    def problem_chosen(self, row: int, header: str) -> None:
        self.grid_view.select(row, self.loaded.columns.index(header))

    def apply_filter(self) -> None:
        if self.only_problems.get():
            rows = {p.row for p in self.loaded.problems}
            self.grid_view.show_rows(rows)
        else:
            self.grid_view.show_rows(None)

    def next_problem(self, step: int = 1) -> bool:
        """Select the next (or previous) problem cell after the selected one, wrapping round."""
        prep = self.prep
        if prep is None:
            return False
        order = {c: i for i, c in enumerate(prep.columns)}
        cells = sorted({(p.row, order.get(p.column, 0)) for p in prep.problems})
        if not cells:
            self.status.configure(text="No problems left.")
            return False
        current = self.grid_view.selected_cell()
        if current is None:
            target = cells[0] if step > 0 else cells[-1]
        elif step > 0:
            target = next((c for c in cells if c > current), cells[0])
        else:
            target = next((c for c in reversed(cells) if c < current), cells[-1])
        self.grid_view.select(*target)
        self.grid_view.sheet.focus_set()
        return True

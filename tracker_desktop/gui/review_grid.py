"""The return as a spreadsheet grid (tksheet): colours from the checks, edits through the core.

Every edit goes through Preparation.set_value, so the grid never holds a value the core has not
cleaned and checked; the grid only displays. Undo and redo are ours, not tksheet's, because an
edit also changes the learner's fixes and problems, which tksheet's own undo would not restore.

Rows and columns here are the learner index and template column index (tksheet's "data"
indices). When only rows with problems are shown, tksheet's displayed rows differ from them and
are converted at the edges (selecting, seeing).
"""
from __future__ import annotations

import gc
import sys
from dataclasses import dataclass
from tkinter import ttk
from typing import Callable

from tksheet import Sheet, num2alpha
from tksheet.functions import event_has_char_key
from tksheet.sheet import Dropdown

try:  # tksheet's own helper for one cell's note: Sheet.note() builds a span for every call
    from tksheet.functions import mod_note as _mod_note
except ImportError:  # pragma: no cover - another tksheet version
    _mod_note = None

from tracker_desktop.core.returns.definitions import code_lists
from tracker_desktop.gui import theme

BINDINGS = ("single_select", "arrowkeys", "edit_cell", "copy", "column_width_resize",
            "double_click_column_resize", "row_height_resize", "prior", "next", "find")


# Keys held for a shortcut, not typing: Control, and Alt (0x20000 on Windows, where 0x8 is
# NumLock; 0x8 on X11) or Command (0x8 on macOS). Not 0x10: NumLock on most X11 desktops.
SHORTCUT_MODIFIERS = 0x0004 | (0x20000 if sys.platform == "win32" else 0x0008)
DROPDOWN_MAX_WIDTH = 560  # a code list wider than this wraps nothing: it is cut, with the code first


class WideDropdown(Dropdown):
    """tksheet's dropdown list, as wide as its longest line (up to DROPDOWN_MAX_WIDTH) instead of
    only as wide as the cell: "110 - Registered at a school in the area" is read whole, while the
    column stays narrow enough for the grid to show the learner's other columns."""

    _measured: dict = {}

    def reset(self, **kwargs) -> None:
        kwargs["width"] = max(kwargs.get("width") or 0, self.wanted_width(kwargs.get("values") or [], kwargs.get("font")))
        super().reset(**kwargs)

    def wanted_width(self, values, font) -> int:
        import tkinter.font as tkfont

        key = (tuple(map(str, values)), str(font))
        if key not in self._measured:
            measure = tkfont.Font(self, font=font).measure if font else tkfont.nametofont("TkDefaultFont", self).measure
            longest = max((measure(str(v)) for v in values), default=0)
            self._measured[key] = min(longest + 40, DROPDOWN_MAX_WIDTH)  # text inset and scrollbar
        return self._measured[key]


@dataclass(frozen=True)
class Edit:
    row: int
    column: str
    before: str
    before_fix: object  # Fix | None
    after: str
    after_fix: object


def dropdown_values(prep, header: str) -> list[str] | None:
    """'code - label' for coded columns (the core accepts either), else the template's own list."""
    meaning = prep.definition.meaning(header)
    if meaning.codes:
        codes = code_lists().get(meaning.codes) or {}
        allowed = meaning.allowed_codes
        if allowed:  # e.g. TEP's destination column takes 210 to 830 only: offer just those
            codes = {k: v for k, v in codes.items() if allowed["from"] <= k <= allowed["to"]}
        if codes:
            return [code if code == label else f"{code} - {label}" for code, label in codes.items()]
    column = prep.template.column(header)
    return list(column.dropdown) if column and column.dropdown else None


def problems_by_row(prep, rows) -> dict[int, list]:
    """Each row's problems. For many rows one pass over all problems: asking the core row by row
    rescans the duplicate list each time, which is quadratic on a big return."""
    rows = list(rows)
    if len(rows) <= 20:
        return {r: prep.problems_at(r) for r in rows}
    wanted = set(rows)
    found: dict[int, list] = {r: [] for r in rows}
    for p in prep.problems:
        if p.row in wanted:
            found[p.row].append(p)
    return found


RANK = {"cleaned": 1, "query": 2, "error": 3}
UNMATCHED_RULE = "not-matched"  # a TEP row the export did not match: filled by hand


def shown_row(prep, index: int) -> int:
    """The row number the user sees: TEP's own sheet row for a TEP sheet, else the written row."""
    if prep.definition.prepopulated:
        return prep.learners[index].source_row
    return prep.sheet_row(index)


def cell_kind(problems, fix) -> str | None:
    """What colour a cell shows: an error beats a query beats a cleaned value."""
    severities = {p.severity for p in problems}
    if "error" in severities:
        return "error"
    if "query" in severities:
        return "query"
    return "cleaned" if fix is not None else None


class ReviewGrid(ttk.Frame):
    def __init__(self, parent, on_select: Callable[[int, int], None], on_edited: Callable[[set[int]], None]):
        super().__init__(parent)
        self.on_select = on_select
        self.on_edited = on_edited
        self.prep = None
        self.colours: dict[int, dict[int, str]] = {}  # row -> column -> the colour each cell shows now
        self.flagged: set[int] = set()  # TEP rows the export did not match (row label marked)
        # The fixes made by tidying what the user typed (not the export's value), by cell: the
        # status line says "you typed" for these. Kept by identity: equal fixes can come from both.
        self.typed: dict[tuple[int, str], list] = {}
        self.undo_stack: list[list[Edit]] = []
        self.redo_stack: list[list[Edit]] = []
        self._group: list[Edit] | None = None
        self.filtered = False
        self.locked = False  # True while a save reads the learners: edits wait until it is done
        self.sheet = Sheet(
            self, data=[[]], theme="light blue", show_top_left=True, tooltips=True, tooltip_hover_delay=600,
            header_font=("TkDefaultFont", 10, "bold"), table_selected_cells_bg="#cfe3f7",
            table_selected_cells_fg="#000000", table_selected_box_cells_fg="#1f6fc5",
            default_row_index_width=170, align="w", header_align="w", row_index_align="w",
            empty_horizontal=0, empty_vertical=0, edit_cell_return="down", edit_cell_tab="right",
        )
        self.sheet._dropdown_cls = WideDropdown
        self.sheet.enable_bindings(*BINDINGS)
        self.sheet.edit_validation(self._validate_edit)
        # tksheet starts editing a text cell on a typed character but ignores one typed on a
        # dropdown cell; here it opens the dropdown with that character typed, searching the list.
        self.sheet.MT.bind("<Key>", self._type_into_dropdown, add="+")
        # The wider dropdown list (WideDropdown) is kept inside the grid: tksheet puts it at the
        # cell's left edge when it opens and again whenever its text box grows a line.
        MT = self.sheet.MT
        self._open_dropdown, self._editor_grew = MT.open_dropdown_window, MT.text_editor_newline_binding
        MT.open_dropdown_window = lambda r, c, event=None: (self._open_dropdown(r, c, event=event), self._dropdown_in_view())[0]
        MT.text_editor_newline_binding = lambda *a, **k: (self._editor_grew(*a, **k), self._dropdown_in_view())[0]
        self.sheet.bind("<<SheetSelect>>", self._selected)
        for widget in (self.sheet.MT, self.sheet.RI, self.sheet.CH):
            widget.bind("<Delete>", self._delete)
            widget.bind("<BackSpace>", self._delete)
        self.sheet.pack(fill="both", expand=True)

    # --- loading ---------------------------------------------------------------------------------

    def load(self, prep) -> None:
        self.prep = prep
        self.undo_stack.clear()
        self.redo_stack.clear()
        self.typed.clear()
        self.colours.clear()
        self.flagged.clear()
        self._dropdown_columns: set[int] = set()
        self._column_index = {c: i for i, c in enumerate(prep.columns)}
        # Tens of thousands of small objects are made here; the collector would walk the whole
        # return again and again while they are (it found nothing to free: ~1/3 of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            data = self._load_data()
            self._load_columns(data)
            self.recolour(range(len(prep.learners)), redraw=False)
            self._fit_columns(data)
            self._fit_index()
        finally:
            if collecting:
                gc.enable()
        self.sheet.refresh()

    def _load_data(self) -> list[list[str]]:
        prep, sheet = self.prep, self.sheet
        columns = prep.columns
        data = [[values.get(c, "") for c in columns] for values in (learner.values for learner in prep.learners)]
        sheet.display_rows("all", all_rows_displayed=True, redraw=False)
        self.filtered = False
        sheet.dehighlight_all(redraw=False)
        sheet.set_sheet_data(data, reset_col_positions=True, reset_row_positions=True, redraw=False,
                             reset_highlights=True, keep_formatting=False, delete_options=True)
        sheet.headers(columns, redraw=False)
        self._labels = [self.row_label(i) for i in range(len(prep.learners))]
        sheet.row_index(self._labels, redraw=False)
        return data

    def _fit_index(self) -> None:
        labels = self._labels
        if labels:  # measure only the longest label: measuring 20,000 would take a while
            longest = max(range(len(labels)), key=lambda i: len(labels[i]))
            width = self.sheet.RI.get_index_text_width(only_rows=[longest]) + 8
            self.sheet.set_index_width(min(width + (110 if self.flagged else 0), 300), redraw=False)

    def _load_columns(self, data) -> None:
        prep, sheet = self.prep, self.sheet
        for c, column in enumerate(prep.template.columns):
            bg = theme.MANDATORY_HEADER_BG if column.mandatory else theme.OPTIONAL_HEADER_BG
            sheet.highlight_cells(column=c, canvas="header", bg=bg, fg="#000000", redraw=False)
            values = dropdown_values(prep, column.header)
            if values:
                self._dropdown_columns.add(c)
            if values and data:
                # edit_data=False keeps the learners' values; validate_input=False still lets a
                # user type a bare code or a label, which the core cleans.
                sheet.dropdown(num2alpha(c), values=values, edit_data=False, validate_input=False, redraw=False)

    def _fit_columns(self, data) -> None:
        """Widths from the header and the first rows' text (measuring every cell of a big return
        takes seconds), capped so one long address does not push everything off screen."""
        import tkinter.font as tkfont

        ops = self.sheet.ops
        cell_font = tkfont.Font(self, font=ops.table_font)
        header_font = tkfont.Font(self, font=ops.header_font)
        sample = data[:300]
        for c, header in enumerate(self.prep.columns):
            longest = max((str(row[c]) for row in sample if row[c]), key=len, default="")
            arrow = 26 if c in self._dropdown_columns else 0  # room for the dropdown arrow
            width = max(header_font.measure(header) + 22, cell_font.measure(longest) + 16 + arrow, 60)
            self.sheet.column_width(c, width=min(width, 260), redraw=False)

    def row_label(self, row: int) -> str:
        """Row number as in the saved workbook, and the learner's name: the name stays in view
        when the grid is scrolled to the columns on the right."""
        values = self.prep.learners[row].values
        name = ", ".join(v for v in (values.get("Legal Surname", "").strip(), values.get("Legal Forename", "").strip()) if v)
        label = f"{shown_row(self.prep, row)}  {name}" if name else str(shown_row(self.prep, row))
        return label + "  · not in export" if row in self.flagged else label

    # --- colours ---------------------------------------------------------------------------------

    def row_kinds(self, row: int, problems) -> dict[int, str]:
        """Column -> colour for one learner: an error beats a query beats a cleaned value. Only the
        columns with a fix or a problem are visited (a row has 20-40 columns, few of them coloured)."""
        index = self._column_index
        out = {index[h]: "cleaned" for h in self.prep.learners[row].fixes if h in index}
        for p in problems:
            c = index.get(p.column)
            if c is not None and RANK[p.severity] > RANK.get(out.get(c), 0):
                out[c] = p.severity
        return out

    def recolour(self, rows, redraw: bool = True) -> None:
        """Bring the fills, hover notes and unmatched-row flags of these rows in line with the core.
        Highlights are set in one bulk call per colour; nothing is drawn until the refresh."""
        sheet = self.sheet
        cell_options = sheet.MT.cell_options
        learners = self.prep.learners
        columns = self.prep.columns
        index = self._column_index
        add: dict[str, list[tuple[int, int]]] = {"error": [], "query": [], "cleaned": []}
        remove: list[tuple[int, int]] = []
        flag, unflag = [], []
        for r, problems in problems_by_row(self.prep, rows).items():
            new = self.row_kinds(r, problems)
            old = self.colours.get(r, {})
            if new != old:
                for c, kind in new.items():
                    if old.get(c) != kind:
                        add[kind].append((r, c))
                remove.extend((r, c) for c in old if c not in new)
                if new:
                    self.colours[r] = new
                else:
                    self.colours.pop(r, None)
            unmatched = any(p.rule == UNMATCHED_RULE for p in problems)
            if unmatched != (r in self.flagged):
                (flag if unmatched else unflag).append(r)
            # Hover notes: the value the export had, for every cell the tool changed.
            fixes = learners[r].fixes
            for header, fix in fixes.items():
                c = index.get(header)
                if c is not None:
                    had = "You typed" if self.typed_by_user(r, header, fix) else "The export had"
                    self._set_note(r, c, f"{had}: {fix.before!r}\nNow: {fix.after!r}")
            if old:
                for c in old:
                    if columns[c] not in fixes and "note" in cell_options.get((r, c), {}):
                        self._set_note(r, c, None)
        for kind, cells in add.items():
            if cells:
                self._highlight(cells, theme.SEVERITY_BG[kind])
        if remove:
            sheet.dehighlight_cells(cells=remove, redraw=False)
        self._flag_rows(flag, unflag)
        if redraw:
            sheet.refresh()

    def _highlight(self, cells: list[tuple[int, int]], bg: str) -> None:
        """One highlight for many cells: tksheet's highlight_cells makes a new (identical, immutable)
        Highlight per cell; here the first cell's is shared by the rest."""
        sheet, options = self.sheet, self.sheet.MT.cell_options
        sheet.highlight_cells(cells=cells[:1], bg=bg, fg="#000000", redraw=False)
        shared = options[cells[0]]["highlight"]
        for key in cells[1:]:
            cell = options.get(key)
            if cell is None:
                options[key] = {"highlight": shared}
            else:
                cell["highlight"] = shared

    def _set_note(self, r: int, c: int, note: str | None) -> None:
        if _mod_note is not None:
            _mod_note(self.sheet.MT.cell_options, (r, c), note)
        else:  # pragma: no cover
            self.sheet.note(r, c, note=note)

    def _flag_rows(self, flag: list[int], unflag: list[int]) -> None:
        """TEP rows the export did not match: amber row label saying so, until a value is typed."""
        if not (flag or unflag):
            return
        self.flagged.update(flag)
        self.flagged.difference_update(unflag)
        sheet = self.sheet
        if flag:
            sheet.highlight_cells(cells=flag, canvas="index", bg=theme.QUERY_BG, fg="#000000", redraw=False)
        if unflag:
            sheet.dehighlight_cells(cells=unflag, canvas="index", redraw=False)
        for r in flag + unflag:
            label = self.row_label(r)
            if getattr(self, "_labels", None) is not None and r < len(self._labels):
                self._labels[r] = label
            sheet.set_index_data(label, r=r, redraw=False)

    def kind_at(self, row: int, column: int) -> str | None:
        return self.colours.get(row, {}).get(column)

    # --- editing ---------------------------------------------------------------------------------

    def _validate_edit(self, event) -> str | None:
        # Single-cell edits only (typing, dropdown); bulk edits are not enabled.
        if self.locked or self.prep is None:
            return None
        (row, column), = event.data.keys()
        text = "" if event.value is None else str(event.value)
        return self.apply_edit(row, column, text)

    def _delete(self, event=None):
        selected = self.selected_cell()
        if selected and self.prep is not None and not self.locked and not self.sheet.MT.text_editor.open:
            value = self.apply_edit(*selected, "")
            self.sheet.set_cell_data(*selected, value, redraw=True)
            return "break"
        return None

    def apply_edit(self, row: int, column: int, text: str) -> str:
        """A user's edit through the core; returns the cleaned value to show."""
        prep = self.prep
        header = prep.columns[column]
        learner = prep.learners[row]
        before, before_fix = learner.values.get(header, ""), learner.fixes.get(header)
        identity = header == prep.definition.identity
        duplicates_before = self._duplicate_rows() if identity else set()
        after = prep.set_value(row, header, text)
        after_fix = learner.fixes.get(header)
        if after_fix is not None and after_fix is not before_fix:
            self.typed.setdefault((row, header), []).append(after_fix)
        if (before, before_fix) != (after, after_fix):
            self._record(Edit(row, header, before, before_fix, after, after_fix))
        changed = {row} | duplicates_before | (self._duplicate_rows() if identity else set())
        if header in ("Legal Surname", "Legal Forename"):
            self.sheet.set_index_data(self.row_label(row), r=row, redraw=False)
        self.recolour(changed, redraw=False)
        self.after_idle(self.sheet.refresh)
        self.on_edited(changed)
        return after

    def typed_by_user(self, row: int, header: str, fix) -> bool:
        """True if this fix tidied a value the user typed (or chose), not the export's."""
        return fix is not None and any(f is fix for f in self.typed.get((row, header), ()))

    def _type_into_dropdown(self, event):
        MT = self.sheet.MT
        if self.locked or self.prep is None or MT.text_editor.open or MT.dropdown.open or not MT.selected:
            return None
        if not event_has_char_key(event) or event.state & SHORTCUT_MODIFIERS:
            return None
        r, c = MT.selected.row, MT.selected.column
        if not MT.get_cell_kwargs(MT.datarn(r), MT.datacn(c), key="dropdown"):
            return None
        MT.open_dropdown_window(r, c, event=event)
        if MT.dropdown.open and MT.text_editor.open:
            MT.dropdown_text_editor_modified(event)  # find the typed text in the list at once
        return "break"

    def _dropdown_in_view(self) -> None:
        """Move an open dropdown list left if it would run off the right edge of the grid."""
        MT = self.sheet.MT
        if not (MT.dropdown.open and MT.dropdown.window):
            return
        MT.dropdown.window.update_idletasks()
        width = MT.dropdown.window.winfo_reqwidth()
        x, y = MT.coords(MT.dropdown.canvas_id)
        right = MT.canvasx(0) + MT.winfo_width()
        if x + width > right:
            MT.coords(MT.dropdown.canvas_id, max(MT.canvasx(0), right - width), y)

    def _duplicate_rows(self) -> set[int]:
        return {p.row for p in self.prep.problems if p.rule == "duplicate-learner"}

    def _record(self, edit: Edit) -> None:
        # Edits made in one Tk event (e.g. a future paste) undo together.
        if self._group is None:
            self._group = []
            self.undo_stack.append(self._group)
            self.after_idle(self._close_group)
        self._group.append(edit)
        self.redo_stack.clear()

    def _close_group(self) -> None:
        self._group = None

    def _put(self, row: int, header: str, value: str, fix) -> set[int]:
        """Set a value and fix exactly as they were (undo/redo), rechecking through the core."""
        prep = self.prep
        identity = header == prep.definition.identity
        rows = {row} | (self._duplicate_rows() if identity else set())
        prep.restore(row, header, value, fix)
        if identity:
            rows |= self._duplicate_rows()
        self.sheet.set_cell_data(row, prep.columns.index(header), value, redraw=False)
        return rows

    def undo(self) -> bool:
        self._close_group()
        if not self.undo_stack or self.prep is None:
            return False
        group = self.undo_stack.pop()
        rows: set[int] = set()
        for edit in reversed(group):
            rows |= self._put(edit.row, edit.column, edit.before, edit.before_fix)
        self.redo_stack.append(group)
        self._after_history(group[0], rows)
        return True

    def redo(self) -> bool:
        if not self.redo_stack or self.prep is None:
            return False
        group = self.redo_stack.pop()
        rows: set[int] = set()
        for edit in group:
            rows |= self._put(edit.row, edit.column, edit.after, edit.after_fix)
        self.undo_stack.append(group)
        self._after_history(group[0], rows)
        return True

    def _after_history(self, edit: Edit, rows: set[int]) -> None:
        self.recolour(rows, redraw=False)
        self.select(edit.row, self.prep.columns.index(edit.column))
        self.sheet.refresh()
        self.on_edited(rows)

    # --- selection and filtering -------------------------------------------------------------------

    def selected_cell(self) -> tuple[int, int] | None:
        current = self.sheet.get_currently_selected()
        if not current or current.row is None or current.column is None:
            return None
        try:
            return self.sheet.displayed_row_to_data(current.row), current.column
        except (IndexError, KeyError):
            return None

    def _selected(self, event=None) -> None:
        cell = self.selected_cell()
        if cell is not None:
            self.on_select(*cell)

    def select(self, row: int, column: int) -> None:
        """Select and scroll to a learner's cell, showing its row first if it is filtered out."""
        sheet = self.sheet
        if self.filtered and row not in set(sheet.display_rows()):
            self.show_rows(None)
        shown = sheet.data_row_to_displayed(row) if self.filtered else row
        sheet.select_cell(shown, column, redraw=False)
        sheet.see(shown, column, redraw=False)
        sheet.refresh()
        self.on_select(row, column)

    def show_rows(self, rows: list[int] | None) -> None:
        """Show only these learners (None: all of them)."""
        sheet = self.sheet
        if rows is None:
            sheet.display_rows("all", all_rows_displayed=True, redraw=False)
            self.filtered = False
        else:
            sheet.display_rows(rows=sorted(rows), all_rows_displayed=False, redraw=False)
            self.filtered = True
        sheet.refresh()

    def displayed_rows(self) -> list[int]:
        if not self.filtered:
            return list(range(len(self.prep.learners))) if self.prep else []
        return list(self.sheet.display_rows())

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from tkinter import ttk
from typing import TYPE_CHECKING

from tksheet import Sheet, num2alpha
from tksheet.functions import event_has_char_key
from tksheet.sheet import Dropdown

try:  # tksheet's own helper for one cell's note: Sheet.note() builds a span for every call
    from tksheet.functions import mod_note as _mod_note
except ImportError:  # pragma: no cover - another tksheet version
    _mod_note = None

from tracker_desktop.core.returns.definitions import code_lists
from tracker_desktop.gui import theme

if TYPE_CHECKING:
    from tracker_desktop.core.preparing.preparation import Preparation

# tksheet's own paste, delete and undo are not enabled: they would put values in the grid the
# core has not cleaned. Ours (paste, Delete, fill down, undo) go through the core.
BINDINGS = ("single_select", "drag_select", "select_all", "arrowkeys", "edit_cell", "copy",
            "column_width_resize", "double_click_column_resize", "row_height_resize", "prior", "next", "find")


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
        wanted = self.wanted_width(kwargs.get("values") or [], kwargs.get("font"))
        kwargs["width"] = max(kwargs.get("width") or 0, wanted)
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
    """Each row's problems, asked of the core row by row: it keeps them by row (and the
    duplicates by group), so this is as quick for a few rows of a county's return as for all."""
    problems_at = prep.problems_at
    return {r: problems_at(r) for r in rows}


def find_code(search_for: str, data) -> int | None:
    """The list entry to highlight for what is typed in a code cell: a code or entry starting
    with it first ("81" -> "810 - ..."), then a label starting with it, then a label word
    starting with it ("appren" -> "310 - Apprenticeship"), then anywhere in the entry. None if
    nothing holds it: no guess, so Enter keeps what was typed for the checks to judge."""
    typed = search_for.strip().lower()
    if not typed:
        return None
    values = [str(v).lower() for v in data]
    labels = [v.split(" - ", 1)[1] if " - " in v else v for v in values]
    tests = (lambda i: values[i].startswith(typed), lambda i: labels[i].startswith(typed),
             lambda i: any(w.startswith(typed) for w in labels[i].replace("/", " ").split()),
             lambda i: typed in values[i])
    for test in tests:
        found = next((i for i in range(len(values)) if test(i)), None)
        if found is not None:
            return found
    return None


def parse_clipboard(text: str) -> list[list[str]]:
    """Cells copied from Excel, LibreOffice or this grid: tab between cells, a newline (CRLF on
    Windows) between rows, usually a trailing newline; a cell holding a tab, newline or quote is
    quoted. One value with no tabs or newlines is one cell."""
    import csv
    import io

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if "\t" not in text and "\n" not in text:
        return [[text]]
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"'))
    return [row if row else [""] for row in rows]


class _KeyEvent:
    """The little of a Tk key event that tksheet's editor reads, for closing it from code."""

    def __init__(self, keysym: str):
        self.keysym = keysym
        self.char = ""
        self.state = 0


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
        self.prep: Preparation | None = None  # the return shown, once load() has been given one
        self.colours: dict[int, dict[int, str]] = {}  # row -> column -> the colour each cell shows now
        self.drawn: dict[int, list] = {}  # row -> the problems its colours and notes show (rows with any)
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
            self, data=[[]], theme="light blue", show_top_left=True, tooltip_hover_delay=600,
            tooltips=False, tooltip_width=380, tooltip_height=110,  # the note alone, on coloured cells only
            header_font=("TkDefaultFont", 10, "bold"), table_selected_cells_bg="#cfe3f7",
            table_selected_cells_fg="#000000", table_selected_box_cells_fg="#1f6fc5",
            default_row_index_width=170, align="w", header_align="w", row_index_align="w",
            empty_horizontal=0, empty_vertical=0, edit_cell_return="down", edit_cell_tab="right",
        )
        self.sheet._dropdown_cls = WideDropdown
        self.sheet.enable_bindings(*BINDINGS)
        self.sheet.edit_validation(self._validate_edit)
        MT = self.sheet.MT
        # Our keys are seen before tksheet's (a bind tag ahead of the grid's own), so a key can be
        # taken whole: typed into the editor, or a shortcut of ours, never half-handled by both.
        self._keys_tag = f"ReviewGridKeys{id(self)}"
        MT.bindtags((self._keys_tag,) + MT.bindtags())
        MT.bind_class(self._keys_tag, "<Key>", self._key)
        for sequence, action in (("<Control-v>", self.paste), ("<Control-V>", self.paste),
                                 ("<Control-d>", self.fill_down), ("<Control-D>", self.fill_down),
                                 ("<Delete>", self.clear_selection), ("<BackSpace>", self.clear_selection)):
            MT.bind_class(self._keys_tag, sequence, lambda e, a=action: a(e))
        for widget in (self.sheet.RI, self.sheet.CH):
            widget.bind("<Delete>", self.clear_selection)
            widget.bind("<BackSpace>", self.clear_selection)
        # Enter in a code cell takes the entry the list shows highlighted, not the letters typed.
        MT.text_editor_user_bound_keys["<Return>"] = self._editor_enter
        MT.text_editor_user_bound_keys["<KP_Enter>"] = self._editor_enter
        # The wider dropdown list (WideDropdown) is kept inside the grid: tksheet puts it at the
        # cell's left edge when it opens and again whenever its text box grows a line.
        self._open_dropdown, self._editor_grew = MT.open_dropdown_window, MT.text_editor_newline_binding
        MT.open_dropdown_window = self._open_dropdown_in_view
        MT.text_editor_newline_binding = self._editor_grew_in_view
        # The hover note is sized to its text (a fixed box cut long reasons or left a tall empty
        # one) and raised above the window, which may have been raised since it was made.
        self._tk_show_tooltip = MT.show_tooltip
        MT.show_tooltip = self._show_note
        self.sheet.bind("<<SheetSelect>>", self._selected)
        self.sheet.pack(fill="both", expand=True)

    def _open_dropdown_in_view(self, r, c, event=None):
        opened = self._open_dropdown(r, c, event=event)
        self._dropdown_in_view()
        return opened

    def _editor_grew_in_view(self, *args, **kwargs):
        grew = self._editor_grew(*args, **kwargs)
        self._dropdown_in_view()
        return grew

    @property
    def loaded(self) -> Preparation:
        """The return shown. Everything that asks for it runs after load(): the grid is empty before."""
        if self.prep is None:
            raise RuntimeError("the grid has no return loaded")
        return self.prep

    # --- loading ---------------------------------------------------------------------------------

    def load(self, prep) -> None:
        """Show a return. Everything the grid held for the one before goes: its columns, rows,
        selection, scroll position, open editor and undo history."""
        self.prep = prep
        self.undo_stack.clear()
        self.redo_stack.clear()
        self._group = None
        self.typed.clear()
        self.colours.clear()
        self.drawn.clear()
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
        self.sheet.set_xview(0.0)  # the new return opens at its first column and row
        self.sheet.set_yview(0.0)

    def reread(self, columns: Iterable[str]) -> set[int]:
        """The same return after a remap that read only these columns again (the core's
        columns_read_differently): those columns are written into the grid afresh, and the rows
        the user typed in (read again whole, as a fresh build forgets edits); every row is then
        recoloured, as each was rechecked. The rest of the grid stands: its rows, widths, scroll
        position and dropdowns. Like load(), the undo history goes with the edits. Returns the
        rows whose problems changed: only those, and the rows with a tidied or coloured cell in a
        column read again, are recoloured."""
        prep = self.loaded
        edited = {e.row for group in (*self.undo_stack, *self.redo_stack) for e in group}
        self.undo_stack.clear()
        self.redo_stack.clear()
        self._group = None
        self.typed.clear()
        self.sheet.MT.hide_dropdown_editor_all_canvases()
        learners, data, index = prep.learners, self.sheet.MT.data, self._column_index
        collecting = gc.isenabled()
        gc.disable()
        try:
            for header in dict.fromkeys(columns):
                c = index.get(header)  # a field only the scope reads is not in the grid
                if c is not None:
                    for row, learner in zip(data, learners, strict=True):
                        row[c] = learner.values.get(header, "")
            for r in edited:
                data[r] = [learners[r].values.get(header, "") for header in prep.columns]
            named = {"Legal Surname", "Legal Forename"} & set(columns)
            for r in range(len(learners)) if named else sorted(edited):
                label = self.row_label(r)
                if label != self._labels[r]:
                    self._labels[r] = label
                    self.sheet.set_index_data(label, r=r, redraw=False)
            identifiers = {prep.headers.get(n, n) for n in (prep.definition.identity, "UPN", "ULN")}
            # a learner's identifier read anew may make their queries accepted or not: all rows
            changed = set(range(len(learners))) if identifiers & set(columns) else self._changed_problems()
            self.recolour(changed | edited | self._tidied_in(columns), redraw=False)
        finally:
            if collecting:
                gc.enable()
        self.sheet.refresh()
        return changed | edited

    def _changed_problems(self) -> set[int]:
        """The rows whose problems differ from those drawn (every row was rechecked)."""
        problems_at, drawn = self.loaded.problems_at, self.drawn
        none: list = []
        return {r for r in range(len(self.loaded.learners)) if problems_at(r) != drawn.get(r, none)}

    def _tidied_in(self, columns: Iterable[str]) -> set[int]:
        """The rows with a cell in these columns tidied now, or coloured before: their fills and
        hover notes ("the export had ...") may have changed with the value read."""
        headers = [h for h in dict.fromkeys(columns) if h in self._column_index]
        indexes = {self._column_index[h] for h in headers}
        found = {r for r, colours in self.colours.items() if not indexes.isdisjoint(colours)}
        for r, learner in enumerate(self.loaded.learners):
            fixes = learner.fixes
            if fixes and any(h in fixes for h in headers):
                found.add(r)
        return found

    def _load_data(self) -> list[list[str]]:
        prep, sheet = self.loaded, self.sheet
        columns = prep.columns
        data = [[values.get(c, "") for c in columns] for values in (learner.values for learner in prep.learners)]
        MT = sheet.MT
        MT.hide_dropdown_editor_all_canvases()
        sheet.deselect("all", redraw=False)
        sheet.display_rows("all", all_rows_displayed=True, redraw=False)
        sheet.display_columns("all", all_columns_displayed=True, redraw=False)
        self.filtered = False
        sheet.dehighlight_all(redraw=False)
        # tksheet sizes the grid by the longest of data, headers and row index: the last return's
        # headers and row labels must go first, or a narrower return keeps its extra columns.
        sheet.headers([], redraw=False)
        sheet.row_index([], redraw=False)
        sheet.set_sheet_data(data, reset_col_positions=False, reset_row_positions=False, redraw=False,
                             reset_highlights=True, keep_formatting=False, delete_options=True)
        sheet.headers(columns, redraw=False)
        self._labels = [self.row_label(i) for i in range(len(prep.learners))]
        sheet.row_index(self._labels, redraw=False)
        MT.reset_col_positions(ncols=len(columns))
        MT.reset_row_positions(nrows=len(data))
        sheet.set_xview(0.0)
        sheet.set_yview(0.0)
        return data

    def _fit_index(self) -> None:
        labels = self._labels
        if labels:  # measure only the longest label: measuring 20,000 would take a while
            longest = max(range(len(labels)), key=lambda i: len(labels[i]))
            width = self.sheet.RI.get_index_text_width(only_rows=[longest]) + 8
            self.sheet.set_index_width(min(width + (110 if self.flagged else 0), 300), redraw=False)

    def _load_columns(self, data) -> None:
        prep, sheet = self.loaded, self.sheet
        for c, column in enumerate(prep.template.columns):
            bg = theme.MANDATORY_HEADER_BG if column.mandatory else theme.OPTIONAL_HEADER_BG
            sheet.highlight_cells(column=c, canvas="header", bg=bg, fg="#000000", redraw=False)
            values = dropdown_values(prep, column.header)
            if values:
                self._dropdown_columns.add(c)
            if values and data:
                # edit_data=False keeps the learners' values; validate_input=False still lets a
                # user type a bare code or a label, which the core cleans.
                sheet.dropdown(num2alpha(c), values=values, edit_data=False, validate_input=False, redraw=False,
                               search_function=find_code)

    def _fit_columns(self, data) -> None:
        """Widths from the header and the first rows' text (measuring every cell of a big return
        takes seconds), capped so one long address does not push everything off screen."""
        import tkinter.font as tkfont

        ops = self.sheet.ops
        cell_font = tkfont.Font(self, font=ops.table_font)
        header_font = tkfont.Font(self, font=ops.header_font)
        sample = data[:300]
        for c, header in enumerate(self.loaded.columns):
            longest = max((str(row[c]) for row in sample if row[c]), key=len, default="")
            arrow = 26 if c in self._dropdown_columns else 0  # room for the dropdown arrow
            width = max(header_font.measure(header) + 22, cell_font.measure(longest) + 16 + arrow, 60)
            self.sheet.column_width(c, width=min(width, 260), redraw=False)

    def row_label(self, row: int) -> str:
        """Row number as in the saved workbook, and the learner's name: the name stays in view
        when the grid is scrolled to the columns on the right."""
        values = self.loaded.learners[row].values
        surname, forename = values.get("Legal Surname", "").strip(), values.get("Legal Forename", "").strip()
        name = ", ".join(v for v in (surname, forename) if v)
        label = f"{shown_row(self.loaded, row)}  {name}" if name else str(shown_row(self.loaded, row))
        return label + "  · not in export" if row in self.flagged else label

    # --- colours ---------------------------------------------------------------------------------

    def row_kinds(self, row: int, problems) -> dict[int, str]:
        """Column -> colour for one learner: an error beats a query beats a cleaned value. Only the
        columns with a fix or a problem are visited (a row has 20-40 columns, few of them coloured)."""
        index = self._column_index
        prep = self.loaded
        out = {index[h]: "cleaned" for h in prep.learners[row].fixes if h in index}
        for p in problems:
            if p.severity == "query" and prep.acceptance(p) is not None:
                continue  # looked at and accepted by the office: no longer amber (the hover note says why)
            c = index.get(p.column)
            if c is not None and RANK[p.severity] > RANK.get(out.get(c, ""), 0):
                out[c] = p.severity
        return out

    def recolour(self, rows, redraw: bool = True) -> None:
        """Bring the fills, hover notes and unmatched-row flags of these rows in line with the core.
        Highlights are set in one bulk call per colour; nothing is drawn until the refresh."""
        sheet = self.sheet
        cell_options = sheet.MT.cell_options
        add: dict[str, list[tuple[int, int]]] = {"error": [], "query": [], "cleaned": []}
        remove: list[tuple[int, int]] = []
        flag: list[int] = []
        unflag: list[int] = []
        drawn = self.drawn
        for r, problems in problems_by_row(self.loaded, rows).items():
            if problems:
                drawn[r] = problems
            else:
                drawn.pop(r, None)
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
            self._renote(r, problems, old, cell_options)
        for kind, cells in add.items():
            if cells:
                self._highlight(cells, theme.SEVERITY_BG[kind])
        if remove:
            sheet.dehighlight_cells(cells=remove, redraw=False)
        self._flag_rows(flag, unflag)
        if redraw:
            sheet.refresh()

    def _renote(self, r: int, problems, old: dict[int, str], cell_options) -> None:
        """Hover notes: why a cell is red or amber, and what the export had (or the user typed)
        for every cell the tool tidied; a cell coloured before and not now loses its note."""
        notes = self.cell_notes(r, problems)
        for c, note in notes.items():
            self._set_note(r, c, note)
        for c in old:
            if c not in notes and "note" in cell_options.get((r, c), {}):
                self._set_note(r, c, None)

    def _show_note(self) -> None:
        import tkinter.font as tkfont

        MT, ops = self.sheet.MT, self.sheet.ops
        try:
            r, c = (int(x) for x in str(MT.tooltip_coords).split("_")[:2])
        except ValueError:
            return
        note = MT.get_cell_kwargs(MT.datarn(r), MT.datacn(c), key="note")
        if note:
            font = tkfont.Font(self, font=ops.table_font)
            room = ops.tooltip_width - 40  # the text's inset and the scrollbar
            lines = sum(max(1, -(-font.measure(line) // room)) for line in str(note["note"]).split("\n"))
            ops.tooltip_height = min(lines, 12) * font.metrics("linespace") + 22
        self._tk_show_tooltip()
        if MT.tooltip_showing:
            MT.tooltip.lift()

    def cell_notes(self, row: int, problems) -> dict[int, str]:
        """Column -> the text shown when the pointer rests on that cell of this learner."""
        index = self._column_index
        lines: dict[int, list[str]] = {}
        order = {"error": 0, "query": 1}
        for p in sorted(problems, key=lambda p: order.get(p.severity, 2)):
            c = index.get(p.column)
            if c is not None:
                lines.setdefault(c, []).append(f"{'Error' if p.severity == 'error' else 'Query'}: {p.message}")
        for header, fix in self.loaded.learners[row].fixes.items():
            c = index.get(header)
            if c is not None:
                had = "You typed" if self.typed_by_user(row, header, fix) else "The export had"
                lines.setdefault(c, []).append(f"{had}: {fix.before!r}\nNow: {fix.after!r}")
        return {c: "\n".join(text) for c, text in lines.items()}

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

    def apply_edit(self, row: int, column: int, text: str) -> str:
        """A user's edit through the core; returns the cleaned value to show."""
        return self.apply_edits([(row, column, text)], show=False)[0]

    def apply_edits(self, cells: list[tuple[int, int, str]], show: bool = True) -> list[str]:
        """Edits by the user (typed, pasted, filled, cleared) through the core in one go: each
        value cleaned and checked as if typed, and all of them one step for Undo. Returns the
        cleaned values; with `show` they are also put in the grid (the editor puts its own)."""
        prep = self.loaded
        columns = prep.columns
        identity = prep.headers.get(prep.definition.identity, prep.definition.identity)
        renamed = {r for r, c, _ in cells if columns[c] == identity}  # a UPN typed: duplicates are reworded
        sharing = self._sharing(renamed)
        learners = prep.learners
        before = [(learners[r].values.get(columns[c], ""), learners[r].fixes.get(columns[c])) for r, c, _ in cells]
        values = prep.set_values([(r, columns[c], text) for r, c, text in cells])
        edits = []
        for (r, c, _), (was, was_fix), value in zip(cells, before, values, strict=True):
            header = columns[c]
            fix = prep.learners[r].fixes.get(header)
            if fix is not None and fix is not was_fix:
                self.typed.setdefault((r, header), []).append(fix)
            if (was, was_fix) != (value, fix):
                edits.append(Edit(r, header, was, was_fix, value, fix))
            if show:
                self.sheet.set_cell_data(r, c, value, redraw=False)
        if edits:
            self._record(edits)
        changed = {r for r, _, _ in cells} | sharing | self._sharing(renamed)
        for r in {r for r, c, _ in cells if columns[c] in ("Legal Surname", "Legal Forename")}:
            self._labels[r] = self.row_label(r)
            self.sheet.set_index_data(self._labels[r], r=r, redraw=False)
        self.recolour(changed, redraw=False)
        self.after_idle(self.sheet.refresh)
        self.on_edited(changed)
        return values

    # --- Excel habits: paste, clear, fill down ---------------------------------------------------

    def _editable(self) -> bool:
        return self.prep is not None and not self.locked and bool(self.prep.learners)

    def selected_boxes(self) -> list[tuple[int, int, int, int]]:
        """The selected ranges as (first row, first column, last row + 1, last column + 1), rows
        as shown (a filtered grid shows fewer rows than the return has)."""
        MT = self.sheet.MT
        rows, cols = len(MT.row_positions) - 1, len(MT.col_positions) - 1
        boxes = []
        for box in self.sheet.get_all_selection_boxes():
            r1, c1, r2, c2 = box
            boxes.append((max(r1, 0), max(c1, 0), min(r2, rows), min(c2, cols)))
        return [b for b in boxes if b[0] < b[2] and b[1] < b[3]]

    def _data_row(self, shown: int) -> int:
        return self.sheet.displayed_row_to_data(shown) if self.filtered else shown

    def copy(self, event=None):
        """Ctrl+C: tksheet's own copy (enabled in BINDINGS: it only reads the grid), tab between
        cells as Excel pastes them; in the cell being typed in, its selected text."""
        MT = self.sheet.MT
        if MT.text_editor.open:
            MT.text_editor.tktext.event_generate("<<Copy>>")
        elif self.prep is not None:
            MT.ctrl_c()
        return "break"

    def paste(self, event=None, text: str | None = None):
        """Ctrl+V: the clipboard's cells from the selected cell right and down (a single value
        fills the whole selected range, as in Excel). Cells past the grid's edge are not pasted:
        a return's columns are fixed and learners come only from the export."""
        MT = self.sheet.MT
        if text is None:
            try:
                text = self.clipboard_get()
            except Exception:  # nothing, or not text, on the clipboard
                return "break"
        if MT.text_editor.open:  # pasting into the cell being typed in
            MT.text_editor.tktext.insert("insert", text.rstrip("\r\n"))
            return "break"
        boxes = self.selected_boxes()
        if not self._editable() or not boxes:
            return "break"
        block = parse_clipboard(text)
        r1, c1, r2, c2 = boxes[0]
        shown_rows = len(MT.row_positions) - 1
        ncols = len(self.loaded.columns)
        cells = []
        if len(block) == 1 and len(block[0]) == 1:
            cells = [(self._data_row(r), c, block[0][0]) for r in range(r1, r2) for c in range(c1, c2)]
            height, width = r2 - r1, c2 - c1
        else:
            height = min(len(block), shown_rows - r1)
            width = min(max(len(row) for row in block), ncols - c1)
            for i in range(height):
                for j in range(width):
                    cells.append((self._data_row(r1 + i), c1 + j, block[i][j] if j < len(block[i]) else ""))
        self._apply_range(cells, r1, c1, height, width)
        return "break"

    def clear_selection(self, event=None):
        """Delete (or Backspace) on the grid: every selected cell emptied, one step for Undo."""
        MT = self.sheet.MT
        if MT.text_editor.open:
            return self._forward(event) if event is not None else "break"
        boxes = self.selected_boxes()
        if not self._editable() or not boxes:
            return "break"
        cells = list(dict.fromkeys((self._data_row(r), c, "") for r1, c1, r2, c2 in boxes
                                   for r in range(r1, r2) for c in range(c1, c2)))
        self._apply_range(cells)
        return "break"

    def fill_down(self, event=None):
        """Ctrl+D, as in Excel: the top row of the selected range copied into the rows below it;
        with one row selected, the cell above copied down into it."""
        if self.sheet.MT.text_editor.open:
            return "break"
        boxes = self.selected_boxes()
        if not self._editable() or not boxes:
            return "break"
        cells: list[tuple[int, int, str]] = []
        for r1, c1, r2, c2 in boxes:
            source = r1 if r2 - r1 > 1 else r1 - 1
            if source < 0:
                continue
            for c in range(c1, c2):
                value = self.loaded.learners[self._data_row(source)].values.get(self.loaded.columns[c], "")
                cells.extend((self._data_row(r), c, value) for r in range(source + 1, r2))
        if cells:
            self._apply_range(cells)
        return "break"

    def _apply_range(self, cells, r1: int | None = None, c1: int | None = None, height: int = 0,
                     width: int = 0) -> None:
        if not cells:
            return
        self.apply_edits(cells)
        if r1 is not None and c1 is not None and height and width:
            # What was pasted stays selected, as Excel leaves it.
            self.sheet.deselect(redraw=False)
            self.sheet.MT.create_selection_box(r1, c1, r1 + height, c1 + width, set_current=True)
        self.sheet.refresh()

    def typed_by_user(self, row: int, header: str, fix) -> bool:
        """True if this fix tidied a value the user typed (or chose), not the export's."""
        return fix is not None and any(f is fix for f in self.typed.get((row, header), ()))

    # --- keys ------------------------------------------------------------------------------------

    def _key(self, event):
        """Every key that reaches the grid itself. While a cell editor is open, a key can still
        land here: Tk moves the focus to a new editor only once the X server says it is mapped,
        so keys typed quickly after the first one (or queued while the grid was busy, e.g. just
        after F8) arrive before it. They are typed into the editor, in order, never dropped."""
        MT = self.sheet.MT
        if self.locked or self.prep is None:
            return None
        if MT.text_editor.open:
            return self._forward(event)
        if not event_has_char_key(event) or event.state & SHORTCUT_MODIFIERS or not MT.selected:
            return None
        # tksheet starts editing a text cell on a typed character but ignores one typed on a
        # dropdown cell; here it opens the dropdown with that character typed, searching the list.
        r, c = MT.selected.row, MT.selected.column
        if not MT.get_cell_kwargs(MT.datarn(r), MT.datacn(c), key="dropdown"):
            return None  # tksheet opens the text editor with this character
        MT.open_dropdown_window(r, c, event=event)
        if MT.dropdown.open and MT.text_editor.open:
            MT.dropdown_text_editor_modified(event)  # find the typed text in the list at once
        return "break"

    def _forward(self, event):
        """A key meant for the open cell editor that reached the grid: do what the editor would."""
        MT = self.sheet.MT
        text = MT.text_editor.tktext
        keysym = event.keysym
        if keysym in ("Return", "KP_Enter", "Tab"):
            return self._editor_enter(event) if keysym != "Tab" else MT.close_text_editor(event)
        if keysym == "Escape":
            return self.cancel_edit()
        if event.state & SHORTCUT_MODIFIERS:
            return None
        if keysym == "BackSpace":
            text.delete("insert -1 chars", "insert")
        elif keysym == "Delete":
            text.delete("insert", "insert +1 chars")
        elif event.char and event.char.isprintable():
            if text.tag_ranges("sel"):  # an autocompleted tail is selected: typing replaces it
                text.delete("sel.first", "sel.last")
            text.insert("insert", event.char)
        else:
            return None
        if MT.dropdown.open:
            MT.dropdown_text_editor_modified(event)
        text.focus_set()
        return "break"

    def _editor_enter(self, event=None):
        """Enter in the cell editor. In a code cell the entry highlighted in the list is taken
        ("appren" highlights "310 - Apprenticeship", so 310 is saved, not "appren"); a text the
        list does not hold is kept as typed, for the checks to flag."""
        MT = self.sheet.MT
        if not MT.text_editor.open:
            return "break"
        if MT.dropdown.open and MT.dropdown.window is not None:
            typed = MT.text_editor.get().strip()
            values = [row[0] for row in MT.dropdown.window.MT.data]
            highlighted = MT.dropdown.window.row
            known = typed and typed not in values and find_code(typed, values) is not None
            if known and 0 <= highlighted < len(values):
                MT.text_editor.window.set_text(str(values[highlighted]))
        if event is None or getattr(event, "keysym", "") != "Return":
            event = _KeyEvent("Return")
        return MT.close_text_editor(event)

    def cancel_edit(self) -> str:
        """Esc: the edit is dropped, the cell stays selected and the grid keeps the keyboard."""
        MT = self.sheet.MT
        cell = self.selected_cell()
        MT.hide_text_editor_and_dropdown()
        MT.focus_set()
        if cell is not None and not self.sheet.get_currently_selected():
            self.select(*cell)
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

    def _sharing(self, rows: Iterable[int]) -> set[int]:
        """The learners sharing these learners' identifier: asked before and after their
        identifier changes, every row whose duplicate problem the change rewords (and no other)."""
        found: set[int] = set()
        for r in rows:
            found |= self.loaded.sharing_identity(r)
        return found

    def _record(self, edits: list[Edit]) -> None:
        # Edits made in one Tk event undo together: a paste, a fill, or one typed value.
        if self._group is None:
            self._group = []
            self.undo_stack.append(self._group)
            self.after_idle(self._close_group)
        self._group.extend(edits)
        self.redo_stack.clear()

    def _close_group(self) -> None:
        self._group = None

    def _put(self, row: int, header: str, value: str, fix) -> set[int]:
        """Set a value and fix exactly as they were (undo/redo), rechecking through the core."""
        prep = self.loaded
        identity = header == prep.headers.get(prep.definition.identity, prep.definition.identity)
        rows = {row} | (self._sharing([row]) if identity else set())
        prep.restore(row, header, value, fix)
        if identity:
            rows |= self._sharing([row])
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
        self._after_history(group, rows)
        return True

    def redo(self) -> bool:
        if not self.redo_stack or self.prep is None:
            return False
        group = self.redo_stack.pop()
        rows: set[int] = set()
        for edit in group:
            rows |= self._put(edit.row, edit.column, edit.after, edit.after_fix)
        self.undo_stack.append(group)
        self._after_history(group, rows)
        return True

    def _after_history(self, group: list[Edit], rows: set[int]) -> None:
        """After Undo or Redo: recoloured, and what changed selected (a pasted range as a range)."""
        self.recolour(rows, redraw=False)
        columns = self.loaded.columns
        first = group[0]
        self.select(first.row, columns.index(first.column))
        cells = {(e.row, columns.index(e.column)) for e in group}
        if len(cells) > 1 and not self.filtered:
            r1, r2 = min(r for r, _ in cells), max(r for r, _ in cells) + 1
            c1, c2 = min(c for _, c in cells), max(c for _, c in cells) + 1
            self.sheet.deselect(redraw=False)
            self.sheet.MT.create_selection_box(r1, c1, r2, c2, set_current=(first.row, columns.index(first.column)))
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

    def show_rows(self, rows: Iterable[int] | None) -> None:
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

"""Writing a return into a copy of the template.

The learners' rows are streamed (sheet_rows.py) into the file being saved, or into memory for a
sheet to be encrypted, so 100k learners never make the whole workbook in memory; the shell around
them is built in memory (in_memory.py: openpyxl would otherwise put the sheets' plain XML in the
temp folder), every value is XML-safe and a value too long for an Excel cell is never written;
the template's header look, column widths, frozen header, other sheets and dropdowns are carried
over. Dates are written as dates, numbers-as-text as text, and a value starting = + - @ is always
text, never a formula. Nothing of ours (colours, comments) goes into the upload file.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from copy import copy
from typing import BinaryIO

from tracker_desktop.core.returns.definitions import ReturnDefinition
from tracker_desktop.core.returns.template import Template
from tracker_desktop.core.values.characters import EXCEL_CELL_LIMIT, xml_safe
from tracker_desktop.core.values.cleaning import parse_date
from tracker_desktop.core.values.numbers import small_number
from tracker_desktop.core.writing import in_memory
from tracker_desktop.core.writing.sheet_rows import NUMBER_TYPES, SheetRows

FORMULA_START = ("=", "+", "-", "@")
COMPRESS_LEVEL = 1  # zlib's fastest, as streaming xlsx writers use
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def cell_value(kind: str, text: str) -> object:
    """The typed value a cell holds for a cleaned text value of a column type.

    None (the cell left empty) for a value longer than an Excel cell holds: the checks flag it as
    an error (cell-too-long), and a file Excel would refuse or cut short is never written."""
    if not text or len(text) > EXCEL_CELL_LIMIT:
        return None
    text = xml_safe(text)  # cleaning already did this; a sheet must never be malformed by one character
    if kind == "date":
        parsed = parse_date(text)
        return dt.datetime(parsed.year, parsed.month, parsed.day) if parsed else text
    if kind in NUMBER_TYPES and small_number(text, digits=15) is not None:  # '²' or 5,000 digits stay text
        return int(text)
    return text


def write_return(template: Template, definition: ReturnDefinition, rows: Iterable[Sequence[str]],
                 count: int | None = None) -> bytes:
    """The workbook's bytes, built in memory (an encrypted sheet is encrypted from these, so its
    plain text is never on disk): see write_return_into."""
    out = io.BytesIO()
    write_return_into(out, template, definition, rows, count)
    return out.getvalue()


def write_return_into(out: BinaryIO, template: Template, definition: ReturnDefinition,
                      rows: Iterable[Sequence[str]], count: int | None = None) -> None:
    """Write the workbook into `out` (a seekable file, such as a save's temporary file beside
    its destination): the template with one row per learner from the row under its header.

    `rows` holds, per learner, the cleaned text of each template column in template order.
    openpyxl writes the workbook around one sample learner row (so styles for dates and text
    exist); the learners' rows are then written as sheet XML directly (sheet_rows.py), which is
    several times faster than openpyxl cell by cell, and streamed into `out` as they are made,
    so the workbook is never whole in memory."""
    if count is None:  # without a count the rows are all made first, to be counted
        rows = rows if isinstance(rows, list) else list(rows)
        count = len(rows)
    kinds = [definition.meaning(c.header).type for c in template.columns]
    positions = [c.index for c in template.columns]
    shell = _write_shell(template, kinds, positions, count)
    _splice_rows(out, shell, template, kinds, positions, rows, count)


def _write_shell(template: Template, kinds: list[str], positions: list[int], count: int) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    source = openpyxl.load_workbook(io.BytesIO(template.data))
    src_ws = source[template.sheet]
    out = openpyxl.Workbook(write_only=True)  # sheets only through in_memory.write_only_sheet
    width = max(positions + [src_ws.max_column])
    for ws_src in source.worksheets:
        ws = in_memory.write_only_sheet(out, ws_src.title)
        _copy_sheet_look(ws_src, ws)
        if ws_src.title == template.sheet:
            for r in range(1, template.header_row + 1):
                ws.append(_styled_row(ws, ws_src, r, width))
            if count:
                sample: list[object] = [None] * width
                for pos, kind, column in zip(positions, kinds, template.columns, strict=True):
                    if kind == "date":
                        cell = WriteOnlyCell(ws, dt.datetime(2000, 1, 1))
                        cell.number_format = "DD/MM/YYYY"
                    elif kind in NUMBER_TYPES:
                        continue
                    else:
                        cell = WriteOnlyCell(ws, column.header)  # already a shared string: adds nothing
                        cell.number_format = "@"
                    sample[pos - 1] = cell
                ws.append(sample)
            _copy_validations(ws_src, ws, template.header_row + max(count, 1))
        else:
            for r in range(1, ws_src.max_row + 1):
                ws.append(_styled_row(ws, ws_src, r, ws_src.max_column))
            ws.sheet_state = ws_src.sheet_state
    for name, defined in source.defined_names.items():
        out.defined_names[name] = copy(defined)
    out.properties = copy(source.properties)
    if (out.properties.creator or "openpyxl") == "openpyxl":
        out.properties.creator = ""  # openpyxl's default name: no marks of ours in the upload file
    return in_memory.save(out)


def _sheet_path(book: zipfile.ZipFile, title: str) -> str:
    """The part holding a sheet, found through workbook.xml and its relationships."""
    from xml.etree import ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(f"{{{ns['r']}}}id") for s in workbook.iter(f"{{{ns['m']}}}sheet") if s.get("name") == title)
    target = next(r.attrib["Target"] for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _splice_rows(out: BinaryIO, shell: bytes, template: Template, kinds: list[str], positions: list[int],
                 rows: Iterable[Sequence[str]], count: int) -> None:
    from openpyxl.utils import get_column_letter

    first = template.header_row + 1
    source = zipfile.ZipFile(io.BytesIO(shell))
    path = _sheet_path(source, template.sheet)
    xml = source.read(path).decode("utf-8")
    sample = re.search(rf'<row r="{first}"[^>]*>.*?</row>', xml, re.S) if count else None
    if sample:
        cell_styles = re.finditer(rf'<c r="([A-Z]+){first}"(?: s="(\d+)")?', sample.group(0))
        styles = {m.group(1): m.group(2) for m in cell_styles}
        head, tail = xml[: sample.start()], xml[sample.end():]
    else:
        styles, head, tail = {}, xml, ""
        if count:  # no sample row: every value is a number; write rows before </sheetData>
            cut = xml.index("</sheetData>")
            head, tail = xml[:cut], xml[cut:]
    letters = [get_column_letter(p) for p in positions]
    last = get_column_letter(max(positions)) + str(template.header_row + count)
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', head, count=1)
    sheet_rows = SheetRows(letters, kinds, styles)
    # Level 1: sheet XML is repetitive enough that the fastest level costs little in size.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as target:
        for item in source.infolist():
            if item.filename != path:
                target.writestr(item, source.read(item.filename))
                continue
            with target.open(path, "w", force_zip64=True) as sheet:
                sheet.write(head.encode("utf-8"))
                for batch in sheet_rows.batches(rows, first):
                    sheet.write(batch)
                sheet.write(tail.encode("utf-8"))


def _styled_row(ws, ws_src, r: int, width: int) -> list[object]:
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for c in range(1, width + 1):
        src = ws_src.cell(row=r, column=c)
        if src.value is None and not src.has_style:
            row.append(None)
            continue
        cell = WriteOnlyCell(ws, src.value)
        if src.has_style:
            cell.font, cell.fill, cell.border = copy(src.font), copy(src.fill), copy(src.border)
            cell.alignment, cell.protection = copy(src.alignment), copy(src.protection)
            cell.number_format = src.number_format
        if isinstance(src.value, str) and src.data_type == "s":
            cell.data_type = "s"
        row.append(cell)
    return row


def _copy_sheet_look(src, ws) -> None:
    for key, dim in src.column_dimensions.items():
        target = ws.column_dimensions[key]
        target.width = dim.width
        target.hidden = dim.hidden
        if dim.number_format and dim.number_format != "General":
            # text phone/UPN columns and dd/mm/yyyy date columns stay so for cells typed in later
            target.number_format = dim.number_format
        if dim.min and dim.max:
            target.min, target.max = dim.min, dim.max
    ws.freeze_panes = src.freeze_panes
    ws.sheet_properties = copy(src.sheet_properties)
    # merged title cells and the template's own conditional highlights are part of its look
    for merged in src.merged_cells.ranges:
        ws.merged_cells.add(str(merged))
    for rng in src.conditional_formatting:
        for rule in rng.rules:
            ws.conditional_formatting.add(str(rng.sqref), rule)


def _copy_validations(src, ws, last_row: int) -> None:
    """Keep the template's dropdowns, reaching at least down to the last learner."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet.cell_range import MultiCellRange

    for dv in src.data_validations.dataValidation:
        new = copy(dv)
        ranges = []
        for rng in str(dv.sqref).split():
            try:
                min_col, min_row, max_col, max_row = range_boundaries(rng)
            except ValueError:
                ranges.append(rng)
                continue
            from openpyxl.utils import get_column_letter

            max_row = max(max_row or min_row, last_row)
            ranges.append(f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}")
        new.sqref = MultiCellRange(" ".join(ranges))
        ws.data_validations.append(new)


def fill_prepopulated(data: bytes, sheet: str, header_row: int, positions: dict[str, int],
                      edits: Iterable[tuple[int, str, str]], definition: ReturnDefinition) -> bytes:
    """Fill cells of a workbook someone else sent (TEP's), keeping everything else as it was.

    `edits` are (sheet row, header, cleaned text)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[sheet]
    for row, header, text in edits:
        if len(text) > EXCEL_CELL_LIMIT:
            continue  # TEP's own value stays; the checks flag this one (cell-too-long)
        kind = definition.meaning(header).type
        value = cell_value(kind, text)
        cell = ws.cell(row=row, column=positions[header])
        cell.value = value
        if isinstance(value, dt.datetime):
            cell.number_format = "DD/MM/YYYY"
        elif isinstance(value, str):
            cell.number_format = "@"
            if value.startswith(FORMULA_START):
                cell.data_type = "s"
    return in_memory.save(book)

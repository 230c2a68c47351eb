"""The text of every sheet of an Excel workbook (xlsx, xlsm, xls), read sheet by sheet.

python-calamine reads both formats fast. Two things it gets wrong are handled here:
- One sheet it cannot read (a damaged chart sheet, a part missing from the zip) does not stop
  the others: that sheet is skipped with a note naming it, and the export is chosen from the rest.
- A BIFF8 `.xls` whose CODEPAGE record says 1252 (as some report writers put it, where Excel
  writes 1200) comes out with a NUL after every character ('T\\x00i\\x00t...'), because calamine
  then decodes BIFF8's Unicode strings with the codepage. Such text must never reach a return:
  the damage is detected and the file is read again with xlrd, which decodes BIFF8 strings by
  their own flag whatever the codepage says.
"""
from __future__ import annotations

import io
from pathlib import Path

from tracker_desktop.core.reading.cells import ExportError, excel_cell_text
from tracker_desktop.core.reading.table import Interner
from tracker_desktop.core.values.signatures import ZIP_SIGNATURE

Sheets = list[tuple[str, list[list[str]]]]


def read_sheets(path: Path, data: bytes) -> tuple[Sheets, list[str]]:
    """(name, rows of text) for every sheet that can be read, and a note for each that cannot."""
    from python_calamine import CalamineWorkbook

    kind = "workbook" if data.startswith(ZIP_SIGNATURE) else "file"
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception as e:  # calamine raises several kinds for damaged files
        if kind == "file":  # xlrd reads some Excel 97-2003 files calamine cannot open
            return _xlrd_sheets(path, data, _damaged(path, kind, e)), []
        raise ExportError(_damaged(path, kind, e)) from None
    sheets: Sheets = []
    unread: list[str] = []
    failure: Exception | None = None
    for name in names:
        try:
            values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as e:  # this sheet only: the others may hold the pupils
            unread.append(f"sheet '{name}' could not be read and was skipped ({type(e).__name__})")
            failure = failure or e
            continue
        interner = Interner()  # a repeated value held once (see table.Interner)
        sheets.append((name, [interner.row([_cell_text(v) for v in row]) for row in values]))
        del values
    if not sheets:
        raise ExportError(_damaged(path, kind, failure or ValueError("no sheets")))
    if kind == "file" and _nul_damaged(sheets):
        undecodable = (f"{path.name}: the text of this Excel 97-2003 file cannot be read correctly. "
                       "Open it in Excel and save it as an Excel workbook (.xlsx) or CSV, then use that.")
        return _xlrd_sheets(path, data, undecodable), []
    return sheets, unread


def _damaged(path: Path, kind: str, e: Exception) -> str:
    return (f"{path.name}: this Excel {kind} is damaged or not a spreadsheet ({type(e).__name__}). "
            "Open it in Excel and save it again, or export it as CSV.")


def _nul_damaged(sheets: Sheets) -> bool:
    """True when text came out with NULs in it: no real cell holds one."""
    return any("\x00" in cell for _, rows in sheets for row in rows for cell in row)


def _xlrd_sheets(path: Path, data: bytes, failed: str) -> Sheets:
    """Every sheet of an Excel 97-2003 file read with xlrd, cells as a spreadsheet shows them;
    `failed` is the message when xlrd cannot read it either."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception:  # xlrd raises XLRDError, struct.error, AssertionError... for damage
        raise ExportError(failed) from None
    sheets: Sheets = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        rows = []
        for r in range(sheet.nrows):
            rows.append([_xlrd_cell(sheet.cell(r, c), book.datemode) for c in range(sheet.ncols)])
        sheets.append((sheet.name, rows))
    return sheets


def _xlrd_cell(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _cell_text(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return _cell_text(bool(cell.value))
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return _cell_text(cell.value)


_cell_text = excel_cell_text

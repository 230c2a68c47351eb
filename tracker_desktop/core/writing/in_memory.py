"""Saving an openpyxl workbook with nothing written to disk.

openpyxl writes each sheet's XML to a file in the system temp folder before zipping it (a
write-only sheet from its first row on), so every save would put learners' names, UPNs and
addresses, in plain XML, in the temp folder, and leave them there for good if the program is
killed. Here every sheet is written into memory instead: a workbook's only copy on disk is the
file it is saved as (encrypted, for TEP's sheets).
"""
from __future__ import annotations

import datetime as dt
import io
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter


class MemorySheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows stream into memory rather than into a temp file."""

    def _get_writer(self) -> None:
        if self._writer is None:  # type: ignore[has-type]  # openpyxl leaves it untyped
            writer = WorksheetWriter(self, out=io.BytesIO())
            writer.write_top()
            self._writer = writer


def write_only_sheet(book: Workbook, title: str | None = None) -> WriteOnlyWorksheet:
    """A new sheet of a write-only workbook (use this, never book.create_sheet, whose sheets spill)."""
    if not book.write_only:
        raise ValueError("write_only_sheet is for workbooks made with write_only=True")
    sheet = MemorySheet(parent=book, title=title)
    book._add_sheet(sheet)
    return sheet


class _MemoryWriter(ExcelWriter):
    """openpyxl's own writer, except that sheets are serialised into memory."""

    def write_worksheet(self, ws) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if self.workbook.write_only:
            if not isinstance(ws, MemorySheet):
                # its rows are already in a temp file: refuse rather than save it quietly
                raise RuntimeError(f"sheet {ws.title!r} was made with create_sheet: use in_memory.write_only_sheet")
            if not ws.closed:
                ws.close()
            writer = ws._writer
        else:
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def save(book: Workbook) -> bytes:
    """The .xlsx bytes of a workbook, built entirely in memory."""
    if book.read_only:
        raise TypeError("a read-only workbook cannot be saved")
    if book.write_only and not book.worksheets:
        write_only_sheet(book)
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        book.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        _MemoryWriter(book, archive).write_data()
    return buffer.getvalue()

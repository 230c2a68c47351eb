"""Checks on an xlsx (a zip of XML parts) before any reader opens it, so that no workbook can
make the work unbounded or abort the process.

The native xlsx reader allocates memory from what the file says: one value at cell XFD1048576
makes it ask for 17 billion cells (512 GB) and the allocation failure kills the process, with
nothing a Python `except` can catch; a shared-strings table declaring 4 billion entries does the
same. A zip bomb (a few MB unpacking to many GB) fills memory in any reader. So the parts are
unpacked here first, within a limit, and the cells each sheet actually spans are counted.
"""
from __future__ import annotations

import io
import re
import zipfile

from tracker_desktop.core.errors import UserError

MB = 1024 * 1024
MAX_UNPACKED_BYTES = 300 * MB  # all the parts together, unpacked
MAX_PARTS = 10_000
# A whole-school roll is a few hundred thousand cells; 10 million is far beyond any export and
# still well within memory for the readers.
MAX_SHEET_CELLS = 10_000_000
_CHUNK = 1 * MB

_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_UNIQUE_COUNT = re.compile(rb"""<(?:\w+:)?sst\b[^>]*?\buniqueCount\s*=\s*["'](\d+)["']""")
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si[\s>/]")


def check_xlsx(name: str, data: bytes, error: type[UserError] = UserError) -> None:
    """Refuse (one sentence naming the file) a workbook whose parts would make the work unbounded."""
    damaged = (f"{name}: this Excel workbook is damaged or not a spreadsheet. Open it in Excel and save it again, "
               "or export it as CSV.")
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        parts = book.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # NotImplementedError: a zip "version" or feature the zipfile module refuses (a damaged header).
        raise error(damaged) from None
    if len(parts) > MAX_PARTS:
        raise error(f"{name}: the workbook holds {len(parts):,} parts, far more than any spreadsheet: "
                    "it was not read, for safety.")
    declared = sum(p.file_size for p in parts)
    if declared > MAX_UNPACKED_BYTES:
        raise error(_too_big(name, declared))
    unpacked = 0
    for part in parts:
        try:
            content = _unpack(book, part, MAX_UNPACKED_BYTES - unpacked)
        except _TooBig:
            raise error(_too_big(name, MAX_UNPACKED_BYTES + 1)) from None
        except Exception:  # a bad CRC, an unknown compression, a truncated part...
            raise error(damaged) from None
        unpacked += len(content)
        lower = part.filename.lower()
        if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
            cells, far = sheet_span(content)
            if cells > MAX_SHEET_CELLS:
                raise error(f"{name}: a sheet holds a value as far out as cell {far}, which would mean reading "
                            f"{cells:,} cells. Delete what is beyond the export's own rows and columns (or copy the "
                            "export to a new workbook), save and try again, or export it as CSV.")
        elif lower == "xl/sharedstrings.xml":
            _check_shared_strings(name, content, error)


class _TooBig(Exception):
    pass


def _unpack(book: zipfile.ZipFile, part: zipfile.ZipInfo, room: int) -> bytes:
    """A part's bytes, stopping as soon as it unpacks to more than it declares or than `room`."""
    limit = min(part.file_size, room)
    out = bytearray()
    with book.open(part) as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            out += chunk
            if len(out) > limit:
                raise _TooBig()
    return bytes(out)


def _too_big(name: str, size: int) -> str:
    return (f"{name}: the workbook unpacks to more than {MAX_UNPACKED_BYTES // MB} MB ({size // MB:,} MB or more), "
            "far more than any export: it was not read, for safety. Export it again, or as CSV.")


_FAST_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')


def sheet_span(xml: bytes) -> tuple[int, str]:
    """How many cells the rectangle around a sheet's values covers, and the farthest cell."""
    refs = _FAST_REF.findall(xml)
    if refs and len(refs) == xml.count(b"<c ") + xml.count(b"<c>") and b":c " not in xml:
        # Every cell names itself first (as Excel, LibreOffice and openpyxl write): the rectangle
        # around all cells, empty ones included, bounds the one around the values.
        rows = [int(row) for _, row in refs]
        columns = [_column_number(letters) for letters in {letters for letters, _ in refs}]
        top, bottom, left, right = min(rows), max(rows), min(columns), max(columns)
        cells = (bottom - top + 1) * (right - left + 1)
        if cells <= MAX_SHEET_CELLS:
            return cells, f"{_column_letters(right)}{bottom}"
    return _walk_span(xml)  # the exact count, leaving out empty styled cells


def _walk_span(xml: bytes) -> tuple[int, str]:
    """How many cells the rectangle around a sheet's values covers, and the farthest cell.

    Cells with a value (`<c ...>...</c>`) count; an empty, styled cell (`<c r="Z9" s="1"/>`)
    holds nothing and no reader makes room for it. Rows and cells without an `r` attribute
    follow the one before, as the format says."""
    row = col = 0
    top = left = 10**9
    bottom = right = 0
    for m in _ELEMENT.finditer(xml):
        kind, attrs = m.group(1), m.group(2)
        ref = _R_ATTR.search(attrs)
        if kind == b"row":
            row = int(ref.group(1)) if ref and ref.group(1).isdigit() and len(ref.group(1)) <= 9 else row + 1
            col = 0
            continue
        where = _CELL_REF.fullmatch(ref.group(1)) if ref else None
        if where:
            col, row = _column_number(where.group(1)), int(where.group(2))
        else:
            col += 1
        if attrs.rstrip().endswith(b"/"):
            continue  # self-closing: no value
        top, bottom = min(top, row), max(bottom, row)
        left, right = min(left, col), max(right, col)
    if not bottom:
        return 0, "A1"
    return (bottom - top + 1) * (right - left + 1), f"{_column_letters(right)}{bottom}"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _check_shared_strings(name: str, xml: bytes, error: type[UserError]) -> None:
    """The readers make room for as many shared strings as the table declares: the count must
    be about the number of strings actually there."""
    m = _UNIQUE_COUNT.search(xml[:4096])
    if not m:
        return
    declared = int(m.group(1)) if len(m.group(1)) <= 12 else 10**12
    present = len(_SHARED_ITEM.findall(xml))
    if declared > 2 * present + 1000:
        raise error(f"{name}: the workbook's table of text says it holds {declared:,} entries but has {present:,}: "
                    "it is damaged. Open it in Excel and save it again, or export it as CSV.")

"""Reading MIS exports (CSV in any encoding and delimiter, xlsx, xls) into a Table of text.

Encodings are decided BOM -> strict UTF-8 -> Windows-1252: charset guessers mistake cp1252 for
cp1250 on mostly-ASCII files. Cells are never interpreted here: 'NA' and 'Null' are surnames.
"""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Iterable, Sequence

from tracker_desktop.core.reading.cells import ExportError, excel_cell_text  # noqa: F401 (also read from here)
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.values.signatures import OLE_SIGNATURE, ZIP_SIGNATURE
from tracker_desktop.core.values.text import fold

HEADER_SEARCH_ROWS = 30


def read_export(path: Path, known_headers: Iterable[str] = ()) -> Table:
    """Read an export; `known_headers` (folded names) help find the header row and the right sheet."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExportError(f"{path.name}: the file does not exist (looked in {path.parent}).") from None
    except PermissionError:
        raise ExportError(f"{path.name}: the file cannot be opened - it may be open in Excel or you may not have permission. Close it and try again.") from None
    except OSError as e:
        raise ExportError(f"{path.name}: the file cannot be read ({e.strerror or e}).") from None
    return read_export_bytes(path, data, known_headers)


def read_export_bytes(path: Path, data: bytes, known_headers: Iterable[str] = ()) -> Table:
    """Read an export already in memory (a workbook decrypted without touching the disk);
    `path` only names it in messages."""
    path = Path(path)
    known = {fold(h) for h in known_headers}
    if not data.strip(b"\x00 \r\n\t\xef\xbb\xbf\xff\xfe"):
        raise ExportError(f"{path.name}: the file is empty. Export it from the MIS again.")
    if data.startswith(OLE_SIGNATURE):
        if _is_encrypted_ole(data):
            raise ExportError(f"{path.name}: the workbook is protected by a password. Open it in Excel, remove the password (File > Info > Protect Workbook), save and try again.")
        return _read_excel(path, data, known)
    if data.startswith(ZIP_SIGNATURE):
        from tracker_desktop.core.writing.odf_decrypt import is_encrypted_odf

        if is_encrypted_odf(data):  # its parts are ciphertext: calamine would call it damaged
            raise ExportError(f"{path.name}: this is an OpenDocument spreadsheet (.ods) protected by a password. Open it in LibreOffice, remove the password (File > Properties > Security, or Save As without 'Save with password'), save it as Excel (.xlsx) or CSV and try again.")
        return _read_excel(path, data, known)
    from tracker_desktop.core.reading import ctf

    if ctf.looks_like_ctf(data):  # a DfE Common Transfer File, which every English MIS can write
        return ctf.read_ctf(path, data)
    return _read_delimited(path, data, known)


# --- delimited text -------------------------------------------------------------------------

def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) by BOM, then strict UTF-8, then Windows-1252."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    # UTF-16 without a BOM shows as every other byte being NUL.
    sample = data[:4000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # cp1252 leaves five bytes undefined; they are control characters in latin-1, which is harmless.
    return data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1"), "windows-1252"


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    return "\x00" in sample or controls > len(sample) * 0.02


def _sniff_delimiter(text: str, known: set[str] = frozenset()) -> str:
    lines = [ln for ln in text.splitlines()[:HEADER_SEARCH_ROWS] if ln.strip()]
    best, best_score = ",", (-1, -1)
    for delim in (",", "\t", ";", "|"):
        counts = [ln.count(delim) for ln in lines]
        if not counts:
            continue
        top = max(counts)
        # The delimiter that splits a line into known column headings wins (a tab-separated file
        # whose addresses hold commas); otherwise the one that splits the most lines into the
        # most, steady fields.
        hits = max(sum(1 for cell in ln.split(delim) if fold(cell.strip().strip('"')) in known) for ln in lines)
        score = (hits, top * sum(1 for c in counts if c == top))
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_delimited(path: Path, data: bytes, known: set[str]) -> Table:
    text, encoding = decode_text(data)
    if _looks_binary(text):
        raise ExportError(f"{path.name}: this is not a CSV or Excel export (it looks like a binary file). Export the report from the MIS as CSV or Excel.")
    delimiter = _sniff_delimiter(text, known)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        raw_rows = list(reader)
    except csv.Error as e:
        raise ExportError(f"{path.name}: the file is not a readable CSV ({e}).") from None
    # A quoted field spanning lines still counts as one spreadsheet row; count physical rows as
    # a spreadsheet does (each CSV record is one row).
    rows = [[cell.strip("\ufeff") if i == 0 else cell for i, cell in enumerate(r)] for r in raw_rows]
    table = _table_from_rows(path, rows, known, sheet=None)
    names = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}
    table.notes.append(f"read as {encoding} text, {names[delimiter]}-separated")
    return table


# --- Excel ------------------------------------------------------------------------------------

def _is_encrypted_ole(data: bytes) -> bool:
    try:
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows: let the Excel reader decide
        return False


def _read_excel(path: Path, data: bytes, known: set[str]) -> Table:
    from tracker_desktop.core.reading.workbook_sheets import read_sheets

    sheets, unread = read_sheets(path, data)
    scored = []
    for name, rows in sheets:
        header_index, score = _find_header(rows, known)
        scored.append((score, name, rows, header_index))
    with_data = [s for s in scored if s[2]]
    if not with_data:
        also = f" that could be read ({'; '.join(unread)})" if unread else ""
        raise ExportError(f"{path.name}: the workbook has no data on any sheet{also}.")
    best = max(with_data, key=lambda s: s[0])
    if known and best[0] < 2 and len(with_data) > 1:
        names = ", ".join(f"'{s[1]}'" for s in with_data)
        raise ExportError(f"{path.name}: none of its sheets ({names}) has the column headings of a pupil export (such as UPN, Surname, Date of Birth).")
    table = _table_from_rows(path, best[2], known, sheet=best[1])
    if len(sheets) > 1:
        table.notes.append(f"read sheet '{best[1]}' of {len(sheets)}")
    table.notes.extend(unread)
    return table


# --- finding the header row ---------------------------------------------------------------------

def _find_header(rows: Sequence[Sequence[str]], known: set[str]) -> tuple[int, int]:
    """The index of the header row and how many known headers it holds.

    Title and blank rows often stand above the header; the header is the row with most known
    names, or failing that the first row with several filled, text-like cells."""
    best_index, best_score = -1, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = sum(1 for cell in row if cell.strip() and fold(cell) in known)
        if score > best_score:
            best_index, best_score = i, score
    if best_index >= 0 and best_score >= 2:
        return best_index, best_score
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [c for c in row if c.strip()]
        if len(filled) >= 2 and all(not _is_number(c) for c in filled):
            return i, best_score
    return (0 if rows else -1), best_score


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def _table_from_rows(path: Path, rows: list[list[str]], known: set[str], sheet: str | None) -> Table:
    header_index, score = _find_header(rows, known)
    if header_index < 0:
        raise ExportError(f"{path.name}: the file has no rows.")
    if known and score < 2:
        raise ExportError(f"{path.name}: no row of column headings was found (expected names such as UPN, Surname, Date of Birth in the first {HEADER_SEARCH_ROWS} rows).")
    headers = [h.strip() for h in rows[header_index]]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    if width == 0:
        raise ExportError(f"{path.name}: the heading row is empty.")
    headers = headers[:width]
    headers = _unique_headers(headers)
    body, numbers = [], []
    for i in range(header_index + 1, len(rows)):
        row = list(rows[i][:width])
        row += [""] * (width - len(row))
        if not any(c.strip() for c in row):
            continue  # blank lines between or after learners carry nothing
        body.append(row)
        numbers.append(i + 1)
    return Table(source=path, headers=headers, rows=body, source_rows=numbers, sheet=sheet, header_row=header_index + 1)


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n, h in enumerate(headers):
        h = h or f"Column {n + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out

"""Reading MIS exports (CSV in any encoding and delimiter, xlsx, xls) into a Table of text.

Encodings are decided BOM -> strict UTF-8 -> Windows-1252: charset guessers mistake cp1252 for
cp1250 on mostly-ASCII files. Cells are never interpreted here: 'NA' and 'Null' are surnames.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from tracker_desktop.core.reading import delimited
from tracker_desktop.core.reading.cells import ExportError, excel_cell_text  # noqa: F401 (also read from here)
from tracker_desktop.core.reading.inputs import read_input
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.reading.workbook_guard import check_xlsx
from tracker_desktop.core.values.signatures import OLE_SIGNATURE, ZIP_SIGNATURE
from tracker_desktop.core.values.text import fold

HEADER_SEARCH_ROWS = 30


def read_export(path: Path, known_headers: Iterable[str] = ()) -> Table:
    """Read an export; `known_headers` (folded names) help find the header row and the right sheet."""
    path = Path(path)
    # not kept in a name here, so that the file's bytes can be let go once decoded (_read_delimited)
    return read_export_bytes(path, read_input(path, error=ExportError, what="the export"), known_headers)


def read_export_bytes(path: Path, data: bytes, known_headers: Iterable[str] = ()) -> Table:
    """Read an export already in memory (a workbook decrypted without touching the disk);
    `path` only names it in messages."""
    path = Path(path)
    known = {fold(h) for h in known_headers}
    if not data.strip(b"\x00 \r\n\t\xef\xbb\xbf\xff\xfe"):
        raise ExportError(f"{path.name}: the file is empty. Export it from the MIS again.")
    if data.startswith(OLE_SIGNATURE):
        if _is_encrypted_ole(data):
            raise ExportError(f"{path.name}: the workbook is protected by a password. Open it in Excel, remove the "
                              "password (File > Info > Protect Workbook), save and try again.")
        return _read_excel(path, data, known)
    if data.startswith(ZIP_SIGNATURE):
        from tracker_desktop.core.writing.odf_decrypt import is_encrypted_odf

        if is_encrypted_odf(data):  # its parts are ciphertext: calamine would call it damaged
            raise ExportError(f"{path.name}: this is an OpenDocument spreadsheet (.ods) protected by a password. Open "
                              "it in LibreOffice, remove the password (File > Properties > Security, or Save As "
                              "without 'Save with password'), save it as Excel (.xlsx) or CSV and try again.")
        return _read_excel(path, data, known)
    from tracker_desktop.core.reading import ctf

    if ctf.looks_like_ctf(data):  # a DfE Common Transfer File, which every English MIS can write
        return ctf.read_ctf(path, data)
    handed = [data]  # handed over, so that the bytes are let go once decoded (held by no name here)
    del data
    return _read_delimited(path, handed, known)


# --- delimited text -------------------------------------------------------------------------

def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name): by BOM, then strict UTF-8, then Windows-1252, line by line."""
    decoded = delimited.decode(data)
    return decoded.text, decoded.encoding


def _read_delimited(path: Path, handed: list[bytes], known: set[str]) -> Table:
    """A delimited export from its bytes (`handed` over in a list, emptied here): the bytes, the
    text and the rows of a county's export are never all alive at once."""
    decoded = delimited.decode(handed.pop())
    if delimited.looks_binary(decoded.text):
        raise ExportError(f"{path.name}: this is not a CSV or Excel export (it looks like a binary file). Export the "
                          "report from the MIS as CSV or Excel.")
    delimiter = delimited.sniff_delimiter(decoded.text, known, fold, HEADER_SEARCH_ROWS)
    records = delimited.split_records(decoded, delimiter)  # empties decoded.text: the lines hold it
    # A quoted field spanning lines still counts as one spreadsheet row; count physical rows as
    # a spreadsheet does (each CSV record is one row).
    rows = records.rows
    for row in rows:  # a byte-order mark left on a row's first cell (files pasted together)
        if row and "\ufeff" in row[0]:
            row[0] = row[0].strip("\ufeff")
    table = _table_from_rows(path, rows, known, sheet=None, damaged=records.damaged)
    note = f"read as {decoded.encoding} text, {delimited.NAMES[delimiter]}-separated"
    if decoded.other_lines:
        note += f"; {_lines(decoded.other_lines)} needed another encoding than the rest and were read as such"
        _record_recoded(table, records, decoded)
    if decoded.unreadable_lines:
        note += f"; {_lines(decoded.unreadable_lines)} held a byte no encoding has (shown as \ufffd)"
    if records.damaged:
        note += f"; {len(records.damaged)} damaged row(s) read line by line (a stray quote mark)"
    table.notes.append(note)
    return table


def _lines(numbers: Iterable[int]) -> str:
    listed = sorted(numbers)
    shown = ", ".join(str(n) for n in listed[:10]) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
    return f"line{'s' if len(listed) > 1 else ''} {shown}"


def _record_recoded(table: Table, records: delimited.Records, decoded: delimited.Decoded) -> None:
    """Each cell on a line read in another encoding, as the file's own encoding would have
    shown it: the learner's fix then says what changed."""
    import bisect

    main = "cp1252" if decoded.encoding == "windows-1252" else "utf-8"
    by_row = dict(zip(table.source_rows, table.rows, strict=True))
    for line, encoding in sorted(decoded.other_lines.items()):
        index = bisect.bisect_right(records.lines, line) - 1  # the record this line belongs to
        row = by_row.get(index + 1)
        if row is None:
            continue
        for col, cell in enumerate(row):
            if not cell.isascii() and (index + 1, col) not in table.recoded:
                raw = cell.encode("cp1252" if encoding == "windows-1252" else "utf-8", errors="replace")
                table.recoded[(index + 1, col)] = raw.decode(main, errors="backslashreplace")


# --- Excel ------------------------------------------------------------------------------------

def _is_encrypted_ole(data: bytes) -> bool:
    try:
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows: let the Excel reader decide
        return False


def _read_excel(path: Path, data: bytes, known: set[str]) -> Table:
    from tracker_desktop.core.reading.workbook_sheets import read_sheets

    if data.startswith(ZIP_SIGNATURE):
        check_xlsx(path.name, data, ExportError)  # before the native reader sees it: see workbook_guard
    try:
        sheets, unread = read_sheets(path, data)
        hidden = _hidden_sheets(data)
    except BaseException as e:  # a Rust panic in the native reader is not an Exception
        if not _is_native_panic(e):
            raise
        kind = "workbook" if data.startswith(ZIP_SIGNATURE) else "file"
        raise ExportError(f"{path.name}: this Excel {kind} is damaged or not a spreadsheet. "
                          "Open it in Excel and save it again, or export it as CSV.") from None
    scored = []
    for name, rows in sheets:
        header_index, score = _find_header(rows, known)
        scored.append((score, name, rows, header_index))
    with_data = [s for s in scored if s[2]]
    if not with_data:
        also = f" that could be read ({'; '.join(unread)})" if unread else ""
        raise ExportError(f"{path.name}: the workbook has no data on any sheet{also}.")
    with_data, left_hidden = _visible_first(path, with_data, hidden, known)
    best = max(with_data, key=lambda s: s[0])
    if known and best[0] < 2 and len(with_data) > 1:
        names = ", ".join(f"'{s[1]}'" for s in with_data)
        raise ExportError(f"{path.name}: none of its sheets ({names}) has the column headings of a pupil export (such "
                          "as UPN, Surname, Date of Birth).")
    table = _table_from_rows(path, best[2], known, sheet=best[1])
    if len(sheets) > 1:
        table.notes.append(f"read sheet '{best[1]}' of {len(sheets)}")
    table.notes.extend(unread)
    if left_hidden:
        names = ", ".join(repr(n) for n in left_hidden)
        table.notes.append(f"hidden sheet{'s' if len(left_hidden) > 1 else ''} {names} not read")
    return table


def _is_native_panic(e: BaseException) -> bool:
    """A Rust panic inside the native reader arrives as pyo3's PanicException, which is not an
    Exception (it would pass an `except Exception` and end in a traceback)."""
    return type(e).__name__ == "PanicException"


def _hidden_sheets(data: bytes) -> set[str]:
    """The names of the hidden and very hidden sheets (none when the workbook cannot say)."""
    from python_calamine import CalamineWorkbook

    try:
        metadata = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheets_metadata
    except Exception:  # the sheets were read: a workbook that cannot list its sheets' states has none hidden
        return set()
    hidden = set()
    for meta in metadata:
        if "Hidden" in str(getattr(meta, "visible", "")):  # Hidden and VeryHidden
            hidden.add(meta.name)
    return hidden


def _visible_first(path: Path, with_data: list, hidden: set[str], known: set[str]) -> tuple[list, list[str]]:
    """The sheets to choose from: the visible ones. A hidden (or very hidden) sheet often holds an
    old copy of the roll; it is never chosen silently: when only a hidden sheet looks like the
    export, the user is told to unhide it if it is the one."""
    visible = [s for s in with_data if s[1] not in hidden]
    left = [s[1] for s in with_data if s[1] in hidden]
    best_hidden = max((s for s in with_data if s[1] in hidden), key=lambda s: s[0], default=None)
    if visible and (not known or max(s[0] for s in visible) >= 2 or best_hidden is None or best_hidden[0] < 2):
        return visible, left
    if best_hidden is not None:
        where = "the export's column headings are" if best_hidden[0] >= 2 else "the only data is"
        raise ExportError(f"{path.name}: {where} on the hidden sheet '{best_hidden[1]}'. "
                          "If that sheet is the one to send, unhide it in Excel (right-click a sheet tab, Unhide), "
                          "save and try again.")
    return visible, left


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


def _table_from_rows(path: Path, rows: list[list[str]], known: set[str], sheet: str | None,
                     damaged: dict[int, str] | None = None) -> Table:
    header_index, score = _find_header(rows, known)
    if header_index < 0:
        raise ExportError(f"{path.name}: the file has no rows.")
    if known and score < 2:
        raise ExportError(f"{path.name}: no row of column headings was found (expected names such as UPN, Surname, "
                          f"Date of Birth in the first {HEADER_SEARCH_ROWS} rows).")
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
        row = rows[i]
        if len(row) != width:  # a row of the right width is kept as read, not copied
            row = row[:width] + [""] * (width - len(row))
        if not (row and row[0] and not row[0].isspace()) and not "".join(row).strip():
            continue  # blank lines between or after learners carry nothing (every cell only spaces)
        body.append(row)
        numbers.append(i + 1)
    table = Table(source=path, headers=headers, rows=body, source_rows=numbers, sheet=sheet,
                  header_row=header_index + 1)
    kept = set(numbers)
    table.damaged = {i + 1: why for i, why in (damaged or {}).items() if i + 1 in kept}
    return table


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

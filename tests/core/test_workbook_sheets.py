"""Excel workbooks read sheet by sheet: real BIFF8 .xls files whatever their codepage, and a
workbook with one unreadable sheet read from the sheets that can be read."""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from tracker_desktop.core.reading.exports import ExportError, read_export

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
KNOWN = ["UPN", "Legal Surname", "Legal Forename", "DOB"]
ROWS = [["UPN", "Legal Surname", "Legal Forename", "DOB", "Note"],
        ["A886412321001", "O’Brien", "Zoë", "15/03/2009", "£5 – paid"],
        ["B886412321002", "Ñúñez", "Ana", "01/09/2008", "plain"]]


@pytest.fixture(scope="module")
def lo_xls(tmp_path_factory) -> bytes:
    """A real BIFF8 .xls written by LibreOffice (CODEPAGE 1200, as Excel writes it)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("xls")
    csv = folder / "pupils.csv"
    # ISO dates in the CSV (LibreOffice's import locale reads them alike); real dates in the xls
    as_iso = [[_iso(c) if i == 3 and n else c for i, c in enumerate(r)] for n, r in enumerate(ROWS)]
    csv.write_text("\n".join(",".join(r) for r in as_iso) + "\n", encoding="utf-8")
    profile = folder / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xls:MS Excel 97", "--infilter=CSV:44,34,76", "--outdir", str(folder), str(csv)],
                   check=True, capture_output=True, timeout=180)
    return (folder / "pupils.xls").read_bytes()


def _iso(dmy: str) -> str:
    day, month, year = dmy.split("/")
    return f"{year}-{month}-{day}"


def with_codepage(xls: bytes, codepage: int) -> bytes:
    """The same BIFF8 file with its CODEPAGE record (0x0042) set to `codepage`, as some report
    writers produce it (1252 where Excel writes 1200)."""
    import olefile

    buffer = io.BytesIO(xls)
    ole = olefile.OleFileIO(buffer, write_mode=True)
    stream = bytearray(ole.openstream("Workbook").read())
    pos, patched = 0, False
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        if kind == 0x0042:
            struct.pack_into("<H", stream, pos + 4, codepage)
            patched = True
        pos += 4 + length
    assert patched, "the BIFF8 stream has a CODEPAGE record"
    ole.write_stream("Workbook", bytes(stream))
    ole.close()
    return buffer.getvalue()


def read(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return read_export(path, KNOWN)


@pytest.mark.parametrize("codepage", [1200, 1252, 1250, 437])
def test_a_real_xls_reads_right_whatever_its_codepage(tmp_path, lo_xls, codepage):
    table = read(tmp_path, "pupils.xls", with_codepage(lo_xls, codepage))
    assert table.headers == ROWS[0]
    assert table.rows == ROWS[1:]
    assert not any("\x00" in cell for row in table.rows for cell in row)


def test_calamine_alone_would_have_passed_nuls_on(lo_xls):
    """The damage the fallback exists for is real: so the test above proves the fallback."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(with_codepage(lo_xls, 1252)))
    first = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert "\x00" in first[0][0]


def test_an_xls_neither_reader_can_decode_is_a_plain_error(tmp_path, lo_xls, monkeypatch):
    import xlrd

    def refuse(*_args, **_kwargs):
        raise xlrd.XLRDError("unsupported")

    monkeypatch.setattr(xlrd, "open_workbook", refuse)
    with pytest.raises(ExportError) as caught:
        read(tmp_path, "pupils.xls", with_codepage(lo_xls, 1252))
    assert "pupils.xls" in str(caught.value) and ".xlsx" in str(caught.value)


# --- one unreadable sheet ---------------------------------------------------------------------------

def _with_chart_sheet() -> bytes:
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pupils"
    for row in ROWS:
        sheet.append(row)
    chart_sheet = book.create_chartsheet("Chart1")
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=1, min_row=1, max_row=3))
    chart_sheet.add_chart(chart)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _changed(xlsx: bytes, part: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = change(data)
                if data is None:
                    continue
            zout.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("how,change", [
    ("garbled", lambda data: b"<chartsheet><<< not xml"),
    ("missing", lambda data: None),
])
def test_a_broken_chart_sheet_does_not_stop_the_data_sheet(tmp_path, how, change):
    data = _changed(_with_chart_sheet(), "xl/chartsheets/sheet1.xml", change)
    table = read(tmp_path, f"chart-{how}.xlsx", data)
    assert table.sheet == "Pupils"
    assert table.rows == ROWS[1:]
    assert any("'Chart1'" in note and "skipped" in note for note in table.notes)


def test_a_broken_data_sheet_beside_a_good_one(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Exported from the MIS"])
    pupils = book.create_sheet("Pupils")
    for row in ROWS:
        pupils.append(row)
    out = io.BytesIO()
    book.save(out)
    data = _changed(out.getvalue(), "xl/worksheets/sheet1.xml", lambda _: b"<worksheet><sheetData><row>")
    table = read(tmp_path, "two.xlsx", data)
    assert table.sheet == "Pupils" and table.rows == ROWS[1:]


def test_a_workbook_with_no_readable_sheet_is_a_plain_error(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(ROWS[0])
    out = io.BytesIO()
    book.save(out)
    data = _changed(out.getvalue(), "xl/worksheets/sheet1.xml", lambda _: b"<worksheet><<<")
    with pytest.raises(ExportError) as caught:
        read(tmp_path, "broken.xlsx", data)
    assert "broken.xlsx" in str(caught.value) and "damaged" in str(caught.value)

"""Reading MIS exports (DOMAIN.md section 6): every encoding, delimiter and workbook an office has."""
from __future__ import annotations

import codecs
import datetime as dt
import os
import shutil
import subprocess
import uuid

import pytest

from tests.conftest import xlsx_bytes
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.opening import known_headers
from tracker_desktop.core.reading.exports import decode_text, excel_cell_text, read_export
from tracker_desktop.core.returns.definitions import load_definition

KNOWN = known_headers(load_definition("school-leavers"))
NAMES = "UPN,Surname,Forename,Fee\nA1,Zoë,O’Brien,£5\n"


def read(tmp_path, name, data, known=KNOWN):
    path = tmp_path / name
    path.write_bytes(data)
    return read_export(path, known)


# --- CSV encodings ------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_give_back_the_same_names(tmp_path, encoding):
    table = read(tmp_path, "roll.csv", NAMES.encode(encoding))
    assert table.headers == ["UPN", "Surname", "Forename", "Fee"]
    assert table.rows == [["A1", "Zoë", "O’Brien", "£5"]]
    assert table.source_rows == [2]


def test_bom_never_sticks_to_the_first_header(tmp_path):
    table = read(tmp_path, "roll.csv", codecs.BOM_UTF8 + b"UPN,Surname\nA1,Smith\n")
    assert table.headers[0] == "UPN"
    assert table.column("UPN") == 0


def test_windows_1252_is_not_mistaken_for_1250(tmp_path):
    # A mostly-ASCII file with one pound sign: charset guessers call it cp1250 and give 'Ł'.
    body = "UPN,Surname,Note\n" + "".join(f"A{i},Smith,plain text\n" for i in range(200)) + "A999,Jones,costs £5\n"
    table = read(tmp_path, "roll.csv", body.encode("cp1252"))
    assert table.rows[-1][2] == "costs £5"
    assert "Ł" not in table.rows[-1][2]
    assert any("windows-1252" in n for n in table.notes)


def test_curly_apostrophe_and_diaeresis_in_cp1252(tmp_path):
    data = "UPN,Surname,Forename\r\nA1,O’Brien,Zoë\r\n".encode("cp1252")
    assert b"\x92" in data and b"\xeb" in data  # really Windows-1252 bytes
    table = read(tmp_path, "roll.csv", data)
    assert table.rows == [["A1", "O’Brien", "Zoë"]]


def test_utf16_le_with_bom_tab_separated(tmp_path):
    text = "UPN\tSurname\tForename\r\nA1\tO’Brien\tZoë\r\nA2\tSmith\tJo\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    table = read(tmp_path, "roll.txt", data)
    assert table.headers == ["UPN", "Surname", "Forename"]
    assert table.rows == [["A1", "O’Brien", "Zoë"], ["A2", "Smith", "Jo"]]
    assert table.source_rows == [2, 3]
    assert any("tab" in n for n in table.notes)


def test_utf16_without_bom(tmp_path):
    table = read(tmp_path, "roll.txt", "UPN\tSurname\nA1\tZoë\n".encode("utf-16-le"))
    assert table.rows == [["A1", "Zoë"]]


def test_decode_text_order():
    assert decode_text("£".encode()) == ("£", "utf-8")
    assert decode_text("£".encode("cp1252"))[0] == "£"
    assert decode_text(codecs.BOM_UTF8 + b"x")[0] == "x"


# --- delimiters and layout ------------------------------------------------------------------------

def test_semicolon_delimited(tmp_path):
    table = read(tmp_path, "roll.csv", b"UPN;Surname;Forename\nA1;Smith;Jo\nA2;Jones;Al\n")
    assert table.headers == ["UPN", "Surname", "Forename"]
    assert table.rows[1] == ["A2", "Jones", "Al"]


def test_semicolon_file_with_commas_inside_values(tmp_path):
    table = read(tmp_path, "roll.csv", b"UPN;Surname;Address\nA1;Smith;1 High St, Maidstone\nA2;Jones;2 Low Rd, Town\n")
    assert table.rows[0] == ["A1", "Smith", "1 High St, Maidstone"]


def test_tab_separated_with_commas_in_every_address(tmp_path):
    lines = ["UPN\tSurname\tForename\tAddress"] + [
        f"A{i}\tSmith\tJo\tFlat 2, Rose Court, 12 High Street, Loose, Maidstone, ME15 6AA" for i in range(12)]
    table = read(tmp_path, "roll.txt", "\r\n".join(lines).encode("utf-16"))
    assert table.headers == ["UPN", "Surname", "Forename", "Address"]
    assert table.rows[0][3] == "Flat 2, Rose Court, 12 High Street, Loose, Maidstone, ME15 6AA"
    assert len(table.rows) == 12


def test_comma_separated_with_semicolons_in_values(tmp_path):
    lines = ["UPN,Surname,Forename,Notes"] + [f"A{i},Smith,Jo,a;b;c;d;e;f" for i in range(12)]
    table = read(tmp_path, "roll.csv", "\n".join(lines).encode())
    assert table.headers == ["UPN", "Surname", "Forename", "Notes"]
    assert table.rows[0] == ["A0", "Smith", "Jo", "a;b;c;d;e;f"]


def test_quoted_multiline_field_keeps_later_row_numbers(tmp_path):
    data = (b'UPN,Surname,Address Block\r\n'
            b'A1,Smith,"1 High Street\r\nMaidstone\r\nME14 1XX"\r\n'
            b'A2,"Jones, Jr",x\r\n'
            b'A3,Brown,"two\nlines"\r\n'
            b'A4,Green,y\r\n')
    table = read(tmp_path, "roll.csv", data)
    assert [r[0] for r in table.rows] == ["A1", "A2", "A3", "A4"]
    # As a spreadsheet shows them: one row per record, header counted.
    assert table.source_rows == [2, 3, 4, 5]
    assert table.rows[0][2].splitlines() == ["1 High Street", "Maidstone", "ME14 1XX"]
    assert table.rows[1][1] == "Jones, Jr"


def test_title_and_blank_rows_above_the_header(tmp_path):
    data = b"Pupil roll export,,\nPrinted 01/10/2024,,\n,,\nUPN,Surname,Forename\nA1,Smith,Jo\n,,\nA2,Jones,Al\n"
    table = read(tmp_path, "roll.csv", data)
    assert table.header_row == 4
    assert table.headers == ["UPN", "Surname", "Forename"]
    assert table.rows == [["A1", "Smith", "Jo"], ["A2", "Jones", "Al"]]
    assert table.source_rows == [5, 7]  # the blank row 6 is skipped, not renumbered


@pytest.mark.parametrize("word", ["NA", "Null", "NULL", "None", "N/A", "nan", "#N/A", "0"])
def test_na_and_null_stay_text(tmp_path, word):
    table = read(tmp_path, "roll.csv", f"UPN,Surname,Forename\nA1,{word},{word}\n".encode())
    assert table.rows == [["A1", word, word]]


def test_leading_zeros_and_long_numbers_are_kept(tmp_path):
    table = read(tmp_path, "roll.csv", b"Adno,UPN,Surname,Mobile\n001652,A1,Smith,07911123456\n")
    assert table.rows[0][0] == "001652"
    assert table.rows[0][3] == "07911123456"


def test_short_rows_are_padded_and_long_rows_cut(tmp_path):
    table = read(tmp_path, "roll.csv", b"UPN,Surname,Forename\nA1,Smith\nA2,Jones,Al,extra\n")
    assert table.rows == [["A1", "Smith", ""], ["A2", "Jones", "Al"]]


def test_duplicate_and_empty_headers_are_made_unique(tmp_path):
    table = read(tmp_path, "roll.csv", b"UPN,Surname,,Surname,Forename\nA1,Smith,x,Smyth,Jo\n")
    assert len(set(table.headers)) == len(table.headers)
    assert table.headers[:2] == ["UPN", "Surname"]


# --- Excel -----------------------------------------------------------------------------------------

def test_xlsx_floats_dates_and_title_rows(tmp_path):
    data = xlsx_bytes([("Export", [
        ["Sixth form roll"],
        [],
        ["UPN", "Surname", "Mobile", "DOB", "Year", "Adno"],
        ["A1", "NA", 7911123456.0, dt.datetime(2008, 3, 4), 12.0, "001652"],
        ["A2", "Null", 7911123456, dt.date(2008, 3, 5), 12, "000567"],
    ])])
    table = read(tmp_path, "roll.xlsx", data)
    assert table.header_row == 3
    assert table.headers == ["UPN", "Surname", "Mobile", "DOB", "Year", "Adno"]
    assert table.rows[0] == ["A1", "NA", "7911123456", "04/03/2008", "12", "001652"]
    assert table.rows[1] == ["A2", "Null", "7911123456", "05/03/2008", "12", "000567"]
    assert table.source_rows == [4, 5]


def test_xlsx_row_numbers_when_data_starts_lower_and_to_the_right(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"], ws["C3"], ws["D3"] = "UPN", "Surname", "Home Telephone"
    ws["B4"], ws["C4"], ws["D4"] = "A1", "Smith", 1622123456
    ws["B6"], ws["C6"] = "A2", "Jones"
    path = tmp_path / "roll.xlsx"
    wb.save(path)
    table = read_export(path, KNOWN)
    assert table.header_row == 3
    assert table.source_rows == [4, 6]
    i = table.column("Home Telephone")
    assert table.rows[0][i] == "1622123456"


def test_excel_cell_text():
    assert excel_cell_text(None) == ""
    assert excel_cell_text(7911123456.0) == "7911123456"
    assert excel_cell_text(12.5) == "12.5"
    assert excel_cell_text(dt.datetime(2024, 9, 4)) == "04/09/2024"
    assert excel_cell_text(dt.date(2024, 9, 4)) == "04/09/2024"
    assert excel_cell_text(True) == "TRUE"
    assert excel_cell_text("NA") == "NA"


def test_several_sheets_take_the_one_with_the_header(tmp_path):
    data = xlsx_bytes([
        ("Notes", [["How to use this report"], ["Run it monthly", "please"]]),
        ("Pupils", [["UPN", "Surname", "Forename"], ["A1", "Smith", "Jo"]]),
        ("Summary", [["Count", "Total"], [1, 1]]),
    ])
    table = read(tmp_path, "roll.xlsx", data)
    assert table.sheet == "Pupils"
    assert table.rows == [["A1", "Smith", "Jo"]]
    assert any("Pupils" in n for n in table.notes)


def test_several_sheets_none_matching_names_every_sheet(tmp_path):
    data = xlsx_bytes([("Notes", [["a note"], ["x", "y"]]), ("Other", [["a", "b", "c"], ["1", "2", "3"]])])
    with pytest.raises(UserError) as e:
        read(tmp_path, "roll.xlsx", data)
    message = str(e.value)
    assert "roll.xlsx" in message and "'Notes'" in message and "'Other'" in message


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_xls_made_by_libreoffice(tmp_path):
    data = xlsx_bytes([("Roll", [["Title row"], ["UPN", "Surname", "Mobile", "DOB"],
                                 ["A1", "Null", 7911123456, dt.datetime(2008, 3, 4)]])])
    src = tmp_path / "roll.xlsx"
    src.write_bytes(data)
    out = tmp_path / "out"
    profile = tmp_path / f"lo_{uuid.uuid4().hex}"
    private_tmp = tmp_path / "tmp"  # LibreOffice's pipes and scratch files stay out of the shared /tmp
    private_tmp.mkdir()
    subprocess.run([_soffice(), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "xls",
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180,
                   env={**os.environ, "TMPDIR": str(private_tmp)})
    xls = out / "roll.xls"
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    table = read_export(xls, KNOWN)
    assert table.headers == ["UPN", "Surname", "Mobile", "DOB"]
    assert table.rows == [["A1", "Null", "7911123456", "04/03/2008"]]
    assert table.source_rows == [3]


# --- files that cannot be read ----------------------------------------------------------------------

def _assert_clean_error(tmp_path, name, data, *words):
    with pytest.raises(UserError) as e:
        read(tmp_path, name, data)
    message = str(e.value)
    assert name in message
    assert "\n" not in message
    for w in words:
        assert w in message.lower()
    return message


def test_empty_file(tmp_path):
    _assert_clean_error(tmp_path, "roll.csv", b"", "empty")


def test_only_whitespace_and_bom(tmp_path):
    _assert_clean_error(tmp_path, "roll.csv", codecs.BOM_UTF8 + b"\r\n \r\n", "empty")


def test_binary_garbage(tmp_path):
    _assert_clean_error(tmp_path, "roll.csv", bytes(range(256)) * 20)


def test_a_png_is_not_an_export(tmp_path):
    _assert_clean_error(tmp_path, "roll.csv", b"\x89PNG\r\n\x1a\n" + bytes(200))


def test_no_header_row(tmp_path):
    _assert_clean_error(tmp_path, "roll.csv", b"1,2,3\n4,5,6\n", "heading")


def test_missing_file(tmp_path):
    with pytest.raises(UserError) as e:
        read_export(tmp_path / "nowhere.csv", KNOWN)
    assert "nowhere.csv" in str(e.value)


def test_password_protected_workbook(tmp_path):
    from tracker_desktop.core.writing import encryption as protection

    plain = xlsx_bytes([("Roll", [["UPN", "Surname", "Forename"], ["A1", "Smith", "Jo"]])])
    _assert_clean_error(tmp_path, "roll.xlsx", protection.encrypt(plain, "Maple-Harbour-42"), "password")


def test_truncated_xlsx(tmp_path):
    plain = xlsx_bytes([("Roll", [["UPN", "Surname", "Forename"], ["A1", "Smith", "Jo"]])])
    _assert_clean_error(tmp_path, "roll.xlsx", plain[: len(plain) // 2], "damaged")


def test_zip_that_is_not_a_workbook(tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hello")
    _assert_clean_error(tmp_path, "roll.xlsx", buf.getvalue())


def test_workbook_with_no_data(tmp_path):
    _assert_clean_error(tmp_path, "roll.xlsx", xlsx_bytes([("Sheet1", [])]))


def test_ole_file_that_is_not_excel(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    _assert_clean_error(tmp_path, "roll.xls", data)

"""Password-protected workbooks: round trips, refusals, atomic saving, passwords, LibreOffice."""
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.writing import encryption as protection
from tracker_desktop.core.writing import files
from tracker_desktop.core.writing.encryption import (
    NotAnExcelWorkbook,
    OutputExists,
    ProtectionError,
    WeakPassword,
    WrongPassword,
    check_password,
    decrypt,
    encrypt,
    generate_passphrase,
    is_encrypted,
    passphrase_entropy_bits,
    read_password_file,
    write_encrypted,
)

PASSWORD = "Correct-Horse-Battery-77"
REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO.parent / "shared" / "samples"  # shared/ sits beside the work tree, in CI too
TEP_ENCRYPTED = SAMPLES / "tep_leavers_2024_encrypted.xlsx"
TEP_PASSWORD = "Maple-Harbour-42"

ROWS = [["TEP Ref", "Name", "Postcode", "Count"]] + [
    [f"T{i:04d}", name, f"ME{i % 20} {i % 9}AB", i]
    for i, name in enumerate(["Zoë O’Brien", "Sam Patel", "Aled Jones", "Chidi Okafor"] * 10, 1)
]


def xlsx_bytes(rows, title="Return"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_values(data):
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def tiny_xlsx():
    """A valid one-row workbook of about 1.5 KB. openpyxl cannot write one under 4 KB (its
    styles and theme parts alone are bigger), but Excel and other tools can."""
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml":
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>'
            '</Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Return" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            '</Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>TEP Ref</t></is></c><c r="B1"><v>42</v></c></row>'
            '</sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


@pytest.fixture(scope="module")
def plain():
    data = xlsx_bytes(ROWS)
    assert len(data) > 4608  # big enough that no padding is added, so bytes must match exactly
    return data


@pytest.fixture(scope="module")
def encrypted(plain):
    return encrypt(plain, PASSWORD)


# --- encrypt / decrypt ------------------------------------------------------------------------

def test_round_trip_gives_identical_bytes(plain, encrypted):
    assert decrypt(encrypted, PASSWORD) == plain
    assert sheet_values(decrypt(encrypted, PASSWORD)) == ROWS


def test_tiny_workbook_round_trips_and_opens():
    tiny = tiny_xlsx()
    assert len(tiny) < 4096  # the size msoffcrypto-tool corrupts without padding (issue #105)
    back = decrypt(encrypt(tiny, PASSWORD), PASSWORD)
    ws = openpyxl.load_workbook(io.BytesIO(back)).active
    assert (ws.title, ws["A1"].value, ws["B1"].value) == ("Return", "TEP Ref", 42)
    # The padding changes nothing but trailing whitespace in [Content_Types].xml.
    with zipfile.ZipFile(io.BytesIO(tiny)) as before, zipfile.ZipFile(io.BytesIO(back)) as after:
        assert before.namelist() == after.namelist()
        for name in before.namelist():
            old, new = before.read(name), after.read(name)
            if name == "[Content_Types].xml":
                assert new.startswith(old) and new[len(old):].strip() == b"" and len(new) > len(old)
            else:
                assert new == old


def test_small_package_is_never_returned_broken(monkeypatch):
    # Without the padding msoffcrypto-tool writes a broken file for a tiny package; the
    # read-back check must refuse it (or, should the library be fixed, the result must be right).
    monkeypatch.setattr(protection, "_pad_small_package", lambda b: b)
    tiny = tiny_xlsx()
    try:
        result = encrypt(tiny, PASSWORD)
    except ProtectionError as e:
        assert "did not read back" in str(e)
    else:
        assert decrypt(result, PASSWORD) == tiny


def test_corrupted_encryption_is_caught(monkeypatch, plain):
    real = protection.OOXMLFile

    class Corrupting(real):
        def encrypt(self, password, outfile):
            buf = io.BytesIO()
            super().encrypt(password, buf)
            # One flipped byte of ciphertext near the end of the EncryptedPackage stream (a byte
            # of the compound file outside every stream would change nothing that is read).
            with olefile.OleFileIO(buf, write_mode=True) as ole:
                package = bytearray(ole.openstream("EncryptedPackage").read())
                package[-100] ^= 0xFF
                ole.write_stream("EncryptedPackage", bytes(package))
            outfile.write(buf.getvalue())

    monkeypatch.setattr(protection, "OOXMLFile", Corrupting)
    with pytest.raises(ProtectionError, match="did not read back"):
        encrypt(plain, PASSWORD)


def test_output_is_agile_encrypted_compound_file(plain, encrypted):
    assert encrypted.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert is_encrypted(encrypted)
    assert not is_encrypted(plain)
    assert not is_encrypted(b"garbage")
    with olefile.OleFileIO(encrypted) as ole:
        info = ole.openstream("EncryptionInfo").read()
    assert info[:4] == b"\x04\x00\x04\x00"  # version 4.4 = agile
    xml = info[8:].decode()
    for attribute in ('cipherAlgorithm="AES"', 'keyBits="256"', 'hashAlgorithm="SHA512"', 'spinCount="100000"'):
        assert attribute in xml
    assert b"TEP Ref" not in encrypted and "Zoë".encode() not in encrypted


def test_wrong_password_refused(encrypted):
    with pytest.raises(WrongPassword) as e:
        decrypt(encrypted, PASSWORD.lower())
    assert PASSWORD.lower() not in str(e.value) and "case-sensitive" in str(e.value)
    with pytest.raises(WrongPassword):
        decrypt(encrypted, "")


def test_tampered_workbook_is_refused_as_damaged(encrypted):
    buf = io.BytesIO(encrypted)
    with olefile.OleFileIO(buf, write_mode=True) as ole:
        package = bytearray(ole.openstream("EncryptedPackage").read())
        package[len(package) // 2] ^= 0x01  # inside a compressed part, so the zip still opens
        ole.write_stream("EncryptedPackage", bytes(package))
    with pytest.raises(ProtectionError, match="damaged or was changed"):
        decrypt(buf.getvalue(), PASSWORD)


def test_errors_are_user_errors():
    for kind in (ProtectionError, WrongPassword, NotAnExcelWorkbook, WeakPassword):
        assert issubclass(kind, UserError) and issubclass(kind, ProtectionError)
    # an existing file is refused with the one OutputExists every writer raises (writing.files)
    assert OutputExists is files.OutputExists and issubclass(OutputExists, UserError)


@pytest.mark.parametrize("data, says", [
    (os.urandom(3000), "not an Excel file"),
    (b"UPN,Surname,Forename\r\nA123,Smith,Jo\r\n", "text file"),
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000), "not an Excel workbook"),
])
def test_garbage_is_not_an_excel_workbook(data, says):
    with pytest.raises(NotAnExcelWorkbook, match=says):
        decrypt(data, PASSWORD)


def test_zip_that_is_not_a_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(NotAnExcelWorkbook, match="zip file"):
        decrypt(buf.getvalue(), PASSWORD)
    with pytest.raises(NotAnExcelWorkbook):
        encrypt(buf.getvalue(), PASSWORD)


def test_plain_workbook_comes_back_as_it_is(plain):
    assert decrypt(plain, "anything") is plain


def test_encrypt_needs_a_workbook_and_a_password(plain):
    with pytest.raises(NotAnExcelWorkbook):
        encrypt(b"not a workbook", PASSWORD)
    with pytest.raises(WeakPassword):
        encrypt(plain, "")


def test_password_never_logged(plain, caplog):
    caplog.set_level(logging.DEBUG)
    decrypt(encrypt(plain, PASSWORD), PASSWORD)
    assert PASSWORD not in caplog.text


# --- TEP's own encrypted sample ---------------------------------------------------------------

@pytest.fixture(scope="module")
def tep_encrypted():
    if not TEP_ENCRYPTED.exists():
        pytest.skip(f"sample {TEP_ENCRYPTED} not found (shared/ is expected beside the work tree)")
    return TEP_ENCRYPTED.read_bytes()


def test_tep_sample_decrypts_and_opens(tep_encrypted):
    assert is_encrypted(tep_encrypted)
    wb = openpyxl.load_workbook(io.BytesIO(decrypt(tep_encrypted, TEP_PASSWORD)))
    assert wb["Return"]["A1"].value == "TEP Ref"


def test_tep_sample_wrong_password_refused(tep_encrypted):
    with pytest.raises(WrongPassword):
        decrypt(tep_encrypted, "maple-harbour-42")


# --- saving -----------------------------------------------------------------------------------

@pytest.fixture
def private_tempdir(tmp_path, monkeypatch):
    """Point tempfile at an empty folder of our own, to see whether anything lands there."""
    scratch = tmp_path / "system-temp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_write_encrypted_is_atomic_and_leaves_nothing_behind(plain, tmp_path, private_tempdir, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "leavers.xlsx"
    renames = []
    real_link = os.link

    def spy(src, dst):  # a hard link, then the temporary name removed: never replaces a file
        renames.append((Path(src), Path(dst)))
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", spy)
    assert write_encrypted(plain, PASSWORD, target) == target
    (src, dst), = renames
    assert dst == target and src.parent == out_dir and not src.name.endswith(".xlsx")
    assert sorted(p.name for p in out_dir.iterdir()) == ["leavers.xlsx"]
    assert list(private_tempdir.iterdir()) == []
    assert decrypt(target.read_bytes(), PASSWORD) == plain


def test_write_encrypted_refuses_existing_file_unless_forced(plain, tmp_path):
    target = tmp_path / "leavers.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputExists, match="already exists"):
        write_encrypted(plain, PASSWORD, target)
    assert target.read_bytes() == b"keep me"
    write_encrypted(plain, PASSWORD, target, force=True)
    assert decrypt(target.read_bytes(), PASSWORD) == plain
    assert [p.name for p in tmp_path.iterdir()] == ["leavers.xlsx"]


def test_failed_write_removes_temp_file(plain, tmp_path, private_tempdir, monkeypatch):
    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", fail)
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ProtectionError, match="disk is full"):
        write_encrypted(plain, PASSWORD, tmp_path / "leavers.xlsx")
    assert [p for p in tmp_path.iterdir() if p != private_tempdir] == []
    assert list(private_tempdir.iterdir()) == []


def test_failed_encryption_writes_nothing(tmp_path):
    with pytest.raises(NotAnExcelWorkbook):
        write_encrypted(b"not a workbook", PASSWORD, tmp_path / "leavers.xlsx")
    assert list(tmp_path.iterdir()) == []


# --- passwords --------------------------------------------------------------------------------

def test_generated_passphrases_are_strong_and_differ():
    phrases = [generate_passphrase() for _ in range(50)]
    assert len(set(phrases)) == 50
    for phrase in phrases:
        check_password(phrase)
        assert re.fullmatch(rf"([A-Z][a-z]{{2,7}}-){{{protection.DEFAULT_PASSPHRASE_WORDS}}}\d\d", phrase), phrase
    words = set(protection.load_word_list())
    assert all(w.lower() in words for p in phrases for w in p.split("-")[:-1])


def test_default_passphrase_has_at_least_60_bits():
    size = len(protection.load_word_list())
    assert passphrase_entropy_bits(protection.DEFAULT_PASSPHRASE_WORDS, size) >= 60
    # the yardstick itself: 4 words from 2,048 plus two digits is 44 + 6.6 bits, not enough
    assert passphrase_entropy_bits(4, 2048) == pytest.approx(50.64, abs=0.01)


def test_word_list_is_fit_for_reading_out():
    text = (REPO / "assets" / "wordlist.txt").read_text(encoding="utf-8")
    words = text.split("\n")[:-1]
    assert text.endswith("\n") and len(words) == len(set(words)) >= 4096
    assert all(re.fullmatch(r"[a-z]{3,8}", w) for w in words)
    for word in words:
        try:
            check_password(word.capitalize() + "-Maple-Harbour-42")
        except WeakPassword as e:
            pytest.fail(f"{word!r} makes a passphrase weak: {e}")


@pytest.mark.parametrize("pw, reason", [
    ("Tr0ub4dor&3", "at least 12 characters"),
    ("", "at least 12 characters"),
    ("aaaaaaaaaaaaaaa", "one character repeated"),
    ("123456789012", "only digits"),
    ("202420242024", "only digits"),
    ("abcdefghijkl", "in order"),
    ("ZYXWVUTSRQPO", "in order"),
    ("qwertyuiopas", "in order"),
    ("abcabcabcabc", "pattern repeated"),
    ("MyPassword2024!", "password"),
    ("Letmein-Letmein-1", "letmein"),
    ("Qwerty-Harbour-9", "qwerty"),
    ("StJudesSchool2024", "school"),
    ("Kent-Tracker-2024", "kent"),
])
def test_weak_passwords_rejected_with_reason(pw, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_password(pw)


@pytest.mark.parametrize("pw", ["Maple-Harbour-Candle-Orbit-42", "correct horse battery staple", "Tr0ub4dor&3xyz"])
def test_good_passwords_accepted(pw):
    check_password(pw)


def test_read_password_file(tmp_path):
    f = tmp_path / "pw.txt"
    f.write_bytes("\ufeff  Maple-Harbour-42 \r\nsecond line\r\n".encode("utf-8"))
    assert read_password_file(f) == "Maple-Harbour-42"
    f.write_text("Maple-Harbour-42")  # no newline at all
    assert read_password_file(str(f)) == "Maple-Harbour-42"
    f.write_bytes("Maple-Harbour-£42\r\n".encode("utf-16"))  # Notepad's "Unicode"
    assert read_password_file(f) == "Maple-Harbour-£42"


@pytest.mark.parametrize("content", [b"", b"   \n", b"\n\nMaple-Harbour-42\n", b"\xff\xfe\x00\xd8bad"])
def test_read_password_file_refuses_empty_or_unreadable(tmp_path, content):
    f = tmp_path / "pw.txt"
    f.write_bytes(content)
    with pytest.raises(ProtectionError):
        read_password_file(f)


def test_read_password_file_missing(tmp_path):
    with pytest.raises(ProtectionError, match="does not exist"):
        read_password_file(tmp_path / "nope.txt")


# --- LibreOffice interop ----------------------------------------------------------------------

LO_HELPER = Path(__file__).with_name("lo_helper.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # the interpreter python3-uno is installed for


def _libreoffice_missing():
    if shutil.which("soffice") is None:
        return "soffice is not on PATH (apt-get install libreoffice-calc-nogui python3-uno)"
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno (apt-get install python3-uno)"
    return None


_LO_MISSING = _libreoffice_missing()


def lo(*args):
    return subprocess.run([SYSTEM_PYTHON, str(LO_HELPER), *map(str, args)],
                          capture_output=True, text=True, timeout=180)


def as_text(rows):
    return [["" if v is None else str(v) for v in row] for row in rows]


@pytest.mark.libreoffice
@pytest.mark.skipif(_LO_MISSING is not None, reason=str(_LO_MISSING))
class TestLibreOffice:
    """Each call of lo_helper.py starts its own headless soffice with a throw-away profile."""

    @pytest.mark.parametrize("make, expected", [
        (lambda: xlsx_bytes(ROWS), as_text(ROWS)),
        (tiny_xlsx, [["TEP Ref", "42"]]),
    ], ids=["several-rows", "tiny"])
    def test_opens_our_workbook(self, tmp_path, make, expected):
        path = write_encrypted(make(), PASSWORD, tmp_path / "ours.xlsx")
        result = lo("read", path, PASSWORD)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"sheet": "Return", "rows": expected}

    def test_refuses_our_workbook_with_wrong_password(self, tmp_path, encrypted):
        path = tmp_path / "ours.xlsx"
        path.write_bytes(encrypted)
        result = lo("read", path, PASSWORD.lower())
        assert result.returncode == 3, (result.stdout, result.stderr)

    def test_we_open_its_encrypted_workbook(self, tmp_path, plain):
        source, out = tmp_path / "plain.xlsx", tmp_path / "from_lo.xlsx"
        source.write_bytes(plain)
        result = lo("write", source, out, PASSWORD)
        assert result.returncode == 0, result.stderr
        data = out.read_bytes()
        assert is_encrypted(data)
        assert sheet_values(decrypt(data, PASSWORD)) == ROWS
        with pytest.raises(WrongPassword):
            decrypt(data, PASSWORD.lower())

    def test_old_encrypted_xls_is_refused_by_name(self, tmp_path, plain):
        source, out = tmp_path / "plain.xlsx", tmp_path / "old.xls"
        source.write_bytes(plain)
        # .xls passwords stop at 15 characters: LibreOffice saves a longer one unencrypted.
        result = lo("write", source, out, "Harbour-Xls-42", "MS Excel 97")
        assert result.returncode == 0, result.stderr
        with pytest.raises(NotAnExcelWorkbook, match=r"\.xls\) with .*password protection \(RC4\)"):
            decrypt(out.read_bytes(), "Harbour-Xls-42")

"""Encrypted workbooks from other producers open with the right password, and only a wrong
password is called wrong (DOMAIN.md section 7; MS-OFFCRYPTO 2.3.4.10-2.3.4.15; ODF 1.2 Part 3
section 3.4).

The agile files are made here by a small encryptor written to the specification, with the
parameter sets Mac Excel and Numbers use (SHA-1 key data, AES-128), not with the program's own
encryptor. The LibreOffice files are made by LibreOffice, in each of its encryption settings.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import shutil
import struct
import subprocess
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from msoffcrypto.method.container.ecma376_encrypted import ECMA376Encrypted

from tracker_desktop.core.writing.encryption import (
    INTEGRITY_WARNING,
    NotAnExcelWorkbook,
    ProtectionError,
    WrongPassword,
    decrypt,
    is_encrypted,
    open_protected,
)

PASSWORD = "Right-Pass-4Mac"
ROWS = [["TEP Ref", "Legal Surname", "Postcode"]] + [
    [f"T{i:04d}", "O’Brien Zoë", f"ME{i % 20} 1AB"] for i in range(300)]


def workbook() -> bytes:
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    assert len(data) > 4096  # kept out of the compound file's mini stream
    return data


def values(xlsx: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active
    return [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


# --- an agile encryptor written to MS-OFFCRYPTO -------------------------------------------------

BLOCK = {"input": "fea7d2763b4b9e79", "value": "d7aa0f6d3061344e", "key": "146e0be7abacd0d6",
         "hmac_key": "5fb2ad010cb9e1f6", "hmac_value": "a0677f02b22c8433"}
NAMES = {"sha1": "SHA1", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}


def _h(name, data):
    return hashlib.new(name, data).digest()


def _fit(data, size):
    return data[:size] if len(data) >= size else data + b"\x36" * (size - len(data))


def _pad(data, block=16):
    return data + b"\x00" * (-len(data) % block)


def _aes(key, iv, data):
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(_pad(data)) + encryptor.finalize()


def agile_encrypt(plain: bytes, password: str, hash_name="sha1", key_bits=128, salt_size=16, spin=1000,
                  integrity="right", password_hash=None) -> bytes:
    """An agile-encrypted compound file. integrity: 'right', 'wrong' (an HMAC of other bytes) or
    'none' (no dataIntegrity element, as some writers leave it out)."""
    password_hash = password_hash or hash_name
    key_bytes = key_bits // 8
    secret = os.urandom(key_bytes)
    key_salt, password_salt = os.urandom(salt_size), os.urandom(salt_size)
    # the package: 8-byte size, then 4096-byte segments each with IV = H(keySalt + index)
    body = b""
    for index, start in enumerate(range(0, len(plain), 4096)):
        iv = _fit(_h(hash_name, key_salt + struct.pack("<I", index)), 16)
        body += _aes(secret, iv, plain[start:start + 4096])
    package = struct.pack("<Q", len(plain)) + body
    # the password key encryptor
    h = _h(password_hash, password_salt + password.encode("utf-16-le"))
    for i in range(spin):
        h = _h(password_hash, struct.pack("<I", i) + h)

    def key_for(block):
        return _fit(_h(password_hash, h + bytes.fromhex(BLOCK[block])), key_bytes)

    verifier = os.urandom(salt_size)
    iv = password_salt[:16]  # the key encryptor's salt, cut to the block size, is the IV
    encrypted_input = _aes(key_for("input"), iv, verifier)
    encrypted_value = _aes(key_for("value"), iv, _h(password_hash, verifier))
    encrypted_key = _aes(key_for("key"), iv, secret)
    hash_size = hashlib.new(hash_name).digest_size
    hmac_key = os.urandom(hash_size)
    signed = package if integrity == "right" else package + b"other"
    hmac_value = hmac.new(hmac_key, signed, hash_name).digest()
    iv_key = _fit(_h(hash_name, key_salt + bytes.fromhex(BLOCK["hmac_key"])), 16)
    iv_value = _fit(_h(hash_name, key_salt + bytes.fromhex(BLOCK["hmac_value"])), 16)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    integrity_xml = (f'<dataIntegrity encryptedHmacKey="{b64(_aes(secret, iv_key, hmac_key))}" '
                     f'encryptedHmacValue="{b64(_aes(secret, iv_value, hmac_value))}"/>') if integrity != "none" else ""
    p_hash_size = hashlib.new(password_hash).digest_size
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<keyData saltSize="{salt_size}" blockSize="16" keyBits="{key_bits}" hashSize="{hash_size}" '
        f'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="{NAMES[hash_name]}" '
        f'saltValue="{b64(key_salt)}"/>'
        f'{integrity_xml}<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<p:encryptedKey spinCount="{spin}" saltSize="{salt_size}" blockSize="16" keyBits="{key_bits}" '
        f'hashSize="{p_hash_size}" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
        f'hashAlgorithm="{NAMES[password_hash]}" saltValue="{b64(password_salt)}" '
        f'encryptedVerifierHashInput="{b64(encrypted_input)}" encryptedVerifierHashValue="{b64(encrypted_value)}" '
        f'encryptedKeyValue="{b64(encrypted_key)}"/></keyEncryptor></keyEncryptors></encryption>')
    info = struct.pack("<HHI", 4, 4, 0x40) + xml.encode("utf-8")
    out = io.BytesIO()
    ECMA376Encrypted(package, info).write_to(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def plain() -> bytes:
    return workbook()


@pytest.mark.parametrize("hash_name,key_bits,salt_size,password_hash", [
    ("sha1", 128, 16, None),      # Mac Excel's key data
    ("sha1", 256, 16, None),      # SHA-1 shorter than an AES-256 key: padded with 0x36
    ("sha256", 128, 16, None), ("sha512", 128, 16, None), ("sha512", 256, 16, None),
    ("sha1", 128, 32, None),      # a longer salt
    ("sha1", 128, 16, "sha512"),  # key data and password key with different hashes (Numbers-like)
])
def test_agile_variants_open_with_the_right_password_only(plain, hash_name, key_bits, salt_size, password_hash):
    encrypted = agile_encrypt(plain, PASSWORD, hash_name, key_bits, salt_size, password_hash=password_hash)
    assert is_encrypted(encrypted)
    opened = open_protected(encrypted, PASSWORD)
    assert opened.plain == plain and opened.warnings == ()
    assert decrypt(encrypted, PASSWORD) == plain
    assert values(opened.plain)[1] == ["T0000", "O’Brien Zoë", "ME0 1AB"]
    for wrong in (PASSWORD.lower(), PASSWORD + " ", "x"):
        with pytest.raises(WrongPassword, match="not right"):
            open_protected(encrypted, wrong)
    with pytest.raises(WrongPassword, match="enter its password"):
        open_protected(encrypted, "")


@pytest.mark.parametrize("integrity", ["wrong", "none"])
def test_a_verified_password_with_a_failing_integrity_check_opens_with_a_warning(plain, integrity):
    encrypted = agile_encrypt(plain, PASSWORD, integrity=integrity)
    opened = open_protected(encrypted, PASSWORD)
    assert opened.plain == plain
    assert opened.warnings == (INTEGRITY_WARNING,)
    assert "password is right" in INTEGRITY_WARNING
    with pytest.raises(WrongPassword):  # still only a wrong password is called wrong
        open_protected(encrypted, "Wrong-Pass-4Mac")


def test_a_damaged_package_with_the_right_password_is_damage_not_a_wrong_password(plain):
    import olefile

    encrypted = agile_encrypt(plain, PASSWORD)
    buffer = io.BytesIO(encrypted)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        package = bytearray(ole.openstream("EncryptedPackage").read())
        for at in range(len(package) // 3, len(package) // 3 + 64):
            package[at] ^= 0x5A
        ole.write_stream("EncryptedPackage", bytes(package))
    with pytest.raises(ProtectionError, match="damaged") as caught:
        open_protected(buffer.getvalue(), PASSWORD)
    assert not isinstance(caught.value, WrongPassword)


def test_an_agile_file_with_another_cipher_is_explained(plain):
    encrypted = agile_encrypt(plain, PASSWORD)
    import olefile

    buffer = io.BytesIO(encrypted)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        info = ole.openstream("EncryptionInfo").read()
        ole.write_stream("EncryptionInfo", info.replace(b'cipherAlgorithm="AES"', b'cipherAlgorithm="DES"'))
    with pytest.raises(NotAnExcelWorkbook, match="kind of encryption"):
        open_protected(buffer.getvalue(), PASSWORD)


# --- files LibreOffice encrypts ------------------------------------------------------------------

LO_HELPER = Path(__file__).with_name("lo_helper.py")
LO_ODF_HELPER = Path(__file__).with_name("lo_odf_helper.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def _lo_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "soffice is not on PATH"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return None if probe.returncode == 0 else "python3-uno is not installed"


needs_lo = pytest.mark.skipif(_lo_missing() is not None, reason=str(_lo_missing()))


@pytest.fixture(scope="module")
def lo_files(tmp_path_factory, plain) -> dict[str, bytes]:
    """One file per LibreOffice encryption setting: xlsx (ECMA-376 Standard, all LibreOffice 7.4
    writes), xls (RC4 CryptoAPI), ods (ODF 1.2+: AES-256-CBC, PBKDF2) and ods as ODF 1.1 (Blowfish)."""
    folder = tmp_path_factory.mktemp("lo")
    source = folder / "plain.xlsx"
    source.write_bytes(plain)
    made: dict[str, bytes] = {}
    for name, (out, command) in {
        "xlsx-standard": ("standard.xlsx", [LO_HELPER, "write", source, "OUT", PASSWORD]),
        "xls-rc4": ("rc4.xls", [LO_HELPER, "write", source, "OUT", PASSWORD, "MS Excel 97"]),
        "ods-aes": ("aes.ods", [LO_ODF_HELPER, source, "OUT", PASSWORD, "1.2"]),
        "ods-blowfish": ("blowfish.ods", [LO_ODF_HELPER, source, "OUT", PASSWORD, "1.1"]),
    }.items():
        target = folder / out
        arguments = [str(target) if part == "OUT" else str(part) for part in command]
        subprocess.run([SYSTEM_PYTHON, *arguments], check=True, timeout=240, capture_output=True)
        made[name] = target.read_bytes()
    return made


@needs_lo
def test_libreoffice_xlsx_opens_with_the_right_password_only(lo_files, plain):
    data = lo_files["xlsx-standard"]
    assert is_encrypted(data)
    opened = open_protected(data, PASSWORD)
    assert values(opened.plain)[:2] == values(plain)[:2]
    with pytest.raises(WrongPassword):
        open_protected(data, "Wrong-Pass-4Mac")


@needs_lo
def test_libreoffice_xls_is_explained_never_called_a_wrong_password(lo_files):
    for password in (PASSWORD, "Wrong-Pass-4Mac"):
        with pytest.raises(NotAnExcelWorkbook, match="Excel 97-2003") as caught:
            open_protected(lo_files["xls-rc4"], password)
        assert "not right" not in str(caught.value)


@needs_lo
@pytest.mark.parametrize("kind,algorithm", [("ods-aes", b"aes256-cbc"), ("ods-blowfish", b"blowfish")])
def test_libreoffice_ods_opens_with_the_right_password_only(lo_files, kind, algorithm):
    import zipfile

    from python_calamine import CalamineWorkbook

    data = lo_files[kind]
    assert algorithm in zipfile.ZipFile(io.BytesIO(data)).read("META-INF/manifest.xml").lower()
    assert is_encrypted(data)
    opened = open_protected(data, PASSWORD, accept_ods=True)
    assert opened.kind == "ods"
    book = CalamineWorkbook.from_filelike(io.BytesIO(opened.plain))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert [str(c) for c in rows[1]] == ["T0000", "O’Brien Zoë", "ME0 1AB"]
    with pytest.raises(WrongPassword, match="not right"):
        open_protected(data, "Wrong-Pass-4Mac", accept_ods=True)
    # where only Excel workbooks are used, it is named for what it is, never "damaged"
    named = r"OpenDocument spreadsheet \(.ods\) protected by a password"
    with pytest.raises(NotAnExcelWorkbook, match=named) as caught:
        decrypt(data, PASSWORD)
    assert "damaged" not in str(caught.value)
    with pytest.raises(WrongPassword):
        decrypt(data, "Wrong-Pass-4Mac")


@needs_lo
def test_an_encrypted_ods_given_as_an_export_is_named_not_called_damaged(lo_files, tmp_path):
    from tracker_desktop.core.reading.exports import ExportError, read_export

    path = tmp_path / "pupils.ods"
    path.write_bytes(lo_files["ods-aes"])
    with pytest.raises(ExportError) as caught:
        read_export(path, ["upn"])
    assert "pupils.ods" in str(caught.value) and "password" in str(caught.value)
    assert "damaged" not in str(caught.value)



# --- where other producers' encrypted workbooks come in: TEP's sheet and `decrypt` -----------------

def _password_file(tmp_path: Path, password: str = PASSWORD) -> Path:
    path = tmp_path / "password.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return path


def test_tep_workbook_with_a_failing_integrity_check_opens_with_the_warning(tmp_path, capsys):
    """TEP's workbook re-saved by a program that writes the HMAC differently: the password is
    verified, so it opens, and the user is told (CLI stderr, the report), never 'wrong password'."""
    from tests.core.test_tep import tep_workbook
    from tracker_desktop.commands import main
    from tracker_desktop.core.preparing.tep import prepare_tep

    locked = tmp_path / "From TEP.xlsx"
    locked.write_bytes(agile_encrypt(tep_workbook(), PASSWORD, integrity="wrong"))
    export = tmp_path / "destinations.csv"
    export.write_text("UPN,Surname,Forename,DOB,Destination,Date Confirmed\n"
                      "Y886412320001,O'Neill,Jayden,21/10/2007,Apprenticeship,07/10/2024\n", encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, locked, PASSWORD, "8864123", as_of="2024-10-31")
    assert prep.warnings == [f"From TEP.xlsx: {INTEGRITY_WARNING}"]
    assert prep.report(None)["warnings"] == prep.warnings
    with pytest.raises(WrongPassword):
        prepare_tep("tep-leaver-destinations", export, locked, "Wrong-Pass-4Mac", "8864123", as_of="2024-10-31")

    code = main(["prepare", "tep-leaver-destinations", str(export), "--prepopulated", str(locked),
                 "--prepopulated-password-file", str(_password_file(tmp_path)), "--school", "8864123",
                 "--as-of", "2024-10-31", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert f"warning: From TEP.xlsx: {INTEGRITY_WARNING}" in err
    assert any(p.suffix == ".xlsx" for p in (tmp_path / "out").iterdir())


def test_tep_workbook_that_is_not_encrypted_has_no_warning(tmp_path):
    from tests.core.test_tep import tep_workbook
    from tracker_desktop.core.preparing.tep import open_prepopulated

    plain_file = tmp_path / "tep.xlsx"
    plain_file.write_bytes(tep_workbook())
    opened = open_prepopulated(plain_file, None)
    assert opened.plain == plain_file.read_bytes() and opened.warnings == ()


def test_decrypt_command_opens_a_failing_integrity_check_with_a_warning(tmp_path, plain, capsys):
    from tracker_desktop.commands import main

    locked = tmp_path / "numbers.xlsx"
    locked.write_bytes(agile_encrypt(plain, PASSWORD, integrity="wrong"))
    out = tmp_path / "open.xlsx"
    code = main(["decrypt", str(locked), "--password-file", str(_password_file(tmp_path)), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.read_bytes() == plain
    assert f"warning: numbers.xlsx: {INTEGRITY_WARNING}" in captured.err and "wrote" in captured.out
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    code = main(["decrypt", str(locked), "--password-file", str(_password_file(wrong, "Wrong-Pass-4Mac")),
                 "--out", str(tmp_path / "again.xlsx")])
    assert code == 2 and "not right" in capsys.readouterr().err and not (tmp_path / "again.xlsx").exists()


def test_decrypt_command_says_nothing_more_for_a_sound_file(tmp_path, plain, capsys):
    from tracker_desktop.commands import main

    locked = tmp_path / "sound.xlsx"
    locked.write_bytes(agile_encrypt(plain, PASSWORD))
    assert main(["decrypt", str(locked), "--password-file", str(_password_file(tmp_path)),
                 "--out", str(tmp_path / "open.xlsx")]) == 0
    assert "warning" not in capsys.readouterr().err

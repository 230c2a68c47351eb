"""Password-protected Excel workbooks: open the ones TEP sends, write the ones we send back.

The encryption is what Excel's "Encrypt with Password" writes (ECMA-376 agile: AES-256, SHA-512,
100,000 spins), so the recipient needs nothing but Excel or LibreOffice (DOMAIN.md section 7).
Everything happens in memory: a plain copy of a workbook is never written to disk here, and a
password is never logged or put in an error message.
"""
from __future__ import annotations

import codecs
import functools
import io
import logging
import math
import secrets
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import msoffcrypto
import olefile
from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError, ParseError
from msoffcrypto.format.ooxml import OOXMLFile

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.values.signatures import OLE_SIGNATURE, ZIP_SIGNATURE
from tracker_desktop.core.writing import agile, files, odf_decrypt
from tracker_desktop.core.writing.files import OutputExists
from tracker_desktop.resources import resource_path

# msoffcrypto logs derived keys at DEBUG level (Standard encryption): keep them out of any log.
logging.getLogger("msoffcrypto").setLevel(logging.WARNING)


# A compound file keeps streams of 4,096 bytes or less in its "mini stream", and msoffcrypto's
# writer gets that layout wrong (its issue #105): the EncryptedPackage stream of a small workbook
# comes out holding other bytes. Smaller packages are padded by this much before encrypting.
_PADDED_SIZE = 4096 + 512

MIN_PASSWORD_LENGTH = 12
DEFAULT_PASSPHRASE_WORDS = 5  # 5 words from the 4,000+ word list + 2 digits: about 67 bits
MIN_WORD_LIST_SIZE = 2048
# Words people put in passwords they chose themselves; the word list holds none of them.
OBVIOUS_WORDS = (
    "password", "passw0rd", "qwerty", "letmein", "welcome", "iloveyou", "admin", "changeme",
    "school", "academy", "college", "student", "pupil", "teacher", "kent", "tracking",
)


class ProtectionError(UserError):
    """A workbook could not be encrypted, decrypted or saved; the message says why."""


class WrongPassword(ProtectionError):
    pass


class NotAnExcelWorkbook(ProtectionError):
    pass


class WeakPassword(ProtectionError):
    pass


# --- opening ----------------------------------------------------------------------------------

def is_encrypted(data: bytes) -> bool:
    """True for a password-protected Office 2007+ file (a compound file with an EncryptedPackage)
    or a password-protected OpenDocument file (an .ods from LibreOffice).

    A plain .xlsx is False. So is an old .xls even with a password: decrypt() explains those.
    """
    if data.startswith(ZIP_SIGNATURE):
        return odf_decrypt.is_encrypted_odf(data)
    if not data.startswith(OLE_SIGNATURE):
        return False
    try:
        with olefile.OleFileIO(data) as ole:
            return ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    except (OSError, ValueError):  # olefile's "not a valid OLE file" is an OSError
        return False


@dataclass(frozen=True)
class Opened:
    """A workbook opened with its password: the plain bytes (in memory only), what they are
    ('xlsx', or 'ods' when asked for), and anything the user must be told."""
    plain: bytes
    kind: str = "xlsx"
    warnings: tuple[str, ...] = ()


INTEGRITY_WARNING = (
    "The password is right and the workbook opened, but its integrity check (the HMAC Excel adds) "
    "does not match. Some programs write it differently; it can also mean the file was changed "
    "after it was encrypted. Look through the data, and ask the sender for a fresh copy if "
    "anything looks wrong.")


def decrypt(data: bytes, password: str) -> bytes:
    """The plain .xlsx bytes of a password-protected workbook (a plain .xlsx comes back as it is).

    Strict: a workbook whose integrity check fails is refused as damaged (encrypt() relies on
    this to prove what it wrote). To open such a workbook with a warning instead, as a user
    opening someone else's file should, use open_protected."""
    opened = open_protected(data, password)
    if opened.warnings:
        raise ProtectionError(_damaged())
    return opened.plain


def open_protected(data: bytes, password: str, accept_ods: bool = False) -> Opened:
    """Open a workbook with its password, telling a wrong password from damage truthfully.

    Excel (Windows and Mac), Numbers and LibreOffice write ECMA-376 agile or standard encryption
    in a compound file; LibreOffice's .ods uses ODF encryption in the zip. With accept_ods, an
    encrypted .ods comes back decrypted (kind 'ods', for the export reader, which reads .ods);
    otherwise it is explained, after its password is checked, since only Excel workbooks are
    expected there."""
    if data.startswith(ZIP_SIGNATURE):
        if odf_decrypt.is_encrypted_odf(data):
            return _open_odf(data, password, accept_ods)
        _require_xlsx(data)
        return Opened(data)
    if not data.startswith(OLE_SIGNATURE):
        raise NotAnExcelWorkbook(f"This file is {_describe_other(data)}, not an Excel workbook.")
    info = _agile_info(data)
    if info is not None:
        return _open_agile(data, info, password)
    office = _open_compound_file(data)
    if not password:
        raise WrongPassword(_NEEDS_PASSWORD)
    try:
        office.load_key(password=password, verify_password=True)
    except InvalidKeyError:
        raise WrongPassword(_WRONG_PASSWORD) from None
    except (DecryptionError, ParseError, ValueError, KeyError) as e:
        raise ProtectionError(_damaged()) from e
    out = io.BytesIO()
    try:
        office.decrypt(out)  # standard encryption has no integrity check to verify
    except (DecryptionError, ParseError, ValueError, OSError) as e:
        raise ProtectionError(_damaged()) from e
    plain = out.getvalue()
    _require_xlsx(plain, encrypted=True)
    return Opened(plain)


_NEEDS_PASSWORD = "This workbook is password-protected: enter its password."
_WRONG_PASSWORD = ("The password for this workbook is not right. Check it with the person who sent it "
                   "(passwords are case-sensitive).")


def _agile_info(data: bytes) -> agile.AgileInfo | None:
    """The agile encryption descriptor of a compound file, or None for any other kind."""
    try:
        with olefile.OleFileIO(data) as ole:
            if not (ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")):
                return None
            raw = ole.openstream("EncryptionInfo").read()
    except (OSError, ValueError):
        return None
    if not agile.is_agile(raw):
        return None
    try:
        return agile.parse(raw)
    except agile.Unsupported:
        raise NotAnExcelWorkbook(_UNSUPPORTED) from None
    except agile.Damaged:
        raise ProtectionError(_damaged()) from None


_UNSUPPORTED = ("This workbook is protected with a kind of encryption this tool cannot open. Ask the "
                "sender to save it again from Excel with File > Info > Protect Workbook > Encrypt "
                "with Password.")


def _open_agile(data: bytes, info: agile.AgileInfo, password: str) -> Opened:
    if not password:
        raise WrongPassword(_NEEDS_PASSWORD)
    try:
        with olefile.OleFileIO(data) as ole:
            package = ole.openstream("EncryptedPackage").read()
    except (OSError, ValueError):
        raise ProtectionError(_damaged()) from None
    try:
        opened = agile.decrypt(info, password, package)
    except agile.WrongKey:
        raise WrongPassword(_WRONG_PASSWORD) from None
    except agile.Damaged:
        raise ProtectionError(_damaged()) from None
    if not _is_zip(opened.plain):  # the password was verified: the package itself is damaged
        raise ProtectionError(_damaged())
    _require_xlsx(opened.plain, encrypted=True)
    if opened.integrity_ok:
        return Opened(opened.plain)
    # The HMAC does not match, yet the password is right. If every part of the workbook is whole
    # (each zip member's own CRC), it opens with a warning; a part that is not whole is damage.
    if not _parts_whole(opened.plain):
        raise ProtectionError(_damaged())
    return Opened(opened.plain, warnings=(INTEGRITY_WARNING,))


def _parts_whole(package: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as z:
            return z.testzip() is None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return False


def _open_odf(data: bytes, password: str, accept_ods: bool) -> Opened:
    what = ("an OpenDocument spreadsheet (.ods)" if odf_decrypt.odf_kind(data).endswith("spreadsheet")
            else "an OpenDocument file")
    if not password:
        raise WrongPassword(f"This is {what} protected by a password: enter its password.")
    try:
        if not accept_ods:
            odf_decrypt.check_password(data, password)
            raise NotAnExcelWorkbook(
                f"This is {what} protected by a password (the password is right). Only Excel "
                "workbooks are used here: open it in LibreOffice and save it as Excel 2007-365 "
                "(.xlsx), keeping the password if it holds personal data.")
        plain = odf_decrypt.decrypt_odf(data, password)
    except odf_decrypt.WrongKey:
        raise WrongPassword(f"The password for this {what.removeprefix('an ')} is not right. Check it "
                            "with the person who sent it (passwords are case-sensitive).") from None
    except odf_decrypt.Unsupported:
        raise NotAnExcelWorkbook(
            f"This is {what} protected with a newer kind of encryption this tool cannot open. Open it in "
            "LibreOffice and save it as Excel 2007-365 (.xlsx).") from None
    except odf_decrypt.Damaged:
        raise ProtectionError(_damaged()) from None
    return Opened(plain, kind="ods")


def _is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_SIGNATURE)


def _open_compound_file(data: bytes):
    """msoffcrypto's reader for an OLE file, refusing all but an encrypted Excel 2007+ workbook."""
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
    except DecryptionError:  # the EncryptionInfo exists but is a kind msoffcrypto does not read
        raise NotAnExcelWorkbook(
            "This workbook is protected with a kind of encryption this tool cannot open. Ask the "
            "sender to save it again from Excel with File > Info > Protect Workbook > Encrypt "
            "with Password."
        ) from None
    except (FileFormatError, ParseError, OSError, ValueError):
        raise NotAnExcelWorkbook("This file is not an Excel workbook (nor any Office file this tool knows).") from None
    if isinstance(office, OOXMLFile):
        if office.type in ("agile", "standard"):
            return office
        raise NotAnExcelWorkbook("This workbook is protected with a kind of encryption this tool cannot open.")
    kind = {"xls97": "an old Excel 97-2003 workbook (.xls)", "doc97": "a Word document",
            "ppt97": "a PowerPoint presentation"}.get(office.format, "an Office file")
    if office.format == "xls97":
        try:
            if office.is_encrypted():
                kind += " with its old, weak password protection (RC4)"
        except Exception:  # only used to word the message better
            pass
        raise NotAnExcelWorkbook(
            f"This file is {kind}. Open it in Excel and save it as an Excel Workbook (.xlsx) first."
        )
    raise NotAnExcelWorkbook(f"This file is {kind}, not an Excel workbook.")


def _require_xlsx(data: bytes, encrypted: bool = False) -> None:
    """Refuse a zip that is not an Excel workbook, naming what it is instead."""
    what = "a zip file"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" in names:
                types = z.read("[Content_Types].xml")
                if b"spreadsheetml" in types or b"ms-excel" in types:
                    return
                if b"wordprocessingml" in types:
                    what = "a Word document"
                elif b"presentationml" in types:
                    what = "a PowerPoint presentation"
            elif "mimetype" in names and b"opendocument.spreadsheet" in z.read("mimetype"):
                what = "an OpenDocument spreadsheet (.ods)"
    except (zipfile.BadZipFile, OSError, ValueError):
        what = "a damaged zip file"
    if encrypted:
        what = f"a password-protected file that holds {what}"
    raise NotAnExcelWorkbook(f"This file is {what}, not an Excel workbook (.xlsx).")


def _describe_other(data: bytes) -> str:
    head = data[:512]
    if not data:
        return "empty"
    if head.startswith(b"%PDF"):
        return "a PDF"
    try:
        head.decode("utf-8")
        return "a text file (perhaps CSV)"
    except UnicodeDecodeError:
        return "not an Excel file"


def _damaged() -> str:
    return ("This workbook could not be decrypted: it is damaged or was changed after it was "
            "encrypted. Ask the sender for a fresh copy.")


# --- writing ----------------------------------------------------------------------------------

def encrypt(plain: bytes, password: str, name: str = "The workbook") -> bytes:
    """Encrypt a .xlsx with the password, and prove it by decrypting the result again.

    The plain workbook is read back first (every part parsed): a malformed one would decrypt to
    the same malformed bytes, so "verified by decrypting" alone proves nothing about it."""
    from tracker_desktop.core.writing.verify import WorkbookDamaged, check_workbook

    if not password:
        raise WeakPassword("A password is needed to protect the workbook.")
    if not plain.startswith(ZIP_SIGNATURE):
        raise NotAnExcelWorkbook("Only an Excel workbook (.xlsx) can be protected with a password.")
    _require_xlsx(plain)
    try:
        check_workbook(plain, name)
    except WorkbookDamaged as e:
        raise ProtectionError(f"{e} Nothing was encrypted.") from None
    package = _pad_small_package(plain)
    out = io.BytesIO()
    try:
        OOXMLFile(io.BytesIO(package)).encrypt(password, out)
    except Exception as e:  # msoffcrypto's encryptor is experimental: any failure is ours to report
        raise ProtectionError("The workbook could not be encrypted; nothing was saved.") from e
    encrypted = out.getvalue()
    # The encryptor can write a broken file without any error, so read it back before trusting it.
    try:
        ok = decrypt(encrypted, password) == package
    except ProtectionError:
        ok = False
    if not ok:
        raise ProtectionError("The encrypted workbook did not read back correctly, so it was not saved.")
    return encrypted


def _pad_small_package(plain: bytes) -> bytes:
    """Lengthen a small package past the mini-stream size (msoffcrypto issue #105).

    The padding is blank lines after the root element of [Content_Types].xml, a part every
    package has, stored uncompressed so it cannot shrink; XML allows whitespace there and every
    other part is kept as it was. (A zip comment would be simpler, but LibreOffice looks for the
    end of the zip only in its last ~530 bytes and then refuses the file.)
    """
    if len(plain) >= _PADDED_SIZE:
        return plain
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.external_attr = info.external_attr
            part.compress_type = info.compress_type
            if info.filename == "[Content_Types].xml":
                data += b"\n" * _PADDED_SIZE
                part.compress_type = zipfile.ZIP_STORED
            dst.writestr(part, data)
    return out.getvalue()


def write_encrypted(plain: bytes, password: str, path: Path, force: bool = False) -> Path:
    """Encrypt (and verify), then save to path atomically; refuse to replace a file unless force."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(f"{path.name} already exists in {path.parent}. Choose another name, or allow replacing it.")
    if not path.parent.is_dir():
        raise ProtectionError(f"The folder {path.parent} does not exist.")
    encrypted = encrypt(plain, password, path.name)
    try:
        return files.write_atomic(path, encrypted, force=force)  # the same no-replace guard as every save
    except files.CannotWrite as e:
        raise ProtectionError(str(e)) from None


# --- passwords --------------------------------------------------------------------------------

def check_password(pw: str) -> None:
    """Raise WeakPassword, with the reason, for a password too easy to guess."""
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password needs at least {MIN_PASSWORD_LENGTH} characters; this one has {len(pw)}.")
    low = pw.lower()
    if len(set(low)) == 1:
        raise WeakPassword("The password is one character repeated.")
    if pw.isdigit():
        raise WeakPassword("The password is only digits; use words, for example a generated passphrase.")
    for run in ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz" * 2, "qwertyuiopasdfghjklzxcvbnm" * 2):
        if low in run or low in run[::-1]:
            raise WeakPassword("The password is a run of keys or characters in order (like 1234… or abcd…).")
    for size in range(2, len(low) // 3 + 1):  # "abcabcabcabc", "passpasspass"
        if (low[:size] * (len(low) // size + 1))[: len(low)] == low:
            raise WeakPassword("The password is a short pattern repeated.")
    for word in OBVIOUS_WORDS:
        if word in low:
            raise WeakPassword(f"The password contains “{word}”, one of the first things an attacker tries.")


@functools.lru_cache(maxsize=1)
def load_word_list() -> tuple[str, ...]:
    """The passphrase words (assets/wordlist.txt, 4,236 of them).

    Made from the Electronic Frontier Foundation's large diceware list (CC BY 3.0 US): kept the
    3-8 letter words common in English text, dropped words that sound like another common word
    (CMU pronouncing dictionary, also checked with British non-rhotic vowels), US spellings, numbers,
    brand names, the obvious words check_password refuses, and anything unkind or unsuitable for
    a school; then read through by hand.
    """
    path = resource_path("assets", "wordlist.txt")
    try:
        words = tuple(dict.fromkeys(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()))
    except OSError:
        words = ()
    if len(words) < MIN_WORD_LIST_SIZE:
        raise ProtectionError(f"The word list for passphrases ({path}) is missing or too short; reinstall the program.")
    return words


def passphrase_entropy_bits(words: int, list_size: int) -> float:
    """Bits of a generated passphrase: the words, each drawn from list_size, plus the two digits."""
    return words * math.log2(list_size) + math.log2(100)


def generate_passphrase(words: int = DEFAULT_PASSPHRASE_WORDS) -> str:
    """A random passphrase easy to read out on the phone, like Maple-Harbour-Candle-Orbit-Lemon-42."""
    if words < 1:
        raise ValueError("words must be at least 1")
    wordlist = load_word_list()
    chosen = [secrets.choice(wordlist).capitalize() for _ in range(words)]
    return "-".join(chosen + [f"{secrets.randbelow(100):02d}"])


def read_password_file(path) -> str:
    """The password on the first line of a text file, without the spaces or newline at its ends."""
    from tracker_desktop.core.reading.inputs import read_input

    path = Path(path)
    # A password file is tiny: an ordinary file of at most 64 KB, never a pipe or a device (which would block).
    raw = read_input(path, limit=64 * 1024, error=ProtectionError, what="the password file")
    # Windows Notepad saves UTF-8, UTF-8 with a byte-order mark, or "Unicode" (UTF-16 with a mark).
    encoding = "utf-16" if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise ProtectionError(f"The password file {path.name} is not a plain text file.") from None
    lines = text.splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise ProtectionError(f"The password file {path.name} is empty: put the password on its first line.")
    return password

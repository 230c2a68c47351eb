"""Reading a written workbook back before it is saved or encrypted.

A workbook can be built without any error and still be unreadable: one character XML 1.0 cannot
hold makes a sheet's XML malformed, and Excel or LibreOffice then show nothing (or only the
header). So every part of the package is parsed again, strictly, before the file is moved into
place or encrypted; a package that does not read back is never saved.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.parsers import expat

from tracker_desktop.core.errors import UserError

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1 << 18  # a quarter of a MB read, decompressed and parsed at a time: little held


class WorkbookDamaged(UserError):
    pass


def check_workbook(data: bytes | Path, name: str) -> None:
    """Raise WorkbookDamaged unless data (the bytes, or the file on the disk they were written
    to) is a zip whose every XML part is well-formed."""
    try:
        with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data)) as package:
            names = package.namelist()
            if "[Content_Types].xml" not in names:
                raise WorkbookDamaged(f"{name} was not saved: the workbook written has no [Content_Types].xml part.")
            for info in package.infolist():
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    _parse(package, info, name)
                else:
                    with package.open(info) as part:  # the CRC of binary parts is checked as they are read
                        while part.read(_CHUNK):
                            pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as e:
        raise WorkbookDamaged(f"{name} was not saved: the workbook written does not read back ({e}).") from None


def _parse(package: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    parser = expat.ParserCreate()
    try:
        with package.open(info) as part:
            while chunk := part.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as e:
        raise WorkbookDamaged(
            f"{name} was not saved: its part {info.filename} does not read back as XML "
            f"(line {e.lineno}, column {e.offset}: {expat.errors.messages[e.code]})."
        ) from None

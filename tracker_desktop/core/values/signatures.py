"""The first bytes that say what kind of file a file is, whatever its name ends with."""
from __future__ import annotations

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, .doc, an encrypted .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"  # a zip package: a plain .xlsx

"""Shared helpers for the non-GUI tests: valid identifiers and small exports built in tmp_path."""
from __future__ import annotations

import io
import os
from pathlib import Path

from tracker_desktop.core.values.identifiers import upn_check_letter

# The shared samples sit beside the repository (../shared/samples), wherever it is cloned.
SAMPLES = Path(os.environ.get("TRACKER_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "samples"))


def make_upn(la_school_year_serial: str) -> str:
    """A valid UPN for the 12 characters after the check letter (e.g. '886412309001')."""
    return upn_check_letter("X" + la_school_year_serial) + la_school_year_serial


def make_uln(first_nine: str) -> str | None:
    """A valid ULN for nine leading digits, or None when no check digit works (remainder 0)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    r = total % 11
    return None if r == 0 else first_nine + str(10 - r)


def xlsx_bytes(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    """A workbook with the given sheets (name, rows), written by openpyxl."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


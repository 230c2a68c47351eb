"""What every reader of an export shares: a cell's text as a spreadsheet shows it, and the error
that says an export cannot be read (a module of its own so that the readers need not import
each other)."""
from __future__ import annotations

import datetime as dt

from tracker_desktop.core.errors import UserError


class ExportError(UserError):
    """The export cannot be read; the message names the file and says why."""


def excel_cell_text(value: object) -> str:
    """A cell as the text a spreadsheet shows: whole floats without '.0', dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)

"""Checking a return workbook someone filled in by hand (in Excel, from KCC's template) with the
same rules as a prepared one. Nothing is written."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from tracker_desktop.core.checking.variant_rules import written_differently
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import Source
from tracker_desktop.core.preparing.opening import known_headers, open_return, parse_day, parse_period
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.naming import Sender, check_sender, sender_from_name
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.values.cleaning import parse_date


class NeedsPassword(UserError):
    """The workbook is encrypted (as a TEP sheet is): ask for its password and check again."""


def check_workbook(return_id: str, path: Path, as_of=None, period: str | None = None, school: str | None = None,
                   college: str | None = None, password: str | None = None) -> Preparation:
    """`school`/`college`: who sends it (from Settings); otherwise read from the file's name.
    `password`: for an encrypted workbook, decrypted in memory only."""
    from tracker_desktop.core.reading.exports import read_export_bytes
    from tracker_desktop.core.reading.inputs import read_input
    from tracker_desktop.core.writing import encryption

    definition = load_definition(return_id)
    path = Path(path)
    sender = _sender(definition, path, school, college)
    month_field = definition.scope.get("date_in_period")
    # A filled return holds only the learners it is about: no scope is applied again.
    definition = dataclasses.replace(definition, scope={}, scope_fields=())
    # Only an ordinary file of a sane size is read: a pipe or a device would block or never end.
    data = read_input(path, what="the workbook to check")
    if encryption.is_encrypted(data):
        if not password:
            raise NeedsPassword(f"{path.name} is protected with a password: give its password to check it.")
        try:
            data = encryption.decrypt(data, password)
        except UserError as e:
            raise UserError(f"{path.name}: {e}") from None
    # The workbook is the template and the export at once.
    template = read_template(path, data=data, known_headers=known_headers(definition))
    known = known_headers(definition) | set(template.headers)
    table = read_export_bytes(path, data, known)
    mapping = {h: (Source((h,)) if h in table.headers else None) for h in template.headers}
    day = parse_day(as_of) if not hasattr(as_of, "year") else as_of
    month = parse_period(period, day) if period else _month_of_return(table, month_field)
    opening = open_return(definition, table, sender=sender, period=month, as_of=day,
                          template=template, mapping=mapping)
    return Preparation(opening, extra_rules=[written_differently])


def _sender(definition, path: Path, school: str | None, college: str | None) -> Sender:
    """The school (or college) the return is named for: the one given (the app passes Settings'),
    else the file's own name. Never a made-up number: a proposed file name must be the one KCC
    needs. Checking alone needs no name, so a workbook named otherwise is still checked, with no
    sender (`sender_known` says so, and nothing should offer to save it under a name)."""
    if school if definition.who == "school" else college:
        return check_sender(definition, school, college)
    return sender_from_name(definition, path.name) or Sender()


def sender_known(prep: Preparation) -> bool:
    return bool(prep.sender.code)


def _month_of_return(table, field: str | None):
    """A monthly return's month, read from its own dates (the latest joining or leaving date),
    so that ages are judged in the right academic year when no --period is given."""
    column = table.column(field) if field else None
    if column is None:
        column = table.column("Start Date")
    if column is None:
        return None
    dates = [d for d in (parse_date(row[column]) for row in table.rows) if d]
    return max(dates).replace(day=1) if dates else None

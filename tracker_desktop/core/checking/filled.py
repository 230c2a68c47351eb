"""Checking a return workbook someone filled in by hand (in Excel, from KCC's template) with the
same rules as a prepared one. Nothing is written."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from tracker_desktop.core.checking.variant_rules import written_differently
from tracker_desktop.core.matching.mapping import Source
from tracker_desktop.core.preparing.opening import known_headers, open_return, parse_day, parse_period
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.naming import Sender
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.values.cleaning import parse_date


def check_workbook(return_id: str, path: Path, as_of=None, period: str | None = None) -> Preparation:
    definition = load_definition(return_id)
    month_field = definition.scope.get("date_in_period")
    # A filled return holds only the learners it is about: no scope is applied again.
    definition = dataclasses.replace(definition, scope={}, scope_fields=())
    # The workbook is the template and the export at once.
    template = read_template(Path(path), known_headers=known_headers(definition))
    table = read_export(Path(path), known_headers(definition) | set(template.headers))
    mapping = {h: (Source((h,)) if h in table.headers else None) for h in template.headers}
    day = parse_day(as_of) if not hasattr(as_of, "year") else as_of
    month = parse_period(period, day) if period else _month_of_return(table, month_field)
    opening = open_return(definition, table, sender=Sender(school="0000000"), period=month, as_of=day,
                          template=template, mapping=mapping)
    return Preparation(opening, extra_rules=[written_differently])


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

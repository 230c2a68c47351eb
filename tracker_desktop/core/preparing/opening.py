"""Opening a return: the one path from a return's definition to everything a Preparation starts
from — definition → who sends it → as-of date → template → export → period → column matching.

Every way of opening a return goes through `open_return`: preparing from an MIS export, filling
TEP's sheet (its workbook is the template), checking a filled-in workbook (the workbook is the
template and the export at once) and the joiners and leavers found by comparing two rolls (a
table built from the movers). Each gives what it already has (a Template, a Table, a sender, a
matching) and the rest is read and decided here, the same way for all.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching import remembered as remembered_matching
from tracker_desktop.core.matching.mapping import ADDRESS_BLOCK, ADDRESS_PARTS, Mapping, propose_mapping, targets
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import ReturnDefinition, load_definition
from tracker_desktop.core.returns.naming import Sender, check_sender
from tracker_desktop.core.returns.scope import Period
from tracker_desktop.core.returns.template import Template, read_template
from tracker_desktop.core.routine.status import default_period
from tracker_desktop.core.values import calendar
from tracker_desktop.core.values.calendar import academic_year_start

Progress = Callable[[str, float], None]


EARLIEST_DAY = dt.date(2000, 1, 1)


def parse_period(text: str | None, as_of: dt.date) -> dt.date:
    """The reporting month typed ('10/2024', 'Oct 2024', '2024-10', or a day in it such as
    '15/10/2024'), within the sane range; the as-of month if none."""
    if not text:
        return as_of.replace(day=1)
    example = "write it as mm/yyyy, e.g. 10/2024 (or Oct 2024, or YYYY-MM)"
    month = calendar.parse_month(text)
    if month is None:
        day = calendar.parse_day(text)
        month = day.replace(day=1) if day is not None else None
    if month is None:
        raise UserError(f"'{text}' is not a month: {example}.")
    sane_range(month, f"The period '{text}'")
    return month


def parse_day(text: str | None) -> dt.date:
    """A typed day (dd/mm/yyyy, or ISO as scripts write it; default today), within the sane range."""
    if not text:
        return dt.date.today()
    day = calendar.parse_day(text)
    if day is None:
        raise UserError(f"'{text}' is not a date: write it as dd/mm/yyyy, e.g. 13/09/2024 (or YYYY-MM-DD).")
    sane_range(day, f"The date '{text}'")
    return day


def sane_range(day: dt.date, what: str) -> None:
    """Returns are about this year: a date before 2000 or more than a year ahead is a typing
    slip (2099 for 2009, 0001), which would otherwise silently leave everyone out."""
    latest = dt.date.today() + dt.timedelta(days=366)
    if not (EARLIEST_DAY <= day <= latest):
        raise UserError(f"{what} is outside the years a return can be for ({EARLIEST_DAY.year} to "
                        f"{latest:%B %Y}): check the year.")


def known_headers(definition: ReturnDefinition) -> set[str]:
    """Every header name an export for this return may have: helps find the header row."""
    names: set[str] = set()
    for meaning in definition.catalog.values():
        names.update(meaning.synonyms)
        names.update(meaning.from_sen)
        for part in (meaning.compose or {}).get("parts", []):
            names.update(part)
    for _, parts in ADDRESS_PARTS:
        names.update(parts)
    names.update(ADDRESS_BLOCK)
    names.update({"Adno", "Admission Number", "Reg", "Reg Group", "Tutor Group", "Form"})
    return names


def with_mandatory(template: Template, definition: ReturnDefinition) -> Template:
    """A template whose highlights were lost (saved through CSV, or TEP's plain sheet) marks no
    column mandatory: then the return's own definition says which are. The template given is
    left as it is; a copy says so."""
    if template.mandatory:
        return template
    shipped = {definition.meaning(h).header: m for h, m in definition.columns}
    columns = [dataclasses.replace(c, mandatory=shipped.get(definition.meaning(c.header).header, False))
               for c in template.columns]
    return dataclasses.replace(template, columns=columns)


@dataclass(frozen=True)
class Opening:
    """Everything a return in progress starts from."""

    definition: ReturnDefinition
    template: Template
    table: Table
    sender: Sender
    month: dt.date  # the first day of the reporting month (any month of the year for a yearly return)
    as_of: dt.date
    mapping: Mapping
    remembered: bool = False  # whether the matching is one the user confirmed before

    @property
    def period(self) -> Period:
        return Period(self.month, academic_year_start(self.month), self.as_of)


def open_return(definition: ReturnDefinition | str, export: Path | Table, *, sender: Sender | None = None,
                school: str | None = None, college: str | None = None, period: str | dt.date | None = None,
                as_of: str | dt.date | None = None, template: Path | Template | None = None,
                mapping: Mapping | None = None, remembered: Mapping | None = None,
                export_headers: Iterable[str] = (), progress: Progress | None = None) -> Opening:
    """Open a return. `export` and `template` are files to read, or what the caller already read
    (None: the return's bundled template). `mapping` is used as given; otherwise a `remembered`
    matching is used where it still fits the export, and the rest is matched afresh. With no
    `period`, the return's default period for the as-of date (`status.default_period`)."""
    if isinstance(definition, str):
        definition = load_definition(definition)
    sender = sender or check_sender(definition, school, college)
    day = as_of if isinstance(as_of, dt.date) else parse_day(as_of)
    if isinstance(period, dt.date):
        month = period.replace(day=1)
    else:
        month = parse_period(period or default_period(definition, day), day)
    headers = known_headers(definition)
    if not isinstance(template, Template):
        if progress:
            progress("Reading the template", 0.0)
        template = read_template(Path(template) if template else definition.template_path, known_headers=headers)
    template = with_mandatory(template, definition)
    if not isinstance(export, Table):
        if progress:
            progress("Reading the export", 0.05)
        export = read_export(Path(export), headers | set(export_headers))
    used = False
    if mapping is None:
        table = export

        def propose() -> Mapping:
            return propose_mapping(table, definition, template.headers)

        mapping, used = remembered_matching.choose(remembered, propose, export, targets(definition, template.headers))
    return Opening(definition, template, export, sender, month, day, mapping, used)

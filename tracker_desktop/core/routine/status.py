"""Where each return stands: when it is next due, which deadlines have passed without a return
prepared for them, when a period was prepared, and the period to prepare by default.

Home, the `returns` command and the clearing-out of old returns all ask these questions; the
answers are decided here only, from the return's definition, the calendar and the history.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from tracker_desktop.core.returns.definitions import ReturnDefinition
from tracker_desktop.core.routine.history import Entry
from tracker_desktop.core.routine.history import entries as history_entries
from tracker_desktop.core.values.calendar import (
    academic_year_label,
    academic_year_start,
    deadlines,
    is_working_day,
    last_working_day,
)

# Deadlines further back are not called overdue: a new user would otherwise see every return in
# red for periods they sent by hand before using the app, and nothing can be done about them now.
OVERDUE_WINDOW = dt.timedelta(days=62)

# From this day of the month a monthly return is prepared for the month that is ending; before
# it, for the month just ended (the deadline is the last working day of the month after).
THIS_MONTH_FROM_DAY = 15

Due = tuple[dt.date, str]  # a deadline and the period it covers ("YYYY-MM" or "2024-25")


class ReturnStatus(NamedTuple):
    """What Home says about a return, and its tag: "overdue", "done" or ""."""

    text: str
    tag: str


def is_month(period: str) -> bool:
    """Whether a period is a month written YYYY-MM (else it is an academic year such as 2024-25)."""
    digits = period.isascii() and period[:4].isdigit() and period[5:].isdigit()
    if len(period) != 7 or period[4:5] != "-" or not digits:
        return False
    return 1 <= int(period[5:]) <= 12


def academic_year_of(period: str) -> str:
    """The academic year a period falls in: '2024-10' -> '2024-25'; '2024-25' stays."""
    text = period.strip()
    if is_month(text):
        return academic_year_label(academic_year_start(dt.date.fromisoformat(text + "-01")))
    return text


def period_key(definition: ReturnDefinition, month_start: dt.date) -> str:
    """How a prepared return is remembered: the month for monthly returns, else the year."""
    if definition.period == "month":
        return f"{month_start.year}-{month_start.month:02d}"
    return academic_year_label(academic_year_start(month_start))


def default_period(definition: ReturnDefinition, today: dt.date | None = None) -> str:
    """Monthly returns: the month just ending (this month from the 15th, else last month).
    Yearly returns: this month, which only selects the academic year."""
    today = today or dt.date.today()
    if definition.period == "month" and today.day < THIS_MONTH_FROM_DAY:
        first = today.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year}-{first.month:02d}"
    return f"{today.year}-{today.month:02d}"


def describe_period(period: str) -> str:
    """'2024-10' -> 'October 2024'; an academic year '2024-25' stays as it is."""
    if is_month(period):
        return f"{dt.date.fromisoformat(period + '-01'):%B %Y}"
    return period


# --- deadlines -------------------------------------------------------------------------------------

def send_by(day: dt.date, closures: Iterable[dt.date] = ()) -> dt.date:
    """The last working day on or before a deadline: KCC's fixed dates (31 January, 25 April...)
    can fall on a weekend or bank holiday, when nobody is in to send the return."""
    closures = tuple(closures)
    while not is_working_day(day, closures):
        day -= dt.timedelta(days=1)
    return day


def describe_due(day: dt.date, closures: Iterable[dt.date] = ()) -> str:
    """A deadline as Home shows it: KCC's date with its weekday, and, when that is not a working
    day, the day to send it by ('Sat 31 Jan 2026 (send by Fri 30 Jan)')."""
    by = send_by(day, closures)
    if by == day:
        return f"{day:%a %d %b %Y}"
    return f"{day:%a %d %b %Y} (send by {by:%a %d %b})"


def next_due(definition: ReturnDefinition, today: dt.date, closures: Iterable[dt.date] = ()) -> Due | None:
    """The next due date on or after today, and the period it covers ("YYYY-MM" or "2024-25").
    `closures` are the school's own closure days (not working days for working-day deadlines)."""
    closures = tuple(closures)
    start = academic_year_start(today)
    for year in (start, start + 1):
        for day, month in deadlines(definition.deadlines, year, closures):
            if day >= today:
                return day, month or academic_year_label(year)
    return None


def _covered(definition: ReturnDefinition, day: dt.date, month: str | None, year: int) -> str:
    if month:
        return month
    if definition.period == "month":  # a monthly return with a fixed-date deadline: that month
        return f"{day:%Y-%m}"
    return academic_year_label(year)


def passed_deadlines(definition: ReturnDefinition, today: dt.date, closures: Iterable[dt.date] = ()) -> list[Due]:
    """The deadlines before today that are looked at: this academic year's, and the latest one
    before it (a yearly return's last deadline is often in the previous academic year)."""
    closures = tuple(closures)
    start = academic_year_start(today)
    passed = sorted((day, _covered(definition, day, month, year)) for year in (start - 1, start)
                    for day, month in deadlines(definition.deadlines, year, closures) if day < today)
    if not passed:
        return []
    this_year = [p for p in passed if academic_year_start(p[0]) == start]
    return this_year or passed[-1:]


def last_passed(definition: ReturnDefinition, today: dt.date, closures: Iterable[dt.date] = ()) -> Due | None:
    """The latest deadline before today, and the period it covered."""
    passed = passed_deadlines(definition, today, closures)
    return passed[-1] if passed else None


def due_date(definition: ReturnDefinition, period: str | dt.date, closures: Iterable[dt.date] = ()) -> dt.date:
    """When a return for a period was due. Monthly returns: the deadline covering that month (or
    the first deadline after it starts, or its last working day); yearly returns: the last
    deadline of that academic year."""
    month = period if isinstance(period, dt.date) else dt.date.fromisoformat(period.strip()[:7] + "-01")
    month = month.replace(day=1)
    closures = tuple(closures)
    dues = deadlines(definition.deadlines, academic_year_start(month), closures)
    if definition.period == "month":
        covering = [d for d, m in dues if m == f"{month:%Y-%m}"]
        if covering:
            return covering[0]
        later = [d for d, _ in dues if d >= month]
        return later[0] if later else last_working_day(month.year, month.month, closures)
    if not dues:
        return last_working_day(month.year, month.month, closures)
    return max(d for d, _ in dues)


# --- what the history says -------------------------------------------------------------------------

def covers(definition: ReturnDefinition, entry: Entry, period: str) -> bool:
    """Whether a history entry is a return prepared for a period: the same month for a monthly
    return asked about a month; otherwise any month of the same academic year."""
    if entry.return_id != definition.id:
        return False
    if definition.period == "month" and is_month(period):
        return entry.period == period
    return entry.academic_year == academic_year_of(period)


def prepared_on(definition: ReturnDefinition, period: str, entries: Iterable[Entry]) -> dt.date | None:
    """When the history says this period was prepared (the latest time), else None."""
    found = [e.prepared_at for e in entries if covers(definition, e, period)]
    if not found:
        return None
    try:
        return dt.datetime.fromisoformat(max(found)).date()
    except ValueError:
        return None


def is_prepared(definition: ReturnDefinition, period: str, entries: Iterable[Entry]) -> bool:
    return any(covers(definition, e, period) for e in entries)


def prepared(folder: Path, return_id: str, period: str) -> bool:
    """Whether a return was prepared for a period: the month (YYYY-MM) for monthly returns; for
    yearly returns any month of the same academic year (or the academic year itself, '2024-25')."""
    from tracker_desktop.core.returns.definitions import load_definition

    return is_prepared(load_definition(return_id), period, history_entries(folder))


def overdue(definition: ReturnDefinition, today: dt.date, entries: Iterable[Entry],
            closures: Iterable[dt.date] = ()) -> list[Due]:
    """The recent deadlines passed with no return prepared for them, earliest first."""
    entries = list(entries)
    return [(day, period) for day, period in passed_deadlines(definition, today, closures)
            if today - day <= OVERDUE_WINDOW and prepared_on(definition, period, entries) is None]


def overdue_month(definition: ReturnDefinition, today: dt.date, entries: Iterable[Entry],
                  closures: Iterable[dt.date] = ()) -> str | None:
    """A monthly return's earliest overdue month (offered first when preparing it), else None."""
    if definition.period != "month":
        return None
    late = overdue(definition, today, entries, closures)
    return late[0][1] if late and is_month(late[0][1]) else None


def status(definition: ReturnDefinition, today: dt.date, entries: Iterable[Entry],
           closures: Iterable[dt.date] = ()) -> ReturnStatus:
    """Overdue (the earliest recent deadline with nothing prepared), else prepared for the period
    next due, else not yet (saying when the last period was prepared)."""
    entries, closures = list(entries), tuple(closures)
    missing = overdue(definition, today, entries, closures)
    if missing:
        day, period = missing[0]
        more = f"  (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        return ReturnStatus(f"OVERDUE: due {day:%a %d %b %Y} ({describe_period(period)}){more}", "overdue")
    due = next_due(definition, today, closures)
    if due:
        when = prepared_on(definition, due[1], entries)
        if when:
            return ReturnStatus(f"Prepared {when:%d %b %Y}", "done")
    last = last_passed(definition, today, closures)
    if last:
        when = prepared_on(definition, last[1], entries)
        if when:
            return ReturnStatus(f"Not yet  ·  {describe_period(last[1])} prepared on {when:%d %b %Y}", "")
    return ReturnStatus("Not yet", "")

"""Academic years, reporting months and working days (England and Wales bank holidays)."""
from __future__ import annotations

import calendar as _cal
import datetime as dt
from functools import lru_cache
from typing import Iterable

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def academic_year_start(day: dt.date) -> int:
    """The September year of the academic year a date falls in (1 Sep - 31 Aug)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def parse_academic_year(text: str, today: dt.date | None = None) -> int:
    """'2025-26' or '2025/26' or '2025/2026' or '2025' -> 2025; a ValueError holding one plain
    sentence for anything else, or for a year before 2000 or after next year."""
    example = f"'{text}' is not an academic year like 2025-26"
    parts = text.strip().replace("/", "-").split("-")
    head = parts[0]
    if len(parts) > 2 or not (head.isascii() and head.isdigit() and len(head) == 4):
        raise ValueError(example)
    start = int(head)
    if len(parts) == 2:
        tail = parts[1]
        if not (tail.isascii() and tail.isdigit() and tail in (f"{(start + 1) % 100:02d}", str(start + 1))):
            raise ValueError(f"{example} (the second year follows the first: {academic_year_label(start)})")
    latest = (today or dt.date.today()).year + 1
    if not 2000 <= start <= latest:
        raise ValueError(f"The academic year '{text}' is outside the years a return can be for "
                         f"(2000-01 to {academic_year_label(latest)}): check the year.")
    return start


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _cal.monthrange(year, month)[1])


@lru_cache(maxsize=32)
def bank_holidays(year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date, closures: Iterable[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in set(closures)


def last_working_day(year: int, month: int, closures: Iterable[dt.date] = ()) -> dt.date:
    closed = set(closures)
    day = month_end(year, month)
    while not is_working_day(day, closed):
        day -= dt.timedelta(days=1)
    return day


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday (Monday 0) of a month: the 2nd Friday of September is (9, 4, 2)."""
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def year_of_month(academic_start: int, month: int) -> int:
    return academic_start if month >= 9 else academic_start + 1


def deadlines(rules: Iterable[dict], academic_start: int, closures: Iterable[dt.date] = ()) -> list[tuple[dt.date, str | None]]:
    """Due dates for one academic year from a definition's deadline rules: (date, month it covers)."""
    out: list[tuple[dt.date, str | None]] = []
    for rule in rules:
        kind = rule["kind"]
        if kind == "fixed":
            year = year_of_month(academic_start, rule["month"])
            out.append((dt.date(year, rule["month"], rule["day"]), None))
        elif kind == "nth-weekday":
            year = year_of_month(academic_start, rule["month"])
            out.append((nth_weekday(year, rule["month"], rule["weekday"], rule["n"]), None))
        elif kind in ("last-working-day", "last-day"):
            for month in rule["months"]:
                # "then each month to September": that September ends the academic year
                year = academic_start + 1 if rule.get("calendar_year") == "second" else year_of_month(academic_start, month)
                due = last_working_day(year, month, closures) if kind == "last-working-day" else month_end(year, month)
                out.append((due, f"{year}-{month:02d}"))
        else:
            raise ValueError(f"unknown deadline kind {kind!r}")
    return sorted(out)

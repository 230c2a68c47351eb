"""Academic years, reporting months and working days (England and Wales bank holidays)."""
from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

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


TABLE_NAME = "bank_holidays.json"  # in templates/, made by `python -m tracker_desktop.core.values.calendar`
TABLE_YEARS = range(2015, 2041)


@lru_cache(maxsize=32)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays of a year, from the table shipped with the app.

    Home works out every return's deadlines before its window shows; computing the holidays
    (the `holidays` library: its import and its rules) took a quarter of a second of that. The
    table is what the library says, written once; a year beyond it is still computed."""
    listed = _table().get(str(year))
    if listed is not None:
        return frozenset(dt.date.fromisoformat(d) for d in listed)
    return computed_bank_holidays(year)


def computed_bank_holidays(year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@lru_cache(maxsize=1)
def _table() -> dict[str, list[str]]:
    import json

    from tracker_desktop.resources import resource_path

    try:
        return json.loads(resource_path("templates", TABLE_NAME).read_text(encoding="utf-8"))["years"]
    except (OSError, ValueError, KeyError):
        return {}  # no table: every year is computed


def write_table(path: Path, years: Iterable[int] = TABLE_YEARS) -> Path:
    """Write the bank holidays table (run again when the library learns of a new holiday)."""
    import json

    table = {str(y): sorted(d.isoformat() for d in computed_bank_holidays(y)) for y in years}
    note = "England and Wales bank holidays, from the holidays library (GB, ENG); made by calendar.write_table"
    path.write_text(json.dumps({"about": note, "years": table}, indent=1) + "\n", encoding="utf-8")
    return path


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


if __name__ == "__main__":
    from tracker_desktop.resources import resource_path

    print(write_table(resource_path("templates", TABLE_NAME)))

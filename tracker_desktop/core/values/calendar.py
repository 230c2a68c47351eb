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


TABLE_NAME = "bank_holidays.json"  # in assets/, made by write_table(resource_path("assets", TABLE_NAME))
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
        return json.loads(resource_path("assets", TABLE_NAME).read_text(encoding="utf-8"))["years"]
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


def deadlines(rules: Iterable[dict], academic_start: int,
              closures: Iterable[dt.date] = ()) -> list[tuple[dt.date, str | None]]:
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
                if rule.get("calendar_year") == "second":
                    year = academic_start + 1
                else:
                    year = year_of_month(academic_start, month)
                due = last_working_day(year, month, closures) if kind == "last-working-day" else month_end(year, month)
                out.append((due, f"{year}-{month:02d}"))
        else:
            raise ValueError(f"unknown deadline kind {kind!r}")
    return sorted(out)


# --- dates and months as the office types them --------------------------------------------------
# One UK style everywhere a person reads or types one: days dd/mm/yyyy, months mm/yyyy. What is
# typed may also be a month's name ('Oct 2024', 'October 2024') or ISO ('2024-10', '2024-10-31').

DAY_SHOWN = "%d/%m/%Y"
MONTH_SHOWN = "%m/%Y"
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(_cal.month_name) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(_cal.month_abbr) if name})
_MONTH_NAMES["sept"] = 9


def parse_month(text: str) -> dt.date | None:
    """The first day of a typed month: '10/2024', '10-2024', '10/24', 'Oct 2024', 'October 2024',
    '2024-10' (ISO) or '2024/10'. None when it is not a month."""
    import re

    value = " ".join(text.strip().replace(",", " ").split()).lower()
    month = year = None
    short = False  # a two-digit year ('10/24'): this century
    m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})", value, re.ASCII)
    if m:
        month, year, short = int(m.group(1)), int(m.group(2)), len(m.group(2)) == 2
    m = m or re.fullmatch(r"(\d{4})\s*[/\-]\s*(\d{1,2})", value, re.ASCII)
    if m and month is None:
        year, month = int(m.group(1)), int(m.group(2))
    m = m or re.fullmatch(r"([a-z]+)\.?[\s\-/]*(\d{4}|\d{2})", value, re.ASCII)
    if m and month is None:
        month, year, short = _MONTH_NAMES.get(m.group(1)), int(m.group(2)), len(m.group(2)) == 2
    if month is None or year is None or not 1 <= month <= 12:
        return None
    if short:
        year += 2000
    if not 1990 <= year <= 2100:
        return None
    return dt.date(year, month, 1)


def parse_day(text: str) -> dt.date | None:
    """A typed day: dd/mm/yyyy (UK order, never US), ISO or '4 Sep 2024'. None when it is not a
    day. (Unlike a cell read from an export, a bare number is not taken as Excel's day count.)"""
    from tracker_desktop.core.values.cleaning import parse_date

    value = text.strip()
    if not value or value.replace(".", "").isdigit():
        return None
    return parse_date(value)


def show_month(period: str | dt.date) -> str:
    """'2024-10' (how a month is kept) -> '10/2024' (how it is shown); an academic year stays."""
    if isinstance(period, dt.date):
        return period.strftime(MONTH_SHOWN)
    parsed = parse_month(period) if len(period.strip()) == 7 and period.strip()[4] == "-" else None
    return parsed.strftime(MONTH_SHOWN) if parsed else period

"""Academic years, months and working days (DOMAIN.md section 2)."""
from __future__ import annotations

import datetime as dt

import pytest

from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.values.calendar import (
    academic_year_label,
    academic_year_start,
    deadlines,
    is_working_day,
    last_working_day,
    month_end,
    nth_weekday,
    parse_academic_year,
)


@pytest.mark.parametrize("year,month,want", [
    (2024, 9, dt.date(2024, 9, 30)),
    (2025, 5, dt.date(2025, 5, 30)),   # 31 May 2025 is a Saturday
    (2025, 8, dt.date(2025, 8, 29)),   # 25 Aug bank holiday is earlier; 30-31 weekend
    (2026, 8, dt.date(2026, 8, 28)),   # 31 Aug 2026 is the summer bank holiday
    (2024, 11, dt.date(2024, 11, 29)),  # 30 Nov 2024 is a Saturday
    (2025, 12, dt.date(2025, 12, 31)),
    (2025, 4, dt.date(2025, 4, 30)),
])
def test_last_working_day(year, month, want):
    assert last_working_day(year, month) == want


def test_closures_move_the_last_working_day_back():
    assert last_working_day(2024, 9, closures=[dt.date(2024, 9, 30)]) == dt.date(2024, 9, 27)


def test_bank_holidays_are_not_working_days():
    assert not is_working_day(dt.date(2026, 8, 31))
    assert not is_working_day(dt.date(2024, 12, 25))
    assert not is_working_day(dt.date(2024, 9, 28))  # Saturday
    assert is_working_day(dt.date(2024, 9, 30))


def test_second_friday_of_september():
    assert nth_weekday(2024, 9, 4, 2) == dt.date(2024, 9, 13)
    assert nth_weekday(2025, 9, 4, 2) == dt.date(2025, 9, 12)


def test_academic_year():
    assert academic_year_start(dt.date(2024, 9, 1)) == 2024
    assert academic_year_start(dt.date(2025, 8, 31)) == 2024
    assert academic_year_label(2024) == "2024-25"
    assert academic_year_label(2099) == "2099-00"
    assert parse_academic_year("2025-26") == 2025
    assert parse_academic_year("2025/26") == 2025
    with pytest.raises(ValueError):
        parse_academic_year("next year")


def test_month_end():
    assert month_end(2024, 2) == dt.date(2024, 2, 29)
    assert month_end(2025, 2) == dt.date(2025, 2, 28)


def test_deadlines_of_the_returns():
    def due(rid: str) -> list[dt.date]:
        return [d for d, _ in deadlines(load_definition(rid).deadlines, 2024)]

    assert due("school-post16-enrolment") == [dt.date(2024, 9, 13)]
    assert due("school-september-guarantee") == [dt.date(2025, 4, 25)]
    assert due("school-intended-destinations") == [dt.date(2025, 1, 31)]
    assert due("college-post16-enrolment") == [dt.date(2024, 9, 27), dt.date(2024, 10, 25)]
    leavers = deadlines(load_definition("school-leavers").deadlines, 2024)
    assert (dt.date(2025, 5, 30), "2025-05") in leavers
    assert (dt.date(2024, 11, 29), "2024-11") in leavers
    assert [m for _, m in leavers] == ["2024-10", "2024-11", "2024-12", "2025-01",
                                       "2025-02", "2025-03", "2025-04", "2025-05"]
    college = deadlines(load_definition("college-leavers").deadlines, 2024)
    assert (dt.date(2024, 11, 30), "2024-11") in college  # colleges: the last day, not working day


def test_unknown_deadline_kind():
    with pytest.raises(ValueError):
        deadlines([{"kind": "whenever"}], 2024)


def test_college_guarantee_runs_to_the_september_ending_the_year():
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.values.calendar import deadlines

    due = [d for d, _ in deadlines(load_definition("college-september-guarantee").deadlines, 2024)]
    assert due[0] == dt.date(2025, 3, 31)
    assert due[-1] == dt.date(2025, 9, 30)
    assert all(d.year == 2025 for d in due)


def test_the_shipped_bank_holidays_are_the_librarys_and_later_years_are_still_known(monkeypatch):
    import sys

    from tracker_desktop.core.values import calendar

    for year in calendar.TABLE_YEARS:
        assert calendar.bank_holidays(year) == calendar.computed_bank_holidays(year), year
    assert dt.date(2023, 5, 8) in calendar.bank_holidays(2023)  # a one-off (the coronation) is in the table
    beyond = calendar.TABLE_YEARS.stop + 3
    calendar.bank_holidays.cache_clear()
    assert dt.date(beyond, 12, 25) in calendar.bank_holidays(beyond)  # computed, not in the table
    # within the table the library is never loaded: what Home's deadlines cost before its window shows
    monkeypatch.delitem(sys.modules, "holidays", raising=False)
    calendar.bank_holidays.cache_clear()
    calendar.bank_holidays(2026)
    assert "holidays" not in sys.modules

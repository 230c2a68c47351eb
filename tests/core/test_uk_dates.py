"""Dates and months typed the UK way, and KCC's deadlines that fall on a weekend."""
from __future__ import annotations

import datetime as dt

import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.opening import parse_day, parse_period
from tracker_desktop.core.routine.status import describe_due, send_by
from tracker_desktop.core.values.calendar import parse_month, show_month


@pytest.mark.parametrize("typed", ["10/2024", "10-2024", "10/24", "Oct 2024", "October 2024", "oct 2024", "2024-10"])
def test_a_month_typed_any_usual_way(typed):
    assert parse_month(typed) == dt.date(2024, 10, 1)


@pytest.mark.parametrize("typed", ["13/2024", "2024-13", "Octember 2024", "", "10", "31/10/2024"])
def test_not_a_month(typed):
    assert parse_month(typed) is None


def test_days_are_uk_order_and_never_a_bare_number():
    assert parse_day("05/03/2025") == dt.date(2025, 3, 5)
    assert parse_day("2025-03-05") == dt.date(2025, 3, 5)
    with pytest.raises(UserError, match="dd/mm/yyyy"):
        parse_day("03/13/2025")
    with pytest.raises(UserError, match="dd/mm/yyyy"):
        parse_day("45000")


def test_period_errors_say_the_uk_form():
    assert parse_period("Oct 2024", dt.date(2024, 11, 1)) == dt.date(2024, 10, 1)
    with pytest.raises(UserError, match="mm/yyyy"):
        parse_period("October", dt.date(2024, 11, 1))


def test_months_are_shown_mm_yyyy():
    assert show_month("2024-10") == "10/2024"
    assert show_month("2024-25") == "2024-25", "an academic year stays as it is"


def test_a_weekend_deadline_says_the_working_day_to_send_by():
    saturday = dt.date(2026, 1, 31)
    assert send_by(saturday) == dt.date(2026, 1, 30)
    assert describe_due(saturday) == "Sat 31 Jan 2026 (send by Fri 30 Jan)"
    assert describe_due(dt.date(2026, 1, 30)) == "Fri 30 Jan 2026"
    assert describe_due(dt.date(2026, 1, 30), closures=[dt.date(2026, 1, 30)]) == "Fri 30 Jan 2026 (send by Thu 29 Jan)"
    assert send_by(dt.date(2025, 12, 28)) == dt.date(2025, 12, 24), "back over Christmas and Boxing Day"

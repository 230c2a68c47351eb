"""Where each return stands (routine/status.py): next due, overdue, prepared, the default period.
Home, the returns command and clearing out old returns all read these answers."""
from __future__ import annotations

import datetime as dt

import pytest

from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.routine import status
from tracker_desktop.core.routine.clear_out import due_date
from tracker_desktop.core.routine.history import Entry

LEAVERS = load_definition("school-leavers")
ENROLMENT = load_definition("school-post16-enrolment")


def entry(return_id: str, period: str, when: str = "2024-11-02T10:00:00") -> Entry:
    start = int(period[:4]) if int(period[5:]) >= 9 else int(period[:4]) - 1
    year = f"{start}-{(start + 1) % 100:02d}"
    return Entry(return_id, period, year, "8864123", "x.xlsx", "/tmp", when, 1, 0, 0, "0" * 64)


def test_next_due_is_the_first_deadline_on_or_after_today_with_its_period():
    assert status.next_due(LEAVERS, dt.date(2024, 11, 5)) == (dt.date(2024, 11, 29), "2024-11")
    assert status.next_due(LEAVERS, dt.date(2024, 10, 31)) == (dt.date(2024, 10, 31), "2024-10"), "due today"
    assert status.next_due(ENROLMENT, dt.date(2024, 10, 1)) == (dt.date(2025, 9, 12), "2025-26")


def test_closure_days_move_a_working_day_deadline():
    assert status.next_due(LEAVERS, dt.date(2026, 5, 20))[0] == dt.date(2026, 5, 29)
    closed = [dt.date(2026, 5, 28), dt.date(2026, 5, 29)]
    assert status.next_due(LEAVERS, dt.date(2026, 5, 20), closed)[0] == dt.date(2026, 5, 27)


def test_overdue_only_recent_deadlines_with_nothing_prepared():
    today = dt.date(2024, 11, 5)
    assert status.overdue(LEAVERS, today, []) == [(dt.date(2024, 10, 31), "2024-10")]
    assert status.overdue(LEAVERS, today, [entry("school-leavers", "2024-10")]) == []
    assert status.overdue(LEAVERS, today, [entry("school-joiners", "2024-10")]), "another return's entry does not count"
    assert status.overdue_month(LEAVERS, today, []) == "2024-10"
    # Months long past are not called overdue (a new user sent them by hand).
    assert all(today - day <= status.OVERDUE_WINDOW for day, _ in status.overdue(LEAVERS, dt.date(2025, 6, 20), []))


def test_status_words_and_tags():
    today = dt.date(2024, 11, 5)
    assert status.status(LEAVERS, today, []) == ("OVERDUE: due Thu 31 Oct 2024 (October 2024)", "overdue")
    done_oct = [entry("school-leavers", "2024-10", "2024-11-02T09:00:00")]
    assert status.status(LEAVERS, today, done_oct) == ("Not yet  ·  October 2024 prepared on 02 Nov 2024", "")
    done_nov = done_oct + [entry("school-leavers", "2024-11", "2024-11-04T09:00:00")]
    assert status.status(LEAVERS, today, done_nov) == ("Prepared 04 Nov 2024", "done")
    assert status.status(LEAVERS, today, done_nov).tag == "done"


def test_a_yearly_return_is_prepared_by_any_month_of_its_academic_year():
    sept = [entry("school-post16-enrolment", "2024-09")]
    assert status.is_prepared(ENROLMENT, "2024-25", sept)
    assert status.is_prepared(ENROLMENT, "2025-03", sept), "a month of the same academic year"
    assert not status.is_prepared(ENROLMENT, "2025-09", sept)
    assert status.prepared_on(ENROLMENT, "2025-03", sept) == dt.date(2024, 11, 2)
    # A monthly return asked about a month wants that month.
    assert status.is_prepared(LEAVERS, "2024-10", [entry("school-leavers", "2024-10")])
    assert not status.is_prepared(LEAVERS, "2024-11", [entry("school-leavers", "2024-10")])


@pytest.mark.parametrize("today, monthly, yearly", [
    (dt.date(2024, 11, 5), "2024-10", "2024-11"),  # early in the month: last month's joiners and leavers
    (dt.date(2024, 11, 15), "2024-11", "2024-11"),
    (dt.date(2025, 1, 3), "2024-12", "2025-01"),  # across the new year
])
def test_default_period(today, monthly, yearly):
    assert status.default_period(LEAVERS, today) == monthly
    assert status.default_period(ENROLMENT, today) == yearly


def test_period_key_and_wording():
    assert status.period_key(LEAVERS, dt.date(2024, 10, 1)) == "2024-10"
    assert status.period_key(ENROLMENT, dt.date(2025, 3, 1)) == "2024-25"
    assert status.describe_period("2024-10") == "October 2024" and status.describe_period("2024-25") == "2024-25"
    assert status.academic_year_of("2025-08") == "2024-25" and status.academic_year_of("2025-09") == "2025-26"


def test_clearing_out_asks_status_when_a_return_was_due():
    for period in ("2024-10", "2025-05"):
        assert due_date("school-leavers", period) == status.due_date(LEAVERS, period)
    assert status.due_date(LEAVERS, "2024-10") == dt.date(2024, 10, 31)
    assert status.due_date(ENROLMENT, "2025-03") == dt.date(2024, 9, 13)


def test_the_returns_command_shows_the_same_next_due(capsys):
    from tracker_desktop.commands import main

    assert main(["returns"]) == 0
    out = capsys.readouterr().out
    due = status.next_due(LEAVERS, dt.date.today())
    line = next(line for line in out.splitlines() if line.startswith("school-leavers "))
    assert (f"next due {due[0]:%a %d %b %Y}" in line) if due else "next due" not in line

"""Deadlines (weekends, bank holidays, closures) and tidying away old returns the app wrote."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.routine.clear_out import add_months, delete, due_date, stale_returns
from tracker_desktop.core.routine.history import Entry, append, sha256_of
from tracker_desktop.core.values.calendar import deadlines, last_working_day


@pytest.mark.parametrize("year, month, expected", [
    (2026, 8, dt.date(2026, 8, 28)),   # 31 Aug 2026 is the summer bank holiday, 29-30 a weekend
    (2025, 8, dt.date(2025, 8, 29)),   # 25 Aug is the bank holiday; 30-31 a weekend
    (2025, 5, dt.date(2025, 5, 30)),   # 31 May 2025 is a Saturday
    (2025, 11, dt.date(2025, 11, 28)),  # 30 Nov 2025 is a Sunday
    (2026, 1, dt.date(2026, 1, 30)),   # 31 Jan 2026 is a Saturday
    (2024, 3, dt.date(2024, 3, 28)),   # 31 Mar 2024 Easter Sunday, 29 Mar Good Friday, 30 Sat
    (2022, 12, dt.date(2022, 12, 30)),  # 31 Dec 2022 is a Saturday
    (2024, 9, dt.date(2024, 9, 30)),   # a Monday: itself
    (2025, 12, dt.date(2025, 12, 31)),  # a Wednesday and not a bank holiday
])
def test_last_working_day(year, month, expected):
    assert last_working_day(year, month) == expected


def test_school_closure_days_move_the_deadline_earlier():
    assert last_working_day(2026, 8, closures=[dt.date(2026, 8, 28)]) == dt.date(2026, 8, 27)
    assert last_working_day(2025, 10, closures=[dt.date(2025, 10, 31), dt.date(2025, 10, 30)]) == dt.date(2025, 10, 29)


def test_monthly_return_calendar_for_an_academic_year():
    due = dict((m, d) for d, m in deadlines(load_definition("school-leavers").deadlines, 2025))
    assert due["2025-11"] == dt.date(2025, 11, 28)
    assert due["2026-01"] == dt.date(2026, 1, 30)
    assert due["2026-05"] == dt.date(2026, 5, 29)  # 25 May 2026 is the bank holiday; 30-31 a weekend
    assert len(due) == 8


@pytest.mark.parametrize("return_id, period, expected", [
    ("school-joiners", "2024-10", dt.date(2024, 10, 31)),
    ("school-joiners", "2025-05", dt.date(2025, 5, 30)),
    ("school-joiners", "2024-09", dt.date(2024, 10, 31)),  # September is optional: the next deadline
    ("college-leavers", "2025-05", dt.date(2025, 5, 31)),  # colleges: the last day, even a Saturday
    ("school-post16-enrolment", "2024-09", dt.date(2024, 9, 13)),  # the 2nd Friday of September
    ("college-post16-enrolment", "2024-10", dt.date(2024, 10, 25)),  # the later of two deadlines
    ("college-september-guarantee", "2026-08", dt.date(2026, 8, 28)),
    ("tep-leaver-destinations", "2024-10", dt.date(2024, 10, 31)),
])
def test_due_date(return_id, period, expected):
    assert due_date(return_id, period) == expected


def test_add_months_clamps_the_day():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 12, 15), 1) == dt.date(2025, 1, 15)


def entry(path: Path, return_id="school-joiners", period="2024-10", sha=None) -> Entry:
    return Entry(return_id, period, "2024-25", "8864123", path.name, str(path.parent), "2024-10-31T10:00:00", 3, 0, 0,
                 sha or sha256_of(path))


def write(path: Path, data: bytes = b"PK-workbook") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_only_unchanged_files_past_deadline_by_more_than_a_month(tmp_path):
    out, data = tmp_path / "out", tmp_path / "data"
    old = write(out / "8864123SchoolJoinersOct.xlsx")
    edited = write(out / "8864123SchoolLeaversOct.xlsx")
    recent = write(out / "8864123SchoolJoinersNov.xlsx")
    gone = out / "8864123SchoolJoinersDec.xlsx"
    append(data, entry(old))
    append(data, entry(edited, "school-leavers"))
    append(data, entry(recent, period="2024-11"))
    append(data, Entry("school-joiners", "2024-12", "2024-25", "8864123", gone.name, str(out), "x", 1, 0, 0, "0" * 64))
    edited.write_bytes(b"changed by the user")
    # Due 31 Oct 2024: stale only after 30 Nov 2024.
    assert stale_returns(data, today=dt.date(2024, 11, 30)) == []
    stale = stale_returns(data, today=dt.date(2024, 12, 1))
    assert [s.path for s in stale] == [old]
    assert stale[0].due == dt.date(2024, 10, 31)
    later = stale_returns(data, today=dt.date(2025, 3, 1))
    assert [s.path.name for s in later] == ["8864123SchoolJoinersOct.xlsx", "8864123SchoolJoinersNov.xlsx"]


def test_delete_removes_only_files_still_unchanged(tmp_path):
    out, data = tmp_path / "out", tmp_path / "data"
    a = write(out / "8864123SchoolJoinersOct.xlsx", b"a")
    b = write(out / "8864123SchoolLeaversOct.xlsx", b"b")
    mine = write(out / "my notes.xlsx", b"notes")
    append(data, entry(a))
    append(data, entry(b, "school-leavers"))
    stale = stale_returns(data, today=dt.date(2025, 1, 1))
    assert len(stale) == 2
    b.write_bytes(b"edited after listing")
    deleted, kept = delete(stale)
    assert deleted == [a] and kept == [b]
    assert not a.exists() and b.exists() and mine.exists()
    assert stale_returns(data, today=dt.date(2025, 1, 1)) == []


def test_unknown_return_in_history_is_left_alone(tmp_path):
    f = write(tmp_path / "out" / "x.xlsx")
    append(tmp_path / "data", entry(f, return_id="a-return-since-withdrawn"))
    assert stale_returns(tmp_path / "data", today=dt.date(2030, 1, 1)) == []


def test_every_file_written_for_an_old_return_is_listed_but_only_returns_count_as_prepared(tmp_path):
    from tracker_desktop.core.checking.problem_list import export_problems
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.routine import history
    from tracker_desktop.core.routine.status import prepared

    prep = Preparation.start("school-leavers",
                             Path(__file__).resolve().parents[3] / "shared" / "samples" / "roll_2024-10.csv",
                             school="8864123", period="2024-10")
    saved = prep.save(tmp_path / "out")
    problems = export_problems(prep, tmp_path / "out" / "leavers problems.xlsx")
    draft = saved.with_suffix(".eml")
    draft.write_bytes(b"To: someone\r\n\r\nbody\r\n")
    folder = tmp_path / "history"
    history.record(folder, prep, problems, kind=history.PROBLEMS)
    history.record(folder, prep, draft, kind=history.DRAFT)
    assert not prepared(folder, "school-leavers", "2024-10"), "a problems list is not the return"
    history.record(folder, prep, saved)
    assert prepared(folder, "school-leavers", "2024-10")
    stale = stale_returns(folder, dt.date(2025, 1, 6))
    assert {s.path.name: s.entry.kind for s in stale} == {saved.name: "return", problems.name: "problems",
                                                        draft.name: "draft"}
    deleted, kept = delete(stale)
    assert set(deleted) == {saved, problems, draft} and not kept

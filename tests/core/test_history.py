"""The local history of prepared returns: what and when, never personal data."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.conftest import make_upn
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.routine.history import FILE_NAME, entries, record, sha256_of
from tracker_desktop.core.routine.status import prepared

HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date,Telephone,Email\n")
UPN = make_upn("886412324001")
ROW = (f"{UPN},Zebedee-Quill,Amy,15/03/2009,F,Year 11,1 High Street,Maidstone,me14 1xx,Jo Quill,07911 123456,N,"
       "07/10/2024,1622246602,amy@example.org")


def prepare(tmp_path: Path, rows: list[str], return_id="school-joiners", period="2024-10"):
    export = tmp_path / "roll.csv"
    export.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    prep = Preparation.start(return_id, export, school="8864123", period=period, as_of="2024-10-31")
    return prep, prep.save(tmp_path / "out")


def test_record_holds_the_facts_of_the_return(tmp_path):
    prep, path = prepare(tmp_path, [ROW, ROW.replace("me14 1xx", "")])
    when = dt.datetime(2024, 10, 31, 15, 4, 5)
    entry = record(tmp_path / "data", prep, path, when=when)
    assert entries(tmp_path / "data") == [entry]
    assert entry.return_id == "school-joiners" and entry.period == "2024-10" and entry.academic_year == "2024-25"
    assert entry.file == "8864123SchoolJoinersOct.xlsx" and entry.path == path.resolve()
    assert entry.rows == 2 and entry.errors == prep.counts()["errors"] > 0 and entry.queries == prep.counts()["queries"]
    assert entry.sha256 == sha256_of(path) and len(entry.sha256) == 64
    assert entry.prepared_at == "2024-10-31T15:04:05"


def test_history_holds_no_personal_data(tmp_path):
    prep, path = prepare(tmp_path, [ROW])
    record(tmp_path / "data", prep, path)
    text = (tmp_path / "data" / FILE_NAME).read_text(encoding="utf-8")
    for personal in (UPN, "Zebedee", "Quill", "Amy", "15/03/2009", "2009-03-15", "ME14", "07911", "246602",
                     "amy@example.org", "High Street"):
        assert personal not in text
    assert set(json.loads(text.splitlines()[0])) == {"return_id", "period", "academic_year", "sender", "file", "folder",
                                                    "prepared_at", "rows", "errors", "queries", "sha256", "accepted",
                                                    "taken_out", "kind"}


def test_entries_append_and_damaged_lines_are_skipped(tmp_path):
    prep, path = prepare(tmp_path, [ROW])
    data = tmp_path / "data"
    record(data, prep, path)
    with open(data / FILE_NAME, "a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write('{"return_id": "x"}\n')
    record(data, prep, path)
    assert len(entries(data)) == 2
    assert entries(tmp_path / "nowhere") == []


def test_prepared_by_month_for_monthly_returns(tmp_path):
    prep, path = prepare(tmp_path, [ROW])
    data = tmp_path / "data"
    assert not prepared(data, "school-joiners", "2024-10")
    record(data, prep, path)
    assert prepared(data, "school-joiners", "2024-10")
    assert not prepared(data, "school-joiners", "2024-11")
    assert not prepared(data, "school-leavers", "2024-10")


def test_prepared_by_academic_year_for_yearly_returns(tmp_path):
    row = ROW.replace("Year 11", "Year 12").replace("15/03/2009", "15/03/2008")
    prep, path = prepare(tmp_path, [row], return_id="school-post16-enrolment", period="2024-09")
    data = tmp_path / "data"
    record(data, prep, path)
    assert prepared(data, "school-post16-enrolment", "2024-09")
    assert prepared(data, "school-post16-enrolment", "2025-03")  # the same academic year
    assert prepared(data, "school-post16-enrolment", "2024-25")
    assert not prepared(data, "school-post16-enrolment", "2025-09")

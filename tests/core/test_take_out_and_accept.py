"""Taking a row out of a return (and putting it back) with the user's reason, and accepting a
query with a note that next month's return remembers, keyed without names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import SAMPLES
from tracker_desktop.core.checking.accepted import FILE_NAME, load_accepted
from tracker_desktop.core.checking.problem_list import HEADERS, export_problems
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.values.identifiers import upn_check_letter

HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date\n")


def upn(serial: str) -> str:
    body = "886412324" + serial
    return upn_check_letter("X" + body) + body


def row(upn_: str, surname: str, forename: str, dob: str, joined: str, year: str = "Year 11") -> str:
    return (f"{upn_},{surname},{forename},{dob},F,{year},1 High Street,Maidstone,ME14 1XX,Jo {surname},"
            f"07911 123456,N,{joined}")


def export(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def joiners(path: Path, period: str) -> Preparation:
    return Preparation.start("school-joiners", path, school="8864123", period=period)


# --- taking a row out ---------------------------------------------------------------------------------

def test_take_out_and_put_back_update_rows_counts_duplicates_and_report(tmp_path):
    twice = upn("001")
    path = export(tmp_path / "roll.csv", [
        row(upn("003"), "Adams", "Ava", "15/03/2009", "07/10/2024"),
        row(twice, "Baker", "Bea", "15/04/2009", "08/10/2024"),
        row(twice, "Baker", "Bea", "15/04/2009", "08/10/2024"),
        row(upn("004"), "Clark", "Cara", "15/05/2009", "09/10/2024"),
    ])
    prep = joiners(path, "2024-10")
    assert len(prep.learners) == 4
    assert {p.row for p in prep.problems if p.rule == "duplicate-learner"} == {1, 2}
    errors_before = prep.counts()["errors"]
    scope_left_out = len(prep.left_out)

    with pytest.raises(UserError, match="why"):
        prep.take_out(2, "   ")
    out = prep.take_out(2, "Same learner as row 3: the MIS has them twice")
    assert out.taken_out and out.source_row == 4 and out.reason.startswith("Same learner")
    assert [learner.source_row for learner in prep.learners] == [2, 3, 5]
    assert not [p for p in prep.problems if p.rule == "duplicate-learner"], "one row left: no duplicate"
    assert prep.counts()["errors"] == errors_before - 2
    assert len(prep.left_out) == scope_left_out + 1 and prep.left_out[-1] == out
    # Problems below the row taken out name the learner's new index (the grid and messages use it).
    prep.set_value(2, "Postcode", "not a postcode")
    assert {p.row for p in prep.problems} == {2} and prep.sheet_row(2) == 4

    report = prep.report(None)
    assert report["rows"] == 3 and [entry["source_row"] for entry in report["learners"]] == [2, 3, 5]
    assert {"source_row": 4, "reason": out.reason, "taken_out": True} in report["left_out"]
    saved = load_workbook(prep.save(tmp_path / "out"), read_only=True).active
    upns = [r[0] for r in saved.iter_rows(min_row=2, values_only=True) if r[0]]
    assert upns == [upn("003"), twice, upn("004")], "the row taken out is not written"

    # Put back where it was: the duplicate is found again.
    assert prep.put_back(4) == 2
    assert [learner.source_row for learner in prep.learners] == [2, 3, 4, 5]
    assert {p.row for p in prep.problems if p.rule == "duplicate-learner"} == {1, 2}
    assert not prep.taken_out and len(prep.left_out) == scope_left_out
    with pytest.raises(UserError):
        prep.put_back(4)


def test_rows_taken_out_stay_out_after_rematching_and_come_back_in_order(tmp_path):
    rows = [row(upn(f"00{i}"), f"Name{chr(65 + i)}", "Ann", "15/03/2009", "07/10/2024") for i in range(1, 6)]
    path = export(tmp_path / "roll.csv", rows)
    prep = joiners(path, "2024-10")
    prep.take_out(3, "left before joining")  # source row 5
    prep.take_out(0, "a test record")  # source row 2
    assert [learner.source_row for learner in prep.learners] == [3, 4, 6]
    prep.remap(dict(prep.mapping))
    assert [learner.source_row for learner in prep.learners] == [3, 4, 6], "kept out after a remap"
    assert [o.source_row for o in prep.taken_out] == [2, 5]
    assert prep.put_back(5) == 2 and prep.put_back(2) == 0
    assert [learner.source_row for learner in prep.learners] == [2, 3, 4, 5, 6]


# --- accepting a query --------------------------------------------------------------------------------

def test_accepted_query_is_remembered_next_month_without_names(tmp_path):
    settings = tmp_path / "settings"
    held_back = upn("010")  # born 2007-08: Year 11 in 2024-25 is normally born 2008-09
    october = export(tmp_path / "oct.csv", [
        row(held_back, "Okonkwo", "Chidera", "20/10/2007", "07/10/2024"),
        row(upn("011"), "Fairweather", "Lila", "20/04/2009", "08/10/2024"),
    ])
    prep = joiners(october, "2024-10")
    prep.use_accepted(load_accepted(settings))
    query = next(p for p in prep.problems if p.rule == "age-year-query")
    assert prep.counts() == {"errors": 0, "queries": 1, "accepted": 0}
    prep.set_value(1, "Postcode", "nowhere")
    error = next(p for p in prep.problems_at(1) if p.severity == "error")
    with pytest.raises(UserError, match="Only a query"):
        prep.accept(error, "it is fine")
    with pytest.raises(UserError, match="name"):
        prep.accept(query, "Chidera was held back a year")
    prep.accept(query, "held back a year — agreed with KCC")
    assert prep.counts() == {"errors": 1, "queries": 0, "accepted": 1}
    assert prep.acceptance(query).note == "held back a year — agreed with KCC"
    report = prep.report(None)
    assert report["counts"]["accepted"] == 1
    noted = [p["accepted"] for p in report["problems"] if p["rule"] == "age-year-query"]
    assert noted == ["held back a year — agreed with KCC"]

    stored = (settings / FILE_NAME).read_text(encoding="utf-8")
    for personal in ("Okonkwo", "Chidera", held_back, "20/10/2007", "2007-10-20", "Fairweather"):
        assert personal not in stored
    assert "held back a year" in stored

    # Next month: a fresh Preparation and a fresh read of the settings folder.
    november = export(tmp_path / "nov.csv", [
        row(held_back, "Okonkwo", "Chidera", "20/10/2007", "04/11/2024"),
        row(upn("012"), "Moreau", "Jules", "20/10/2007", "05/11/2024"),  # another learner, same query: still asked
    ])
    following = joiners(november, "2024-11")
    following.use_accepted(load_accepted(settings))
    queries = [p for p in following.problems if p.rule == "age-year-query"]
    assert len(queries) == 2
    assert following.acceptance(queries[0]).note == "held back a year — agreed with KCC"
    assert following.acceptance(queries[1]) is None
    assert following.counts() == {"errors": 0, "queries": 1, "accepted": 1}

    listed = load_workbook(export_problems(following, tmp_path / "problems.xlsx"), read_only=True).active
    lines = list(listed.iter_rows(values_only=True))
    assert list(lines[0]) == HEADERS
    by_upn = {line[2]: line for line in lines[1:]}
    assert by_upn[held_back][5] == "Query (accepted)" and by_upn[held_back][8] == "held back a year — agreed with KCC"
    assert by_upn[upn("012")][5] == "Query" and not by_upn[upn("012")][8]

    # Withdrawn: asked again, and forgotten in the file too.
    following.withdraw(queries[0])
    assert following.counts()["accepted"] == 0 and len(load_accepted(settings)) == 0


def test_a_damaged_accepted_file_is_forgotten_not_fatal(tmp_path):
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert len(load_accepted(tmp_path)) == 0
    damaged = {"salt": "x", "accepted": {"k": {"age-year-query": {}}}}
    (tmp_path / FILE_NAME).write_text(json.dumps(damaged), encoding="utf-8")
    assert len(load_accepted(tmp_path)) == 0


# --- checking a filled-in return names it after its school ---------------------------------------------

def test_check_filled_names_the_return_after_settings_or_the_file(tmp_path):
    from tracker_desktop.core.checking.filled import check_workbook, sender_known

    prep = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123",
                             period="2024-10")
    saved = prep.save(tmp_path)
    assert saved.name == "8864123SchoolLeaversOct.xlsx"
    from_name = check_workbook("school-leavers", saved)
    assert from_name.output_name == "8864123SchoolLeaversOct.xlsx" and sender_known(from_name)
    renamed = saved.rename(tmp_path / "leavers for KCC.xlsx")
    from_settings = check_workbook("school-leavers", renamed, school="8861234")
    assert from_settings.output_name == "8861234SchoolLeaversOct.xlsx"
    unknown = check_workbook("school-leavers", renamed)
    assert not sender_known(unknown) and "0000000" not in unknown.output_name
    assert unknown.counts() == from_name.counts(), "checking needs no name"

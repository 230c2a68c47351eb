"""Filling TEP's pre-populated sheets: matching, flags, and saving only encrypted."""
from __future__ import annotations

import datetime as dt
import io
import os
import tempfile

import openpyxl
import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.tep import prepare_tep
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.template_builder import build_template
from tracker_desktop.core.writing import encryption as protection

PASSWORD = "Candle-Orbit-Willow-73"
TEP_ROWS = [
    ("TEP1", "Y886412320001", "O'Neill", "Jayden", dt.datetime(2007, 10, 21), 11, "19 Canterbury Road, Ashford",
     "TN23 8NT", "01233 661435"),
    ("TEP2", "", "Johnson", "Poppy", dt.datetime(2008, 5, 21), 11, "94 Tonbridge Road", "DA11 2UW", "01474 479374"),
    ("TEP3", "", "Ahmed", "Evie", dt.datetime(2007, 12, 25), 11, "101 Church Lane", "CT2 8ZU", "01227 274970"),
    ("TEP4", "Q886412320004", "Harris", "George", dt.datetime(2007, 12, 13), 11, "50 Station Road", "TN9 1AY",
     "01732 854102"),
]


def tep_workbook(rows=TEP_ROWS) -> bytes:
    definition = load_definition("tep-leaver-destinations")
    book = openpyxl.load_workbook(io.BytesIO(build_template(definition)))
    ws = book["Return"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    plain = tmp_path / "tep.xlsx"
    plain.write_bytes(tep_workbook())
    export = tmp_path / "destinations.csv"
    export.write_text(
        "UPN,TEP Ref,Surname,Forename,DOB,Destination,Destination Provider,Date Confirmed\n"
        "Y886412320001,,O'Neill,Jayden,21/10/2007,Apprenticeship,Kent Motors Ltd,07/10/2024\n"
        ",TEP2,Johnson,Poppy,,210 - Full-time education - school sixth form,Simon Langton,07/10/2024\n"
        ",,Ahmed,Evie,25/12/2007,330,,07/10/2024\n",
        encoding="utf-8")
    return plain, export


def test_rows_matched_by_upn_then_tep_ref_then_name_and_birth_date(files, tmp_path):
    plain, export = files
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    codes = [learner.values["Destination Activity Code"] for learner in prep.learners]
    assert codes == ["310", "210", "330", ""]
    assert [learner.source_row for learner in prep.learners] == [2, 3, 4, 5]
    rules_by_row = {(p.row, p.column, p.rule) for p in prep.problems}
    assert (2, "Provider or Employer", "required-when") in rules_by_row  # 330 needs an employer
    assert (3, "UPN", "not-matched") in rules_by_row
    assert (3, "Destination Activity Code", "mandatory-missing") in rules_by_row
    assert prep.output_name == "8864123LeaverDestinations2024.xlsx"


def test_saved_only_encrypted_and_tep_rows_kept(files, tmp_path, monkeypatch):
    plain, export = files
    out = tmp_path / "out"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # see anything written to "temp"
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    path = prep.save(out, password=PASSWORD)
    assert sorted(os.listdir(out)) == [path.name]
    assert os.listdir(private_tmp) == []
    data = path.read_bytes()
    assert protection.is_encrypted(data)
    assert PASSWORD.encode() not in data
    ws = openpyxl.load_workbook(io.BytesIO(protection.decrypt(data, PASSWORD)))["Return"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["TEP1", "TEP2", "TEP3", "TEP4"]
    assert ws.cell(2, 10).value == "310"
    assert ws.cell(2, 13).value == dt.datetime(2024, 10, 7)
    assert ws.cell(5, 10).value is None  # unmatched row left for the school to fill


def test_encrypted_prepopulated_needs_the_right_password(files, tmp_path):
    plain, export = files
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(protection.encrypt(plain.read_bytes(), PASSWORD))
    with pytest.raises(UserError, match="password"):
        prepare_tep("tep-leaver-destinations", export, locked, None, "8864123", as_of="2024-10-31")
    with pytest.raises(protection.WrongPassword):
        prepare_tep("tep-leaver-destinations", export, locked, "not-the-password", "8864123", as_of="2024-10-31")
    prep = prepare_tep("tep-leaver-destinations", export, locked, PASSWORD, "8864123", as_of="2024-10-31")
    assert len(prep.learners) == 4


def test_one_row_sheet_round_trips_through_encryption(tmp_path):
    plain = tmp_path / "tiny.xlsx"
    plain.write_bytes(tep_workbook(TEP_ROWS[:1]))
    export = tmp_path / "d.csv"
    export.write_text("UPN,Destination,Provider,Date Confirmed\nY886412320001,310,Kent Motors,07/10/2024\n",
                      encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    assert prep.counts()["errors"] == 0
    path = prep.save(tmp_path / "out", password=PASSWORD)
    ws = openpyxl.load_workbook(io.BytesIO(protection.decrypt(path.read_bytes(), PASSWORD)))["Return"]
    assert ws.cell(2, 11).value == "Kent Motors"


def test_weak_password_refused_and_nothing_written(files, tmp_path):
    plain, export = files
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    with pytest.raises(protection.WeakPassword):
        prep.save(tmp_path / "out", password="password1234")
    assert not (tmp_path / "out").exists() or not os.listdir(tmp_path / "out")


def test_not_a_tep_sheet_is_refused(tmp_path, files):
    _, export = files
    other = tmp_path / "other.xlsx"
    other.write_bytes(build_template(load_definition("school-joiners")))
    with pytest.raises(UserError, match="does not look like TEP"):
        prepare_tep("tep-leaver-destinations", export, other, None, "8864123", as_of="2024-10-31")


def test_future_date_ascertained_is_an_error(tmp_path):
    plain = tmp_path / "t.xlsx"
    plain.write_bytes(tep_workbook(TEP_ROWS[:1]))
    export = tmp_path / "d.csv"
    export.write_text("UPN,Destination,Provider,Date Confirmed\nY886412320001,310,Kent Motors,07/10/2099\n",
                      encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    assert [(p.column, p.rule) for p in prep.problems] == [("Date Ascertained", "date-future")]


def test_unmatched_flag_stays_while_the_row_is_filled_in_by_hand(files):
    plain, export = files
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    prep.set_value(3, "Destination Activity Code", "310")
    rules_on_row = {(p.column, p.rule) for p in prep.problems_at(3)}
    assert ("UPN", "not-matched") in rules_on_row  # Date Ascertained is still to fill
    assert ("Destination Activity Code", "mandatory-missing") not in rules_on_row
    prep.set_value(3, "Date Ascertained", "07/10/2024")
    assert ("UPN", "not-matched") not in {(p.column, p.rule) for p in prep.problems_at(3)}


def test_rows_are_tep_sheet_rows_even_with_a_gap(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(tep_workbook()))
    ws = book["Return"]
    ws.insert_rows(4)  # a blank row inside TEP's list
    plain = tmp_path / "gap.xlsx"
    book.save(plain)
    export = tmp_path / "d.csv"
    export.write_text("UPN,Destination\nQ886412320004,310\n", encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    assert [prep.sheet_row(i) for i in range(len(prep.learners))] == [2, 3, 5, 6]
    report = prep.report(None)
    assert {(p["source_row"], p["row"]) for p in report["problems"]} <= {(r, r) for r in (2, 3, 5, 6)}


def test_wrong_password_names_the_file_and_report_lists_only_school_columns(files, tmp_path):
    plain, export = files
    locked = tmp_path / "TEP list.xlsx"
    locked.write_bytes(protection.encrypt(plain.read_bytes(), PASSWORD))
    with pytest.raises(protection.WrongPassword, match="TEP list.xlsx"):
        prepare_tep("tep-leaver-destinations", export, locked, "Not-The-Password-1", "8864123", as_of="2024-10-31")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    unmatched = prep.report(None)["unmatched_columns"]
    assert "TEP Ref" not in unmatched and "Date of Birth" not in unmatched
    assert set(unmatched) <= set(load_definition("tep-leaver-destinations").school_fills)

"""Who is on each return (DOMAIN.md section 2): learners outside it are left out with a reason."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_upn
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.scope import Period, out_of_scope


def period(month, as_of=None):
    start = dt.date(*month, 1)
    year = start.year if start.month >= 9 else start.year - 1
    return Period(start, year, as_of or start)


def scope(return_id):
    return load_definition(return_id).scope


@pytest.mark.parametrize("year,out",
                         [("Year 9", True), ("10", False), ("13", False), ("", False), ("Reception", False)])
def test_leavers_year_10_and_above(year, out):
    why = out_of_scope(scope("school-leavers"), {"NC Year": year, "Date of Leaving": "10/10/2024"}, period((2024, 10)))
    assert (why is not None) == out
    if out:
        assert "9" in why


@pytest.mark.parametrize("left,out", [("01/10/2024", False), ("31/10/2024", False), ("30/09/2024", True),
                                      ("01/11/2024", True), ("", True), ("not a date", False)])
def test_leavers_left_in_the_month(left, out):
    why = out_of_scope(scope("school-leavers"), {"NC Year": "11", "Date of Leaving": left}, period((2024, 10)))
    assert (why is not None) == out


def test_joiners_by_admission_date():
    s, p = scope("school-joiners"), period((2024, 10))
    assert out_of_scope(s, {"NC Year": "10", "Date of Joining": "07/10/2024"}, p) is None
    why = out_of_scope(s, {"NC Year": "10", "Date of Joining": "04/09/2024"}, p)
    assert "04/09/2024" in why and "Oct 2024" in why


@pytest.mark.parametrize("year,left,out", [
    ("12", "", False), ("13", "", False), ("14", "", False), ("11", "", True),
    ("12", "13/09/2024", True), ("12", "12/09/2024", True), ("12", "14/09/2024", False),
])
def test_post16_enrolment(year, left, out):
    p = period((2024, 9), as_of=dt.date(2024, 9, 13))
    why = out_of_scope(scope("school-post16-enrolment"), {"NC Year": year, "Date of Leaving": left}, p)
    assert (why is not None) == out


@pytest.mark.parametrize("year,out", [("10", True), ("11", False), ("12", False), ("13", True)])
def test_september_guarantee_years_11_and_12(year, out):
    assert (out_of_scope(scope("school-september-guarantee"), {"NC Year": year}, period((2025, 4))) is not None) == out


@pytest.mark.parametrize("dob,ehcp,out", [
    ("01/09/2007", "N", False),  # 16 on 31 Aug 2024
    ("31/08/2006", "N", False),  # 18
    ("31/08/2005", "N", True),   # 19 without an EHC plan
    ("31/08/2005", "Y", False),  # 19 with one
    ("31/08/2000", "Y", False),  # 24 with one
    ("31/08/1999", "Y", True),   # 25
    ("01/09/2008", "N", True),   # 15
    ("", "N", False),            # unknown: stays in for the checks
])
def test_college_age_scope(dob, ehcp, out):
    why = out_of_scope(scope("college-post16-enrolment"), {"Date of Birth": dob, "EHCP": ehcp}, period((2024, 9)))
    assert (why is not None) == out
    if out:
        assert "31 August 2024" in why


def test_left_out_learners_are_listed_with_their_rows(tmp_path):
    u = [make_upn(f"88641230800{i}") for i in range(4)]
    path = tmp_path / "roll.csv"
    path.write_text("UPN,Surname,Year,Leaving Date\n"
                    f"{u[0]},A,Year 9,10/10/2024\n{u[1]},B,Year 11,10/10/2024\n"
                    f"{u[2]},C,Year 11,\n{u[3]},D,Year 12,10/09/2024\n")
    prep = Preparation.start("school-leavers", path, school="8864123", period="2024-10", as_of="2024-10-31")
    assert [learner.source_row for learner in prep.learners] == [3]
    assert [left.source_row for left in prep.left_out] == [2, 4, 5]
    assert all(left.reason for left in prep.left_out)
    report = prep.report(None)
    assert report["rows"] == 1 and [x["source_row"] for x in report["left_out"]] == [2, 4, 5]
    assert report["learners"] == [{"source_row": 3, "row": 2}]


def test_college_guarantee_takes_year_11_applicants():
    # Offers made in March 2025 are for September 2025: a Year 11 pupil born 1 March 2009 is 16 on
    # 31 August 2025 and is exactly who the guarantee is for.
    s = scope("college-september-guarantee")
    p = period((2025, 3), as_of=dt.date(2025, 3, 31))
    assert out_of_scope(s, {"Date of Birth": "01/03/2009"}, p) is None
    assert out_of_scope(s, {"Date of Birth": "01/03/2007"}, p) is not None  # 18 next September


def test_college_learners_are_aged_on_the_31_august_before_their_course_started():
    s = scope("college-post16-enrolment")
    p = period((2024, 10), as_of=dt.date(2024, 10, 31))
    second_year = {"Date of Birth": "15/06/2005", "Start Date": "04/09/2023"}  # 18 on 31/08/2023
    assert out_of_scope(s, second_year, p) is None
    assert out_of_scope(s, {"Date of Birth": "15/06/2005", "Start Date": "04/09/2024"}, p) is not None

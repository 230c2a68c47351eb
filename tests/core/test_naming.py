"""File names exactly as KCC requires them (DOMAIN.md section 2), school 8864123 and college MKC."""
from __future__ import annotations

import datetime as dt

import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns.definitions import load_definition, return_ids
from tracker_desktop.core.returns.naming import Sender, check_sender, file_name, left_year

SCHOOL, COLLEGE = Sender(school="8864123"), Sender(college="MKC")

# (return id, period, as-of, expected name)
CASES = [
    ("school-post16-enrolment", dt.date(2024, 9, 1), dt.date(2024, 9, 13), "8864123SchoolPost16Enrolment2024-25.xlsx"),
    ("school-post16-enrolment", dt.date(2025, 1, 1), dt.date(2025, 1, 10), "8864123SchoolPost16Enrolment2024-25.xlsx"),
    ("school-joiners", dt.date(2024, 10, 1), dt.date(2024, 10, 31), "8864123SchoolJoinersOct.xlsx"),
    ("school-joiners", dt.date(2025, 5, 1), dt.date(2025, 5, 30), "8864123SchoolJoinersMay.xlsx"),
    ("school-leavers", dt.date(2024, 12, 1), dt.date(2024, 12, 20), "8864123SchoolLeaversDec.xlsx"),
    ("school-september-guarantee", dt.date(2025, 4, 1), dt.date(2025, 4, 25),
     "8864123SchoolSeptemberGuarantee2025.xlsx"),
    ("school-september-guarantee", dt.date(2024, 10, 1), dt.date(2024, 10, 25),
     "8864123SchoolSeptemberGuarantee2025.xlsx"),
    ("school-intended-destinations", dt.date(2025, 1, 1), dt.date(2025, 1, 31),
     "8864123SchoolIntendedDestinations2024-25.xlsx"),
    ("tep-leaver-destinations", dt.date(2024, 10, 1), dt.date(2024, 10, 31), "8864123LeaverDestinations2024.xlsx"),
    ("tep-leaver-destinations", dt.date(2025, 4, 1), dt.date(2025, 4, 30), "8864123LeaverDestinations2024.xlsx"),
    ("tep-no-offer", dt.date(2025, 6, 1), dt.date(2025, 6, 30), "8864123NoOfferIntelligence2025.xlsx"),
    ("college-post16-enrolment", dt.date(2024, 9, 1), dt.date(2024, 9, 27), "MKCCollegePost16Enrolment2024-25.xlsx"),
    ("college-joiners", dt.date(2024, 11, 1), dt.date(2024, 11, 30), "MKCCollegeJoinersNov.xlsx"),
    ("college-leavers", dt.date(2025, 3, 1), dt.date(2025, 3, 31), "MKCCollegeLeaversMar.xlsx"),
    ("college-september-guarantee", dt.date(2025, 3, 1), dt.date(2025, 3, 31), "MKCCollegeSeptemberGuaranteeMar.xlsx"),
    ("college-september-guarantee", dt.date(2025, 9, 1), dt.date(2025, 9, 30), "MKCCollegeSeptemberGuaranteeSep.xlsx"),
]


@pytest.mark.parametrize("return_id,period,as_of,want", CASES, ids=[f"{c[0]}-{c[1]:%Y-%m}" for c in CASES])
def test_file_names(return_id, period, as_of, want):
    d = load_definition(return_id)
    sender = SCHOOL if d.who == "school" else COLLEGE
    assert file_name(d, sender, period, as_of) == want


def test_every_return_id_is_named():
    assert {c[0] for c in CASES} == set(return_ids())
    assert len(return_ids()) == 11


def test_left_year():
    assert left_year(dt.date(2024, 10, 31)) == 2024
    assert left_year(dt.date(2024, 8, 31)) == 2024
    assert left_year(dt.date(2024, 8, 30)) == 2023
    assert left_year(dt.date(2025, 1, 15)) == 2024


def test_check_sender():
    school = load_definition("school-leavers")
    college = load_definition("college-leavers")
    assert check_sender(school, " 8864123 ", None) == SCHOOL
    assert check_sender(college, None, "mkc") == COLLEGE
    for bad in ("886412", "88641234", "886-4123", "", None):
        with pytest.raises(UserError):
            check_sender(school, bad, None)
    for bad in ("M", "MKC1", "", None):
        with pytest.raises(UserError):
            check_sender(college, None, bad)
    with pytest.raises(UserError):
        check_sender(school, None, "MKC")  # a college code for a school return


def test_school_number_accepts_the_dfe_number_alone_and_refuses_other_las():
    from tracker_desktop.core.errors import UserError
    from tracker_desktop.core.returns.naming import check_sender

    d = load_definition("school-joiners")
    assert check_sender(d, "4123", None).school == "8864123"
    assert check_sender(d, "886 4123", None).school == "8864123"
    with pytest.raises(UserError, match="Kent school number"):
        check_sender(d, "1234567", None)

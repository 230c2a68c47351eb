"""Return definitions as data, against DOMAIN.md sections 2, 3 and 4."""
from __future__ import annotations

import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns.definitions import code_lists, eet_codes, load_definition, return_ids

LEARNER_BLOCK = [
    ("UPN", True), ("Legal Surname", True), ("Legal Forename", True), ("Middle Name(s)", False),
    ("Preferred Surname", False), ("Preferred Forename", False), ("Date of Birth", True), ("Gender", True),
    ("NC Year", True), ("Address Line 1", True), ("Address Line 2", False), ("Address Line 3", False), ("Town", True),
    ("County", False), ("Postcode", True), ("Home Telephone", False), ("Young Person Mobile", False),
    ("Parent/Carer Name", True), ("Parent/Carer Telephone", True), ("Email", False), ("EHCP", True),
]
NO_ADDRESS = [c for c in LEARNER_BLOCK if c[0] not in ("Address Line 1", "Address Line 2", "Address Line 3", "Town",
                                                       "County", "Postcode", "Email")]
COLLEGE_BLOCK = [("ULN", True), ("UPN", False)] + LEARNER_BLOCK[1:]
COLLEGE_TAIL = [("Study Programme", True), ("Core Aim", True), ("Start Date", True), ("Planned End Date", True),
                ("Attendance", True)]
GUARANTEE_TAIL = [("Guarantee Status", True), ("Offer Type", False), ("Offer Provider", False),
                  ("Course Offered", False), ("Course Level", False), ("Offer Date", False)]

COLUMNS = {
    "school-post16-enrolment": LEARNER_BLOCK + [("Start Date", True), ("Study Programme", True),
                                                ("Qualification Level", True), ("Attendance", True)],
    "school-joiners": LEARNER_BLOCK + [("Date of Joining", True), ("Previous Establishment", False)],
    "school-leavers": LEARNER_BLOCK + [("Date of Leaving", True), ("Reason for Leaving", True), ("Destination", True),
                                       ("Destination Establishment or Employer", False)],
    "school-september-guarantee": NO_ADDRESS + GUARANTEE_TAIL,
    "school-intended-destinations": NO_ADDRESS + [("Intended Destination", True)],
    "college-post16-enrolment": COLLEGE_BLOCK + COLLEGE_TAIL,
    "college-joiners": COLLEGE_BLOCK + COLLEGE_TAIL + [("Date of Joining", True)],
    "college-leavers": COLLEGE_BLOCK + COLLEGE_TAIL + [("Date of Leaving", True), ("Destination", True)],
}


def test_eleven_returns():
    assert return_ids() == sorted([
        "school-post16-enrolment", "school-joiners", "school-leavers", "school-september-guarantee",
        "school-intended-destinations", "tep-leaver-destinations", "tep-no-offer", "college-post16-enrolment",
        "college-joiners", "college-leavers", "college-september-guarantee"])


@pytest.mark.parametrize("return_id", sorted(COLUMNS))
def test_columns_follow_the_domain(return_id):
    assert list(load_definition(return_id).columns) == COLUMNS[return_id]


def test_college_september_guarantee_columns():
    cols = list(load_definition("college-september-guarantee").columns)
    assert cols[:2] == [("ULN", True), ("UPN", False)]
    assert cols[-len(GUARANTEE_TAIL):] == GUARANTEE_TAIL


def test_tep_returns():
    leavers = load_definition("tep-leaver-destinations")
    assert leavers.prepopulated and leavers.sent_to == "TEP"
    assert [h for h, _ in leavers.columns][:9] == ["TEP Ref", "UPN", "Legal Surname", "Legal Forename", "Date of Birth",
                                                   "Year Left", "Address", "Postcode", "Telephone"]
    assert {h for h, m in leavers.columns if m} == {"Destination Activity Code", "Date Ascertained"}
    no_offer = load_definition("tep-no-offer")
    assert no_offer.prepopulated and {h for h, m in no_offer.columns if m} == {"Current Intelligence"}


@pytest.mark.parametrize("return_id", sorted(COLUMNS))
def test_who_sends_and_identity(return_id):
    d = load_definition(return_id)
    assert d.who == return_id.split("-")[0]
    assert d.identity == ("ULN" if d.who == "college" else "UPN")
    assert d.sent_to == "MI"
    assert d.template_path.exists()


def test_column_types():
    d = load_definition("college-leavers")
    kinds = {h: d.meaning(h).type for h, _ in d.columns}
    assert kinds["ULN"] == "uln" and kinds["UPN"] == "upn"
    assert kinds["Date of Birth"] == kinds["Start Date"] == kinds["Date of Leaving"] == "date"
    assert kinds["Home Telephone"] == kinds["Parent/Carer Telephone"] == "phone"
    assert kinds["Postcode"] == "postcode" and kinds["NC Year"] == "ncyear" and kinds["Core Aim"] == "aim"
    assert d.meaning("Destination").codes == "activity"
    assert d.meaning("Date of Birth").not_future


def test_unknown_header_is_carried_as_text():
    m = load_definition("school-leavers").meaning("Favourite Colour")
    assert m.type == "text" and m.synonyms == ("Favourite Colour",)


def test_header_spelling_variants_keep_their_meaning():
    d = load_definition("school-leavers")
    assert d.meaning("Post Code").type == "postcode"
    assert d.meaning("date of birth").type == "date"


def test_unknown_return():
    with pytest.raises(UserError) as e:
        load_definition("school-nothing")
    assert "school-leavers" in str(e.value)


def test_activity_codes_per_nccis():
    activity = code_lists()["activity"]
    want = ("110 120 130 140 150 210 220 230 240 250 260 270 280 290 310 320 330 340 350 360 380 381 550 "
            "410 430 440 450 460 530 540 610 615 616 619 620 630 640 650 660 670 680 710 720 810 820 830").split()
    assert sorted(activity) == sorted(want)
    assert activity["310"] == "Apprenticeship"


def test_eet_codes():
    want = [c for c in code_lists()["activity"] if "210" <= c <= "460"] + ["530", "550"]
    assert sorted(eet_codes()) == sorted(set(want))


def test_other_code_lists():
    lists = code_lists()
    assert sorted(lists["guarantee-status"]) == sorted("110 114 115 120 122 123 124 140 150 151 153 154 159".split())
    assert sorted(lists["intended-destination"]) == sorted("111 121 211 311 321 411 511 611".split())
    assert sorted(lists["gender"]) == ["F", "M", "U", "W"]
    assert sorted(lists["level"]) == ["1", "2", "3", "4", "E"]
    assert sorted(lists["attendance"]) == ["FT", "PT"]
    assert len(lists["reason-for-leaving"]) == 7


def test_scopes():
    assert load_definition("school-post16-enrolment").scope["nc_years"] == [12, 13, 14]
    assert load_definition("school-september-guarantee").scope["nc_years"] == [11, 12]
    assert load_definition("school-intended-destinations").scope["nc_years"] == [11]
    assert load_definition("school-joiners").scope == {"nc_year_from": 10, "date_in_period": "Date of Joining"}
    assert load_definition("school-leavers").scope == {"nc_year_from": 10, "date_in_period": "Date of Leaving"}
    assert load_definition("college-post16-enrolment").scope["age_on_31_august"] == {"from": 16, "to": 18,
                                                                                     "with_ehcp_to": 24}
    assert load_definition("college-september-guarantee").scope["age_on_31_august"] == {"from": 16, "to": 17,
                                                                                        "of_september_offered": True}


def test_a_template_header_renamed_to_a_synonym_keeps_its_meaning():
    d = load_definition("school-joiners")
    assert d.meaning("DOB").type == "date"
    assert d.meaning("DOB").not_future
    assert d.meaning("Post Code").type == "postcode"
    # a real header name always wins over another column's synonym
    assert d.meaning("Telephone").header == "Telephone"
    assert d.meaning("Something New").type == "text"

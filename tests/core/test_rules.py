"""The checks (DOMAIN.md sections 3.3, 4 and 5): every rule fires, with the right severity, on the
column a user has to fix."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_upn
from tracker_desktop.core.checking import rules
from tracker_desktop.core.checking.rules import ERROR, QUERY, RULES, CheckContext, check_duplicates, check_learner
from tracker_desktop.core.returns.definitions import load_definition

AS_OF = dt.date(2024, 10, 31)
UPN = make_upn("886412308001")


def ctx(return_id="school-leavers", mandatory=None, dropdowns=None, as_of=AS_OF, academic_year=2024):
    d = load_definition(return_id)
    return CheckContext(d, frozenset(mandatory if mandatory is not None else (h for h, m in d.columns if m)),
                        as_of, academic_year, dropdowns or {})


def good_leaver(**over):
    values = {
        "UPN": UPN, "Legal Surname": "Smith", "Legal Forename": "Jo", "Date of Birth": "01/02/2008", "Gender": "F",
        "NC Year": "12", "Address Line 1": "12 High Street", "Town": "Maidstone", "Postcode": "ME15 6AA",
        "Home Telephone": "01622 123456", "Young Person Mobile": "07911 123456", "Parent/Carer Name": "Ann Smith",
        "Parent/Carer Telephone": "07911 123457", "Email": "ann.smith@example.org", "EHCP": "N",
        "Date of Leaving": "10/10/2024", "Reason for Leaving": "Other", "Destination": "310",
        "Destination Establishment or Employer": "Acme Ltd",
    }
    values.update(over)
    return values


def run(values, c=None, return_id="school-leavers"):
    c = c or ctx(return_id)
    columns = [h for h, _ in c.definition.columns]
    return check_learner(c, 0, values, columns)


def found(values, **kw):
    return {(p.column, p.rule, p.severity) for p in run(values, **kw)}


def test_a_good_learner_has_no_problems():
    assert run(good_leaver()) == []


# --- every rule fires -----------------------------------------------------------------------------

def _college(**over):
    values = {k: v for k, v in good_leaver().items()
              if k not in ("Date of Leaving", "Reason for Leaving", "Destination",
                           "Destination Establishment or Employer")}
    values.update({"ULN": "1000000043", "UPN": "", "Study Programme": "A levels", "Core Aim": "ZPROG001",
                   "Start Date": "02/09/2024", "Planned End Date": "30/06/2026", "Attendance": "FT",
                   "Date of Joining": "02/09/2024"})
    values.update(over)
    return values


MINIMAL = [
    ("mandatory-missing", "Legal Surname", "school-leavers", good_leaver(**{"Legal Surname": ""})),
    ("required-when", "Destination Establishment or Employer", "school-leavers",
     good_leaver(**{"Destination Establishment or Employer": ""})),
    ("upn-invalid", "UPN", "school-leavers", good_leaver(UPN="C801200005001")),
    ("upn-temporary", "UPN", "school-leavers", good_leaver(UPN="J88612342400A")),
    ("uln-invalid", "ULN", "college-joiners", _college(ULN="1000000044")),
    ("uln-not-known", "ULN", "college-joiners", _college(ULN="9999999999")),
    ("date-invalid", "Date of Leaving", "school-leavers", good_leaver(**{"Date of Leaving": "31/02/2024"})),
    ("date-future", "Date of Birth", "school-leavers", good_leaver(**{"Date of Birth": "01/01/2025"})),
    ("age-year-query", "Date of Birth", "school-leavers", good_leaver(**{"NC Year": "13"})),
    ("age-year-error", "Date of Birth", "school-leavers", good_leaver(**{"NC Year": "14"})),
    ("ncyear-invalid", "NC Year", "school-leavers", good_leaver(**{"NC Year": "Reception"})),
    ("postcode-invalid", "Postcode", "school-leavers", good_leaver(Postcode="ME15")),
    ("phone-invalid", "Home Telephone", "school-leavers", good_leaver(**{"Home Telephone": "12345"})),
    ("email-query", "Email", "school-leavers", good_leaver(Email="ann.smith@example")),
    ("code-invalid", "Destination", "school-leavers", good_leaver(Destination="999")),
    ("code-not-allowed", "Destination", "school-leavers", good_leaver(Destination="110")),
    ("aim-invalid", "Core Aim", "college-joiners", _college(**{"Core Aim": "ZPROG"})),
    ("unreadable-character", "Legal Forename", "school-leavers", good_leaver(**{"Legal Forename": "Sio\ufffdhan"})),
]


@pytest.mark.parametrize("rule,column,return_id,values", MINIMAL, ids=[m[0] for m in MINIMAL])
def test_rule_fires_in_a_minimal_case(rule, column, return_id, values):
    got = run(values, return_id=return_id)
    assert [(p.column, p.rule) for p in got] == [(column, rule)], got
    assert got[0].severity == RULES[rule].severity
    assert got[0].message and "{" not in got[0].message


def test_number_invalid_on_a_whole_number_column():
    c = ctx("tep-leaver-destinations", mandatory=())
    got = check_learner(c, 0, {"Year Left": "eleven"}, ["Year Left"])
    assert [(p.column, p.rule, p.severity) for p in got] == [("Year Left", "number-invalid", ERROR)]
    assert check_learner(c, 0, {"Year Left": "11"}, ["Year Left"]) == []


def test_duplicate_learner_marks_every_row():
    got = check_duplicates("UPN", [UPN, "B801200005001", UPN.lower(), "", "", UPN])
    assert sorted(p.row for p in got) == [0, 2, 5]
    assert {(p.column, p.rule, p.severity) for p in got} == {("UPN", "duplicate-learner", ERROR)}
    assert all("3 rows" in p.message for p in got)


def test_no_duplicates_among_blanks():
    assert check_duplicates("ULN", ["", " ", "1000000043"]) == []


def test_not_matched_is_a_query_naming_the_export():
    # Raised by the TEP filler for a pre-populated row the school's export does not mention.
    p = rules.problem(4, "UPN", "not-matched", detail="destinations.csv")
    assert (p.rule, p.severity) == ("not-matched", QUERY)
    assert "destinations.csv" in p.message


def test_every_rule_is_covered_with_its_severity():
    # written-differently: tests/test_cli.py (check); row-damaged: tests/core/test_hostile_input.py
    covered = {m[0] for m in MINIMAL} | {"number-invalid", "duplicate-learner", "not-matched", "written-differently",
                                         "row-damaged"}
    covered |= {"cell-too-long", "tep-formula"}  # core/checking/output_rules.py: tests/core/test_safe_output.py
    assert covered == set(RULES), "a new rule needs a minimal case here"
    want = {"upn-temporary": QUERY, "uln-not-known": QUERY, "age-year-query": QUERY, "email-query": QUERY,
            "not-matched": QUERY, "tep-formula": QUERY, "row-damaged": QUERY}
    for rule_id, rule in RULES.items():
        assert rule.severity == want.get(rule_id, ERROR), rule_id
        assert rule.title and rule.description


# --- identifiers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("upn", ["B801200005001", "Y886123424001"])
def test_valid_upns(upn):
    assert found(good_leaver(UPN=upn)) == set()


def test_temporary_upn_is_a_query_only():
    assert found(good_leaver(UPN="J88612342400A")) == {("UPN", "upn-temporary", QUERY)}


@pytest.mark.parametrize("upn", ["C801200005001", "A886123424001", "B80120000500", "B8012000050011", "8801200005001",
                                 "B8012000O5001", "I801200005001"])
def test_bad_upns_are_errors(upn):
    assert found(good_leaver(UPN=upn)) == {("UPN", "upn-invalid", ERROR)}


def test_upn_from_an_la_missing_from_stdnum_is_valid():
    from stdnum.exceptions import ValidationError
    from stdnum.gb import upn as stdnum_upn

    upn = make_upn("940123424001")  # LA 940 (North Northamptonshire, 2021)
    with pytest.raises(ValidationError):
        stdnum_upn.validate(upn)  # python-stdnum would reject it ...
    assert found(good_leaver(UPN=upn)) == set()  # ... we must not


@pytest.mark.parametrize("uln", ["1000000043", "9276308686"])
def test_valid_ulns(uln):
    assert found(_college(ULN=uln), return_id="college-joiners") == set()


@pytest.mark.parametrize("uln", ["1000000044", "0000000043", "100000004", "10000000431", "10000O0043"])
def test_bad_ulns(uln):
    assert found(_college(ULN=uln), return_id="college-joiners") == {("ULN", "uln-invalid", ERROR)}


def test_placeholder_uln_is_a_query():
    assert found(_college(ULN="9999999999"), return_id="college-joiners") == {("ULN", "uln-not-known", QUERY)}


# --- dates and age -----------------------------------------------------------------------------------

@pytest.mark.parametrize("year,rule", [("12", None), ("11", "age-year-query"), ("13", "age-year-query"),
                                       ("10", "age-year-error"), ("14", "age-year-error")])
def test_age_against_year(year, rule):
    # Born 1 Feb 2008: 16 on 31 August 2024, so Year 12 in 2024-25.
    values = good_leaver(**{"NC Year": year, "Destination": "810" if int(year) >= 12 else "150",
                            "Destination Establishment or Employer": ""})
    got = found(values)
    if rule is None:
        assert got == set()
    else:
        assert got == {("Date of Birth", rule, RULES[rule].severity)}


def test_age_uses_the_returns_academic_year_not_today():
    values = good_leaver()
    assert found(values, c=ctx(academic_year=2024)) == set()
    in_october = found(values, c=ctx(academic_year=2025, as_of=dt.date(2025, 10, 31)))
    assert ("Date of Birth", "age-year-query", QUERY) in in_october


@pytest.mark.parametrize("dob,year", [("01/09/2007", "12"), ("31/08/2008", "12")])
def test_year_12_birth_range_edges(dob, year):
    assert found(good_leaver(**{"Date of Birth": dob, "NC Year": year})) == set()


def test_date_after_as_of_only_where_impossible():
    later = "01/11/2024"
    assert found(good_leaver(**{"Date of Birth": later})) >= {("Date of Birth", "date-future", ERROR)}
    assert found(good_leaver(**{"Date of Leaving": later})) == set()  # a leaving date may be planned
    joiners = ctx("school-joiners")
    cols = ["Date of Joining"]
    assert [p.rule for p in check_learner(joiners, 0, {"Date of Joining": later}, cols)] == ["date-future"]
    assert check_learner(joiners, 0, {"Date of Joining": "31/10/2024"}, cols) == []


# --- NCCIS cross-rules --------------------------------------------------------------------------------

@pytest.mark.parametrize("code,year,ok", [
    ("110", "11", True), ("150", "10", True), ("110", "12", False), ("150", "13", False),
    ("310", "12", True), ("810", "13", True), ("310", "11", False), ("810", "10", False),
])
def test_110_150_only_for_year_11_and_below(code, year, ok):
    dob = {"10": "01/02/2010", "11": "01/02/2009", "12": "01/02/2008", "13": "01/02/2007"}[year]
    values = good_leaver(**{"Destination": code, "NC Year": year, "Date of Birth": dob})
    got = {(c, r) for c, r, _ in found(values)} - {("Destination Establishment or Employer", "required-when")}
    assert got == (set() if ok else {("Destination", "code-not-allowed")})


@pytest.mark.parametrize("code", ["280", "460"])
def test_280_and_460_need_ehcp(code):
    assert found(good_leaver(Destination=code, EHCP="Y")) == set()
    assert found(good_leaver(Destination=code, EHCP="N")) == {("Destination", "code-not-allowed", ERROR)}


def test_650_with_gender_m():
    assert found(good_leaver(Destination="650", Gender="F", **{"Destination Establishment or Employer": ""})) == set()
    assert found(good_leaver(Destination="650", Gender="M", **{"Destination Establishment or Employer": ""})) == {
        ("Destination", "code-not-allowed", ERROR)}


def _guarantee(status, year):
    dob = {"11": "01/02/2009", "12": "01/02/2008"}[year]
    return {"UPN": UPN, "Legal Surname": "Smith", "Legal Forename": "Jo", "Date of Birth": dob, "Gender": "F",
            "NC Year": year, "Postcode": "ME15 6AA", "Parent/Carer Name": "Ann Smith",
            "Parent/Carer Telephone": "07911 123457", "EHCP": "N", "Guarantee Status": status}


@pytest.mark.parametrize("status", ["114", "115"])
def test_114_and_115_year_12_only(status):
    c = ctx("school-september-guarantee", academic_year=2024, as_of=dt.date(2025, 4, 25))
    assert found(_guarantee(status, "12"), c=c) == set()
    assert found(_guarantee(status, "11"), c=c) == {("Guarantee Status", "code-not-allowed", ERROR)}


def test_offer_made_needs_the_offer_details():
    c = ctx("school-september-guarantee", academic_year=2024, as_of=dt.date(2025, 4, 25))
    got = found(_guarantee("110", "11"), c=c)
    assert {col for col, rule, _ in got if rule == "required-when"} == {
        "Offer Type", "Offer Provider", "Course Offered", "Course Level", "Offer Date"}
    assert found(_guarantee("151", "11"), c=c) == set()


def test_destination_establishment_needed_for_eet_codes_only():
    assert ("Destination Establishment or Employer", "required-when", ERROR) in found(
        good_leaver(Destination="530", **{"Destination Establishment or Employer": ""}))
    assert found(good_leaver(Destination="810", **{"Destination Establishment or Employer": ""})) == set()


def test_empty_destination_suggests_a_code():
    got = [p for p in run(good_leaver(Destination="", **{"Destination Establishment or Employer": ""}))]
    assert [(p.column, p.rule) for p in got] == [("Destination", "mandatory-missing")]
    assert "810" in got[0].message and "150" in got[0].message


def test_tep_destination_code_range():
    c = ctx("tep-leaver-destinations", mandatory=())
    cols = ["Destination Activity Code"]
    assert [p.rule for p in check_learner(c, 0, {"Destination Activity Code": "150"}, cols)] == ["code-not-allowed"]
    assert check_learner(c, 0, {"Destination Activity Code": "810"}, cols) == []


# --- e-mail, phones, dropdowns ---------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["ann.o'brien@example.org", "ann+school@example.co.uk", "ann-smith@ex-ample.org"])
def test_good_emails(email):
    assert found(good_leaver(Email=email)) == set()


@pytest.mark.parametrize("email", ["ann.smith@example", "ann smith@example.org", "ann@@example.org", "ann.example.org",
                                   "ann@exa mple.org"])
def test_odd_emails_are_queries(email):
    assert found(good_leaver(Email=email)) == {("Email", "email-query", QUERY)}


@pytest.mark.parametrize("phone", ["01622 123456", "07911 123456", "020 7946 0000", "7911123456"])
def test_good_phones(phone):
    assert found(good_leaver(**{"Home Telephone": phone})) == set()


@pytest.mark.parametrize("phone", ["12345", "07911 12345", "00000 000000", "telephone"])
def test_bad_phones(phone):
    assert found(good_leaver(**{"Home Telephone": phone})) == {("Home Telephone", "phone-invalid", ERROR)}


def test_dropdown_of_an_unknown_template_column():
    c = ctx(mandatory=(), dropdowns={"House": ["Red", "Blue"]})
    assert check_learner(c, 0, {"House": "Red"}, ["House"]) == []
    got = check_learner(c, 0, {"House": "Green"}, ["House"])
    assert [(p.rule, p.severity) for p in got] == [("code-invalid", ERROR)]


def test_problem_messages_name_the_value():
    p = rules.problem(3, "Postcode", "postcode-invalid", "ME15")
    assert p.row == 3 and "ME15" in p.message and p.severity == ERROR


def test_the_not_known_uln_on_two_rows_is_not_a_duplicate():
    assert check_duplicates("ULN", ["9999999999", "9999999999", "1000000043"]) == []
    assert {p.row for p in check_duplicates("ULN", ["1000000043", "9999999999", "1000000043"])} == {0, 2}


def test_duplicate_message_names_the_identifier_column():
    found = check_duplicates("ULN", ["1000000043", "1000000043"])
    assert all("correct the ULN" in p.message and "UPN" not in p.message for p in found)

"""Header names beyond the synonym lists (DOMAIN.md section 6): a real-looking SIMS export with
qualified names, enrolment statuses and a combined name column, and a new-look KCC template with
a guidance sheet, title rows, renamed and added columns, a theme-colour highlight and dropdowns
from a hidden list sheet, prepared end to end and written back."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.conftest import make_upn
from tracker_desktop.core.matching.mapping import propose_mapping, split_name
from tracker_desktop.core.matching.certainty import sureness as certainty
from tracker_desktop.core.matching.words import likeness
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.scope import enrolment_status, off_main_roll

SIMS_HEADERS = ["UPN", "Name", "Date of Birth", "Gender", "Year Taught In", "Enrolment Status", "Admission Date",
                "Address: House Number", "Address: Street", "Address: Town", "Address: Post Code",
                "Contact 1 - Name", "Primary Contact Telephone (Priority 1)", "Contact 2 - Name",
                "Contact 2 Telephone", "SEN Status", "Pupil Email", "In Care"]


def sims_row(serial: int, name: str, status: str, year: str = "Year 10", joined: str = "07/10/2024") -> list[str]:
    return [make_upn(f"8864123{serial:05d}"[:12]), name, "15/03/2010", "Female", year, status, joined,
            "12", "High Street", "Maidstone", "me14 1xx", "Mrs J Smith", "1622246602", "Mr P Smith", "07700 900123",
            "N", "amy@example.org", "No"]


ROWS = [
    sims_row(1, "Smith, Amy", "C"),
    sims_row(2, "O'Brien, Sean", "M"),
    sims_row(3, "Patel, Riya", "S"),
    sims_row(4, "Jones, Cara", "G"),
    sims_row(5, "Khan, Ali", ""),
    sims_row(6, "Lee Tom", "Current"),  # no comma: which word is the surname is not guessed
    sims_row(7, "Brown, Ella", "Guest"),
]


def sims_export(tmp_path, rows=ROWS):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SIMS_HEADERS)
    writer.writerows(rows)
    path = tmp_path / "SIMS Report - Joiners.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def start(export, **kw):
    return Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31", **kw)


# --- the words of a header -----------------------------------------------------------------------

@pytest.mark.parametrize("header, name", [
    ("Year Taught In", "NC Year"), ("NC Year Group", "Year Group"),
    ("Primary Contact Telephone (Priority 1)", "Contact 1 Phone"), ("Parent/Carer Phone Number", "Parent Telephone"),
    ("Guardian Tel", "Carer Telephone"), ("Address: Post Code", "Postcode"),
    ("Main Contact - Name", "Primary Contact Name"), ("Student E-mail", "Pupil Email"), ("D.O.B.", "Date of Birth"),
    ("Reason for Leaving", "Leaving Reason"), ("Registration Status", "Enrolment Status"),
    ("Legal Surname", "Last Name"),
])
def test_the_same_meaning_in_other_words_is_sure(header, name):
    assert certainty(likeness(header, name)) == "sure"


@pytest.mark.parametrize("header, name", [
    ("Contact 2 Telephone", "Contact 1 Telephone"), ("Contact Email", "Contact Telephone"),
    ("Address Line 1", "Address Line 2"), ("Preferred Surname", "Surname"), ("Contact 1 Surname", "Surname"),
    ("Post Town", "Postcode"), ("Home Telephone", "Mobile"),
])
def test_a_different_meaning_is_never_sure(header, name):
    assert certainty(likeness(header, name)) != "sure"


def test_a_partial_match_is_unsure_not_silent():
    assert certainty(likeness("Parent Mobile", "Primary Contact Mobile")) == "unsure"


def test_one_export_column_never_feeds_two_template_columns():
    definition = load_definition("school-joiners")
    headers = ["UPN", "Telephone", "Phone Number", "Contact Telephone", "Contact 1 Tel", "Main Contact Phone No"]
    table = Table(Path("roll.csv"), headers, [], [])
    mapping = propose_mapping(table, definition, [h for h, _ in definition.columns])
    fed = [c for s in mapping.values() if s is not None for c in s.columns]
    assert len(fed) == len(set(fed))
    assert mapping["Parent/Carer Telephone"].columns in {("Contact 1 Tel",), ("Main Contact Phone No",)}


def test_combined_name_splits_on_its_one_comma():
    assert split_name(" Smith ,  Amy Jane") == {"surname": "Smith", "forename": "Amy Jane"}
    assert split_name("Amy Smith") == {} and split_name("Smith, Amy, Jane") == {}


@pytest.mark.parametrize("text, code", [("C", "C"), ("m", "M"), ("S - Subsidiary", "S"), ("Guest", "G"),
                                        ("Subsidiary (dual registration)", "S"), ("Main (dual registration)", "M"),
                                        ("Single Registration", "C"), ("FE College", "F"), ("something else", None)])
def test_enrolment_status_as_a_code_or_in_words(text, code):
    assert enrolment_status(text) == code


def test_only_the_main_roll_is_on_a_school_return():
    assert off_main_roll({"Enrolment Status": "C"}) is None and off_main_roll({"Enrolment Status": ""}) is None
    assert off_main_roll({}) is None and off_main_roll({"Enrolment Status": "unreadable"}) is None
    assert "subsidiary" in off_main_roll({"Enrolment Status": "S"})
    assert "guest" in off_main_roll({"Enrolment Status": "G"})


# --- the SIMS export end to end ---------------------------------------------------------------------

def test_sims_export_with_qualified_names_is_matched_scoped_and_tidied(tmp_path):
    prep = start(sims_export(tmp_path))
    m = prep.mapping
    assert m["NC Year"].columns == ("Year Taught In",)
    assert m["Parent/Carer Telephone"].columns == ("Primary Contact Telephone (Priority 1)",)
    assert m["Parent/Carer Name"].columns == ("Contact 1 - Name",)
    assert m["Postcode"].columns == ("Address: Post Code",) and m["Town"].columns == ("Address: Town",)
    assert m["Address Line 1"].columns == ("Address: House Number", "Address: Street")
    assert m["Legal Surname"].how == "surname" and m["Legal Forename"].how == "forename"
    assert m["Email"].columns == ("Pupil Email",)
    assert m["Home Telephone"] is None  # the second contact's phone is not the home telephone
    # S and G rows are not on the main roll; no status and C/M/'Current' are
    reasons = {lo.source_row: lo.reason for lo in prep.left_out}
    assert sorted(reasons) == [4, 5, 8]
    assert all("not on the school's main roll" in r for r in reasons.values())
    assert "subsidiary" in reasons[4] and "guest" in reasons[5] and "guest" in reasons[8]
    kept = {learner.source_row: learner.values for learner in prep.learners}
    assert sorted(kept) == [2, 3, 6, 7]
    amy = kept[2]
    assert (amy["Legal Surname"], amy["Legal Forename"]) == ("Smith", "Amy")
    assert (amy["NC Year"], amy["Postcode"], amy["Parent/Carer Telephone"]) == ("10", "ME14 1XX", "01622 246602")
    assert amy["Address Line 1"] == "12 High Street" and amy["Parent/Carer Name"] == "Mrs J Smith"
    assert kept[3]["Legal Surname"] == "O'Brien"
    # no comma: the names are left for the user, who sees the combined name it came from
    tom = next(learner for learner in prep.learners if learner.source_row == 7)
    assert tom.values["Legal Surname"] == "" and tom.fixes["Legal Surname"].before == "Lee Tom"
    tom_problems = prep.problems_at(prep.learners.index(tom))
    assert any(p.column == "Legal Surname" and p.severity == "error" for p in tom_problems)
    assert prep.learners[0].fixes["Legal Surname"].before == "Smith, Amy"
    report = prep.report(None)
    assert {r["reason"] for r in report["left_out"]} == set(reasons.values())
    assert {"column": "Legal Forename", "before": "Smith, Amy", "after": "Amy"}.items() <= next(
        f for f in report["fixes"] if f["column"] == "Legal Forename").items()
    by_header = {c["header"]: c for c in report["template_columns"]}
    assert by_header["Parent/Carer Telephone"]["from"] == "Primary Contact Telephone (Priority 1)"
    assert by_header["Legal Surname"]["from"] == "Name (surname, before the comma)"
    assert {c["match"] for c in report["template_columns"]} <= {"sure", "unsure", "none"}


def test_a_college_return_has_no_main_roll_rule(tmp_path):
    assert "Enrolment Status" not in load_definition("college-joiners").scope_fields
    assert "Enrolment Status" in load_definition("school-leavers").scope_fields


# --- a new-look template ----------------------------------------------------------------------------

RENAMED = {"Parent/Carer Telephone": "Parent/Carer Phone Number", "NC Year": "NC Year Group", "Postcode": "Post Code"}


def new_look_template(tmp_path):
    definition = load_definition("school-joiners")
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "Guidance"
    guide["A1"] = "How to complete this return"
    guide["A3"] = "Columns highlighted are mandatory. One line per learner."
    ws = wb.create_sheet("Joiners 2025-26")
    ws["A1"] = "Kent County Council - In-year joiners 2025-26"
    ws.merge_cells("A1:H1")
    ws["A2"] = "School name:"
    ws["B2"] = "(fill in)"
    headers = [RENAMED.get(h, h) for h, _ in definition.columns] + ["Looked After (Y/N)"]
    mandatory = {RENAMED.get(h, h) for h, m in definition.columns if m} | {"Looked After (Y/N)"}
    tinted = PatternFill("solid", fgColor=Color(theme=5, tint=0.3999755851924192))
    pale = PatternFill("solid", fgColor=Color(theme=0, tint=-0.1499984740745262))
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=4, column=i, value=h)
        cell.fill = tinted if h in mandatory else pale
    lists = wb.create_sheet("Lists")
    for r, v in enumerate(["F", "M", "U", "W"], start=1):
        lists.cell(row=r, column=1, value=v)
    for r, v in enumerate(["Y", "N"], start=1):
        lists.cell(row=r, column=2, value=v)
    lists.sheet_state = "hidden"
    wb.defined_names["GenderList"] = DefinedName("GenderList", attr_text="Lists!$A$1:$A$4")
    gender = headers.index("Gender") + 1
    looked = headers.index("Looked After (Y/N)") + 1
    from openpyxl.utils import get_column_letter as L
    dv = DataValidation(type="list", formula1="=GenderList")
    dv.add(f"{L(gender)}5:{L(gender)}500")
    yn = DataValidation(type="list", formula1="=Lists!$B$1:$B$2")
    yn.add(f"{L(looked)}5:{L(looked)}500")
    ws.add_data_validation(dv)
    ws.add_data_validation(yn)
    path = tmp_path / "KCC Joiners template 2025-26.xlsx"
    wb.save(path)
    return path, headers


def test_new_look_template_keeps_the_meaning_of_renamed_columns_and_its_own_shape(tmp_path):
    template, headers = new_look_template(tmp_path)
    prep = start(sims_export(tmp_path), template=template)
    assert prep.template.sheet == "Joiners 2025-26" and prep.template.header_row == 4
    assert prep.columns == headers
    assert set(prep.template.mandatory) >= {"Parent/Carer Phone Number", "NC Year Group", "Post Code", "UPN"}
    assert "Home Telephone" not in prep.template.mandatory
    assert prep.template.column("Gender").dropdown == ["F", "M", "U", "W"]
    # renamed columns match the export by meaning and are tidied as what they are
    m = prep.mapping
    assert m["Parent/Carer Phone Number"].columns == ("Primary Contact Telephone (Priority 1)",)
    assert m["NC Year Group"].columns == ("Year Taught In",) and m["Post Code"].columns == ("Address: Post Code",)
    assert m["Looked After (Y/N)"].columns == ("In Care",)
    amy = prep.learners[0].values
    assert amy["Parent/Carer Phone Number"] == "01622 246602"
    assert (amy["NC Year Group"], amy["Post Code"]) == ("10", "ME14 1XX")
    assert amy["Looked After (Y/N)"] == "N"
    # the NC year still decides the scope; a bad phone in the renamed column is still checked
    prep.set_value(0, "Parent/Carer Phone Number", "12345")
    assert any(p.column == "Parent/Carer Phone Number" and p.severity == "error" for p in prep.problems_at(0))
    understood = {c["header"]: c for c in prep.report(None)["template_columns"]}
    assert understood["Parent/Carer Phone Number"]["understood_as"] == "Parent/Carer Telephone"
    assert understood["Parent/Carer Phone Number"]["certainty"] == "sure"
    assert understood["NC Year Group"]["understood_as"] == "NC Year"
    assert understood["Looked After (Y/N)"]["type"] == "code"
    # written back: title rows, header row, sheet names and their order as the template has them
    book = openpyxl.load_workbook(io.BytesIO(prep.workbook_bytes()))
    assert book.sheetnames == ["Guidance", "Joiners 2025-26", "Lists"]
    assert book["Lists"].sheet_state == "hidden" and book["Guidance"]["A3"].value.startswith("Columns highlighted")
    ws = book["Joiners 2025-26"]
    assert ws["A1"].value == "Kent County Council - In-year joiners 2025-26"
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert (ws["A2"].value, ws["B2"].value) == ("School name:", "(fill in)")
    assert [c.value for c in ws[4]][: len(headers)] == headers
    assert ws.cell(row=5, column=headers.index("Legal Surname") + 1).value == "Smith"
    assert ws.cell(row=5, column=headers.index("Parent/Carer Phone Number") + 1).value == "12345"
    assert ws.cell(row=4, column=1).fill.fgColor.theme == 5
    assert {str(dv.formula1) for dv in ws.data_validations.dataValidation} == {"=GenderList", "=Lists!$B$1:$B$2"}
    assert "GenderList" in book.defined_names


def test_an_unsure_template_header_is_asked_and_the_answer_is_kept(tmp_path):
    definition = load_definition("school-joiners")
    unsure = definition.understand("Parent Mobile")
    assert certainty(unsure.score) == "unsure" and unsure.understood_as == "Parent/Carer Telephone"
    assert unsure.meaning.header == "Parent Mobile"  # not used as that column until the user says so
    answered = definition.with_understood({"Parent Mobile": "Parent/Carer Telephone", "Pupil Premium": None})
    assert answered.meaning("Parent Mobile").header == "Parent/Carer Telephone"
    assert answered.meaning("Parent Mobile").type == "phone"
    report = {c["header"]: c for c in answered.template_columns(["Parent Mobile", "Pupil Premium", "UPN"])}
    assert report["Parent Mobile"]["certainty"] == "confirmed" and report["Pupil Premium"]["understood_as"] is None
    assert report["UPN"]["certainty"] == "sure"
    assert definition.meaning("Parent Mobile").header == "Parent Mobile"  # the shipped definition is unchanged

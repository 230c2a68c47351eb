"""The preparation object the CLI and the desktop app drive: edits recheck at once."""
from __future__ import annotations

from pathlib import Path

import pytest

from tracker_desktop.core.matching.mapping import Source
from tracker_desktop.core.preparing.preparation import Preparation

HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date,Telephone\n")


def export(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = ("B886412324001,Smith,Amy,15/03/2009,F,Year 11,1 High Street,Maidstone,me14 1xx,Jo Smith,07911 123456,N,"
        "07/10/2024,1622246602")


def start(path, **kw):
    return Preparation.start("school-joiners", path, school="8864123", period="2024-10", as_of="2024-10-31", **kw)


def test_clean_row_has_no_problems_and_fixes_are_recorded(tmp_path):
    from tracker_desktop.core.values.identifiers import upn_check_letter

    upn = upn_check_letter("X886412324001") + "886412324001"
    prep = start(export(tmp_path, [GOOD.replace("B886412324001", upn)]))
    assert prep.problems == []
    fixes = {f.column: (f.before, f.after) for f in prep.learners[0].fixes.values()}
    assert fixes["Postcode"] == ("me14 1xx", "ME14 1XX")
    assert fixes["Home Telephone"] == ("1622246602", "01622 246602")
    assert fixes["NC Year"] == ("Year 11", "11")
    assert "EHCP" not in fixes  # SEN status N is EHCP N: nothing changed


def test_edit_clears_the_problem_and_lowers_the_count(tmp_path):
    prep = start(export(tmp_path, [GOOD.replace("me14 1xx", "")]))
    before = prep.counts()["errors"]
    assert ("Postcode", "mandatory-missing") in {(p.column, p.rule) for p in prep.problems}
    value = prep.set_value(0, "Postcode", "tn23 8nt")
    assert value == "TN23 8NT"
    assert ("Postcode", "mandatory-missing") not in {(p.column, p.rule) for p in prep.problems}
    assert prep.counts()["errors"] == before - 1


def test_duplicates_follow_edits_across_rows(tmp_path):
    prep = start(export(tmp_path, [GOOD, GOOD.replace("Amy", "Ben")]))
    dup = [p for p in prep.problems if p.rule == "duplicate-learner"]
    assert {p.row for p in dup} == {0, 1}
    prep.set_value(1, "UPN", "Y886123424001")
    assert not [p for p in prep.problems if p.rule == "duplicate-learner"]


def test_several_values_at_once_are_cleaned_and_checked_like_typed_ones(tmp_path):
    """A paste: each value tidied as if typed, problems and duplicates rechecked for every row."""
    prep = start(export(tmp_path, [GOOD.replace("me14 1xx", ""), GOOD.replace("Amy", "Ben")]))
    assert {p.row for p in prep.problems if p.rule == "duplicate-learner"} == {0, 1}
    values = prep.set_values([(0, "Postcode", "tn23 8nt"), (1, "UPN", "Y886123424001"), (1, "Postcode", "nonsense")])
    assert values == ["TN23 8NT", "Y886123424001", "NONSENSE"]
    assert prep.learners[0].fixes["Postcode"].before == "tn23 8nt"
    found = {(p.row, p.column, p.rule) for p in prep.problems}
    assert (0, "Postcode", "mandatory-missing") not in found
    assert not [p for p in prep.problems if p.rule == "duplicate-learner"], "duplicates rechecked once at the end"
    pasted_flagged = any(r == 1 and c == "Postcode" for r, c, _ in found)
    assert pasted_flagged, "a bad pasted postcode is flagged as a typed one would be"


def test_learners_out_of_scope_are_listed_with_a_reason(tmp_path):
    prep = start(export(tmp_path, [GOOD, GOOD.replace("Year 11", "Year 8"), GOOD.replace("07/10/2024", "04/09/2023")]))
    assert len(prep.learners) == 1
    reasons = [left.reason for left in prep.left_out]
    assert any("Year 8" in r for r in reasons) and any("not in Oct 2024" in r for r in reasons)
    assert [left.source_row for left in prep.left_out] == [3, 4]


def test_remap_rebuilds_from_another_column(tmp_path):
    prep = start(export(tmp_path, [GOOD]))
    mapping = dict(prep.mapping)
    mapping["Home Telephone"] = Source(("Contact 1 Telephone",))
    prep.remap(mapping)
    assert prep.learners[0].values["Home Telephone"] == "07911 123456"


def test_formula_like_text_is_written_as_text(tmp_path):
    import io

    import openpyxl

    prep = start(export(tmp_path, [GOOD.replace("Amy", "=1+2")]))
    ws = openpyxl.load_workbook(io.BytesIO(prep.workbook_bytes()))["Return"]
    cell = ws.cell(2, prep.columns.index("Legal Forename") + 1)
    assert cell.value == "=1+2" and cell.data_type == "s"


@pytest.mark.parametrize("return_id", ["school-post16-enrolment", "school-september-guarantee",
                                       "school-intended-destinations", "college-post16-enrolment", "college-joiners",
                                       "college-leavers", "college-september-guarantee"])
def test_every_return_prepares_from_an_export(tmp_path, return_id):
    who = {"college": "MKC"} if return_id.startswith("college") else {"school": "8864123"}
    prep = Preparation.start(return_id, export(tmp_path, [GOOD]), period="2024-10", as_of="2024-10-31", **who)
    prep.save(tmp_path)
    assert (tmp_path / prep.output_name).exists()


def test_restore_puts_back_value_and_tidying_record_and_rechecks(tmp_path):
    prep = start(export(tmp_path, [GOOD.replace("me14 1xx", "")]))
    old_value, old_fix = prep.learners[0].values["Postcode"], prep.learners[0].fixes.get("Postcode")
    prep.set_value(0, "Postcode", "me14 1xx")
    assert prep.counts()["errors"] == 0 or all(p.column != "Postcode" for p in prep.problems)
    prep.restore(0, "Postcode", old_value, old_fix)  # undo
    assert prep.learners[0].values["Postcode"] == ""
    assert any(p.column == "Postcode" and p.rule == "mandatory-missing" for p in prep.problems)


def test_progress_is_reported_while_preparing(tmp_path):
    seen = []
    start(export(tmp_path, [GOOD] * 3), progress=lambda stage, done: seen.append((stage, done)))
    assert seen and all(0.0 <= done <= 1.0 for _, done in seen)
    assert [d for _, d in seen] == sorted(d for _, d in seen)


def _renamed_template(tmp_path, return_id, renames):
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.template_builder import build_template

    d = load_definition(return_id)
    path = tmp_path / "newer.xlsx"
    path.write_bytes(build_template(d, columns=[(renames.get(h, h), m) for h, m in d.columns]))
    return path


def test_a_newer_template_with_renamed_headers_keeps_scope_cross_rules_and_duplicates(tmp_path):
    template = _renamed_template(tmp_path, "school-leavers", {
        "Date of Leaving": "Leaving Date", "UPN": "Unique Pupil Number", "NC Year": "Year Group",
        "Date of Birth": "DOB", "EHCP": "EHC Plan"})
    path = tmp_path / "roll.csv"
    path.write_text(
        "UPN,Surname,Forename,DOB,Gender,Year,Leaving Date,Destination,SEN Status\n"
        "B886412324001,Smith,Amy,15/03/2009,F,Year 11,10/10/2024,110,N\n"
        "B886412324001,Jones,Ben,15/03/2009,M,Year 11,11/10/2024,460,N\n"
        "B886412324001,Old,Cy,15/03/2013,M,Year 8,11/10/2024,110,N\n", encoding="utf-8")
    prep = Preparation.start("school-leavers", path, school="8864123", period="2024-10", as_of="2024-10-31",
                             template=template)
    assert [learner.source_row for learner in prep.learners] == [2, 3]  # the Year 8 leaver is out of scope
    found = {(p.row, p.column, p.rule) for p in prep.problems}
    assert (0, "Unique Pupil Number", "duplicate-learner") in found
    assert (1, "Destination", "code-not-allowed") in found  # 460 is Year 12+ and needs an EHC plan


def test_no_leaving_date_column_means_nothing_is_written_not_an_empty_return(tmp_path, capsys):
    from tracker_desktop.commands import main

    path = export(tmp_path, [GOOD])
    code = main(["prepare", "school-leavers", str(path), "--school", "8864123", "--period", "2024-10", "--out",
                 str(tmp_path)])
    assert code == 2
    assert "Date of Leaving" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.xlsx"))


def test_college_joiners_start_date_is_also_the_joining_date(tmp_path):
    from tests.conftest import make_uln

    path = tmp_path / "college.csv"
    path.write_text("ULN,Surname,Forename,DOB,Start Date\n"
                    f"{make_uln('100000004')},Smith,Amy,15/03/2008,07/10/2024\n"
                    f"{make_uln('927630868')},Jones,Ben,15/03/2008,04/09/2024\n", encoding="utf-8")
    prep = Preparation.start("college-joiners", path, college="MKC", period="2024-10", as_of="2024-10-31")
    assert [learner.source_row for learner in prep.learners] == [2]
    assert prep.learners[0].values["Date of Joining"] == "07/10/2024"


def test_template_without_highlights_takes_mandatory_columns_from_the_definition(tmp_path):
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.template_builder import build_template

    d = load_definition("school-joiners")
    template = tmp_path / "plain.xlsx"
    template.write_bytes(build_template(d, mandatory_fill=None, optional_fill=None))
    prep = start(export(tmp_path, [GOOD.replace("me14 1xx", "")]), template=template)
    assert ("Postcode", "mandatory-missing") in {(p.column, p.rule) for p in prep.problems}


def test_arbor_and_college_wording_is_understood(tmp_path):
    path = tmp_path / "arbor.csv"
    path.write_text("UPN,Surname,Forename,Year,Enrolment End Date,SEN Status,Emergency Contact,"
                    "Emergency Contact Phone\n"
                    "B886412324001,Smith,Amy,Year 11,04/11/2024,No Special Educational Need,Jo Smith,07911 123456\n",
                    encoding="utf-8")
    prep = Preparation.start("school-leavers", path, school="8864123", period="2024-11", as_of="2024-11-30")
    assert [learner.source_row for learner in prep.learners] == [2]
    values = prep.learners[0].values
    assert values["EHCP"] == "N"
    assert values["Parent/Carer Name"] == "Jo Smith" and values["Parent/Carer Telephone"] == "07911 123456"


def test_written_return_carries_no_tool_name(tmp_path):
    import io

    import openpyxl

    prep = start(export(tmp_path, [GOOD]))
    props = openpyxl.load_workbook(io.BytesIO(prep.workbook_bytes())).properties
    assert "openpyxl" not in (props.creator or "") and "openpyxl" not in (props.lastModifiedBy or "")

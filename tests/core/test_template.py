"""The template reader: any workbook an office drops in (DOMAIN.md section 3), and the engine still
preparing a return from a template whose columns were renamed, added, reordered or removed."""
from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color
from openpyxl.worksheet.datavalidation import DataValidation

from tests.conftest import make_upn
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.returns.definitions import all_definitions, load_definition
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.returns.template_builder import build_template


def _book_with_headers(headers, fills):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Return"
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i, value=h)
        if fills.get(h) is not None:
            cell.fill = fills[h]
    return wb


def _save(wb, path):
    wb.save(path)
    return path


def _mandatory_of(tmp_path, fills):
    headers = ["UPN"] + list(fills)
    wb = _book_with_headers(headers, fills)
    template = read_template(_save(wb, tmp_path / "t.xlsx"))
    return {c.header: c.mandatory for c in template.columns}


def test_orange_solid_rgb_is_mandatory(tmp_path):
    got = _mandatory_of(tmp_path, {"A": PatternFill("solid", fgColor="FFC000"),
                                   "B": PatternFill("solid", fgColor="FFFFC000")})
    assert got["A"] and got["B"]


def test_indexed_orange_is_mandatory(tmp_path):
    # Excel's indexed palette: 52 is FF9900 (orange), 51 is FFCC00 (gold).
    got = _mandatory_of(tmp_path, {"A": PatternFill("solid", fgColor=Color(indexed=52)),
                                   "B": PatternFill("solid", fgColor=Color(indexed=51)),
                                   "C": PatternFill("solid", fgColor=Color(indexed=22))})  # 22 is C0C0C0 grey
    assert got == {"UPN": False, "A": True, "B": True, "C": False}


@pytest.mark.parametrize("theme", [5, 9])  # accent2 (C0504D) and accent6 (F79646) of the Office theme
def test_theme_colour_is_mandatory(tmp_path, theme):
    got = _mandatory_of(tmp_path, {"A": PatternFill("solid", fgColor=Color(theme=theme)),
                                   "Pale": PatternFill("solid", fgColor=Color(theme=theme, tint=0.8)),
                                   "White": PatternFill("solid", fgColor=Color(theme=0))})
    assert got["A"] is True
    assert got["Pale"] is False  # a light tint of the accent is not a highlight
    assert got["White"] is False


def test_other_strong_highlights_are_mandatory(tmp_path):
    got = _mandatory_of(tmp_path, {"Yellow": PatternFill("solid", fgColor="FFFF00"),
                                   "Red": PatternFill("solid", fgColor="FF0000")})
    assert got["Yellow"] and got["Red"]


def test_grey_white_and_unfilled_are_optional(tmp_path):
    got = _mandatory_of(tmp_path, {"Grey": PatternFill("solid", fgColor="D9D9D9"),
                                   "White": PatternFill("solid", fgColor="FFFFFF"),
                                   "Black": PatternFill("solid", fgColor="000000"),
                                   "None": None,
                                   "NoFill": PatternFill(fill_type=None, fgColor="FFC000")})
    assert not any(got.values())


def test_dropdown_inline_and_range_on_another_sheet(tmp_path):
    wb = _book_with_headers(["UPN", "Gender", "EHCP", "Notes", "Level"], {})
    ws = wb["Return"]
    lists = wb.create_sheet("Lists")
    for r, v in enumerate(["F", "M", "U", "W"], start=2):
        lists.cell(row=r, column=1, value=v)
    for r, v in enumerate([1, 2, 3], start=1):
        lists.cell(row=r, column=3, value=float(v))
    dv = DataValidation(type="list", formula1="Lists!$A$2:$A$5")
    dv.add("B2:B500")
    ws.add_data_validation(dv)
    dv2 = DataValidation(type="list", formula1='"Y,N"')
    dv2.add("C2:C500")
    ws.add_data_validation(dv2)
    dv3 = DataValidation(type="list", formula1="'Lists'!$C$1:$C$3")
    dv3.add("E2:E500")
    ws.add_data_validation(dv3)
    template = read_template(_save(wb, tmp_path / "t.xlsx"))
    assert template.column("Gender").dropdown == ["F", "M", "U", "W"]
    assert template.column("EHCP").dropdown == ["Y", "N"]
    assert template.column("Level").dropdown == ["1", "2", "3"]
    assert template.column("Notes").dropdown is None


def test_header_row_below_a_title(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Return"
    ws["A1"] = "Kent County Council - Leavers return 2024-25"
    ws.append([])
    ws.append(["UPN", "Legal Surname", " Legal\nForename "])
    ws["A3"].fill = PatternFill("solid", fgColor="FFC000")
    template = read_template(_save(wb, tmp_path / "t.xlsx"))
    assert template.header_row == 3
    assert template.headers == ["UPN", "Legal Surname", "Legal Forename"]  # spacing in the header tidied
    assert template.mandatory == ["UPN"]


def test_shipped_templates_match_their_definitions():
    for definition in all_definitions():
        template = read_template(definition.template_path)
        assert template.sheet == "Return"
        assert template.header_row == 1
        assert [(c.header, c.mandatory) for c in template.columns] == list(definition.columns), definition.id
        codes = [c for c in template.columns if definition.meaning(c.header).type == "code"]
        assert codes and all(c.dropdown for c in codes), definition.id


def test_not_a_workbook(tmp_path):
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"not a workbook at all")
    with pytest.raises(UserError) as e:
        read_template(path)
    assert "template.xlsx" in str(e.value)


def test_missing_template(tmp_path):
    with pytest.raises(UserError):
        read_template(tmp_path / "nowhere.xlsx")


def test_template_with_no_headers(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "just a title"
    with pytest.raises(UserError):
        read_template(_save(wb, tmp_path / "t.xlsx"))


# --- a newer template still prepares ---------------------------------------------------------------

EXPORT = ("UPN,Surname,Forename,DOB,Gender,Year,House No,Street,Town,Post Code,Primary Contact Name,"
          "Primary Contact Telephone,SEN Status,Leaving Date,Reason for Leaving,Destination,Destination Establishment,"
          "Favourite Colour\n"
          "{u1},Smith,Jo,01/02/2008,Female,Year 12,12,High Street,Maidstone,me15 6aa,Ann Smith,7911123456,N,10/10/2024,"
          "Other,310,Acme Ltd,0123\n"
          "{u2},Jones,Al,02/03/2008,M,12,3,Low Road,Maidstone,ME15 6AB,Bob Jones,01622 123456,E,11/10/2024,Other,340,"
          "Acme,\n")


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text(EXPORT.format(u1=make_upn("886412308001"), u2=make_upn("886412308002")), encoding="utf-8")
    return path


def _prepare(tmp_path, export, columns, **kw):
    definition = load_definition("school-leavers")
    path = tmp_path / "newer.xlsx"
    path.write_bytes(build_template(definition, columns=columns, **kw))
    return Preparation.start("school-leavers", export, school="8864123", period="2024-10", as_of="2024-10-31",
                             template=path)


def _written(prep):
    ws = openpyxl.load_workbook(io.BytesIO(prep.workbook_bytes()))["Return"]
    headers = [c.value for c in ws[1]]
    return headers, [dict(zip(headers, [c.value for c in row], strict=True)) for row in ws.iter_rows(min_row=2)]


def test_shipped_template_baseline(tmp_path, export):
    prep = _prepare(tmp_path, export, None)
    assert prep.counts() == {"errors": 0, "queries": 0, "accepted": 0}, prep.problems


def test_reordered_and_removed_columns(tmp_path, export):
    definition = load_definition("school-leavers")
    cols = list(reversed([c for c in definition.columns if c[0] not in ("Address Line 2", "Address Line 3", "County",
                                                                        "Email")]))
    prep = _prepare(tmp_path, export, cols)
    assert prep.columns == [h for h, _ in cols]
    assert prep.counts()["errors"] == 0, prep.problems
    headers, rows = _written(prep)
    assert headers == [h for h, _ in cols]
    assert rows[0]["Postcode"] == "ME15 6AA"
    assert rows[0]["Address Line 1"] == "12 High Street"
    assert rows[0]["Parent/Carer Telephone"] == "07911 123456"
    assert rows[1]["EHCP"] == "Y"


def test_added_columns_are_carried_as_text_and_mandatory_if_highlighted(tmp_path, export):
    definition = load_definition("school-leavers")
    cols = list(definition.columns) + [("Favourite Colour", False), ("Tutor Group", True)]
    prep = _prepare(tmp_path, export, cols)
    assert prep.learners[0].values["Favourite Colour"] == "0123"  # text: the leading zero stays
    assert "Tutor Group" in prep.template.mandatory
    missing = [(p.row, p.rule, p.severity) for p in prep.problems if p.column == "Tutor Group"]
    assert missing == [(0, "mandatory-missing", "error"), (1, "mandatory-missing", "error")]
    headers, rows = _written(prep)
    assert rows[0]["Favourite Colour"] == "0123"
    assert prep.report(None)["unmatched_columns"].count("Tutor Group") == 1


def test_renamed_column_in_another_spelling_keeps_its_meaning(tmp_path, export):
    definition = load_definition("school-leavers")
    renames = {"Postcode": "Post Code", "Date of Birth": "Date Of Birth",
               "Parent/Carer Telephone": "Parent / Carer Telephone"}
    cols = [(renames.get(h, h), m) for h, m in definition.columns]
    prep = _prepare(tmp_path, export, cols)
    assert prep.learners[0].values["Post Code"] == "ME15 6AA"
    assert prep.learners[0].values["Parent / Carer Telephone"] == "07911 123456"
    headers, rows = _written(prep)
    import datetime as dt

    assert rows[0]["Date Of Birth"] == dt.datetime(2008, 2, 1)
    assert prep.counts()["errors"] == 0, prep.problems


def test_mandatory_highlight_in_another_colour(tmp_path, export):
    definition = load_definition("school-leavers")
    prep = _prepare(tmp_path, export, None, mandatory_fill="FF0000", optional_fill=None)
    assert set(prep.template.mandatory) == {h for h, m in definition.columns if m}


def test_optional_column_made_mandatory_by_the_template(tmp_path, export):
    definition = load_definition("school-leavers")
    cols = [(h, True if h == "Email" else m) for h, m in definition.columns]
    prep = _prepare(tmp_path, export, cols)
    assert {(p.row, p.rule) for p in prep.problems if p.column == "Email"} == {(0, "mandatory-missing"),
                                                                               (1, "mandatory-missing")}


def test_dropdown_from_a_defined_name(tmp_path):
    from openpyxl.workbook.defined_name import DefinedName

    wb = _book_with_headers(["UPN", "Gender"], {})
    lists = wb.create_sheet("Lists")
    for r, v in enumerate(["F", "M", "U", "W"], start=2):
        lists.cell(row=r, column=1, value=v)
    wb.defined_names["GenderList"] = DefinedName("GenderList", attr_text="Lists!$A$2:$A$5")
    dv = DataValidation(type="list", formula1="GenderList")
    dv.add("B2:B1048576")
    wb["Return"].add_data_validation(dv)
    template = read_template(_save(wb, tmp_path / "t.xlsx"))
    assert template.column("Gender").dropdown == ["F", "M", "U", "W"]
    # the written return keeps the name, so the dropdown still works in Excel
    from tracker_desktop.core.writing.workbook import write_return

    out = openpyxl.load_workbook(io.BytesIO(write_return(template, load_definition("school-leavers"),
                                                         [["B801200005001", "F"]])))
    assert out.defined_names["GenderList"].attr_text == "Lists!$A$2:$A$5"
    assert [dv.formula1 for dv in out["Return"].data_validations.dataValidation] == ["GenderList"]


def test_template_with_a_title_banner_lines_learners_up_with_the_report(tmp_path, export):
    definition = load_definition("school-leavers")
    src = openpyxl.load_workbook(io.BytesIO(build_template(definition)))
    ws = src["Return"]
    ws.insert_rows(1, amount=2)
    ws["A1"] = "Kent County Council - In-year leavers"
    ws.freeze_panes = "A4"
    # insert_rows does not move data validations: move them with the header
    for dv in ws.data_validations.dataValidation:
        dv.sqref = openpyxl.worksheet.cell_range.MultiCellRange(
            " ".join(f"{r.coord.split(':')[0][0]}4:{r.coord.split(':')[1][0]}5002" for r in dv.sqref.ranges))
    path = tmp_path / "banner.xlsx"
    src.save(path)
    prep = Preparation.start("school-leavers", export, school="8864123", period="2024-10", as_of="2024-10-31",
                             template=path)
    assert prep.template.header_row == 3
    assert set(prep.template.mandatory) == {h for h, m in definition.columns if m}
    report = prep.report(None)
    assert [learner["row"] for learner in report["learners"]] == [4, 5]
    out = openpyxl.load_workbook(io.BytesIO(prep.workbook_bytes()))["Return"]
    assert out["A1"].value == "Kent County Council - In-year leavers"
    assert [c.value for c in out[3]][:2] == ["UPN", "Legal Surname"]
    upn_col = [c.value for c in out[3]].index("UPN") + 1
    assert ([out.cell(r["row"], upn_col).value for r in report["learners"]]
            == [learner.values["UPN"] for learner in prep.learners])
    assert out.freeze_panes == "A4"


def test_the_return_sheet_is_found_behind_a_guidance_sheet(tmp_path):
    d = load_definition("school-leavers")
    book = openpyxl.load_workbook(io.BytesIO(build_template(d)))
    book["Return"].title = "Leavers 2025-26"
    guidance = book.create_sheet("Guidance", 0)
    guidance.append(["Column", "What to enter"])
    guidance.append(["UPN", "13 characters"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    from tracker_desktop.core.preparing.opening import known_headers

    template = read_template(path, known_headers=known_headers(d))
    assert template.sheet == "Leavers 2025-26"
    assert template.headers[:3] == ["UPN", "Legal Surname", "Legal Forename"]


@pytest.mark.parametrize("tint", ["F8CBAD", "FCD5B5", "D99694"])
def test_light_orange_tints_still_mark_mandatory_columns(tmp_path, tint):
    d = load_definition("school-joiners")
    path = tmp_path / "t.xlsx"
    path.write_bytes(build_template(d, mandatory_fill=tint))
    template = read_template(path)
    assert template.mandatory == [h for h, m in d.columns if m]

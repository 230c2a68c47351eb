"""Writing a return into a copy of the template (issue 2, 'Writing')."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl

from tracker_desktop.core.returns import template_builder
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.writing.workbook import cell_value, fill_prepopulated, write_return

LEAVERS = load_definition("school-leavers")
FORMULAS = ['=HYPERLINK("http://example.org","x")', "+44 7911", "-1", "@SUM(A1)", "=1+1"]


def learner(i=0, **over):
    values = {h: "" for h, _ in LEAVERS.columns}
    values.update({
        "UPN": "B801200005001", "Legal Surname": f"Smith{i}", "Legal Forename": "Jo", "Middle Name(s)": FORMULAS[0],
        "Preferred Surname": FORMULAS[1], "Preferred Forename": FORMULAS[2], "Address Line 2": FORMULAS[3],
        "Address Line 3": FORMULAS[4], "Date of Birth": "01/02/2008", "Gender": "F", "NC Year": "12",
        "Postcode": "ME15 6AA", "Home Telephone": "01622 123456", "Parent/Carer Telephone": "07911 123456",
        "Date of Leaving": "10/10/2024", "Destination": "310", "EHCP": "N",
    })
    values.update(over)
    return values


def write(rows, template=None):
    template = template or read_template(LEAVERS.template_path)
    data = write_return(template, LEAVERS, [[r.get(h, "") for h in template.headers] for r in rows])
    return data, openpyxl.load_workbook(io.BytesIO(data))


def cells_by_header(ws, row):
    headers = [c.value for c in ws[1]]
    return dict(zip(headers, ws[row], strict=True))


def test_values_and_types():
    data, wb = write([learner(0), learner(1)])
    ws = wb["Return"]
    c = cells_by_header(ws, 2)
    assert c["Date of Birth"].value == dt.datetime(2008, 2, 1)
    assert c["Date of Birth"].is_date and c["Date of Birth"].number_format.lower() == "dd/mm/yyyy"
    assert c["Date of Leaving"].value == dt.datetime(2024, 10, 10)
    assert c["NC Year"].value == 12 and c["NC Year"].data_type == "n"
    for h in ("UPN", "Home Telephone", "Parent/Carer Telephone", "Destination", "Postcode"):
        assert c[h].data_type == "s" and c[h].number_format == "@", h
    assert c["Home Telephone"].value == "01622 123456"
    assert c["Destination"].value == "310"
    assert c["Email"].value is None
    assert [ws.cell(r, 2).value for r in (2, 3)] == ["Smith0", "Smith1"]  # export order
    assert ws.max_row == 3


def test_formula_like_values_stay_text():
    data, wb = write([learner()])
    ws = wb["Return"]
    c = cells_by_header(ws, 2)
    for h, text in zip(("Middle Name(s)", "Preferred Surname", "Preferred Forename", "Address Line 2",
                        "Address Line 3"), FORMULAS, strict=True):
        assert c[h].value == text
        assert c[h].data_type == "s", h
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_frozen_header_look_and_hidden_lists_sheet_kept():
    data, wb = write([learner()])
    ws = wb["Return"]
    assert ws.freeze_panes == "A2"
    assert wb.sheetnames == ["Return", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    source = openpyxl.load_workbook(LEAVERS.template_path)
    assert ([[c.value for c in r] for r in wb["Lists"].iter_rows()]
            == [[c.value for c in r] for r in source["Lists"].iter_rows()])
    assert [c.value for c in ws[1]] == [h for h, _ in LEAVERS.columns]
    assert ws["A1"].fill.fgColor.rgb.endswith("FFC000")  # mandatory header still orange
    assert ws["D1"].fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.column_dimensions["A"].width == source["Return"].column_dimensions["A"].width


def test_no_marks_of_ours_on_learner_cells():
    data, wb = write([learner()])
    ws = wb["Return"]
    for cell in ws[2]:
        assert cell.fill.fill_type is None
        assert cell.comment is None


def test_text_and_date_columns_stay_formatted_for_cells_typed_later():
    data, wb = write([learner()])
    ws = wb["Return"]
    headers = [c.value for c in ws[1]]

    def letter(h):
        return openpyxl.utils.get_column_letter(headers.index(h) + 1)

    assert ws.column_dimensions[letter("Home Telephone")].number_format == "@"
    assert ws.column_dimensions[letter("UPN")].number_format == "@"
    assert ws.column_dimensions[letter("Date of Birth")].number_format.lower() == "dd/mm/yyyy"


def test_dropdowns_kept():
    data, wb = write([learner()])
    ws = wb["Return"]
    headers = [c.value for c in ws[1]]
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            found[headers[rng.min_col - 1]] = (dv.type, dv.formula1, rng.min_row, rng.max_row)
    assert set(found) == {"Gender", "EHCP", "Reason for Leaving", "Destination"}
    for kind, formula, first, last in found.values():
        assert kind == "list" and formula.startswith("Lists!") and first == 2 and last >= 5000
    gender = found["Gender"][1].replace("$", "").split("!")[1]
    assert [c.value for row in wb["Lists"][gender] for c in row] == ["F", "M", "U", "W"]


def test_dropdowns_reach_the_last_row(tmp_path, monkeypatch):
    monkeypatch.setattr(template_builder, "VALIDATION_ROWS", 10)
    path = tmp_path / "short.xlsx"
    path.write_bytes(template_builder.build_template(LEAVERS))
    template = read_template(path)
    data, wb = write([learner(i) for i in range(40)], template=template)
    ws = wb["Return"]
    assert ws.max_row == 41
    for dv in ws.data_validations.dataValidation:
        assert all(rng.max_row >= 41 for rng in dv.sqref.ranges)


def test_template_with_a_title_row_above_the_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Return"
    ws["A1"] = "KCC leavers return"
    ws.append(["UPN", "Legal Surname", "Date of Birth"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    template = read_template(path)
    data, out = write([learner()], template=template)
    rows = [[c.value for c in r] for r in out["Return"].iter_rows()]
    assert rows[0][0] == "KCC leavers return"
    assert rows[1] == ["UPN", "Legal Surname", "Date of Birth"]
    assert rows[2] == ["B801200005001", "Smith0", dt.datetime(2008, 2, 1)]


def test_no_learners_still_gives_the_template():
    data, wb = write([])
    ws = wb["Return"]
    assert ws.max_row == 1 and ws.freeze_panes == "A2"


def test_cell_value():
    assert cell_value("date", "04/09/2024") == dt.datetime(2024, 9, 4)
    assert cell_value("date", "31/02/2024") == "31/02/2024"  # not a date: written as the text to fix
    assert cell_value("ncyear", "12") == 12
    assert cell_value("ncyear", "Reception") == "Reception"
    assert cell_value("phone", "01622 123456") == "01622 123456"
    assert cell_value("upn", "B801200005001") == "B801200005001"
    assert cell_value("text", "0123") == "0123"
    assert cell_value("text", "") is None


def test_control_characters_never_fail_the_save():
    data, wb = write([learner(**{"Legal Surname": "Smi\x0bth", "Legal Forename": "Jo\x00"})])
    assert wb["Return"]["B2"].value.replace(" ", "") == "Smith"


def test_fill_prepopulated_keeps_the_rest():
    src = openpyxl.Workbook()
    ws = src.active
    ws.title = "Leavers"
    ws.append(["TEP Ref", "UPN", "Legal Surname", "Date Ascertained", "Notes"])
    ws.append(["T1", "B801200005001", "Smith", None, None])
    ws["A1"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFC000")
    buf = io.BytesIO()
    src.save(buf)
    tep = load_definition("tep-leaver-destinations")
    out = fill_prepopulated(buf.getvalue(), "Leavers", 1, {"Date Ascertained": 4, "Notes": 5},
                            [(2, "Date Ascertained", "15/10/2024"), (2, "Notes", "=cmd|' /C calc'!A0")], tep)
    ws = openpyxl.load_workbook(io.BytesIO(out))["Leavers"]
    assert ws["D2"].value == dt.datetime(2024, 10, 15)
    assert ws["E2"].value == "=cmd|' /C calc'!A0" and ws["E2"].data_type == "s"
    assert ws["C2"].value == "Smith" and ws["A1"].fill.fgColor.rgb.endswith("FFC000")


def test_merged_title_and_conditional_highlights_of_a_template_are_kept(tmp_path):
    import io as _io

    import openpyxl as _openpyxl
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill as _Fill

    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.returns.definitions import load_definition as _load
    from tracker_desktop.core.returns.template_builder import build_template as _build

    d = _load("school-joiners")
    book = _openpyxl.load_workbook(_io.BytesIO(_build(d)))
    ws = book["Return"]
    ws.insert_rows(1)
    ws["A1"] = "KCC In-year joiners"
    ws.merge_cells("A1:E1")
    ws.conditional_formatting.add("I3:I5000",
                                  CellIsRule(operator="lessThan", formula=["10"],
                                             fill=_Fill("solid", fgColor="FF0000")))
    template = tmp_path / "kcc.xlsx"
    book.save(template)
    export = tmp_path / "roll.csv"
    export.write_text("UPN,Surname,Forename,Year,Admission Date\nB886412324001,Smith,Amy,Year 11,07/10/2024\n",
                      encoding="utf-8")
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31",
                             template=template)
    out = _openpyxl.load_workbook(_io.BytesIO(prep.workbook_bytes()))["Return"]
    assert [str(r) for r in out.merged_cells.ranges] == ["A1:E1"]
    assert [str(r.sqref) for r in out.conditional_formatting] == ["I3:I5000"]
    assert out["A3"].value == "B886412324001"

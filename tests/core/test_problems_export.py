"""The problems list as CSV (UTF-8 with BOM, for Excel) or xlsx, never with formulas."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.conftest import SAMPLES  # one place says where the samples are
from tracker_desktop.core.checking.problem_list import HEADERS, csv_bytes, default_name, export_problems
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.writing.files import OutputExists


@pytest.fixture(scope="module")
def prep():
    if not (SAMPLES / "roll_2024-10.csv").exists():
        pytest.skip("sample exports not available")
    return Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10")


def test_csv_has_bom_and_a_line_per_problem(prep, tmp_path):
    path = export_problems(prep, tmp_path / "problems.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert len(rows) == len(prep.problems) + 1
    first = prep.problems[0]
    learner = prep.learners[first.row]
    assert rows[1][2] == learner.values["UPN"]
    assert rows[1][3] == f"{learner.values['Legal Forename']} {learner.values['Legal Surname']}"
    assert rows[1][4] == first.column
    assert rows[1][5] in ("Error", "Query") and rows[1][7]


def test_xlsx_matches_and_is_text(prep, tmp_path):
    path = export_problems(prep, tmp_path / "problems.xlsx")
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.values)
    assert list(values[0]) == HEADERS
    assert len(values) == len(prep.problems) + 1
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_formula_looking_values_are_defused(prep):
    class Fake:
        definition = prep.definition
        learners = [type("L", (), {"source_row": 2,
                                   "values": {"UPN": "=HYPERLINK(\"x\")", "Legal Forename": "@a",
                                              "Legal Surname": "b"}})()]
        problems = [type("P", (), {"row": 0, "column": "UPN", "rule": "upn-invalid", "severity": "error",
                                   "message": "m"})()]

        def sheet_row(self, i):
            return i + 2

    text = csv_bytes(Fake()).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@a" in text


def test_never_overwrites_unless_told(prep, tmp_path):
    path = export_problems(prep, tmp_path / "p.csv")
    with pytest.raises(OutputExists):
        export_problems(prep, path)
    export_problems(prep, path, force=True)
    with pytest.raises(UserError):
        export_problems(prep, tmp_path / "p.pdf")
    assert default_name(prep) == "8864123SchoolLeaversOct problems.xlsx"

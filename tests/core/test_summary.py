"""Destinations summary for the careers lead: counts by group and year left, a native chart, no names."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, make_upn, xlsx_bytes
from tracker_desktop.commands import main
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.routine.destinations import MAIN, NO_CODE, SCHOOL_AGE, UNKNOWN_CODE, category, summarise

TEP_HEADER = ["TEP Ref", "UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Year Left", "Address", "Postcode",
              "Telephone", "Destination Activity Code", "Provider or Employer", "Course or Job", "Date Ascertained",
              "Updated Telephone", "Notes"]
NAMES = ["Quorra", "Zebulon", "Xanthe", "Wolfgang", "Yselda", "Vortigern", "Ursula", "Tarquin"]


def tep_rows(codes_and_years):
    rows = [TEP_HEADER]
    for i, (code, year) in enumerate(codes_and_years):
        rows.append([f"TEP{i}", make_upn(f"88641232{i:04d}"), NAMES[i % len(NAMES)] + "son", NAMES[i % len(NAMES)],
                     "21/10/2007",
                     year, "1 High Street, Maidstone", "ME14 1XX", "01622 246602", code, "Provider" if code else None,
                     None, "07/10/2024" if code else None, None, None])
    return rows


SHEET = [("310", 11), ("210 - Full-time education - school sixth form", 11), ("Apprenticeship", 12), ("530", 12),
         ("619", 11), ("810", 12), ("", 11), ("710", 12), ("550", 11), ("999", 12)]


def write_tep(tmp_path: Path, rows, name="8864123LeaverDestinations2024.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes([("Return", rows)]))
    return path


@pytest.mark.parametrize("code, group", [
    ("210", "Education"), ("290", "Education"), ("310", "Employment"), ("381", "Employment"), ("550", "Employment"),
    ("410", "Training"), ("460", "Training"), ("530", "Training"), ("540", "NEET"), ("610", "NEET"), ("680", "NEET"),
    ("710", "Other"), ("810", "Not known"), ("830", "Not known"), ("150", "Not known"), ("110", SCHOOL_AGE),
    ("999", UNKNOWN_CODE), ("abc", UNKNOWN_CODE),
])
def test_category(code, group):
    assert category(code) == group


def test_counts_by_group_and_year_left(tmp_path):
    summary = summarise([write_tep(tmp_path, tep_rows(SHEET))])
    assert summary["years"] == ["11", "12"]
    assert summary["groups"][:6] == list(MAIN)
    c = summary["counts"]
    assert c["Employment"] == {"11": 2, "12": 1}  # 310, 550 | Apprenticeship (label) = 310
    assert c["Education"] == {"11": 1, "12": 0}  # 'code - label'
    assert c["Training"] == {"11": 0, "12": 1}
    assert c["NEET"] == {"11": 1, "12": 0}
    assert c["Other"] == {"11": 0, "12": 1}
    assert c["Not known"] == {"11": 0, "12": 1}
    assert c[NO_CODE] == {"11": 1, "12": 0}
    assert c[UNKNOWN_CODE] == {"11": 0, "12": 1}
    assert summary["rows"] == 10 and summary["files"] == 1
    assert summary["totals"]["Employment"] == 3
    assert summary["year_totals"] == {"11": 5, "12": 5}
    assert summary["by_code"]["310"] == 2
    assert SCHOOL_AGE not in summary["groups"]  # extra groups appear only when used


def test_several_files_and_leavers_returns_by_nc_year(tmp_path):
    tep = write_tep(tmp_path, tep_rows([("310", 11)]))
    leavers = tmp_path / "8864123SchoolLeaversOct.xlsx"
    leavers.write_bytes(xlsx_bytes([("Return", [["UPN", "Legal Surname", "NC Year", "Date of Leaving", "Destination"],
                                                 [make_upn("886412320099"), "Quill", "11", "18/10/2024", "110"],
                                                 [make_upn("886412320098"), "Quill", "Year 13", "18/10/2024",
                                                  "230"]])]))
    summary = summarise([tep, leavers])
    assert summary["files"] == 2 and summary["rows"] == 3
    assert summary["years"] == ["11", "13"]
    assert summary["counts"][SCHOOL_AGE] == {"11": 1, "13": 0}
    assert summary["counts"]["Education"]["13"] == 1


def test_encrypted_sheet_needs_its_password(tmp_path):
    from tracker_desktop.core.writing import encryption as protection

    plain = xlsx_bytes([("Return", tep_rows(SHEET))])
    path = tmp_path / "enc.xlsx"
    path.write_bytes(protection.encrypt(plain, "Maple-Harbour-42"))
    with pytest.raises(UserError, match="encrypted"):
        summarise([path])
    with pytest.raises(UserError, match="password"):
        summarise([path], password="wrong-password-here")
    assert summarise([path], password="Maple-Harbour-42")["rows"] == 10


def test_sample_encrypted_tep_sheet(tmp_path):
    sample = SAMPLES / "tep_leavers_2024_encrypted.xlsx"
    if not sample.exists():
        pytest.skip("samples not available")
    summary = summarise([sample], password="Maple-Harbour-42")
    assert summary["rows"] == 25
    assert summary["counts"][NO_CODE]  # TEP's sheet as sent: nobody filled in yet


def test_not_a_destinations_sheet(tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text("UPN,Surname,Forename\nX,Y,Z\n", encoding="utf-8")
    with pytest.raises(UserError, match="roll.csv: no destination column"):
        summarise([path])


def workbook_text(path: Path) -> str:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_cli_writes_table_and_native_bar_chart_without_names(tmp_path, capsys):
    import openpyxl

    tep = write_tep(tmp_path, tep_rows(SHEET))
    out = tmp_path / "summary.xlsx"
    assert main(["summary", str(tep), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Employment: 3" in printed
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        chart = z.read(charts[0]).decode() if charts else ""
        assert re.search(r"<(?:c:)?barChart>", chart) and re.search(r'<(?:c:)?barDir val="col"', chart)
        assert chart.count("<ser>") + chart.count("<c:ser>") == 2  # a series per year left
    text = workbook_text(out)
    for name in NAMES:
        assert name not in text
    assert "88641232" not in text and "ME14" not in text and "01622" not in text and "21/10/2007" not in text
    ws = openpyxl.load_workbook(out).active
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["Destination"][:3] == ("Year 11", "Year 12", "Total")
    assert rows["Employment"][:3] == (2, 1, 3)
    assert rows["Total"][:3] == (5, 5, 10)


def test_cli_refuses_to_overwrite_unless_forced(tmp_path, capsys):
    tep = write_tep(tmp_path, tep_rows(SHEET))
    out = tmp_path / "summary.xlsx"
    out.write_bytes(b"keep me")
    assert main(["summary", str(tep), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert main(["summary", str(tep), "--out", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(b"PK")


def test_cli_password_file(tmp_path, capsys):
    from tracker_desktop.core.writing import encryption as protection

    path = tmp_path / "enc.xlsx"
    path.write_bytes(protection.encrypt(xlsx_bytes([("Return", tep_rows(SHEET))]), "Maple-Harbour-42"))
    pw = tmp_path / "pw.txt"
    pw.write_text("Maple-Harbour-42\n", encoding="utf-8")
    assert main(["summary", str(path), "--out", str(tmp_path / "s.xlsx")]) == 2
    assert main(["summary", str(path), "--out", str(tmp_path / "s.xlsx"), "--password-file", str(pw)]) == 0

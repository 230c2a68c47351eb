"""The command line as an office script or the desktop app uses it: exit codes, one plain line
on failure, the report, and never replacing a file silently."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tracker_desktop.commands import main

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
ROLL = SAMPLES / "roll_2024-10.csv"
needs_samples = pytest.mark.skipif(not ROLL.exists(), reason="shared samples not present")


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@needs_samples
def test_prepare_writes_named_return_and_report(tmp_path, capsys):
    code, out, err = run(["prepare", "school-joiners", ROLL, "--school", "8864123", "--period", "2024-10",
                          "--out", tmp_path, "--report", tmp_path / "r.json"], capsys)
    assert code == 1  # the sample has an error left to fix
    written = tmp_path / "8864123SchoolJoinersOct.xlsx"
    assert written.exists()
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["return"] == "school-joiners"
    assert report["output"] == str(written)
    assert report["rows"] == len(report["learners"]) > 0
    assert all({"source_row", "reason"} <= set(left) for left in report["left_out"])
    assert {p["severity"] for p in report["problems"]} <= {"error", "query"}
    ws = openpyxl.load_workbook(written)["Return"]
    assert ws.max_row == 1 + report["rows"]
    first = report["learners"][0]
    assert first["row"] == 2


@needs_samples
def test_existing_file_is_not_replaced_without_force(tmp_path, capsys):
    args = ["prepare", "school-leavers", ROLL, "--school", "8864123", "--period", "2024-10", "--out", tmp_path]
    assert run(args, capsys)[0] in (0, 1)
    target = tmp_path / "8864123SchoolLeaversOct.xlsx"
    before = target.read_bytes()
    code, out, err = run(args, capsys)
    assert code == 2
    assert "already exists" in err and err.count("\n") == 1 and "Traceback" not in err
    assert target.read_bytes() == before
    assert run(args + ["--force"], capsys)[0] in (0, 1)


@pytest.mark.parametrize("args, words", [
    (["prepare", "school-leavers", "missing.csv", "--school", "8864123"], "does not exist"),
    (["prepare", "no-such-return", "x.csv", "--school", "8864123"], "no return called"),
    (["prepare", "school-leavers", "x.csv", "--school", "12"], "7-digit"),
    (["prepare", "college-joiners", "x.csv", "--school", "8864123"], "college code"),
    (["prepare", "school-leavers", "x.csv", "--school", "8864123", "--period", "October"], "YYYY-MM"),
    (["prepare", "school-leavers"], "required"),
])
def test_bad_input_is_one_plain_line_and_exit_2(tmp_path, capsys, args, words):
    (tmp_path / "x.csv").write_text("UPN,Surname,Forename\nA,B,C\n", encoding="utf-8")
    args = [a if a != "x.csv" else tmp_path / "x.csv" for a in args]
    code, out, err = run(args + ["--out", tmp_path] if len(args) > 2 else args, capsys)
    assert code == 2
    assert words in err
    assert "Traceback" not in err
    assert not list(tmp_path.glob("*.xlsx"))


def test_unreadable_export_names_the_file(tmp_path, capsys):
    bad = tmp_path / "pupils.csv"
    bad.write_bytes(b"\x00\x01\x02\x03" * 200)
    code, out, err = run(["prepare", "school-leavers", bad, "--school", "8864123", "--out", tmp_path], capsys)
    assert code == 2 and "pupils.csv" in err


def test_returns_lists_every_return(capsys):
    code, out, err = run(["returns"], capsys)
    assert code == 0
    for rid in ("school-post16-enrolment", "school-joiners", "school-leavers", "school-september-guarantee",
                "school-intended-destinations", "tep-leaver-destinations", "tep-no-offer", "college-post16-enrolment",
                "college-joiners", "college-leavers", "college-september-guarantee"):
        assert rid in out
    assert "next due" in out


@needs_samples
def test_check_finds_the_same_errors_as_prepare(tmp_path, capsys):
    run(["prepare", "school-leavers", ROLL, "--school", "8864123", "--period", "2024-10", "--out", tmp_path,
         "--report", tmp_path / "p.json"], capsys)
    code, out, err = run(["check", "school-leavers", tmp_path / "8864123SchoolLeaversOct.xlsx", "--report",
                          tmp_path / "c.json"], capsys)
    assert code == 1
    prepared = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    checked = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    key = lambda p: (p["row"], p["column"], p["rule"])  # noqa: E731
    assert sorted(map(key, checked["problems"])) == sorted(map(key, prepared["problems"]))


def test_console_script_has_no_traceback_on_usage_error():
    exe = Path(sys.executable).with_name("tracker-desktop")
    if not exe.exists():
        pytest.skip("console script not installed")
    p = subprocess.run([str(exe), "prepare"], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.strip()


def test_deadlines_for_an_academic_year(capsys):
    code, out, err = run(["deadlines", "--academic-year", "2025-26", "--school", "8864123"], capsys)
    assert code == 0
    assert "Fri 12 Sep 2025  Sixth-form enrolment" in out  # 2nd Friday of September
    assert "Fri 29 May 2026  In-year leavers (May 2026)" in out  # last working day
    assert "College" not in out


TEP_SHEET = SAMPLES / "tep_leavers_2024_encrypted.xlsx"


@pytest.mark.skipif(not TEP_SHEET.exists(), reason="shared samples not present")
def test_tep_prepare_writes_only_encrypted_output_and_a_draft(tmp_path, capsys):
    from tracker_desktop.core.writing import encryption as protection

    (tmp_path / "in.pw").write_text("Maple-Harbour-42\n")
    (tmp_path / "out.pw").write_text("Copper-Lantern-Meadow-58\n")
    out = tmp_path / "out"
    code, stdout, err = run(["prepare", "tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv",
                             "--prepopulated", TEP_SHEET, "--prepopulated-password-file", tmp_path / "in.pw",
                             "--school", "8864123", "--as-of", "2024-10-31", "--encrypt-password-file",
                             tmp_path / "out.pw", "--out", out], capsys)
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["8864123LeaverDestinations2024.eml",
                                                     "8864123LeaverDestinations2024.xlsx"]
    data = (out / "8864123LeaverDestinations2024.xlsx").read_bytes()
    assert protection.is_encrypted(data)
    protection.decrypt(data, "Copper-Lantern-Meadow-58")
    assert b"Copper-Lantern" not in (out / "8864123LeaverDestinations2024.eml").read_bytes()
    assert "Copper-Lantern" not in stdout + err


@pytest.mark.skipif(not TEP_SHEET.exists(), reason="shared samples not present")
def test_tep_without_password_file_prints_a_generated_passphrase_once(tmp_path, capsys):
    (tmp_path / "in.pw").write_text("Maple-Harbour-42")
    code, stdout, err = run(["prepare", "tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv",
                             "--prepopulated", TEP_SHEET, "--prepopulated-password-file", tmp_path / "in.pw",
                             "--school", "8864123", "--as-of", "2024-10-31", "--out", tmp_path / "o"], capsys)
    from tracker_desktop.core.writing import encryption as protection

    password = err.strip().rsplit(": ", 1)[1]
    assert len(password) >= 12 and err.count(password) == 1 and password not in stdout
    protection.decrypt((tmp_path / "o" / "8864123LeaverDestinations2024.xlsx").read_bytes(), password)


def test_encrypt_then_decrypt_round_trip(tmp_path, capsys):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "UPN"
    book.save(tmp_path / "hand.xlsx")
    (tmp_path / "pw").write_text("Velvet-Harbour-Tulip-29")
    assert run(["encrypt", tmp_path / "hand.xlsx", "--out", tmp_path / "locked.xlsx", "--password-file",
                tmp_path / "pw"], capsys)[0] == 0
    assert run(["decrypt", tmp_path / "locked.xlsx", "--out", tmp_path / "open.xlsx", "--password-file",
                tmp_path / "pw"], capsys)[0] == 0
    assert openpyxl.load_workbook(tmp_path / "open.xlsx").active["A1"].value == "UPN"
    (tmp_path / "bad").write_text("Wrong-Password-Entirely-1")
    code, out, err = run(["decrypt", tmp_path / "locked.xlsx", "--out", tmp_path / "x.xlsx", "--password-file",
                          tmp_path / "bad"], capsys)
    assert code == 2 and "password" in err.lower() and not (tmp_path / "x.xlsx").exists()


def test_nobody_in_scope_writes_a_nil_return_draft_not_an_empty_workbook(tmp_path, capsys):
    from email import message_from_bytes, policy

    export = tmp_path / "roll.csv"
    export.write_text("UPN,Surname,Forename,Year,Admission Date\nB886412324001,Smith,Amy,Year 8,04/09/2023\n",
                      encoding="utf-8")
    code, out, err = run(["prepare", "school-joiners", export, "--school", "8864123", "--period", "2024-10",
                          "--out", tmp_path, "--report", tmp_path / "r.json"], capsys)
    assert code == 0
    assert not list(tmp_path.glob("*.xlsx"))
    drafts = list(tmp_path.glob("*.eml"))
    assert len(drafts) == 1 and "nil return" in out.lower()
    msg = message_from_bytes(drafts[0].read_bytes(), policy=policy.default)
    assert msg["To"] == "MICorePlus@kent.gov.uk" and "October 2024" in msg.get_body(("plain",)).get_content()
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["rows"] == 0


def test_codes_are_written_as_the_templates_dropdown_lists_them(tmp_path, capsys):
    import io as _io

    from openpyxl.worksheet.datavalidation import DataValidation

    from tracker_desktop.core.returns.definitions import code_lists, load_definition
    from tracker_desktop.core.returns.template_builder import build_template

    d = load_definition("school-leavers")
    book = openpyxl.load_workbook(_io.BytesIO(build_template(d)))
    ws = book["Return"]
    col = [c.value for c in ws[1]].index("Destination") + 1
    lists = book["Lists"]
    for r, (code, label) in enumerate(code_lists()["activity"].items(), start=1):
        lists.cell(r, 20, f"{code} - {label}")
    ws.data_validations.dataValidation = [dv for dv in ws.data_validations.dataValidation
                                          if openpyxl.utils.get_column_letter(col) not in str(dv.sqref)]
    dv = DataValidation(type="list", formula1=f"Lists!$T$1:$T${len(code_lists()['activity'])}")
    dv.add(f"{openpyxl.utils.get_column_letter(col)}2:{openpyxl.utils.get_column_letter(col)}500")
    ws.add_data_validation(dv)
    book.save(tmp_path / "kcc.xlsx")
    export = tmp_path / "roll.csv"
    export.write_text("UPN,Surname,Forename,Year,Leaving Date,Destination\n"
                      "B886412324001,Smith,Amy,Year 12,04/10/2024,310\n", encoding="utf-8")
    run(["prepare", "school-leavers", export, "--school", "8864123", "--period", "2024-10", "--template",
         tmp_path / "kcc.xlsx", "--out", tmp_path / "o"], capsys)
    written = openpyxl.load_workbook(tmp_path / "o" / "8864123SchoolLeaversOct.xlsx")["Return"]
    assert written.cell(2, col).value == "310 - Apprenticeship"


def test_deadlines_move_back_over_the_schools_own_closure_days(capsys):
    code, out, err = run(["deadlines", "--academic-year", "2025-26", "--school", "8864123", "--closed", "2026-05-29",
                          "2026-05-28"], capsys)
    assert code == 0
    assert "Wed 27 May 2026  In-year leavers (May 2026)" in out
    code, out, err = run(["deadlines", "--closed", "29/05/2026"], capsys)
    assert code == 2 and "YYYY-MM-DD" in err


@needs_samples
def test_preparing_and_encrypting_never_touch_the_network(tmp_path, capsys, monkeypatch):
    import socket

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network use is not allowed")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert run(["prepare", "school-leavers", ROLL, "--school", "8864123", "--period", "2024-10", "--out", tmp_path],
               capsys)[0] in (0, 1)
    (tmp_path / "in.pw").write_text("Maple-Harbour-42")
    code = run(["prepare", "tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv",
                "--prepopulated", TEP_SHEET, "--prepopulated-password-file", tmp_path / "in.pw",
                "--school", "8864123", "--as-of", "2024-10-31", "--out", tmp_path / "tep"], capsys)[0]
    assert code in (0, 1)
    assert attempts == []


def test_check_flags_values_a_hand_filled_return_holds_wrongly(tmp_path, capsys):
    import io as _io

    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.template_builder import build_template

    book = openpyxl.load_workbook(_io.BytesIO(build_template(load_definition("school-joiners"))))
    ws = book["Return"]
    headers = [c.value for c in ws[1]]
    row = {"UPN": "Y886123424001", "Legal Surname": "Smith", "Legal Forename": "Amy", "Date of Birth": "15/03/2009",
           "Gender": "Female", "NC Year": 11, "Address Line 1": "1 High St", "Town": "Maidstone", "Postcode": "me141aa",
           "Parent/Carer Name": "Jo Smith", "Parent/Carer Telephone": 1622123456, "EHCP": "N",
           "Date of Joining": "04/11/2024"}
    for header, value in row.items():
        ws.cell(2, headers.index(header) + 1, value)
    book.save(tmp_path / "hand.xlsx")
    code, out, err = run(["check", "school-joiners", tmp_path / "hand.xlsx", "--period", "2024-11", "--report",
                          tmp_path / "r.json"], capsys)
    assert code == 1
    found = {(p["column"],
              p["rule"]) for p in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["problems"]}
    assert found == {("Gender", "written-differently"), ("Postcode", "written-differently"),
                     ("Parent/Carer Telephone", "written-differently")}
    assert "should be 'F'" in out

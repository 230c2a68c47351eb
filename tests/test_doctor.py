"""`tracker-desktop doctor`: one line per part, OK or FAIL with the reason, exit 0 only if all OK,
nothing personal printed, no network connection made."""
from __future__ import annotations

import io
import re
import shutil
import socket

import pytest

from tracker_desktop import doctor
from tracker_desktop.core.returns.definitions import return_ids, templates_dir

PARTS = ["bundled files", "return definitions", "read CSV UTF-8", "read CSV Windows-1252", "read CSV UTF-16",
         "read Excel xlsx", "clean and check", "write return", "encrypt and decrypt", "bank holidays and deadlines",
         "demo export", "settings and log folders", "command line", "GUI toolkit", "desktop app", "offline"]
LINE = re.compile(r"^(OK  (?P<ok>[^(]+?)( \(.*\))?|FAIL (?P<fail>[^:]+): .+)$")


@pytest.fixture(autouse=True)
def own_settings_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DESKTOP_SETTINGS_DIR", str(tmp_path / "settings"))


def run() -> tuple[int, list[str], str]:
    out = io.StringIO()
    code = doctor.run_doctor(out)
    text = out.getvalue()
    return code, text.splitlines(), text


def parts(lines: list[str]) -> dict[str, bool]:
    found = {}
    for line in lines[1:-1]:  # a heading first and a summary last
        m = LINE.match(line)
        assert m, f"not a part line: {line!r}"
        found[(m["ok"] or m["fail"]).strip()] = bool(m["ok"])
    return found


def test_every_part_is_ok_and_exit_is_0():
    code, lines, text = run()
    found = parts(lines)
    assert code == 0, text
    assert all(found.values()), text
    for name in PARTS + [f"template {r}" for r in return_ids()]:
        assert name in found, f"no line for {name}:\n{text}"
    assert lines[-1] == f"All {len(found)} parts OK."


def test_command_line_runs_the_doctor(capsys):
    from tracker_desktop.commands import main

    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "OK  encrypt and decrypt" in out and "FAIL" not in out


def test_nothing_personal_is_printed(tmp_path):
    _, _, text = run()
    rows = doctor.demo_rows()[1:]
    for row in rows:
        for cell in row:  # names, UPNs, addresses, telephone numbers of the test learners
            if len(cell) > 3 and not cell.startswith("Year"):
                assert cell not in text
    assert str(tmp_path) not in text
    import tempfile

    assert tempfile.gettempdir() + "/tracker-doctor" not in text
    assert not re.search(r"\b[A-Z][a-z]+(-[A-Z][a-z]+){3,}-\d\d\b", text), "a passphrase was printed"


def test_a_failing_part_is_named_with_its_reason_and_the_rest_still_run(monkeypatch):
    from tracker_desktop.core.writing import encryption as protection

    def broken(plain, password):
        raise protection.ProtectionError("The workbook could not be encrypted; nothing was saved.")

    monkeypatch.setattr(protection, "encrypt", broken)
    code, lines, text = run()
    assert code == 1
    assert "FAIL encrypt and decrypt: The workbook could not be encrypted; nothing was saved." in lines
    found = parts(lines)
    assert found["demo export"] and found["offline"]  # later parts still ran
    assert lines[-1] == f"1 of {len(found)} parts failed: encrypt and decrypt"


def test_an_unexpected_exception_is_a_fail_line_not_a_crash(monkeypatch):
    monkeypatch.setattr(doctor.Doctor, "check_calendar", lambda self: 1 / 0)
    code, lines, _ = run()
    assert code == 1
    assert "FAIL bank holidays and deadlines: ZeroDivisionError: division by zero" in lines


def test_a_missing_template_fails_its_part(tmp_path, monkeypatch):
    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    (copy / "school-leavers.xlsx").unlink()
    monkeypatch.setattr("tracker_desktop.core.returns.definitions.templates_dir", lambda: copy)
    code, lines, text = run()
    assert code == 1
    found = parts(lines)
    assert found["bundled files"] is False and found["template school-leavers"] is False
    assert found["template school-joiners"] is True
    assert "missing templates/school-leavers.xlsx" in text


def test_a_template_that_differs_from_the_shipped_one_is_still_ok(tmp_path, monkeypatch):
    import openpyxl

    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    book = openpyxl.load_workbook(copy / "school-joiners.xlsx")
    ws = book["Return"] if "Return" in book.sheetnames else book.worksheets[0]
    for row in ws.iter_rows():
        cells = [c for c in row if c.value == "Postcode"]
        if cells:
            cells[0].offset(0, 0).value = "Post Code (new)"  # KCC renamed a column
            break
    book.save(copy / "school-joiners.xlsx")
    monkeypatch.setattr("tracker_desktop.core.returns.definitions.templates_dir", lambda: copy)
    doc = doctor.Doctor(io.StringIO())
    assert doc.part("template school-joiners", lambda: doc.check_template("school-joiners"))
    assert "differs from the shipped layout" in doc.out.getvalue()


def test_without_a_display_the_window_is_skipped_and_still_ok(monkeypatch):
    monkeypatch.setattr(doctor, "_display_available", lambda: False)
    doc = doctor.Doctor(io.StringIO())
    assert doc.part("GUI toolkit", doc.check_gui)
    assert "skipped: no display" in doc.out.getvalue()


def test_a_network_connection_is_refused_and_reported(monkeypatch):
    def calls_home(self):
        try:
            socket.create_connection(("example.org", 443), timeout=1)
        except OSError:
            pass
        return ""

    saved = (socket.socket.connect, socket.getaddrinfo, socket.create_connection)
    monkeypatch.setattr(doctor.Doctor, "check_calendar", calls_home)
    code, lines, _ = run()
    assert code == 1
    assert "FAIL offline: 1 network connection(s) attempted" in lines
    assert (socket.socket.connect, socket.getaddrinfo, socket.create_connection) == saved  # put back


def test_the_exports_are_the_same_learners_in_every_format(tmp_path):
    from tracker_desktop.core.reading.exports import read_export

    files = doctor.export_files(tmp_path)
    assert set(files) == {"CSV UTF-8", "CSV Windows-1252", "CSV UTF-16", "Excel xlsx", "Excel 97-2003 xls", "CTF XML"}
    assert files["CSV Windows-1252"].read_bytes().count("ë".encode("cp1252")) >= 1
    ctf = read_export(files.pop("CTF XML"))
    tables = [read_export(p) for p in files.values()]
    assert all(t.headers == doctor.HEADER for t in tables)
    assert all(t.rows == tables[0].rows for t in tables)  # the shipped xls still holds doctor's rows
    assert [r[ctf.headers.index("Legal Forename")] for r in ctf.rows] == [r[2] for r in tables[0].rows]


def test_a_command_missing_from_the_installed_folder_fails_its_part(monkeypatch):
    from tracker_desktop import commands

    monkeypatch.setitem(commands.COMMANDS, "summary", ("summary", "cmd_no_such_thing"))
    doc = doctor.Doctor(io.StringIO())
    assert doc.part("command line", doc.check_commands) is False
    expected = "FAIL command line: the command 'summary' is missing from tracker_desktop.commands.summary"
    assert expected in doc.out.getvalue()

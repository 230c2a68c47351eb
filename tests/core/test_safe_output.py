"""What is written is what a user relies on: XML-safe values (changes recorded as fixes), a
workbook read back before it is saved or encrypted, nothing too long for Excel, nothing in the
temp folder, no leftovers from a killed save, and a TEP save whose passphrase is never lost."""
from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import make_upn
from tests.core.test_tep import PASSWORD, TEP_ROWS, tep_workbook
from tracker_desktop.commands import main
from tracker_desktop.core.preparing import saving
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.preparing.tep import prepare_tep
from tracker_desktop.core.values.characters import EXCEL_CELL_LIMIT, one_line, xml_safe
from tracker_desktop.core.writing import encryption as protection
from tracker_desktop.core.writing import files
from tracker_desktop.core.writing.files import CannotWrite, OutputExists, remove_stale, write_atomic, write_workbook
from tracker_desktop.core.writing.verify import WorkbookDamaged, check_workbook

HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date\n")


def roll(tmp_path: Path, names: list[tuple[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for i, (surname, forename) in enumerate(names, start=1):
        writer.writerow([make_upn(f"8864123240{i:02d}"), surname, forename, "15/03/2009", "F", "Year 11",
                         "1 High Street", "Maidstone", "ME14 1XX", "Jo Smith", "07911 123456", "N", "07/10/2024"])
    path = tmp_path / "input" / "roll.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER + buffer.getvalue(), encoding="utf-8")
    return path


def start(path: Path) -> Preparation:
    return Preparation.start("school-joiners", path, school="8864123", period="2024-10", as_of="2024-10-31")


def sheet_values(data: bytes, sheet: str = "Return") -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


# --- characters ------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\ud800", "\udfff"])
def test_characters_xml_cannot_hold_become_the_replacement_character(bad):
    assert xml_safe(f"Ann{bad}e") == "Ann\ufffde"


def test_control_characters_become_spaces_and_plain_text_is_untouched():
    assert xml_safe("A\x00B\x1fC") == "A B C"
    for fine in ("Zoë O’Brien", "محمد", "יעל", "Łukasz \U0001f600", "tab\tand\nline"):
        assert xml_safe(fine) == fine


def test_one_line_joins_line_breaks_and_removes_direction_overrides():
    assert one_line("Ann\r\nMarie\nJo\u2028Bo\tLee") == "Ann Marie Jo Bo Lee"
    assert one_line("Smith\u202eevil\u202c") == "Smithevil"
    assert one_line("\u2067Hana\u2069") == "Hana"
    assert one_line("محمد علي") == "محمد علي"  # right-to-left text needs no override: kept


def test_export_names_with_bad_characters_are_cleaned_as_visible_fixes(tmp_path):
    prep = start(roll(tmp_path, [("Sm\ufffeith", "Amy"), ("Jones", "Ann\nMarie"), ("Khan\u202e", "Sara\uffff")]))
    fixes = {(i, f.column): (f.before, f.after) for i, learner in enumerate(prep.learners)
             for f in learner.fixes.values()}
    assert fixes[(0, "Legal Surname")] == ("Sm\ufffeith", "Sm\ufffdith")
    assert fixes[(1, "Legal Forename")] == ("Ann\nMarie", "Ann Marie")
    assert fixes[(2, "Legal Surname")] == ("Khan\u202e", "Khan")
    assert fixes[(2, "Legal Forename")] == ("Sara\uffff", "Sara\ufffd")
    report_fixes = {(f["row"], f["column"]) for f in prep.report(None)["fixes"]}
    assert {(2, "Legal Surname"), (3, "Legal Forename")} <= report_fixes
    path = prep.save(tmp_path / "out")
    rows = sheet_values(path.read_bytes())
    assert len(rows) == 4  # header and every learner: none lost to a malformed sheet
    assert [r[1:3] for r in rows[1:]] == [("Sm\ufffdith", "Amy"), ("Jones", "Ann Marie"), ("Khan", "Sara\ufffd")]


def test_a_typed_lone_surrogate_is_a_fix_and_the_file_still_reads(tmp_path):
    prep = start(roll(tmp_path, [("Smith", "Amy")]))
    assert prep.set_value(0, "Legal Surname", "Sm\ud800th") == "Sm\ufffdth"
    assert prep.learners[0].fixes["Legal Surname"].after == "Sm\ufffdth"
    path = prep.save(tmp_path / "out")
    assert sheet_values(path.read_bytes())[1][1] == "Sm\ufffdth"


def test_the_writer_never_makes_a_malformed_sheet_even_from_uncleaned_values(tmp_path):
    prep = start(roll(tmp_path, [("Smith", "Amy")]))
    prep.learners[0].values["Legal Surname"] = "Bad\ufffe\x01\ud800"  # as if cleaning had been bypassed
    data = prep.workbook_bytes()
    check_workbook(data, "test.xlsx")
    assert sheet_values(data)[1][1] == "Bad\ufffd \ufffd"


# --- reading back ----------------------------------------------------------------------------------

def malformed(data: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The same package with U+FFFE put into a sheet's XML, as an unchecked writer would."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                row = '<row r="99"><c r="A99" t="inlineStr"><is><t>\ufffe</t></is></c></row>'
                body = body.replace(b"</sheetData>", row.encode("utf-8") + b"</sheetData>")
            dst.writestr(info, body)
    return out.getvalue()


@pytest.fixture
def good_workbook(tmp_path) -> bytes:
    return start(roll(tmp_path, [("Smith", "Amy")])).workbook_bytes()


def test_a_malformed_workbook_is_never_saved(good_workbook, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    bad = malformed(good_workbook)
    with pytest.raises(WorkbookDamaged,
                       match=r"return\.xlsx was not saved: its part xl/worksheets/sheet1\.xml does not read back"):
        write_workbook(tmp_path / "return.xlsx", bad)
    assert list(tmp_path.iterdir()) == []
    write_workbook(tmp_path / "return.xlsx", good_workbook)
    assert (tmp_path / "return.xlsx").read_bytes() == good_workbook


def test_a_malformed_workbook_is_never_encrypted_so_never_verified_by_decrypting(good_workbook, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    bad = malformed(good_workbook)
    with pytest.raises(protection.ProtectionError, match="does not read back as XML.*Nothing was encrypted"):
        protection.encrypt(bad, PASSWORD)
    with pytest.raises(protection.ProtectionError):
        protection.write_encrypted(bad, PASSWORD, tmp_path / "tep.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_damaged_zip_and_missing_content_types_are_refused(good_workbook):
    with pytest.raises(WorkbookDamaged):
        check_workbook(good_workbook[: len(good_workbook) // 2], "half.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(WorkbookDamaged, match="Content_Types"):
        check_workbook(out.getvalue(), "bare.xlsx")


# --- too long for a cell ---------------------------------------------------------------------------

def test_a_value_over_32767_characters_is_an_error_and_never_written(tmp_path):
    prep = start(roll(tmp_path, [("Smith", "Amy"), ("Jones", "Ann")]))
    prep.set_value(1, "Address Line 1", "x" * (EXCEL_CELL_LIMIT + 1))
    prep.set_value(0, "Address Line 1", "y" * EXCEL_CELL_LIMIT)  # exactly the limit: fine
    found = [(p.row, p.column, p.rule, p.severity) for p in prep.problems if p.rule == "cell-too-long"]
    assert found == [(1, "Address Line 1", "cell-too-long", "error")]
    assert "32,768 characters" in next(p.message for p in prep.problems if p.rule == "cell-too-long")
    column = [c.header for c in prep.template.columns].index("Address Line 1")
    rows = sheet_values(prep.save(tmp_path / "out").read_bytes())
    assert rows[1][column] == "y" * EXCEL_CELL_LIMIT and rows[2][column] is None
    assert prep.counts()["errors"] >= 1


def test_a_too_long_value_in_a_tep_sheet_keeps_teps_own_value(tmp_path):
    plain, export = tmp_path / "tep.xlsx", tmp_path / "dest.csv"
    plain.write_bytes(tep_workbook())
    export.write_text("UPN,Destination,Destination Provider\nY886412320001,310,\"" + "z" * 40_000 + "\"\n",
                      encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    assert ("Provider or Employer", "cell-too-long") in {(p.column, p.rule) for p in prep.problems}
    rows = sheet_values(prep.workbook_bytes())
    header = list(rows[0])
    assert rows[1][header.index("Provider or Employer")] is None  # TEP's own (empty) value, not 40,000 z's
    assert rows[1][header.index("Destination Activity Code")] == "310"


# --- TEP's own formulas ----------------------------------------------------------------------------

def test_teps_formula_cells_are_flagged_until_replaced(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(tep_workbook()))
    ws = book["Return"]
    address = [c.value for c in ws[1]].index("Address") + 1
    ws.cell(3, address, '=HYPERLINK("http://example.org","94 Tonbridge Road")')
    book.create_sheet("Counts")["A1"] = "=COUNTA(Return!A:A)"
    plain = tmp_path / "tep.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    plain.write_bytes(buffer.getvalue())
    export = tmp_path / "dest.csv"
    export.write_text("UPN,Destination\nY886412320001,310\n", encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    flagged = [(p.row, p.column, p.severity) for p in prep.problems if p.rule == "tep-formula"]
    assert flagged == [(1, "Address", "query")]
    assert "HYPERLINK" in next(p.message for p in prep.problems if p.rule == "tep-formula")
    assert prep.report(None)["tep_formulas_elsewhere"] == ["Counts!A1"]
    prep.set_value(1, "Address", "94 Tonbridge Road")
    assert not [p for p in prep.problems if p.rule == "tep-formula"]


# --- nothing in the temp folder ------------------------------------------------------------------------

_WATCHED: list[str] = []
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if any(os.path.abspath(path).startswith(w) for w in _WATCHED):
            _OPENED.append(path)


sys.addaudithook(_audit)  # cannot be removed: it only looks while a test has a folder watched


class Watch:
    def __init__(self, folder: Path):
        self.folder = folder

    def start(self) -> None:
        """From now on (after the test's own inputs are made), every open() under it is recorded."""
        _OPENED.clear()
        _WATCHED.append(str(self.folder))

    def iterdir(self):
        return self.folder.iterdir()


@pytest.fixture
def watched_temp(tmp_path, monkeypatch):
    """TMPDIR pointing at an empty folder, watched once the test calls start()."""
    scratch = tmp_path / "system-temp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # so tempfile reads TMPDIR again
    assert tempfile.gettempdir() == str(scratch)
    yield Watch(scratch)
    _WATCHED.clear()


def test_a_tep_sheet_is_saved_with_nothing_in_the_temp_folder(tmp_path, watched_temp):
    plain, export = tmp_path / "tep.xlsx", tmp_path / "dest.csv"
    plain.write_bytes(protection.encrypt(tep_workbook(), "Maple-Harbour-42"))
    export.write_text("UPN,TEP Ref,Destination,Destination Provider\n"
                      "Y886412320001,,310,Kent Motors Ltd\n,TEP2,210,Langton\n", encoding="utf-8")
    watched_temp.start()  # from opening TEP's encrypted workbook to the draft and report
    prep = prepare_tep("tep-leaver-destinations", export, plain, "Maple-Harbour-42", "8864123", as_of="2024-10-31")
    saved = saving.save_tep_return(prep, tmp_path / "out", PASSWORD, report=tmp_path / "out" / "r.json")
    assert saved.output.exists() and saved.draft.exists() and saved.afterwards == []
    assert _OPENED == [] and list(watched_temp.iterdir()) == []
    assert sheet_values(protection.decrypt(saved.output.read_bytes(), PASSWORD))[1][0] == TEP_ROWS[0][0]


def test_a_return_problems_list_and_summary_are_saved_with_nothing_in_the_temp_folder(tmp_path, watched_temp):
    from tracker_desktop.core.checking.problem_list import export_problems
    from tracker_desktop.core.routine.destinations import write_summary

    export = roll(tmp_path, [("Smith", "Amy"), ("Jones", "")])
    watched_temp.start()
    prep = start(export)
    path = prep.save(tmp_path / "out")
    export_problems(prep, tmp_path / "out" / "problems.xlsx")
    summary = {"rows": 1, "files": 1, "years": ["11"], "groups": ["Education"], "counts": {"Education": {"11": 1}},
               "totals": {"Education": 1}, "year_totals": {"11": 1}, "by_code": {"210": 1}}
    write_summary(summary, tmp_path / "out" / "summary.xlsx")
    assert _OPENED == [] and list(watched_temp.iterdir()) == []
    assert len(sheet_values(path.read_bytes())) == 3


def test_openpyxl_on_its_own_would_have_used_the_temp_folder(watched_temp):
    """The watch works: openpyxl's own save opens a file in the watched folder."""
    watched_temp.start()
    book = openpyxl.Workbook()
    book.active["A1"] = "Amy Smith"
    book.save(io.BytesIO())
    assert any(Path(p).parent == watched_temp.folder and Path(p).name.startswith("openpyxl.") for p in _OPENED)


def test_a_write_only_sheet_made_the_spilling_way_is_refused():
    from tracker_desktop.core.writing import in_memory

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Spills")
    sheet.append(["x"])  # openpyxl has already put this row in a temp file
    with pytest.raises(RuntimeError, match="write_only_sheet"):
        in_memory.save(book)
    sheet.close()
    sheet._writer.cleanup()


# --- one atomic write, and the leftovers of a killed one ------------------------------------------------

def test_stale_saving_files_are_removed_by_the_next_save_but_not_one_in_progress(tmp_path):
    stale = tmp_path / ".saving-abc123.tmp"
    stale.write_bytes(b"half a return")
    other = tmp_path / ".saving-notes.txt"  # not ours: left alone
    other.write_bytes(b"x")
    busy = tmp_path / ".saving-busy.tmp"
    busy.write_bytes(b"being written")
    if sys.platform != "win32":
        import fcntl

        holder = os.open(busy, os.O_RDONLY)
        fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        write_atomic(tmp_path / "return.xlsx", b"data")
        assert not stale.exists() and other.exists() and busy.exists()
    finally:
        if sys.platform != "win32":
            os.close(holder)
    assert remove_stale(tmp_path) == [busy]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".saving-notes.txt", "return.xlsx"]


def test_write_encrypted_never_replaces_a_file_that_appears_meanwhile(good_workbook, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "tep.xlsx"
    real_link = os.link

    def someone_else_saves_first(src, dst):
        Path(dst).write_bytes(b"theirs")
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", someone_else_saves_first)
    with pytest.raises(OutputExists):
        protection.write_encrypted(good_workbook, PASSWORD, target)
    assert target.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tep.xlsx"]
    assert issubclass(protection.OutputExists, files.OutputExists)  # the app's "replace it?" question applies


# --- order of a save: checks first, then the return, then what goes with it -------------------------

def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_that_cannot_be_saved_is_found_before_the_return_is_written(tmp_path, capsys):
    export = roll(tmp_path, [("Smith", "Amy")])
    (tmp_path / "r.json").mkdir()
    code, out, err = run(["prepare", "school-joiners", export, "--school", "8864123", "--period", "2024-10",
                          "--as-of", "2024-10-31", "--out", tmp_path / "out", "--report", tmp_path / "r.json"], capsys)
    assert code == 2 and "is a folder" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_report_and_history_failing_after_the_return_is_written_are_exit_1_with_the_summary(tmp_path, capsys,
                                                                                            monkeypatch):
    export = roll(tmp_path, [("Smith", "Amy")])
    real = saving.write_atomic

    def report_disk_fails(path, data, force=False):
        if Path(path).suffix == ".json":
            raise CannotWrite(f"{Path(path).name} could not be saved: the disk is full.")
        return real(path, data, force=force)

    def history_fails(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saving, "write_atomic", report_disk_fails)
    monkeypatch.setattr("tracker_desktop.core.routine.history.append", history_fails)
    code, out, err = run(["prepare", "school-joiners", export, "--school", "8864123", "--period", "2024-10",
                          "--as-of", "2024-10-31", "--out", tmp_path / "out", "--report", tmp_path / "r.json",
                          "--history", tmp_path / "hist"], capsys)
    assert code == 1
    assert out.startswith(f"wrote {tmp_path / 'out'}") and "1 learners" in out
    assert "The report r.json could not be saved" in err and "disk is full" in err
    assert "history of prepared returns was not updated" in err
    assert len(list((tmp_path / "out").iterdir())) == 1


@pytest.fixture
def tep_cli(tmp_path):
    plain, export = tmp_path / "tep.xlsx", tmp_path / "dest.csv"
    plain.write_bytes(tep_workbook())
    export.write_text("UPN,Destination\nY886412320001,310\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["prepare", "tep-leaver-destinations", export, "--prepopulated", plain, "--school", "8864123",
            "--as-of", "2024-10-31", "--out", out]
    return args, out


def test_tep_draft_already_there_is_found_before_the_sheet_is_written(tep_cli, capsys):
    args, out = tep_cli
    out.mkdir()
    (out / "8864123LeaverDestinations2024.eml").write_bytes(b"an older draft")
    code, stdout, err = run(args, capsys)
    assert code == 2 and "8864123LeaverDestinations2024.eml already exists" in err
    assert sorted(p.name for p in out.iterdir()) == ["8864123LeaverDestinations2024.eml"]
    assert "Password" not in err  # nothing was encrypted with it


def test_tep_disk_too_full_is_found_before_the_sheet_is_written(tep_cli, capsys, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 4096, 4096))
    args, out = tep_cli
    code, stdout, err = run(args, capsys)
    assert code == 2 and "is full" in err and "nothing was written" in err
    assert not out.exists() or list(out.iterdir()) == []


def test_tep_draft_failing_after_the_sheet_is_written_still_shows_the_passphrase(tep_cli, capsys, monkeypatch):
    args, out = tep_cli
    real = saving.write_atomic

    def draft_fails(path, data, force=False):
        if Path(path).suffix == ".eml":
            raise OSError(28, "No space left on device")
        return real(path, data, force=force)

    monkeypatch.setattr(saving, "write_atomic", draft_fails)
    code, stdout, err = run(args, capsys)
    assert code == 1
    sheet = out / "8864123LeaverDestinations2024.xlsx"
    assert stdout.startswith(f"wrote {sheet}")
    assert "e-mail draft 8864123LeaverDestinations2024.eml could not be saved" in err
    password = next(line for line in err.splitlines() if line.startswith("Password for")).rsplit(": ", 1)[1]
    protection.decrypt(sheet.read_bytes(), password)  # the file written can be opened
    assert sorted(p.name for p in out.iterdir()) == [sheet.name]


def test_tep_save_api_returns_the_password_whenever_the_sheet_is_written(tmp_path, monkeypatch):
    plain, export = tmp_path / "tep.xlsx", tmp_path / "dest.csv"
    plain.write_bytes(tep_workbook())
    export.write_text("UPN,Destination\nY886412320001,310\n", encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, plain, None, "8864123", as_of="2024-10-31")
    real = saving.write_atomic

    def interrupted(path, data, force=False):
        if Path(path).suffix == ".eml":
            raise KeyboardInterrupt
        return real(path, data, force=force)

    monkeypatch.setattr(saving, "write_atomic", interrupted)
    saved = saving.save_tep_return(prep, tmp_path / "out", PASSWORD)
    assert saved.password == PASSWORD and saved.output.exists() and saved.draft is None
    assert saved.afterwards and "stopped" in saved.afterwards[0]

"""Hostile and damaged input, each file made to one shape (tests/hostile.py): nothing lost, no
mojibake or control characters, bounded work, and every refusal one sentence naming the file."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import hostile
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import load_mapping
from tracker_desktop.core.preparing.opening import parse_day, parse_period
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.reading import ctf
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.reading.inputs import read_input
from tracker_desktop.core.values.calendar import parse_academic_year

KNOWN = ["UPN", "Legal Surname", "Legal Forename", "DOB", "Year", "Leaving Date"]
REPO = Path(__file__).resolve().parents[2]
C1 = [chr(c) for c in range(0x80, 0xA0)]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(call, name: str, *words: str) -> str:
    with pytest.raises(UserError) as e:
        call()
    message = str(e.value)
    assert name in message and "\n" not in message and "Traceback" not in message
    for w in words:
        assert w.lower() in message.lower(), message
    return message


def prepare(path: Path) -> Preparation:
    return Preparation.start("school-leavers", path, school="8864123", period="2024-10", as_of="2024-10-31")


# --- 1. a stray quote never loses a row ------------------------------------------------------------

@pytest.mark.parametrize("at, closing", [((2,), None), ((2,), 6), ((0, 7), None), ((9,), None)])
def test_stray_quote_keeps_every_learner_and_flags_the_row(tmp_path, at, closing):
    table = read_export(write(tmp_path, "roll.csv", hostile.stray_quote_csv(10, at, closing)), KNOWN)
    assert [r[0] for r in table.rows] == [r[0] for r in hostile.leavers(10)]  # all ten, in order
    assert table.source_rows == list(range(2, 12))  # rows match the file's lines
    # Each line holding a stray quote (the one that opened the run and the one that closed it).
    assert sorted(table.damaged) == sorted(i + 2 for i in at + ((closing,) if closing is not None else ()))
    for i in at:
        assert table.rows[i][1] == f"Surname{i}"  # the value without the stray quote
        assert f"line {i + 2}" in table.damaged[i + 2]
    if closing is not None:
        assert table.rows[closing][2] == f"Name{closing}"
    assert any("damaged" in n for n in table.notes)


def test_stray_quote_shows_as_a_query_on_that_learner_and_nobody_is_left_out(tmp_path):
    prep = prepare(write(tmp_path, "roll.csv", hostile.stray_quote_csv(10, (2,))))
    assert len(prep.learners) == 10 and not prep.left_out
    flagged = [p for p in prep.problems if p.rule == "row-damaged"]
    assert [prep.learners[p.row].source_row for p in flagged] == [4]
    assert flagged[0].severity == "query" and "line 4" in flagged[0].message
    prep.set_value(flagged[0].row, "Legal Surname", "Smith")  # still to be looked at after an edit
    assert any(p.rule == "row-damaged" for p in prep.problems_at(flagged[0].row))


def test_stray_quote_swallowing_more_than_a_csv_field_holds(tmp_path):
    data = hostile.stray_quote_csv(3000, (1,))  # the run-on field passes the reader's 128 KB limit
    table = read_export(write(tmp_path, "roll.csv", data), KNOWN)
    assert len(table.rows) == 3000 and list(table.damaged) == [3]


def test_real_multiline_address_is_not_damage(tmp_path):
    rows = hostile.leavers(4)
    lines = [hostile.HEADER + ",Address Block"] + [",".join(r) + ',"1 High St\r\nMaidstone\r\nME14 1XX"' for r in rows]
    table = read_export(write(tmp_path, "roll.csv", "\r\n".join(lines).encode()), KNOWN)
    assert len(table.rows) == 4 and not table.damaged
    assert table.rows[3][-1].splitlines() == ["1 High St", "Maidstone", "ME14 1XX"]


# --- 2. encodings decided per line -----------------------------------------------------------------

def test_utf8_file_with_one_windows_1252_line_is_not_mojibake(tmp_path):
    data = hostile.mixed_encoding_csv("utf-8", "cp1252", "Siobhán", line=3)
    table = read_export(write(tmp_path, "roll.csv", data), KNOWN)
    names = [r[2] for r in table.rows]
    assert names[0] == "Zoë" and names[3] == "Siobhán"
    assert not any("Ã" in n for n in names)
    assert "line 5" in table.notes[0] and "utf-8" in table.notes[0]
    prep = prepare(tmp_path / "roll.csv")
    fix = prep.learners[3].fixes["Legal Forename"]
    assert fix.after == "Siobhán" and "\\xe1" in fix.before  # the change shows as a fix


def test_windows_1252_file_with_one_utf8_line(tmp_path):
    data = hostile.mixed_encoding_csv("cp1252", "utf-8", "Zoë-Siân", line=2)
    table = read_export(write(tmp_path, "roll.csv", data), KNOWN)
    assert [r[2] for r in table.rows][:3] == ["Zoë", "Name1", "Zoë-Siân"]


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_windows_1252_with_an_undefined_byte_gives_no_control_characters(tmp_path, byte):
    path = write(tmp_path, "roll.csv", hostile.cp1252_with_undefined_byte(byte))
    table = read_export(path, KNOWN)
    cells = [c for r in table.rows for c in r] + table.headers
    assert not any(ch in cell for cell in cells for ch in C1)
    assert table.rows[1][1] == "O’Green" and table.rows[2][1] == "Price£"
    assert table.rows[3][1] == "Sur\ufffdname3"
    prep = prepare(path)
    bad = [p for p in prep.problems if p.rule == "unreadable-character"]
    assert [(prep.learners[p.row].source_row, p.column) for p in bad] == [(5, "Legal Surname")]
    assert bad[0].severity == "error"
    prep.set_value(bad[0].row, "Legal Surname", "Surname")  # typed right: the error goes
    assert not any(p.rule == "unreadable-character" for p in prep.problems)


def test_c1_characters_in_a_utf8_file_are_read_as_windows_1252(tmp_path):
    rows = hostile.leavers(3)
    rows[1][1] = "O\x92Green"  # a Windows-1252 apostrophe that went through Latin-1 upstream
    table = read_export(write(tmp_path, "roll.csv", hostile.csv_bytes(rows)), KNOWN)
    assert table.rows[1][1] == "O’Green"


def test_a_nul_counts_the_same_early_or_late(tmp_path):
    early = read_export(write(tmp_path, "early.csv", hostile.nul_csv("early")), KNOWN)
    late = read_export(write(tmp_path, "late.csv", hostile.nul_csv("late")), KNOWN)
    assert len(early.rows) == len(late.rows) == 400
    refused(lambda: read_export(write(tmp_path, "bin.csv", b"UPN,Surname\n" + b"\x00\x01\x02" * 500), KNOWN),
            "bin.csv", "binary")


# --- 3. hidden sheets -------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_first_sheet_is_not_read(tmp_path, state):
    table = read_export(write(tmp_path, "roll.xlsx", hostile.hidden_sheet_workbook(state)), KNOWN)
    assert table.sheet == "Roll"
    assert [r[1] for r in table.rows] == ["Current0", "Current1", "Current2"]
    assert any("hidden" in n and "Old roll" in n for n in table.notes)


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_export_only_on_a_hidden_sheet_is_refused_with_its_name(tmp_path, state):
    data = hostile.raw_xlsx([("Old roll", state, hostile.sheet_xml(hostile.export_rows(2))),
                             ("Notes", "", hostile.sheet_xml([["How to use"], ["Run monthly", "ok"]]))])
    refused(lambda: read_export(write(tmp_path, "roll.xlsx", data), KNOWN), "roll.xlsx", "hidden", "Old roll", "unhide")


# --- 4. bounded work --------------------------------------------------------------------------------

def _read_in_child(path: Path, kind: str = "export") -> subprocess.CompletedProcess:
    """Read in a child process: a reader that aborted would fail this test, not end the run."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from tracker_desktop.core.errors import UserError
        try:
            if {kind!r} == "export":
                from tracker_desktop.core.reading.exports import read_export
                read_export(Path({str(path)!r}), ["UPN", "Legal Surname", "DOB"])
            else:
                from tracker_desktop.core.returns.template import read_template
                read_template(Path({str(path)!r}))
        except UserError as e:
            print(e, file=sys.stderr)
            sys.exit(2)
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)


@pytest.mark.parametrize("maker, words", [
    (hostile.far_cell_workbook, ["XFD1048576", "cells"]),
    (hostile.shared_strings_bomb, ["damaged"]),
    (hostile.zip_bomb, ["unpacks to more than"]),
    (hostile.lying_zip_bomb, []),
])
@pytest.mark.parametrize("kind", ["export", "template"])
def test_workbooks_that_would_abort_or_fill_memory_are_refused(tmp_path, maker, words, kind):
    path = write(tmp_path, "roll.xlsx", maker())
    done = _read_in_child(path, kind)
    assert done.returncode == 2, done.stderr[-2000:]
    message = done.stderr.strip()
    assert "roll.xlsx" in message and "\n" not in message and "Traceback" not in message
    for w in words:
        assert w in message


def test_a_value_a_little_to_the_right_is_still_read(tmp_path):
    table = read_export(write(tmp_path, "roll.xlsx", hostile.far_cell_workbook("AZ60")), KNOWN)
    assert len(table.rows) >= 2


@pytest.mark.parametrize("make", ["fifo", "device", "folder", "too-big"])
def test_only_ordinary_files_below_the_limit_are_read(tmp_path, make):
    path = tmp_path / "roll.csv"
    if make == "fifo":
        hostile.fifo(path)
    elif make == "device":
        hostile.symlink_to_device(path)
    elif make == "folder":
        path.mkdir()
    else:
        with open(path, "wb") as f:
            f.truncate(201 * 1024 * 1024)  # sparse: takes no disk
    words = {"fifo": "not an ordinary file", "device": "not an ordinary file", "folder": "folder",
             "too-big": "too big"}[make]
    refused(lambda: read_export(path, KNOWN), "roll.csv", words)
    refused(lambda: read_input(path), "roll.csv", words)


@pytest.mark.parametrize("option", ["export", "--template", "--mapping", "--prepopulated", "check", "encrypt",
                                    "decrypt", "--password-file"])
def test_cli_refuses_a_device_or_pipe_for_every_input_without_blocking(tmp_path, option):
    fifo = hostile.fifo(tmp_path / "input.xlsx")
    export = write(tmp_path, "roll.csv", hostile.csv_bytes(hostile.leavers(2)))
    where = ["--school", "8864123", "--period", "2024-10", "--out", str(tmp_path)]
    base = ["prepare", "school-leavers", str(export), *where]
    args = {
        "export": ["prepare", "school-leavers", str(fifo), *where],
        "--template": base + ["--template", str(fifo)],
        "--mapping": base + ["--mapping", str(fifo)],
        "--prepopulated": ["prepare", "tep-no-offer", str(export), "--school", "8864123", "--prepopulated", str(fifo),
                           "--out", str(tmp_path)],
        "check": ["check", "school-leavers", str(fifo)],
        "encrypt": ["encrypt", str(fifo), "--out", str(tmp_path / "out.xlsx")],
        "decrypt": ["decrypt", str(fifo), "--password-file", str(export), "--out", str(tmp_path / "out.xlsx")],
        "--password-file": ["encrypt", str(export), "--password-file", str(fifo), "--out", str(tmp_path / "out.xlsx")],
    }[option]
    done = subprocess.run([sys.executable, "-m", "tracker_desktop.commands", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 2, done.stderr
    assert "input.xlsx" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.xlsx", "roll.csv"]


def test_ctf_nested_ten_million_levels_is_refused_quickly(tmp_path):
    message = refused(lambda: ctf.read_ctf(tmp_path / "deep.xml", hostile.deep_ctf()), "deep.xml", "nested")
    assert str(ctf.MAX_DEPTH) in message


def test_ctf_declaring_utf7_is_refused_with_a_sentence(tmp_path):
    refused(lambda: read_export(write(tmp_path, "pupils.xml", hostile.utf7_ctf()), KNOWN), "pupils.xml", "encoding")


@pytest.mark.parametrize("order", ["²", "¹⁰", "9" * 5000, "٣"])
def test_ctf_order_and_year_of_any_digits_give_no_traceback(tmp_path, order):
    path = write(tmp_path, "pupils.xml", hostile.ctf_with_contact_order(order))
    table = read_export(path, KNOWN)
    assert table.rows[0][table.headers.index("Primary Contact Surname")] == "Parent"
    prep = Preparation.start("school-intended-destinations", path, school="8864123", as_of="2024-10-31")
    assert len(prep.learners) + len(prep.left_out) == 1
    if prep.learners:  # the odd year is written as the text it is, and flagged
        assert prep.save(tmp_path).exists()
        assert any(p.column == "NC Year" for p in prep.problems)


@pytest.mark.parametrize("year", ["²", "1¹", "9" * 5000, "٣"])
def test_export_year_of_any_digits_gives_no_traceback(tmp_path, year):
    rows = hostile.leavers(2)
    rows[0][4] = year
    prep = prepare(write(tmp_path, "roll.csv", hostile.csv_bytes(rows)))
    assert len(prep.learners) + len(prep.left_out) == 2


def test_values_never_raise_on_odd_digits():
    from tracker_desktop.core.returns.scope import _year
    from tracker_desktop.core.routine.destinations import category
    from tracker_desktop.core.values.cleaning import clean_phone
    from tracker_desktop.core.values.identifiers import uln_problem, upn_problem

    for text in ["²", "²" * 10, "9" * 5000, "١٢٣٤٥٦٧٨٩٠", "²" * 13]:
        assert _year(text) is None or isinstance(_year(text), int)
        assert category(text)
        clean_phone(text)
        assert uln_problem(text)
        assert upn_problem("A" + text[:12]) or len(text) < 12


def test_deeply_nested_or_ill_typed_mapping_file_is_one_sentence(tmp_path):
    refused(lambda: load_mapping(write(tmp_path, "m.json", hostile.nested_json())), "m.json", "damaged")
    bad = json.dumps({"UPN": {"columns": [["x"]]}, "Surname": {"columns": [], "how": "value"}}).encode()
    refused(lambda: load_mapping(write(tmp_path, "n.json", bad)), "n.json", "damaged")
    unknown_how = json.dumps({"UPN": {"columns": ["UPN"], "how": "block-x"}}).encode()
    refused(lambda: load_mapping(write(tmp_path, "o.json", unknown_how)), "o.json", "damaged")
    hostile.fifo(tmp_path / "p.json")
    refused(lambda: load_mapping(tmp_path / "p.json"), "p.json", "ordinary file")


# --- 5. dates and periods in a sane range ------------------------------------------------------------

@pytest.mark.parametrize("text", ["2099-01-01", "0001-01-01", "1999-12-31", "2024-02-30", "2024-10", "²⁰²⁴-10-01",
                                  "2024-1O-01"])
def test_as_of_outside_the_sane_range_or_not_a_date_is_refused(text):
    refused(lambda: parse_day(text), text)


@pytest.mark.parametrize("text", ["2024-10-99", "99999999999999999999-10", "2099-10", "0001-01", "2024-13", "²⁰²⁴-10",
                                  "2024-10-x"])
def test_period_outside_the_sane_range_or_not_a_month_is_refused(text):
    refused(lambda: parse_period(text, dt.date(2024, 10, 31)), text)


def test_sane_periods_and_days_are_read():
    assert parse_period("2024-10", dt.date(2024, 10, 31)) == dt.date(2024, 10, 1)
    assert parse_period("2024-10-15", dt.date(2024, 10, 31)) == dt.date(2024, 10, 1)
    assert parse_day("2024-10-31") == dt.date(2024, 10, 31)
    assert parse_day(dt.date.today().isoformat()) == dt.date.today()


@pytest.mark.parametrize("text", ["9999-00", "1999-00", "2025-27", "²⁰²⁵-26", "2025-26-27", "", "x"])
def test_academic_year_outside_the_range_or_malformed_is_a_sentence(text):
    with pytest.raises(ValueError) as e:
        parse_academic_year(text)
    assert "\n" not in str(e.value) and "academic year" in str(e.value)


def test_academic_years_are_read():
    assert parse_academic_year("2025-26", dt.date(2025, 10, 1)) == 2025
    assert parse_academic_year("2025/2026", dt.date(2025, 10, 1)) == 2025
    assert parse_academic_year("2024", dt.date(2025, 10, 1)) == 2024


def test_sheet_span_counts_values_not_empty_styled_cells():
    from tracker_desktop.core.reading.workbook_guard import sheet_span

    styled = (b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>UPN</t></is></c></row>'
              b'<row r="1048576"><c r="XFD1048576" s="3"/></row></sheetData>')
    assert sheet_span(styled) == (1, "A1")
    far = styled.replace(b'<c r="XFD1048576" s="3"/>', b'<c r="XFD1048576"><v>1</v></c>')
    assert sheet_span(far) == (1048576 * 16384, "XFD1048576")
    # Rows and cells that do not name themselves follow the one before, as the format says.
    unnamed = b'<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData>'
    assert sheet_span(unnamed) == (4, "B2")
    prefixed = (b'<x:sheetData><x:row r="3"><x:c r="C3"><x:v>1</x:v></x:c><x:c r="E5"><x:v>1</x:v></x:c></x:row>'
                b"</x:sheetData>")
    assert sheet_span(prefixed) == (9, "E5")

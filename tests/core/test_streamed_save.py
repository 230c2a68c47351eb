"""A return's workbook streamed straight into its save's temporary file beside the destination,
read back from the disk before it is moved into place; its rows made by sheet_rows.py with the
same cells as the workbook built in memory."""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.core.test_safe_output import malformed, roll, sheet_values, start
from tests.core.test_writer import LEAVERS, learner, write
from tracker_desktop.core.preparing import saving
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.values.characters import xml_safe
from tracker_desktop.core.writing import sheet_rows
from tracker_desktop.core.writing.files import SAVING_PREFIX, CannotWrite, write_workbook
from tracker_desktop.core.writing.verify import WorkbookDamaged
from tracker_desktop.core.writing.workbook import write_return, write_return_into


def names(count: int) -> list[tuple[str, str]]:
    return [(f"Smith{n}", "Amy" if n % 2 else "Jo") for n in range(count)]


def test_the_streamed_save_holds_the_cells_the_workbook_in_memory_holds(tmp_path):
    prep = start(roll(tmp_path, names(30)))
    saved = saving.save_return(prep, tmp_path / "out")
    assert sheet_values(saved.output.read_bytes()) == sheet_values(prep.workbook_bytes())
    assert [p.name for p in (tmp_path / "out").iterdir()] == [saved.output.name]


@pytest.mark.parametrize("how", ["command line", "app"])
def test_the_workbook_is_only_ever_in_the_saving_file_beside_its_destination(tmp_path, monkeypatch, how):
    """`prepare` saves through save_return, the app and `demo` through Preparation.save: both stream."""
    prep = start(roll(tmp_path, names(3)))
    out = tmp_path / "out"
    seen: list[list[str]] = []
    real = saving.write_workbook

    def watching(path, data, force=False, before_move=None):
        assert callable(data)  # streamed, never whole in memory
        return real(path, data, force=force, before_move=lambda: seen.append(sorted(os.listdir(out))))

    monkeypatch.setattr(saving, "write_workbook", watching)
    if how == "app":
        out.mkdir()
        output = prep.save(out)
    else:
        output = saving.save_return(prep, out).output
    assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].startswith(SAVING_PREFIX)
    assert output.exists() and sorted(os.listdir(out)) == [output.name]
    assert sheet_values(output.read_bytes()) == sheet_values(prep.workbook_bytes())


def test_a_streamed_workbook_that_does_not_read_back_is_never_saved(tmp_path):
    good = start(roll(tmp_path, names(2))).workbook_bytes()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(WorkbookDamaged, match="does not read back"):
        write_workbook(out / "return.xlsx", lambda f: f.write(malformed(good)))
    assert list(out.iterdir()) == []


def test_a_disk_too_full_for_the_report_once_the_workbook_is_written_leaves_nothing(tmp_path, monkeypatch):
    prep = start(roll(tmp_path, names(2)))
    real = saving.check_targets
    calls = []

    def full_the_second_time(targets):
        calls.append(targets)
        if len(calls) == 2:
            raise CannotWrite("The disk is full; nothing was written.")
        return real(targets)

    monkeypatch.setattr(saving, "check_targets", full_the_second_time)
    with pytest.raises(CannotWrite, match="nothing was written"):
        saving.save_return(prep, tmp_path / "out", report=tmp_path / "out" / "r.json")
    assert list((tmp_path / "out").iterdir()) == []


def test_write_return_into_a_file_gives_the_bytes_write_return_gives(tmp_path):
    template = read_template(LEAVERS.template_path)
    rows = [[r.get(h, "") for h in template.headers] for r in (learner(0), learner(1))]
    with open(tmp_path / "book.xlsx", "wb") as f:
        write_return_into(f, template, LEAVERS, rows)
    streamed, in_memory = (tmp_path / "book.xlsx").read_bytes(), write_return(template, LEAVERS, rows)
    assert sheet_values(streamed) == sheet_values(in_memory)
    assert zipfile.ZipFile(io.BytesIO(streamed)).namelist() == zipfile.ZipFile(io.BytesIO(in_memory)).namelist()


def test_xml_space_only_where_a_text_starts_or_ends_with_a_space():
    data, wb = write([learner(0, **{"Legal Surname": " Smith", "Legal Forename": "Jo ", "Town": "Tun  bridge"})])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count('xml:space="preserve"') == 2
    row = {c.value: c for c in wb["Return"][1]}
    assert wb["Return"].cell(2, row["Legal Surname"].column).value == " Smith"
    assert wb["Return"].cell(2, row["Legal Forename"].column).value == "Jo "
    assert wb["Return"].cell(2, row["Town"].column).value == "Tun  bridge"


def test_repeated_dates_and_numbers_are_written_alike_and_odd_ones_stay_text():
    rows = [learner(i, **{"Date of Birth": dob, "NC Year": year})
            for i, (dob, year) in enumerate([("01/02/2008", "12"), ("01/02/2008", "12"), ("01/01/1899", "²"),
                                             ("29/02/1900", "1" * 40), ("01/02/2008", "12")])]
    _data, wb = write(rows)
    ws = wb["Return"]
    heads = {c.value: c.column for c in ws[1]}
    dobs = [ws.cell(r, heads["Date of Birth"]).value for r in range(2, 7)]
    years = [ws.cell(r, heads["NC Year"]).value for r in range(2, 7)]
    assert dobs == [dt.datetime(2008, 2, 1)] * 2 + ["01/01/1899", "29/02/1900", dt.datetime(2008, 2, 1)]
    assert years == [12, 12, "²", "1" * 40, 12]


def test_markup_characters_are_escaped_only_where_they_are():
    _data, wb = write([learner(0, **{"Legal Surname": "<b>&amp;", "Town": "A & B"}), learner(1)])
    ws = wb["Return"]
    heads = {c.value: c.column for c in ws[1]}
    assert ws.cell(2, heads["Legal Surname"]).value == "<b>&amp;" and ws.cell(2, heads["Town"]).value == "A & B"
    assert ws.cell(3, heads["Legal Surname"]).value == "Smith1"


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff"])
def test_a_batch_holding_a_character_xml_cannot_hold_is_made_safe(bad):
    xml = f"<t>Ann{bad}e</t>"
    assert sheet_rows.safe_bytes(xml) == xml_safe(xml).encode("utf-8")
    assert bad.encode("utf-8", "surrogatepass") not in sheet_rows.safe_bytes(xml)


@pytest.mark.parametrize("fine", ["plain", "tab\there", "Zoë 漢字 😀", "\ufffd\uffc0\ufffd", "line\nfeed\r"])
def test_a_batch_of_safe_text_is_only_encoded(fine):
    assert sheet_rows.safe_bytes(fine) == fine.encode("utf-8")


def test_rows_of_the_wrong_width_are_refused():
    rows = sheet_rows.SheetRows(["A", "B"], ["text", "text"], {})
    assert rows.row(2, ["x", ""]) == '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(ValueError):
        rows.row(2, ["x"])


def test_a_big_streamed_return_opens_with_every_row(tmp_path):
    prep = start(roll(tmp_path, names(1200)))  # more than one batch of rows
    saved = saving.save_return(prep, tmp_path / "out", report=tmp_path / "out" / "r.json")
    ws = openpyxl.load_workbook(saved.output, read_only=True)["Return"]
    values = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(values) == 1200 and values[0][1] == "Smith0" and values[-1][1] == "Smith1199"
    assert Path(saved.report).exists()

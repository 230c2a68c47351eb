"""A county's export read into as little memory as the same text allows: repeated cells held
once, lines split without copies, and what the reader gives back exactly what it gave before."""
from __future__ import annotations

import io
import random

import pytest

from tracker_desktop.core.reading import delimited
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.reading.inputs import read_input
from tracker_desktop.core.reading.table import Interner


def test_repeated_cells_are_one_string_and_distinct_columns_are_let_go():
    interner = Interner()
    rows = [interner.row([f"U{n:06d}", "Ke" + "nt", "M" if n % 2 else "F"]) for n in range(Interner.TRIAL_ROWS + 50)]
    assert rows[0] == ["U000000", "Kent", "F"] and rows[-1][0] == f"U{Interner.TRIAL_ROWS + 49:06d}"
    assert len({id(row[1]) for row in rows}) == 1  # one 'Kent' for every row
    assert len({id(row[2]) for row in rows}) == 2
    assert interner._columns[0] == {}  # the UPN column, all different, is no longer kept


def test_interning_gives_back_equal_rows_of_any_width():
    interner = Interner()
    rows = [["a", "b"], ["a"], ["a", "b", "c", ""], []]
    assert [interner.row(list(r)) for r in rows] == rows


@pytest.mark.parametrize("text", [
    "a,b\r\nc,d\re,f\ng,h", "a,b\n", "", "\n\n", "one line", "a\x0cb,c\nd,e\n", "a\u2028b\r\n\x1c\x1d\x1e\x85x\n",
    "tail\r", "\r\n\r\n", "last\x0b",
])
def test_lines_split_as_a_csv_reader_splits_them(text):
    assert delimited._lines_of(text) == io.StringIO(text, newline="").readlines()


def test_lines_split_the_same_for_random_text():
    rng = random.Random(7)
    pieces = ["a", ",", '"', "\r", "\n", "\r\n", "\x0c", "\u2028", "\x85", "é", " "]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))
        assert delimited._lines_of(text) == io.StringIO(text, newline="").readlines(), repr(text)


def test_the_sniffer_looks_at_the_same_first_lines_of_a_long_file():
    text = "UPN;Surname\r\n" + "".join(f"U{n};Name, {n}\n" for n in range(40_000))
    assert delimited._first_lines(text, 30) == text.splitlines()[:30]
    assert delimited._first_lines("a\rb", 30) == ["a", "b"]
    assert delimited.sniff_delimiter(text, {"upn", "surname"}, str.lower, 30) == ";"


@pytest.mark.parametrize("controls, binary", [(0, False), (2, False), (400, True)])
def test_binary_files_are_still_told_by_their_control_characters(controls, binary):
    text = "UPN,Surname\n" + "x" * 10_000 + "\x01" * (controls // 2) + "\ufffd" * (controls - controls // 2)
    assert delimited.looks_binary(text) is binary


def test_a_bom_file_is_decoded_past_its_mark(tmp_path):
    data = "\ufeffUPN,Surname\nA1,Zoë\n".encode()
    decoded = delimited.decode(data)
    assert decoded.text == "UPN,Surname\nA1,Zoë\n" and decoded.encoding == "utf-8-sig"
    mixed = b"\xef\xbb\xbfUPN,Surname\nA1,Zo\xeb\n"  # one Windows-1252 line after the BOM
    decoded = delimited.decode(mixed)
    assert decoded.text == "UPN,Surname\nA1,Zoë\n" and decoded.other_lines == {2: "windows-1252"}


def test_a_file_is_read_whole_whatever_its_size(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"x" * 100_000)
    assert read_input(path) == b"x" * 100_000
    assert read_input(path, limit=100_000) == b"x" * 100_000
    with pytest.raises(Exception, match="too big"):
        read_input(path, limit=99_999)


def test_blank_rows_are_the_rows_of_only_spaces(tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text("UPN,Surname,Forename\nA1,Smith,Jo\n , \u00a0,\t\n,,\nA2,,Amy\n", encoding="utf-8")
    table = read_export(path, {"upn", "surname", "forename"})
    assert table.rows == [["A1", "Smith", "Jo"], ["A2", "", "Amy"]] and table.source_rows == [2, 5]

"""What keeps a big return quick to edit gives the same answers as doing it all again: problem
counts kept edit by edit, a remap reading only the columns whose source changed, and the report
streamed to its file."""
from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from tracker_desktop.core.matching.mapping import RowReader, Source
from tracker_desktop.core.preparing import saving
from tracker_desktop.core.preparing.preparation import Learner, Preparation
from tracker_desktop.demo_data import make_roll, write_roll_csv

RETURN_ID, PERIOD, AS_OF = "school-post16-enrolment", "2025-09", "2025-09-12"


@pytest.fixture(scope="module")
def roll(tmp_path_factory):
    rows = make_roll(160, seed=3, period=(2025, 9), years={11: 4, 12: 50, 13: 46}, sixth_form=True, defects=True)
    for i, row in enumerate(rows):  # errors, queries and duplicates of several kinds to keep count of
        if i % 9 == 2:
            row["Post Code"] = ""
        if i % 13 == 5:
            row["Mobile"] = "0790"
        if i % 17 == 1:
            row["UPN"] = rows[0]["UPN"]
        if i % 23 == 4:
            row["DOB"] = "31/02/2008"
    return write_roll_csv(tmp_path_factory.mktemp("roll") / "roll.csv", rows)


def start(path, mapping=None) -> Preparation:
    return Preparation.start(RETURN_ID, path, school="8864123", period=PERIOD, as_of=AS_OF, mapping=mapping)


def found(prep: Preparation) -> list[tuple]:
    return [(p.row, p.column, p.rule, p.severity, p.value, p.detail, p.others, p.more, p.message)
            for p in prep.problems]


def rebuilt_problems(prep: Preparation, path) -> Preparation:
    """A fresh Preparation of the same export holding prep's values, every problem found anew."""
    fresh = start(path, prep.mapping)
    fresh.learners = [Learner(le.source_row, dict(le.values), dict(le.fixes)) for le in prep.learners]
    fresh.recheck()
    return fresh


def test_edits_change_the_counts_exactly_as_a_fresh_check(roll):
    prep = start(roll)
    assert prep.counts()["errors"] and prep.counts()["queries"] and prep.duplicate_rows()
    upn = prep.learners[0].values["UPN"]
    rng = random.Random(5)
    edits = [("Postcode", "ME14 1XX"), ("Postcode", ""), ("UPN", upn), ("UPN", "B886412324001"), ("UPN", ""),
             ("Date of Birth", "31/02/2008"), ("Date of Birth", "15/03/2008"), ("NC Year", "12"), ("NC Year", "x")]
    for n in range(60):
        row = rng.randrange(len(prep.learners))
        column, text = rng.choice(edits)
        prep.set_value(row, column, text)
        if n % 10 == 9:
            fresh = rebuilt_problems(prep, roll)
            assert prep.counts() == fresh.counts()
            assert found(prep) == found(fresh)
            assert prep.duplicate_rows() == fresh.duplicate_rows()
            for r in range(len(prep.learners)):
                assert prep.problems_at(r) == fresh.problems_at(r)
                assert prep.counts_at(r) == fresh.counts_at(r)
    errors, queries = prep.counts()["errors"], prep.counts()["queries"]
    assert errors == sum(p.severity == "error" for p in prep.problems)
    assert queries == sum(p.severity == "query" for p in prep.problems)


def test_taking_rows_out_and_back_keeps_the_counts(roll):
    prep = start(roll)
    prep.take_out(4, "the same learner as row 2")
    prep.take_out(0, "not ours")
    assert prep.counts() == rebuilt_problems(prep, roll).counts() and found(prep) == found(rebuilt_problems(prep, roll))
    prep.put_back(prep.taken_out[0].source_row)
    assert prep.counts() == rebuilt_problems(prep, roll).counts()


def test_a_remap_keeps_rows_taken_out_and_reads_them_too(roll):
    prep = start(roll)
    prep.take_out(3, "not ours")
    mapping = other_column(prep, "Home Telephone", "Mobile")
    prep.remap(mapping)
    fresh = start(roll, mapping)
    fresh.take_out(3, "not ours")
    assert comparable(prep) == comparable(fresh)
    prep.put_back(prep.taken_out[0].source_row)
    fresh.put_back(fresh.taken_out[0].source_row)
    assert comparable(prep) == comparable(fresh)


def test_undo_puts_the_counts_back(roll):
    prep = start(roll)
    before, problems = prep.counts(), found(prep)
    learner = prep.learners[3]
    value, fix = learner.values["Postcode"], learner.fixes.get("Postcode")
    prep.set_value(3, "Postcode", "")
    assert prep.counts()["errors"] == before["errors"] + (0 if not value else 1)
    prep.restore(3, "Postcode", value, fix)
    assert prep.counts() == before and found(prep) == problems


def comparable(prep: Preparation) -> tuple:
    return ([(le.source_row, list(le.values.items()), list(le.fixes.items())) for le in prep.learners],
            prep.left_out, prep.blocking, found(prep), prep.counts())


def other_column(prep: Preparation, column: str, header: str) -> dict:
    mapping = dict(prep.mapping)
    mapping[column] = Source((header,))
    return mapping


@pytest.mark.parametrize("changes", [
    {"Home Telephone": "Mobile"},  # one column read from another export column
    {"Postcode": "Town", "Legal Surname": "Legal Forename"},  # two at once
    {"Address Line 1": "Town"},  # an address line: the lines are shared out again
    {"NC Year": "Reg"},  # a column deciding who is on the return: a full build
    {"Date of Birth": None},  # unmatched
])
def test_remap_gives_what_a_fresh_build_with_that_matching_gives(roll, changes):
    prep = start(roll)
    prep.set_value(2, "Postcode", "TN23 8NT")  # typed changes are forgotten, as a fresh build forgets them
    prep.set_value(5, "Legal Surname", "Typed")
    mapping = dict(prep.mapping)
    for column, header in changes.items():
        assert column in mapping
        mapping[column] = Source((header,)) if header else None
    prep.remap(mapping)
    assert comparable(prep) == comparable(start(roll, mapping))
    prep.set_value(1, "Postcode", "")  # and it is edited as before
    assert prep.counts() == rebuilt_problems(prep, roll).counts()


def test_remap_to_the_same_matching_changes_nothing_but_forgets_edits(roll):
    prep = start(roll)
    prep.set_value(0, "Postcode", "")
    prep.remap(dict(prep.mapping))
    assert comparable(prep) == comparable(start(roll))


def test_remap_reads_only_the_changed_columns(roll, monkeypatch):
    """Only the changed column is read from the export and tidied, for every learner but the one
    with a typed cell, which is read again whole (a fresh build forgets edits)."""
    prep = start(roll)
    prep.set_value(4, "Postcode", "tn23 8nt")
    cleaned: Counter[str] = Counter()
    read_as_columns: list[list[str]] = []
    read_whole: list[int] = []
    own_cleaner, own_columns, own_values = Preparation._cleaner, RowReader.columns, RowReader.values

    def cleaner(self, column, how):
        found = own_cleaner(self, column, how)

        def watched(text):
            cleaned[column] += 1
            return found(text)
        return watched

    def columns(self, rows, targets):
        read_as_columns.append(list(targets))
        return own_columns(self, rows, targets)

    def values(self, row):
        read_whole.append(1)
        return own_values(self, row)

    monkeypatch.setattr(Preparation, "_cleaner", cleaner)
    monkeypatch.setattr(RowReader, "columns", columns)
    monkeypatch.setattr(RowReader, "values", values)
    prep.remap(other_column(prep, "Home Telephone", "Mobile"))
    assert read_as_columns == [["Home Telephone"]] and len(read_whole) == 1  # the learner with a typed cell
    assert cleaned["Home Telephone"] == len(prep.learners)  # a telephone is tidied text by text
    assert all(count == 1 for column, count in cleaned.items() if column != "Home Telephone")  # the typed row's


def old_report_json(prep: Preparation, output) -> object:
    """The report as it was written before it was streamed: the dict, indented by the pure-Python encoder."""
    return json.loads(json.dumps(prep.report(output), indent=1, ensure_ascii=False))


@pytest.mark.parametrize("batch", [saving._BATCH, 7, 1])
def test_the_streamed_report_holds_the_same_json(roll, tmp_path, monkeypatch, batch):
    monkeypatch.setattr(saving, "_BATCH", batch)
    prep = start(roll)
    prep.set_value(0, "Legal Surname", 'Ünïcode "quoted" \\ back\\slash, 𝒜 and <tags>')
    output = tmp_path / "return.xlsx"
    path = saving.write_report(tmp_path / "report.json", prep, output)
    streamed = json.loads(path.read_bytes().decode("utf-8"))
    assert streamed == old_report_json(prep, output)
    assert len(streamed["learners"]) == len(prep.learners) and streamed["problems"] and streamed["fixes"]
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # nothing left beside it
    assert saving.report_bytes(prep, output) == path.read_bytes()


def test_a_report_with_empty_lists_is_the_same_json(tmp_path, roll):
    empty = start(roll)
    empty.learners, empty.left_out = [], []
    empty.recheck()
    path = saving.write_report(tmp_path / "report.json", empty, None)
    assert json.loads(path.read_bytes()) == old_report_json(empty, None)
    assert json.loads(path.read_bytes())["learners"] == []


def test_saving_a_return_streams_its_report(roll, tmp_path):
    prep = start(roll)
    saved = saving.save_return(prep, tmp_path / "out", report=tmp_path / "report.json")
    assert saved.report == tmp_path / "report.json" and not saved.afterwards
    assert json.loads(saved.report.read_bytes()) == old_report_json(prep, saved.output)


def test_the_rows_sharing_a_upn_before_and_after_an_edit_are_the_rows_whose_problems_change(roll):
    prep = start(roll)
    rng = random.Random(11)
    upns = [prep.learners[r].values["UPN"] for r in (0, 1, 2)]
    for _ in range(40):
        row = rng.randrange(len(prep.learners))
        before_problems = [prep.problems_at(r) for r in range(len(prep.learners))]
        touched = prep.sharing_identity(row)
        prep.set_value(row, "UPN", rng.choice([*upns, ""]))
        touched |= prep.sharing_identity(row)
        changed = {r for r in range(len(prep.learners)) if prep.problems_at(r) != before_problems[r]}
        assert changed <= touched
        upn = prep.learners[row].values["UPN"]
        same = {r for r in range(len(prep.learners)) if upn and prep.learners[r].values["UPN"] == upn}
        assert prep.sharing_identity(row) == same | {row}


def test_columns_read_differently_are_those_a_remap_reads(roll):
    prep = start(roll)
    assert prep.columns_read_differently(dict(prep.mapping)) == []
    assert prep.columns_read_differently(other_column(prep, "Home Telephone", "Mobile")) == ["Home Telephone"]
    moved_scope = dict(prep.mapping)
    moved_scope["NC Year"] = None
    assert prep.columns_read_differently(moved_scope) is None

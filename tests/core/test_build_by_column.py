"""A build reads, tidies and checks the export a column at a time, a few thousand rows at once
(preparation.from_export, registry.check_learners); an edit cleans and checks one learner's row
(clean_into, check_learner). Both ways give the same values, fixes and problems."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest

from tracker_desktop.core.checking import rules
from tracker_desktop.core.matching.mapping import RowReader, Source, targets
from tracker_desktop.core.preparing import preparation
from tracker_desktop.core.preparing.preparation import Learner, Preparation
from tracker_desktop.demo_data import make_roll, write_roll_csv

RETURN_ID, PERIOD, AS_OF = "school-post16-enrolment", "2025-09", "2025-09-12"

# Texts a school's export really holds, put in at random: each is tidied, flagged, or both.
ODD = ["", " ", "  x  ", "Year 12", "NC 13", "12.0", "eleven", "me14 1xx", "ME141XX", "7911 123456", "+44 7911 123456",
       "07700 900123", "0790", "31/02/2008", "2008-03-15", "4 Sep 2025", "15/03/08", "45000", "Y", "n", "E - EHC Plan",
       "K", "Guest", "310 - Apprenticeship", "Apprenticeship", "Gap year", "Female", "m", "A\x07B", "A\u202eB",
       "A\nB", "\ufffd", "x" * 33_000, "B886412324001", "Full time", "FT", "level 3", "3"]


@pytest.fixture(scope="module")
def roll(tmp_path_factory):
    rows = make_roll(300, seed=11, period=(2025, 9), years={11: 4, 12: 50, 13: 46}, sixth_form=True, defects=True)
    rng = random.Random(11)
    for row in rows:
        for column in row:
            if rng.random() < 0.08:
                row[column] = rng.choice(ODD)
        if rng.random() < 0.3:  # a combined name, split into surname and forename (shown whole as 'before')
            row["Legal Surname"] = f"{row['Legal Surname']}, {row['Legal Forename']}"
    for row in rows:
        row["Name"] = row.pop("Legal Surname")
        row.pop("Legal Forename")
    return write_roll_csv(tmp_path_factory.mktemp("roll") / "roll.csv", rows)


def start(path) -> Preparation:
    return Preparation.start(RETURN_ID, path, school="8864123", period=PERIOD, as_of=AS_OF)


@pytest.mark.parametrize("at_once", [preparation._ROWS_AT_ONCE, 7, 1])
def test_a_build_a_column_at_a_time_tidies_as_an_edit_does_row_by_row(roll, monkeypatch, at_once):
    monkeypatch.setattr(preparation, "_ROWS_AT_ONCE", at_once)
    prep = start(roll)
    assert prep.learners and prep.left_out and any(le.fixes for le in prep.learners)
    assert any(source.how == "surname" for source in prep.mapping.values() if source)
    reader = RowReader(prep.table, prep.mapping)
    index = {source_row: i for i, source_row in enumerate(prep.table.source_rows)}
    wanted = targets(prep.definition, prep.columns)
    deciding = prep._deciding_columns(wanted)
    rest = [c for c in wanted if c not in deciding]
    for learner in prep.learners:
        row = prep.table.rows[index[learner.source_row]]
        again = Learner(learner.source_row, {}, {})
        prep.clean_into(again, reader.values(row), deciding)
        prep.clean_into(again, reader.values(row), rest, reader.composed(row))
        assert again.values == learner.values and list(learner.values) == wanted  # in template order
        assert list(again.fixes.items()) == list(learner.fixes.items())


def test_every_learner_checked_at_once_has_the_problems_of_each_checked_alone(roll):
    prep = start(roll)
    values = [learner.values for learner in prep.learners]
    at_once = rules.check_learners(prep._context, values, prep.columns)
    alone = [rules.check_learner(prep._context, i, v, prep.columns) for i, v in enumerate(values)]
    assert sum(map(len, alone)) > len(alone)  # plenty found: empty cells, bad values, rows too long
    assert {p.rule for found in alone for p in found} >= {"mandatory-missing", "cell-too-long", "unreadable-character",
                                                          "code-invalid", "date-invalid", "phone-invalid"}
    assert at_once == alone


def test_learners_values_are_dicts_of_their_own(roll):
    """Built learners' values share their keys (memory), never their values: an edit of one
    learner, or a key added to one, leaves every other learner as it was."""
    prep = start(roll)
    first, second = prep.learners[0], prep.learners[1]
    assert type(first.values) is dict and list(first.values) == list(second.values)
    before = dict(second.values)
    prep.set_value(0, "Postcode", "ME14 1XX")
    first.values["Not a column"] = "x"
    del first.values["Town"]
    assert first.values["Postcode"] == "ME14 1XX" and second.values == before and list(second.values) == list(before)
    assert "Not a column" not in second.values and "Town" in second.values


def _everything(prep: Preparation) -> tuple:
    """Values, fixes in their order, problems, counts and who is left out: what a remap must give."""
    learners = [(le.source_row, list(le.values.items()), [(c, f.column, f.before, f.after, f.edited)
                                                          for c, f in le.fixes.items()]) for le in prep.learners]
    problems = [(p.row, p.column, p.rule, p.severity, p.value, p.detail, p.others, p.more, p.message)
                for p in prep.problems]
    return learners, problems, prep.counts(), prep.left_out


def _moved(prep: Preparation, changes: dict[str, Source | None]) -> dict:
    mapping = dict(prep.mapping)
    for column, source in changes.items():
        assert column in mapping
        mapping[column] = source
    return mapping


@pytest.mark.parametrize("changes", [
    {"Young Person Mobile": Source(("Home Telephone",))},  # a telephone from another export column
    {"Young Person Mobile": None, "Email": Source(("Town",))},  # unmatched: its fixes go; another tidied otherwise
    {"Qualification Level": Source(("FT/PT",)), "Gender": Source(("Level",))},  # repeating codes, tidied and not
    {"Attendance": Source(("Gender",)), "Study Programme": None},  # a repeating code moved, a column unmatched
    {f"Address Line {n}": Source(("House No", "Street", "Town"), "address", line=n) for n in (1, 2, 3)},
    {"Address Line 1": Source(("Town",))},  # the address lines are shared out again over two
    {"Preferred Forename": Source(("Name",), "forename"), "Legal Forename": Source(("Middle Name(s)",))},  # a split
])
@pytest.mark.parametrize("at_once", [preparation._ROWS_AT_ONCE, 7, 1])
def test_a_remap_a_column_at_a_time_gives_what_a_fresh_build_gives(roll, monkeypatch, changes, at_once):
    """A remap reads the changed columns a column at a time, a few thousand learners at once; a
    learner with a typed cell or a line read in another encoding is read again whole, and a
    learner taken out is read too: all as a fresh build with the new matching (which forgets edits)."""
    monkeypatch.setattr(preparation, "_ROWS_AT_ONCE", at_once)
    prep = start(roll)
    assert any(source.how == "address" for source in prep.mapping.values() if source)
    mapping = _moved(prep, changes)
    # a line of the export read in another encoding: its cells in the file's own are fixes
    mobile = prep.table.headers.index("Mobile")
    prep.table.recoded[(prep.learners[6].source_row, mobile)] = "07911\\xa0123456"
    prep.build()
    prep.set_value(2, "Postcode", "tn23 8nt")
    prep.set_value(3, "Young Person Mobile", "+44 7700 900123")
    out = next(i for i, le in enumerate(prep.learners) if i > 3 and le.fixes)
    prep.take_out(out, "the same learner as another row")
    taken = prep.taken_out[0].source_row
    prep.remap(mapping)
    fresh = Preparation(replace(prep.opening, mapping=mapping))  # the same table, recoded line and all
    place = next(i for i, le in enumerate(fresh.learners) if le.source_row == taken)
    fresh.take_out(place, "the same learner as another row")
    assert _everything(prep) == _everything(fresh)
    assert prep.put_back(taken) == fresh.put_back(taken)
    assert _everything(prep) == _everything(fresh)

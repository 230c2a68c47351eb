"""The left-out list names each learner, read through the column matching."""
from __future__ import annotations

from tests.conftest import SAMPLES  # one place says where the samples are
from tracker_desktop.core.preparing.left_out import left_out_names
from tracker_desktop.core.preparing.preparation import Preparation


def test_every_left_out_row_has_its_learners_name():
    prep = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10",
                             as_of="2024-10-31")
    names = left_out_names(prep)
    assert set(names) == {out.source_row for out in prep.left_out}
    assert names and all(", " in n for n in names.values())
    row = prep.left_out[0].source_row
    i = prep.table.source_rows.index(row)
    surname = prep.table.rows[i][prep.table.headers.index(prep.mapping["Legal Surname"].columns[0])]
    assert names[row].startswith(surname.strip())

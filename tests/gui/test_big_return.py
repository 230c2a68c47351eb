"""On a big return the review is kept up to date row by row, not rebuilt: after typed UPNs (which
reword whole groups of duplicates), postcodes, undo, redo and a remap, the grid's colours and
hover notes, the problems list, the counts by kind and the summary are exactly what loading the
return afresh shows."""
from __future__ import annotations

import pytest

from tests.gui.conftest import wait_idle
from tests.gui.test_flow import fills, type_into
from tracker_desktop.core.matching.mapping import Source
from tracker_desktop.demo_data import make_roll, write_roll_csv
from tracker_desktop.gui import theme

pytestmark = pytest.mark.gui

RETURN_ID, PERIOD, AS_OF = "school-post16-enrolment", "2025-09", "2025-09-12"
PLACEHOLDER = 40  # learners sharing one UPN, as a placeholder typed into the MIS for everyone new


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    rows = make_roll(360, seed=5, period=(2025, 9), years={11: 4, 12: 50, 13: 46}, sixth_form=True, defects=True)
    for i, row in enumerate(rows):
        if i % 7 == 3:
            row["Post Code"] = ""
        if i % 11 == 5:
            row["Mobile"] = "0790"
        if 100 <= i < 100 + PLACEHOLDER:
            row["UPN"] = rows[99]["UPN"]
    return write_roll_csv(tmp_path_factory.mktemp("big") / "roll.csv", rows)


def opened(make_app, export):
    app = make_app()
    app.open_export(RETURN_ID, export, period=PERIOD, as_of=AS_OF, straight_to_review=True)
    wait_idle(app)
    assert app.current is app.review
    return app


def shown(app) -> dict:
    """Everything the review shows of the return's problems."""
    review, grid = app.review, app.review.grid_view
    lines, kinds = review.panel.lines, review.panel.kinds
    cells = grid.sheet.MT.cell_options
    return {
        "lines": [(lines.item(i, "values"), lines.item(i, "tags")) for i in lines.get_children()],
        "kinds": [(kinds.item(i, "text"), kinds.item(i, "values")) for i in kinds.get_children()],
        "summary": review.summary.cget("text"),
        "fills": fills(app),
        "notes": {k: o["note"] for k, o in cells.items() if o.get("note")},
        "labels": list(grid.sheet.row_index()),
        "cells": [list(row) for row in grid.sheet.get_sheet_data()],
    }


def assert_as_if_loaded_afresh(app) -> None:
    prep = app.prep
    kept = shown(app)
    assert kept["cells"] == [[learner.values.get(c, "") for c in prep.columns] for learner in prep.learners]
    counts = prep.counts()
    assert app.review.panel.totals == counts
    assert len(kept["lines"]) == len(prep.problems)
    app.review.load(prep)  # the whole return drawn again from the core
    fresh = shown(app)
    for part in kept:
        assert kept[part] == fresh[part], part


def test_typed_upns_reword_every_duplicate_and_the_review_stays_exact(make_app, export):
    app = opened(make_app, export)
    prep, grid, panel = app.prep, app.review.grid_view, app.review.panel
    upn = prep.columns.index("UPN")
    member = next(r for r in range(len(prep.learners)) if len(prep.sharing_identity(r)) > PLACEHOLDER // 2)
    group = sorted(prep.sharing_identity(member))  # those of the placeholder's rows on the return
    shared = prep.learners[member].values["UPN"]
    loner = 10
    assert prep.sharing_identity(loner) == {loner}
    own = prep.learners[loner].values["UPN"]

    type_into(app, loner, "UPN", shared)  # joins the group: every member now counts one more row
    assert fills(app)[(loner, upn)] == theme.ERROR_BG
    for r in group:
        texts = [panel.lines.item(i, "values")[1] for i in panel._items[r]]
        assert any(f"is on {len(group) + 1} rows" in t for t in texts), r
    assert app.review.panel.totals == prep.counts()
    assert_as_if_loaded_afresh(app)

    type_into(app, loner, "Postcode", "CT21 4JF")
    type_into(app, group[3], "UPN", own)  # leaves the group for the UPN the loner had, now free
    assert len(grid.undo_stack) == 2  # loading afresh above started the history anew
    grid.undo()
    grid.undo()
    grid.redo()  # group[3] is back in the group; the loner's postcode stands
    assert prep.learners[group[3]].values["UPN"] == shared and prep.learners[loner].values["Postcode"] == "CT21 4JF"
    assert_as_if_loaded_afresh(app)

    type_into(app, loner, "UPN", own)  # back where it was: the group counts as many rows as at first
    for r in group:
        texts = [panel.lines.item(i, "values")[1] for i in panel._items[r]]
        assert any(f"is on {len(group)} rows" in t for t in texts), r
    assert_as_if_loaded_afresh(app)


@pytest.mark.parametrize(("column", "source"), [("Young Person Mobile", "Home Telephone"), ("UPN", "Adno")])
def test_a_remap_of_one_column_shows_what_a_fresh_load_shows(make_app, export, monkeypatch, column, source):
    app = opened(make_app, export)
    prep = app.prep
    type_into(app, 3, "Postcode", "ME14 1XX")  # read again from the export by the remap
    type_into(app, 5, "Legal Surname", "Zed")
    mapping = dict(prep.mapping)
    mapping[column] = Source((source,))
    loaded = []
    monkeypatch.setattr(type(app.review.grid_view), "load", lambda self, p: loaded.append(p))
    app.apply_mapping(mapping)
    wait_idle(app)
    assert loaded == [], "the grid was not rebuilt: only the remapped column (and typed rows) rewritten"
    assert prep.learners[3].values["Postcode"] != "ME14 1XX" and prep.learners[5].values["Legal Surname"] != "Zed"
    assert app.review.grid_view.undo_stack == []
    monkeypatch.undo()
    assert_as_if_loaded_afresh(app)

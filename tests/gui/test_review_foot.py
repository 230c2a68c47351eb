"""The line under the grid about the chosen cell: choosing a cell whose line is longer, then one
whose line is short, leaves the grid as tall as it was (a grid made shorter and taller again
redraws every cell in view, which doubled the time of a UPN edit); the foot fits its lines again
when another return is loaded or the window's width changes. The line is never cut off."""
from __future__ import annotations

import pytest

from tests.gui.conftest import pump
from tests.gui.test_flow import open_case

pytestmark = pytest.mark.gui


def choose(app, row: int, column: str) -> None:
    app.review.grid_view.select(row, app.prep.columns.index(column))
    pump(app.master)


def heights(app) -> tuple[int, int, int]:
    """(the grid's height, the foot's, the line's own height as its text needs)."""
    review = app.review
    return review.grid_view.sheet.winfo_height(), review.foot.winfo_height(), review.status.winfo_reqheight()


def long_and_short(app) -> tuple[int, int]:
    """A duplicate learner's row (its line says how to keep one row) and a row with no problem."""
    prep = app.prep
    duplicate = min(p.row for p in prep.problems if p.rule == "duplicate-learner")
    plain = next(r for r in range(len(prep.learners)) if not prep.problems_at(r))
    return duplicate, plain


def test_a_shorter_line_leaves_the_grid_as_tall(make_app):
    app = make_app(size="1024x700")
    open_case(app, "sims-leavers")
    duplicate, plain = long_and_short(app)
    choose(app, plain, "UPN")
    grid_short, foot_short, line_short = heights(app)
    choose(app, duplicate, "UPN")
    grid_long, foot_long, line_long = heights(app)
    assert line_long > line_short, "the duplicate's line takes more lines than 'No problem.'"
    assert foot_long >= line_long and grid_long < grid_short, "the foot made room for the whole line"

    for row in (plain, duplicate, plain):
        choose(app, row, "UPN")
        assert heights(app)[:2] == (grid_long, foot_long), "the grid keeps its height as cells are chosen"
        assert "No problem" in app.review.status.cget("text") or "Take row out" in app.review.status.cget("text")


def test_the_foot_fits_its_lines_again_on_another_return_or_width(make_app):
    app = make_app(size="1024x700")
    open_case(app, "sims-leavers")
    duplicate, plain = long_and_short(app)
    choose(app, plain, "UPN")
    grid_short, foot_short, _ = heights(app)
    choose(app, duplicate, "UPN")
    choose(app, plain, "UPN")
    assert heights(app)[0] < grid_short, "held: the grid is shorter while this return is shown"

    app.master.geometry("1100x700")
    pump(app.master, 0.2)
    choose(app, plain, "UPN")
    assert app.review.foot.winfo_height() == foot_short, "another width: the foot as tall as its line"

    choose(app, duplicate, "UPN")
    choose(app, plain, "UPN")
    open_case(app, "sims-leavers")  # loaded again
    pump(app.master, 0.2)
    choose(app, plain, "UPN")
    assert app.review.foot.winfo_height() == foot_short, "another return: the foot as tall as its line"

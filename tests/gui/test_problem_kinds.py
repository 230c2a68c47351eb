"""The problems panel's "Problems by kind" counts what is still to look at, as the summary line
does: accepted queries are a line of their own ("Accepted queries"), not counted in their kind. Through real
widgets: queries accepted with the app's own dialog, one withdrawn with its button, rows typed in; after each the
list is what loading the return afresh shows, and it is kept by the difference, not rebuilt."""
from __future__ import annotations

import pytest

from tests.gui.conftest import open_in_review
from tests.gui.test_flow import type_into
from tests.gui.test_office_session import joiners_export, select_cell, upn
from tracker_desktop.core.checking.rules import RULES
from tracker_desktop.gui.problems_panel import ACCEPTED, ALL, ProblemsPanel

pytestmark = pytest.mark.gui

RULE = "age-year-query"


def kinds(app) -> dict[str, tuple]:
    tree = app.review.panel.kinds
    return {i: (tree.item(i, "text"), tuple(str(v) for v in tree.item(i, "values")), tuple(tree.item(i, "tags")))
            for i in tree.get_children()}


def assert_as_if_loaded_afresh(app) -> None:
    panel, prep = app.review.panel, app.prep
    kept, totals, order = kinds(app), dict(panel.totals), panel.kinds.get_children()
    assert totals == prep.counts(), "the same counts as the summary's"
    summary = app.review.summary.cget("text")
    panel.load(prep)
    assert (kinds(app), panel.totals, panel.kinds.get_children()) == (kept, totals, order)
    app.review.update_summary()
    assert app.review.summary.cget("text") == summary


def accept(app, row: int, column: str) -> None:
    select_cell(app, row, column)
    dialog = app.accept_selected()
    dialog.text.set("held back a year, agreed with KCC")
    dialog.ok()
    assert not dialog.winfo_exists()


def withdraw(app, row: int, column: str) -> None:
    """With the review's own button, saying OK to the confirmation (the answers' default)."""
    select_cell(app, row, column)
    app.review.accept_button.invoke()
    assert app.prep.counts() == app.review.panel.totals


@pytest.fixture
def opened(make_app, tmp_path):
    held_back = [(upn(f"01{i}"), f"Surname{chr(65 + i)}", "Sam", "20/10/2007", "07/10/2024") for i in range(3)]
    export = joiners_export(tmp_path / "oct.csv", [*held_back, (upn("019"), "Fairweather", "Lila", "20/04/2009",
                                                                "08/10/2024")])
    app = make_app()
    open_in_review(app, "school-joiners", export, period="2024-10")
    assert app.current is app.review
    return app


def accepted_line(n: int) -> tuple:
    return ("Accepted queries", ("", str(n)), ("accepted",))


def test_kinds_count_what_is_still_to_look_at_and_accepted_queries_apart(opened, monkeypatch):
    app = opened
    prep, panel = app.prep, app.review.panel
    title = RULES[RULE].title
    queries = sorted((p for p in prep.problems if p.rule == RULE), key=lambda p: p.row)
    assert len(queries) == 3
    assert kinds(app)[RULE] == (title, ("Query", "3"), ("query",)) and ACCEPTED not in kinds(app)
    every = len(panel.lines.get_children())
    assert kinds(app)[ALL] == ("All problems", ("", str(every)), ())
    assert_as_if_loaded_afresh(app)

    def fail(*args):
        pytest.fail("the panel was loaded or relisted whole")

    # From here the list is kept by the difference: nothing reloads it or relists every problem.
    monkeypatch.setattr(ProblemsPanel, "load", fail)
    monkeypatch.setattr(ProblemsPanel, "refresh_all", fail)

    accept(app, queries[0].row, queries[0].column)
    assert kinds(app)[RULE] == (title, ("Query", "2"), ("query",))
    assert kinds(app)[ACCEPTED] == accepted_line(1)
    assert kinds(app)[ALL] == ("All problems", ("", str(every)), ()), "every line listed, accepted ones too"
    assert list(kinds(app))[-1] == ACCEPTED
    assert "1 accepted" in app.review.summary.cget("text") and panel.totals == prep.counts()

    for q in queries[1:]:
        accept(app, q.row, q.column)
    assert RULE not in kinds(app), "nothing of the kind is left to look at"
    assert kinds(app)[ACCEPTED] == accepted_line(3)
    assert panel.totals["accepted"] == 3 and "3 accepted" in app.review.summary.cget("text")

    withdraw(app, queries[1].row, queries[1].column)  # the acceptance was a mistake: asked again
    assert kinds(app)[RULE] == (title, ("Query", "1"), ("query",)) and kinds(app)[ACCEPTED] == accepted_line(2)

    type_into(app, queries[0].row, "Date of Birth", "20/10/2008")  # the right age after all: no query
    assert RULE not in {p.rule for p in prep.problems_at(queries[0].row)}
    assert kinds(app)[RULE] == (title, ("Query", "1"), ("query",)) and kinds(app)[ACCEPTED] == accepted_line(1)

    type_into(app, queries[2].row, "UPN", upn("020"))  # another learner: this one's acceptance is not theirs
    assert prep.acceptance(next(p for p in prep.problems_at(queries[2].row) if p.rule == RULE)) is None
    assert kinds(app)[RULE] == (title, ("Query", "2"), ("query",)) and ACCEPTED not in kinds(app)
    assert panel.totals["accepted"] == 0 and "accepted" not in app.review.summary.cget("text")

    app.undo()  # the UPN back: accepted again
    assert kinds(app)[RULE] == (title, ("Query", "1"), ("query",)) and kinds(app)[ACCEPTED] == accepted_line(1)
    monkeypatch.undo()
    assert_as_if_loaded_afresh(app)


def choose_kind(app, iid: str) -> list[str]:
    panel = app.review.panel
    panel.kinds.selection_set(iid)
    panel.update()
    return [panel.lines.item(i, "values")[1] for i in panel.lines.get_children()]


def test_a_kind_lists_its_queries_still_to_look_at_and_accepted_ones_are_listed_apart(opened):
    app = opened
    prep, panel = app.prep, app.review.panel
    query = next(p for p in prep.problems if p.rule == RULE)
    assert len(choose_kind(app, RULE)) == 3
    accept(app, query.row, query.column)
    assert panel.kinds.selection() == (RULE,) and panel.rule_filter == RULE, "the kind stays chosen"
    lines = [panel.lines.item(i, "values")[1] for i in panel.lines.get_children()]
    assert len(lines) == 2 and not any(t.startswith("Accepted (") for t in lines), "the accepted one has gone"
    accepted = choose_kind(app, ACCEPTED)
    assert len(accepted) == 1 and accepted[0].startswith("Accepted (held back a year")
    assert [i.split("\t")[0] for i in panel.lines.get_children()] == [str(query.row)]
    withdraw(app, query.row, query.column)
    assert ACCEPTED not in kinds(app) and panel.lines.get_children() == ()
    assert len(choose_kind(app, ALL)) == len(prep.problems)
    assert_as_if_loaded_afresh(app)

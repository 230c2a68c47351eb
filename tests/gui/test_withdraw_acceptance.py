"""Withdrawing an acceptance given by mistake, through real widgets: on a cell whose query is
accepted, Accept query… becomes Withdraw acceptance…, and the Edit menu has an entry for it
(greyed out, like the others, unless a return is in the review). After a plain yes to the note
that was given, the query is asked again: the cell is amber, the problems panel and the summary
count it as still to look at (kept by the difference, as after accepting: the same as loading the
return afresh), and the store beside the settings forgets it at once, so next month's return (a
new Preparation with the same settings folder) asks it too. Saying no changes nothing."""
from __future__ import annotations

import json

import pytest

from tests.gui.conftest import open_in_review, pump
from tests.gui.test_edit_menu import choose, entry_state
from tests.gui.test_flow import fills
from tests.gui.test_office_session import joiners_export, select_cell, upn
from tests.gui.test_problem_kinds import RULE, accepted_line, assert_as_if_loaded_afresh, kinds
from tracker_desktop.core.checking.accepted import FILE_NAME, AcceptedQueries, load_accepted
from tracker_desktop.core.checking.rules import RULES
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.settings import settings_dir
from tracker_desktop.gui import theme
from tracker_desktop.gui.problems_panel import ACCEPTED, ProblemsPanel
from tracker_desktop.gui.review import ACCEPT, WITHDRAW

pytestmark = pytest.mark.gui

ENTRY = "Withdraw the selected query's acceptance…"
NOTES = ("held back a year, agreed with KCC", "repeating Year 10 after illness", "came from abroad a year behind")


@pytest.fixture
def export(tmp_path):
    held_back = [(upn(f"01{i}"), f"Surname{chr(65 + i)}", "Sam", "20/10/2007", "07/10/2024") for i in range(3)]
    return joiners_export(tmp_path / "oct.csv", [*held_back, (upn("019"), "Fairweather", "Lila", "20/04/2009",
                                                              "08/10/2024")])


@pytest.fixture
def accepted(make_app, export):
    """The October return open in the review, its three age queries accepted with the app's dialog."""
    app = make_app()
    open_in_review(app, "school-joiners", export, period="2024-10")
    assert app.current is app.review
    queries = sorted((p for p in app.prep.problems if p.rule == RULE), key=lambda p: p.row)
    assert len(queries) == 3
    for query, note in zip(queries, NOTES, strict=True):
        select_cell(app, query.row, query.column)
        assert app.review.accept_button.cget("text") == ACCEPT
        dialog = app.accept_selected()
        dialog.text.set(note)
        dialog.ok()
        assert not dialog.winfo_exists()
    assert app.prep.counts()["accepted"] == 3
    return app, queries


def fill(app, query) -> str | None:
    return fills(app).get((query.row, app.prep.columns.index(query.column)))


def next_month(export) -> Preparation:
    """The same export read afresh with the same settings folder, as the next sitting reads it."""
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10")
    prep.use_accepted(load_accepted(settings_dir()))
    return prep


def still_accepted(prep, queries) -> list[bool]:
    found = {p.row: p for p in prep.problems if p.rule == RULE}
    return [prep.acceptance(found[q.row]) is not None for q in queries]


def shown_on_screen(app, queries) -> tuple:
    review = app.review
    return ([fill(app, q) for q in queries], kinds(app), dict(review.panel.totals), review.summary.cget("text"),
            review.accept_button.cget("text"))


def test_withdraw_from_the_edit_menu_shows_the_note_and_the_query_is_asked_again(accepted, export, answers,
                                                                                  monkeypatch):
    app, queries = accepted
    prep, panel, title = app.prep, app.review.panel, RULES[RULE].title
    first = queries[0]
    select_cell(app, first.row, first.column)
    assert fill(app, first) != theme.QUERY_BG, "accepted: no longer amber"
    assert app.review.accept_button.cget("text") == WITHDRAW, "the cell's query is accepted: the button takes it back"
    assert "Withdraw acceptance" in app.review.status.cget("text")
    assert entry_state(app, ENTRY) == "normal"
    assert RULE not in kinds(app) and kinds(app)[ACCEPTED] == accepted_line(3)

    def fail(*args):
        pytest.fail("the panel was loaded or relisted whole")

    # As after accepting, the panel is kept by the difference: nothing reloads or relists it.
    monkeypatch.setattr(ProblemsPanel, "load", fail)
    monkeypatch.setattr(ProblemsPanel, "refresh_all", fail)
    shown = len(answers.shown)
    answers.replies = [True]
    choose(app, ENTRY)

    assert len(answers.shown) == shown + 1, "one plain question, nothing else"
    kind, box_title, message = answers.shown[-1]
    assert kind == "okcancel" and box_title == "Withdraw acceptance"
    assert f"“{NOTES[0]}”" in message and first.message in message, "the note that was given, and the query"
    assert "next month" in message

    assert fill(app, first) == theme.QUERY_BG, "amber again"
    assert [fill(app, q) == theme.QUERY_BG for q in queries[1:]] == [False, False], "the others stay accepted"
    assert kinds(app)[RULE] == (title, ("Query", "1"), ("query",)) and kinds(app)[ACCEPTED] == accepted_line(2)
    assert panel.totals == prep.counts() == {"errors": 0, "queries": 1, "accepted": 2}
    summary = app.review.summary.cget("text")
    assert "1 query" in summary and "2 accepted" in summary
    assert app.review.accept_button.cget("text") == ACCEPT, "nothing accepted here now: the button accepts again"
    assert "Withdrew the acceptance" in app.review.status.cget("text")
    select_cell(app, first.row, first.column)  # chosen again, the cell's line says what can be done now
    assert "Accept query" in app.review.status.cget("text") and "accepted (" not in app.review.status.cget("text")

    # Forgotten in the store at once (as accepting saves at once), not at the return's save.
    stored = json.loads((settings_dir() / FILE_NAME).read_text(encoding="utf-8"))
    assert sum(len(rules) for rules in stored["accepted"].values()) == 2
    assert NOTES[0] not in json.dumps(stored, ensure_ascii=False) and NOTES[1] in json.dumps(stored, ensure_ascii=False)
    assert not app.unsaved, "nothing in the return itself changed"
    again = next_month(export)
    assert still_accepted(again, queries) == [False, True, True], "next month's return asks it again"
    assert again.counts() == prep.counts()

    monkeypatch.undo()
    assert_as_if_loaded_afresh(app)


def test_withdraw_with_the_button_until_none_is_accepted_and_cancel_changes_nothing(accepted, export, answers):
    app, queries = accepted
    review = app.review
    second = queries[1]
    select_cell(app, second.row, second.column)
    before = shown_on_screen(app, queries)
    stored = (settings_dir() / FILE_NAME).read_bytes()

    answers.replies = [False]  # Cancel
    review.accept_button.invoke()
    pump(app.master)
    assert answers.shown[-1][0] == "okcancel" and f"“{NOTES[1]}”" in answers.shown[-1][2]
    assert shown_on_screen(app, queries) == before, "said no: the same colours, lines, counts and button"
    assert (settings_dir() / FILE_NAME).read_bytes() == stored, "and the store is untouched"
    assert app.prep.acceptance(second) is not None and still_accepted(next_month(export), queries) == [True] * 3

    for n, query in enumerate(queries):
        select_cell(app, query.row, query.column)
        assert review.accept_button.cget("text") == WITHDRAW
        answers.replies = [True]
        review.accept_button.invoke()
        pump(app.master)
        assert fill(app, query) == theme.QUERY_BG
        assert review.panel.totals == app.prep.counts() == {"errors": 0, "queries": n + 1, "accepted": 2 - n}
        assert_as_if_loaded_afresh(app)
    assert ACCEPTED not in kinds(app), "none accepted: the line goes"
    assert kinds(app)[RULE] == (RULES[RULE].title, ("Query", "3"), ("query",))
    assert "accepted" not in review.summary.cget("text") and "3 queries" in review.summary.cget("text")
    assert len(load_accepted(settings_dir())) == 0
    assert still_accepted(next_month(export), queries) == [False] * 3

    # Accepted again with a better note: the button turns back, and next month has the new note.
    dialog = app.accept_selected()
    dialog.text.set("agreed with KCC in October")
    dialog.ok()
    assert review.accept_button.cget("text") == WITHDRAW
    again = next_month(export)
    found = next(p for p in again.problems if p.rule == RULE and p.row == queries[-1].row)
    assert again.acceptance(found).note == "agreed with KCC in October"


def test_nothing_to_withdraw_says_so_and_asks_nothing(accepted, answers):
    app, queries = accepted
    prep = app.prep
    answers.replies = [True]
    choose(app, ENTRY)  # the last cell accepted is selected: withdrawn
    assert prep.acceptance(queries[-1]) is None

    select_cell(app, queries[-1].row, queries[-1].column)  # a query, not accepted
    shown = len(answers.shown)
    assert app.withdraw_selected() is None
    assert answers.shown[shown:] == [("info", "Tracker Desktop",
                                      "The query here has not been accepted, so there is nothing to withdraw.")]
    select_cell(app, queries[0].row, "Postcode")  # no query at all
    assert app.withdraw_selected() is None
    assert answers.shown[-1][0] == "info" and "no accepted query" in answers.shown[-1][2]
    assert prep.counts()["accepted"] == 2


def test_a_store_that_cannot_be_saved_keeps_the_acceptance_and_the_screen(accepted, answers, monkeypatch):
    app, queries = accepted
    first = queries[0]
    select_cell(app, first.row, first.column)
    before = shown_on_screen(app, queries)

    def refuse(self):
        raise UserError("The accepted queries could not be saved in the settings folder: Permission denied.")

    monkeypatch.setattr(AcceptedQueries, "save", refuse)
    answers.replies = [True]
    assert app.withdraw_selected() is None
    assert answers.shown[-1] == ("error", "Tracker Desktop",
                                 "The accepted queries could not be saved in the settings folder: Permission denied.")
    assert app.prep.acceptance(first) is not None, "not forgotten when it could not be saved"
    assert shown_on_screen(app, queries) == before


def test_the_entry_is_greyed_out_with_no_return_in_the_review(make_app, answers, export):
    app = make_app()
    assert app.current is app.home and entry_state(app, ENTRY) == "disabled"
    choose(app, ENTRY)
    assert answers.shown == [] and app.withdraw_selected() is None
    open_in_review(app, "school-joiners", export, period="2024-10")
    assert entry_state(app, ENTRY) == "normal"
    app.show_mapping()
    assert entry_state(app, ENTRY) == "disabled"

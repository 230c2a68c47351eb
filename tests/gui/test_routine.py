"""The monthly routine on Home: due, OVERDUE and prepared from the history; a nil return when
nobody is in scope; tidying away old returns, with a confirm before anything is deleted."""
from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from tests.gui.conftest import SAMPLES, wait_idle
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.routine import history
from tracker_desktop.core.settings import history_dir

pytestmark = pytest.mark.gui


def saved_leavers(folder, period="2024-10"):
    prep = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period=period)
    path = prep.save(folder)
    history.record(history_dir(), prep, path)
    return prep, path


def test_home_overdue_then_prepared(make_app, tmp_path):
    app = make_app()
    home = app.home
    home.refresh(app.definitions, app.settings, today=dt.date(2024, 11, 5))
    text, tag = home.statuses["school-leavers"]
    assert tag == "overdue" and text == "OVERDUE: due Thu 31 Oct 2024 (October 2024)"
    assert "overdue" in home.tree.item("school-leavers", "tags")
    assert home.tree.item("school-leavers", "values")[1] == "Fri 29 Nov 2024", "the next due date"

    saved_leavers(tmp_path / "out")
    today = f"{dt.date.today():%d %b %Y}"
    home.refresh(app.definitions, app.settings, today=dt.date(2024, 11, 5))
    assert home.statuses["school-leavers"] == (f"Not yet  ·  October 2024 prepared on {today}", "")
    home.refresh(app.definitions, app.settings, today=dt.date(2024, 6, 20))
    assert home.statuses["school-leavers"][0] == "OVERDUE: due Tue 30 Apr 2024 (April 2024)  (and 1 more)", \
        "the earliest missing month is named, with how many more"
    home.refresh(app.definitions, app.settings, today=dt.date(2024, 10, 20))
    # ... but not months later: a deadline long gone is not shouted about (a new user sent it by hand).
    assert home.statuses["school-leavers"] == (f"Prepared {today}", "done")
    assert "done" in home.tree.item("school-leavers", "tags")


def test_saving_a_return_records_it_in_the_history(make_app, answers, tmp_path):
    from tests.gui.test_flow import open_case

    app = make_app()
    open_case(app, "sims-leavers")
    answers.replies = [False]
    app.write(tmp_path / "out")
    wait_idle(app)
    [entry] = history.entries(history_dir())
    assert (entry.return_id, entry.period, entry.file) == ("school-leavers", "2024-10", app.prep.output_name)
    assert entry.rows == len(app.prep.learners)


def test_nobody_in_scope_offers_a_nil_return(make_app, answers, tmp_path):
    app = make_app()
    app.open_export("school-leavers", SAMPLES / "roll_2024-10.csv", period="2024-07", straight_to_review=True)
    wait_idle(app)
    review = app.review
    assert app.current is review and not app.prep.learners
    assert review.nil.winfo_manager() == "pack" and review.panes.winfo_manager() == ""
    text = review.nil_text.cget("text")
    assert "Nobody" in text and "July 2024" in text and "nil return" in text
    dialog = app.save()
    assert dialog.nil and dialog.ok_button.cget("text") == "Save the e-mail"
    folder = tmp_path / "out"
    dialog.folder.set(str(folder))
    dialog.ok()
    answers.replies = [False]  # open the folder? no
    app.save_to(dialog.result)
    wait_idle(app)
    [draft] = list(folder.iterdir())
    assert draft.suffix == ".eml" and not list(folder.glob("*.xlsx")), "an e-mail instead of a workbook"
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["To"] == "MICorePlus@kent.gov.uk"
    body = message.get_body().get_content()
    assert "8864123" in body and "July 2024" in body and "Oakfield School" in body
    assert answers.shown[-1][1] == "Saved" and "Outlook" in answers.shown[-1][2]
    [entry] = history.entries(history_dir())
    assert entry.period == "2024-07" and entry.rows == 0
    # A return with learners shows the grid again.
    app.open_export("school-leavers", SAMPLES / "roll_2024-10.csv", period="2024-10", straight_to_review=True)
    wait_idle(app)
    assert review.panes.winfo_manager() == "pack" and review.nil.winfo_manager() == ""


def test_tidy_up_lists_old_returns_and_confirms_before_deleting(make_app, answers, tmp_path):
    app = make_app()
    _, old = saved_leavers(tmp_path / "old")  # due 31 Oct 2024: long past
    window = app.tidy_up()
    assert [window.tree.item(i, "text") for i in window.tree.get_children()] == [old.name]
    assert window.tree.selection() == (), "nothing is preselected for deleting"
    window.tree.selection_set(window.tree.get_children())
    answers.replies = [False]  # delete? no
    assert window.delete() is None
    assert old.exists(), "nothing is deleted without the user's yes"
    assert answers.shown[-1][2].startswith("Delete this file?") and old.name in answers.shown[-1][2]
    answers.replies = [True, None]
    deleted, kept = window.delete()
    assert deleted == [old] and not kept and not old.exists()
    assert not window.tree.get_children()
    window.destroy()
    again = app.tidy_up()
    assert not again.tree.get_children() and again.delete_button.winfo_manager() == "", \
        "nothing to delete: no Delete button"
    assert again.tree.winfo_manager() == "", "and no empty table"
    again.destroy()


def test_prepare_offers_the_overdue_month(make_app):
    """Preparing a return whose last month is overdue starts at that month, and says why."""
    app = make_app()
    app.home.refresh(app.definitions, app.settings, today=dt.date(2024, 11, 5))
    assert app.home.overdue_months["school-leavers"] == "2024-10"
    dialog = app.open_dialog("school-leavers")
    assert dialog.period.get() == "10/2024" and "October 2024 is overdue" in dialog.period_hint.cget("text")
    dialog.cancel()


def test_unreadable_history_is_a_plain_message_when_tidying(make_app, answers, monkeypatch):
    from tracker_desktop.core.errors import UserError
    from tracker_desktop.core.routine import clear_out as tidy

    def unreadable(*a, **k):
        raise UserError("The history of prepared returns could not be read: permission denied.")

    monkeypatch.setattr(tidy, "stale_returns", unreadable)
    app = make_app()
    assert app.tidy_up() is None
    kind, _, message = answers.shown[-1]
    assert kind == "error" and "could not be read" in message and "Traceback" not in message


def test_an_export_without_the_leaving_date_column_is_not_offered_as_a_nil_return(make_app, tmp_path, monkeypatch):
    from tracker_desktop.gui import messages

    export = tmp_path / "arbor.csv"
    export.write_text("UPN,Surname,Forename,Year,Enrolment Finish\n"
                      "B886412324001,Smith,Amy,Year 11,04/11/2024\n", encoding="utf-8")
    app = make_app()
    app.open_export("school-leavers", export, period="2024-11", school="8864123", straight_to_review=True)
    wait_idle(app)
    assert app.prep.blocking
    text = app.review.nil_text.cget("text")
    assert "Nothing can be put on" in text and "Date of Leaving" in text
    assert not app.review.nil_save.winfo_ismapped()
    said = []
    monkeypatch.setattr(messages, "error", lambda text, parent=None, title=None: said.append(text))
    assert app.save() is None and said

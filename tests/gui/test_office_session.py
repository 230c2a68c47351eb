"""An office session's habits through real widgets: taking a row out (and putting it back),
accepting a query that next month's return remembers, checking a filled-in return under its own
name, the destinations summary of the app's own encrypted TEP file, the history of what was
prepared, and tidying up with nothing preselected.

With OFFICE_SHOTS set to a folder, each new screen is also captured there (for looking at)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.gui.conftest import SAMPLES, open_in_review, pump, wait_idle
from tests.gui.test_flow import open_case
from tracker_desktop.core.routine import history
from tracker_desktop.core.settings import history_dir, settings_dir
from tracker_desktop.core.values.identifiers import upn_check_letter
from tracker_desktop.gui.history_view import COLUMNS

pytestmark = pytest.mark.gui

PASSWORD = "Maple-Harbour-42"
HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date\n")


def descendants(widget) -> list:
    """Every widget inside `widget`, however deep (dialogs put their fields in a scrolling frame)."""
    found = []
    for child in widget.winfo_children():
        found += [child, *descendants(child)]
    return found


def shot(window, name: str) -> None:
    folder = os.environ.get("OFFICE_SHOTS")
    if not folder:
        return
    pump(window, 0.3)
    window.update()
    Path(folder).mkdir(parents=True, exist_ok=True)
    subprocess.run(["import", "-window", "root", str(Path(folder) / f"{name}.png")], check=False,
                   env={**os.environ}, timeout=30)


def upn(serial: str) -> str:
    body = "886412324" + serial
    return upn_check_letter("X" + body) + body


def joiners_export(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    lines = [f"{u},{surname},{forename},{dob},F,Year 11,1 High Street,Maidstone,ME14 1XX,Jo {surname},"
             f"07911 123456,N,{joined}" for u, surname, forename, dob, joined in rows]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def select_cell(app, row: int, column: str) -> None:
    app.review.grid_view.select(row, app.prep.columns.index(column))
    pump(app.master)


# --- taking a row out -------------------------------------------------------------------------------

def test_take_a_duplicate_row_out_and_put_it_back(make_app, answers, tmp_path):
    app = make_app()
    open_case(app, "sims-leavers")
    prep = app.prep
    rows_before = len(prep.learners)
    first, second = sorted(p.row for p in prep.problems if p.rule == "duplicate-learner")
    select_cell(app, second, "UPN")
    assert "Take row out" in app.review.status.cget("text"), "the duplicate message says how to keep one row"
    assert app.review.take_out_button.winfo_ismapped()
    app.review.take_out_button.invoke()
    # The button made the dialog (in tests it does not wait): find it among the window's children.
    dialog = next(w for w in app.master.winfo_children() if w.winfo_class() == "Toplevel" and hasattr(w, "text"))
    shot(app.master, "take_out_dialog")
    dialog.ok()
    assert dialog.winfo_exists() and "why" in dialog.problem.cget("text").lower(), "a reason is asked for"
    taken_source = prep.learners[second].source_row
    dialog.text.set("Same learner as the row above: the MIS has them twice")
    dialog.ok()
    assert not dialog.winfo_exists()
    assert len(prep.learners) == rows_before - 1
    assert not [p for p in prep.problems if p.rule == "duplicate-learner"]
    sheet = app.review.grid_view.sheet
    assert sheet.get_total_rows() == rows_before - 1, "the grid shows the return without the row"
    assert f"Left out ({len(prep.left_out)})" in app.review.left_out_button.cget("text")
    assert app.unsaved, "taking a row out is a change to save"

    window = app.show_left_out()
    pump(app.master)
    taken = [i for i in window.tree.get_children() if "Taken out by you" in window.tree.item(i, "values")[2]]
    assert len(taken) == 1 and int(window.tree.item(taken[0], "values")[0]) == taken_source
    assert "MIS has them twice" in window.reasons[taken[0]], "the reason in full (the list may cut it short)"
    window.tree.selection_set(taken[0])
    pump(app.master)
    shot(app.master, "left_out_taken")
    assert "disabled" not in window.put_back_button.state()
    window.put_back_button.invoke()
    pump(app.master)
    assert len(prep.learners) == rows_before and sheet.get_total_rows() == rows_before
    assert {p.row for p in prep.problems if p.rule == "duplicate-learner"} == {first, second}
    assert not any("Taken out" in window.tree.item(i, "values")[1] for i in window.tree.get_children())
    window.destroy()

    # Taken out again and saved: the saved workbook does not hold it; the history counts it.
    select_cell(app, second, "UPN")
    dialog = app.take_out_selected()
    dialog.text.set("duplicate row")
    dialog.ok()
    saved = prep.save(tmp_path / "out")
    book = load_workbook(saved, read_only=True).active
    assert sum(1 for r in book.iter_rows(min_row=2, values_only=True) if r[0]) == rows_before - 1


# --- accepting a query --------------------------------------------------------------------------------

def test_accept_a_query_and_next_month_remembers_it(make_app, answers, tmp_path):
    held_back = upn("010")
    october = joiners_export(tmp_path / "oct.csv", [(held_back, "Okonkwo", "Chidera", "20/10/2007", "07/10/2024"),
                                                   (upn("011"), "Fairweather", "Lila", "20/04/2009", "08/10/2024")])
    app = make_app()
    open_in_review(app, "school-joiners", october, period="2024-10")
    prep = app.prep
    query = next(p for p in prep.problems if p.rule == "age-year-query")
    assert "0 accepted" not in app.review.summary.cget("text") and "1 query" in app.review.summary.cget("text")

    # An error cannot be accepted: the app says so and asks nothing.
    prep_error_row = 1
    app.review.grid_view.prep.set_value(prep_error_row, "Postcode", "nowhere")
    app.review.edited({prep_error_row})
    select_cell(app, prep_error_row, "Postcode")
    shown = len(answers.shown)
    assert app.accept_selected() is None
    assert "cannot be accepted" in answers.shown[shown][2]

    select_cell(app, query.row, query.column)
    assert "Accept query" in app.review.status.cget("text")
    dialog = app.accept_selected()
    shot(app.master, "accept_query_dialog")
    dialog.text.set("Chidera is held back a year")
    dialog.ok()
    assert dialog.winfo_exists() and "name" in dialog.problem.cget("text")
    dialog.text.set("held back a year — agreed with KCC")
    dialog.ok()
    assert not dialog.winfo_exists()
    assert "1 accepted" in app.review.summary.cget("text") and "0 queries" in app.review.summary.cget("text")
    lines = app.review.panel.lines
    texts = [lines.item(i, "values")[1] for i in lines.get_children()]
    assert any(t.startswith("Accepted (held back a year — agreed with KCC)") for t in texts)
    grid = app.review.grid_view
    column = prep.columns.index(query.column)
    assert grid.colours.get(query.row, {}).get(column) != "query", "an accepted query's cell is no longer amber"
    select_cell(app, query.row, query.column)
    assert "accepted (held back a year" in app.review.status.cget("text")
    shot(app.master, "accepted_query_review")

    stored = "\n".join(p.read_text(encoding="utf-8") for p in settings_dir().glob("*.json"))
    assert "held back a year" in stored
    for personal in ("Okonkwo", "Chidera", held_back, "Fairweather"):
        assert personal not in stored

    # Next month, in the same sitting: the same learner's query comes already accepted.
    app.saved_edits = len(app.review.grid_view.undo_stack)
    november = joiners_export(tmp_path / "nov.csv", [(held_back, "Okonkwo", "Chidera", "20/10/2007", "04/11/2024")])
    open_in_review(app, "school-joiners", november, period="2024-11")
    assert app.prep is not prep and app.prep.counts() == {"errors": 0, "queries": 0, "accepted": 1}
    assert "1 accepted" in app.review.summary.cget("text")
    out = tmp_path / "problems.xlsx"
    app.export_problems(out)
    wait_idle(app)
    row = list(load_workbook(out, read_only=True).active.iter_rows(min_row=2, values_only=True))[0]
    assert row[5] == "Query (accepted)" and row[8] == "held back a year — agreed with KCC"


# --- checking a filled-in return ------------------------------------------------------------------------

def test_check_filled_names_the_return_after_the_school(make_app, answers, tmp_path):
    from tracker_desktop.core.preparing.preparation import Preparation

    saved = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123",
                              period="2024-10").save(tmp_path)
    app = make_app()
    app.check_workbook("school-leavers", saved)
    wait_idle(app)
    assert app.prep.output_name == "8864123SchoolLeaversOct.xlsx"
    assert "8864123SchoolLeaversOct.xlsx" in app.review.title.cget("text")
    assert "0000000" not in app.master.title()
    dialog = app.save()
    labels = [w.cget("text") for w in descendants(dialog) if w.winfo_class() == "TLabel"]
    assert "8864123SchoolLeaversOct.xlsx" in labels
    dialog.cancel()


# --- the destinations summary of the app's own encrypted TEP file ---------------------------------------

def test_summary_of_the_apps_own_encrypted_tep_file_asks_its_password(make_app, answers, tmp_path):
    from tracker_desktop.core.preparing.tep import prepare_tep
    from tracker_desktop.core.routine.destinations import summarise

    prep = prepare_tep("tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv",
                       SAMPLES / "tep_leavers_2024.xlsx", None, "8864123", as_of="2024-10-15")
    encrypted = prep.save(tmp_path, password=PASSWORD)
    app = make_app()
    dialog = app.destinations_summary([encrypted])
    assert dialog is not None, "the password is asked for, not 'not a template workbook'"
    assert encrypted.name in " ".join(w.cget("text") for w in descendants(dialog) if w.winfo_class() == "TLabel")
    dialog.password.set(PASSWORD)
    dialog.ok()
    app.make_summary([encrypted], dialog.take_password())
    wait_idle(app)
    assert not [s for s in answers.shown if s[0] == "error"], answers.shown
    window = app.summary_window
    assert window is not None and window.summary == summarise([encrypted], PASSWORD)
    assert window.summary["rows"] == len(prep.learners)
    window.destroy()


# --- history ---------------------------------------------------------------------------------------------

def test_history_screen_lists_what_was_prepared(make_app, answers, tmp_path):
    from tracker_desktop.core.preparing.preparation import Preparation

    prep = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10")
    prep.take_out(0, "not ours")
    path = prep.save(tmp_path / "out")
    history.record(history_dir(), prep, path)
    app = make_app()
    buttons = [w for w in descendants(app.home) if w.winfo_class() == "TButton"]
    button = next(b for b in buttons if b.cget("text") == "Prepared returns…")
    button.invoke()
    pump(app.master)
    window = next(w for w in app.master.winfo_children() if w.winfo_class() == "Toplevel" and hasattr(w, "entries"))
    items = window.tree.get_children()
    assert len(items) == 1
    values = dict(zip([c[0] for c in COLUMNS], window.tree.item(items[0], "values"), strict=True))
    counts = prep.counts()
    assert values["return"] == prep.definition.title and values["period"] == "Oct 2024" and values["kind"] == "Return"
    assert (int(values["rows"]), int(values["errors"]), int(values["queries"]), int(values["out"])) == \
        (len(prep.learners), counts["errors"], counts["queries"], 1)
    assert path.name in window.detail.cget("text") and str(path.parent) in window.detail.cget("text")
    shot(app.master, "history")
    window.destroy()


# --- tidying up ----------------------------------------------------------------------------------------

def test_tidy_up_lists_every_file_written_and_preselects_none(make_app, answers, tmp_path):
    from tracker_desktop.core.preparing.preparation import Preparation

    app = make_app()
    open_case(app, "sims-leavers")
    prep = app.prep
    path = prep.save(tmp_path / "old")
    history.record(history_dir(), prep, path)
    problems = tmp_path / "old" / "problems.xlsx"
    app.export_problems(problems)
    wait_idle(app)
    draft = path.with_suffix(".eml")
    draft.write_text("To: someone\n\nbody\n", encoding="utf-8")
    history.record(history_dir(), prep, draft, kind=history.DRAFT)
    assert isinstance(prep, Preparation)

    window = app.tidy_up()
    listed = {window.tree.item(i, "text"): window.tree.item(i, "values")[0] for i in window.tree.get_children()}
    assert listed == {path.name: "Return", problems.name: "Problems list", draft.name: "E-mail draft"}
    assert window.tree.selection() == (), "nothing is chosen for the user"
    shot(window, "tidy_up")
    shown = len(answers.shown)
    assert window.delete() is None and "Select the files" in answers.shown[shown][2]
    assert path.exists() and problems.exists() and draft.exists()
    window.select_all_button.invoke()
    answers.replies = [True, None]
    deleted, kept = window.delete()
    assert set(deleted) == {path, problems, draft} and not kept
    window.destroy()


def test_checking_the_apps_own_encrypted_tep_file_asks_its_password(make_app, answers, tmp_path):
    from tracker_desktop.core.preparing.tep import prepare_tep

    prep = prepare_tep("tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv",
                       SAMPLES / "tep_leavers_2024.xlsx", None, "8864123", as_of="2024-10-15")
    encrypted = prep.save(tmp_path, password=PASSWORD)
    app = make_app()
    asked = app.check_workbook("tep-leaver-destinations", encrypted, as_of="2024-10-15")
    wait_idle(app)
    assert not [s for s in answers.shown if s[0] == "error"], "asked for the password, not 'not a template workbook'"
    dialog = asked[0]
    dialog.password.set("not-it")
    dialog.ok()
    assert dialog.winfo_exists() and "does not open" in dialog.problem.cget("text")
    dialog.password.set(PASSWORD)
    dialog.ok()
    app.check_workbook("tep-leaver-destinations", encrypted, as_of="2024-10-15", password=dialog.take_password())
    wait_idle(app)
    assert not [s for s in answers.shown if s[0] == "error"], answers.shown
    assert app.current is app.review and len(app.prep.learners) == len(prep.learners)
    assert app.prep.output_name == encrypted.name

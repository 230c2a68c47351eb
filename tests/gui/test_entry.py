"""Ways in: `tracker-desktop open`, the demo, Ctrl+O, and checking a return filled in by hand."""
from __future__ import annotations

import argparse

import pytest

from tests.gui.conftest import SAMPLES, pump, wait_idle
from tracker_desktop.gui import theme

pytestmark = pytest.mark.gui


def test_open_args_go_straight_to_the_review(make_app):
    app = make_app()
    args = argparse.Namespace(return_id="school-joiners", export=SAMPLES / "roll_2024-10.csv", school="8864123",
                              college=None, period="2024-10", as_of=None)
    app.open_from_args(args)
    wait_idle(app)
    assert app.current is app.review
    assert app.prep.output_name == "8864123SchoolJoinersOct.xlsx"
    assert "8864123SchoolJoinersOct.xlsx" in app.master.title()


def test_open_args_open_an_encrypted_tep_sheet(make_app, tmp_path):
    (tmp_path / "tep.pw").write_text("Maple-Harbour-42")
    app = make_app()
    args = argparse.Namespace(return_id="tep-leaver-destinations", export=SAMPLES / "tep_leavers_2024_destinations.csv",
                              school="8864123", college=None, period=None, as_of="2024-10-31",
                              prepopulated=SAMPLES / "tep_leavers_2024_encrypted.xlsx",
                              prepopulated_password_file=tmp_path / "tep.pw")
    app.open_from_args(args)
    wait_idle(app)
    assert app.current is app.review
    assert app.prep.output_name == "8864123LeaverDestinations2024.xlsx"
    assert len(app.prep.learners) == 25


def test_demo_data_opens(make_app):
    from tracker_desktop.gui.app import DEMO, demo_export

    if not demo_export().exists():
        pytest.skip("demo data not generated yet")
    app = make_app(persist=False)
    app.open_from_args(argparse.Namespace(export=demo_export(), **DEMO))
    wait_idle(app)
    assert app.current is app.review
    assert app.prep.learners, "the demo period has learners"
    assert app.prep.counts()["errors"] > 0, "the demo shows some problems"


def test_ctrl_o_key_opens_the_dialog(make_app, root):
    app = make_app()
    shown = []
    app.open_dialog = lambda *a: shown.append(True)
    app._keys()  # rebind to the replaced method
    app.master.focus_force()
    app.home.tree.focus_set()
    pump(root)
    app.home.tree.event_generate("<Control-o>")
    pump(root)
    assert shown


def test_theme_is_sun_valley_light(make_app):
    from tkinter import ttk

    app = make_app()
    assert ttk.Style(app.master).theme_use() == "sun-valley-light"
    assert theme.ERROR_BG != theme.QUERY_BG != theme.CLEANED_BG


def test_check_a_filled_in_workbook(make_app, tmp_path):
    from tracker_desktop.core.preparing.preparation import Preparation

    prep = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10")
    path = prep.save(tmp_path)
    app = make_app()
    app.check_workbook("school-leavers", path, period="2024-10")
    wait_idle(app)
    assert app.current is app.review
    assert len(app.prep.learners) == len(prep.learners)
    assert app.prep.counts()["errors"] >= 1
    red = [k for k, h in app.review.grid_view.sheet.get_highlighted_cells().items() if h.bg == theme.ERROR_BG]
    assert red


def test_several_edits_undo_in_order(make_app):
    from tests.gui.test_flow import open_case, type_into

    app = make_app()
    open_case(app, "sims-joiners")
    prep = app.prep
    first = prep.learners[0].values["Town"]
    type_into(app, 0, "Town", "Dover")
    type_into(app, 0, "Town", "Deal")
    assert prep.learners[0].values["Town"] == "Deal"
    app.undo()
    assert prep.learners[0].values["Town"] == "Dover"
    app.undo()
    assert prep.learners[0].values["Town"] == first
    assert not app.unsaved
    app.redo()
    assert prep.learners[0].values["Town"] == "Dover" and app.unsaved

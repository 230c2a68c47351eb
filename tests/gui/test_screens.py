"""Home, first-run settings, column matching, failures, and the screenshots kept in docs/."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui.conftest import SAMPLES, SCREENSHOTS, pump, wait_idle
from tracker_desktop.core.settings import Settings, load_settings

pytestmark = pytest.mark.gui


def test_home_lists_returns_with_next_due(make_app):
    app = make_app()
    tree = app.home.tree
    ids = tree.get_children()
    assert "school-leavers" in ids and "college-leavers" not in ids, "a school sees school returns"
    due = tree.item("school-leavers", "values")[1]
    assert due and due[-4:].isdigit()


def test_first_run_settings_dialog(make_app, tmp_path):
    settings = Settings(path=tmp_path / "settings" / "settings.json")
    app = make_app(settings=settings)
    dialog = app.edit_settings(first_run=True)
    dialog.number.set("123")
    dialog.folder.set(str(tmp_path / "out"))
    dialog.ok()
    assert "7 digits" in dialog.problem.cget("text"), "a wrong number is explained in the dialog"
    dialog.name.set("Oakfield School")
    dialog.number.set("8864123")
    dialog.ok()
    app.settings_done(dialog)
    saved = load_settings(tmp_path / "settings" / "settings.json")
    assert saved.school_number == "8864123" and saved.school_name == "Oakfield School"
    assert saved.output_folder == str(tmp_path / "out")
    assert "Oakfield School" in app.home.title.cget("text")


def test_ctrl_o_opens_the_prepare_dialog(make_app):
    app = make_app()
    app.home.tree.selection_set("school-joiners")
    opened = []
    app.open_export = lambda **kw: opened.append(kw)
    dialog = app.open_dialog()
    assert dialog.definition.id == "school-joiners"
    dialog.export.set(str(SAMPLES / "roll_2024-10.csv"))
    dialog.period.set("2024-10")
    dialog.ok()
    assert dialog.result["return_id"] == "school-joiners" and dialog.result["period"] == "2024-10"


def test_mapping_change_previews_and_is_remembered(make_app):
    app = make_app()
    case = {"return": "school-joiners", "input": "roll_2024-10.csv", "period": "2024-10"}
    app.open_export(case["return"], SAMPLES / case["input"], period=case["period"])
    wait_idle(app)
    assert app.current is app.mapping, "shown: some mandatory columns are only likely matches"
    screen = app.mapping
    screen.choices["Town"].set("County")
    screen.changed("Town")
    assert "Kent" in screen.previews["Town"].cget("text")
    screen.choices["Town"].set("Town")
    screen.changed("Town")
    screen.accept()
    wait_idle(app)
    assert app.current is app.review
    assert app.settings.mapping_for("school-joiners") is not None
    assert load_settings(app.settings.path).mapping_for("school-joiners") is not None, "saved to disk"
    # Next time the confirmed matching is used and the step is skipped.
    app.open_export(case["return"], SAMPLES / case["input"], period=case["period"])
    wait_idle(app)
    assert app.current is app.review
    # ... and it is always reachable again.
    app.show_mapping()
    assert app.current is app.mapping
    app.mapping.go_back()
    assert app.current is app.review


def test_user_error_is_a_plain_message(make_app, answers, tmp_path):
    app = make_app()
    app.open_export("school-joiners", tmp_path / "missing.csv", period="2024-10")
    wait_idle(app)
    kind, _, message = answers.shown[-1]
    assert kind == "error" and "missing.csv" in message and "Traceback" not in message


def test_unexpected_error_is_logged_without_personal_data(make_app, answers, monkeypatch):
    from tracker_desktop.core.preparing import preparation

    def boom(*a, **k):
        raise RuntimeError("Oliver Hughes R91928211539A")

    monkeypatch.setattr(preparation.Preparation, "start", classmethod(lambda cls, *a, **k: boom()))
    app = make_app()
    app.open_export("school-joiners", SAMPLES / "roll_2024-10.csv", period="2024-10")
    wait_idle(app)
    from tracker_desktop.gui.messages import log_path

    message = answers.shown[-1][2]
    assert str(log_path()) in message
    log = log_path().read_text(encoding="utf-8")
    assert "RuntimeError" in log and "Hughes" not in log and "R919" not in log


def test_window_keeps_responding_while_loading(make_app):
    app = make_app()
    app.open_export("school-post16-enrolment", SAMPLES / "sixth_form_2024-09.xlsx",
                    period="2024-09", as_of="2024-09-13")
    assert app.worker.busy
    assert app.progress.winfo_manager() == "pack", "a progress bar shows while reading"
    assert app.cancel_button.winfo_manager() == "pack", "with a Cancel button"
    wait_idle(app)
    assert app.progress.winfo_manager() == "" and app.cancel_button.winfo_manager() == ""


# --- screenshots -----------------------------------------------------------------------------------

SHOT_SIZES = ("1366x768", "1024x600")
SHOTS = ("home", "settings", "prepare_dialog", "tidy_up", "mapping", "review", "left_out", "save_dialog",
         "prepare_tep", "tep_review", "tep_password", "summary", "summary_password")


@pytest.mark.parametrize("size", SHOT_SIZES)
def test_screenshots(tmp_path, size):
    """Every screen at a laptop's 1366x768 and a small 1024x600, each in an Xvfb of that size
    (see tests/gui/screenshots.py: it fails when a screen's main button is off the screen)."""
    if not (shutil.which("Xvfb") and shutil.which("import")):
        pytest.skip("needs Xvfb and imagemagick's import")
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        display = server.stdout.readline().decode().strip()
        assert display.isdigit(), "Xvfb started"
        env = {**os.environ, "DISPLAY": f":{display}", "TRACKER_DESKTOP_SETTINGS_DIR": str(tmp_path / "settings")}
        root = Path(__file__).resolve().parents[2]
        done = subprocess.run([sys.executable, "-m", "tests.gui.screenshots"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
    for name in SHOTS:
        assert (SCREENSHOTS / f"{name}-{size}.png").stat().st_size > 10_000


def test_cancel_stops_waiting_and_keeps_the_screen(make_app):
    app = make_app()
    app.open_export("school-post16-enrolment", SAMPLES / "sixth_form_2024-09.xlsx",
                    period="2024-09", as_of="2024-09-13")
    assert app.worker.busy
    app.cancel()
    assert not app.worker.busy and not app.progress.winfo_ismapped()
    pump(app.master, 1.0)
    assert app.current is app.home and app.prep is None, "the cancelled result is thrown away"


def test_mapping_wheel_scrolls_the_page_not_the_dropdowns(make_app):
    """A wheel over a dropdown must not change the match; Tab to a row below scrolls it into view."""
    app = make_app()
    app.open_export("school-joiners", SAMPLES / "roll_2024-10.csv", period="2024-10")
    wait_idle(app)
    screen = app.mapping
    combos = [w for w in screen.table.winfo_children() if w.winfo_class() == "TCombobox"]
    before = {h: v.get() for h, v in screen.choices.items()}
    for combo in combos[:3]:
        combo.event_generate("<Button-5>")
        combo.event_generate("<Button-4>")
    pump(app.master, 0.05)
    assert {h: v.get() for h, v in screen.choices.items()} == before
    assert screen.canvas.yview()[1] < 1, "the page is longer than the window"
    combos[-1].focus_set()
    pump(app.master, 0.1)
    assert screen.canvas.yview()[1] == 1.0, "the last row, reached by keyboard, is scrolled into view"


def test_closure_days_in_settings_move_working_day_deadlines_on_home(make_app, tmp_path):
    import datetime as dt

    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.routine.status import next_due

    settings = Settings(school_name="Oakfield School", school_number="8864123", output_folder=str(tmp_path / "out"),
                        path=tmp_path / "settings" / "settings.json")
    app = make_app(settings=settings)
    dialog = app.edit_settings()
    dialog.closures.set("29/05/2026, nonsense")
    dialog.ok()
    assert "closure days" in dialog.problem.cget("text")
    dialog.closures.set("29/05/2026, 28/05/2026")
    dialog.ok()
    app.settings_done(dialog)
    saved = load_settings(tmp_path / "settings" / "settings.json")
    assert saved.closure_days == ["2026-05-28", "2026-05-29"]
    leavers = load_definition("school-leavers")
    assert next_due(leavers, dt.date(2026, 5, 20), saved.closures)[0] == dt.date(2026, 5, 27)
    assert next_due(leavers, dt.date(2026, 5, 20))[0] == dt.date(2026, 5, 29)

"""One Tk root for the whole session (creating and destroying Tk roots repeatedly is slow and
flaky), each test building its app in a fresh Toplevel. A test fails if Tk reported an exception
in any callback (Tk only prints those, so they would otherwise pass unnoticed)."""
from __future__ import annotations

import json
import os
import time
import tkinter as tk
import traceback
from pathlib import Path

import pytest

from tests.conftest import SAMPLES  # one place says where the samples are

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_configure(config):
    config.addinivalue_line("markers", "gui: drives real Tk widgets under Xvfb")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)


_errors: list[str] = []


@pytest.fixture(scope="session")
def root():
    try:
        tk_root = tk.Tk()
    except tk.TclError as e:
        pytest.skip(f"no display for Tk ({e})")
    tk_root.withdraw()

    def report(exc, value, tb):
        _errors.append("".join(traceback.format_exception(exc, value, tb)))

    tk_root.report_callback_exception = report
    yield tk_root
    tk_root.destroy()


@pytest.fixture(autouse=True)
def _no_callback_errors(request):
    _errors.clear()
    yield
    if _errors:
        found = list(_errors)
        _errors.clear()
        pytest.fail("Tk reported a callback exception:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _settings_dir(tmp_path, monkeypatch):
    # Never read or write the real user's settings or logs.
    monkeypatch.setenv("TRACKER_DESKTOP_SETTINGS_DIR", str(tmp_path / "settings"))


class Answers:
    """Stands in for message boxes: records each one and answers from a queue (default yes)."""

    def __init__(self):
        self.shown: list[tuple[str, str, str]] = []
        self.defaults: list[str | None] = []  # the button Enter would press, for each one shown
        self.replies: list = []

    def __call__(self, kind, title, message, parent=None, default=None):
        self.shown.append((kind, title, message))
        self.defaults.append(default)
        return self.replies.pop(0) if self.replies else True

    def kinds(self):
        return [k for k, _, _ in self.shown]


@pytest.fixture
def answers():
    from tracker_desktop.gui import messages

    found = Answers()
    messages.set_asker(found)
    yield found
    messages.set_asker(None)


def pump(root, seconds: float = 0.05) -> None:
    end = time.monotonic() + seconds
    while True:
        root.update()
        if time.monotonic() >= end:
            break
        time.sleep(0.005)


def wait_idle(app, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while app.worker.busy:
        app.master.update()
        time.sleep(0.005)
        if time.monotonic() > end:
            raise AssertionError("the background job did not finish")
    pump(app.master, 0.05)


def open_in_review(app, return_id: str, export, **when) -> None:
    """Open an export as the office does (Prepare a return…) and go on past the column matching
    if it is shown, as far as the review."""
    app.open_export(return_id, export, **when)
    wait_idle(app)
    if app.current is app.mapping:
        app.mapping.accept()
        wait_idle(app)


@pytest.fixture
def make_app(root, tmp_path, answers):
    from tracker_desktop.core.settings import Settings
    from tracker_desktop.gui.app import App

    made = []

    def make(settings=None, persist=True, size="1280x800"):
        top = tk.Toplevel(root)
        top.geometry(size + "+0+0")
        settings = settings or Settings(school_name="Oakfield School", school_number="8864123",
                                        output_folder=str(tmp_path / "out"),
                                        path=tmp_path / "settings" / "settings.json")
        app = App(top, settings, persist=persist, _utest=True)
        made.append(top)
        pump(root, 0.05)
        return app

    yield make
    for top in made:
        try:
            top.destroy()
        except tk.TclError:
            pass
    pump(root, 0.02)


def expected_cases() -> dict:
    return {c["name"]: c for c in json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))}

"""Dropping an export file on the window fills it into the Prepare dialog."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.conftest import SAMPLES, pump
from tracker_desktop.gui import messages
from tracker_desktop.gui.drop import enable_drop

pytestmark = pytest.mark.gui


def test_the_window_accepts_dropped_files(root):
    assert enable_drop(root, lambda paths: None)  # tkdnd ships for Windows, macOS and Linux
    assert root.tk.call("package", "present", "tkdnd")
    assert "%D" in str(root.tk.call("bind", root._w, "<<Drop>>"))


def test_a_dropped_export_opens_the_prepare_dialog_with_it(make_app, root):
    app = make_app()
    dialog = app.files_dropped([SAMPLES / "roll_2024-10.csv"])
    pump(root)
    try:
        assert dialog.export.get() == str(SAMPLES / "roll_2024-10.csv")
    finally:
        dialog.destroy()


def test_dropping_something_else_says_what_to_drop(make_app, monkeypatch):
    app = make_app()
    said = []
    monkeypatch.setattr(messages, "error", lambda text, parent=None: said.append(text))
    assert app.files_dropped([Path("holiday.jpg")]) is None
    assert said and "CSV, Excel or CTF" in said[0]


def test_the_drop_binding_hands_the_files_over(root, tmp_path):
    got = []
    enable_drop(root, got.extend)
    script = root.tk.call("bind", root._w, "<<Drop>>")
    spaced = tmp_path / "My exports" / "roll.csv"
    # run the binding as tkdnd does, with %A and %D substituted (a Tcl list of paths)
    data = root.tk.eval(f"list [list {{{spaced}}}]")  # tkdnd substitutes [list $data], data a list of paths
    result = root.tk.eval(str(script).replace("%A", "copy").replace("%D", data))
    assert result == "copy"
    assert got == [spaced]

"""Keyboard use and readability, through real widgets and key events: where the focus is when a
screen opens, what Enter and Escape do, typing on a dropdown cell, what the status line says about
a value the user typed, wide dropdown lists, the default button of risky questions, and a focus
ring that can be seen."""
from __future__ import annotations

import datetime as dt
import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk

import pytest

from tests.gui.conftest import SAMPLES, pump, wait_idle
from tests.gui.test_flow import open_case, row_of, type_into
from tracker_desktop.core.settings import Settings

pytestmark = pytest.mark.gui


def press(widget, keysym: str, root) -> None:
    """A key pressed and released on a widget, as the user's keyboard sends it."""
    widget.event_generate("<KeyPress>", keysym=keysym)
    widget.event_generate("<KeyRelease>", keysym=keysym)
    pump(root, 0.03)


def type_keys(widget, text: str, root) -> None:
    names = {"-": "minus", " ": "space"}
    for ch in text:
        press(widget, names.get(ch, ch), root)


def focused(app):
    return app.master.focus_get()


# --- 1. column matching --------------------------------------------------------------------------

def open_mapping(make_app):
    app = make_app()
    app.open_export("school-joiners", SAMPLES / "roll_2024-10.csv", period="2024-10")
    app.master.focus_force()
    wait_idle(app)
    pump(app.master, 0.1)
    assert app.current is app.mapping
    return app


def test_mapping_opens_with_the_first_dropdown_focused_and_enter_uses_the_columns(make_app):
    app = open_mapping(make_app)
    screen = app.mapping
    first = screen.combos[0]
    assert focused(app) is first, "the first column's dropdown has the keyboard focus"
    assert first.instate(["focus"]), "and shows it"
    used = []
    app.apply_mapping = lambda mapping: used.append(mapping)
    first.event_generate("<Return>")
    pump(app.master)
    assert len(used) == 1, "Enter presses Use these columns"
    # ... from any dropdown reached with Tab, not only the first.
    first.event_generate("<Tab>")
    pump(app.master)
    assert focused(app) is screen.combos[1]
    screen.combos[1].event_generate("<Return>")
    pump(app.master)
    assert len(used) == 2


def test_mapping_escape_goes_back(make_app):
    app = open_mapping(make_app)
    app.mapping.combos[0].event_generate("<Escape>")
    pump(app.master)
    assert app.current is app.home
    assert focused(app) is app.home.tree, "Home has the focus on its list"


def test_enter_in_an_open_dropdown_list_only_picks_the_line(make_app):
    """Enter inside a dropdown's list chooses the line there: the screen is not left."""
    app = open_mapping(make_app)
    used = []
    app.apply_mapping = lambda mapping: used.append(mapping)
    combo = app.mapping.combos[0]
    popdown = combo.tk.call("ttk::combobox::PopdownWindow", combo)
    combo.tk.call("event", "generate", f"{popdown}.f.l", "<Return>")  # Tk's own widget: no Python object
    pump(app.master)
    assert not used and app.current is app.mapping


# --- 2. home -------------------------------------------------------------------------------------

def test_home_list_has_the_focus_after_first_run_settings(make_app, tmp_path):
    settings = Settings(path=tmp_path / "settings" / "settings.json")
    app = make_app(settings=settings)
    app.master.focus_force()
    pump(app.master)
    dialog = app.edit_settings(first_run=True)
    dialog.focus_force()
    pump(app.master)
    dialog.name.set("Oakfield School")
    dialog.number.set("8864123")
    dialog.folder.set(str(tmp_path / "out"))
    dialog.event_generate("<Return>")  # Enter saves the settings
    pump(app.master)
    assert not dialog.winfo_exists()
    app.settings_done(dialog)
    pump(app.master)
    tree = app.home.tree
    assert focused(app) is tree, "the returns list has the keyboard focus"
    first, second = tree.get_children()[:2]
    assert tree.selection() == (first,) and tree.focus() == first, "with the soonest-due return selected"
    opened = []
    app.open_dialog = lambda return_id=None, export=None: opened.append(return_id)
    tree.event_generate("<Down>")
    pump(app.master)
    assert tree.selection() == (second,), "the arrow keys move through the returns"
    tree.event_generate("<Return>")
    pump(app.master)
    assert opened == [second], "Enter prepares the chosen return"


# --- 3 and 4. the review grid --------------------------------------------------------------------

def test_typing_on_a_dropdown_cell_starts_editing_it(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, app.review.grid_view
    d = prep.columns.index("Destination")
    r = next(p.row for p in prep.problems if p.column == "Destination")
    grid.select(r, d)
    app.master.focus_force()
    grid.sheet.MT.focus_set()
    pump(app.master)
    MT = grid.sheet.MT
    press(MT, "1", app.master)
    assert MT.text_editor.open and MT.dropdown.open, "a typed character opens the cell's dropdown for typing"
    assert MT.text_editor.get().startswith("1")
    editor = app.master.focus_get()
    assert editor is MT.text_editor.tktext
    type_keys(editor, "10", app.master)
    assert MT.text_editor.get().startswith("110"), "the list is searched as the user types"
    press(editor, "Return", app.master)
    assert prep.learners[r].values["Destination"] == "110"
    assert grid.sheet.get_cell_data(r, d) == "110"


def test_shortcut_keys_on_a_dropdown_cell_do_not_edit_it(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    grid, MT = app.review.grid_view, app.review.grid_view.sheet.MT
    grid.select(0, app.prep.columns.index("Destination"))
    app.master.focus_force()
    MT.focus_set()
    pump(app.master)
    MT.event_generate("<KeyPress>", keysym="c", state=0x4)  # Ctrl+C copies
    pump(app.master)
    assert not MT.text_editor.open and not MT.dropdown.open


def test_status_says_you_typed_for_a_value_the_user_typed(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep = app.prep
    r = row_of(prep, 4)  # the learner whose postcode is missing
    type_into(app, r, "Postcode", "me14 1xx")
    assert prep.learners[r].values["Postcode"] == "ME14 1XX"
    app.review.grid_view.select(r, prep.columns.index("Postcode"))
    pump(app.master)
    status = app.review.status.cget("text")
    assert "Tidied: you typed 'me14 1xx'" in status and "export had" not in status
    note = app.review.grid_view.sheet.MT.cell_options[(r, prep.columns.index("Postcode"))]["note"]
    assert "You typed" in str(note)
    # Undone and done again, it is still the user's own value.
    app.undo()
    app.redo()
    app.review.grid_view.select(r, prep.columns.index("Postcode"))
    pump(app.master)
    assert "you typed 'me14 1xx'" in app.review.status.cget("text")
    # A cell tidied when the export was read still says what the export had.
    tidied = next((i, h) for i, learner in enumerate(prep.learners) for h in learner.fixes if (i, h) != (r, "Postcode"))
    app.review.grid_view.select(tidied[0], prep.columns.index(tidied[1]))
    pump(app.master)
    assert "Tidied: the export had" in app.review.status.cget("text")


# --- 5. readable lists ---------------------------------------------------------------------------

def test_code_dropdown_is_wide_enough_to_read(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, app.review.grid_view
    MT = grid.sheet.MT
    d = prep.columns.index("Destination")
    grid.select(0, d)
    app.master.focus_force()
    MT.focus_set()
    pump(app.master)
    MT.event_generate("<Return>")  # opens the list
    pump(app.master, 0.1)
    assert MT.dropdown.open
    window = MT.dropdown.window
    text = "110 - Registered at a school in the area"
    assert window.winfo_width() > tkfont.Font(font=grid.sheet.ops.table_font).measure(text) + 10
    # ... and the wider list stays within the grid (the Destination column is at its right edge).
    left = window.winfo_rootx()
    assert left >= MT.winfo_rootx() and left + window.winfo_width() <= MT.winfo_rootx() + MT.winfo_width() + 1
    MT.event_generate("<Escape>")


def test_problem_and_left_out_details_are_shown_in_full(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    panel = app.review.panel
    longest = max(panel.lines.get_children(), key=lambda i: len(panel.lines.item(i, "values")[1]))
    panel.lines.selection_set(longest)
    pump(app.master)
    message = panel.lines.item(longest, "values")[1]
    assert message in panel.detail.cget("text"), "the chosen problem in full, under the list"
    assert panel.detail.winfo_ismapped()

    window = app.show_left_out()
    pump(app.master)
    first = window.tree.get_children()[0]
    assert window.tree.selection() == (first,)
    assert window.tree.item(first, "values")[1] in window.detail.cget("text")
    window.tree.focus_force()
    window.tree.event_generate("<Down>")
    pump(app.master)
    second = window.tree.get_children()[1]
    assert window.tree.item(second, "values")[1] in window.detail.cget("text")
    window.destroy()


# --- 6. risky questions default to the safe answer ---------------------------------------------

def test_save_dialog_with_errors_defaults_to_going_back(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    app.master.focus_force()
    pump(app.master)
    dialog = app.save()
    pump(app.master)
    assert dialog.errors
    assert dialog.cancel_button.cget("text") == "Go back and fix"
    assert dialog.focus_get() is dialog.cancel_button
    dialog.event_generate("<Return>")
    pump(app.master)
    assert not dialog.winfo_exists() and dialog.result is None, "Enter goes back to fix the errors"

    dialog = app.save()
    pump(app.master)
    assert dialog.focus_get() is dialog.cancel_button
    dialog.cancel_button.event_generate("<Tab>")  # on to Save anyway
    pump(app.master)
    assert dialog.focus_get() is dialog.ok_button
    dialog.event_generate("<Return>")
    pump(app.master)
    assert dialog.result is not None, "Enter on a focused Save anyway does save"


def test_save_dialog_without_errors_still_saves_on_enter(make_app, tmp_path):
    app = make_app()
    open_case(app, "sims-joiners")
    for p in [p for p in app.prep.problems if p.severity == "error"]:
        app.prep._set_row(p.row, [q for q in app.prep._row_problems[p.row] if q.severity != "error"])
    app.master.focus_force()
    pump(app.master)
    dialog = app.save()
    pump(app.master)
    assert not dialog.errors and dialog.focus_get() is dialog.ok_button
    dialog.event_generate("<Return>")
    pump(app.master)
    assert dialog.result is not None


def test_replace_question_defaults_to_no(make_app, answers, tmp_path):
    app = make_app()
    open_case(app, "sims-leavers")
    answers.replies = [False]
    app.write(tmp_path)
    wait_idle(app)
    answers.replies = [False]  # "replace it?" no
    app.write(tmp_path)
    wait_idle(app)
    assert "already" in answers.shown[-1][2] and answers.defaults[-1] == "no"


def test_message_box_default_reaches_tk(monkeypatch):
    from tkinter import messagebox

    from tracker_desktop.gui import messages

    seen = {}
    monkeypatch.setattr(messagebox, "askyesno", lambda title, message, **options: seen.update(options) or False)
    assert messages._tk_ask("yesno", "t", "Replace it?", default="no") is False
    assert seen.get("default") == "no"


# --- 7. the overdue hint -------------------------------------------------------------------------

def test_overdue_hint_goes_when_the_month_is_changed(make_app):
    app = make_app()
    app.home.refresh(app.definitions, app.settings, today=dt.date(2024, 11, 5))
    dialog = app.open_dialog("school-leavers")
    dialog.focus_force()
    pump(app.master)
    assert "October 2024 is overdue" in dialog.period_hint.cget("text")
    entry = dialog.period_entry
    assert dialog.period.get() == "10/2024", "shown mm/yyyy"
    entry.focus_set()
    entry.icursor(2)
    pump(app.master)
    for _ in range(2):
        press(entry, "BackSpace", app.master)
    type_keys(entry, "09", app.master)
    assert dialog.period.get() == "09/2024"
    assert "overdue" not in dialog.period_hint.cget("text")
    assert "month whose joiners or leavers" in dialog.period_hint.cget("text")
    for _ in range(2):
        press(entry, "BackSpace", app.master)
    type_keys(entry, "10", app.master)
    assert "October 2024 is overdue" in dialog.period_hint.cget("text"), "back on the overdue month, it says so again"
    dialog.cancel()


# --- 8. a focus ring that shows ------------------------------------------------------------------

def test_focused_buttons_and_entries_have_a_clear_ring(make_app):
    from tracker_desktop.gui import theme

    app = make_app()
    style = ttk.Style(app.master)
    for name in ("TButton", "Accent.TButton", "TEntry", "TCombobox"):
        assert style.layout(name)[0][0] == "Ring.focus", f"{name} is drawn inside a focus ring"
    top = tk.Toplevel(app.master)
    try:
        first, second = ttk.Button(top, text="One"), ttk.Button(top, text="Two")
        first.pack()
        second.pack()
        top.focus_force()
        first.focus_set()
        pump(app.master)
        first.event_generate("<Tab>")
        pump(app.master)
        assert top.focus_get() is second and second.instate(["focus"]) and not first.instate(["focus"])
        ring = next(i for i in theme._fonts if isinstance(i, tk.PhotoImage) and i.get(0, 1) != (0, 0, 0)
                    and not i.transparency_get(0, 1))
        assert "#{:02x}{:02x}{:02x}".format(*ring.get(0, 1)) == theme.FOCUS_RING
        assert ring.width() - 2 >= 2 * theme.RING_WIDTH, "2 pixels wide"
    finally:
        top.destroy()

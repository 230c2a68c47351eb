"""The review grid through a whole office session, with real widgets and real key events: every
return gets a grid of its own shape, no keystroke is lost however fast it is typed, and the
Excel habits (range selection, copy and paste, Delete, fill down, undo and redo) go through the
core like a typed value."""
from __future__ import annotations

import subprocess
import time

import openpyxl
import pytest

from tests.gui.conftest import pump
from tests.gui.test_flow import open_case, row_of
from tests.gui.test_tep import open_tep

pytestmark = pytest.mark.gui

SHIFT, CONTROL = 0x1, 0x4


def press(widget, keysym: str, root, state: int = 0) -> None:
    widget.event_generate("<KeyPress>", keysym=keysym, state=state)
    widget.event_generate("<KeyRelease>", keysym=keysym, state=state)
    pump(root, 0.02)


def real_keys(app, *args: str) -> None:
    """Keys from the X server's keyboard (XTEST), as a user's typing arrives: the app keeps
    running its event loop while they come, and they go wherever the focus really is."""
    proc = subprocess.Popen(["xdotool", *args])
    while proc.poll() is None:
        app.master.update()
        time.sleep(0.001)
    assert proc.returncode == 0
    pump(app.master, 0.3)


def focus_grid(app):
    grid = app.review.grid_view
    app.master.focus_force()
    grid.sheet.MT.focus_set()
    pump(app.master, 0.1)
    return grid


def click_cell(app, shown_row: int, column: int) -> None:
    """A mouse click in the middle of a cell, where it is drawn now."""
    MT = app.review.grid_view.sheet.MT
    app.review.grid_view.sheet.see(shown_row, column)
    pump(app.master, 0.1)
    x = (MT.col_positions[column] + MT.col_positions[column + 1]) / 2 - MT.canvasx(0)
    y = (MT.row_positions[shown_row] + MT.row_positions[shown_row + 1]) / 2 - MT.canvasy(0)
    MT.event_generate("<Motion>", x=int(x), y=int(y))
    MT.event_generate("<ButtonPress-1>", x=int(x), y=int(y))
    MT.event_generate("<ButtonRelease-1>", x=int(x), y=int(y))
    pump(app.master, 0.05)


def assert_grid_is_the_return(app) -> None:
    prep, grid = app.prep, app.review.grid_view
    sheet, MT = grid.sheet, grid.sheet.MT
    rows, columns = len(prep.learners), len(prep.columns)
    assert sheet.headers() == prep.columns
    assert sheet.get_total_rows() == rows and sheet.get_total_columns() == columns
    assert len(MT.col_positions) - 1 == columns, "no leftover columns from the return before"
    assert len(MT.row_positions) - 1 == rows, "no leftover rows from the return before"
    assert len(sheet.row_index()) == rows
    last = [learner.values.get(prep.columns[-1], "") for learner in prep.learners]
    assert [sheet.get_cell_data(r, columns - 1) for r in range(rows)] == last
    assert not sheet.get_all_selection_boxes(), "nothing selected from the return before"
    assert sheet.get_xview()[0] == 0 and sheet.get_yview()[0] == 0, "opens at its first column and row"
    assert grid.undo_stack == [] and grid.redo_stack == []
    assert not MT.text_editor.open and not MT.dropdown.open


def test_five_returns_in_one_session_each_get_their_own_grid(make_app, answers):
    app = make_app()
    opened = []
    for name in ("sims-leavers", "sixth_form_2024-09.xlsx-post16", "tep", "september_guarantee_2025-04.csv-sg",
                 "sims-joiners"):
        if name == "tep":
            open_tep(app)
        else:
            open_case(app, name)
        pump(app.master, 0.1)
        prep, grid = app.prep, app.review.grid_view
        opened.append((len(prep.columns), len(prep.learners)))
        assert_grid_is_the_return(app)
        # The last row and column can be clicked, arrowed at, and typed into.
        last_row, last_column = len(prep.learners) - 1, len(prep.columns) - 1
        focus_grid(app)
        click_cell(app, last_row, last_column)
        assert grid.selected_cell() == (last_row, last_column)
        for key in ("Right", "Down"):  # against the edges: nothing beyond them
            press(grid.sheet.MT, key, app.master)
        assert grid.selected_cell() == (last_row, last_column)
        before = prep.learners[last_row].values.get(prep.columns[-1], "")
        real_keys(app, "type", "--delay", "10", "Zed")
        real_keys(app, "key", "Return")
        after = prep.learners[last_row].values.get(prep.columns[-1], "")
        assert after != before, f"{name}: the typed value reached the learner"
        assert grid.sheet.get_cell_data(last_row, last_column) == after
        # Leave the grid scrolled to its far corner, with an edit to undo: the next must not inherit them.
        assert grid.undo_stack
        app.saved_edits = len(grid.undo_stack)  # as if saved: no "changes will be lost" question
    assert len(set(opened)) == 5, f"five different shapes: {opened}"


def test_forty_characters_at_5_ms_a_key_straight_after_f8_are_all_saved(make_app, answers, tmp_path):
    app = make_app()
    open_case(app, "september_guarantee_2025-04.csv-sg")
    prep, grid = app.prep, focus_grid(app)
    grid.sheet.deselect()
    text = "Medway Adult & Community Learning, Kent!"
    assert len(text) == 40
    target = prep.problems[0]
    assert target.column == "Offer Provider", "F8 goes to the first problem: a provider left blank"
    real_keys(app, "key", "F8", "type", "--delay", "5", text)
    real_keys(app, "key", "Return")
    assert prep.learners[target.row].values["Offer Provider"] == text
    answers.replies = [False]  # "open the folder?" no
    app.write(tmp_path)
    while app.worker.busy:
        pump(app.master, 0.05)
    pump(app.master, 0.1)
    book = openpyxl.load_workbook(tmp_path / prep.output_name, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header_row = next(i for i, r in enumerate(rows) if "Offer Provider" in r)
    column = rows[header_row].index("Offer Provider")
    saved = [r[column] for r in rows[header_row + 1:] if len(r) > column]
    assert text in saved, "the saved workbook holds every character typed"


def test_keys_typed_before_the_editor_has_the_focus_land_in_it(make_app):
    """The same race without the X server: keys that reach the grid while its editor is open."""
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, focus_grid(app)
    r, c = row_of(prep, 4), prep.columns.index("Postcode")
    grid.select(r, c)
    MT = grid.sheet.MT
    for ch in "me14":  # all sent to the grid itself, as queued keys are
        MT.event_generate("<KeyPress>", keysym=ch)
    MT.event_generate("<KeyPress>", keysym="BackSpace")
    MT.event_generate("<KeyPress>", keysym="4")
    MT.event_generate("<KeyPress>", keysym="Return")
    pump(app.master)
    assert prep.learners[r].values["Postcode"] == "ME14"


def put_on_clipboard(app, text: str) -> None:
    app.master.clipboard_clear()
    app.master.clipboard_append(text)
    pump(app.master)


def test_paste_a_range_tidied_and_checked_in_one_undo_step_then_redo(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, focus_grid(app)
    MT = grid.sheet.MT
    r = row_of(prep, 4)  # the learner whose postcode is missing
    county, postcode = prep.columns.index("County"), prep.columns.index("Postcode")
    assert ("Postcode", "mandatory-missing") in {(p.column, p.rule) for p in prep.problems_at(r)}
    was = [(prep.learners[i].values["County"], prep.learners[i].values["Postcode"]) for i in (r, r + 1)]
    put_on_clipboard(app, "Kent\tme14 1xx\r\nKent\ttn23 8nt\r\n")  # as Excel puts two rows of two cells
    grid.select(r, county)
    press(MT, "v", app.master, CONTROL)
    assert [prep.learners[i].values["Postcode"] for i in (r, r + 1)] == ["ME14 1XX", "TN23 8NT"], "tidied as typed"
    assert [grid.sheet.get_cell_data(i, postcode) for i in (r, r + 1)] == ["ME14 1XX", "TN23 8NT"]
    assert ("Postcode", "mandatory-missing") not in {(p.column, p.rule) for p in prep.problems_at(r)}, "rechecked"
    assert grid.typed_by_user(r, "Postcode", prep.learners[r].fixes["Postcode"])
    assert grid.sheet.get_all_selection_boxes() == ((r, county, r + 2, postcode + 1),), "what was pasted stays selected"
    assert prep.columns[postcode + 1] != "" and prep.learners[r].values[prep.columns[postcode + 1]] == \
        grid.sheet.get_cell_data(r, postcode + 1), "nothing spills past the pasted block"

    app.master.event_generate("<Control-z>")
    pump(app.master)
    assert [(prep.learners[i].values["County"], prep.learners[i].values["Postcode"]) for i in (r, r + 1)] == was, \
        "one Undo takes back the whole paste"
    assert ("Postcode", "mandatory-missing") in {(p.column, p.rule) for p in prep.problems_at(r)}
    app.master.event_generate("<KeyPress>", keysym="Z", state=CONTROL | SHIFT)  # Ctrl+Shift+Z redoes
    pump(app.master)
    assert [prep.learners[i].values["Postcode"] for i in (r, r + 1)] == ["ME14 1XX", "TN23 8NT"]
    app.master.event_generate("<Control-z>")
    app.master.event_generate("<Control-y>")  # and so does Ctrl+Y
    pump(app.master)
    assert prep.learners[r].values["Postcode"] == "ME14 1XX"


def test_paste_a_column_copied_from_excel(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, focus_grid(app)
    c = prep.columns.index("Home Telephone")
    untouched = prep.learners[3].values["Home Telephone"]
    put_on_clipboard(app, "1622246602\r\n01622 111222\r\n+44 1227 333444\r\n")
    grid.select(0, c)
    press(grid.sheet.MT, "v", app.master, CONTROL)
    pasted = [prep.learners[i].values["Home Telephone"] for i in range(3)]
    assert pasted == ["01622 246602", "01622 111222", "01227 333444"]
    assert prep.learners[3].values["Home Telephone"] == untouched, "the trailing newline is not an empty fourth cell"
    assert len(grid.undo_stack) == 1


def test_one_value_pasted_into_a_range_fills_it_and_a_paste_past_the_edge_is_cut(make_app):
    app = make_app()
    open_case(app, "sims-joiners")
    prep, grid = app.prep, focus_grid(app)
    c = prep.columns.index("County")
    grid.sheet.select_cell(0, c)
    for _ in range(2):
        press(grid.sheet.MT, "Down", app.master, SHIFT)  # Shift+Down selects a range, as in Excel
    put_on_clipboard(app, "Kent")
    press(grid.sheet.MT, "v", app.master, CONTROL)
    assert [prep.learners[i].values["County"] for i in range(4)][:3] == ["Kent"] * 3
    last = len(prep.columns) - 1
    put_on_clipboard(app, "a\tb\tc\n")
    grid.select(len(prep.learners) - 1, last)
    press(grid.sheet.MT, "v", app.master, CONTROL)
    assert grid.sheet.get_total_columns() == len(prep.columns), "no column is added to the return"


def test_delete_clears_a_range_and_fill_down_copies_the_top_row(make_app):
    app = make_app()
    open_case(app, "sixth_form_2024-09.xlsx-post16")
    prep, grid = app.prep, focus_grid(app)
    MT = grid.sheet.MT
    town, county = prep.columns.index("Town"), prep.columns.index("County")
    grid.sheet.select_cell(0, town)
    press(MT, "Right", app.master, SHIFT)
    press(MT, "Down", app.master, SHIFT)
    press(MT, "Down", app.master, SHIFT)
    assert grid.selected_boxes() == [(0, town, 3, county + 1)]
    before = {(i, h): prep.learners[i].values[h] for i in range(3) for h in ("Town", "County")}
    press(MT, "Delete", app.master)
    assert all(prep.learners[i].values[h] == "" for i, h in before)
    assert all(grid.sheet.get_cell_data(i, prep.columns.index(h)) == "" for i, h in before)
    app.undo()
    assert {(i, h): prep.learners[i].values[h] for i, h in before} == before, "one Undo puts the range back"
    (r1, c1, r2, c2), = grid.selected_boxes()
    assert (r1, c1, r2) == (0, town, 3) and c2 in (town + 1, county + 1), "and selects what changed"
    grid.sheet.select_cell(0, town)
    for key in ("Right", "Down", "Down"):
        press(MT, key, app.master, SHIFT)

    top = (prep.learners[0].values["Town"], prep.learners[0].values["County"])
    press(MT, "d", app.master, CONTROL)
    assert all((prep.learners[i].values["Town"], prep.learners[i].values["County"]) == top for i in range(3))
    assert grid.sheet.get_cell_data(2, town) == top[0]
    app.undo()
    assert {(i, h): prep.learners[i].values[h] for i, h in before} == before


def test_code_cell_searches_by_label_and_enter_takes_the_highlighted_entry(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, focus_grid(app)
    r = next(p.row for p in prep.problems if p.column == "Destination")
    grid.select(r, prep.columns.index("Destination"))
    real_keys(app, "type", "--delay", "5", "appren")
    MT = grid.sheet.MT
    assert MT.dropdown.open and MT.text_editor.get().lower().startswith("appren"), "the whole word is typed"
    highlighted = MT.dropdown.window.row
    assert MT.dropdown.window.MT.data[highlighted][0] == "310 - Apprenticeship"
    real_keys(app, "key", "Return")
    assert prep.learners[r].values["Destination"] == "310"
    # A code typed with its number still works, and a text the list does not hold is kept for the checks.
    grid.select(r, prep.columns.index("Destination"))
    real_keys(app, "type", "--delay", "5", "81")
    real_keys(app, "key", "Return")
    assert prep.learners[r].values["Destination"] == "810"


def test_escape_cancels_an_edit_and_keeps_the_cell(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, focus_grid(app)
    r, c = 1, prep.columns.index("Town")
    was = prep.learners[r].values["Town"]
    grid.select(r, c)
    real_keys(app, "type", "--delay", "5", "Nowhere")
    assert grid.sheet.MT.text_editor.open
    real_keys(app, "key", "Escape")
    assert not grid.sheet.MT.text_editor.open
    assert prep.learners[r].values["Town"] == was and not grid.undo_stack
    assert grid.selected_cell() == (r, c), "the cell is still selected"
    assert app.master.focus_get() is grid.sheet.MT, "and the grid has the keyboard"
    real_keys(app, "key", "Down")
    assert grid.selected_cell() == (r + 1, c)


def test_hover_note_gives_the_reason_for_a_red_cell(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, app.review.grid_view
    for p in prep.problems:
        note = grid.sheet.MT.cell_options[(p.row, prep.columns.index(p.column))]["note"]["note"]
        assert p.message in note and ("Error" if p.severity == "error" else "Query") in note
    # Fixed, the reason goes with the colour.
    r, c = row_of(prep, 4), prep.columns.index("Postcode")
    grid.apply_edits([(r, c, "ME14 1XX")])
    assert "note" not in grid.sheet.MT.cell_options.get((r, c), {})


def test_problem_lines_cut_by_the_list_show_in_full_on_hover(make_app):
    app = make_app(size="1366x740")
    open_case(app, "sims-leavers")
    pump(app.master, 0.2)
    panel = app.review.panel
    lines = panel.lines.get_children()
    longest = max(lines, key=lambda i: len(panel.lines.item(i, "values")[1]))
    message = panel.lines.item(longest, "values")[1]
    assert panel.tip.text_of(longest) == message, "a line the list cuts off is offered whole"
    x, y, _, h = panel.lines.bbox(longest, "problem")
    panel.lines.event_generate("<Motion>", x=x + 20, y=y + h // 2)
    pump(app.master, panel.tip.DELAY_MS / 1000 + 0.3)
    window = panel.tip.window
    assert window is not None and window.winfo_ismapped()
    label = window.winfo_children()[0]
    assert label.cget("text") == message and int(label.cget("wraplength")) > 0, "wrapped, in full"
    panel.lines.event_generate("<Leave>")
    pump(app.master)
    assert panel.tip.window is None


def test_a_range_copied_with_ctrl_c_pastes_elsewhere(make_app):
    app = make_app()
    open_case(app, "sims-joiners")
    prep, grid = app.prep, focus_grid(app)
    MT = grid.sheet.MT
    town = prep.columns.index("Town")
    grid.sheet.select_cell(0, town)
    press(MT, "Right", app.master, SHIFT)
    press(MT, "Down", app.master, SHIFT)
    press(MT, "c", app.master, CONTROL)
    copied = [[prep.learners[i].values[h] for h in ("Town", "County")] for i in (0, 1)]
    assert [row.split("\t") for row in app.master.clipboard_get().strip("\r\n").splitlines()] == copied
    last = len(prep.learners) - 2
    grid.select(last, town)
    press(MT, "v", app.master, CONTROL)
    assert [[prep.learners[i].values[h] for h in ("Town", "County")] for i in (last, last + 1)] == copied

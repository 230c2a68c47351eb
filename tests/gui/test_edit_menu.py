"""The Edit menu's Copy, Paste, Fill down and Clear, driven through the real menu entries on the
real app after selecting cells in the real grid: each does what its key does on the grid (the
same cells, colours, counts and one step for Undo), and with no return in the review they are
greyed out and do nothing."""
from __future__ import annotations

import pytest

from tests.gui.conftest import pump, wait_idle
from tests.gui.test_flow import fills, open_case, row_of
from tests.gui.test_grid import CONTROL, SHIFT, focus_grid, press, put_on_clipboard
from tracker_desktop.gui import theme

pytestmark = pytest.mark.gui

NEW_ENTRIES = {"Copy": "Ctrl+C", "Paste": "Ctrl+V", "Fill down": "Ctrl+D", "Clear": "Delete"}


def entry_state(app, label: str) -> str:
    return str(app.edit_menu.entrycget(app.edit_menu.index(label), "state"))


def choose(app, label: str) -> None:
    """Click an Edit menu entry (as the menu bar does: the entry's own command, if enabled)."""
    app.edit_menu.invoke(app.edit_menu.index(label))
    pump(app.master)


def values(app, rows, headers) -> list[list[str]]:
    return [[app.prep.learners[r].values.get(h, "") for h in headers] for r in rows]


def select_range(app, row: int, column: int, down: int, right: int = 0):
    """Select from a cell with Shift+arrow keys, as a user does in Excel."""
    grid = focus_grid(app)
    grid.sheet.select_cell(row, column)
    for key, times in (("Right", right), ("Down", down)):
        for _ in range(times):
            press(grid.sheet.MT, key, app.master, SHIFT)
    return grid


def test_the_entries_show_their_keys_and_are_greyed_out_with_no_return_in_the_review(make_app, answers):
    app = make_app()
    menu = app.edit_menu
    for label, keys in NEW_ENTRIES.items():
        assert menu.entrycget(menu.index(label), "accelerator") == keys
    assert app.current is app.home and app.prep is None
    for label in (*NEW_ENTRIES, "Undo", "Accept the selected query…"):
        assert entry_state(app, label) == "disabled", label
    put_on_clipboard(app, "Kent")
    for label in NEW_ENTRIES:
        choose(app, label)  # a disabled entry does nothing
    app.paste_cells()  # nor does its command, called while nothing is open
    app.fill_down()
    app.clear_cells()
    app.copy_cells()
    assert app.master.clipboard_get() == "Kent" and app.prep is None and answers.shown == []

    open_case(app, "sims-leavers")
    assert all(entry_state(app, label) == "normal" for label in NEW_ENTRIES)
    app.show_mapping()  # the return is open, but its grid is not in view
    assert all(entry_state(app, label) == "disabled" for label in NEW_ENTRIES)
    app.mapping.accept()
    wait_idle(app)
    assert app.current is app.review and entry_state(app, "Paste") == "normal"

    seen: list[str] = []  # the worker busy (a save, a remap): greyed out while it works
    app.worker.run("Working", lambda job: None, lambda _: seen.append(entry_state(app, "Paste")), seen.append)
    assert entry_state(app, "Paste") == "disabled"
    wait_idle(app)
    assert seen == ["normal"], "enabled again as soon as the work is done"


def test_paste_from_the_menu_reads_the_clipboard_and_is_one_undo_step(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep = app.prep
    r = row_of(prep, 4)  # the learner whose postcode is missing: a red cell, one more error
    county, postcode = prep.columns.index("County"), prep.columns.index("Postcode")
    assert fills(app)[(r, postcode)] == theme.ERROR_BG
    errors = prep.counts()["errors"]
    was = values(app, (r, r + 1), ("County", "Postcode"))
    grid = select_range(app, r, county, down=0)
    put_on_clipboard(app, "Kent\tme14 1xx\r\nKent\ttn23 8nt\r\n")  # two rows of two cells, as Excel copies them

    choose(app, "Paste")
    assert values(app, (r, r + 1), ("Postcode",)) == [["ME14 1XX"], ["TN23 8NT"]], "tidied as typed"
    assert [grid.sheet.get_cell_data(i, postcode) for i in (r, r + 1)] == ["ME14 1XX", "TN23 8NT"]
    assert fills(app).get((r, postcode)) != theme.ERROR_BG, "no longer red"
    assert prep.counts()["errors"] == errors - 1 == app.review.panel.totals["errors"]
    assert f"{errors - 1} error" in app.review.summary.cget("text")
    assert grid.sheet.get_all_selection_boxes() == ((r, county, r + 2, postcode + 1),), "what was pasted stays selected"
    assert len(grid.undo_stack) == 1

    choose(app, "Undo")
    assert values(app, (r, r + 1), ("County", "Postcode")) == was, "one Undo takes back the whole paste"
    assert fills(app)[(r, postcode)] == theme.ERROR_BG and app.review.panel.totals["errors"] == errors
    choose(app, "Redo")
    assert values(app, (r, r + 1), ("Postcode",)) == [["ME14 1XX"], ["TN23 8NT"]]

    put_on_clipboard(app, "Surrey")  # one value fills the whole selected range, as Ctrl+V does
    grid = select_range(app, 0, county, down=2)
    choose(app, "Paste")
    assert values(app, range(3), ("County",)) == [["Surrey"]] * 3 and len(grid.undo_stack) == 2


def test_fill_down_and_clear_from_the_menu_do_what_ctrl_d_and_delete_do(make_app):
    app = make_app()
    open_case(app, "sixth_form_2024-09.xlsx-post16")
    prep = app.prep
    town, postcode = prep.columns.index("Town"), prep.columns.index("Postcode")
    headers = prep.columns[town:postcode + 1]
    before = values(app, range(3), headers)
    shown_before = (fills(app), dict(app.review.panel.totals), app.review.summary.cget("text"))

    for by_menu, by_key in (("Fill down", "d"), ("Clear", "Delete")):
        outcomes = []
        for how in ("menu", "key"):
            grid = select_range(app, 0, town, down=2, right=postcode - town)
            if how == "menu":
                choose(app, by_menu)
            else:
                press(grid.sheet.MT, by_key, app.master, CONTROL if by_key == "d" else 0)
            outcomes.append((values(app, range(3), headers), fills(app), dict(app.review.panel.totals),
                             app.review.summary.cget("text"), [list(r) for r in grid.sheet.get_sheet_data()[:3]]))
            assert len(grid.undo_stack) == 1, "one step for Undo"
            choose(app, "Undo")
            assert values(app, range(3), headers) == before
            assert (fills(app), app.review.panel.totals, app.review.summary.cget("text")) == shown_before
            assert grid.redo_stack and not grid.undo_stack
            grid.redo_stack.clear()
        menu, key = outcomes
        assert menu == key, f"{by_menu} from the menu does what its key does"
        done = menu[0]
        if by_menu == "Fill down":
            assert done == [before[0]] * 3, "the top row copied down"
        else:
            assert done == [[""] * len(headers)] * 3
            assert menu[1][(0, postcode)] == theme.ERROR_BG, "a mandatory postcode cleared is red"
            assert menu[2]["errors"] > shown_before[1]["errors"], "and counted"


def test_copy_from_the_menu_puts_the_range_on_the_clipboard_as_ctrl_c_does(make_app):
    app = make_app()
    open_case(app, "sims-joiners")
    prep = app.prep
    town = prep.columns.index("Town")
    grid = select_range(app, 0, town, down=1, right=1)
    put_on_clipboard(app, "something else")
    choose(app, "Copy")
    by_menu = app.master.clipboard_get()
    copied = values(app, (0, 1), ("Town", "County"))
    assert [row.split("\t") for row in by_menu.strip("\r\n").splitlines()] == copied
    put_on_clipboard(app, "something else")
    grid = select_range(app, 0, town, down=1, right=1)
    press(grid.sheet.MT, "c", app.master, CONTROL)
    assert app.master.clipboard_get() == by_menu
    last = len(prep.learners) - 2
    grid.select(last, town)
    choose(app, "Paste")
    assert values(app, (last, last + 1), ("Town", "County")) == copied


def test_paste_from_the_menu_while_typing_in_a_cell_goes_into_the_cell(make_app):
    app = make_app()
    open_case(app, "sims-joiners")
    prep = app.prep
    grid = focus_grid(app)
    c = prep.columns.index("Town")
    grid.select(0, c)
    grid.sheet.MT.focus_set()
    pump(app.master)
    grid.sheet.MT.event_generate("<Return>")
    pump(app.master)
    editor = grid.sheet.MT.text_editor
    assert editor.open
    editor.tktext.delete("1.0", "end")
    put_on_clipboard(app, "Ashford\r\n")
    choose(app, "Paste")
    assert editor.open and editor.tktext.get("1.0", "end-1c") == "Ashford"
    assert grid.undo_stack == [], "nothing is saved until the cell is left"
    editor.tktext.event_generate("<Return>")
    pump(app.master)
    assert prep.learners[0].values["Town"] == "Ashford" and len(grid.undo_stack) == 1

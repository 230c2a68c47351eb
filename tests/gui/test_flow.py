"""The whole flow on the sample exports, through real widgets: open, match columns, review (the
colours read back from the grid), fix, undo, save."""
from __future__ import annotations

import pytest

from tests.gui.conftest import SAMPLES, expected_cases, open_in_review, pump, wait_idle
from tracker_desktop.gui import theme

pytestmark = pytest.mark.gui

CASES = ["sims-joiners", "sims-leavers", "sixth_form_2024-09.xlsx-post16"]


def open_case(app, name: str):
    case = expected_cases()[name]
    open_in_review(app, case["return"], SAMPLES / case["input"], period=case["period"], as_of=case["as_of"])
    assert app.current is app.review, "the review screen is shown"
    return case


def row_of(prep, source_row: int) -> int:
    return next(i for i, learner in enumerate(prep.learners) if learner.source_row == source_row)


def fills(app) -> dict[tuple[int, int], str]:
    """The fill of every highlighted cell as tksheet holds it (what is drawn)."""
    return {k: h.bg for k, h in app.review.grid_view.sheet.get_highlighted_cells().items()}


def type_into(app, row: int, column: str, text: str) -> None:
    """Type into a cell as a user does: select it, Return opens the editor, Return closes it."""
    grid = app.review.grid_view
    c = app.prep.columns.index(column)
    grid.select(row, c)
    grid.sheet.MT.focus_set()
    pump(app.master)
    grid.sheet.MT.event_generate("<Return>")
    pump(app.master)
    editor = grid.sheet.MT.text_editor
    assert editor.open, "the cell editor opened"
    editor.tktext.delete("1.0", "end")
    editor.tktext.insert("end", text)
    editor.tktext.event_generate("<Return>")
    pump(app.master)


@pytest.mark.parametrize("name", CASES)
def test_expected_problems_are_coloured(make_app, name):
    app = make_app()
    case = open_case(app, name)
    prep = app.prep
    assert len(prep.learners) == case["rows"]
    drawn = fills(app)
    for expected in case["errors"]:
        r = row_of(prep, expected["source_row"])
        cells = [(r, prep.columns.index(c)) for c in expected["columns"] if c in prep.columns]
        assert any(drawn.get(cell) == theme.ERROR_BG for cell in cells), f"error {expected} is red"
    for expected in case["queries"]:
        r = row_of(prep, expected["source_row"])
        cells = [(r, prep.columns.index(c)) for c in expected["columns"] if c in prep.columns]
        assert any(drawn.get(cell) == theme.QUERY_BG for cell in cells), f"query {expected} is amber"
    # Nothing else is red or amber: the grid shows exactly what the core found.
    order = {c: i for i, c in enumerate(prep.columns)}
    red = {(p.row, order[p.column]) for p in prep.problems if p.severity == "error"}
    amber = {(p.row, order[p.column]) for p in prep.problems if p.severity == "query"} - red
    assert {k for k, bg in drawn.items() if bg == theme.ERROR_BG} == red
    assert {k for k, bg in drawn.items() if bg == theme.QUERY_BG} == amber
    assert prep.counts() == {"errors": len(case["errors"]), "queries": len(case["queries"]), "accepted": 0}
    # Mandatory headers are orange, as in KCC's template.
    headers = {k: h.bg for k, h in app.review.grid_view.sheet.get_highlighted_cells("header").items()}
    for column in prep.template.columns:
        assert (headers[column.index - 1] == theme.MANDATORY_HEADER_BG) == column.mandatory
    # The panel lists each problem and the summary says how many.
    assert len(app.review.panel.lines.get_children()) == len(prep.problems)
    assert f"{len(case['errors'])} error" in app.review.summary.cget("text")


def test_typed_fix_clears_colour_and_count_then_undo_redo(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid = app.prep, app.review.grid_view
    r = row_of(prep, 4)  # the learner whose postcode is missing
    c = prep.columns.index("Postcode")
    assert fills(app)[(r, c)] == theme.ERROR_BG
    before = prep.counts()["errors"]
    lines = len(app.review.panel.lines.get_children())

    type_into(app, r, "Postcode", "ME14 1XX")

    assert (r, c) not in fills(app), "the fixed cell has no colour"
    assert prep.learners[r].values["Postcode"] == "ME14 1XX"
    assert grid.sheet.get_cell_data(r, c) == "ME14 1XX"
    assert prep.counts()["errors"] == before - 1
    assert len(app.review.panel.lines.get_children()) == lines - 1
    assert f"{before - 1} errors" in app.review.summary.cget("text")

    app.undo()
    pump(app.master)
    assert fills(app)[(r, c)] == theme.ERROR_BG
    assert prep.counts()["errors"] == before
    assert grid.sheet.get_cell_data(r, c) == ""
    app.master.event_generate("<Control-y>")  # the key, not just the method
    pump(app.master)
    assert (r, c) not in fills(app)
    assert prep.counts()["errors"] == before - 1


def test_tidied_value_is_tinted_and_explained(make_app):
    app = make_app()
    open_case(app, "sims-joiners")
    prep = app.prep
    r, learner = next((i, one) for i, one in enumerate(prep.learners)
                      if "NC Year" in one.fixes and not prep.problems_at(i))
    c = prep.columns.index("NC Year")
    assert fills(app)[(r, c)] == theme.CLEANED_BG
    app.review.grid_view.select(r, c)
    pump(app.master)
    status = app.review.status.cget("text")
    assert repr(learner.fixes["NC Year"].before) in status, "the status line shows what the export had"
    note = app.review.grid_view.sheet.MT.cell_options[(r, c)]["note"]
    assert learner.fixes["NC Year"].before in str(note)


def test_code_column_dropdown_and_typed_label(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep = app.prep
    d = prep.columns.index("Destination")
    options = app.review.grid_view.sheet.MT.get_cell_kwargs(0, d, key="dropdown")
    assert "810 - Current situation not known" in options["values"]
    r = next(p.row for p in prep.problems if p.column == "Destination")
    assert fills(app)[(r, d)] == theme.ERROR_BG
    type_into(app, r, "Destination", "810 - Current situation not known")
    assert prep.learners[r].values["Destination"] == "810"
    assert app.review.grid_view.sheet.get_cell_data(r, d) == "810"
    assert fills(app).get((r, d)) != theme.ERROR_BG


def test_duplicate_upn_fix_clears_both_rows(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep = app.prep
    dup_rows = sorted(p.row for p in prep.problems if p.rule == "duplicate-learner")
    assert len(dup_rows) == 2
    c = prep.columns.index("UPN")
    assert all(fills(app)[(r, c)] == theme.ERROR_BG for r in dup_rows)
    type_into(app, dup_rows[1], "UPN", "B801200005001")  # a valid UPN of its own
    assert all((r, c) not in fills(app) for r in dup_rows), "both rows of the duplicate are cleared"


def test_f8_filter_and_problem_list(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    prep, grid, review = app.prep, app.review.grid_view, app.review
    order = {h: i for i, h in enumerate(prep.columns)}
    cells = sorted({(p.row, order[p.column]) for p in prep.problems})
    grid.sheet.deselect()
    for expected in cells:
        app.master.event_generate("<F8>")
        pump(app.master)
        assert grid.selected_cell() == expected
    app.master.event_generate("<F8>")
    pump(app.master)
    assert grid.selected_cell() == cells[0], "F8 wraps round"
    app.master.event_generate("<Shift-F8>")
    pump(app.master)
    assert grid.selected_cell() == cells[-1]

    review.only_problems.set(True)
    review.apply_filter()
    pump(app.master)
    assert grid.displayed_rows() == sorted({p.row for p in prep.problems})
    # choosing a line in the panel selects its cell, even with rows filtered
    last = review.panel.lines.get_children()[-1]
    review.panel.lines.selection_set(last)
    pump(app.master)
    row, column = last.split("\t")[:2]
    assert grid.selected_cell() == (int(row), prep.columns.index(column))


def test_save_names_file_warns_and_never_overwrites_silently(make_app, answers, tmp_path):
    app = make_app()
    case = open_case(app, "sims-leavers")
    dialog = app.save()
    assert dialog.prep.output_name == case["expected_file"]
    assert dialog.errors, "remaining errors are listed"
    assert dialog.ok_button.cget("text") == "Save anyway"
    folder = tmp_path / "returns"
    dialog.folder.set(str(folder))
    dialog.ok()
    answers.replies = [False]  # "open the folder?" no
    app.write(dialog.result)
    wait_idle(app)
    saved = folder / case["expected_file"]
    assert saved.exists()
    assert "Perspective Lite" in answers.shown[-1][2]
    assert app.settings.prepared["school-leavers"] == "2024-10"
    stamp = saved.stat().st_mtime_ns
    answers.replies = [False]  # "replace it?" no
    app.write(folder)
    wait_idle(app)
    assert "already" in answers.shown[-1][2]
    assert saved.stat().st_mtime_ns == stamp, "not replaced when the user says no"
    answers.replies = [True, False]  # replace: yes; open folder: no
    app.write(folder)
    wait_idle(app)
    assert answers.shown[-1][1] == "Saved"


def test_left_out_window_lists_reasons(make_app):
    app = make_app()
    case = open_case(app, "sims-leavers")
    window = app.show_left_out()
    items = window.tree.get_children()
    assert len(items) == case["excluded"]
    assert all(window.tree.item(i, "values")[1] for i in items)
    window.destroy()


def test_export_problems_csv_has_bom(make_app, tmp_path):
    app = make_app()
    open_case(app, "sims-leavers")
    path = tmp_path / "problems.csv"
    app.export_problems(path)
    wait_idle(app)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").count("\r\n") == len(app.prep.problems) + 1

"""The destinations summary in the app: the counts drawn as bars equal core.summary's, the table
shows every group, no names appear, the workbook saved has a native chart (and an existing file is
replaced only when the user says so), and an encrypted sheet's password is asked for and checked."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.gui.conftest import SAMPLES, pump, wait_idle
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.routine.destinations import MAIN, summarise

pytestmark = pytest.mark.gui


@pytest.fixture
def leavers_return(tmp_path):
    prep = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10")
    path = prep.save(tmp_path / "returns")
    names = ({learner.values.get("Legal Surname", "") for learner in prep.learners}
             | {learner.values.get("UPN", "") for learner in prep.learners})
    return path, {n for n in names if n}


def all_text(widget) -> str:
    """Every label, heading and cell of a window, to check no name or UPN is shown."""
    parts = []
    for child in widget.winfo_children():
        try:
            parts.append(str(child.cget("text")))
        except Exception:
            pass
        if child.winfo_class() == "Treeview":
            for item in child.get_children():
                parts.append(child.item(item, "text"))
                parts.extend(str(v) for v in child.item(item, "values"))
        if child.winfo_class() == "Canvas":
            parts.extend(child.itemcget(i, "text") for i in child.find_withtag("all") if child.type(i) == "text")
        parts.append(all_text(child))
    return "\n".join(parts)


def test_summary_chart_table_and_workbook(make_app, answers, leavers_return, tmp_path):
    path, personal = leavers_return
    expected = summarise([path])
    app = make_app()
    assert app.destinations_summary([path]) is None, "no password asked for a plain workbook"
    wait_idle(app)
    window = app.summary_window
    assert window is not None and window.winfo_exists()
    pump(app.master, 0.2)
    drawn = window.bar_counts()
    assert drawn == {(g, y): n for g in MAIN for y, n in expected["counts"][g].items() if n}
    assert drawn, "the sample has destinations"
    table = window.table
    for g in expected["groups"]:
        values = table.item(g, "values")
        assert values[0] == g
        counts = [expected["counts"][g][y] for y in expected["years"]]
        assert [int(v) for v in values[1:1 + len(expected["years"])]] == counts
        assert int(values[1 + len(expected["years"])]) == expected["totals"][g]
    assert int(table.item("__total__", "values")[1 + len(expected["years"])]) == expected["rows"]
    shown = all_text(window)
    assert not any(name in shown for name in personal), "no names or UPNs on screen"

    out = tmp_path / "summary" / "Destinations.xlsx"
    window.save_excel(out)
    wait_idle(app)
    kind, title, message = answers.shown[-1]
    assert title == "Saved" and out.name in message
    ws = load_workbook(out).active
    assert ws._charts, "the workbook has a native Excel chart"
    cells = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert not any(name in cells for name in personal)

    # Saving again over it asks first; No keeps the file as it was.
    before = out.stat().st_mtime_ns
    answers.replies = [False]
    window.save_excel(out)
    wait_idle(app)
    assert answers.shown[-1][0] == "yesno" and "already in" in answers.shown[-1][2]
    assert out.stat().st_mtime_ns == before
    answers.replies = [True, False]  # replace it, then don't open the folder
    window.save_excel(out)
    wait_idle(app)
    assert answers.shown[-1][1] == "Saved"
    assert load_workbook(out).active._charts
    window.destroy()


def test_encrypted_sheet_asks_its_password(make_app, answers):
    app = make_app()
    sheet = SAMPLES / "tep_leavers_2024_encrypted.xlsx"
    dialog = app.destinations_summary([sheet])
    assert dialog is not None and dialog.entry.cget("show") == "•"
    dialog.password.set("not-the-password")
    dialog.ok()
    assert dialog.winfo_exists() and "does not open" in dialog.problem.cget("text")
    assert dialog.password.get() == "", "a wrong password is cleared"
    dialog.password.set("Maple-Harbour-42")
    dialog.ok()
    password = dialog.take_password()
    assert password == "Maple-Harbour-42" and dialog.take_password() is None, "handed over once"
    app.make_summary([sheet], password)
    wait_idle(app)
    window = app.summary_window
    expected = summarise([sheet], "Maple-Harbour-42")
    assert window.summary == expected
    assert int(window.table.item("__total__", "values")[1 + len(expected["years"])]) == expected["rows"]
    window.destroy()


def test_not_a_destinations_file_is_a_plain_message(make_app, answers):
    app = make_app()
    app.destinations_summary([SAMPLES / "sixth_form_2024-09.xlsx"])
    wait_idle(app)
    kind, _, message = answers.shown[-1]
    assert kind == "error" and "no destination column" in message and "Traceback" not in message
    assert app.summary_window is None

"""Safe answers and a window that fits: Enter on every question that could lose something loses
nothing (the real dialogs, driven by pressing Return), leaving a return with changes asks once
(Save / Don't save / Cancel), and every screen's main button is on a 1024x600 and a 1366x768
screen. Also the Prepare dialog's memory and its UK dates."""
from __future__ import annotations

import datetime as dt
import tkinter as tk
from pathlib import Path

import pytest

from tests.gui.conftest import SAMPLES, pump, wait_idle
from tests.gui.screenshots import on_screen
from tests.gui.test_flow import open_case, type_into
from tracker_desktop.gui import messages

pytestmark = pytest.mark.gui

SIZES = [(1024, 600), (1366, 768)]


# --- pressing Return on the real dialogs -----------------------------------------------------------

def _all_windows(widget: tk.Misc) -> list[str]:
    found = []
    for child in widget.tk.splitlist(widget.tk.call("winfo", "children", widget._w)):
        found.append(child)
        found += _all_windows_path(widget, child)
    return found


def _all_windows_path(widget: tk.Misc, path: str) -> list[str]:
    found = []
    for child in widget.tk.splitlist(widget.tk.call("winfo", "children", path)):
        found.append(child)
        found += _all_windows_path(widget, child)
    return found


def press_return_when_asked(root: tk.Misc, seen: list) -> None:
    """When a question shows (Tk's message box, or Save / Don't save / Cancel), press Return as
    the user does: on the button that has the focus when the box opens, its default one. The key
    goes where the keyboard focus is, so it is pressed again until the box has closed."""
    from tracker_desktop.gui.question import SaveQuestion

    def find():
        for name in map(str, _all_windows(root)):
            if name.endswith("__tk__messagebox"):
                for button in root.tk.splitlist(root.tk.call("winfo", "children", name)):
                    if root.tk.call("winfo", "class", button) in ("Button", "TButton") and \
                            str(root.tk.call(button, "cget", "-default")) == "active":
                        return "messagebox", name, str(button), str(root.tk.call(button, "cget", "-text"))
            try:
                widget = root.nametowidget(name)
            except KeyError:  # made by Tcl itself (a dropdown's list, a message box): no widget object
                continue
            if isinstance(widget, SaveQuestion) and widget.winfo_exists():
                return "save question", name, str(widget.default), widget.default.cget("text")
        return None

    def press(box=None):
        if box is not None and not int(root.tk.call("winfo", "exists", box[1])):
            return  # answered
        found = box or find()
        if found is None:
            root.after(50, press)  # not shown yet
            return
        if box is None:
            seen.append((found[0], found[3]))
        root.tk.call("focus", "-force", found[2])
        root.after(30, lambda: root.tk.call("event", "generate", found[2], "<Return>"))
        root.after(200, lambda: press(found))

    root.after(100, press)


def test_enter_on_changing_the_columns_keeps_what_was_typed(make_app, answers):
    app = make_app()
    open_case(app, "sims-joiners")
    type_into(app, 0, "Town", "Maidstone")
    typed = len(app.review.grid_view.undo_stack)
    assert typed == 1
    app.show_mapping()
    app.mapping.accept()  # the matching is as it was: nothing to lose, nothing asked
    wait_idle(app)
    assert answers.shown == [] and app.current is app.review
    assert len(app.review.grid_view.undo_stack) == typed and app.prep.learners[0].values["Town"] == "Maidstone"

    app.show_mapping()
    app.mapping.choices["Town"].set("County")
    messages.set_asker(None)
    seen: list = []
    press_return_when_asked(app.master, seen)
    app.mapping.accept()
    wait_idle(app)
    assert seen == [("messagebox", "Cancel")], "Cancel is what Enter presses"
    assert app.current is app.mapping and len(app.review.grid_view.undo_stack) == typed
    assert app.prep.learners[0].values["Town"] == "Maidstone", "the typed change is kept"


def test_enter_on_leaving_a_changed_return_saves_it(make_app):
    app = make_app()
    open_case(app, "sims-joiners")
    type_into(app, 0, "Town", "Maidstone")
    messages.set_asker(None)  # the real question from here on
    for leave in (app.go_home, app.quit):
        seen: list = []
        press_return_when_asked(app.master, seen)
        leave()
        pump(app.master, 0.1)
        assert seen == [("save question", "Save")], "one question, Save is Enter's"
        assert app.master.winfo_exists() and app.current is app.review, "still on the return"
        assert app.after_saved is not None, "the save comes first"
        assert len(app.review.grid_view.undo_stack) == 1
        app.after_saved = None
        for w in app.master.winfo_children():
            if isinstance(w, tk.Toplevel) and w.title() == "Save the return":
                w.destroy()


def test_escape_on_leaving_a_changed_return_stays(make_app):
    from tracker_desktop.gui.question import SaveQuestion

    app = make_app()
    open_case(app, "sims-joiners")
    type_into(app, 0, "Town", "Maidstone")
    messages.set_asker(None)

    def escape():
        for w in app.master.winfo_children():
            if isinstance(w, SaveQuestion):
                w.focus_force()
                w.event_generate("<Escape>")
                return
        app.master.after(50, escape)

    app.master.after(100, escape)
    app.go_home()
    assert app.current is app.review and app.after_saved is None and app.unsaved


def test_enter_on_deleting_old_returns_deletes_nothing(make_app, tmp_path):
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.routine import history
    from tracker_desktop.core.routine.clear_out import stale_returns
    from tracker_desktop.core.settings import history_dir

    prep = Preparation.start("school-joiners", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10",
                             as_of="2024-10-31")
    saved = prep.save(tmp_path / "returns")
    history.record(history_dir(), prep, saved, when=dt.datetime(2024, 11, 1, 9, 0))
    app = make_app()
    messages.set_asker(None)
    window = app.tidy_up(stale=stale_returns(history_dir(), dt.date(2025, 6, 1)))
    window.tree.selection_set(window.tree.get_children())
    seen: list = []
    press_return_when_asked(app.master, seen)
    assert window.delete() is None
    assert seen == [("messagebox", "No")], "No is what Enter presses"
    assert saved.exists(), "nothing deleted"
    window.destroy()


# --- Save / Don't save / Cancel -----------------------------------------------------------------------

def test_dont_save_leaves_once_and_is_not_asked_again(make_app, answers):
    app = make_app()
    open_case(app, "sims-joiners")
    type_into(app, 0, "Town", "Maidstone")
    answers.replies = [None]  # Cancel
    app.go_home()
    assert app.current is app.review and app.unsaved
    assert answers.kinds() == ["savecancel"] and answers.defaults == ["save"]
    answers.replies = [False]  # Don't save
    app.go_home()
    assert app.current is app.home
    app.open_export("school-joiners", SAMPLES / "roll_2024-10.csv", period="2024-10")
    wait_idle(app)
    assert answers.kinds() == ["savecancel", "savecancel"], "asked once for leaving: not again when opening"


def test_save_saves_then_leaves(make_app, answers, tmp_path):
    app = make_app()
    open_case(app, "sims-joiners")
    type_into(app, 0, "Town", "Maidstone")
    answers.replies = [True]  # Save
    app.go_home()
    assert app.current is app.review, "not left before the return is saved"
    dialog = next(w for w in app.master.winfo_children()
                  if isinstance(w, tk.Toplevel) and w.title() == "Save the return")
    dialog.folder.set(str(tmp_path / "saved"))
    dialog.ok()
    answers.replies = [False]  # "open the folder now?" no
    app.save_to(dialog.result)
    wait_idle(app)
    pump(app.master, 0.1)
    assert (tmp_path / "saved" / app.prep.output_name).exists()
    assert not app.unsaved and app.current is app.home, "saved, then back at the returns"


# --- every screen fits -------------------------------------------------------------------------------

@pytest.fixture
def screen(monkeypatch):
    """Pretend the display is WxH: the work area, the dialogs' room and on_screen agree."""
    def use(width: int, height: int):
        monkeypatch.setattr(tk.Misc, "winfo_screenwidth", lambda self: width)
        monkeypatch.setattr(tk.Misc, "winfo_screenheight", lambda self: height)
    return use


def _shown(widget) -> bool:
    pump(widget.winfo_toplevel(), 0.2)
    return on_screen(widget)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screens_main_button_is_on_the_screen(make_app, screen, size, tmp_path):
    width, height = size
    screen(width, height)
    app = make_app(size=f"{width}x{height}")
    assert _shown(app.home.prepare_button), "Home: Prepare this return"
    dialog = app.edit_settings()
    assert _shown(dialog.ok_button), "Settings: Save settings"
    dialog.destroy()
    dialog = app.open_dialog("tep-leaver-destinations")
    assert _shown(dialog.ok_button), "Prepare dialog (TEP, the tallest): Open"
    dialog.destroy()
    window = app.tidy_up(stale=[])
    assert _shown(window.close_button), "Tidy up"
    window.destroy()

    app.open_export("school-joiners", SAMPLES / "roll_2024-10.csv", period="2024-10")
    wait_idle(app)
    app.show_mapping()
    assert _shown(app.mapping.use), "Column matching: Use these columns"
    app.mapping.accept()
    wait_idle(app)
    assert _shown(app.review.save_button), "Review: Save return"
    assert _shown(app.review.export_button), "Review: Export problems"
    assert _shown(app.review.status), "Review: the line about the chosen cell"
    window = app.show_left_out()
    assert _shown(window.close_button), "Left out"
    window.destroy()
    dialog = app.save()
    assert _shown(dialog.ok_button) and _shown(dialog.cancel_button), "Save dialog"
    dialog.destroy()
    dialog = app.ask_tep_password(tmp_path)
    assert _shown(dialog.ok_button), "TEP password: Encrypt and save"
    dialog.destroy()

    from tracker_desktop.core.preparing.preparation import Preparation

    saved = Preparation.start("school-leavers", SAMPLES / "roll_2024-10.csv", school="8864123", period="2024-10",
                              as_of="2024-10-31").save(tmp_path / "returns")
    app.make_summary([saved], None)
    wait_idle(app)
    assert _shown(app.summary_window.save_button), "Destinations summary: Save as Excel"
    app.summary_window.destroy()


def test_window_fits_the_screen_and_is_remembered():
    from tracker_desktop.gui.window_size import ZOOMED, choose_geometry

    assert choose_geometry("", (0, 0, 1366, 728)) == ZOOMED, "a laptop screen: maximised"
    assert choose_geometry("", (0, 0, 1024, 560)) == ZOOMED
    assert choose_geometry("", (0, 0, 1920, 1040)) == "1280x800+320+80", "a big screen: a comfortable size, centred"
    assert choose_geometry("1100x700+40+20", (0, 0, 1920, 1040)) == "1100x700+40+20", "where the user left it"
    assert choose_geometry("1100x700+900+20", (0, 0, 1366, 728)) == ZOOMED, "not on this screen any more"
    assert choose_geometry(ZOOMED, (0, 0, 1920, 1040)) == ZOOMED


def test_the_window_is_remembered_in_settings(root, tmp_path):
    from tracker_desktop.core.settings import Settings, load_settings
    from tracker_desktop.gui.app import App

    path = tmp_path / "settings" / "settings.json"
    top = tk.Toplevel(root)
    top.geometry("1100x700+40+20")
    app = App(top, Settings(school_number="8864123", output_folder=str(tmp_path), path=path), _utest=True)
    pump(root, 0.1)
    from tracker_desktop.gui.window_size import window_geometry

    app.settings.window = window_geometry(top)
    app._save_settings()
    assert load_settings(path).window.startswith("1100x700")
    top.destroy()


# --- the Prepare dialog --------------------------------------------------------------------------------

def test_prepare_dialog_remembers_the_export_and_opens_on_the_chosen_return(make_app):
    app = make_app()
    app.home.tree.selection_set("school-leavers")
    dialog = app.open_dialog()
    assert dialog.definition.id == "school-leavers", "the return chosen on Home"
    dialog.destroy()
    app.open_export("school-leavers", SAMPLES / "roll_2024-10.csv", period="2024-10", as_of="2024-10-31")
    wait_idle(app)
    dialog = app.open_dialog()
    assert dialog.definition.id == "school-leavers", "the return being looked at"
    assert Path(dialog.export.get()) == SAMPLES / "roll_2024-10.csv", "the same export, for the joiners next"
    dialog.return_var.set(next(d.title for d in app.definitions if d.id == "school-joiners"))
    dialog._return_changed()
    assert Path(dialog.export.get()) == SAMPLES / "roll_2024-10.csv", "kept when the return is changed"
    dialog.destroy()


@pytest.mark.parametrize("typed", ["10/2024", "Oct 2024", "October 2024", "2024-10"])
def test_prepare_dialog_takes_uk_dates(make_app, typed):
    app = make_app()
    dialog = app.open_dialog("school-joiners")
    assert "mm/yyyy" in dialog.period_label.cget("text")
    assert dialog.period.get()[2] == "/" and dialog.as_of.get()[2] == "/", "shown dd/mm/yyyy and mm/yyyy"
    dialog.export.set(str(SAMPLES / "roll_2024-10.csv"))
    dialog.period.set(typed)
    dialog.as_of.set("31/10/2024")
    dialog.ok()
    assert dialog.result["period"] == "2024-10" and dialog.result["as_of"] == "2024-10-31"


def test_prepare_dialog_explains_a_date_it_cannot_read(make_app):
    app = make_app()
    dialog = app.open_dialog("school-joiners")
    dialog.export.set(str(SAMPLES / "roll_2024-10.csv"))
    dialog.period.set("13/2024")
    dialog.ok()
    assert "mm/yyyy" in dialog.problem.cget("text") and dialog.result is None
    dialog.period.set("10/2024")
    dialog.as_of.set("10/31/2024")  # US order: refused, never read as 10 March
    dialog.ok()
    assert "dd/mm/yyyy" in dialog.problem.cget("text") and dialog.result is None
    dialog.destroy()


def test_tep_password_row_is_there_from_the_start(make_app):
    app = make_app()
    dialog = app.open_dialog("tep-leaver-destinations")
    pump(app.master, 0.1)
    assert dialog.password_entry.winfo_ismapped(), "before any workbook is chosen"
    assert str(dialog.password_entry.cget("state")) == "disabled"
    y = dialog.export_label.winfo_y()
    dialog.tep_workbook.set(str(SAMPLES / "tep_leavers_2024_encrypted.xlsx"))
    pump(app.master, 0.1)
    assert str(dialog.password_entry.cget("state")) == "normal"
    assert dialog.export_label.winfo_y() == y, "nothing below moves"
    dialog.destroy()


# --- smaller ones -------------------------------------------------------------------------------------

def test_left_out_list_names_the_learners(make_app):
    app = make_app()
    open_case(app, "sims-leavers")
    window = app.show_left_out()
    pump(app.master, 0.1)
    names = [window.tree.set(i, "name") for i in window.tree.get_children()]
    assert names and all(names), "every left-out row has its learner's name"
    assert all("," in n or "…" in n for n in names)
    window.destroy()


def test_home_says_when_a_weekend_deadline_is_sent(make_app):
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.routine.status import next_due

    app = make_app()
    today = dt.date(2025, 11, 3)
    app.home.refresh(app.definitions, app.settings, today=today)
    weekend = [d for d in app.definitions if (due := next_due(d, today)) and due[0].weekday() >= 5]
    assert weekend, "some of KCC's fixed dates fall on a weekend in 2025-26"
    text = app.home.texts[weekend[0].id][2]
    assert text.startswith(f"{next_due(weekend[0], today)[0]:%a %d %b %Y}") and "send by Fri" in text
    assert load_definition(weekend[0].id)


def test_home_cuts_long_texts_with_an_ellipsis(make_app):
    app = make_app(size="1024x600")
    pump(app.master, 0.2)
    values = [app.home.tree.item(i, "values")[2] for i in app.home.tree.get_children()]
    full = [app.home.texts[i][3] for i in app.home.tree.get_children()]
    assert any(v.endswith("…") for v in values) or values == full
    assert app.home.detail.cget("text"), "the chosen return's line in full"


def test_demo_says_it_is_a_demo(root, tmp_path):
    from tracker_desktop.core.settings import Settings
    from tracker_desktop.gui.app import App

    top = tk.Toplevel(root)
    settings = Settings(school_number="8864123", output_folder=str(tmp_path))
    app = App(top, settings, persist=False, _utest=True, demo=True)
    assert "DEMO" in top.title()
    banners = [w for w in top.winfo_children() if w.winfo_class() == "TLabel" and "fictional" in str(w.cget("text"))]
    assert banners, "a banner says the learners are fictional"
    assert app.demo
    top.destroy()


def test_failure_message_shows_the_log_path_whole_and_copyable(root, tmp_path):
    from tracker_desktop.gui.question import FailureMessage

    log = tmp_path / "a folder with a long name" / "logs" / "tracker-desktop.log"
    shown = []

    def look():
        for w in root.winfo_children():
            if isinstance(w, FailureMessage):
                shown.append(w.path.get())
                w.copy()
                shown.append(w.clipboard_get())
                w.ok_button.invoke()
                return
        root.after(50, look)

    root.after(100, look)
    FailureMessage(root, "Tracker Desktop", "Something went wrong.", log)
    assert shown == [str(log), str(log)]

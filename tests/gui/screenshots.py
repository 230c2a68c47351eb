"""Takes the screenshots in docs/screenshots: every screen a user meets (home, settings, the
prepare dialog, column matching, review, left out, save, TEP's prepare dialog, TEP review and
password, the destinations summary, tidy up) at the size of the display it runs on, named
`<screen>-<width>x<height>.png`. The main window fills the display, as a maximised window does.

For shots that do not change from run to run, the day is fixed (DAY: Home's due dates, the
prepare dialog's month and date), the passphrase offered is a fixed example and the demo's
fictional roll is used. Each shot also checks that the screen's main button is on the display
(a shot with its main action cut off is a failure, exit 1), as does any callback exception.

Run by test_screens.test_screenshots in an Xvfb of each size, or by hand:
`python -m tests.gui.screenshots` on any display.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import tkinter as tk
import traceback
from pathlib import Path

from tests.gui.conftest import SAMPLES, SCREENSHOTS, pump

DAY = dt.date(2025, 11, 3)  # a Monday in the demo roll's term: Home's due dates stay the same
PASSPHRASE = "Maple-Harbour-Candle-Orbit-Lemon-42"  # an example, never used for a real file


def on_screen(widget: tk.Misc) -> bool:
    """Mapped, and wholly inside its window and the display."""
    widget.update_idletasks()
    if not widget.winfo_ismapped() or not widget.winfo_viewable():
        return False
    top = widget.winfo_toplevel()
    x, y, w, h = widget.winfo_rootx(), widget.winfo_rooty(), widget.winfo_width(), widget.winfo_height()
    tx, ty = top.winfo_rootx(), top.winfo_rooty()
    inside_window = tx <= x and ty <= y and x + w <= tx + top.winfo_width() and y + h <= ty + top.winfo_height()
    inside_screen = 0 <= x and 0 <= y and x + w <= widget.winfo_screenwidth() and y + h <= widget.winfo_screenheight()
    return w > 1 and h > 1 and inside_window and inside_screen


def main() -> int:
    os.environ.setdefault("TRACKER_DESKTOP_SETTINGS_DIR", tempfile.mkdtemp(prefix="td-shots-"))
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.routine import history
    from tracker_desktop.core.settings import Settings, history_dir
    from tracker_desktop.gui import messages
    from tracker_desktop.gui.app import DEMO, App, demo_export

    errors: list[str] = []
    messages.set_asker(lambda kind, title, message, parent=None, **options: True)
    root = tk.Tk()
    root.report_callback_exception = lambda *exc: errors.append("".join(traceback.format_exception(*exc)))
    width, height = root.winfo_screenwidth(), root.winfo_screenheight()
    root.geometry(f"{width}x{height}+0+0")
    settings = Settings(school_name="Oakfield School", school_number="8864123",
                        output_folder=r"C:\Users\office\Documents\KCC returns")
    app = App(root, settings, persist=False, _utest=True)
    root.focus_force()  # as a user's window has it: the shots then show where the keyboard focus is

    def wait() -> None:
        while app.worker.busy:
            pump(root, 0.02)
        pump(root, 0.5)

    def shoot(name: str, main_action: tk.Misc) -> None:
        pump(root, 0.5)
        # On a loaded machine a new window can take a moment to reach its final size: give it a
        # few seconds to settle before judging where its main button is (layout, not speed).
        for _ in range(25):
            if on_screen(main_action):
                break
            pump(root, 0.2)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(SCREENSHOTS / f"{name}-{width}x{height}.png")],
                       check=True, timeout=60)
        if not on_screen(main_action):
            button = main_action.cget("text")
            errors.append(f"{name} at {width}x{height}: its main button ({button!r}) is not on the screen")

    def shoot_window(name: str, window, main_action) -> None:
        shoot(name, main_action)
        window.destroy()

    # The fictional demo roll, saved twice as leavers returns months ago: the tidy-up list and
    # the destinations summary are made from them.
    returns = Path(tempfile.gettempdir()) / "td-shots-returns"  # one name: the tidy-up shot shows it
    shutil.rmtree(returns, ignore_errors=True)
    made = []
    for month in ("2025-09", "2025-10"):
        prep = Preparation.start("school-leavers", demo_export(), school="8864123", period=month, as_of=DEMO["as_of"])
        path = prep.save(returns)
        history.record(history_dir(), prep, path, when=dt.datetime(2025, 11, 3, 9, 30))
        made.append(path)

    app.home.refresh(app.definitions, app.settings, today=DAY)
    app.home.focus_list()
    shoot("home", app.home.prepare_button)
    dialog = app.edit_settings()
    shoot_window("settings", dialog, dialog.ok_button)
    app.home.tree.selection_set(DEMO["return_id"])
    dialog = app.open_dialog()
    dialog.export.set(str(demo_export()))
    dialog.period.set(DEMO["period"])
    dialog.as_of.set("31/10/2025")
    shoot_window("prepare_dialog", dialog, dialog.ok_button)
    from tracker_desktop.core.routine.clear_out import stale_returns

    window = app.tidy_up(stale=stale_returns(history_dir(), DAY + dt.timedelta(days=90)))
    shoot_window("tidy_up", window, window.delete_button)

    app.open_export(DEMO["return_id"], demo_export(), period=DEMO["period"], as_of=DEMO["as_of"])
    wait()
    app.show_mapping()
    pump(root, 0.2)
    shoot("mapping", app.mapping.use)
    app.mapping.accept()
    wait()
    app.review.next_problem(1)
    shoot("review", app.review.save_button)
    lines = app.review.panel.lines
    items = lines.get_children()
    if len(items) >= 3 and not lines.bbox(items[2]):  # the third problem's line is not visible
        errors.append(f"review at {width}x{height}: the list of each problem is squeezed to its heading")
    window = app.show_left_out()
    shoot_window("left_out", window, window.close_button)
    dialog = app.save()
    shoot_window("save_dialog", dialog, dialog.ok_button)

    # TEP's sheet: the sample TEP sent, encrypted, filled from the school's export.
    app.home.tree.selection_set("tep-leaver-destinations")
    dialog = app.open_dialog("tep-leaver-destinations")
    dialog.tep_workbook.set(str(SAMPLES / "tep_leavers_2024_encrypted.xlsx"))
    dialog.export.set(str(SAMPLES / "tep_leavers_2024_destinations.csv"))
    dialog.period.set("10/2024")
    dialog.as_of.set("31/10/2024")
    shoot_window("prepare_tep", dialog, dialog.ok_button)
    app.open_export("tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv", period="2024-10",
                    as_of="2024-10-31", prepopulated=SAMPLES / "tep_leavers_2024_encrypted.xlsx",
                    prepopulated_password="Maple-Harbour-42")
    wait()
    unmatched = min(app.review.grid_view.flagged)
    app.review.grid_view.select(unmatched, app.prep.columns.index("Destination Activity Code"))
    shoot("tep_review", app.review.save_button)
    dialog = app.ask_tep_password(Path(tempfile.gettempdir()))
    dialog.generated.set(PASSPHRASE)  # the offered passphrase is random: a fixed example here
    shoot_window("tep_password", dialog, dialog.ok_button)

    app.saved_edits = len(app.review.grid_view.undo_stack)
    app.go_home()
    app.make_summary(made, None)
    wait()
    shoot("summary", app.summary_window.save_button)
    app.summary_window.destroy()
    dialog = app.destinations_summary([SAMPLES / "tep_leavers_2024_encrypted.xlsx"])
    shoot_window("summary_password", dialog, dialog.ok_button)
    root.destroy()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

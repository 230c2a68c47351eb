"""Takes the screenshots in docs/screenshots (home, mapping, review, tep_review, tep_password,
summary) at 1280x800. With TRACKER_EXTRA_SHOTS set to a folder, also every other screen a user
meets (prepare dialog, left out, save dialog, tidy up, settings), for looking at, not for docs.

Run by test_screens.test_screenshots in its own Xvfb of that size (pytest-xvfb's display is
800x600 unless configured), or by hand: `python -m tests.gui.screenshots` on any display.
Exits 1 if Tk reported a callback exception.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tkinter as tk
import traceback
from pathlib import Path

from tests.gui.conftest import SAMPLES, SCREENSHOTS, pump


def main() -> int:
    os.environ.setdefault("TRACKER_DESKTOP_SETTINGS_DIR", tempfile.mkdtemp(prefix="td-shots-"))
    from tracker_desktop.core.settings import Settings
    from tracker_desktop.gui import messages
    from tracker_desktop.gui.app import App

    errors: list[str] = []
    messages.set_asker(lambda kind, title, message, parent=None, **options: True)
    root = tk.Tk()
    root.report_callback_exception = lambda *exc: errors.append("".join(traceback.format_exception(*exc)))
    root.geometry("1280x800+0+0")
    settings = Settings(school_name="Oakfield School", school_number="8864123",
                        output_folder=r"C:\Users\office\Documents\KCC returns")
    app = App(root, settings, persist=False, _utest=True)
    root.focus_force()  # as a user's window has it: the shots then show where the keyboard focus is
    app.home.focus_list()

    def wait() -> None:
        while app.worker.busy:
            pump(root, 0.02)
        pump(root, 0.5)

    extra = os.environ.get("TRACKER_EXTRA_SHOTS")

    def shoot(name: str, folder: Path | None = None) -> None:
        pump(root, 0.5)
        folder = folder or SCREENSHOTS
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(folder / f"{name}.png")], check=True, timeout=60)

    def shoot_extra(name: str, window) -> None:
        if extra:
            shoot(name, Path(extra))
        window.destroy()

    shoot("home")
    if extra:
        shoot_extra("prepare_dialog", app.open_dialog("school-leavers"))
        shoot_extra("settings", app.edit_settings())
        from tracker_desktop.core.settings import history_dir

        shoot_extra("tidy_up", app.tidy_up())
    # The bundled demo roll (fictional, as the README's screenshots should be), else a sample.
    from tracker_desktop.gui.app import DEMO, demo_export

    if demo_export().exists():
        app.open_export(DEMO["return_id"], demo_export(), period=DEMO["period"], as_of=DEMO["as_of"])
    else:
        app.open_export("school-joiners", SAMPLES / "roll_2024-10.csv", period="2024-10")
    wait()
    shoot("mapping")
    app.mapping.accept()
    wait()
    app.review.next_problem(1)
    shoot("review")
    if extra:
        shoot_extra("left_out", app.show_left_out())
        shoot_extra("save_dialog", app.save())

    # TEP's sheet: the sample TEP sent, encrypted, filled from the school's export.
    app.open_export("tep-leaver-destinations", SAMPLES / "tep_leavers_2024_destinations.csv", period="2024-10",
                    as_of="2024-10-31", prepopulated=SAMPLES / "tep_leavers_2024_encrypted.xlsx",
                    prepopulated_password="Maple-Harbour-42")
    wait()
    unmatched = min(app.review.grid_view.flagged)
    app.review.grid_view.select(unmatched, app.prep.columns.index("Destination Activity Code"))
    shoot("tep_review")
    dialog = app.ask_tep_password(Path(tempfile.gettempdir()))
    shoot("tep_password")
    dialog.cancel()

    # The destinations summary, from the leavers returns of the demo roll (fictional leavers).
    from tracker_desktop.core.preparing.preparation import Preparation

    returns = Path(tempfile.mkdtemp(prefix="td-shots-returns-"))
    made = []
    for month in ("2025-09", "2025-10"):
        prep = Preparation.start("school-leavers", demo_export() if demo_export().exists() else SAMPLES / "roll_2024-10.csv",
                                 school="8864123", period=month, as_of=DEMO["as_of"])
        made.append(prep.save(returns))
    app.go_home()
    app.make_summary(made, None)
    wait()
    app.summary_window.geometry("+160+60")
    shoot("summary")
    if extra:
        dialog = app.destinations_summary([SAMPLES / "tep_leavers_2024_encrypted.xlsx"])
        shoot_extra("summary_password", dialog)
    root.destroy()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Takes the screenshots in docs/screenshots (home, mapping, review, tep_review, tep_password) at 1280x800.

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
    messages.set_asker(lambda kind, title, message, parent=None: True)
    root = tk.Tk()
    root.report_callback_exception = lambda *exc: errors.append("".join(traceback.format_exception(*exc)))
    root.geometry("1280x800+0+0")
    settings = Settings(school_name="Oakfield School", school_number="8864123",
                        output_folder=r"C:\Users\office\Documents\KCC returns")
    app = App(root, settings, persist=False, _utest=True)

    def wait() -> None:
        while app.worker.busy:
            pump(root, 0.02)
        pump(root, 0.5)

    def shoot(name: str) -> None:
        pump(root, 0.5)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(SCREENSHOTS / f"{name}.png")], check=True, timeout=60)

    shoot("home")
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
    root.destroy()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`tracker-desktop demo`: the app on the bundled demo roll, or with no display its demo returns."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tracker_desktop.commands.output import prep_summary
from tracker_desktop.core.errors import UserError


def _display_available() -> bool:
    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_demo(args: argparse.Namespace) -> int:
    import tempfile

    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.demo_data import DEMO_AS_OF, DEMO_PERIOD, DEMO_SCHOOL, demo_roll_path

    export = demo_roll_path()
    if not export.exists():
        raise UserError(f"The demo export is missing from {export.parent}.")
    if not args.headless and _display_available():
        try:
            from tracker_desktop.gui.app import run_demo
        except ImportError:
            pass
        else:
            return run_demo()
    out = args.out or Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    print(f"Demo: fictional school {DEMO_SCHOOL}, export {export.name}, month {DEMO_PERIOD}")
    for return_id in ("school-joiners", "school-leavers"):
        prep = Preparation.start(return_id, export, school=DEMO_SCHOOL, period=DEMO_PERIOD, as_of=DEMO_AS_OF)
        output = prep.save(out, force=True)
        print(f"{prep.definition.title}: {prep_summary(prep, output)}")
        for p in prep.problems[:5]:
            print(f"  export row {prep.learners[p.row].source_row}, {p.column}: {p.severity}: {p.message}")
    return 0

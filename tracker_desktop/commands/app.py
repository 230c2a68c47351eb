"""`tracker-desktop open` and `tracker-desktop doctor`: the desktop app, and its self-check for IT."""
from __future__ import annotations

import argparse


def cmd_open(args: argparse.Namespace) -> int:
    from tracker_desktop.gui.app import run_app

    return run_app(open_args=args)


def cmd_doctor(args: argparse.Namespace) -> int:
    from tracker_desktop.doctor import run_doctor

    return run_doctor()

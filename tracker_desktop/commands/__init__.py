"""The command line: the desktop app, the tests and an office's own scripts all drive the core
through it. Exit 0: written with no errors; 1: written, errors remain; 2: nothing written.

Only this package parses arguments, prints and chooses exit codes; each command module calls core
functions that return plain results or raise a UserError."""
from __future__ import annotations

import sys

from tracker_desktop.commands.parser import build_parser
from tracker_desktop.core.errors import UserError

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            from tracker_desktop.gui.app import run_app

            return run_app()
        return _command(args.command)(args)
    except UserError as e:
        print(f"tracker-desktop: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tracker-desktop: stopped.", file=sys.stderr)
        return 2


def _command(name: str):
    """The function that runs a command, imported only when it is used (a fast start)."""
    from importlib import import_module

    module, function = COMMANDS[name]
    return getattr(import_module(f"tracker_desktop.commands.{module}"), function)


# command -> (module in this package, function): one module per group of commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "prepare": ("prepare", "cmd_prepare"),
    "check": ("check", "cmd_check"),
    "returns": ("deadlines", "cmd_returns"),
    "deadlines": ("deadlines", "cmd_deadlines"),
    "compare-rolls": ("rolls", "cmd_compare_rolls"),
    "summary": ("summary", "cmd_summary"),
    "encrypt": ("files", "cmd_encrypt"),
    "decrypt": ("files", "cmd_decrypt"),
    "demo": ("demo", "cmd_demo"),
    "doctor": ("app", "cmd_doctor"),
    "open": ("app", "cmd_open"),
}

"""The arguments of every command: `tracker-desktop COMMAND --help` is written from here."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from tracker_desktop import __version__
from tracker_desktop.core.errors import UserError


class CliError(UserError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, exit 2, as for every other failure
        command = self.prog.split()[-1] if " " in self.prog else ""
        raise CliError(f"{message} (see tracker-desktop {command} --help)".replace("  ", " "))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tracker-desktop",
                     description="Prepare Kent County Council tracking returns from MIS exports, offline.")
    parser.add_argument("--version", action="version", version=f"tracker-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("prepare", help="prepare a return from an MIS export")
    p.add_argument("return_id", metavar="RETURN")
    p.add_argument("export", metavar="EXPORT", type=Path)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--school", help="the school's 7-digit LA and DfE number, e.g. 8864123")
    who.add_argument("--college", help="the college's code, e.g. MKC")
    p.add_argument("--period", help="reporting month YYYY-MM (monthly returns) or any month of the academic year")
    p.add_argument("--as-of", dest="as_of", help="the date the return is true on, YYYY-MM-DD (default today)")
    p.add_argument("--template", type=Path, help="a KCC template workbook to use instead of the bundled one")
    p.add_argument("--mapping", type=Path, help="a saved column matching (JSON) to use")
    p.add_argument("--save-mapping", dest="save_mapping", type=Path, help="save the column matching used to this file")
    p.add_argument("--out", type=Path, default=Path("."), help="folder to write the return into (default here)")
    p.add_argument("--report", type=Path, help="write a JSON report of learners, fixes and problems here")
    p.add_argument("--force", action="store_true", help="replace an existing file of the same name")
    p.add_argument("--prepopulated", type=Path, help="TEP's pre-populated workbook (TEP returns)")
    p.add_argument("--prepopulated-password-file", dest="prepopulated_password_file", type=Path)
    p.add_argument("--encrypt-password-file", dest="encrypt_password_file", type=Path)
    p.add_argument("--history", type=Path, help="folder of the local history of prepared returns to record into")

    c = sub.add_parser("check", help="check a filled-in return workbook")
    c.add_argument("return_id", metavar="RETURN")
    c.add_argument("workbook", metavar="WORKBOOK", type=Path)
    c.add_argument("--as-of", dest="as_of")
    c.add_argument("--period")
    c.add_argument("--report", type=Path)

    sub.add_parser("returns", help="list the returns, who sends them and when they are due")

    dl = sub.add_parser("deadlines", help="the calendar of every return for an academic year")
    dl.add_argument("--academic-year", dest="academic_year", help="e.g. 2025-26 (default: the current one)")
    dl.add_argument("--closed", nargs="+", metavar="YYYY-MM-DD", default=[],
                    help="the school's own closure days (not working days for 'last working day' deadlines)")
    who = dl.add_mutually_exclusive_group()
    who.add_argument("--school", help="show the school returns")
    who.add_argument("--college", help="show the college returns")

    sub.add_parser("doctor", help="for IT: check every part works offline on bundled demo data")

    cr = sub.add_parser("compare-rolls",
                        help="joiners and leavers from last month's and this month's whole-school exports")
    cr.add_argument("old", metavar="OLD", type=Path)
    cr.add_argument("new", metavar="NEW", type=Path)
    cr.add_argument("--period", required=True, help="the month being reported, YYYY-MM")
    who = cr.add_mutually_exclusive_group()
    who.add_argument("--school")
    who.add_argument("--college")
    cr.add_argument("--as-of", dest="as_of")
    cr.add_argument("--out", type=Path, default=Path("."))
    cr.add_argument("--report", type=Path)
    cr.add_argument("--force", action="store_true")
    cr.add_argument("--history", type=Path, help="folder of the local history of prepared returns to record into")

    sm = sub.add_parser("summary", help="a one-page destinations summary for the careers lead")
    sm.add_argument("workbooks", metavar="WORKBOOK", type=Path, nargs="+",
                    help="filled leaver-destinations sheets or leavers returns")
    sm.add_argument("--out", type=Path, required=True, help="the summary workbook to write")
    sm.add_argument("--password-file", dest="password_file", type=Path, help="password of encrypted sheets")
    sm.add_argument("--force", action="store_true")

    m = sub.add_parser("demo",
                       help="open the app on the bundled demo data (or, with no display, prepare the demo returns)")
    m.add_argument("--headless", action="store_true", help="prepare the demo returns without opening a window")
    m.add_argument("--out", type=Path, help="folder for the demo returns (default a new temporary folder)")

    for name, helptext in (("encrypt", "encrypt a workbook with a password for e-mailing"),
                           ("decrypt", "remove the password from a workbook")):
        e = sub.add_parser(name, help=helptext)
        e.add_argument("workbook", metavar="WORKBOOK", type=Path)
        e.add_argument("--out", type=Path)
        e.add_argument("--password-file", dest="password_file", type=Path)
        e.add_argument("--force", action="store_true")

    o = sub.add_parser("open", help="open the desktop app at the review of an export")
    o.add_argument("return_id", metavar="RETURN")
    o.add_argument("export", metavar="EXPORT", type=Path)
    who = o.add_mutually_exclusive_group()
    who.add_argument("--school")
    who.add_argument("--college")
    o.add_argument("--period")
    o.add_argument("--as-of", dest="as_of")
    o.add_argument("--prepopulated", type=Path, help="TEP's pre-populated workbook (TEP returns)")
    o.add_argument("--prepopulated-password-file", dest="prepopulated_password_file", type=Path)
    return parser


def command_names() -> list[str]:
    """The commands the parser has arguments for (argparse keeps them on its sub-parsers action)."""
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []

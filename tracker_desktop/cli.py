"""The command line: the desktop app, the tests and an office's own scripts all drive the core
through it. Exit 0: written with no errors; 1: written, errors remain; 2: nothing written."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from tracker_desktop import __version__
from tracker_desktop.core.errors import UserError


class CliError(UserError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2, as for every other failure
        raise CliError(f"{message} (see tracker-desktop {self.prog.split()[-1] if ' ' in self.prog else ''} --help)".replace("  ", " "))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tracker-desktop", description="Prepare Kent County Council tracking returns from MIS exports, offline.")
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

    cr = sub.add_parser("compare-rolls", help="joiners and leavers from last month's and this month's whole-school exports")
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
    sm.add_argument("workbooks", metavar="WORKBOOK", type=Path, nargs="+", help="filled leaver-destinations sheets or leavers returns")
    sm.add_argument("--out", type=Path, required=True, help="the summary workbook to write")
    sm.add_argument("--password-file", dest="password_file", type=Path, help="password of encrypted sheets")
    sm.add_argument("--force", action="store_true")

    m = sub.add_parser("demo", help="open the app on the bundled demo data (or, with no display, prepare the demo returns)")
    m.add_argument("--headless", action="store_true", help="prepare the demo returns without opening a window")
    m.add_argument("--out", type=Path, help="folder for the demo returns (default a new temporary folder)")

    for name, helptext in (("encrypt", "encrypt a workbook with a password for e-mailing"), ("decrypt", "remove the password from a workbook")):
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


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            from tracker_desktop.gui.app import run_app

            return run_app()
        return COMMANDS[args.command](args)
    except UserError as e:
        print(f"tracker-desktop: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tracker-desktop: stopped.", file=sys.stderr)
        return 2


def _write_report(path: Path | None, report: dict) -> None:
    if path:
        from tracker_desktop.core.writing.files import write_atomic

        write_atomic(path, json.dumps(report, indent=1, ensure_ascii=False).encode("utf-8"), force=True)


def _summary(prep, output: Path | None) -> str:
    counts = prep.counts()
    where = f"wrote {output}" if output else "checked"
    return f"{where}: {len(prep.learners)} learners, {len(prep.left_out)} left out, {counts['errors']} errors, {counts['queries']} queries"


def cmd_prepare(args) -> int:
    from tracker_desktop.core.matching.mapping import load_mapping, save_mapping
    from tracker_desktop.core.routine import nil_return

    mapping = load_mapping(args.mapping) if args.mapping else None
    if args.prepopulated or args.return_id.startswith("tep-"):
        from tracker_desktop.core.preparing.tep import prepare_tep_cli

        return prepare_tep_cli(args, mapping)
    from tracker_desktop.core.preparing.preparation import Preparation

    prep = Preparation.start(args.return_id, args.export, school=args.school, college=args.college, period=args.period,
                             as_of=args.as_of, template=args.template, mapping=mapping)
    if args.save_mapping:
        save_mapping(prep.mapping, args.save_mapping)
    if prep.blocking:
        raise UserError(f"{args.export.name}: nothing written - {prep.blocking}.")
    if nil_return.is_nil_return(prep):
        return _nil_return(prep, args)
    from tracker_desktop.core.preparing.saving import save_return

    # report and history checked before the return is written; a failure after it is exit 1
    saved = save_return(prep, args.out, force=args.force, report=args.report, history=args.history)
    print(_summary(prep, saved.output))
    for failure in saved.afterwards:
        print(f"tracker-desktop: {failure}", file=sys.stderr)
    missing = [c for c in prep.template.mandatory if prep.mapping.get(c) is None]
    if missing:
        print(f"no export column found for mandatory {', '.join(missing)}", file=sys.stderr)
    return 1 if prep.counts()["errors"] or saved.afterwards else 0


def _nil_return(prep, args) -> int:
    """Nobody is in scope: KCC MI wants an e-mail saying so, not an empty upload file."""
    from tracker_desktop.core.routine import nil_return

    period = nil_return.period_label(prep)
    path = nil_return.save(prep, Path(args.out), force=args.force)
    _write_report(args.report, prep.report(None))
    print(f"Nobody is on {prep.definition.title} for {period} ({len(prep.left_out)} left out): "
          f"no workbook written. Send the nil-return e-mail instead: wrote {path}")
    return 0


def cmd_check(args) -> int:
    from tracker_desktop.core.checking.filled import check_workbook

    prep = check_workbook(args.return_id, args.workbook, as_of=args.as_of, period=args.period)
    _write_report(args.report, prep.report(None))
    print(_summary(prep, None))
    for p in prep.problems[:20]:
        print(f"  row {prep.learners[p.row].source_row} {p.column}: {p.severity}: {p.message}")
    if len(prep.problems) > 20:
        print(f"  ... and {len(prep.problems) - 20} more (see --report)")
    return 1 if prep.counts()["errors"] else 0


def cmd_returns(args) -> int:
    from tracker_desktop.core.returns.definitions import all_definitions
    from tracker_desktop.core.routine.status import next_due

    today = dt.date.today()
    for d in all_definitions():
        due = next_due(d, today)
        nxt = f"next due {due[0]:%a %d %b %Y}" if due else ""
        print(f"{d.id:30} {d.title:38} {d.who:8} to {d.sent_to:4} {nxt}")
    return 0


def cmd_deadlines(args) -> int:
    from tracker_desktop.core.values.calendar import academic_year_label, academic_year_start, deadlines, parse_academic_year
    from tracker_desktop.core.returns.definitions import all_definitions

    try:
        start = parse_academic_year(args.academic_year) if args.academic_year else academic_year_start(dt.date.today())
    except ValueError as e:
        raise UserError(str(e)) from None
    who = "school" if args.school else "college" if args.college else None
    try:
        closed = [dt.date.fromisoformat(day) for day in args.closed]
    except ValueError:
        raise UserError(f"Closure days are dates written YYYY-MM-DD, e.g. 2026-05-29 (got {' '.join(args.closed)}).") from None
    rows = []
    for d in all_definitions():
        if who and d.who != who:
            continue
        for due, month in deadlines(d.deadlines, start, closed):
            covers = f" ({dt.date.fromisoformat(month + '-01'):%B %Y})" if month else ""
            rows.append((due, f"{due:%a %d %b %Y}  {d.title}{covers}  [{d.id}, to {d.sent_to}]"))
    print(f"Deadlines for {academic_year_label(start)}:")
    for _, line in sorted(rows):
        print(f"  {line}")
    return 0


def cmd_encrypt(args) -> int:
    from tracker_desktop.core.writing import encryption as protection

    plain = _read_bytes(args.workbook)
    password = protection.read_password_file(args.password_file) if args.password_file else None
    generated = password is None
    if generated:
        password = protection.generate_passphrase()
    else:
        protection.check_password(password)
    out = args.out or args.workbook.with_name(args.workbook.stem + " (encrypted)" + args.workbook.suffix)
    if protection.is_encrypted(plain):
        raise UserError(f"{args.workbook.name} is already encrypted.")
    protection.write_encrypted(plain, password, out, force=args.force)
    print(f"wrote {out}")
    if generated:
        print(f"Password (give it to the recipient by phone, never in the same e-mail): {password}", file=sys.stderr)
    return 0


def cmd_decrypt(args) -> int:
    from tracker_desktop.core.writing import encryption as protection
    from tracker_desktop.core.writing.files import write_atomic

    data = _read_bytes(args.workbook)
    if not args.password_file:
        raise UserError("Give the password in a file with --password-file (it is never typed on the command line, where it would be kept in history).")
    try:
        plain = protection.decrypt(data, protection.read_password_file(args.password_file))
    except protection.ProtectionError as e:
        raise type(e)(f"{args.workbook.name}: {e}") from None
    out = args.out or args.workbook.with_name(args.workbook.stem + " (decrypted)" + args.workbook.suffix)
    write_atomic(out, plain, force=args.force)
    print(f"wrote {out}")
    return 0


DEMO_SCHOOL, DEMO_PERIOD, DEMO_AS_OF = "8864123", "2025-10", "2025-10-31"


def _display_available() -> bool:
    import os

    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_demo(args) -> int:
    import tempfile

    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.resources import resource_path

    export = resource_path("assets", "demo", "demo_roll.csv")
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
        print(f"{prep.definition.title}: {_summary(prep, output)}")
        for p in prep.problems[:5]:
            print(f"  export row {prep.learners[p.row].source_row}, {p.column}: {p.severity}: {p.message}")
    return 0


def cmd_doctor(args) -> int:
    from tracker_desktop.doctor import run_doctor

    return run_doctor()


def cmd_compare_rolls(args) -> int:
    from tracker_desktop.core.routine.rolls import compare_rolls_cli

    return compare_rolls_cli(args)


def cmd_summary(args) -> int:
    from tracker_desktop.core.routine.destinations import summary_cli

    return summary_cli(args)


def cmd_open(args) -> int:
    from tracker_desktop.gui.app import run_app

    return run_app(open_args=args)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path.name}: the file does not exist (looked in {path.parent}).") from None
    except OSError as e:
        raise UserError(f"{path.name}: the file cannot be read ({e.strerror or e}).") from None


COMMANDS = {"demo": cmd_demo, "deadlines": cmd_deadlines, "doctor": cmd_doctor, "compare-rolls": cmd_compare_rolls,
            "summary": cmd_summary, "prepare": cmd_prepare, "check": cmd_check, "returns": cmd_returns, "encrypt": cmd_encrypt,
            "decrypt": cmd_decrypt, "open": cmd_open}


if __name__ == "__main__":
    sys.exit(main())

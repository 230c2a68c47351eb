"""`tracker-desktop summary WORKBOOK... --out SUMMARY.xlsx`: the destinations summary."""
from __future__ import annotations

import argparse
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.routine.destinations import summarise, write_summary, year_label


def cmd_summary(args: argparse.Namespace) -> int:
    """`tracker-desktop summary WORKBOOK... --out SUMMARY.xlsx [--password-file F] [--force]`."""
    from tracker_desktop.core.writing.files import OutputExists

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"{out.name}: the summary is an Excel workbook: give a name ending .xlsx.")
    if out.exists() and not args.force:
        raise OutputExists(f"{out.name} already exists in {out.parent}. "
                           "Choose another name, or replace it on purpose (--force).")
    password = None
    if getattr(args, "password_file", None):
        from tracker_desktop.core.writing.encryption import read_password_file

        password = read_password_file(args.password_file)
    summary = summarise(args.workbooks, password)
    write_summary(summary, out, force=args.force)
    print(f"wrote {out}: {summary['rows']} young people from {summary['files']} file(s)")
    for group in summary["groups"]:
        by_year = ", ".join(f"{year_label(y)} {summary['counts'][group][y]}" for y in summary["years"])
        print(f"  {group}: {summary['totals'][group]}" + (f" ({by_year})" if by_year else ""))
    return 0

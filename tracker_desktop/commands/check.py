"""`tracker-desktop check RETURN WORKBOOK`: check a filled-in return."""
from __future__ import annotations

import argparse

from tracker_desktop.commands.output import prep_summary, write_prep_report


def cmd_check(args: argparse.Namespace) -> int:
    from tracker_desktop.core.checking.filled import check_workbook

    prep = check_workbook(args.return_id, args.workbook, as_of=args.as_of, period=args.period)
    write_prep_report(args.report, prep)
    print(prep_summary(prep, None))
    for p in prep.problems[:20]:
        print(f"  row {prep.learners[p.row].source_row} {p.column}: {p.severity}: {p.message}")
    if len(prep.problems) > 20:
        print(f"  ... and {len(prep.problems) - 20} more (see --report)")
    return 1 if prep.counts()["errors"] else 0

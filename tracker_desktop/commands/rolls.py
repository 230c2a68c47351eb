"""`tracker-desktop compare-rolls OLD NEW`: joiners and leavers returns from two whole-school rolls."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker_desktop.core.routine.rolls import RollChanges


def cmd_compare_rolls(args: argparse.Namespace) -> int:
    """`tracker-desktop compare-rolls OLD NEW --period YYYY-MM (--school N | --college C)`."""
    from tracker_desktop.core.routine import nil_return
    from tracker_desktop.core.routine.roll_returns import compare_and_prepare, save_roll_returns

    result = compare_and_prepare(Path(args.old), Path(args.new), args.period, args.as_of, args.school, args.college,
                                 Path(args.out))
    history = getattr(args, "history", None)
    save_roll_returns(result, force=args.force, report=getattr(args, "report", None),
                      history=Path(history) if history else None)  # raises only when nothing was written

    changes = result.changes
    print(f"Compared {result.old_name} ({changes.old_count} rows) with {result.new_name} ({changes.new_count} rows) "
          f"for {changes.month_label}: "
          f"{sum(m.pupil.roll == 'new' and m.other is None for m in changes.joiners)} not on the old roll, "
          f"{sum(m.pupil.roll == 'old' for m in changes.leavers)} not on the new roll, "
          f"{len(changes.changes)} other changes.")
    for r in result.returns:
        prep = r.prep
        if not r.written:
            print(f"{r.definition.title}: not written (the reason is below).")
        elif r.nil:
            print(f"{r.definition.title}: nobody to report for {nil_return.period_label(prep)}: "
                  f"wrote the nil-return e-mail draft {r.path} "
                  f"(open it, check it and send it to KCC MI; nothing has been sent).")
        else:
            counts = prep.counts()
            print(f"{r.definition.title}: wrote {r.path}: {len(prep.learners)} learners, "
                  f"{len(prep.left_out)} left out, {counts['errors']} errors, {counts['queries']} queries")
            for m in r.undated():
                print(f"  {m.pupil.where()}: {m.why} and no {r.date_column.lower()} in either roll: "
                      f"fill in {r.date_column} (the MIS has it).")
        for m, reason in r.left_out():
            print(f"  {m.pupil.where()}: left out: {reason}")
        for m, what in r.outside(changes.period):
            print(f"  {m.pupil.where()}: {what}")
    _print_other_changes(changes)
    sys.stdout.flush()
    for failure in result.afterwards:
        print(f"tracker-desktop: {failure}", file=sys.stderr)
    return 1 if result.errors or result.afterwards else 0


def _print_other_changes(changes: RollChanges) -> None:
    if not (changes.changes or changes.possible_same or changes.notes):
        return
    print("Other changes (not joining or leaving; not on any return):")
    for note in changes.notes:
        print(f"  {note}")
    for c in changes.changes:
        print(f"  old roll row {c.old.source_row} / new roll row {c.new.source_row}: "
              f"{c.field}: '{c.before}' -> '{c.after}'")
    for o, n in changes.possible_same:
        print(f"  old roll row {o.source_row} and new roll row {n.source_row} may be the same pupil "
              f"(same forename and date of birth, nothing else to pair them): "
              f"counted as a leaver and a joiner - check.")

"""`tracker-desktop compare-rolls OLD NEW`: joiners and leavers returns from two whole-school rolls."""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker_desktop.commands.output import write_report
from tracker_desktop.core.routine.rolls import (
    JOIN_DATE,
    LEAVE_DATE,
    Mover,
    RollChanges,
    _definitions,
    _relabel,
    changes_report,
    compare_rolls,
    outside_message,
    prepare_from_movers,
)


@dataclass
class _Planned:
    """One of the two returns, prepared and not yet written."""

    definition: Any
    movers: list[Mover]
    on_return: list[Mover]
    kind: str  # "joiners" or "leavers"
    prep: Any
    path: Path  # the workbook, or the nil-return draft when nobody is on the return


def cmd_compare_rolls(args: argparse.Namespace) -> int:
    """`tracker-desktop compare-rolls OLD NEW --period YYYY-MM (--school N | --college C)`."""
    from tracker_desktop.core.preparing.preparation import known_headers, parse_day, parse_period
    from tracker_desktop.core.reading.exports import read_export
    from tracker_desktop.core.returns.naming import check_sender
    from tracker_desktop.core.routine import nil_return

    who = "college" if args.college else "school"
    joiners_def, leavers_def = _definitions(who)
    sender = check_sender(joiners_def, args.school, args.college)
    as_of = parse_day(args.as_of)
    start = parse_period(args.period, as_of)
    headers = known_headers(joiners_def) | known_headers(leavers_def)
    old = read_export(Path(args.old), headers)
    new = read_export(Path(args.new), headers)
    changes = compare_rolls(old, new, start, who)

    planned = []
    both = ((joiners_def, changes.joiners, "joiners"), (leavers_def, changes.leavers, "leavers"))
    for definition, movers, kind in both:
        on_return = [m for m in movers if m.on_return]
        prep = prepare_from_movers(definition, on_return, sender, start, as_of)
        name = nil_return.draft_name(prep) if nil_return.is_nil_return(prep) else prep.output_name
        planned.append(_Planned(definition, movers, on_return, kind, prep, Path(args.out) / name))
    _refuse_taken([p.path for p in planned], args.force)

    print(f"Compared {old.source.name} ({changes.old_count} rows) with {new.source.name} ({changes.new_count} rows) "
          f"for {changes.month_label}: "
          f"{sum(m.pupil.roll == 'new' and m.other is None for m in changes.joiners)} not on the old roll, "
          f"{sum(m.pupil.roll == 'old' for m in changes.leavers)} not on the new roll, "
          f"{len(changes.changes)} other changes.")
    report: dict[str, Any] = {"comparison": changes_report(changes)}
    errors = 0
    for plan in planned:
        if not nil_return.is_nil_return(plan.prep):
            report[plan.kind], found = _write_return(plan, args)
            errors += found
        else:
            report[plan.kind] = _write_nil_draft(plan, Path(args.out), args.force)
        for left in plan.prep.left_out:
            m = plan.on_return[left.source_row - 1]
            print(f"  {m.pupil.where()}: left out: {left.reason}")
        for m in plan.movers:
            if not m.on_return:
                print(f"  {m.pupil.where()}: {outside_message(m, plan.kind, start)}")
    _print_other_changes(changes)
    write_report(getattr(args, "report", None), report)
    sys.stdout.flush()
    return 1 if errors else 0


def _refuse_taken(paths: list[Path], force: bool) -> None:
    """Both files are checked before either is written: nothing is half done."""
    from tracker_desktop.core.writing.files import OutputExists

    taken = [path for path in paths if path.exists()]
    if taken and not force:
        one = len(taken) == 1
        names = ", ".join(p.name for p in taken)
        raise OutputExists(f"{names} already exist{'s' if one else ''} in {taken[0].parent}. "
                           f"Choose another folder, or replace {'it' if one else 'them'} on purpose (--force).")


def _write_return(plan: _Planned, args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    """Save the return; its report part and its number of errors."""
    prep = plan.prep
    output = prep.save(Path(args.out), force=args.force)
    counts = prep.counts()
    print(f"{plan.definition.title}: wrote {output}: {len(prep.learners)} learners, {len(prep.left_out)} left out, "
          f"{counts['errors']} errors, {counts['queries']} queries")
    history_dir = getattr(args, "history", None)
    if history_dir:
        from tracker_desktop.core.routine.history import record

        record(Path(history_dir), prep, output)
    kept = {learner.source_row for learner in prep.learners}
    undated = [m for i, m in enumerate(plan.on_return, start=1) if m.status == "no-date" and i in kept]
    column = JOIN_DATE if plan.kind == "joiners" else LEAVE_DATE
    for m in undated:
        print(f"  {m.pupil.where()}: {m.why} and no {column.lower()} in either roll: "
              f"fill in {column} (the MIS has it).")
    return _relabel(prep.report(output), plan.on_return), counts["errors"]


def _write_nil_draft(plan: _Planned, folder: Path, force: bool) -> dict[str, Any]:
    """Nobody to report: the nil-return e-mail draft instead of a workbook; its report part."""
    from tracker_desktop.core.routine import nil_return

    output = nil_return.save(plan.prep, folder, force=force)
    print(f"{plan.definition.title}: nobody to report for {nil_return.period_label(plan.prep)}: "
          f"wrote the nil-return e-mail draft {output} "
          f"(open it, check it and send it to KCC MI; nothing has been sent).")
    left_out = [{"source_row": left.source_row, "reason": left.reason} for left in plan.prep.left_out]
    return {"return": plan.definition.id, "output": str(output), "rows": 0, "nil_return": True,
            "left_out": _relabel({"left_out": left_out}, plan.on_return)["left_out"]}


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


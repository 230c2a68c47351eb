"""`tracker-desktop prepare RETURN EXPORT`: a return from an MIS export (TEP returns: commands.tep)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker_desktop.commands.output import prep_summary, unsure_lines, write_report
from tracker_desktop.core.errors import UserError


def cmd_prepare(args: argparse.Namespace) -> int:
    from tracker_desktop.core.matching.mapping import Mapping, load_matching, save_mapping
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.routine import nil_return

    mapping: Mapping | None = None
    understood: dict[str, str | None] = {}
    if args.mapping:
        mapping, understood = load_matching(args.mapping, load_definition(args.return_id))
        mapping = mapping or None  # a file of answers only: the columns are matched as usual
    if args.prepopulated or args.return_id.startswith("tep-"):
        from tracker_desktop.commands.tep import prepare_tep_command

        return prepare_tep_command(args, mapping, understood)
    from tracker_desktop.core.preparing.preparation import Preparation

    prep = Preparation.start(args.return_id, args.export, school=args.school, college=args.college, period=args.period,
                             as_of=args.as_of, template=args.template, mapping=mapping, understood=understood or None)
    if args.save_mapping:
        save_mapping(prep.mapping, args.save_mapping, understood)
    if prep.blocking:
        raise UserError(f"{args.export.name}: nothing written - {prep.blocking}.")
    if nil_return.is_nil_return(prep):
        return _nil_return(prep, args)
    from tracker_desktop.core.preparing.saving import save_return

    # report and history checked before the return is written; a failure after it is exit 1
    saved = save_return(prep, args.out, force=args.force, report=args.report, history=args.history)
    print(prep_summary(prep, saved.output))
    _say_unsure(prep)  # once written: when nothing is, the one sentence saying why is all there is
    for failure in saved.afterwards:
        print(f"tracker-desktop: {failure}", file=sys.stderr)
    missing = [c for c in prep.template.mandatory if prep.mapping.get(c) is None]
    if missing:
        print(f"no export column found for mandatory {', '.join(missing)}", file=sys.stderr)
    return 1 if prep.counts()["errors"] or saved.afterwards else 0


def _nil_return(prep, args: argparse.Namespace) -> int:
    """Nobody is in scope: KCC MI wants an e-mail saying so, not an empty upload file."""
    from tracker_desktop.core.routine import nil_return

    period = nil_return.period_label(prep)
    path = nil_return.save(prep, Path(args.out), force=args.force)
    write_report(args.report, prep.report(None))
    print(f"Nobody is on {prep.definition.title} for {period} ({len(prep.left_out)} left out): "
          f"no workbook written. Send the nil-return e-mail instead: wrote {path}")
    _say_unsure(prep)
    return 0


def _say_unsure(prep) -> None:
    """What was matched unsurely, one line each on stderr (header names only, no learner's data)."""
    for line in unsure_lines(prep):
        print(f"tracker-desktop: {line}", file=sys.stderr)

"""`tracker-desktop prepare tep-... EXPORT --prepopulated TEP.xlsx`: fill TEP's sheet, save it
encrypted, and draft the e-mail to TEP."""
from __future__ import annotations

import argparse
import sys

from tracker_desktop.commands.output import prep_summary, unsure_lines
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import Mapping
from tracker_desktop.core.writing import encryption as protection


def prepare_tep_command(args: argparse.Namespace, mapping: Mapping | None,
                        understood: dict[str, str | None] | None = None) -> int:
    from tracker_desktop.core.preparing.saving import save_tep_return
    from tracker_desktop.core.preparing.tep import prepare_tep

    if not args.prepopulated:
        raise UserError(f"{args.return_id} is filled into the workbook TEP sent: give it with --prepopulated FILE.")
    in_file = args.prepopulated_password_file
    in_password = protection.read_password_file(in_file) if in_file else None
    prep = prepare_tep(args.return_id, args.export, args.prepopulated, in_password, args.school,
                       args.as_of, args.period, mapping, understood=understood or None)
    if getattr(args, "save_mapping", None):
        from tracker_desktop.core.matching.mapping import save_mapping

        save_mapping(prep.mapping, args.save_mapping, understood)
    for warning in prep.warnings:  # e.g. TEP's workbook opened although its integrity check failed
        print(f"tracker-desktop: warning: {warning}", file=sys.stderr)
    generated = not args.encrypt_password_file
    password = (protection.generate_passphrase() if generated
                else protection.read_password_file(args.encrypt_password_file))
    # draft, report and disk checked before the sheet is written; once written, always shown
    saved = save_tep_return(prep, args.out, password, force=args.force, report=args.report,
                            history=getattr(args, "history", None))
    print(prep_summary(prep, saved.output))
    for line in unsure_lines(prep):  # once written: when nothing is, the one sentence is all there is
        print(f"tracker-desktop: {line}", file=sys.stderr)
    if saved.draft:
        print(f"wrote {saved.draft} (an e-mail draft to TEP with the encrypted file attached; "
              "open it in Outlook and send it)")
    if generated:
        print(f"Password for {saved.output.name} (give it to TEP by phone, never in the same e-mail): {password}",
              file=sys.stderr)
    for failure in saved.afterwards:
        print(f"tracker-desktop: {failure}", file=sys.stderr)
    return 1 if prep.counts()["errors"] or saved.afterwards else 0

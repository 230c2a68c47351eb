"""`tracker-desktop encrypt` and `tracker-desktop decrypt`: a workbook's password for e-mailing."""
from __future__ import annotations

import argparse
import sys

from tracker_desktop.commands.output import read_bytes
from tracker_desktop.core.errors import UserError


def cmd_encrypt(args: argparse.Namespace) -> int:
    from tracker_desktop.core.writing import encryption as protection

    plain = read_bytes(args.workbook)
    password = protection.read_password_file(args.password_file) if args.password_file else None
    generated = password is None
    if password is None:
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


def cmd_decrypt(args: argparse.Namespace) -> int:
    from tracker_desktop.core.writing import encryption as protection
    from tracker_desktop.core.writing.files import write_atomic

    data = read_bytes(args.workbook)
    if not args.password_file:
        raise UserError("Give the password in a file with --password-file "
                        "(it is never typed on the command line, where it would be kept in history).")
    try:
        # not decrypt(): a workbook someone else encrypted whose password is verified but whose
        # integrity check fails opens, with a warning, rather than being refused
        opened = protection.open_protected(data, protection.read_password_file(args.password_file))
    except protection.ProtectionError as e:
        raise type(e)(f"{args.workbook.name}: {e}") from None
    out = args.out or args.workbook.with_name(args.workbook.stem + " (decrypted)" + args.workbook.suffix)
    write_atomic(out, opened.plain, force=args.force)
    print(f"wrote {out}")
    for warning in opened.warnings:
        print(f"tracker-desktop: warning: {args.workbook.name}: {warning}", file=sys.stderr)
    return 0

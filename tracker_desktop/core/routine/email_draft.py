"""E-mail drafts (.eml) the office opens in Outlook and sends itself: Tracker Desktop never
sends anything. `X-Unsent: 1` makes Outlook open the file as a new message ready to send."""
from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from tracker_desktop.core.writing.files import write_atomic

TEP_ADDRESS = "stayingintouch@theeducationpeople.org"
MI_ADDRESS = "MICorePlus@kent.gov.uk"


def draft(to: str, subject: str, body: str, attachments: Sequence[Path | tuple[str, bytes]] = ()) -> bytes:
    """The .eml bytes; an attachment is a file, or (name, bytes) for one not saved yet."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["X-Unsent"] = "1"
    message.set_content(body)
    for attachment in attachments:
        name, data = (attachment.name, attachment.read_bytes()) if isinstance(attachment, Path) else attachment
        kind, _ = mimetypes.guess_type(name)
        if name.lower().endswith(".xlsx"):
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        maintype, subtype = (kind or "application/octet-stream").split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def _who(school_name: str, school_number: str) -> str:
    return f"{school_name} ({school_number})" if school_name else school_number


def tep_draft(encrypted: Path, title: str, school_name: str, school_number: str, data: bytes | None = None) -> bytes:
    """The covering e-mail for an encrypted TEP sheet. It never holds the password.

    With data (the encrypted bytes), the draft is made before the sheet is saved, so everything
    that could fail is known before anything is written."""
    who = _who(school_name, school_number)
    body = (
        f"Dear Staying in Touch team,\n\n"
        f"Please find attached {title} from {who}, as an encrypted Excel workbook "
        f"({encrypted.name}).\n\n"
        f"I will telephone you with the password separately; it is not in this e-mail.\n\n"
        f"Kind regards\n"
    )
    return draft(TEP_ADDRESS, f"{title} - {who}", body, [encrypted if data is None else (encrypted.name, data)])


def nil_return_draft(title: str, month_label: str, school_name: str, school_number: str) -> bytes:
    """A nil return: nobody in scope this month, so KCC MI is told by e-mail instead of a file."""
    who = _who(school_name, school_number)
    body = (
        f"Dear MI team,\n\n"
        f"{who} has a nil return for {title} for {month_label}: "
        f"no learners to report this month.\n\nKind regards\n"
    )
    return draft(MI_ADDRESS, f"Nil return: {title} {month_label} - {who}", body)


def save_draft(data: bytes, path: Path, force: bool = False) -> Path:
    return write_atomic(path, data, force=force)

"""Nil returns: when nobody is in scope, KCC MI is told so by e-mail instead of being sent an
empty workbook. The command line, the app and the roll comparison all decide and name it here."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns.definitions import ReturnDefinition
from tracker_desktop.core.returns.naming import Sender
from tracker_desktop.core.returns.scope import Period
from tracker_desktop.core.routine.email_draft import nil_return_draft, save_draft
from tracker_desktop.core.values.calendar import academic_year_label


class OpenedReturn(Protocol):
    """What a nil return needs to know of a return in progress (a Preparation)."""

    definition: ReturnDefinition
    sender: Sender
    period: Period
    learners: list
    blocking: str | None

    @property
    def output_name(self) -> str: ...


def is_nil_return(prep: OpenedReturn | None) -> bool:
    """Nobody is on a return sent to KCC MI, monthly or yearly. Not when the export lacks the
    column deciding who is on it (that is no nil return, it is a column to match), and never for
    TEP's sheets, whose learners are TEP's own rows."""
    if prep is None or prep.learners or prep.blocking:
        return False
    return not prep.definition.prepopulated and prep.definition.sent_to == "MI"


def period_label(prep: OpenedReturn) -> str:
    """The period a nil return is for, as written to KCC: 'October 2024', or '2024-25' for a yearly return."""
    if prep.definition.period == "month":
        return f"{prep.period.month_start:%B %Y}"
    return academic_year_label(prep.period.academic_year)


def draft_name(prep: OpenedReturn) -> str:
    """The e-mail draft's file name: the return's own file name, marked as the nil return."""
    return f"{Path(prep.output_name).stem} nil return.eml"


def draft(prep: OpenedReturn, school_name: str = "") -> bytes:
    return nil_return_draft(prep.definition.title, period_label(prep), school_name, prep.sender.code)


def save(prep: OpenedReturn, folder: Path, school_name: str = "", force: bool = False) -> Path:
    """Write the nil-return e-mail draft into `folder` (never replacing a file unless `force`)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"Cannot save in {folder}: {e.strerror or e}.") from None
    return save_draft(draft(prep, school_name), folder / draft_name(prep), force=force)

"""Keeping personal data tidy: returns this app prepared that are past their deadline by more
than a month and still sit in the folder they were saved in, unchanged (same SHA-256 as when the
app wrote them), can be listed and deleted. A file someone has since edited, renamed or replaced
is never touched: only files the app wrote, exactly as it wrote them. Every file the app writes
about a return is recorded (the return, a problems list, an e-mail draft), so all are listed.
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.routine import status
from tracker_desktop.core.routine.history import EVERY_KIND, Entry, entries, sha256_of


@dataclass(frozen=True)
class StaleReturn:
    entry: Entry
    due: dt.date

    @property
    def path(self) -> Path:
        return self.entry.path


def due_date(return_id: str, period: str | dt.date, closures: Iterable[dt.date] = ()) -> dt.date:
    """When a return for a period was due (decided by `status.due_date`)."""
    from tracker_desktop.core.returns.definitions import load_definition

    return status.due_date(load_definition(return_id), period, closures)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def stale_returns(history_folder: Path, today: dt.date | None = None,
                  closures: Iterable[dt.date] = ()) -> list[StaleReturn]:
    """Files the app wrote for returns past their deadline by more than a month (the returns, the
    problems lists exported from them and their e-mail drafts), still where they were saved, unchanged."""
    today = today or dt.date.today()
    closures = tuple(closures)
    found: dict[Path, StaleReturn] = {}
    for entry in entries(history_folder, EVERY_KIND):
        try:
            due = due_date(entry.return_id, entry.period, closures)
        except (UserError, ValueError):
            continue  # a return this version no longer knows: leave its file alone
        if today <= add_months(due, 1):
            continue
        path = entry.path
        if not _unchanged(path, entry.sha256):
            continue
        found[path] = StaleReturn(entry, due)  # the latest entry for a path wins
    return sorted(found.values(), key=lambda s: (s.due, s.entry.file))


def _unchanged(path: Path, sha256: str) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and sha256_of(path) == sha256
    except OSError:
        return False


def delete(stale: Iterable[StaleReturn]) -> tuple[list[Path], list[Path]]:
    """Delete the listed files, checking each again first: (deleted, kept because changed or locked)."""
    deleted, kept = [], []
    for item in stale:
        path = item.path
        if not _unchanged(path, item.entry.sha256):
            kept.append(path)
            continue
        try:
            path.unlink()
            deleted.append(path)
        except OSError:  # open in Excel, or no permission
            kept.append(path)
    return deleted, kept

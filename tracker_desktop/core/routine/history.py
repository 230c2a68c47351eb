"""A local record of each return prepared: what, for when, which file, how many rows, errors and
queries were left, and the file's SHA-256 — never a name, UPN or any other personal data.

One JSON object per line in `history.jsonl` inside a folder the caller gives (the app passes its
platformdirs user data folder). Appending one line is all a save does, so a crash cannot damage
earlier entries, and a damaged line is skipped when reading rather than losing the history.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.values.calendar import academic_year_label, academic_year_start

FILE_NAME = "history.jsonl"
# What a recorded file is: the return itself (a workbook, or a nil-return e-mail), the problems
# list exported from it, or the e-mail draft written to send it (TEP's).
RETURN, PROBLEMS, DRAFT = "return", "problems", "draft"
EVERY_KIND = (RETURN, PROBLEMS, DRAFT)


@dataclass(frozen=True)
class Entry:
    return_id: str
    period: str  # the reporting month, YYYY-MM
    academic_year: str  # e.g. 2024-25
    sender: str  # the school's number or the college's code (an organisation, not a person)
    file: str  # the file's name
    folder: str  # the folder it was saved in
    prepared_at: str  # ISO date and time, local
    rows: int
    errors: int
    queries: int  # queries still to look at
    sha256: str
    accepted: int = 0  # queries the office accepted, with a note (counted apart)
    taken_out: int = 0  # rows the user took out of the return, with a reason
    kind: str = RETURN  # what the file is: a return, a problems list, or an e-mail draft

    @property
    def path(self) -> Path:
        return Path(self.folder) / self.file


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record(folder: Path, prep, path: Path, when: dt.datetime | None = None, kind: str = RETURN) -> Entry:
    """Add a prepared return to the history (call after saving it); `kind` names other files
    the app wrote about it: a problems list ("problems") or an e-mail draft ("draft")."""
    path = Path(path)
    counts = prep.counts()
    month = prep.period.month_start
    entry = Entry(
        return_id=prep.definition.id,
        period=f"{month:%Y-%m}",
        academic_year=academic_year_label(academic_year_start(month)),
        sender=prep.sender.code,
        file=path.name,
        folder=str(path.resolve().parent),
        prepared_at=(when or dt.datetime.now()).isoformat(timespec="seconds"),
        rows=len(prep.learners),
        errors=counts["errors"],
        queries=counts["queries"],
        sha256=sha256_of(path),
        accepted=counts.get("accepted", 0),
        taken_out=len(getattr(prep, "taken_out", ())),
        kind=kind,
    )
    append(folder, entry)
    return entry


def append(folder: Path, entry: Entry) -> None:
    folder = Path(folder)
    line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / FILE_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise UserError(f"The history of prepared returns could not be saved in {folder}: {e.strerror or e}.") from None


def entries(folder: Path, kinds: tuple[str, ...] = (RETURN,)) -> list[Entry]:
    """Every recorded return (or file of the given kinds), oldest first; damaged lines are skipped.
    Only returns say a period was prepared: a problems list or a covering e-mail does not."""
    path = Path(folder) / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise UserError(f"The history of prepared returns in {folder} could not be read: {e.strerror or e}.") from None
    out = []
    fields = set(Entry.__dataclass_fields__)
    for line in text.splitlines():
        try:
            raw = json.loads(line)
            # Fields added later have defaults: a line written by an older version still reads.
            entry = Entry(**{k: raw[k] for k in fields if k in raw})
            if entry.kind in kinds:
                out.append(entry)
        except (ValueError, KeyError, TypeError):
            continue
    return out

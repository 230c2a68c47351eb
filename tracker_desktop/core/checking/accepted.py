"""Queries the office has looked at and accepted, with a short note (DfE COLLECT's habit): "held back
a year - agreed with KCC". An accepted query is still listed, but counted apart, and next month's
return does not ask about it again.

A layer over Problems, not part of the rules: an acceptance is (learner identifier, rule id) ->
note. Only queries can be accepted; an error must be fixed.

Kept beside the school's settings in `accepted_queries.json`, written atomically. It holds no
names and no UPN or ULN in clear: each learner is keyed by a one-way digest of the sending
school's number and the UPN (or ULN), salted per installation, so the file says nothing about who
the learners are to someone who reads it without the MIS. Notes are the office's own words; a
note naming the learner is refused (see `note_problem`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from tracker_desktop.core.checking.rules import QUERY, RULES
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.writing.files import write_atomic

FILE_NAME = "accepted_queries.json"
VERSION = 1
MAX_NOTE = 200


@dataclass(frozen=True)
class Acceptance:
    note: str
    accepted_on: str  # ISO date


def learner_key(salt: str, sender: str, identifier: str) -> str:
    """A learner as the file knows them: never the UPN itself."""
    text = f"{salt}|{sender.strip().upper()}|{identifier.strip().upper()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def note_problem(note: str, names: tuple[str, ...] = ()) -> str | None:
    """None when the note can be kept, otherwise what is wrong with it, in a sentence."""
    text = " ".join(note.split())
    if not text:
        return "Write a short note saying why this query may stand (e.g. held back a year - agreed with KCC)."
    if len(text) > MAX_NOTE:
        return f"Keep the note to {MAX_NOTE} characters: it is a reminder, not a record."
    words = {w.casefold() for w in re.findall(r"[^\W\d_][\w'’-]*", text)}
    for name in names:
        for part in re.findall(r"[^\W\d_][\w'’-]*", name):
            if len(part) > 1 and part.casefold() in words:
                return ("Leave the learner's name out of the note: it is kept with the school's settings, "
                        "which never hold names.")
    return None


class AcceptedQueries:
    """The accepted queries of one installation, read from and saved to one JSON file."""

    def __init__(self, path: Path, salt: str | None = None, entries: dict[str, dict[str, Acceptance]] | None = None):
        self.path = Path(path)
        self.salt = salt or secrets.token_hex(16)
        self._entries: dict[str, dict[str, Acceptance]] = entries or {}  # learner key -> rule id -> acceptance

    def get(self, sender: str, identifier: str, rule: str) -> Acceptance | None:
        if not identifier.strip():
            return None
        return self._entries.get(learner_key(self.salt, sender, identifier), {}).get(rule)

    def accept(self, sender: str, identifier: str, rule: str, note: str, names: tuple[str, ...] = (),
               today: dt.date | None = None) -> Acceptance:
        """Remember a query as accepted, and save at once (a crash must not lose it)."""
        known = RULES.get(rule)
        if known is None or known.severity != QUERY:
            raise UserError("Only a query can be accepted: an error must be fixed before the return is sent.")
        if not identifier.strip():
            raise UserError("This learner has no UPN or ULN, so the query cannot be remembered: fill the UPN in first.")
        problem = note_problem(note, names)
        if problem:
            raise UserError(problem)
        found = Acceptance(" ".join(note.split()), (today or dt.date.today()).isoformat())
        key = learner_key(self.salt, sender, identifier)
        before = self._entries.get(key, {}).get(rule)
        self._entries.setdefault(key, {})[rule] = found
        try:
            self.save()
        except UserError:
            self._forget(key, rule, before)
            raise
        return found

    def withdraw(self, sender: str, identifier: str, rule: str) -> None:
        """The query is asked again (the acceptance was a mistake)."""
        key = learner_key(self.salt, sender, identifier)
        before = self._entries.get(key, {}).get(rule)
        if before is None:
            return
        self._forget(key, rule, None)
        try:
            self.save()
        except UserError:
            self._entries.setdefault(key, {})[rule] = before
            raise

    def _forget(self, key: str, rule: str, restore: Acceptance | None) -> None:
        if restore is not None:
            self._entries[key][rule] = restore
            return
        self._entries.get(key, {}).pop(rule, None)
        if not self._entries.get(key):
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return sum(len(rules) for rules in self._entries.values())

    def to_json(self) -> dict:
        return {"version": VERSION, "salt": self.salt,
                "accepted": {key: {rule: {"note": a.note, "accepted_on": a.accepted_on} for rule, a in rules.items()}
                             for key, rules in self._entries.items()}}

    def save(self) -> Path:
        data = json.dumps(self.to_json(), indent=1, ensure_ascii=False).encode("utf-8")
        try:
            return write_atomic(self.path, data, force=True)
        except OSError as e:
            raise UserError(f"The accepted queries could not be saved in {self.path.parent}: "
                            f"{e.strerror or e}.") from None


def load_accepted(folder: Path) -> AcceptedQueries:
    """The accepted queries kept in a settings folder; none (a fresh file) if missing or damaged."""
    path = Path(folder) / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        salt = raw["salt"]
        accepted = raw["accepted"]
        if not isinstance(salt, str) or not isinstance(accepted, dict):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        return AcceptedQueries(path)
    entries: dict[str, dict[str, Acceptance]] = {}
    for key, rules in accepted.items():
        if not isinstance(rules, dict):
            continue
        for rule, item in rules.items():
            try:
                entries.setdefault(key, {})[rule] = Acceptance(str(item["note"]), str(item["accepted_on"]))
            except (KeyError, TypeError):
                continue  # a damaged entry is asked about again, never fatal
    return AcceptedQueries(path, salt, entries)

"""The joiners and leavers returns made from two whole-school rolls, saved together.

Both returns (or the nil-return e-mail drafts standing for them) are prepared and both targets
checked before either is written, so a file in the way stops everything with nothing written.
From the first file written on, what fails (the other return, the history, the report) is a
sentence in `afterwards`: the caller says "written, but ..." (exit 1), never "nothing written".
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.opening import known_headers, parse_day, parse_period
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.preparing.saving import check_targets, save_return
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.returns.definitions import ReturnDefinition
from tracker_desktop.core.returns.naming import check_sender
from tracker_desktop.core.routine import nil_return
from tracker_desktop.core.routine.rolls import (
    JOIN_DATE,
    LEAVE_DATE,
    Mover,
    RollChanges,
    changes_report,
    compare_rolls,
    outside_message,
    prepare_from_movers,
    relabel,
    roll_definitions,
)
from tracker_desktop.core.writing.files import OutputExists, write_atomic


@dataclass
class RollReturn:
    """One of the two returns: who moved, who is on it, and what was written for it."""

    kind: str  # "joiners" or "leavers"
    definition: ReturnDefinition
    movers: list[Mover]  # everyone who joined (or left), in the month or not
    on_return: list[Mover]  # those the return is for: in the month, or with no date to fill in
    prep: Preparation
    path: Path  # the workbook, or the nil-return draft when nobody is on the return
    written: bool = False

    @property
    def nil(self) -> bool:
        return nil_return.is_nil_return(self.prep)

    @property
    def date_column(self) -> str:
        return JOIN_DATE if self.kind == "joiners" else LEAVE_DATE

    def undated(self) -> list[Mover]:
        """Movers on the return with no date in either roll: the user must fill it in from the MIS."""
        kept = {learner.source_row for learner in self.prep.learners}
        return [m for i, m in enumerate(self.on_return, start=1) if m.status == "no-date" and i in kept]

    def left_out(self) -> list[tuple[Mover, str]]:
        """Movers in the month the return's scope leaves out, with the reason."""
        return [(self.on_return[left.source_row - 1], left.reason) for left in self.prep.left_out]

    def outside(self, start: dt.date) -> list[tuple[Mover, str]]:
        """Movers outside the month, each with what to do about them."""
        return [(m, outside_message(m, self.kind, start)) for m in self.movers if not m.on_return]

    def report(self) -> dict[str, Any]:
        """This return's part of the JSON report, rows pointing at the rolls, not the mover list."""
        output = self.path if self.written else None
        if not self.nil:
            return relabel(self.prep.report(output), self.on_return)
        left_out = [{"source_row": left.source_row, "reason": left.reason} for left in self.prep.left_out]
        return {"return": self.definition.id, "output": str(output) if output else None, "rows": 0, "nil_return": True,
                "left_out": relabel({"left_out": left_out}, self.on_return)["left_out"]}


@dataclass
class RollComparison:
    old_name: str
    new_name: str
    changes: RollChanges
    returns: list[RollReturn]
    report: Path | None = None  # the JSON report, when asked for and saved
    afterwards: list[str] = field(default_factory=list)  # what failed once something was written

    @property
    def errors(self) -> int:
        return sum(r.prep.counts()["errors"] for r in self.returns if r.written and not r.nil)

    def report_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"comparison": changes_report(self.changes)}
        for r in self.returns:
            data[r.kind] = r.report()
        return data


def compare_and_prepare(old: Path, new: Path, period: str | None, as_of: str | None = None, school: str | None = None,
                        college: str | None = None, folder: Path = Path(".")) -> RollComparison:
    """Read both rolls, compare them and prepare the joiners and leavers returns (nothing written)."""
    who = "college" if college else "school"
    joiners_def, leavers_def = roll_definitions(who)
    sender = check_sender(joiners_def, school, college)
    day = parse_day(as_of)
    start = parse_period(period, day)
    headers = known_headers(joiners_def) | known_headers(leavers_def)
    old_table, new_table = read_export(Path(old), headers), read_export(Path(new), headers)
    changes = compare_rolls(old_table, new_table, start, who)
    returns = []
    both = (("joiners", joiners_def, changes.joiners), ("leavers", leavers_def, changes.leavers))
    for kind, definition, movers in both:
        on_return = [m for m in movers if m.on_return]
        prep = prepare_from_movers(definition, on_return, sender, start, day)
        name = nil_return.draft_name(prep) if nil_return.is_nil_return(prep) else prep.output_name
        returns.append(RollReturn(kind, definition, movers, on_return, prep, Path(folder) / name))
    return RollComparison(old_table.source.name, new_table.source.name, changes, returns)


def save_roll_returns(result: RollComparison, force: bool = False, report: Path | None = None,
                      history: Path | None = None) -> RollComparison:
    """Write both returns (or nil drafts), their history lines, then the report. Raises, with
    nothing written, when a file is in the way or a folder cannot be written; afterwards, never."""
    taken = [r.path for r in result.returns if r.path.exists()]
    if taken and not force:
        one = len(taken) == 1
        names = ", ".join(p.name for p in taken)
        raise OutputExists(f"{names} already exist{'s' if one else ''} in {taken[0].parent}. "
                           f"Choose another folder, or replace {'it' if one else 'them'} on purpose (--force).")
    # Folders and permissions for everything, before either file; sizes are checked as each is built.
    check_targets([(r.path, force, 0) for r in result.returns] + ([(Path(report), True, 0)] if report else [])
                  + ([(Path(history) / "history", True, 0)] if history else []))
    for r in result.returns:
        try:
            _save_one(result, r, force, history)
        except (UserError, OSError) as e:
            if not any(x.written for x in result.returns):
                raise  # nothing written yet: the user is told so, and can try again
            reason = e if isinstance(e, UserError) else f"{e.strerror or e}."
            result.afterwards.append(f"The {r.kind} return {r.path.name} could not be saved: {reason}")
    if report:
        data = json.dumps(result.report_data(), indent=1, ensure_ascii=False).encode("utf-8")
        try:
            result.report = write_atomic(Path(report), data, force=True)
        except (UserError, OSError) as e:
            reason = e if isinstance(e, UserError) else f"{e.strerror or e}."
            result.afterwards.append(f"The report {Path(report).name} could not be saved: {reason}")
    return result


def _save_one(result: RollComparison, r: RollReturn, force: bool, history: Path | None) -> None:
    if r.nil:
        r.path = nil_return.save(r.prep, r.path.parent, force=force)
        r.written = True
        return
    saved = save_return(r.prep, r.path.parent, force=force, history=history)
    r.path, r.written = saved.output, True
    result.afterwards.extend(saved.afterwards)

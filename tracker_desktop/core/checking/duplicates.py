"""The one rule across learners: a learner on more than one row.

Learners are grouped by identifier once (linear in rows). Each learner of a group gets one
problem naming the first few others and how many more, so a placeholder UPN shared by thousands
of rows stays small. An edit moves one learner from its group to another and rewords only those
two groups.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable

from tracker_desktop.core.checking.problems import ERROR, RULES, Problem, RowNumbers
from tracker_desktop.core.checking.registry import rows_rule
from tracker_desktop.core.values.identifiers import ULN_NOT_KNOWN

LISTED = 3  # other rows named in each message; the rest are counted


@rows_rule("duplicate-learner", ERROR, "Learner on more than one row",
           message=("{column} {value} is on {count} rows (also {others} of the return): KCC accepts one line per "
                    "learner. Keep one row, or correct the {column}."),
           description="Each learner appears once; every row sharing the identifier is marked.",
           advice="Keep one line for this learner: remove the duplicate in the MIS or check which UPN is wrong.")
def check_duplicates(identity: str, values: Iterable[str], row_of: RowNumbers | None = None) -> list[Problem]:
    """Every row sharing an identifier (UPN, or ULN for colleges) with another row."""
    return Duplicates(identity, values, row_of).problems()


def key(value: str) -> str:
    """What is compared: case and surrounding spaces do not matter; the 'not known' ULN
    placeholder is a query, not a learner, so it joins no group."""
    found = value.strip().upper()
    return "" if found == ULN_NOT_KNOWN else found


class Duplicates:
    """Learners grouped by identifier, and the problem of each learner sharing one."""

    def __init__(self, identity: str, values: Iterable[str], row_of: RowNumbers | None = None):
        self.column = identity
        self.row_of = row_of
        self._keys: list[str] = []
        self._groups: dict[str, list[int]] = {}  # identifier -> its learners, in order
        for row, value in enumerate(values):
            k = key(value)
            self._keys.append(k)
            if k:
                self._groups.setdefault(k, []).append(row)
        self._found: dict[int, Problem] = {}
        for k, rows in self._groups.items():
            if len(rows) > 1:
                self._mark(k)

    def problems(self) -> list[Problem]:
        return [self._found[r] for r in sorted(self._found)]

    def at(self, row: int) -> Problem | None:
        return self._found.get(row)

    @property
    def count(self) -> int:
        """How many learners share their identifier with another."""
        return len(self._found)

    def rows(self) -> set[int]:
        return set(self._found)

    def move(self, row: int, value: str) -> set[int]:
        """Learner `row` now has identifier `value`: the learners whose problem may have changed."""
        old, new = self._keys[row], key(value)
        if old == new:
            return set()
        if old:
            group = self._groups[old]
            group.pop(bisect.bisect_left(group, row))
            if not group:
                del self._groups[old]
        self._found.pop(row, None)
        self._keys[row] = new
        if new:
            bisect.insort(self._groups.setdefault(new, []), row)
        return {row} | self._mark(old) | self._mark(new)

    def _mark(self, k: str) -> set[int]:
        rows = self._groups.get(k, []) if k else []
        if len(rows) < 2:
            for r in rows:
                self._found.pop(r, None)
            return set(rows)
        severity = RULES["duplicate-learner"].severity
        head = tuple(rows[:LISTED + 1])
        shared = head[:LISTED]  # what every learner outside the head lists: one tuple for all
        for r in rows:
            others = shared if r not in head else tuple(o for o in head if o != r)[:LISTED]
            self._found[r] = Problem(r, self.column, "duplicate-learner", severity, k, "", others,
                                     len(rows) - 1 - len(others), self.row_of)
        return set(rows)

    def group(self, row: int) -> set[int]:
        """The learners sharing this learner's identifier, itself included: the rows whose problem
        a change to its identifier rewords (those of the group it leaves or joins)."""
        k = self._keys[row]
        return set(self._groups.get(k, ())) | {row} if k else {row}

"""What a check finds. A rule (like an error type) is data: id, severity, title, message template,
description and advice. A Problem keeps what was found (the rule, the column, the value, a detail
and the other learners involved) and is worded only when shown, by `wording`: row numbers are
then the written workbook's, whichever row its header is on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ERROR, QUERY = "error", "query"

# A learner's index in the return -> the row it is on in the written workbook.
RowNumbers = Callable[[int], int]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # ERROR: fix before sending; QUERY: look at it, it may stand (as in DfE COLLECT)
    title: str
    message: str  # str.format template: {column}, {value}, {detail}, {count}, {others}
    description: str
    advice: str  # what the colleague fixing the MIS should do
    stage: str  # when it runs: empty cell, value, row, rows (across learners) or extra (a variant's)


# The one registry: every rule, by id. Filled by the rule modules as they are imported
# (tracker_desktop.core.checking.rules imports them all).
RULES: dict[str, Rule] = {}


@dataclass(frozen=True)
class Problem:
    row: int  # index of the learner in the return (0-based)
    column: str  # the template header
    rule: str
    severity: str
    value: str = ""
    detail: str = ""
    others: tuple[int, ...] = ()  # the first few other learners involved (indices)
    more: int = 0  # other learners involved beyond those listed
    row_of: RowNumbers | None = field(default=None, compare=False, repr=False)

    @property
    def message(self) -> str:
        return wording(self, self.row_of)


def problem(row: int, column: str, rule_id: str, value: str = "", detail: str = "",
            others: tuple[int, ...] = (), more: int = 0, row_of: RowNumbers | None = None) -> Problem:
    return Problem(row, column, rule_id, RULES[rule_id].severity, value, detail, others, more, row_of)


def wording(found: Problem, row_of: RowNumbers | None = None) -> str:
    """A problem in words. `row_of` numbers the other learners as the written workbook does;
    without it they are counted, not numbered."""
    rule = RULES[found.rule]
    return rule.message.format(column=found.column, value=found.value, detail=found.detail,
                               count=f"{1 + len(found.others) + found.more:,}", others=_others(found, row_of))


def _others(found: Problem, row_of: RowNumbers | None) -> str:
    total = len(found.others) + found.more
    if not total:
        return ""
    if row_of is None:
        return f"{total:,} other row{'s' if total > 1 else ''}"
    shown = [str(row_of(o)) for o in found.others]
    if found.more:
        return f"rows {', '.join(shown)} and {found.more:,} more"
    if len(shown) == 1:
        return f"row {shown[0]}"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"

"""Rules about what a saved file can hold: a value too long for an Excel cell (every return), and
a formula in TEP's own sheet that would be encrypted back to TEP unseen (TEP's sheets)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker_desktop.core.checking.problems import ERROR, QUERY, Problem, problem
from tracker_desktop.core.checking.registry import CheckContext, extra_rule, row_rule
from tracker_desktop.core.values.characters import EXCEL_CELL_LIMIT
from tracker_desktop.core.values.cleaning import clean


@row_rule("cell-too-long", ERROR, "Too long for an Excel cell",
          message=("{column} holds {value} characters; an Excel cell holds at most 32,767. "
                   "It is left empty in the saved file: shorten it."),
          description="Excel cannot hold more than 32,767 characters in a cell, so a longer value is never written.",
          advice="Shorten the value in the MIS (or here); whatever is longer than a cell is not sent.")
def cell_too_long(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    if sum(map(len, values.values())) <= EXCEL_CELL_LIMIT:  # the whole row fits in a cell: each value does
        return []
    return [problem(row, c, "cell-too-long", value=f"{len(values[c]):,}")
            for c in columns if len(values.get(c, "")) > EXCEL_CELL_LIMIT]


@extra_rule("tep-formula", QUERY, "Formula in TEP's sheet",
            message=("{column} in TEP's sheet is a formula ({value}), not a value: it is sent back to TEP as it is. "
                     "Type the value in if it should be one."),
            description=("A cell of TEP's pre-populated sheet that holds a formula is kept, and encrypted back to "
                         "TEP, unless it is replaced."),
            advice="Look at the cell in TEP's workbook; type in the value if a formula should not be sent back.")
def tep_formula(prep: Any, row: int) -> list[Problem]:
    """TEP's formulas in this learner's cells (`prep.formulas`: sheet row -> header -> formula),
    while they would still be sent back as they are (the cell not filled or edited)."""
    learner = prep.learners[row]
    formulas = prep.formulas.get(learner.source_row, {})
    if not formulas:
        return []
    original = prep.tep_rows[row][1]
    return [problem(row, column, "tep-formula", value=_shown(formula)) for column, formula in formulas.items()
            if learner.values.get(column, "") == clean(prep.definition.meaning(column), original.get(column, ""))]


def _shown(formula: str) -> str:
    return formula if len(formula) <= 60 else formula[:57] + "..."

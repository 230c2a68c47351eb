"""Checks about what a saved file can hold, raised outside the per-value rules: a value too long
for an Excel cell, and a formula in TEP's own sheet that would be sent back to TEP unseen.

Kept apart from rules.py's table; registered in rules.RULES (by core/checking/__init__.py) so
the problems panel and problems list know their titles and severities like any other rule."""
from __future__ import annotations

from collections.abc import Sequence

from tracker_desktop.core.checking import rules
from tracker_desktop.core.checking.rules import ERROR, QUERY, Problem, Rule
from tracker_desktop.core.values.characters import EXCEL_CELL_LIMIT

OUTPUT_RULES = (
    Rule("cell-too-long", ERROR, "Too long for an Excel cell",
         "{column} holds {value} characters; an Excel cell holds at most 32,767. "
         "It is left empty in the saved file: shorten it.",
         "Excel cannot hold more than 32,767 characters in a cell, so a longer value is never written."),
    Rule("tep-formula", QUERY, "Formula in TEP's sheet",
         "{column} in TEP's sheet is a formula ({value}), not a value: it is sent back to TEP as it is. "
         "Type the value in if it should be one.",
         "A cell of TEP's pre-populated sheet that holds a formula is kept, and encrypted back to TEP, "
         "unless it is replaced."),
)


def register() -> None:
    for rule in OUTPUT_RULES:
        rules.RULES.setdefault(rule.id, rule)


def check_cell_lengths(row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    """cell-too-long for each value longer than an Excel cell holds."""
    return [rules.problem(row, c, "cell-too-long", value=f"{len(values[c]):,}")
            for c in columns if len(values.get(c, "")) > EXCEL_CELL_LIMIT]


def formula_problem(row: int, column: str, formula: str) -> Problem:
    shown = formula if len(formula) <= 60 else formula[:57] + "..."
    return rules.problem(row, column, "tep-formula", value=shown)

"""Rules only some returns run, given by the variant as the Preparation's `extra_rules`: TEP's
pre-populated sheet (a row the export did not match) and a filled-in return being checked (a
value not written as KCC's return needs it). Each is `fn(prep, row, ...) -> problems`."""
from __future__ import annotations

from collections.abc import Container
from typing import Any

from tracker_desktop.core.checking.problems import ERROR, QUERY, Problem, problem
from tracker_desktop.core.checking.registry import extra_rule

IDENTITY_COLUMNS = ("UPN", "TEP Ref", "Legal Surname")


@extra_rule("not-matched", QUERY, "Not found in the export",
            message="This learner was not found in {detail}: fill in their row by hand.",
            description=("A pre-populated row (TEP's list) that no row of the MIS export matched by UPN, TEP Ref, or "
                         "name and date of birth."),
            advice="Fill in the learner's row by hand, or add the learner to the MIS and export again.")
def not_matched(prep: Any, row: int, unmatched: Container[int]) -> list[Problem]:
    """Flagged until the user has filled in the school's mandatory columns by hand
    (`unmatched`: TEP's rows no export row matched)."""
    if row not in unmatched or not _still_to_fill(prep, row):
        return []
    column = next((c for c in IDENTITY_COLUMNS if c in prep.columns), prep.columns[0])
    return [problem(row, column, "not-matched", detail=prep.table.source.name)]


def _still_to_fill(prep: Any, row: int) -> bool:
    values = prep.learners[row].values
    mandatory = set(prep.template.mandatory)
    fills = [prep.headers.get(n, n) for n in prep.definition.school_fills]
    return any(c in mandatory and not values.get(c, "").strip() for c in fills)


@extra_rule("written-differently", ERROR, "Not written as KCC's return needs",
            message=("{column} '{value}' is not written as KCC's return needs it: it should be '{detail}'. Correct the "
                     "workbook, or save the return again from Tracker Desktop."),
            description=("A filled-in return holds values exactly as uploaded: a value tidying would change (Female "
                         "for F, a phone number without its 0) is wrong in the file."),
            advice="Correct the value in the workbook as shown, or save the return again from Tracker Desktop.")
def written_differently(prep: Any, row: int) -> list[Problem]:
    """A filled-in workbook being checked: what tidying would change is wrong in the file as it
    stands, so each such value is an error until the cell is edited (or the return saved anew)."""
    return [problem(row, column, "written-differently", fix.before, fix.after)
            for column, fix in prep.learners[row].fixes.items() if not fix.edited]


@extra_rule("row-damaged", QUERY, "Row damaged in the export",
            message="{detail}.",
            description=("A stray quote mark in a CSV export: the row was read on its own, split at each delimiter, so "
                         "no learner was lost; its values should be checked."),
            advice="Remove the stray quote mark (\") from the learner's details in the MIS, then export again.")
def damaged_row(prep: Any, row: int) -> list[Problem]:
    """A row the reader could only partly make sense of: a query on the learner's identifier (or
    the first column), for the whole row to be checked. It stays after edits: the export is what
    is damaged. Run for learners that are the export's own rows."""
    why = prep.table.damaged.get(prep.learners[row].source_row)
    if not why or not prep.columns:
        return []
    identity = prep.headers.get(prep.definition.identity, prep.definition.identity)
    column = identity if identity in prep.columns else prep.columns[0]
    return [problem(row, column, "row-damaged", detail=why)]

"""How sure a match is: the one scale, and the words for it, that the export-column matching,
the understanding of template headers, the JSON report and the app all use.

A score is 0-100. At or above SURE a match is used without asking (a header's own name, a
synonym, the same words in another order or with a qualifier such as 'Address:'). From UNSURE
up to SURE it is used but shown to be checked; below UNSURE it is no match. A column put
together from several (an address, a SEN status read as the EHCP) or split from one (a combined
name) is scored PUT_TOGETHER, and a spelling-alike (fuzzy) one at most LIKELY_AT_BEST: likely,
never sure, so the user always sees them.

This module imports nothing of the package, so the matchers (`words`, `mapping`) and the
definitions can all use it without importing each other.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

SURE = 90  # at or above: used without asking
LIKELY = 85  # from here up to SURE: a close match, "Likely - check"
UNSURE = 60  # from here up to LIKELY: "Unsure - check"; below: no match
PUT_TOGETHER = 88  # composed from several columns, or split from one: likely, always to check
LIKELY_AT_BEST = SURE - 1  # the most a spelling-alike match can score: always to check

# The words for a template header's understanding, in the report (keys) and the app (values).
HEADER_WORDS = {"confirmed": "You said so", "sure": "Sure", "unsure": "Unsure - check", "none": "Not known"}

# TEP's rows are matched to the export by one of these: an identifier, or all of the name keys.
TEP_IDENTIFIERS = ("UPN", "TEP Ref")
TEP_NAME_KEYS = ("Legal Surname", "Legal Forename", "Date of Birth")


class Scored(Protocol):
    score: int


def sureness(score: int | None) -> str:
    """'sure', 'unsure' (for the user to confirm) or 'none': the report's word for a score."""
    if score is None or score < UNSURE:
        return "none"
    return "sure" if score >= SURE else "unsure"


def is_certain(source: Scored | None) -> bool:
    return source is not None and source.score >= SURE


def certainty(source: Scored | None) -> str:
    """The words the matching screen shows beside an export column's match."""
    if source is None:
        return "No match"
    if source.score >= SURE:
        return "Certain"
    if source.score >= LIKELY:
        return "Likely - check"
    return "Unsure - check"


def to_check(source: Scored | None, mandatory: bool) -> bool:
    """Whether a match is shown as one to check: unsure, or missing for a mandatory column."""
    return (source is None and mandatory) or (source is not None and source.score < SURE)


def needs_review(definition: Any, mapping: Mapping[str, Scored | None], mandatory: Iterable[str],
                 headers: Iterable[str] = ()) -> bool:
    """Show the column matching before the review when a mandatory column is not matched with
    certainty, or a template header (of `headers`) was understood only unsurely. For TEP's
    sheets: when a mandatory column the school fills, or every way of matching TEP's rows to the
    export, was not found with certainty. `definition` is a ReturnDefinition."""
    mandatory = list(mandatory)
    if any(c["certainty"] == "unsure" for c in definition.template_columns(list(headers))):
        return True
    if definition.prepopulated:
        sure = {c for c, s in mapping.items() if is_certain(s)}
        fills = [c for c in definition.school_fills if c in mandatory]
        keys = bool(set(TEP_IDENTIFIERS) & sure) or set(TEP_NAME_KEYS) <= sure
        return not keys or any(c not in sure for c in fills)
    return any(not is_certain(mapping.get(c)) for c in mandatory)

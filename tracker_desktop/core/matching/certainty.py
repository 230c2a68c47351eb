"""How sure a column match is, and whether the user must look at the matching before the review.

A match by a header's own name or synonym scores 95 or 100 and is certain; fuzzy and composed
matches score lower and are shown to be checked."""
from __future__ import annotations

from collections.abc import Iterable

from tracker_desktop.core.matching.mapping import Mapping, Source
from tracker_desktop.core.returns.definitions import ReturnDefinition

CERTAIN = 95  # matched by name: a header or one of its synonyms
LIKELY = 85  # a close fuzzy match

# TEP's rows are matched to the export by one of these: an identifier, or all of the name keys.
TEP_IDENTIFIERS = ("UPN", "TEP Ref")
TEP_NAME_KEYS = ("Legal Surname", "Legal Forename", "Date of Birth")


def is_certain(source: Source | None) -> bool:
    return source is not None and source.score >= CERTAIN


def certainty(source: Source | None) -> str:
    """The words the matching screen shows beside a match."""
    if source is None:
        return "No match"
    if source.score >= CERTAIN:
        return "Certain"
    if source.score >= LIKELY:
        return "Likely - check"
    return "Unsure - check"


def to_check(source: Source | None, mandatory: bool) -> bool:
    """Whether a match is shown as one to check: unsure, or missing for a mandatory column."""
    return (source is None and mandatory) or (source is not None and source.score < CERTAIN)


def needs_review(definition: ReturnDefinition, mapping: Mapping, mandatory: Iterable[str],
                 headers: Iterable[str] = ()) -> bool:
    """Show the column matching before the review when a mandatory column is not matched with
    certainty, or a template header (of `headers`) was understood only unsurely. For TEP's
    sheets: when a mandatory column the school fills, or every way of matching TEP's rows to the
    export, was not found with certainty."""
    mandatory = list(mandatory)
    if any(c["certainty"] == "unsure" for c in definition.template_columns(list(headers))):
        return True
    if definition.prepopulated:
        sure = {c for c, s in mapping.items() if is_certain(s)}
        fills = [c for c in definition.school_fills if c in mandatory]
        keys = bool(set(TEP_IDENTIFIERS) & sure) or set(TEP_NAME_KEYS) <= sure
        return not keys or any(c not in sure for c in fills)
    return any(not is_certain(mapping.get(c)) for c in mandatory)

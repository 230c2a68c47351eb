"""Using a column matching the user confirmed before (remembered per return) on a new export or
a newer template: kept where it still fits, matched afresh only where it cannot say."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from tracker_desktop.core.matching.mapping import Mapping
from tracker_desktop.core.reading.table import Table


def fits(remembered: Mapping, table: Table) -> bool:
    """Whether every export column the remembered matching reads is in this export (a renamed
    column means the export changed: the matching is made afresh rather than half-applied)."""
    headers = set(table.headers)
    return all(c in headers for s in remembered.values() if s is not None for c in s.columns)


def merge(remembered: Mapping, proposal: Mapping, targets: Iterable[str]) -> Mapping:
    """The remembered matching, plus the proposal for each column it says nothing about (a newer
    template added columns: match just those). What the user chose, including "not in the
    export", is never replaced by a guess."""
    merged: Mapping = dict(remembered)
    for target in targets:
        if target not in merged:
            merged[target] = proposal.get(target)
    return merged


def choose(remembered: Mapping | None, propose: Callable[[], Mapping], table: Table,
           targets: Iterable[str]) -> tuple[Mapping, bool]:
    """The matching to open a return with, and whether the remembered one was used. `propose`
    matches the export afresh (only called when needed)."""
    if remembered and fits(remembered, table):
        targets = list(targets)
        if all(t in remembered for t in targets):
            return dict(remembered), True
        return merge(remembered, propose(), targets), True
    return propose(), False

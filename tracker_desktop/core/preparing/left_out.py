"""Who a left-out row is: the learner's name as the export has it, read through the column
matching, so the office sees "Morris, Chloé" beside the reason and not only a row number."""
from __future__ import annotations

NAME_PARTS = ("Legal Surname", "Legal Forename")


def left_out_names(prep) -> dict[int, str]:
    """Export row number -> 'Surname, Forename' for each row left out of the return ('' when the
    export has no name for it, or the matching gives no name column)."""
    from tracker_desktop.core.matching.mapping import RowReader

    wanted = {out.source_row for out in prep.left_out}
    if not wanted:
        return {}
    parts = [prep.headers.get(p, p) for p in NAME_PARTS]
    mapping = {h: prep.mapping.get(h) for h in parts if prep.mapping.get(h) is not None}
    if not mapping:
        return {row: "" for row in wanted}
    reader = RowReader(prep.table, mapping)
    names: dict[int, str] = {}
    for row, source_row in zip(prep.table.rows, prep.table.source_rows, strict=True):
        if source_row in wanted:
            values = reader.values(row)
            names[source_row] = ", ".join(v for v in (" ".join(values.get(h, "").split()) for h in parts) if v)
    return {row: names.get(row, "") for row in wanted}

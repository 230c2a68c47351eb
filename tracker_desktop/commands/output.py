"""What several commands print or write the same way: the one-line summary of a prepared return,
the JSON report, and reading a file given on the command line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tracker_desktop.core.errors import UserError


def write_report(path: Path | None, report: dict[str, Any]) -> None:
    """The --report file: replaced on every run (it describes the run, not a return)."""
    if path:
        from tracker_desktop.core.writing.files import write_atomic

        write_atomic(path, json.dumps(report, indent=1, ensure_ascii=False).encode("utf-8"), force=True)


def prep_summary(prep: Any, output: Path | None) -> str:
    counts = prep.counts()
    where = f"wrote {output}" if output else "checked"
    return (f"{where}: {len(prep.learners)} learners, {len(prep.left_out)} left out, "
            f"{counts['errors']} errors, {counts['queries']} queries")


def unsure_lines(prep: Any) -> list[str]:
    """One line for each template header understood only unsurely and each export column matched
    unsurely, as the report's template_columns has them: header names only, never a value."""
    from tracker_desktop.core.matching.mapping import columns_report

    lines = []
    for entry in columns_report(prep.definition, prep.columns, prep.mapping):
        header = entry["header"]
        if entry["certainty"] == "unsure":
            lines.append(f"unsure: the template column '{header}' may be {entry['understood_as']}; it is treated as a "
                         f"column of its own until you say so (\"understood\" in a --mapping file).")
        if entry["match"] == "unsure":
            lines.append(f"unsure: '{header}' is filled from the export's {entry['from']}: check it, or give the "
                         "matching in a --mapping file.")
    return lines


def read_bytes(path: Path) -> bytes:
    """An ordinary file of a sane size only: a pipe or a device would block or never end."""
    from tracker_desktop.core.reading.inputs import read_input

    return read_input(path)

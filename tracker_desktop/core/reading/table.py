"""The export as read: header names and rows of text, each row knowing where it came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Table:
    """Every cell is text exactly as a spreadsheet shows it; nothing is guessed at this stage."""

    source: Path
    headers: list[str]
    rows: list[list[str]]
    source_rows: list[int]  # spreadsheet row number of each row (header and title rows counted)
    sheet: str | None = None
    header_row: int = 1
    notes: list[str] = field(default_factory=list)  # what the reader decided (encoding, sheet...)
    # Rows the reader could only partly make sense of (a stray quote): source row -> what to check.
    damaged: dict[int, str] = field(default_factory=dict)
    # Cells read in another encoding than the rest of the file: (source row, column index) -> the
    # text the file's own encoding would have given, so the change shows as a fix on that cell.
    recoded: dict[tuple[int, int], str] = field(default_factory=dict)

    def column(self, header: str) -> int | None:
        try:
            return self.headers.index(header)
        except ValueError:
            return None

    def __len__(self) -> int:
        return len(self.rows)

"""The export as read: header names and rows of text, each row knowing where it came from."""
from __future__ import annotations

from collections.abc import Callable
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


class Interner:
    """Rows of cells with each repeated value held once: one string object for every 'Kent',
    'Year 13' or '04/09/2024' in a column rather than one per row.

    A county's export is 100k rows of some 30 columns, most of which repeat a few values (gender,
    year, town, course, dates); held once each, the table takes well under half the memory.
    Each column has its own dict; a column that turns out to be nearly all distinct values (UPNs,
    telephone numbers) is let go after the first rows, as its dict would cost more than it saves.
    The strings are equal either way: only how many copies are kept changes."""

    TRIAL_ROWS = 2000  # rows after which a column of nearly all different values is let go
    # Its dict lives only while the export is read, and every repeat it finds is saved for the
    # whole run: so only a column nine-tenths different (UPNs, telephones) is let go, and one of
    # names or e-mails, whose repeats grow with the rows, is kept.
    DISTINCT_SHARE = 0.9

    def __init__(self) -> None:
        self._columns: list[dict[str, str]] = []
        # per column, the look-up giving a cell's kept string: the column's dict's setdefault, or,
        # for a column let go, the get of a dict that stays empty (so the cell itself); both in C
        self._keep: list[Callable[[str, str], str]] = []
        self._rows = 0

    def row(self, cells: list[str]) -> list[str]:
        keep = self._keep
        if len(keep) < len(cells):
            for _ in range(len(cells) - len(keep)):
                self._columns.append({})
                keep.append(self._columns[-1].setdefault)
        self._rows += 1
        if self._rows == self.TRIAL_ROWS:
            for i, seen in enumerate(self._columns):
                if len(seen) > self.TRIAL_ROWS * self.DISTINCT_SHARE:
                    seen.clear()
                    keep[i] = _NOTHING.get
        # keep may be longer (a wider row came before): every cell of this row has its look-up
        return [kept(cell, cell) for kept, cell in zip(keep, cells, strict=False)]


_NOTHING: dict[str, str] = {}  # never holds anything: its get gives back the cell looked up

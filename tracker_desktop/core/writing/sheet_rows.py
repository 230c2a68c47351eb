"""The learners' rows of a return's sheet as XML, written straight from their cleaned text.

A county's return is 100k rows of some 25 cells: the work per cell is kept to a few operations
in C. What a column needs is worked out once (its cell reference's letters, its style, its
kind); a date or number column remembers the XML of each value it has written (a school's dates
are a few thousand days, its year groups a handful), so a value is parsed once, not once per row.

The values are cleaned (cleaning.py, characters.py): one line, XML-1.0-safe. They are still
made sure of here, in bulk: a row is escaped only when it holds & < or >, and a batch of rows is
searched once (in C) for a character XML cannot hold, because a value put in by other means must
never make the sheet unreadable; the workbook is then read back, every part parsed, before it is
saved (verify.py).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

from tracker_desktop.core.values.characters import EXCEL_CELL_LIMIT, xml_safe
from tracker_desktop.core.values.cleaning import parse_date
from tracker_desktop.core.values.numbers import small_number

NUMBER_TYPES = {"ncyear", "whole"}
EXCEL_EPOCH_DAY = dt.date(1899, 12, 30)
EXCEL_FIRST_DAY = dt.date(1900, 3, 1)  # Excel's serials are right only from here (its 1900 leap day)
BATCH_ROWS = 500  # rows turned into bytes at once: few calls into C, little (some 0.6 MB) held at a time
_REMEMBERED = 20_000  # values a date or number column remembers the XML of (a school has far fewer)
_BAD_IN_UTF8 = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF: the XML-unsafe characters above U+001F
_C0_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])  # C0 controls but tab, line feed and return


_TEXT_OPEN = ' t="inlineStr"><is><t'
_KEEP = ' xml:space="preserve"'


def text_tail(text: str) -> str:
    """What follows a text cell's reference and style: an inline string, never a formula
    whatever it starts with. xml:space only where the (escaped) text starts or ends with a
    space, which a reader would otherwise be free to drop."""
    return f'{_TEXT_OPEN}{_KEEP if text.strip() != text else ""}>{text}</t></is></c>'


class _Tails(dict[str, str]):
    """A date or number column's cell XML after the reference, by the value's text."""

    def __init__(self, kind: str, style: str) -> None:
        super().__init__()
        self.kind, self.style = kind, style

    def __missing__(self, text: str) -> str:
        tail = self.make(text)
        if len(self) < _REMEMBERED:
            self[text] = tail
        return tail

    def make(self, text: str) -> str:
        style = self.style
        if self.kind == "date":
            parsed = parse_date(text)
            if parsed is not None and parsed >= EXCEL_FIRST_DAY:
                return f'{style}><v>{(parsed - EXCEL_EPOCH_DAY).days}</v></c>'
            # before Excel's calendar: kept as the text typed
            return style + text_tail(escape(parsed.strftime("%d/%m/%Y") if parsed is not None else text))
        number = small_number(text, digits=15)  # '²' or 5,000 digits stay text, as in cell_value
        return f"><v>{number}</v></c>" if number is not None else style + text_tail(escape(text))


class SheetRows:
    """Turns rows of cleaned text (template order) into the sheet XML of the rows."""

    def __init__(self, letters: Sequence[str], kinds: Sequence[str], styles: dict[str, str]) -> None:
        # per column: the start of its cells' reference, what follows the row number in a text
        # cell (without and with xml:space), and a date or number column's remembered XML
        self.columns: list[tuple[str, str, str, _Tails | None]] = []
        for letter, kind in zip(letters, kinds, strict=True):
            style = f' s="{styles[letter]}"' if styles.get(letter) else ""
            typed = _Tails(kind, style) if kind == "date" or kind in NUMBER_TYPES else None
            self.columns.append((f'<c r="{letter}', f'"{style}{_TEXT_OPEN}>', f'"{style}{_TEXT_OPEN}{_KEEP}>', typed))

    def row(self, r: int, values: Sequence[str]) -> str:
        """One row's XML: an empty cell is not written, nor one too long for Excel (the checks
        call it cell-too-long). The text is escaped, not otherwise changed; xml:space is given
        only where the text starts or ends with a space (as text_tail). One comprehension, as
        this runs for every cell of the return."""
        number = str(r)
        joined = "\n".join(values)
        shown = [escape(v) for v in values] if ("&" in joined or "<" in joined or ">" in joined) else values
        limit = EXCEL_CELL_LIMIT
        cells = [f'{head}{number}"{typed[text]}' if typed is not None
                 else f"{head}{number}{plain if safe.strip() == safe else keep}{safe}</t></is></c>"
                 for (head, plain, keep, typed), text, safe in zip(self.columns, values, shown, strict=True)
                 if text and len(text) <= limit]
        return f'<row r="{number}">{"".join(cells)}</row>'

    def batches(self, rows: Iterable[Sequence[str]], first: int) -> Iterator[bytes]:
        """The rows' XML from sheet row `first` on, as UTF-8, BATCH_ROWS rows at a time."""
        chunk: list[str] = []
        row = self.row
        for r, values in enumerate(rows, start=first):
            chunk.append(row(r, values))
            if len(chunk) >= BATCH_ROWS:
                yield safe_bytes("".join(chunk))
                chunk = []
        if chunk:
            yield safe_bytes("".join(chunk))


def safe_bytes(xml: str) -> bytes:
    """Sheet XML as UTF-8, with any character XML 1.0 cannot hold replaced (xml_safe): the
    markup itself never holds one, so the batch can be made safe whole. Checked on the bytes,
    which are needed anyway: a lone surrogate does not encode, and the others are C0 control
    bytes or the encodings of U+FFFE and U+FFFF."""
    try:
        data = xml.encode("utf-8")
    except UnicodeEncodeError:
        return xml_safe(xml).encode("utf-8")
    specials = b"\xef\xbf" in data and any(bad in data for bad in _BAD_IN_UTF8)  # U+FFxx: rare, one search
    if specials or len(data.translate(None, _C0_BYTES)) != len(data):
        return xml_safe(xml).encode("utf-8")
    return data

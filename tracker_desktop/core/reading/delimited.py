"""Delimited text (CSV, tab, semicolon, bar) as rows of cells, losing no learner.

Encodings are decided per line when the file is mixed (BOM -> strict UTF-8 -> Windows-1252): an
export pasted together from two sources, or one name typed on another machine, must not let one
stray byte decide the whole file (`SiobhÃ¡n`, or control characters for curly quotes). The lines
read in another encoding than the rest are recorded.

A stray quote mark at the start of a field makes a CSV reader run on to the next quote, taking
the rows in between into one cell. A record spanning lines is accepted only when it looks like
a real multi-line field (an address block): its quotes balance, it has as many fields as the
export's other rows, and no line inside it looks like a whole row. Otherwise the line holding
the stray quote is read on its own, split at each delimiter, and marked damaged for the user to
check; the lines after it are read as the rows they are. So the rows read always match the
lines of the file, and no learner is silently lost.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from tracker_desktop.core.reading.table import Interner

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# C1 control characters (U+0080-U+009F) in decoded text are Windows-1252 characters that went
# through a Latin-1 step somewhere upstream: their real meaning is the Windows-1252 one.
_C1 = re.compile("[\x80-\x9f]")
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
REPLACEMENT = "\ufffd"
NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}


@dataclass
class Decoded:
    """Text of a file, and what the decoding had to decide line by line (1-based line numbers)."""

    text: str
    encoding: str  # the encoding of most of the file
    other_lines: dict[int, str] = field(default_factory=dict)  # line -> the encoding it needed
    unreadable_lines: list[int] = field(default_factory=list)  # lines with a byte no encoding holds


def decode(data: bytes) -> Decoded:
    marks = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, name in marks:
        if data.startswith(bom):
            if name == "utf-8":
                return _decode_8bit(data, bom=True)
            return _decode_utf16(data[len(bom):], name)
    # UTF-16 without a BOM shows as every other byte being NUL.
    sample = data[:4000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) < len(sample) // 8:
        return _decode_utf16(data, "utf-16-le")
    return _decode_8bit(data, bom=False)


def _decode_utf16(data: bytes, name: str) -> Decoded:
    text = data.decode(name, errors="replace")
    unreadable = []
    if REPLACEMENT in text:
        unreadable = [i + 1 for i, line in enumerate(io.StringIO(text, newline="")) if REPLACEMENT in line]
    return Decoded(_repair_c1(text), "utf-16", {}, unreadable)


def _decode_8bit(data: bytes, bom: bool) -> Decoded:
    """`data` still starts with its UTF-8 byte-order mark when `bom`: it is decoded past the mark
    through a memoryview, not from a copy of a county's export without its first three bytes."""
    start = len(codecs.BOM_UTF8) if bom else 0
    try:
        text = str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _with_c1_repaired(Decoded(text, "utf-8-sig" if bom else "utf-8"))
    data = data[start:]
    parts = _LINE_BREAK.split(data)
    breaks = _LINE_BREAK.findall(data)
    decoded: list[str] = []
    kinds: list[str | None] = []  # None: plain ASCII, the same in every encoding
    unreadable: list[int] = []
    for number, raw in enumerate(parts, start=1):
        if raw.isascii():
            decoded.append(raw.decode("ascii"))
            kinds.append(None)
            continue
        try:
            decoded.append(raw.decode("utf-8"))
            kinds.append("utf-8")
            continue
        except UnicodeDecodeError:
            pass
        kinds.append("windows-1252")
        try:
            decoded.append(raw.decode("cp1252"))
        except UnicodeDecodeError:
            # One of the five bytes Windows-1252 leaves undefined: no encoding an MIS writes holds
            # it, so it is shown as the replacement character (never a control character).
            decoded.append(raw.decode("cp1252", errors="replace"))
            unreadable.append(number)
    counts = Counter(k for k in kinds if k)
    main = "utf-8" if bom or counts["utf-8"] >= counts["windows-1252"] else "windows-1252"
    other = {n: k for n, k in enumerate(kinds, start=1) if k and k != main}
    ends = [b.decode("ascii") for b in breaks] + [""]
    text = "".join(line + end for line, end in zip(decoded, ends, strict=True))
    label = ("utf-8-sig" if bom else "utf-8") if main == "utf-8" else main
    return _with_c1_repaired(Decoded(text, label, other, unreadable))


def _with_c1_repaired(decoded: Decoded) -> Decoded:
    if not _C1.search(decoded.text):
        return decoded
    lines = io.StringIO(decoded.text, newline="").readlines()
    for number, line in enumerate(lines, start=1):
        if _C1.search(line):
            decoded.other_lines.setdefault(number, "windows-1252")
            if any(ord(ch) in _CP1252_UNDEFINED for ch in line):
                decoded.unreadable_lines.append(number)
    decoded.text = _repair_c1(decoded.text)
    decoded.unreadable_lines = sorted(set(decoded.unreadable_lines))
    return decoded


def _repair_c1(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = ord(m.group(0))
        return REPLACEMENT if code in _CP1252_UNDEFINED else bytes([code]).decode("cp1252")

    return _C1.sub(one, text)


def looks_binary(text: str) -> bool:
    """A binary file, judged on the whole text so a NUL counts the same wherever it is: text
    exports hold almost no control characters, binary files many."""
    if not text:
        return False
    # one regex scan in C (str.translate with a dict looks every character up: seconds at 100k rows)
    controls = len(_CONTROLS.findall(text))
    return controls > len(text) * 0.02


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def sniff_delimiter(text: str, known: set[str], fold, lines_to_look_at: int) -> str:
    lines = [ln for ln in _first_lines(text, lines_to_look_at) if ln.strip()]
    best, best_score = ",", (-1, -1)
    for delim in (",", "\t", ";", "|"):
        counts = [ln.count(delim) for ln in lines]
        if not counts:
            continue
        top = max(counts)
        # The delimiter that splits a line into known column headings wins (a tab-separated file
        # whose addresses hold commas); otherwise the one that splits the most lines into the
        # most, steady fields.
        hits = max(sum(1 for cell in ln.split(delim) if fold(cell.strip().strip('"')) in known) for ln in lines)
        score = (hits, top * sum(1 for c in counts if c == top))
        if score > best_score:
            best, best_score = delim, score
    return best


def _first_lines(text: str, count: int) -> list[str]:
    """text.splitlines()[:count], splitting only as much of the text as holds them (a county's
    export would otherwise be made into 100k line strings just to look at the first few). A
    piece holding more than `count` lines has the first `count` whole, ended inside it."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) > count:
            return lines[:count]
        size *= 4
    return text.splitlines()[:count]


@dataclass
class Records:
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on
    damaged: dict[int, str]  # row index -> why it was read line by line
    # each row's cells are kept as one shared string per repeated value (see table.Interner)
    interner: Interner = field(default_factory=Interner)

    def add(self, cells: list[str], line: int) -> None:
        self.rows.append(self.interner.row(cells))
        self.lines.append(line)


def split_records(decoded: Decoded, delimiter: str) -> Records:
    """The records of the decoded text. The text itself is let go once it is split into lines
    (decoded.text is emptied): the lines hold it, and a county's export is tens of MB."""
    lines = _lines_of(decoded.text)
    decoded.text = ""
    width = _usual_width(lines, delimiter)
    out = Records([], [], {})
    start = 0
    while start < len(lines):
        bad = _read_from(lines, start, delimiter, width, out)
        if bad is None:
            break
        line = lines[bad]
        out.damaged[len(out.rows)] = (
            f"line {bad + 1} of the export has an unmatched quote mark (\"): it was read on its own, "
            f"split at each {NAMES.get(delimiter, delimiter)}. Check this learner's details against the MIS")
        out.add(_split_plainly(line, delimiter), bad + 1)
        start = bad + 1
    out.interner = Interner()  # its dicts are needed no more
    return out


def _lines_of(text: str) -> list[str]:
    """The lines of text with their ends, split at \\n, \\r and \\r\\n only (as a CSV reader and
    io.StringIO(newline="") do). str.splitlines does that in C without StringIO's copy of the
    text (four bytes a character) but also splits at a few rare characters (form feed, U+2028...):
    where it did, a line ends in one of them, and the file is split the careful way instead."""
    lines = text.splitlines(keepends=True)
    if all(line[-1] in "\r\n" for line in lines[:-1]):
        return lines
    return io.StringIO(text, newline="").readlines()


def _read_from(lines: list[str], start: int, delimiter: str, width: int, out: Records) -> int | None:
    """Read records from line `start` into `out`; the index of the first line that begins a
    damaged record, or None at the end of the file."""
    reader = csv.reader(iter(lines[start:]) if start else iter(lines), delimiter=delimiter)
    consumed = 0
    while True:
        first = start + consumed
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error:  # a field larger than the reader holds: a quote that never closed
            return first
        last = start + reader.line_num
        span = lines[first:last]
        if (last - first > 1 or '"' in span[0]) and not _real_multiline(span, cells, delimiter, width):
            return first
        out.add(cells, first + 1)
        consumed = reader.line_num


def _usual_width(lines: list[str], delimiter: str) -> int:
    """The number of fields most one-line rows have (quotes on a line balanced)."""
    counts: Counter[int] = Counter()
    for line in lines[:2000]:
        if line.strip() and line.count('"') % 2 == 0:
            counts[len(next(csv.reader([line], delimiter=delimiter), []))] += 1
    return counts.most_common(1)[0][0] if counts else 0


def _real_multiline(span: list[str], cells: list[str], delimiter: str, width: int) -> bool:
    if sum(line.count('"') for line in span) % 2:
        return False  # a quote that never closed (it ran to the end of the file), or a stray one
    if len(span) > 1 and width >= 3:
        if len(cells) != width:
            return False
        if any(line.count(delimiter) >= width - 1 for line in span[1:-1]):
            return False  # a whole row inside one field
    return True


def _split_plainly(line: str, delimiter: str) -> list[str]:
    cells = line.rstrip("\r\n").split(delimiter)
    out = []
    for cell in cells:
        value = cell.strip()
        if value.startswith('"'):
            value = value[1:]
        if value.endswith('"'):
            value = value[:-1]
        out.append(value.replace('""', '"'))
    return out

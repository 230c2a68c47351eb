"""Characters a return's cell must not hold, and what takes their place.

- XML 1.0 (the inside of an .xlsx) cannot hold C0 control characters other than tab, line feed
  and carriage return, U+FFFE, U+FFFF or a lone surrogate (what a wrongly decoded byte can
  become): one of them makes the sheet unreadable. Control characters become a space; the
  others become U+FFFD, the replacement character, so the reader sees where something was lost.
- Every cell of a return is one line: a line break (typed in the MIS with Alt+Enter, or pasted)
  becomes a space, as does a tab.
- Right-to-left overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069) make a name
  show in a different order from the one it is stored in, so what is checked on screen is not
  what is sent: they are removed. (Plain right-to-left text, Arabic or Hebrew names, needs none
  of them and is kept as it is.)
Each change differs from what the export said, so it is recorded as a fix the user sees.
"""
from __future__ import annotations

import re

EXCEL_CELL_LIMIT = 32_767  # characters an Excel cell holds

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAKS = re.compile(r"(?:\r\n|[\t\n\r\x0b\x0c\x85\u2028\u2029])+")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"
# Any character one_line changes: almost no value has one, and one search says so.
_ANY_CHANGED = re.compile("[\x00-\x1f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# Whether one_line would change a text (a match) or not (None): a cleaner asks this first, inline.
needs_one_line = _ANY_CHANGED.search


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 cannot hold replaced (nothing else changed)."""
    if _NOT_XML.search(text) is None:
        return text
    return _NOT_XML.sub(REPLACEMENT, _CONTROLS.sub(" ", text))


def one_line(text: str) -> str:
    """A cell's value as the return holds it: one line, no direction overrides, XML-safe."""
    if _ANY_CHANGED.search(text) is None:
        return text
    return xml_safe(_BIDI_CONTROLS.sub("", _LINE_BREAKS.sub(" ", text)))

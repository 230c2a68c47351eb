"""Whole numbers from text the export holds (a year group, a contact's order, a code).

`str.isdigit()` is true for superscript and other digits `int()` refuses ('²'), and `int()`
refuses more than 4,300 digits: either way a value in a cell would end in a traceback. Only
ASCII digits, and few enough of them to be a real number of the kind asked for, are numbers.
"""
from __future__ import annotations

from typing import overload


# With a whole-number default the answer is always a number (the caller sorts or compares with it).
@overload
def small_number(text: str, default: int, digits: int = 9) -> int: ...
@overload
def small_number(text: str, default: None = None, digits: int = 9) -> int | None: ...
def small_number(text: str, default: int | None = None, digits: int = 9) -> int | None:
    """The whole number `text` is written as (ASCII digits, at most `digits` of them), else `default`."""
    value = text.strip()
    if value and len(value) <= digits and value.isascii() and value.isdigit():
        return int(value)
    return default


def is_small_number(text: str, digits: int = 9) -> bool:
    return small_number(text, None, digits) is not None

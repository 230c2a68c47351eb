"""Comparing words the way the office reads them."""
from __future__ import annotations


def fold(text: object) -> str:
    """A header or name as compared: case, spaces and punctuation do not matter
    ('Date of Birth', 'DATE_OF_BIRTH' and 'date-of-birth' are the same)."""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())

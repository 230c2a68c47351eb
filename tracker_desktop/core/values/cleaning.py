"""Cleaning: one small function per kind of value. Each returns the value the return will hold;
the caller records a Fix whenever that differs from what the export said.

A value that cannot be cleaned safely is returned trimmed but otherwise as it was, for the
checks to flag: cleaning never guesses.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache, lru_cache

from tracker_desktop.core.returns.definitions import ColumnMeaning, code_lists
from tracker_desktop.core.values.characters import needs_one_line, one_line

DATE_SHOWN = "%d/%m/%Y"
EXCEL_EPOCH = dt.date(1899, 12, 30)
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORDY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ \-]([A-Za-z]{3,9})[ \-,]+(\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
_NC_YEAR = re.compile(r"(?:nc\s*)?(?:year|yr|y)?\s*(\d{1,2})(?:\.0+)?", re.I)
_SPACES = re.compile(r"\s+")
_WHOLE_FLOAT = re.compile(r"\d+\.0+")
_EXTENSION = re.compile(r"(?i)\s*(?:ext|x)\.?\s*\d+$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$")


def clean(meaning: ColumnMeaning, text: str) -> str:
    # characters no cell can hold, line breaks and direction overrides first (characters.py)
    value = one_line(text).strip()
    if not value:
        return ""
    cleaner = _CLEANERS.get(meaning.type)
    if cleaner is None:
        return value
    if meaning.type == "code":
        return clean_code(value, meaning.codes)
    return cleaner(value)


def parse_date(text: str) -> dt.date | None:
    """A date from dd/mm/yyyy (UK order, never US), ISO, '4 Sep 2024' or an Excel serial number."""
    found = _parsed(text.strip())
    if type(found) is tuple:
        # Two-digit years: a pupil's dates are within living memory, never the future's.
        day, month, year = found
        year += 2000 if year <= (dt.date.today().year % 100) + 1 else 1900
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    return found  # type: ignore[return-value]


# One date is read when it is tidied, when the return's scope is decided, by two or three checks
# and when it is written: the text is parsed once, and looked up after that. A school's dates
# are a few thousand different days, so the cache holds all of them.
@lru_cache(maxsize=1 << 16)
def _parsed(text: str) -> dt.date | tuple[int, int, int] | None:
    m = _DMY.match(text)
    try:
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if len(m.group(3)) == 2:
                return (day, month, year)  # the century depends on today: decided by parse_date
            return dt.date(year, month, day)
        m = _YMD.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _WORDY.match(text)
        if m and m.group(2)[:3].lower() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
        if _SERIAL.match(text):
            serial = int(float(text))
            if 1 <= serial <= 80000:  # 80000 is the year 2119: no longer a serial beyond
                return EXCEL_EPOCH + dt.timedelta(days=serial)
    except ValueError:
        return None
    return None


def clean_date(text: str) -> str:
    parsed = parse_date(text)
    return _same(text, parsed.strftime(DATE_SHOWN)) if parsed else text


def clean_nc_year(text: str) -> str:
    m = _NC_YEAR.fullmatch(text.strip())
    return str(int(m.group(1))) if m else text


# A value tidied into the text it already was is given back as that text, not an equal copy: a
# county's return then holds each value once, with the export (the cleaners below and `_same`).
def _same(text: str, tidied: str) -> str:
    return text if tidied == text else tidied


def clean_postcode(text: str) -> str:
    compact = _SPACES.sub("", text).upper()
    if _POSTCODE.match(compact):
        return _same(text, f"{compact[:-3]} {compact[-3:]}")
    return _same(text, " ".join(text.upper().split()))


def is_postcode(text: str) -> bool:
    return bool(_POSTCODE.match(text)) and " " in text


def phone_digits(text: str) -> str:
    """Digits of a UK number with a lost leading zero restored (Excel stores 07911... as 7911...)."""
    value = text.strip()
    digits = value.replace(" ", "")
    # Most numbers are digits and spaces: no extension, punctuation or '.0' for the patterns to take.
    if not (digits.isascii() and digits.isdigit()):
        if _WHOLE_FLOAT.fullmatch(value):
            value = value.split(".")[0]
        value = _EXTENSION.sub("", value)
        digits = _PHONE_PUNCTUATION.sub("", value)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].lstrip("0")
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    if digits.isascii() and digits.isdigit() and len(digits) == 10 and digits[0] in "123578":
        digits = "0" + digits
    return digits


@lru_cache(maxsize=8192)  # tidied then checked straight after: the second look is free
def phone_facts(digits: str) -> tuple[bool, str]:
    """(valid, national format) of a UK number's digits."""
    from tracker_desktop.core.values.phones import uk_number

    return uk_number(digits)


def clean_phone(text: str) -> str:
    valid, national = phone_facts(phone_digits(text))
    return _same(text, national) if valid else text  # only a real number is tidied; the check flags the rest


def tidied_phone(text: str) -> tuple[str, bool]:
    """clean_phone's value, and whether that value is a valid number as it stands (the check
    then takes it as read)."""
    valid, national = phone_facts(phone_digits(text))
    if not valid:
        return text, False
    if national == text:  # written as it should be already (most are): the same digits
        return text, True
    return national, phone_facts(phone_digits(national))[0]


def clean_upn(text: str) -> str:
    return _same(text, _SPACES.sub("", text).upper())


def clean_uln(text: str) -> str:
    value = _SPACES.sub("", text)
    return value.split(".")[0] if _WHOLE_FLOAT.fullmatch(value) else value


def clean_aim(text: str) -> str:
    return _same(text, _SPACES.sub("", text).upper())


@lru_cache(maxsize=16384)
def code_of(text: str, list_name: str | None) -> str | None:
    """The code a value stands for: a bare code, 'code - label' (or '310-Apprenticeship',
    '310 Apprenticeship'), the label or its short form after the dash, a known alias, or any
    wording that means that code and no other (code_words)."""
    if not list_name:
        return text
    codes, labels = _code_index(list_name)
    value = " ".join(text.split())
    if _WHOLE_FLOAT.fullmatch(value):
        value = value.split(".")[0]
    upper = value.upper()
    if upper in codes:
        return codes[upper]
    m = re.match(r"^([0-9A-Za-z]{1,4})\s*[-–:]\s*\S", value) or re.match(r"^(\d{1,4})\s+[A-Za-z]", value)
    if m and m.group(1).upper() in codes:
        return codes[m.group(1).upper()]
    found = labels.get(_fold_label(value)) or code_lists().get("aliases", {}).get(list_name, {}).get(upper)
    if found:
        return found
    meant = code_candidates(value, list_name)
    return meant[0] if len(meant) == 1 else None


@lru_cache(maxsize=4096)
def code_candidates(text: str, list_name: str) -> tuple[str, ...]:
    """Every code a label could mean by its words (code_words): one when code_of finds it, several
    when it is ambiguous (the check then names them), none when it means nothing in the list."""
    from tracker_desktop.core.values.code_words import candidates

    return candidates(text, list_name)


@cache
def _code_index(list_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """Codes by upper case, and codes by folded label (full, and the part after the last dash
    when that part is unique in the list, e.g. 'sixth-form college' for 220)."""
    listed: dict[str, str] = code_lists().get(list_name, {})
    codes = {c.upper(): c for c in listed}
    labels = {_fold_label(label): code for code, label in listed.items()}
    short: dict[str, list[str]] = {}
    for code, label in listed.items():
        if " - " in label:
            short.setdefault(_fold_label(label.rsplit(" - ", 1)[1]), []).append(code)
    for key, found in short.items():
        if len(found) == 1:
            labels.setdefault(key, found[0])
    return codes, labels


def _fold_label(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("–", "-")).strip()


def clean_code(text: str, list_name: str | None) -> str:
    code = code_of(text, list_name)
    return code if code is not None else text


def ehcp_from_sen(text: str) -> str:
    """NCCIS counts only an EHC plan as SEND: SIMS SEN status E is Y; K (support) and N are N."""
    value = text.strip().upper()
    m = re.match(r"^([A-Z])\s*[-–:]\s", value)  # 'K - SEN Support', 'E - EHC Plan'
    if m:
        value = m.group(1)
    if value in ("E", "EHC", "EHCP", "EHC PLAN", "S", "STATEMENT") or "EDUCATION, HEALTH" in value \
            or "EHC PLAN" in value:
        return "Y"
    if value in ("", "N", "K", "NONE", "NO SEN", "SEN SUPPORT", "A", "P") or value.startswith(("NO ", "NOT ")):
        return "N"  # 'No Special Educational Need', 'Not SEN'...
    return text.strip()


def as_read(text: str, how: str = "value") -> str:
    """A value as read from its export column: a SEN status column feeding the EHCP column is
    read as Y or N (every other way of reading keeps the text as it is)."""
    return ehcp_from_sen(text) if how == "sen" else text


def cleaner_for(meaning: ColumnMeaning, how: str = "value",
                valid_phones: set[str] | None = None) -> Callable[[str], str]:
    """`clean_read` for one column, worked out once: a build cleans every cell of a column the
    same way, so the column's type, code list and way of reading are looked up once, not per cell.
    `valid_phones`: for a telephone column, each value found to be a valid number is added."""
    kind, codes = meaning.type, meaning.codes
    typed: Callable[[str], str] | None
    if kind == "code":
        def typed(value: str) -> str:
            return clean_code(value, codes)
    elif kind == "phone" and valid_phones is not None:
        noted = valid_phones.add

        def typed(value: str) -> str:
            tidied, valid = tidied_phone(value)
            if valid:
                noted(tidied)
            return tidied
    else:
        typed = None if kind in ("text", "email") else _CLEANERS.get(kind)
    if how == "sen":
        def cleaned(text: str) -> str:
            value = one_line(ehcp_from_sen(text)).strip()
            if not value or typed is None:
                return value
            return typed(value)
    elif typed is None:  # most columns: a value needs no more than one line and its spaces trimmed
        def cleaned(text: str) -> str:
            return (text if needs_one_line(text) is None else one_line(text)).strip()
    else:
        def cleaned(text: str) -> str:
            value = (text if needs_one_line(text) is None else one_line(text)).strip()
            return typed(value) if value else value
    return cleaned


# Kinds of value a roll holds few different ones of (dates of birth, year groups, codes): a build
# cleans each different text once and looks the rest up (remembering, below).
REPEATING = frozenset({"date", "ncyear", "code", "aim"})


def remembering(cleaner: Callable[[str], str], limit: int = 50_000) -> Callable[[str], str]:
    """A cleaner that cleans each different text once (cleaners are pure). Kept in memory only,
    for one build, and at most `limit` texts: a column whose values do not repeat stops growing it."""
    memo: dict[str, str] = {}

    def cleaned(text: str) -> str:
        found = memo.get(text)
        if found is None:
            found = cleaner(text)
            if len(memo) < limit:
                memo[text] = found
        return found
    return cleaned


def clean_read(meaning: ColumnMeaning, text: str, how: str = "value") -> str:
    """A value read from the export with `how` (the mapping's way of reading it), cleaned for its column."""
    return clean(meaning, as_read(text, how))


_CLEANERS = {
    "date": clean_date,
    "ncyear": clean_nc_year,
    "postcode": clean_postcode,
    "phone": clean_phone,
    "upn": clean_upn,
    "uln": clean_uln,
    "aim": clean_aim,
    "code": lambda v: v,
    "email": lambda v: v,
    "text": lambda v: v,
}

"""UK telephone numbers, checked and formatted exactly as `phonenumbers` does, but fast.

phonenumbers recompiles (from its cache) every pattern on every call: about 40 microseconds a
number, which made telephone columns most of the time of preparing a large return. For the
common shape - a national number starting 0 - this replays phonenumbers' own GB metadata with
the patterns compiled once; anything else goes to phonenumbers itself. A test compares the two
on many random numbers.
"""
from __future__ import annotations

import re
from functools import lru_cache

_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
          "fixed_line", "mobile")


def _desc(desc):
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


def _matches(nsn: str, desc) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(nsn) not in lengths:
        return False
    return pattern.fullmatch(nsn) is not None


class _Region:
    def __init__(self, metadata):
        self.leading = re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
        self.general = _desc(metadata.general_desc)
        descs = [getattr(metadata, name) for name in _TYPES]
        descs = [d for d in descs if d is not None and d.national_number_pattern]
        # One alternation per number length, of the types allowing that length: a single match
        # does what trying each type's pattern in turn does.
        self.by_length = {}
        for length in range(4, 18):
            patterns = [d.national_number_pattern for d in descs
                        if not d.possible_length or length in d.possible_length]
            if patterns:
                self.by_length[length] = re.compile("|".join(f"(?:{p})" for p in patterns))

    def valid(self, nsn: str) -> bool:
        typed = self.by_length.get(len(nsn))
        return typed is not None and _matches(nsn, self.general) and typed.fullmatch(nsn) is not None


class _Format:
    def __init__(self, number_format):
        from phonenumbers.phonenumberutil import _FIRST_GROUP_PATTERN

        leading = number_format.leading_digits_pattern
        self.leading = re.compile(leading[-1]) if leading else None
        self.pattern = re.compile(number_format.pattern)
        rule = number_format.format
        if number_format.national_prefix_formatting_rule:
            rule = re.sub(_FIRST_GROUP_PATTERN, number_format.national_prefix_formatting_rule, rule, count=1)
        self.rule = rule
        # The rule as pieces, so that a number is written out without re-reading the rule's text
        # each time: literal, group, literal, ... ('0\\1 \\2' is '0', 1, ' ', 2, '').
        pieces = re.split(r"\\(\d)", rule)
        literals, groups = pieces[::2], [int(g) for g in pieces[1::2]]
        self.expand = None if any("\\" in text for text in literals) else _expander(literals, groups)

    def written(self, nsn: str) -> str:
        """The number written by this format's rule (what re.sub with the rule gives)."""
        if self.expand is None:
            return self.pattern.sub(self.rule, nsn)
        return self.pattern.sub(self.expand, nsn)


def _expander(literals: list[str], groups: list[int]):
    """A replacement function doing what the rule's text does in re.sub (an unmatched group is empty)."""
    last = literals[-1]
    pairs = list(zip(literals[:-1], groups, strict=True))  # (literal before the group, group)

    def expand(match: re.Match) -> str:
        group = match.group
        return "".join([text + (group(g) or "") for text, g in pairs]) + last
    return expand


@lru_cache(maxsize=1)
def _uk():
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    regions = [_Region(PhoneMetadata.metadata_for_region(code)) for code in COUNTRY_CODE_TO_REGION_CODE[44]]
    gb = PhoneMetadata.metadata_for_region("GB")
    assert gb is not None, "phonenumbers always carries the GB metadata (the UK is its country code 44)"
    formats = [_Format(f) for f in gb.number_format]
    return regions, formats


def _fast(nsn: str) -> tuple[bool, str]:
    regions, formats = _uk()
    valid = False
    for candidate in regions:  # as phonenumbers.region_code_for_number: GB, GG, IM, JE
        if candidate.leading is not None:
            if candidate.leading.match(nsn):
                valid = candidate.valid(nsn)
                break
        elif candidate.valid(nsn):
            valid = True
            break
    if not valid:
        return False, ""
    for fmt in formats:
        if (fmt.leading is None or fmt.leading.match(nsn)) and fmt.pattern.fullmatch(nsn):
            return True, fmt.written(nsn)
    return True, nsn


def _slow(digits: str) -> tuple[bool, str]:
    import phonenumbers

    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        return False, ""
    if not phonenumbers.is_valid_number(number):
        return False, ""
    return True, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def uk_number(digits: str) -> tuple[bool, str]:
    """(valid, national format) for the digits of a number dialled in the UK."""
    if not (digits.isascii() and digits.isdigit()):  # never superscript or other digits
        return False, ""
    national = digits[0] == "0" and digits[1:2] not in ("", "0") and 9 <= len(digits) <= 11
    if national and not digits.startswith("0180020"):
        return _fast(digits[1:])
    return _slow(digits)

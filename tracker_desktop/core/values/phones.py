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
        self.pieces: tuple[list[tuple[str, int]], str] | None = None
        if not any("\\" in text for text in literals):
            self.pieces = list(zip(literals[:-1], groups, strict=True)), literals[-1]
        # A pattern of digit groups only, '(\\d{3})(\\d{4,5})', fits every number of digits of a
        # length it allows, and nothing else: which lengths, so that other formats are not tried.
        groups_only = _DIGIT_GROUPS.fullmatch(number_format.pattern)
        spans = [(int(a), int(b or a)) for a, b in _DIGIT_GROUP.findall(number_format.pattern)] if groups_only else []
        self.lengths = range(sum(a for a, _ in spans), sum(b for _, b in spans) + 1) if spans else None
        # Then the one match of the pattern in a number of such a length is the whole number: what
        # re.sub writes is the rule with the match's groups.
        self.whole = bool(spans) and all(a >= 1 for a, _ in spans) and self.pieces is not None

    def written(self, nsn: str, match: re.Match) -> str:
        """The number written by this format's rule (what re.sub with the rule gives), `match`
        being the pattern's full match of it."""
        if self.whole and self.pieces is not None:
            pairs, last = self.pieces
            group = match.group
            return "".join([text + (group(g) or "") for text, g in pairs]) + last
        return self.pattern.sub(self.rule, nsn)


_DIGIT_GROUP = re.compile(r"\(\\d\{(\d+)(?:,(\d+))?\}\)")
_DIGIT_GROUPS = re.compile(r"(?:\(\\d\{\d+(?:,\d+)?\}\))+")


@lru_cache(maxsize=1)
def _uk():
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    regions = [_Region(PhoneMetadata.metadata_for_region(code)) for code in COUNTRY_CODE_TO_REGION_CODE[44]]
    gb = PhoneMetadata.metadata_for_region("GB")
    assert gb is not None, "phonenumbers always carries the GB metadata (the UK is its country code 44)"
    formats = [_Format(f) for f in gb.number_format]
    # The formats a number of each length could take, in their order (a format whose pattern is
    # not digit groups alone is tried at every length)
    by_length = {n: [f for f in formats if f.lengths is None or n in f.lengths] for n in range(1, 18)}
    return regions, by_length


def _fast(nsn: str) -> tuple[bool, str]:
    regions, by_length = _uk()
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
    for fmt in by_length[len(nsn)]:  # national numbers of 9-11 digits: 8-10 after the 0
        if fmt.leading is None or fmt.leading.match(nsn):
            match = fmt.pattern.fullmatch(nsn)
            if match is not None:
                return True, fmt.written(nsn, match)
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

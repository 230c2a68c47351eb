"""UPN and ULN checks (DOMAIN.md section 5), written out rather than taken from python-stdnum,
whose UPN check also rejects LA numbers missing from its own fixed list (no LA created since
2019). Our list of LA numbers is data: templates/la_numbers.json."""
from __future__ import annotations

import re
from functools import cache

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
ULN_NOT_KNOWN = "9999999999"
_UPN_SHAPE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


# What each character of a UPN counts for in its check: a digit its value, a letter its place in the alphabet.
_WORTH = {**{ch: i for i, ch in enumerate(CHECK_ALPHABET)}, **{str(d): d for d in range(10)}}


def upn_check_letter(upn: str) -> str:
    """The check letter for characters 2-13 of a UPN (a final letter counts as its alphabet position)."""
    try:  # every UPN of the usual characters, looked up
        return CHECK_ALPHABET[sum([w * _WORTH[ch] for w, ch in enumerate(upn[1:13], start=2)]) % 23]
    except KeyError:
        pass  # another character: counted (or refused) as below
    total = 0
    for weight, ch in enumerate(upn[1:13], start=2):
        total += weight * (CHECK_ALPHABET.index(ch) if ch.isalpha() else int(ch))
    return CHECK_ALPHABET[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why a UPN is not valid, in plain words, or None when it is valid (temporary ones included)."""
    if len(upn) != 13:
        return f"a UPN has 13 characters; this has {len(upn)}"
    if not _UPN_SHAPE.match(upn) or (upn[12].isalpha() and upn[12] not in CHECK_ALPHABET):
        return "a UPN is a letter, 11 digits, then a digit or (temporary UPN) a letter"
    if upn[0] not in CHECK_ALPHABET:
        return f"'{upn[0]}' is never a UPN check letter"
    if upn_check_letter(upn) != upn[0]:
        return "the check letter does not match the rest of the UPN (a character was mistyped)"
    if upn[1:4] not in la_numbers():
        return (f"characters 2-4 ('{upn[1:4]}') should be the number of the LA that issued it, "
                "and no LA of England or Wales has that number")
    return None


@cache
def la_numbers() -> frozenset[str]:
    """The LA numbers a UPN can carry: England, Wales and authorities since merged."""
    from tracker_desktop.core.returns.definitions import load_data_file

    listed = load_data_file("la_numbers.json")
    return frozenset(number for group, numbers in listed.items() if not group.startswith("_") for number in numbers)


def is_temporary_upn(upn: str) -> bool:
    return len(upn) == 13 and upn[12].isalpha()


def uln_problem(uln: str) -> str | None:
    """Why a ULN is not valid, or None (9999999999, 'not known', is valid but a query)."""
    if uln == ULN_NOT_KNOWN:
        return None
    if len(uln) != 10 or not (uln.isascii() and uln.isdigit()):
        return "a ULN is 10 digits"
    if uln[0] == "0":
        return "a ULN never starts with 0"
    total = sum(int(d) * w for d, w in zip(uln[:9], range(10, 1, -1), strict=True))
    remainder = total % 11
    if remainder == 0 or 10 - remainder != int(uln[9]):
        return "the check digit does not match the rest of the ULN (a digit was mistyped)"
    return None

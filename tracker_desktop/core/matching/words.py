"""Header names understood by the meaning of their words, not their exact spelling.

SIMS Report Designer names fields after its own data model and offices rename columns freely
('Year Taught In', 'Primary Contact Telephone (Priority 1)', 'Address: Post Code'), and KCC may
rename a template column ('Parent/Carer Phone Number'). Both sides go through the same steps:
the header is split into words, case, punctuation and brackets are dropped, phrases and words
that mean the same are replaced by one concept, and two headers are compared as sets of concepts.
The same comparison serves export headers and template headers.
"""
from __future__ import annotations

import re
from functools import lru_cache

from tracker_desktop.core.values.text import fold

# How sure a score is (what is sure, what is to be confirmed) is decided in certainty.py, once.

# Phrases first (longest first), so 'first name' is a forename before 'first' means the main one.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("national curriculum year group", "ncyear"), ("national curriculum year", "ncyear"),
    ("nc year group", "ncyear"), ("nc year actual", "ncyear"), ("curriculum year", "ncyear"),
    ("year taught in", "ncyear"), ("year group", "ncyear"), ("nc year", "ncyear"), ("year of study", "ncyear"),
    ("date of birth", "dob"), ("birth date", "dob"), ("d o b", "dob"),
    ("first name", "forename"), ("given name", "forename"), ("christian name", "forename"),
    ("last name", "surname"), ("family name", "surname"),
    ("post code", "postcode"), ("postal code", "postcode"), ("zip code", "postcode"),
    ("e mail", "email"), ("email address", "email"),
    ("young person", "learner"), ("child", "learner"),
    ("contact number", "contact phone"), ("phone number", "phone"), ("telephone number", "phone"),
    ("tel no", "phone"), ("phone no", "phone"), ("mobile number", "mobile"), ("mobile no", "mobile"),
    ("mobile phone", "mobile"), ("mobile telephone", "mobile"), ("mobile tel", "mobile"),
    ("priority 1", "first"), ("priority one", "first"), ("priority 2", "second"), ("priority two", "second"),
    ("contact 1", "contact first"), ("contact 2", "contact second"), ("parent 1", "contact first"),
    ("parent 2", "contact second"), ("house no", "house number"), ("flat no", "flat number"),
    ("y n", "yesno"), ("yes no", "yesno"), ("y or n", "yesno"),
    ("registration status", "enrolment status"), ("registration type", "enrolment status"),
    ("enrolment type", "enrolment status"), ("enrollment", "enrolment"),
)

# Words that mean the same thing.
_WORDS: dict[str, str] = {
    "telephone": "phone", "tel": "phone", "phone": "phone", "ph": "phone",
    "parent": "contact", "carer": "contact", "guardian": "contact", "contact": "contact", "parents": "contact",
    "carers": "contact", "guardians": "contact", "contacts": "contact",
    "primary": "first", "main": "first", "first": "first", "1st": "first",
    "pupil": "learner", "student": "learner", "learner": "learner", "pupils": "learner", "students": "learner",
    "yr": "ncyear", "mob": "mobile", "mobile": "mobile", "cell": "mobile",
    "dob": "dob", "postcode": "postcode", "email": "email", "addr": "address",
    "forename": "forename", "forenames": "forename", "surname": "surname",
}

# Words that say nothing about which column it is.
_FILLER = frozenset({"the", "of", "a", "an", "s", "line", "details", "detail", "info", "in", "for", "to", "and", "or",
                     "no", "number", "code"})
# 'Number' and 'No' are filler when another word says what the number is ('House Number' is
# a house number), but a bare 'Number' with a contact ('Parent Number') is a telephone.
_NUMBER_WORDS = frozenset({"number", "no"})
_NUMBER_OWNERS = frozenset({"house", "flat", "building", "admission", "learner", "unique", "reference", "ref",
                            "phone", "mobile", "ni", "insurance", "candidate", "id", "uln", "upn", "room", "apartment"})

# Concepts a header may carry on top of what a column needs, at a small cost: a prefix naming
# the group ('Address: Post Code'), a legal/current qualifier, the main-contact rank.
QUALIFIERS = frozenset({"address", "legal", "current", "actual", "first", "yesno", "learner", "home"})

_PREFIX = re.compile(r"^\s*([^:]{1,40}?)\s*(?::|\s[-–—]\s)\s*(\S.*)$")


@lru_cache(maxsize=4096)
def concepts(header: str) -> frozenset[str]:
    """The meaning of a header as a set of concepts: 'Primary Contact Telephone (Priority 1)' and
    'Contact 1 Phone' are both {contact, first, phone}."""
    text = header.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = " ".join(re.findall(r"[a-z]+|\d+", text))
    for phrase, meaning in _PHRASES:
        text = re.sub(rf"\b{phrase}\b", meaning, text)
    words = text.split()
    meant = {_WORDS.get(w, w) for w in words}
    out: set[str] = set()
    for word in words:
        if word in _NUMBER_WORDS:
            if not meant & _NUMBER_OWNERS and "contact" in meant:
                out.add("phone")
            continue
        if word in _FILLER:
            continue
        out.add(_WORDS.get(word, word))
    return frozenset(out)


def prefix_of(header: str) -> str:
    """The group a header names before a colon or a spaced dash ('Address: Post Code' -> 'Address')."""
    m = _PREFIX.match(header)
    return m.group(1) if m else ""


def likeness(header: str, name: str) -> int:
    """How sure it is that `header` means the same as `name` (a synonym), 0-100.

    100 the same letters; 95 the same concepts; 90 the same apart from qualifiers (a prefix
    naming the group, 'legal', the main-contact rank); below that the share of concepts in
    common, never more than 80, so a partial match is always unsure."""
    if fold(header) == fold(name):
        return 100
    h, n = concepts(header), concepts(name)
    if not h or not n:
        return 0
    if h == n:
        return 95
    if n < h and (h - n) <= QUALIFIERS:
        return 90
    if h < n and (n - h) <= QUALIFIERS and len(h) >= 2:
        return 88  # a qualifier of the synonym missing: 'Parent Phone' for 'Primary Contact Phone'
    common = len(h & n)
    if not common or (h - n - QUALIFIERS and n - h - QUALIFIERS):
        return 0  # each has a word the other lacks: 'Contact Email' is not 'Contact Phone'
    return round(80 * common / len(h | n))


def best_likeness(header: str, names: tuple[str, ...] | list[str]) -> int:
    return max((likeness(header, n) for n in names), default=0)

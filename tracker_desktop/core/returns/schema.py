"""The vocabulary of the return definition files in `templates/` (docs/RETURNS.md explains each key).

A definition file is checked against these declared tables when it is loaded: a key that is not
declared (a typo such as "deadlnes" or "nc_year_form") or a value of the wrong kind is refused
with one sentence naming the file, where the key is and the nearest declared key. Without that a
misspelt key would load silently and quietly change a return (no Year-10 filter, no deadlines).

To add a key: add one line to the table it belongs in (TOP, SCOPE, AGE_RULE, DEADLINE_KINDS,
COLUMN_MEANING ...), then teach the code that reads it, and describe it in docs/RETURNS.md.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker_desktop.core.errors import UserError


class DefinitionError(UserError):
    """A return definition file says something the program does not understand."""


# --- the kinds of value a key can hold ------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    choices: tuple[str, ...] = ()  # empty: any text


@dataclass(frozen=True)
class Whole:
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class YesNo:
    pass


@dataclass(frozen=True)
class ListOf:
    item: Kind


@dataclass(frozen=True)
class Either:
    """One of several kinds, e.g. the word "eet" or a list of codes."""

    kinds: tuple[Kind, ...]


@dataclass(frozen=True)
class Key:
    kind: Kind
    required: bool = False


@dataclass(frozen=True)
class Record:
    """An object with a declared set of keys."""

    keys: dict[str, Key]


@dataclass(frozen=True)
class Variants:
    """An object whose keys depend on one of them, e.g. a deadline's "kind"."""

    on: str
    variants: dict[str, Record] = field(default_factory=dict)


@dataclass(frozen=True)
class MapOf:
    """An object keyed by names the file chooses (template headers, code-list names); `named`
    keys, if any, hold a kind of their own."""

    value: Kind
    named: dict[str, Kind] = field(default_factory=dict)


Kind = Text | Whole | YesNo | ListOf | Either | Record | Variants | MapOf

TEXT, WHOLE, YES_NO = Text(), Whole(), YesNo()
MONTH, DAY = Whole(1, 12), Whole(1, 31)
COMMENT = Key(TEXT)  # "_about": a note for whoever edits the file; ignored

# --- the tables -----------------------------------------------------------------------------------

AGE_RULE = Record({
    "from": Key(WHOLE, required=True),
    "to": Key(WHOLE, required=True),
    "with_ehcp_to": Key(WHOLE),
    "of_september_offered": Key(YES_NO),
})

SCOPE = Record({
    "nc_years": Key(ListOf(WHOLE)),
    "nc_year_from": Key(WHOLE),
    "age_on_31_august": Key(AGE_RULE),
    "date_in_period": Key(TEXT),
    "left_on_or_before_as_of": Key(TEXT),
    "prepopulated": Key(YES_NO),
})

DEADLINE_KINDS = Variants("kind", {
    "fixed": Record({"kind": Key(TEXT, True), "month": Key(MONTH, True), "day": Key(DAY, True)}),
    "nth-weekday": Record({"kind": Key(TEXT, True), "month": Key(MONTH, True), "weekday": Key(Whole(0, 6), True),
                           "n": Key(Whole(1, 5), True)}),
    "last-working-day": Record({"kind": Key(TEXT, True), "months": Key(ListOf(MONTH), True),
                                "calendar_year": Key(Text(("second",)))}),
    "last-day": Record({"kind": Key(TEXT, True), "months": Key(ListOf(MONTH), True),
                        "calendar_year": Key(Text(("second",)))}),
})

COLUMN_TYPES = ("text", "upn", "uln", "date", "code", "ncyear", "whole", "postcode", "phone", "email", "aim")

COLUMN_MEANING = Record({
    "type": Key(Text(COLUMN_TYPES)),
    "synonyms": Key(ListOf(TEXT)),
    "codes": Key(TEXT),
    "not_future": Key(YES_NO),
    "address": Key(Whole(0, 3)),
    "activity": Key(YES_NO),
    "guarantee": Key(YES_NO),
    "suggest_when_empty": Key(YES_NO),
    "required_when": Key(Record({"column": Key(TEXT, True),
                                 "codes": Key(Either((Text(("eet",)), ListOf(TEXT))), True)})),
    "allowed_codes": Key(Record({"from": Key(TEXT, True), "to": Key(TEXT, True)})),
    "compose": Key(Record({"parts": Key(ListOf(ListOf(TEXT)), True), "sep": Key(TEXT)})),
    "from_sen": Key(ListOf(TEXT)),
})

TEMPLATE_COLUMN = Record({"header": Key(TEXT, True), "mandatory": Key(YES_NO)})

RETURN_DEFINITION = Record({
    "_about": COMMENT,
    "id": Key(TEXT, True),
    "title": Key(TEXT, True),
    "who": Key(Text(("school", "college")), True),
    "sent_to": Key(Text(("MI", "TEP")), True),
    "template": Key(TEXT, True),
    "file_name": Key(TEXT, True),
    "period": Key(Text(("month", "academic-year")), True),
    "identity": Key(Text(("UPN", "ULN"))),
    "scope": Key(SCOPE),
    "deadlines": Key(ListOf(DEADLINE_KINDS)),
    "columns": Key(ListOf(TEMPLATE_COLUMN), True),
    "scope_fields": Key(ListOf(TEXT)),
    "prepopulated": Key(YES_NO),
    "school_fills": Key(ListOf(TEXT)),
    "column_meanings": Key(MapOf(COLUMN_MEANING)),
})

# codes.json: each code list is code -> label; the named entries are not code lists but say how
# labels are recognised. "_why" is a note for whoever edits the file.
WHY: dict[str, Kind] = {"_why": TEXT}
CODE_LIST_HELPERS: dict[str, Kind] = {
    "aliases": MapOf(MapOf(TEXT), named=WHY),  # list name -> another spelling -> code
    "wordings": MapOf(MapOf(ListOf(TEXT)), named=WHY),  # list name -> code -> other wordings
    "words": MapOf(TEXT),  # a word -> its standard form
    "noise_words": Record({"_why": Key(TEXT), "all": Key(ListOf(TEXT), True)}),
}
CODE_LISTS = MapOf(MapOf(TEXT), named=CODE_LIST_HELPERS)

ENROLMENT_STATUS = Record({
    "_about": COMMENT,
    "column": Key(TEXT, True),
    "who": Key(Text(("school", "college")), True),
    "main_roll": Key(ListOf(TEXT), True),
    "statuses": Key(MapOf(Record({"label": Key(TEXT, True), "words": Key(ListOf(TEXT)), "why": Key(TEXT)}))),
})

COLUMN_CATALOG = Record({
    "_about": COMMENT,
    "enrolment_status": Key(ENROLMENT_STATUS),
    "eet_codes": Key(ListOf(TEXT), True),
    "columns": Key(MapOf(COLUMN_MEANING), True),
})

# code_rules.json: which NCCIS codes fit which learners (core/checking/cross_rules.py reads them).
CONDITION = Record({
    "at_most": Key(WHOLE), "at_least": Key(WHOLE), "equals": Key(WHOLE),
    "one_of": Key(ListOf(TEXT)), "none_of": Key(ListOf(TEXT)),
})
CODE_RULE = Record({
    "columns": Key(TEXT, True),  # a ColumnMeaning flag (activity, guarantee): cross_rules checks which
    "codes": Key(ListOf(TEXT)),  # codes or ranges such as "110-150" (codes or codes_except: one of them)
    "codes_except": Key(ListOf(TEXT)),
    "needs": Key(MapOf(CONDITION), True),  # column name (columns.json) -> conditions
    "because": Key(TEXT, True),
})
CODE_RULES = Record({"_about": COMMENT, "code_rules": Key(ListOf(CODE_RULE), True)})

# la_numbers.json: the LA numbers a UPN may carry, by group, number -> the authority's name.
LA_NUMBERS = Record({
    "_why": COMMENT,
    "england": Key(MapOf(TEXT), True),
    "wales": Key(MapOf(TEXT), True),
    "former": Key(MapOf(TEXT)),
})

# The data files beside the definitions, each with its table.
DATA_FILE_TABLES: dict[str, Kind] = {
    "codes.json": CODE_LISTS, "columns.json": COLUMN_CATALOG,
    "code_rules.json": CODE_RULES, "la_numbers.json": LA_NUMBERS,
}


# --- checking -------------------------------------------------------------------------------------

def validate(data: Any, kind: Kind, path: Path) -> None:
    """Refuse a definition file that does not follow its table: one sentence naming the file."""
    _check(data, kind, path, "")


def _where(at: str) -> str:
    return f" in {at}" if at else " at the top level"


def _check(value: Any, kind: Kind, path: Path, at: str) -> None:
    if isinstance(kind, Record):
        _check_record(value, kind, path, at)
    elif isinstance(kind, Variants):
        _check_variant(value, kind, path, at)
    elif isinstance(kind, MapOf):
        _expect(isinstance(value, dict), value, "an object { ... }", path, at)
        for name, item in value.items():
            _check(item, kind.named.get(name, kind.value), path, f"{at}.{name}" if at else name)
    elif isinstance(kind, ListOf):
        _expect(isinstance(value, list), value, "a list [ ... ]", path, at)
        for i, item in enumerate(value, start=1):
            _check(item, kind.item, path, f"{at} (item {i})")
    elif isinstance(kind, Either):
        for option in kind.kinds:
            try:
                _check(value, option, path, at)
                return
            except DefinitionError:
                continue
        _expect(False, value, " or ".join(_describe(k) for k in kind.kinds), path, at)
    else:
        _check_plain(value, kind, path, at)


def _check_record(value: Any, kind: Record, path: Path, at: str) -> None:
    _expect(isinstance(value, dict), value, "an object { ... }", path, at)
    for key in value:
        if key not in kind.keys:
            raise DefinitionError(f"The return definition {path.name} has an unknown key '{key}'{_where(at)}"
                                  f"{_nearest(key, kind.keys)}.")
    for key, declared in kind.keys.items():
        if key in value:
            _check(value[key], declared.kind, path, f"{at}.{key}" if at else key)
        elif declared.required:
            raise DefinitionError(f"The return definition {path.name} has no '{key}'{' in ' + at if at else ''}.")


def _check_variant(value: Any, kind: Variants, path: Path, at: str) -> None:
    _expect(isinstance(value, dict), value, "an object { ... }", path, at)
    chosen = value.get(kind.on)
    if chosen not in kind.variants:
        raise DefinitionError(f"The return definition {path.name} has '{kind.on}': {_show(chosen)}{_where(at)}: "
                              f"it takes {_choices(tuple(kind.variants))}{_nearest(str(chosen), kind.variants)}.")
    _check_record(value, kind.variants[chosen], path, at)


def _check_plain(value: Any, kind: Kind, path: Path, at: str) -> None:
    if isinstance(kind, YesNo):
        _expect(isinstance(value, bool), value, "true or false", path, at)
    elif isinstance(kind, Whole):
        _expect(isinstance(value, int) and not isinstance(value, bool), value, "a whole number", path, at)
        if (kind.low is not None and value < kind.low) or (kind.high is not None and value > kind.high):
            _expect(False, value, f"a whole number from {kind.low} to {kind.high}", path, at)
    elif isinstance(kind, Text):
        _expect(isinstance(value, str), value, _describe(kind), path, at)
        if kind.choices and value not in kind.choices:
            raise DefinitionError(f"The return definition {path.name} has {_show(value)} as {at}: "
                                  f"it takes {_choices(kind.choices)}{_nearest(value, kind.choices)}.")


def _expect(ok: bool, value: Any, wanted: str, path: Path, at: str) -> None:
    if not ok:
        what = f"'{at}'" if at else "the whole file"
        raise DefinitionError(f"The return definition {path.name}: {what} should be {wanted}, not {_show(value)}.")


def _describe(kind: Kind) -> str:
    if isinstance(kind, Text):
        return _choices(kind.choices) if kind.choices else "text in quotes"
    if isinstance(kind, ListOf):
        return "a list [ ... ]"
    if isinstance(kind, (Record, Variants, MapOf)):
        return "an object { ... }"
    if isinstance(kind, Whole):
        return "a whole number"
    return "true or false"


def _choices(choices: tuple[str, ...]) -> str:
    quoted = [f'"{c}"' for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _nearest(word: str, known: Any) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""

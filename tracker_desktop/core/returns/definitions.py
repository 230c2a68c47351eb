"""Return definitions: what each KCC return is, read from the data files in `templates/`.

Nothing about a particular return is hard-wired in code: a new KCC template or a changed rule is
a change to these files.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns.schema import (
    CODE_LIST_HELPERS,
    CODE_LISTS,
    COLUMN_CATALOG,
    DATA_FILE_TABLES,
    RETURN_DEFINITION,
    DefinitionError,
    validate,
)
from tracker_desktop.core.values.text import fold
from tracker_desktop.resources import resource_path


@dataclass(frozen=True)
class ColumnMeaning:
    """What a template header holds and how it is checked."""

    header: str
    type: str = "text"
    synonyms: tuple[str, ...] = ()
    codes: str | None = None
    not_future: bool = False
    address: int = 0
    activity: bool = False
    guarantee: bool = False
    suggest_when_empty: bool = False
    required_when: dict[str, Any] | None = None
    allowed_codes: dict[str, str] | None = None
    compose: dict[str, Any] | None = None
    from_sen: tuple[str, ...] = ()


@dataclass(frozen=True)
class Understanding:
    """What a template header was understood as: one of our columns (`understood_as`), a kind
    of value read from its words ('a Y/N column'), or nothing; and how sure (0-100)."""

    header: str
    understood_as: str | None
    score: int
    meaning: ColumnMeaning
    confirmed: bool = False  # the user said so for this template


# Kinds of value a header's words name when it is none of our columns ('Looked After (Y/N)').
_KINDS = (("yesno", "a Y/N column", {"type": "code", "codes": "yes-no"}),
          ("dob", "a date", {"type": "date", "not_future": True}), ("date", "a date", {"type": "date"}),
          ("postcode", "a postcode", {"type": "postcode"}), ("email", "an e-mail address", {"type": "email"}),
          ("phone", "a telephone number", {"type": "phone"}), ("mobile", "a telephone number", {"type": "phone"}),
          ("ncyear", "an NC year", {"type": "ncyear"}))


@dataclass(frozen=True)
class ReturnDefinition:
    id: str
    title: str
    who: str  # "school" or "college"
    sent_to: str  # "MI" (Perspective Lite) or "TEP" (encrypted e-mail)
    template: str
    file_name: str
    period: str  # "month" or "academic-year"
    identity: str  # the column that must be unique per learner: UPN or ULN
    scope: dict[str, Any]
    deadlines: tuple[dict[str, Any], ...]
    columns: tuple[tuple[str, bool], ...]  # (header, mandatory) as the shipped template has them
    scope_fields: tuple[str, ...] = ()
    prepopulated: bool = False
    school_fills: tuple[str, ...] = ()
    catalog: dict[str, ColumnMeaning] = field(default_factory=dict, repr=False, compare=False)
    understood: dict[str, Understanding] = field(default_factory=dict, repr=False, compare=False)  # a cache

    def meaning(self, header: str) -> ColumnMeaning:
        """The meaning of a header; a newer template may use a synonym ('DOB') for a known
        column or other words for it ('Parent/Carer Phone Number'); a header understood only
        unsurely, or not at all, is carried with the kind of value its words name, else as text."""
        found = self.catalog.get(header) or self.catalog.get(fold(header)) or self.catalog.get("~" + fold(header))
        return found or self.understand(header).meaning

    def understand(self, header: str) -> Understanding:
        """What a header means and how sure that is, by the same word matching as export headers."""
        cached = self.understood.get(header)
        if cached is not None:
            return cached
        found = self.catalog.get(header) or self.catalog.get(fold(header))
        if found is not None:
            result = Understanding(header, found.header, 100, found)
        elif (found := self.catalog.get("~" + fold(header))) is not None:
            result = Understanding(header, found.header, 95, found)
        else:
            result = self._by_words(header)
        self.understood[header] = result
        return result

    def _by_words(self, header: str) -> Understanding:
        from tracker_desktop.core.matching.certainty import SURE, UNSURE
        from tracker_desktop.core.matching.words import best_likeness, concepts

        plain = ColumnMeaning(header=header, synonyms=(header,))
        best, score = None, 0
        for key, meaning in self.catalog.items():
            if key == meaning.header:
                likeness = best_likeness(header, meaning.synonyms)
                if likeness > score:
                    best, score = meaning, likeness
        if best is not None and score >= SURE:
            # the template's own name is one more synonym: an export may use it too
            return Understanding(header, best.header, score, replace(best, synonyms=(header, *best.synonyms)))
        words = concepts(header)
        kind = next(((label, settings) for word, label, settings in _KINDS if word in words), None)
        if kind is not None:
            plain = ColumnMeaning(header=header, synonyms=(header,), **kind[1])
        if best is not None and score >= UNSURE:
            return Understanding(header, best.header, score, plain)  # unsure: the user is asked
        if kind is not None:
            return Understanding(header, kind[0], SURE, plain)
        return Understanding(header, None, 0, plain)

    def template_columns(self, headers: list[str]) -> list[dict[str, Any]]:
        """What each template header was understood as and how sure: for the report and the app.
        certainty is 'confirmed' (the user said), 'sure', 'unsure' (to ask) or 'none'."""
        from tracker_desktop.core.matching.certainty import sureness

        out = []
        for header in headers:
            u = self.understand(header)
            out.append({"header": header, "understood_as": u.understood_as, "type": u.meaning.type, "score": u.score,
                        "certainty": "confirmed" if u.confirmed else sureness(u.score)})
        return out

    def with_understood(self, answers: dict[str, str | None]) -> ReturnDefinition:
        """This definition with the user's answers for a template: header -> our column it is
        (None: none of ours, carried as the user's own column)."""
        catalog, understood = dict(self.catalog), {}
        for header, name in answers.items():
            base = self.catalog.get(name) if name else None
            meaning = (replace(base, synonyms=(header, *base.synonyms)) if base is not None
                       else ColumnMeaning(header=header, synonyms=(header,)))
            catalog[header] = meaning
            understood[header] = Understanding(header, meaning.header if base else None, 100, meaning, confirmed=True)
        return replace(self, catalog=catalog, understood=understood)

    def column_names(self) -> list[str]:
        """Our own column names, for the user to pick what a template header is."""
        return [key for key, meaning in self.catalog.items() if key == meaning.header and not key.startswith("~")]

    def standard_headers(self, template_headers: list[str]) -> dict[str, str]:
        """Our name for each column -> the header this template gives it (a newer template may
        call 'Date of Birth' 'DOB'); scope fields the template lacks keep their own name."""
        found: dict[str, str] = {}
        for header in template_headers:
            found.setdefault(self.meaning(header).header, header)
        for name in self.scope_fields:
            found.setdefault(name, name)
        return found

    @property
    def template_path(self) -> Path:
        return templates_dir() / self.template


def templates_dir() -> Path:
    return resource_path("templates")


@lru_cache(maxsize=1)
def code_lists() -> dict[str, Any]:
    path = templates_dir() / "codes.json"
    lists = _load_json(path)
    validate(lists, CODE_LISTS, path)
    return lists


def load_data_file(name: str) -> dict[str, Any]:
    """One of the data files beside the return definitions (e.g. la_numbers.json), checked."""
    return read_data_file(templates_dir() / name)


def read_data_file(path: Path) -> dict[str, Any]:
    """A data file read and checked against its table in schema.py (by its name): a misspelt
    key is refused, naming the file and the key, rather than quietly ignored."""
    data = _load_json(path)
    validate(data, DATA_FILE_TABLES[Path(path).name], path)
    return data


@lru_cache(maxsize=1)
def _column_catalog() -> dict[str, Any]:
    path = templates_dir() / "columns.json"
    catalog = _load_json(path)
    validate(catalog, COLUMN_CATALOG, path)
    return catalog


def enrolment_rule() -> dict[str, Any]:
    """Which enrolment statuses are on the main roll, and for whose returns (DOMAIN 4.4)."""
    return _column_catalog().get("enrolment_status", {})


def eet_codes() -> tuple[str, ...]:
    """Activity codes for education, employment and training (a provider is then required)."""
    return tuple(_column_catalog()["eet_codes"])


def _load_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise UserError(f"The return definition file {path.name} is missing from {path.parent}.") from None
    except json.JSONDecodeError as e:
        raise UserError(f"The return definition file {path.name} is damaged (line {e.lineno}).") from None


def _meaning(header: str, raw: dict[str, Any]) -> ColumnMeaning:
    # the keys were checked against schema.COLUMN_MEANING when the file was loaded
    values = dict(raw)
    values["header"] = header
    for key in ("synonyms", "from_sen"):
        if key in values:
            values[key] = tuple(values[key])
    if header not in values.get("synonyms", ()):
        values["synonyms"] = (header, *values.get("synonyms", ()))
    return ColumnMeaning(**values)


@cache
def load_definition(return_id: str) -> ReturnDefinition:
    path = templates_dir() / f"{return_id}.json"
    if not path.exists():
        raise UserError(f"There is no return called '{return_id}'. Known returns: {', '.join(return_ids())}.")
    return read_definition(path)


def read_definition(path: Path) -> ReturnDefinition:
    """A return definition file, checked against the declared vocabulary (schema.py)."""
    raw = _load_json(path)
    validate(raw, RETURN_DEFINITION, path)
    catalog_raw = _column_catalog()["columns"]
    overrides = raw.get("column_meanings", {})
    catalog: dict[str, ColumnMeaning] = {}
    for header, meaning in catalog_raw.items():
        merged = {**meaning, **overrides.get(header, {})}
        catalog[header] = _meaning(header, merged)
    for header, meaning in overrides.items():
        if header not in catalog:
            catalog[header] = _meaning(header, meaning)
    for header in list(catalog):
        catalog.setdefault(fold(header), catalog[header])
    # Synonyms last, under their own prefix, so a real header name always wins.
    for header in list(catalog):
        if header == catalog[header].header:
            for synonym in catalog[header].synonyms:
                catalog.setdefault("~" + fold(synonym), catalog[header])
    lists = [name for name in code_lists() if name not in CODE_LIST_HELPERS]
    for meaning in catalog.values():
        if meaning.codes and meaning.codes not in lists:
            near = difflib.get_close_matches(meaning.codes, lists, n=1)
            raise DefinitionError(f"The return definition {path.name}: column '{meaning.header}' takes codes from "
                                  f"'{meaning.codes}', which is not a code list in codes.json"
                                  + (f" (did you mean '{near[0]}'?)." if near else "."))
    scope_fields = tuple(raw.get("scope_fields", ()))
    rule = enrolment_rule()
    if rule.get("column") and raw["who"] == rule.get("who") and not raw.get("prepopulated"):
        scope_fields += (rule["column"],)  # main roll only: the status decides who is on it
    return ReturnDefinition(
        id=raw["id"], title=raw["title"], who=raw["who"], sent_to=raw["sent_to"],
        template=raw["template"], file_name=raw["file_name"], period=raw["period"],
        identity=raw.get("identity", "UPN"), scope=raw.get("scope", {}),
        deadlines=tuple(raw.get("deadlines", ())),
        columns=tuple((c["header"], bool(c.get("mandatory"))) for c in raw["columns"]),
        scope_fields=scope_fields,
        prepopulated=bool(raw.get("prepopulated")),
        school_fills=tuple(raw.get("school_fills", ())),
        catalog=catalog,
    )


# The data files in templates/ that are not return definitions.
DATA_FILES = frozenset({"codes", "columns", "la_numbers", "code_rules"})


def return_ids() -> list[str]:
    return sorted(p.stem for p in templates_dir().glob("*.json") if p.stem not in DATA_FILES)


def all_definitions() -> list[ReturnDefinition]:
    return [load_definition(i) for i in return_ids()]

"""Rules across one learner's columns: age against year group, and the NCCIS code constraints
(which codes fit which learners), read as data from `templates/code_rules.json`.

A code constraint says: on columns of a kind (`"columns": "activity"`, a flag in columns.json),
a code among `codes` (or any code but `codes_except`) needs every condition in `needs` to hold.
A condition reads one field of the learner by our column name:
`at_most` / `at_least` / `equals` (a whole number; not judged when the field is not one) or
`one_of` / `none_of` (text, compared in upper case; not judged when the template lacks the field).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tracker_desktop.core.checking.problems import ERROR, QUERY, Problem, problem
from tracker_desktop.core.checking.registry import MEMO_LIMIT, CheckContext, also_row_rule, row_rule
from tracker_desktop.core.checking.value_rules import whole
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns.definitions import ColumnMeaning, _column_catalog, _load_json, templates_dir
from tracker_desktop.core.returns.schema import CODE_RULES, validate
from tracker_desktop.core.values.cleaning import code_of, parse_date

CODE_RULES_FILE = "code_rules.json"
NUMBER_TESTS = ("at_most", "at_least", "equals")
TEXT_TESTS = ("one_of", "none_of")
CONSTRAINT_KEYS = {"columns", "codes", "codes_except", "needs", "because"}


# --- age against year group ----------------------------------------------------------------------

_AgeGap = tuple[int, int, dt.date, int]


def _age_gap(ctx: CheckContext, values: dict[str, str], columns: Sequence[str]) -> _AgeGap | None:
    """(years between age and year group, age on 31 August, date of birth, year group), when both are known.
    Two rules ask it of each learner, and many learners share a birthday and year group: each
    different year group, date of birth and EHCP is worked out once in a build."""
    year_text = ctx.value(values, "NC Year") if ctx.has(columns, "NC Year") else None
    dob_text = ctx.value(values, "Date of Birth") if ctx.has(columns, "Date of Birth") else None
    key = (year_text, dob_text, ctx.value(values, "EHCP"))
    memo = ctx.memo("age-gap")
    if key in memo:
        found: _AgeGap | None = memo[key]
        return found
    found = _worked_out_age_gap(ctx, *key)
    if len(memo) < MEMO_LIMIT:
        memo[key] = found
    return found


def _worked_out_age_gap(ctx: CheckContext, year_text: str | None, dob_text: str | None, ehcp: str) -> _AgeGap | None:
    year = whole(year_text.strip()) if year_text is not None else None
    dob = parse_date(dob_text) if dob_text is not None else None
    if year is None or dob is None or dob > ctx.as_of:
        return None
    on = dt.date(ctx.academic_year, 8, 31)
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    if age > 18 and ehcp.strip().upper() == "Y":
        return None  # learners with an EHC plan are tracked to 25, past any NC year
    return abs(age - (year + 4)), age, dob, year


def _age_problem(ctx: CheckContext, row: int, rule_id: str, gap: tuple[int, int, dt.date, int]) -> Problem:
    _, age, dob, year = gap
    detail = f"{age} on 31 August {ctx.academic_year}, usual for Year {age - 4}, not Year {year}"
    return problem(row, "Date of Birth", rule_id, f"{dob:%d/%m/%Y}", detail)


@row_rule("unreadable-character", ERROR, "Character that could not be read",
          message=("{column} '{value}' holds a character the export's file could not give (shown as \ufffd): "
                   "type the value as it should be, and correct it in the MIS."),
          description="A byte that is a character in no encoding an MIS writes was found on this line of the export.",
          advice="Retype the value in the MIS (a character was saved in a way no encoding holds), then export again.")
def unreadable_character(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    """Any column: a row check, so the cell's own checks (and a dropdown's) still run as well."""
    if "\ufffd" not in "".join(values.values()):  # almost every row: no value has one
        return []
    return [problem(row, c, "unreadable-character", values[c]) for c in columns if "\ufffd" in values.get(c, "")]


@row_rule("age-year-query", QUERY, "Age and year group one year apart",
          message=("Date of birth {value} makes the learner {detail}: check the year group (held back or moved up a "
                   "year?)."),
          description=("A learner's age on 31 August is normally their NC year + 4; one year out may be right but "
                       "should be checked."),
          advice="Check the date of birth and year group; if the learner really is out of year, this may stand.")
def age_year_query(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    gap = _age_gap(ctx, values, columns)
    return [_age_problem(ctx, row, "age-year-query", gap)] if gap and gap[0] == 1 else []


@row_rule("age-year-error", ERROR, "Age does not fit year group",
          message="Date of birth {value} makes the learner {detail}: the date of birth or the year group is wrong.",
          description="Two or more years between age and NC year is almost always a typing mistake.",
          advice="Correct the date of birth or the year group in the MIS.")
def age_year_error(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    gap = _age_gap(ctx, values, columns)
    return [_age_problem(ctx, row, "age-year-error", gap)] if gap and gap[0] >= 2 else []


# --- code constraints, as data -------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    field: str  # our column name, e.g. "NC Year"
    test: str  # one of NUMBER_TESTS or TEXT_TESTS
    operand: Any

    def holds(self, ctx: CheckContext, values: dict[str, str], columns: Sequence[str]) -> bool | None:
        """True or False, or None when it cannot be judged (the field is missing or not a number)."""
        if not ctx.has(columns, self.field):
            return None
        text = ctx.value(values, self.field).strip()
        if self.test in TEXT_TESTS:
            return (text.upper() in self.operand) == (self.test == "one_of")
        number = whole(text)
        if number is None:
            return None
        if self.test == "at_most":
            return number <= self.operand
        if self.test == "at_least":
            return number >= self.operand
        return number == self.operand


@dataclass(frozen=True)
class CodeConstraint:
    columns: str  # a ColumnMeaning flag: the kind of column it is about
    codes: tuple[tuple[str, str], ...]  # (first, last) spans; a single code is (code, code)
    inverted: bool  # True: about every code but those
    needs: tuple[Condition, ...]
    because: str

    def broken(self, ctx: CheckContext, values: dict[str, str], columns: Sequence[str]) -> bool:
        return any(c.holds(ctx, values, columns) is False for c in self.needs)

    def about(self, meaning: ColumnMeaning, code: str) -> bool:
        if not getattr(meaning, self.columns):
            return False
        listed = any(len(code) == len(first) and first <= code <= last for first, last in self.codes)
        return listed != self.inverted


def read_code_rules(data: dict[str, Any], source: str = CODE_RULES_FILE) -> tuple[CodeConstraint, ...]:
    """The constraints in a code_rules file; a misspelt key or field is refused, naming it,
    rather than a constraint silently never applying."""
    flags = {f.name for f in dataclasses.fields(ColumnMeaning) if f.type in ("bool", bool)}
    fields = set(_column_catalog()["columns"])
    found = []
    for n, raw in enumerate(data.get("code_rules", []), start=1):
        where = f"{source}, code rule {n}"
        unknown = set(raw) - CONSTRAINT_KEYS
        if unknown:
            raise UserError(f"{where} has unknown settings: {', '.join(sorted(unknown))}.")
        if raw.get("columns") not in flags:
            raise UserError(f"{where}: 'columns' must be one of {', '.join(sorted(flags))}.")
        if ("codes" in raw) == ("codes_except" in raw):
            raise UserError(f"{where} needs 'codes' or 'codes_except' (one of them).")
        spans = tuple(_span(text, where) for text in raw.get("codes", raw.get("codes_except", [])))
        needs = []
        for name, tests in raw.get("needs", {}).items():
            if name not in fields:
                raise UserError(f"{where}: '{name}' is not a column in columns.json.")
            for test, operand in tests.items():
                if test not in NUMBER_TESTS + TEXT_TESTS:
                    known = ", ".join(NUMBER_TESTS + TEXT_TESTS)
                    raise UserError(f"{where}: '{test}' is not a condition (use {known}).")
                operand = frozenset(str(v).upper() for v in operand) if test in TEXT_TESTS else int(operand)
                needs.append(Condition(name, test, operand))
        if not needs or not raw.get("because"):
            raise UserError(f"{where} needs 'needs' and 'because'.")
        found.append(CodeConstraint(raw["columns"], spans, "codes_except" in raw, tuple(needs), raw["because"]))
    return tuple(found)


def _span(text: str, where: str) -> tuple[str, str]:
    first, _, last = str(text).partition("-")
    first, last = first.strip(), (last or first).strip()
    if not first or len(first) != len(last):
        raise UserError(f"{where}: '{text}' is not a code or a range of codes such as 110-150.")
    return first, last


@lru_cache(maxsize=1)
def code_rules() -> tuple[CodeConstraint, ...]:
    return load_code_rules(templates_dir() / CODE_RULES_FILE)


def load_code_rules(path: Path) -> tuple[CodeConstraint, ...]:
    """A code_rules file, read and checked against its table (schema.CODE_RULES).

    A rule's own mistakes are said by read_code_rules, naming the rule by its number; the table
    then refuses what it cannot see (a misspelt top-level key such as "code_rule", which would
    otherwise mean no rules at all, and a value of the wrong kind, named where it is)."""
    data = _load_json(Path(path))
    try:
        rules: tuple[CodeConstraint, ...] | None = read_code_rules(data, Path(path).name)
    except (TypeError, ValueError, AttributeError, KeyError):
        rules = None  # a value of the wrong kind: the table names it
    validate(data, CODE_RULES, Path(path))
    if rules is None:
        raise UserError(f"{Path(path).name} could not be read: check it against docs/RETURNS.md.")
    return rules


@also_row_rule("code-not-allowed")
def code_constraints(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> Iterator[Problem]:
    for column, meaning, constraints, about in ctx.for_columns(columns, "code-constraints", _constrained):
        code = code_of(values.get(column, "").strip(), meaning.codes)
        if not code:
            continue
        concerned = about.get(code)
        if concerned is None:
            concerned = about[code] = tuple(c for c in constraints if c.about(meaning, code))
        for constraint in concerned:
            if constraint.broken(ctx, values, columns):
                yield problem(row, column, "code-not-allowed", code, constraint.because)


_Constrained = tuple[str, ColumnMeaning, tuple["CodeConstraint", ...], dict[str, tuple["CodeConstraint", ...]]]


def _constrained(ctx: CheckContext, columns: Sequence[str]) -> list[_Constrained]:
    """The coded columns some constraint is about (by their kind), each with those constraints in
    order and, filled as codes are met, which of them are about each code."""
    constraints = code_rules()
    found: list[_Constrained] = []
    for column in columns:
        meaning = ctx.meaning(column)
        if meaning.codes and _flagged(meaning, constraints):
            found.append((column, meaning, tuple(c for c in constraints if getattr(meaning, c.columns)), {}))
    return found


def _flagged(meaning: ColumnMeaning, constraints: tuple[CodeConstraint, ...]) -> bool:
    return any(getattr(meaning, c.columns) for c in constraints)

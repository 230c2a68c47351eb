"""Registering rules and running them on a learner.

A rule is a small function declared with its data:

    @value_rule("postcode-invalid", ERROR, "Postcode not valid", message=..., description=..., advice=...,
                applies=of_type("postcode"))
    def postcode_invalid(ctx, column, value): ...

Stages, in the order a learner is checked:
- empty: on an empty cell, `fn(ctx, column, values) -> detail | None`; the first rule that fires wins.
- value: on a filled cell, `fn(ctx, column, value) -> detail | None`; the first that fires wins, so
  "not a date" is said before "in the future". `applies(meaning, ctx, column)` picks the columns;
  a `fallback` rule runs only on a column no other value rule applies to.
- row: across one learner's columns, `fn(ctx, row, values, columns) -> problems`.
- rows: across learners (duplicates), run by the Preparation.
- extra: a variant's own rules (TEP's sheet, a filled-in return), `fn(prep, row) -> problems`,
  run only where the variant gives them to its Preparation as `extra_rules`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from tracker_desktop.core.checking.problems import RULES, Problem, Rule, problem
from tracker_desktop.core.returns.definitions import ColumnMeaning, ReturnDefinition

Applies = Callable[[ColumnMeaning, "CheckContext", str], bool]


@dataclass(frozen=True)
class Check:
    rule: str
    run: Callable[..., Any]
    applies: Applies | None = None
    fallback: bool = False


EMPTY: list[Check] = []
VALUE: list[Check] = []
ROW: list[Check] = []
CHECKS: dict[str, list[Check]] = {}  # rule id -> the functions that raise it


# Kinds of value a roll holds few different ones of: a column of one of them has each different
# value's checks run once in a build, and looked up after that (value checks are pure).
REPEATING = frozenset({"date", "ncyear", "code", "aim", "whole"})
MEMO_LIMIT = 50_000  # different values remembered per column, at most


# One column of a row: (column, its empty checks, its value checks, what each value was found to
# be - (rule, detail) or None - for a column of few different values, else None).
CellPlan = tuple[str, tuple[Check, ...], tuple[Check, ...], "dict[str, tuple[str, str] | None] | None"]


@dataclass
class ColumnsPlan:
    """How one learner's row of these columns is checked, worked out once per set of columns:
    each column's empty and value checks (and what its values were found to be), the columns as
    a set, and what a row rule works out from the columns alone (`extra`, by the rule's name)."""

    columns: tuple[str, ...]
    cells: tuple[CellPlan, ...]
    names: frozenset[str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckContext:
    definition: ReturnDefinition
    mandatory: frozenset[str]
    as_of: dt.date
    academic_year: int  # the September year of the return's academic year
    dropdowns: dict[str, list[str]]
    headers: dict[str, str] = field(default_factory=dict)  # our column name -> this template's header

    meanings: dict = field(default_factory=dict)  # filled as columns are met: meaning() is hot
    plans: dict = field(default_factory=dict)  # column -> (empty checks, value checks), worked out once
    # Telephone numbers tidied into a valid number's national form during this build: validity is
    # a property of the text alone, and far too many numbers for the look-up cache to still hold.
    valid_phones: set[str] = field(default_factory=set)
    rows: dict = field(default_factory=dict)  # tuple of columns -> ColumnsPlan
    memos: dict = field(default_factory=dict)  # a row rule's name -> what it found by the values it read
    # The columns being checked now, and their plan: the check of one learner's row sets them.
    _now: tuple[Sequence[str] | None, ColumnsPlan | None] = (None, None)

    def meaning(self, column: str) -> ColumnMeaning:
        found = self.meanings.get(column)
        if found is None:
            found = self.meanings[column] = self.definition.meaning(column)
        return found

    def value(self, values: dict[str, str], name: str) -> str:
        return values.get(self.headers.get(name, name), "")

    def has(self, columns: Sequence[str], name: str) -> bool:
        now, plan = self._now
        if columns is now and plan is not None:
            return self.headers.get(name, name) in plan.names
        return self.headers.get(name, name) in columns

    def plan(self, column: str) -> tuple[tuple[Check, ...], tuple[Check, ...]]:
        found = self.plans.get(column)
        if found is None:
            meaning = self.meaning(column)
            def fits(c: Check) -> bool:
                return c.applies is None or c.applies(meaning, self, column)

            empty = tuple(c for c in EMPTY if fits(c))
            value = tuple(c for c in VALUE if not c.fallback and fits(c))
            if not value:  # a column no typed rule covers: its dropdown, if the template has one
                value = tuple(c for c in VALUE if c.fallback and fits(c))
            found = self.plans[column] = (empty, value)
        return found

    def columns_plan(self, columns: Sequence[str]) -> ColumnsPlan:
        key = tuple(columns)
        found = self.rows.get(key)
        if found is None:
            cells: list[CellPlan] = []
            for column in key:
                empty, filled = self.plan(column)
                meaning = self.meaning(column)
                repeating = filled and (meaning.type in REPEATING or all(c.fallback for c in filled))
                cells.append((column, empty, filled, {} if repeating else None))
            found = self.rows[key] = ColumnsPlan(key, tuple(cells), frozenset(key))
        return found

    def for_columns(self, columns: Sequence[str], name: str,
                    make: Callable[[CheckContext, Sequence[str]], Any]) -> Any:
        """What a row rule works out from the columns alone (not the values), once per set of columns."""
        now, plan = self._now
        if columns is not now or plan is None:
            plan = self.columns_plan(columns)
        found = plan.extra.get(name)
        if found is None:
            found = plan.extra[name] = make(self, columns)
        return found

    def memo(self, name: str) -> dict:
        """A row rule's memory of what it found for the values it read (kept until the next build)."""
        found = self.memos.get(name)
        if found is None:
            found = self.memos[name] = {}
        return found

    def forget_values(self) -> None:
        """A new build: what was found for each value is worked out afresh (the day may have changed)."""
        self.memos.clear()
        for plan in self.rows.values():
            for _, _, _, memo in plan.cells:
                if memo is not None:
                    memo.clear()


def declare(rule_id: str, severity: str, title: str, *, message: str, description: str, advice: str,
            stage: str) -> Rule:
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} is declared twice")
    rule = RULES[rule_id] = Rule(rule_id, severity, title, message, description, advice, stage)
    return rule


def _register(stage: str, into: list[Check] | None, rule_id: str, severity: str, title: str, message: str,
              description: str, advice: str, applies: Applies | None, fallback: bool = False):
    def register(fn):
        declare(rule_id, severity, title, message=message, description=description, advice=advice, stage=stage)
        _add(into, Check(rule_id, fn, applies, fallback))
        return fn
    return register


def _add(into: list[Check] | None, check: Check) -> None:
    if into is not None:
        into.append(check)
    CHECKS.setdefault(check.rule, []).append(check)


def empty_rule(rule_id: str, severity: str, title: str, *, message: str, description: str, advice: str,
               applies: Applies | None = None):
    return _register("empty", EMPTY, rule_id, severity, title, message, description, advice, applies)


def value_rule(rule_id: str, severity: str, title: str, *, message: str, description: str, advice: str,
               applies: Applies | None = None):
    return _register("value", VALUE, rule_id, severity, title, message, description, advice, applies)


def also_value_rule(rule_id: str, applies: Applies | None = None, fallback: bool = False):
    """A second function raising a rule already declared (the same words, another source)."""
    def register(fn):
        _add(VALUE, Check(rule_id, fn, applies, fallback))
        return fn
    return register


def row_rule(rule_id: str, severity: str, title: str, *, message: str, description: str, advice: str):
    return _register("row", ROW, rule_id, severity, title, message, description, advice, None)


def also_row_rule(rule_id: str):
    def register(fn):
        _add(ROW, Check(rule_id, fn))
        return fn
    return register


def rows_rule(rule_id: str, severity: str, title: str, *, message: str, description: str, advice: str):
    """A rule across learners: registered for the record, run by the Preparation."""
    return _register("rows", None, rule_id, severity, title, message, description, advice, None)


def extra_rule(rule_id: str, severity: str, title: str, *, message: str, description: str, advice: str):
    """A variant's rule, `fn(prep, row) -> problems`: runs only where a variant passes it in."""
    return _register("extra", None, rule_id, severity, title, message, description, advice, None)


def of_type(*types: str) -> Applies:
    return lambda meaning, ctx, column: meaning.type in types


def check_learner(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    """Every problem on one learner's row (the duplicate check runs across rows separately)."""
    found: list[Problem] = []
    plan = ctx.columns_plan(columns)
    ctx._now = (columns, plan)
    get = values.get
    for column, empty, filled, memo in plan.cells:
        value = get(column, "")
        if not value or value.isspace():  # empty once its spaces are trimmed
            for check in empty:
                detail = check.run(ctx, column, values)
                if detail is not None:
                    found.append(problem(row, column, check.rule, detail=detail))
                    break
            continue
        if memo is None:
            for check in filled:
                detail = check.run(ctx, column, value)
                if detail is not None:
                    found.append(problem(row, column, check.rule, value, detail))
                    break
            continue
        hit = _remembered(ctx, column, filled, memo, value)
        if hit is not None:
            found.append(problem(row, column, hit[0], value, hit[1]))
    for check in ROW:
        found.extend(check.run(ctx, row, values, columns))
    ctx._now = (None, None)
    return found


def check_learners(ctx: CheckContext, rows: Sequence[dict[str, str]], columns: Sequence[str]) -> list[list[Problem]]:
    """check_learner for every learner of a return at once: the same problems in the same order,
    found a column at a time. A column of a few different values has each different one checked
    once, and a column with nothing to say about its values is passed over whole."""
    found: list[list[Problem]] = [[] for _ in rows]
    plan = ctx.columns_plan(columns)
    for column, empty, filled, memo in plan.cells:
        if not (empty or filled):
            continue
        texts = _column_of(rows, column)
        if memo is None and filled:
            _check_cells(ctx, column, empty, filled, rows, texts, found)
            continue
        distinct = set(texts)
        blanks = {text for text in distinct if not text or text.isspace()}
        flagged = _flagged(ctx, column, filled, memo, distinct - blanks) if memo is not None else {}
        if not flagged and not (blanks and empty):
            continue
        for row, text in enumerate(texts):
            if text in blanks:
                _check_empty(ctx, row, column, empty, rows[row], found[row])
            elif text in flagged:
                rule, detail = flagged[text]
                found[row].append(problem(row, column, rule, text, detail))
    for row, values in enumerate(rows):
        ctx._now = (columns, plan)
        for check in ROW:
            found[row].extend(check.run(ctx, row, values, columns))
    ctx._now = (None, None)
    return found


def _column_of(rows: Sequence[dict[str, str]], column: str) -> list[str]:
    """Each learner's value of a column ("" where a learner has none)."""
    try:
        return list(map(itemgetter(column), rows))  # a build's learners have every column
    except KeyError:
        return [values.get(column, "") for values in rows]


def _flagged(ctx: CheckContext, column: str, filled: tuple[Check, ...], memo: dict[str, tuple[str, str] | None],
             texts: set[str]) -> dict[str, tuple[str, str]]:
    """(rule, detail) for each of these values a value check fires on, by the column's memory."""
    flagged = {}
    for text in texts:
        hit = _remembered(ctx, column, filled, memo, text)
        if hit is not None:
            flagged[text] = hit
    return flagged


def _remembered(ctx: CheckContext, column: str, filled: tuple[Check, ...], memo: dict[str, tuple[str, str] | None],
                text: str) -> tuple[str, str] | None:
    """(rule, detail) of the first value check firing on `text`, found once per column and
    remembered (a repeating column's few values; at most MEMO_LIMIT of them, in memory only)."""
    if text in memo:
        return memo[text]
    hit = _first_found(ctx, column, text, filled)
    if len(memo) < MEMO_LIMIT:
        memo[text] = hit
    return hit


def _check_cells(ctx: CheckContext, column: str, empty: tuple[Check, ...], filled: tuple[Check, ...],
                 rows: Sequence[dict[str, str]], texts: list[str], found: list[list[Problem]]) -> None:
    """One column's cells checked one by one (a column whose values hardly repeat)."""
    for row, value in enumerate(texts):
        if not value or value.isspace():
            _check_empty(ctx, row, column, empty, rows[row], found[row])
            continue
        for check in filled:
            detail = check.run(ctx, column, value)
            if detail is not None:
                found[row].append(problem(row, column, check.rule, value, detail))
                break


def _check_empty(ctx: CheckContext, row: int, column: str, empty: tuple[Check, ...], values: dict[str, str],
                 found: list[Problem]) -> None:
    for check in empty:
        detail = check.run(ctx, column, values)
        if detail is not None:
            found.append(problem(row, column, check.rule, detail=detail))
            return


def _first_found(ctx: CheckContext, column: str, value: str, checks: tuple[Check, ...]) -> tuple[str, str] | None:
    """(rule, detail) of the first value check that fires, or None."""
    for check in checks:
        detail = check.run(ctx, column, value)
        if detail is not None:
            return check.rule, detail
    return None

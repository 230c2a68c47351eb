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

    def meaning(self, column: str) -> ColumnMeaning:
        found = self.meanings.get(column)
        if found is None:
            found = self.meanings[column] = self.definition.meaning(column)
        return found

    def value(self, values: dict[str, str], name: str) -> str:
        return values.get(self.headers.get(name, name), "")

    def has(self, columns: Sequence[str], name: str) -> bool:
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
    for column in columns:
        value = values.get(column, "")
        empty, filled = ctx.plan(column)
        if not value.strip():
            for check in empty:
                detail = check.run(ctx, column, values)
                if detail is not None:
                    found.append(problem(row, column, check.rule, detail=detail))
                    break
            continue
        for check in filled:
            detail = check.run(ctx, column, value)
            if detail is not None:
                found.append(problem(row, column, check.rule, value, detail))
                break
    for check in ROW:
        found.extend(check.run(ctx, row, values, columns))
    return found


"""A return being prepared: the one object the command line and the desktop app both drive.

load -> map -> scope -> clean -> check, then the user may remap or edit cells (each edit cleans
and rechecks that learner, and the duplicate check across rows), then save.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tracker_desktop.core.checking import rules
from tracker_desktop.core.values.calendar import academic_year_start
from tracker_desktop.core.values.cleaning import clean, ehcp_from_sen
from tracker_desktop.core.returns.definitions import ReturnDefinition, load_definition
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.writing.files import refuse_existing, write_atomic
from tracker_desktop.core.matching.mapping import Mapping, RowReader, propose_mapping, targets
from tracker_desktop.core.returns.naming import Sender, check_sender, file_name
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.checking.rules import Problem
from tracker_desktop.core.returns.scope import Period, out_of_scope
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.template import Template, read_template
from tracker_desktop.core.writing.workbook import write_return

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Fix:
    column: str
    before: str
    after: str


@dataclass
class Learner:
    source_row: int
    values: dict[str, str]  # cleaned value of every template column (and scope field)
    fixes: dict[str, Fix] = field(default_factory=dict)


@dataclass(frozen=True)
class LeftOut:
    source_row: int
    reason: str


_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", re.ASCII)
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def parse_period(text: str | None, as_of: dt.date) -> dt.date:
    """The reporting month from 'YYYY-MM' (or a real date in it), within the sane range."""
    if not text:
        return as_of.replace(day=1)
    example = "write the period as YYYY-MM, e.g. 2024-10"
    m = _MONTH.fullmatch(text.strip())
    if not m:
        raise UserError(f"'{text}' is not a month: {example}.")
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        raise UserError(f"'{text}' is not a real month (or day): {example}.") from None
    sane_range(day, f"The period '{text}'")
    return day.replace(day=1)


def parse_day(text: str | None) -> dt.date:
    """A date from 'YYYY-MM-DD' (default today), within the sane range."""
    if not text:
        return dt.date.today()
    example = "write it as YYYY-MM-DD, e.g. 2024-09-13"
    m = _DAY.fullmatch(text.strip())
    if not m:
        raise UserError(f"'{text}' is not a date: {example}.")
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise UserError(f"'{text}' is not a real date: {example}.") from None
    sane_range(day, f"The date '{text}'")
    return day


def sane_range(day: dt.date, what: str) -> None:
    """Returns are about this year: a date before 2000 or more than a year ahead is a typing
    slip (2099 for 2009, 0001), which would otherwise silently leave everyone out."""
    latest = dt.date.today() + dt.timedelta(days=366)
    if not (EARLIEST_DAY <= day <= latest):
        raise UserError(f"{what} is outside the years a return can be for ({EARLIEST_DAY.year} to "
                        f"{latest:%B %Y}): check the year.")


EARLIEST_DAY = dt.date(2000, 1, 1)


def known_headers(definition: ReturnDefinition) -> set[str]:
    """Every header name an export for this return may have: helps find the header row."""
    from tracker_desktop.core.matching.mapping import ADDRESS_BLOCK, ADDRESS_PARTS

    names: set[str] = set()
    for meaning in definition.catalog.values():
        names.update(meaning.synonyms)
        names.update(meaning.from_sen)
        for part in (meaning.compose or {}).get("parts", []):
            names.update(part)
    for _, parts in ADDRESS_PARTS:
        names.update(parts)
    names.update(ADDRESS_BLOCK)
    names.update({"Adno", "Admission Number", "Reg", "Reg Group", "Tutor Group", "Form"})
    return names


def mandatory_from_definition(template: Template, definition: ReturnDefinition) -> None:
    """A template whose highlights were lost (saved through CSV, or TEP's plain sheet) marks no
    column mandatory: then the return's own definition says which are."""
    if template.mandatory:
        return
    shipped = {definition.meaning(h).header: m for h, m in definition.columns}
    for column in template.columns:
        column.mandatory = shipped.get(definition.meaning(column.header).header, False)


# Columns the scope rules read (by our names), tidied before deciding who is on the return.
SCOPE_COLUMNS = ("NC Year", "Date of Birth", "EHCP", "Start Date")


class Preparation:
    """A return in progress: template, export, mapping, learners, fixes and problems."""

    def __init__(self, definition: ReturnDefinition, template: Template, table: Table, sender: Sender,
                 period: dt.date, as_of: dt.date, mapping: Mapping | None = None, progress: Progress | None = None):
        self.definition = definition
        self.template = template
        self.table = table
        self.sender = sender
        self.as_of = as_of
        self.period = Period(period, academic_year_start(period), as_of)
        self.mapping: Mapping = mapping or propose_mapping(table, definition, template.headers)
        self.learners: list[Learner] = []
        self.blocking: str | None = None
        self.left_out: list[LeftOut] = []
        self._row_problems: list[list[Problem]] = []
        self._duplicates: list[Problem] = []
        self._duplicates_by_row: dict[int, list[Problem]] = {}
        mandatory_from_definition(template, definition)
        self.headers = definition.standard_headers(template.headers)
        self._meanings: dict = {}
        self._in_template = frozenset(template.headers)
        self._recoded: dict[int, dict[int, str]] = {}
        for (source_row, col), text in table.recoded.items():
            self._recoded.setdefault(source_row, {})[col] = text
        self._context = rules.CheckContext(
            definition=definition,
            mandatory=frozenset(template.mandatory),
            as_of=as_of,
            academic_year=self.period.academic_year,
            dropdowns={c.header: c.dropdown for c in template.columns if c.dropdown},
            headers=self.headers,
        )
        self.build(progress)

    # --- starting ---------------------------------------------------------------------------

    @classmethod
    def start(cls, return_id: str, export: Path, school: str | None = None, college: str | None = None,
              period: str | None = None, as_of: str | dt.date | None = None, template: Path | None = None,
              mapping: Mapping | None = None, progress: Progress | None = None) -> "Preparation":
        """Read the template and the export, match, clean, scope and check. `progress` is told
        (stage, fraction done) now and then, for a progress bar."""
        definition = load_definition(return_id)
        if definition.prepopulated:
            raise UserError(f"{definition.title} is filled into the workbook TEP sent: give it with --prepopulated.")
        sender = check_sender(definition, school, college)
        day = as_of if isinstance(as_of, dt.date) else parse_day(as_of)
        month = parse_period(period, day)
        if progress:
            progress("Reading the template", 0.0)
        tmpl = read_template(Path(template) if template else definition.template_path, known_headers=known_headers(definition))
        if progress:
            progress("Reading the export", 0.05)
        table = read_export(Path(export), known_headers(definition))
        return cls(definition, tmpl, table, sender, month, day, mapping, progress)

    # --- building learners ---------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        return self.template.headers

    def build(self, progress: Progress | None = None) -> None:
        """(Re)build learners from the export with the current mapping."""
        reader = RowReader(self.table, self.mapping)
        wanted = targets(self.definition, self.columns)
        # Scope is decided on the few columns it reads, so learners left out are never tidied
        # or checked: a monthly return keeps a few dozen of a whole-school roll.
        deciding = [self.headers.get(n, n) for n in SCOPE_COLUMNS + tuple(self._scope_dates())]
        deciding = [c for c in dict.fromkeys(deciding) if c in wanted]
        rest = [c for c in wanted if c not in deciding]
        self.learners, self.left_out, self._row_problems = [], [], []
        self.blocking = self._missing_scope_column()
        total = max(len(self.table.rows), 1)
        for i, (row, source_row) in enumerate(zip(self.table.rows, self.table.source_rows)):
            if self.blocking:
                self.left_out.append(LeftOut(source_row, self.blocking))
                continue
            raw = reader.values(row)
            learner = Learner(source_row, {}, {})
            self._clean_into(learner, raw, deciding)
            reason = out_of_scope(self.definition.scope, learner.values, self.period, self.headers)
            if reason and source_row in self.table.damaged:
                reason += f" - but {self.table.damaged[source_row]}"
            if reason:
                self.left_out.append(LeftOut(source_row, reason))
                continue
            self._clean_into(learner, raw, rest)
            if source_row in self._recoded:
                self._record_recoded(learner, reader, row, raw)
            learner.values = {c: learner.values[c] for c in wanted}  # template order
            self.learners.append(learner)
            self._row_problems.append(self._check_row(len(self.learners) - 1))
            if progress and i % 2000 == 0:
                progress("Tidying and checking", 0.1 + 0.9 * i / total)
        self._check_duplicates()

    def _scope_dates(self) -> list[str]:
        return [self.definition.scope[k] for k in ("date_in_period", "left_on_or_before_as_of") if k in self.definition.scope]

    def _missing_scope_column(self) -> str | None:
        """Why nobody can be put on the return: the column deciding who is on it (the joining or
        leaving date) has no source in the export. Never a silently empty return."""
        name = self.definition.scope.get("date_in_period")
        if not name:
            return None
        header = self.headers.get(name, name)
        if self.mapping.get(header) is None:
            return (f"the export has no {header} column, which decides who is on this return: "
                    f"match one under Column matching, or export it from the MIS")
        return None

    def _clean_into(self, learner: Learner, raw: dict[str, str], columns: list[str]) -> None:
        in_template = self._in_template
        for column in columns:
            before = raw.get(column, "")
            source = self.mapping.get(column)
            after = self._clean_one(column, before, source.how if source else "value")
            learner.values[column] = after
            if after != before and column in in_template:
                learner.fixes[column] = Fix(column, before, after)

    def _record_recoded(self, learner: Learner, reader: RowReader, row: list[str], raw: dict[str, str]) -> None:
        """A line of the export read in another encoding than the rest: each value it changed
        is a fix, showing what the file's own encoding would have given."""
        as_found = list(row)
        for col, text in self._recoded[learner.source_row].items():
            if col < len(as_found):
                as_found[col] = text
        before = reader.values(as_found)
        for column, text in before.items():
            if column in self._in_template and text != raw.get(column) and column in learner.values:
                learner.fixes[column] = Fix(column, text, learner.values[column])

    def _clean_one(self, column: str, text: str, how: str = "value") -> str:
        if how == "sen":
            text = ehcp_from_sen(text)
        meaning = self._meanings.get(column)
        if meaning is None:
            meaning = self._meanings[column] = self.definition.meaning(column)
        return clean(meaning, text)

    # --- checking ------------------------------------------------------------------------------

    def recheck(self) -> None:
        self._row_problems = [self._check_row(i) for i in range(len(self.learners))]
        self._check_duplicates()

    def _check_row(self, row: int) -> list[Problem]:
        found = rules.check_learner(self._context, row, self.learners[row].values, self.columns)
        damaged = self.table.damaged.get(self.learners[row].source_row)
        if damaged and self.columns:
            # On the learner's identifier (or the first column): the whole row is to be checked.
            identity = self.headers.get(self.definition.identity, self.definition.identity)
            column = identity if identity in self.columns else self.columns[0]
            found.append(rules.problem(row, column, "row-damaged", detail=damaged))
        return found

    def _check_duplicates(self) -> None:
        identity = self.headers.get(self.definition.identity, self.definition.identity)
        if identity in self.columns:
            self._duplicates = rules.check_duplicates(identity, (l.values.get(identity, "") for l in self.learners))
        else:
            self._duplicates = []
        self._duplicates_by_row = {}
        for p in self._duplicates:
            self._duplicates_by_row.setdefault(p.row, []).append(p)

    @property
    def problems(self) -> list[Problem]:
        merged = [p for row in self._row_problems for p in row] + self._duplicates
        order = {c: i for i, c in enumerate(self.columns)}
        return sorted(merged, key=lambda p: (p.row, order.get(p.column, 999), p.rule))

    def problems_at(self, row: int) -> list[Problem]:
        return self._row_problems[row] + self._duplicates_by_row.get(row, [])

    def counts(self) -> dict[str, int]:
        found = self.problems
        return {"errors": sum(p.severity == "error" for p in found), "queries": sum(p.severity == "query" for p in found)}

    # --- editing -------------------------------------------------------------------------------

    def set_value(self, row: int, column: str, text: str) -> str:
        """A user's edit: cleaned, stored, and the learner (and duplicates) rechecked at once."""
        learner = self.learners[row]
        value = self._clean_one(column, text)
        learner.values[column] = value
        learner.fixes.pop(column, None)
        if value != text.strip():
            learner.fixes[column] = Fix(column, text, value)
        self._row_problems[row] = self._check_row(row)
        if column == self.headers.get(self.definition.identity):
            self._check_duplicates()
        return value

    def restore(self, row: int, column: str, value: str, fix: Fix | None) -> None:
        """Put back a value exactly as it was (undo/redo), with the tidying record it had."""
        learner = self.learners[row]
        learner.values[column] = value
        learner.fixes.pop(column, None)
        if fix is not None:
            learner.fixes[column] = fix
        self._row_problems[row] = self._check_row(row)
        if column == self.headers.get(self.definition.identity):
            self._check_duplicates()

    def remap(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.build()

    def add_problem(self, row: int, column: str, rule_id: str, value: str = "", detail: str = "") -> None:
        self._row_problems[row].append(rules.problem(row, column, rule_id, value, detail))

    # --- output --------------------------------------------------------------------------------

    @property
    def output_name(self) -> str:
        return file_name(self.definition, self.sender, self.period.month_start, self.as_of)

    def rows_for_writing(self):
        """Each learner's values in template order, codes written the way the template's own
        dropdown lists them (a KCC list of '310 - Apprenticeship' gets exactly that)."""
        as_listed = self._dropdown_forms()
        for learner in self.learners:
            row = [learner.values.get(c, "") for c in self.columns]
            for i, forms in as_listed:
                row[i] = forms.get(row[i], row[i])
            yield row

    def _dropdown_forms(self) -> list[tuple[int, dict[str, str]]]:
        from tracker_desktop.core.values.cleaning import code_of

        out = []
        for i, column in enumerate(self.template.columns):
            codes = self.definition.meaning(column.header).codes
            if not column.dropdown or not codes:
                continue
            forms = {}
            for entry in column.dropdown:
                code = code_of(entry, codes)
                if code is not None and code != entry:
                    forms.setdefault(code, entry)
            if forms:
                out.append((i, forms))
        return out

    def workbook_bytes(self) -> bytes:
        return write_return(self.template, self.definition, self.rows_for_writing())

    def save(self, folder: Path, force: bool = False) -> Path:
        path = Path(folder) / self.output_name
        if not force:
            refuse_existing(path)  # before building the workbook, which can take seconds
        return write_atomic(path, self.workbook_bytes(), force=force)

    def report(self, output: Path | None) -> dict:
        return {
            "return": self.definition.id,
            "output": str(output) if output else None,
            "rows": len(self.learners),
            "learners": [{"source_row": l.source_row, "row": self.sheet_row(i)} for i, l in enumerate(self.learners)],
            "left_out": [{"source_row": l.source_row, "reason": l.reason} for l in self.left_out],
            "fixes": [{"source_row": l.source_row, "row": self.sheet_row(i), "column": f.column, "before": f.before, "after": f.after}
                      for i, l in enumerate(self.learners) for f in l.fixes.values()],
            "problems": [{"source_row": self.learners[p.row].source_row, "row": self.sheet_row(p.row), "column": p.column,
                          "severity": p.severity, "rule": p.rule, "message": p.message} for p in self.problems],
            "unmatched_columns": [c for c in self._columns_to_fill() if self.mapping.get(c) is None],
        }

    def _columns_to_fill(self) -> list[str]:
        """Columns the export is expected to fill (for TEP's sheets, only the school's)."""
        if self.definition.school_fills:
            return [self.headers.get(n, n) for n in self.definition.school_fills]
        return self.columns

    def sheet_row(self, index: int) -> int:
        """The row a learner lands on in the written workbook."""
        return self.template.header_row + 1 + index

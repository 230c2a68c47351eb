"""A return being prepared: the one object the command line and the desktop app both drive.

open (opening.py) -> learners -> clean -> check, then the user may remap or edit cells (each edit
cleans and rechecks that learner, and the duplicate check across rows), then save.

Variants (TEP's sheets, a filled-in workbook being checked, the movers from two rolls) open the
same way and give their own learners and extra rules as parameters; nothing is overridden.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker_desktop.core.checking import rules, variant_rules
from tracker_desktop.core.checking.accepted import Acceptance, AcceptedQueries
from tracker_desktop.core.checking.rules import ERROR, QUERY, Problem
from tracker_desktop.core.matching.mapping import Mapping, RowReader, columns_report, targets
from tracker_desktop.core.memory import collection_paused
from tracker_desktop.core.preparing.opening import Opening, Progress, open_return
from tracker_desktop.core.preparing.saving import save_workbook
from tracker_desktop.core.returns.naming import file_name
from tracker_desktop.core.returns.scope import out_of_scope
from tracker_desktop.core.values.cleaning import REPEATING, cleaner_for, remembering
from tracker_desktop.core.writing.files import refuse_existing
from tracker_desktop.core.writing.workbook import write_return


# slots: a county's return holds a Learner for each of 100,000 rows, and fixes by the ten thousand
@dataclass(frozen=True, slots=True)
class Fix:
    column: str
    before: str
    after: str
    edited: bool = False  # tidied from the user's own edit (not from what was read)


@dataclass(slots=True)
class Learner:
    source_row: int
    values: dict[str, str]  # cleaned value of every template column (and scope field)
    fixes: dict[str, Fix] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LeftOut:
    source_row: int
    reason: str
    taken_out: bool = False  # the user took this row out (the reason is theirs), rather than scope


@dataclass
class Built:
    """What a learner source gives: the learners on the return, those left out (with a reason
    each), and why nobody can be put on it yet, if so."""

    learners: list[Learner]
    left_out: list[LeftOut] = field(default_factory=list)
    blocking: str | None = None


# Who is on the return: by default the export's rows in scope; TEP's sheets give TEP's rows.
LearnerSource = Callable[["Preparation", "Progress | None"], Built]
# A check a variant adds to every learner's: (preparation, learner index) -> problems.
ExtraRule = Callable[["Preparation", int], list[Problem]]

# How a build cleans one column: (column, cleaner, in the template, the fixes it made by text as
# read, shared between learners, or None for a column whose values hardly repeat).
_ColumnPlan = tuple[str, Callable[[str], str], bool, "dict[str, Fix] | None"]

# Columns the scope rules read (by our names), tidied before deciding who is on the return.
SCOPE_COLUMNS = ("NC Year", "Date of Birth", "EHCP", "Start Date", "Enrolment Status")


def from_export(prep: Preparation, progress: Progress | None = None) -> Built:
    """The export's rows in scope. Scope is decided on the few columns it reads, so learners left
    out are never tidied: a monthly return keeps a few dozen of a whole-school roll.

    The rows are read and tidied a column at a time, a few thousand rows at once (the same
    values and fixes as row by row, and no more in memory at once than those rows' columns)."""
    reader = RowReader(prep.table, prep.mapping)
    wanted = targets(prep.definition, prep.columns)
    deciding = prep._deciding_columns(wanted)
    rest = [c for c in wanted if c not in deciding]
    blocking = _missing_scope_column(prep)
    if blocking:
        return Built([], [LeftOut(r, blocking) for r in prep.table.source_rows], blocking)
    recoded: dict[int, dict[int, str]] = {}
    for (source_row, col), text in prep.table.recoded.items():
        recoded.setdefault(source_row, {})[col] = text
    prep._planned(wanted)  # how each column is read and cleaned in this build, worked out now
    # Who is on the return depends on the deciding columns' values alone, and many learners share
    # them (a year group, a start date): each different set of values is judged once.
    reasons: dict[tuple[str, ...], str | None] = {}
    values_of = _values_maker(wanted)
    built = Built([])
    rows, source_rows = prep.table.rows, prep.table.source_rows
    for start in range(0, len(rows), _ROWS_AT_ONCE):
        if progress:
            progress("Tidying", 0.1 + 0.8 * start / len(rows))
        chunk, chunk_sources = rows[start:start + _ROWS_AT_ONCE], source_rows[start:start + _ROWS_AT_ONCE]
        read = reader.columns(chunk, deciding)
        tidied = [prep._tidied(column, texts) for column, texts in zip(deciding, read, strict=True)]
        kept = _in_scope(prep, deciding, tidied, chunk_sources, reasons, built.left_out)
        learners = [Learner(chunk_sources[k], {}, {}) for k in kept]
        kept_rows = [chunk[k] for k in kept]
        columns: dict[str, list[str]] = {}
        for column, texts, values in zip(deciding, read, tidied, strict=True):
            columns[column] = [values[k] for k in kept]
            prep._note_fixes(learners, column, [texts[k] for k in kept], columns[column])
        split = reader.split_cells(kept_rows)
        for column, texts in zip(rest, reader.columns(kept_rows, rest), strict=True):
            columns[column] = prep._tidied(column, texts)
            prep._note_fixes(learners, column, split.get(column, texts), columns[column])
        if wanted:
            for learner, row_values in zip(learners, zip(*[columns[c] for c in wanted], strict=True), strict=True):
                learner.values = values_of(row_values)  # template order
        for learner, row in zip(learners, kept_rows, strict=True):
            if learner.source_row in recoded:
                _record_recoded(prep, learner, reader, row, reader.values(row), recoded[learner.source_row])
        built.learners += learners
    return built


_ROWS_AT_ONCE = 4096
_MEMO_LIMIT = 50_000  # different texts (or sets of deciding values) a build remembers the answer for, at most


def _values_maker(keys: list[str]) -> Callable[[Sequence[str]], dict[str, str]]:
    """A learner's values as a dict of these keys, from the values in their order.

    Each is a plain dict, copied from the attributes of one object: CPython keeps such copies in
    a 'split table', the keys once for them all and each dict only its values, about a third of
    the memory of a dict of its own at 28 columns (a county's return holds 100,000 of them).
    Anything else CPython does with a dict works the same; where it cannot share the keys (very
    many columns, another Python) each dict simply has its own."""
    if any(key.startswith("__") for key in keys):  # never an attribute of Python's own
        return lambda values: dict(zip(keys, values, strict=True))

    class Values:  # a class for this build alone: its objects' attributes are these keys, in order
        pass

    holder = Values()
    for key in keys:
        setattr(holder, key, "")
    shared = vars(holder)

    def values_of(values: Sequence[str]) -> dict[str, str]:
        found = shared.copy()
        found.update(zip(keys, values, strict=True))
        return found
    return values_of


def _in_scope(prep: Preparation, deciding: list[str], tidied: list[list[str]], source_rows: list[int],
              reasons: dict[tuple[str, ...], str | None], left_out: list[LeftOut]) -> list[int]:
    """Which of these rows (their places among them) are on the return, by the deciding columns'
    tidied values; the rest are left out, each with its reason."""
    scope, period, headers, damaged = prep.definition.scope, prep.period, prep.headers, prep.table.damaged
    kept = []
    for k, key in enumerate(zip(*tidied, strict=True) if deciding else [()] * len(source_rows)):
        if key in reasons:
            reason = reasons[key]
        else:
            reason = out_of_scope(scope, dict(zip(deciding, key, strict=True)), period, headers)
            if len(reasons) < _MEMO_LIMIT:
                reasons[key] = reason
        if reason and source_rows[k] in damaged:
            reason += f" - but {damaged[source_rows[k]]}"  # never a silent drop of a damaged row
        if reason:
            left_out.append(LeftOut(source_rows[k], reason))
        else:
            kept.append(k)
    return kept


def _record_recoded(prep: Preparation, learner: Learner, reader: RowReader, row: list[str], raw: dict[str, str],
                    recoded: dict[int, str]) -> None:
    """A line of the export read in another encoding than the rest of the file: each value it
    changed is a fix, showing what the file's own encoding would have given."""
    as_found = list(row)
    for col, text in recoded.items():
        if col < len(as_found):
            as_found[col] = text
    for column, text in reader.values(as_found).items():
        if column in prep.template.headers and text != raw.get(column) and column in learner.values:
            learner.fixes[column] = Fix(column, text, learner.values[column])


def _missing_scope_column(prep: Preparation) -> str | None:
    """Why nobody can be put on the return: the column deciding who is on it (the joining or
    leaving date) has no source in the export. Never a silently empty return."""
    name = prep.definition.scope.get("date_in_period")
    if not name:
        return None
    header = prep.headers.get(name, name)
    if prep.mapping.get(header) is None:
        return (f"the export has no {header} column, which decides who is on this return: "
                f"match one under Column matching, or export it from the MIS")
    return None


def _fix(same_fixes: dict[str, Fix] | None, column: str, shown: str, after: str) -> Fix:
    """A column of few different values makes the same fix many times: one Fix each, shared."""
    if same_fixes is None:
        return Fix(column, shown, after)
    fix = same_fixes.get(shown)
    if fix is None or fix.after != after:
        fix = Fix(column, shown, after)
        if len(same_fixes) < _MEMO_LIMIT:
            same_fixes[shown] = fix
    return fix


class Preparation:
    """A return in progress: template, export, mapping, learners, fixes and problems."""

    def __init__(self, opening: Opening, learners: LearnerSource = from_export, extra_rules: Sequence[ExtraRule] = (),
                 progress: Progress | None = None):
        self.opening = opening
        self.definition = opening.definition
        self.template = opening.template
        self.table = opening.table
        self.sender = opening.sender
        self.as_of = opening.as_of
        self.period = opening.period
        self.mapping: Mapping = opening.mapping
        self.remembered = opening.remembered
        self._learner_source = learners
        self._extra_rules = tuple(extra_rules)
        # Rows the user took out, by source row: (place among the learners as built, learner, reason).
        # Kept by source row so a remap (which rebuilds every learner) still leaves them out.
        self._taken_out: dict[int, tuple[int, Learner, str]] = {}
        self._accepted: AcceptedQueries | None = None
        self.learners: list[Learner] = []
        self.blocking: str | None = None
        self.left_out: list[LeftOut] = []
        self._row_problems: list[list[Problem]] = []
        self._tally: dict[str, int] = {}
        self._merged: list[Problem] | None = None
        self._duplicates: rules.Duplicates | None = None
        self.headers = self.definition.standard_headers(self.template.headers)
        self._meanings: dict = {}
        self._cleaners: dict[tuple[str, str], Callable[[str], str]] = {}
        self._read_plan: dict[str, _ColumnPlan] = {}
        self._edited: dict[int, set[str]] = {}
        self._in_template = frozenset(self.template.headers)
        self._column_order = {c: i for i, c in enumerate(self.template.headers)}
        self._context = rules.CheckContext(
            definition=self.definition,
            mandatory=frozenset(self.template.mandatory),
            as_of=self.as_of,
            academic_year=self.period.academic_year,
            dropdowns={c.header: c.dropdown for c in self.template.columns if c.dropdown},
            headers=self.headers,
        )
        self.build(progress)

    # --- starting ---------------------------------------------------------------------------

    @classmethod
    def start(cls, return_id: str, export: Path, school: str | None = None, college: str | None = None,
              period: str | None = None, as_of: str | dt.date | None = None, template: Path | None = None,
              mapping: Mapping | None = None, progress: Progress | None = None,
              remembered: Mapping | None = None, understood: dict[str, str | None] | None = None) -> Preparation:
        """Read the template and the export, match, clean, scope and check. `progress` is told
        (stage, fraction done) now and then, for a progress bar. `remembered`: a matching the
        user confirmed before, used where it still fits (`prep.remembered` says whether it was).
        `understood`: the user's answers for what this template's headers are (header -> our
        column, None for none of ours)."""
        from tracker_desktop.core.errors import UserError
        from tracker_desktop.core.returns.definitions import load_definition

        definition = load_definition(return_id)
        if understood:
            definition = definition.with_understood(understood)
        if definition.prepopulated:
            raise UserError(f"{definition.title} is filled into the workbook TEP sent: give it with --prepopulated.")
        with collection_paused():  # the export read and the learners built make millions of objects
            opening = open_return(definition, export, school=school, college=college, period=period, as_of=as_of,
                                  template=template, mapping=mapping, remembered=remembered, progress=progress)
            return cls(opening, progress=progress)

    # --- building learners ---------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        return self.template.headers

    def build(self, progress: Progress | None = None) -> None:
        """(Re)build learners with the current mapping, and check them."""
        with collection_paused():
            self._build(progress)

    def _build(self, progress: Progress | None) -> None:
        self._read_plan = {}  # the mapping may have changed: how each column is read and cleaned
        self._edited = {}  # source row -> the columns the user typed in: a build reads them afresh
        built = self._learner_source(self, progress)
        self.learners, self.left_out, self.blocking = built.learners, built.left_out, built.blocking
        if self._taken_out:
            reasons = {source_row: reason for source_row, (_, _, reason) in self._taken_out.items()}
            self._taken_out = {}
            kept = []
            for place, learner in enumerate(self.learners):
                if learner.source_row in reasons:
                    self._taken_out[learner.source_row] = (place, learner, reasons[learner.source_row])
                else:
                    kept.append(learner)
            self.learners = kept
            self.left_out = self.left_out + self._taken_out_list()
        if progress:
            progress("Checking", 0.9)
        self.recheck()

    def clean_into(self, learner: Learner, raw: dict[str, str], columns: Iterable[str],
                   composed: dict[str, str] | None = None) -> None:
        """Clean the raw values of these columns into the learner, recording what tidying changed.
        `composed`: the whole cell a value was split from (a combined name), shown as 'before'."""
        self._clean_planned(learner, raw, self._planned(columns), composed)

    def _planned(self, columns: Iterable[str]) -> list[_ColumnPlan]:
        plan = self._read_plan
        found = []
        for column in columns:
            entry = plan.get(column)
            if entry is None:
                entry = plan[column] = self._plan_column(column)
            found.append(entry)
        return found

    @staticmethod
    def _clean_planned(learner: Learner, raw: dict[str, str], planned: list[_ColumnPlan],
                       composed: dict[str, str] | None = None) -> None:
        """clean_into with the columns' plans worked out (an edit, a remap, TEP's rows: row by row)."""
        values, fixes, get = learner.values, learner.fixes, raw.get
        for column, cleaner, in_template, same_fixes in planned:
            before = get(column, "")
            after = values[column] = cleaner(before)
            if after != before or composed:
                shown = composed.get(column, before) if composed else before
                if after != shown and in_template:
                    fixes[column] = _fix(same_fixes, column, shown, after)

    def _tidied(self, column: str, texts: list[str]) -> list[str]:
        """A column's texts, cleaned (from_export: a column at a time)."""
        return list(map(self._read_plan[column][1], texts))

    def _note_fixes(self, learners: list[Learner], column: str, shown: list[str], tidied: list[str]) -> list[int]:
        """Record a fix on each learner whose tidied value differs from what the export showed;
        the positions of the learners given one."""
        _, _, in_template, same_fixes = self._read_plan[column]
        if not in_template or shown == tidied:  # most columns: nothing tidied
            return []
        fixed = []
        for k, (learner, before, after) in enumerate(zip(learners, shown, tidied, strict=True)):
            if after != before:
                learner.fixes[column] = _fix(same_fixes, column, before, after)
                fixed.append(k)
        return fixed

    def _plan_column(self, column: str) -> _ColumnPlan:
        """How a column's cells are cleaned in this build: its meaning and way of reading, once.
        A column of few different values (dates, codes) cleans each different text once."""
        source = self.mapping.get(column)
        cleaner = self._cleaner(column, source.how if source else "value")
        repeating = self._meanings[column].type in REPEATING
        if repeating:
            cleaner = remembering(cleaner)
        return column, cleaner, column in self._in_template, {} if repeating else None

    def _cleaner(self, column: str, how: str) -> Callable[[str], str]:
        found = self._cleaners.get((column, how))
        if found is None:
            meaning = self._meanings.get(column)
            if meaning is None:
                meaning = self._meanings[column] = self.definition.meaning(column)
            # a telephone cleaner notes each number it found valid, for the check to take as read
            found = cleaner_for(meaning, how, self._context.valid_phones)
            self._cleaners[(column, how)] = found
        return found

    def clean_one(self, column: str, text: str, how: str = "value") -> str:
        return self._cleaner(column, how)(text)

    # --- checking ------------------------------------------------------------------------------
    # Problems are kept per row, each row's in column order, with running counts: an edit
    # rechecks its row and the groups of duplicates it leaves and joins, and changes the counts
    # by the difference, so nothing is re-sorted or recounted across the whole return.

    def recheck(self) -> None:
        self._context.forget_values()
        self._tally = {ERROR: 0, QUERY: 0}
        # every learner's own checks at once (a column at a time), then what _check_row adds
        every = rules.check_learners(self._context, [learner.values for learner in self.learners], self.columns)
        self._row_problems = []
        for i, found in enumerate(every):
            found = self._check_row(i, found)
            self._row_problems.append(found)
            for p in found:
                self._tally[p.severity] = self._tally.get(p.severity, 0) + 1
        self._merged = None
        self._check_duplicates()

    def _check_row(self, row: int, found: list[Problem] | None = None) -> list[Problem]:
        """A learner's problems in column order. `found`: what check_learner gives it, if known."""
        if found is None:
            found = rules.check_learner(self._context, row, self.learners[row].values, self.columns)
        if self._learner_source is from_export:  # learners are the export's rows
            found.extend(variant_rules.damaged_row(self, row))
        for rule in self._extra_rules:
            found.extend(rule(self, row))
        if len(found) > 1:
            order = self._column_order
            found.sort(key=lambda p: (order.get(p.column, 999), p.rule))
        return found

    def _set_row(self, row: int, found: list[Problem]) -> None:
        """Replace one row's problems, keeping the counts."""
        for p in self._row_problems[row]:
            self._tally[p.severity] -= 1
        for p in found:
            self._tally[p.severity] = self._tally.get(p.severity, 0) + 1
        self._row_problems[row] = found
        self._merged = None

    def _check_duplicates(self) -> None:
        identity = self.headers.get(self.definition.identity, self.definition.identity)
        if identity in self._in_template:
            values = (learner.values.get(identity, "") for learner in self.learners)
            # Problems name other learners by their row in the written workbook, when shown.
            self._duplicates = rules.Duplicates(identity, values, self.sheet_row)
        else:
            self._duplicates = None
        self._merged = None

    def _recheck_duplicates(self, row: int, column: str) -> None:
        """An edit: only the groups the learner leaves and joins are rechecked."""
        if self._duplicates is not None and column == self._duplicates.column:
            if self._duplicates.move(row, self.learners[row].values.get(column, "")):
                self._merged = None

    @property
    def problems(self) -> list[Problem]:
        """Every problem, by row and then in column order (the rows' own lists joined, not sorted)."""
        return list(self._all_problems())

    def _all_problems(self) -> list[Problem]:
        if self._merged is None:
            merged: list[Problem] = []
            for row in range(len(self._row_problems)):
                merged += self.problems_at(row)
            self._merged = merged
        return self._merged

    def problems_at(self, row: int) -> list[Problem]:
        """One learner's problems in column order (what the grid colours and notes)."""
        found = self._row_problems[row]
        duplicate = self._duplicates.at(row) if self._duplicates is not None else None
        if duplicate is None:
            return list(found)
        order = self._column_order
        return sorted([*found, duplicate], key=lambda p: (order.get(p.column, 999), p.rule))

    def counts_at(self, row: int) -> dict[str, int]:
        """One learner's errors and queries."""
        found = self.problems_at(row)
        return {"errors": sum(p.severity == ERROR for p in found), "queries": sum(p.severity == QUERY for p in found)}

    def duplicate_rows(self) -> set[int]:
        """The learners on more than one row."""
        return self._duplicates.rows() if self._duplicates is not None else set()

    def counts(self) -> dict[str, int]:
        """Errors, queries still to look at, and queries accepted (counted apart). Errors and
        queries are kept up to date edit by edit; accepted ones are looked up among the queries
        only when the school keeps accepted queries (they change outside the return)."""
        errors, queries = self._tally.get(ERROR, 0), self._tally.get(QUERY, 0)
        if self._duplicates is not None:
            severity = rules.RULES["duplicate-learner"].severity
            errors += self._duplicates.count if severity == ERROR else 0
            queries += self._duplicates.count if severity == QUERY else 0
        accepted = 0
        if self._accepted is not None and queries:
            accepted = sum(p.severity == QUERY and self.acceptance(p) is not None for p in self._all_problems())
        return {"errors": errors, "queries": queries - accepted, "accepted": accepted}

    # --- taking rows out ---------------------------------------------------------------------

    def take_out(self, row: int, reason: str) -> LeftOut:
        """The user takes a learner off the return (a duplicate row, someone who should not be
        on it), with their reason: listed with the left-out learners, never written."""
        from tracker_desktop.core.errors import UserError

        if self.definition.prepopulated:
            raise UserError("TEP's sheet keeps every row TEP sent: write what you know in the row instead.")
        reason = " ".join(reason.split())
        if not reason:
            raise UserError("Say why this row is taken out (e.g. the same learner as row 14).")
        place = self._place(row)
        learner = self.learners.pop(row)
        self._taken_out[learner.source_row] = (place, learner, reason)
        self._set_row(row, [])  # its problems leave the counts
        self._row_problems.pop(row)
        self._renumber(row)
        self._check_duplicates()
        self.left_out = [o for o in self.left_out if not o.taken_out] + self._taken_out_list()
        return next(o for o in self.left_out if o.taken_out and o.source_row == learner.source_row)

    def put_back(self, source_row: int) -> int:
        """Put a row the user took out back where it was; returns its row index on the return."""
        from tracker_desktop.core.errors import UserError

        if source_row not in self._taken_out:
            raise UserError(f"Export row {source_row} was not taken out of the return.")
        place, learner, _ = self._taken_out.pop(source_row)
        earlier_out = sum(1 for p, _, _ in self._taken_out.values() if p < place)
        row = min(place - earlier_out, len(self.learners))
        self.learners.insert(row, learner)
        self._row_problems.insert(row, [])
        self._renumber(row)
        self._set_row(row, self._check_row(row))
        self._check_duplicates()
        self.left_out = [o for o in self.left_out if not o.taken_out] + self._taken_out_list()
        return row

    @property
    def taken_out(self) -> list[LeftOut]:
        return self._taken_out_list()

    def _place(self, row: int) -> int:
        """Where a learner on the return stands in the order the learners were built in (counting
        those taken out), so that putting it back puts it where it was."""
        order = sorted(p for p, _, _ in self._taken_out.values())
        position = row
        for p in order:
            if p <= position:
                position += 1
        return position

    def _taken_out_list(self) -> list[LeftOut]:
        return [LeftOut(source_row, reason, taken_out=True)
                for source_row, (_, _, reason) in sorted(self._taken_out.items(), key=lambda kv: kv[1][0])]

    def _renumber(self, start: int) -> None:
        """Problems name their learner's index: after a row goes or comes back, those below move."""
        from dataclasses import replace

        for i in range(start, len(self._row_problems)):
            self._row_problems[i] = [p if p.row == i else replace(p, row=i) for p in self._row_problems[i]]

    # --- accepting queries --------------------------------------------------------------------

    def use_accepted(self, accepted: AcceptedQueries | None) -> None:
        """The school's accepted queries (checking/accepted.py): those problems are shown as accepted."""
        self._accepted = accepted

    def identifier(self, row: int) -> str:
        """The learner's UPN (or ULN for a college), which an accepted query is remembered by."""
        from tracker_desktop.core.values.identifiers import ULN_NOT_KNOWN

        values = self.learners[row].values
        for name in dict.fromkeys((self.definition.identity, "ULN", "UPN")):
            value = values.get(self.headers.get(name, name), "").strip().upper()
            # The 'not known' ULN is shared by many learners: it identifies nobody.
            if value and name in ("UPN", "ULN") and value != ULN_NOT_KNOWN:
                return value
        return ""

    def acceptance(self, problem: Problem) -> Acceptance | None:
        if self._accepted is None or problem.severity != "query":
            return None
        return self._accepted.get(self.sender.code, self.identifier(problem.row), problem.rule)

    def accept(self, problem: Problem, note: str) -> Acceptance:
        """Accept a query with the office's note, remembered for this learner and rule."""
        from tracker_desktop.core.errors import UserError

        if self._accepted is None:
            raise UserError("Accepted queries cannot be kept here: open the return from the app, "
                            "or give a settings folder.")
        values = self.learners[problem.row].values
        names = tuple(values.get(self.headers.get(n, n), "") for n in
                      ("Legal Surname", "Legal Forename", "Middle Name(s)", "Preferred Surname", "Preferred Forename"))
        if problem.severity != "query":
            raise UserError("Only a query can be accepted: an error must be fixed before the return is sent.")
        return self._accepted.accept(self.sender.code, self.identifier(problem.row), problem.rule, note, names)

    def withdraw(self, problem: Problem) -> None:
        if self._accepted is not None:
            self._accepted.withdraw(self.sender.code, self.identifier(problem.row), problem.rule)

    # --- editing -------------------------------------------------------------------------------

    def set_value(self, row: int, column: str, text: str) -> str:
        """A user's edit: cleaned, stored, and the learner (and duplicates) rechecked at once."""
        return self.set_values([(row, column, text)])[0]

    def set_values(self, edits) -> list[str]:
        """Several edits at once (a paste, a fill, clearing a range): each value cleaned exactly as
        if typed, then every learner touched rechecked once (a row pasted across 20 columns is
        checked once, not 20 times) and each learner moved between duplicate groups as it changes.
        Returns the cleaned values."""
        cleaned: list[str] = []
        rows: set[int] = set()
        for row, column, text in edits:
            text = "" if text is None else str(text)
            learner = self.learners[row]
            value = self.clean_one(column, text)
            learner.values[column] = value
            self._edited.setdefault(learner.source_row, set()).add(column)
            learner.fixes.pop(column, None)
            if value != text.strip():
                learner.fixes[column] = Fix(column, text, value, edited=True)
            cleaned.append(value)
            rows.add(row)
            self._recheck_duplicates(row, column)
        for row in rows:
            self._set_row(row, self._check_row(row))  # the counts change by the difference
        return cleaned

    def restore(self, row: int, column: str, value: str, fix: Fix | None) -> None:
        """Put back a value exactly as it was (undo/redo), with the tidying record it had."""
        learner = self.learners[row]
        learner.values[column] = value
        self._edited.setdefault(learner.source_row, set()).add(column)
        learner.fixes.pop(column, None)
        if fix is not None:
            learner.fixes[column] = fix
        self._set_row(row, self._check_row(row))
        self._recheck_duplicates(row, column)

    def remap(self, mapping: Mapping) -> None:
        """Use another column matching: the same learners, values, fixes and problems as building
        the return afresh with it, reading again only what can differ. Only the columns whose
        source changed are read and tidied again (and any cell the user typed in, as a fresh
        build forgets edits); every learner is then rechecked, the checks reading across columns.
        A change to a column deciding who is on the return, or a variant's own learners (TEP's
        rows), builds the return again in full."""
        old, self.mapping = self.mapping, mapping
        changed = self._changed_columns(old, mapping)
        if changed is None or self._learner_source is not from_export:
            self.build()
            return
        with collection_paused():
            self._reread(changed)

    def _changed_columns(self, old: Mapping, new: Mapping) -> list[str] | None:
        """The columns a new matching reads differently, or None when who is on the return may change."""
        wanted = targets(self.definition, self.columns)
        changed = {c for c in wanted if old.get(c) != new.get(c)}
        addresses = ("address", "address-block")
        if any(s is not None and s.how in addresses for c in changed for s in (old.get(c), new.get(c))):
            # address lines are shared out over however many address columns are matched
            changed |= {c for c in wanted for s in (old.get(c), new.get(c)) if s is not None and s.how in addresses}
        if changed & set(self._deciding_columns(wanted)):
            return None
        return [c for c in wanted if c in changed]

    def _deciding_columns(self, wanted: list[str]) -> list[str]:
        scope = self.definition.scope
        dates = [scope[k] for k in ("date_in_period", "left_on_or_before_as_of") if k in scope]
        return [c for c in dict.fromkeys(self.headers.get(n, n) for n in (*SCOPE_COLUMNS, *dates)) if c in wanted]

    def _reread(self, changed: list[str]) -> None:
        """Read the changed columns again, as from_export would: a column at a time for a few
        thousand learners at once (those taken out too, as a fresh build reads them). A learner
        with a typed cell, or a line of the export read in another encoding, is read again whole
        (all of it, as a fresh build does); fixes keep the order a build gives them."""
        self._read_plan = {}
        reader = RowReader(self.table, self.mapping)
        wanted = targets(self.definition, self.columns)
        deciding = self._deciding_columns(wanted)
        rest = [c for c in wanted if c not in deciding]
        order = deciding + rest
        index = {source_row: i for i, source_row in enumerate(self.table.source_rows)}
        recoded: dict[int, dict[int, str]] = {}
        for (source_row, col), text in self.table.recoded.items():
            recoded.setdefault(source_row, {})[col] = text
        rows = self.table.rows
        taken_out = [learner for _, learner, _ in self._taken_out.values()]  # a fresh build reads them too
        plain: list[Learner] = []
        for learner in [*self.learners, *taken_out]:
            if learner.source_row in self._edited or learner.source_row in recoded:
                row = rows[index[learner.source_row]]
                raw = reader.values(row)
                learner.fixes = {}
                self.clean_into(learner, raw, deciding)
                self.clean_into(learner, raw, rest, reader.composed(row))
                if learner.source_row in recoded:
                    _record_recoded(self, learner, reader, row, raw, recoded[learner.source_row])
            else:
                plain.append(learner)
        self._planned(changed)
        for start in range(0, len(plain), _ROWS_AT_ONCE):
            learners = plain[start:start + _ROWS_AT_ONCE]
            self._reread_columns(reader, learners, [rows[index[le.source_row]] for le in learners], changed, order)
        self._edited = {}
        self.recheck()

    def _reread_columns(self, reader: RowReader, learners: list[Learner], rows: list[list[str]],
                        changed: list[str], order: list[str]) -> None:
        """The changed columns of these learners' rows read and tidied a column at a time, as a
        build does; a learner given a fix in one of them has its fixes put back in a build's order."""
        changed_set = set(changed)
        for learner in learners:
            if learner.fixes and not changed_set.isdisjoint(learner.fixes):
                for column in changed:
                    learner.fixes.pop(column, None)
        split = reader.split_cells(rows)
        fixed: set[int] = set()
        for column, texts in zip(changed, reader.columns(rows, changed), strict=True):
            tidied = self._tidied(column, texts)
            for learner, value in zip(learners, tidied, strict=True):
                learner.values[column] = value
            fixed.update(self._note_fixes(learners, column, split.get(column, texts), tidied))
        for k in fixed:
            fixes = learners[k].fixes
            learners[k].fixes = {c: fixes[c] for c in order if c in fixes}

    def add_problem(self, row: int, column: str, rule_id: str, value: str = "", detail: str = "") -> None:
        self._set_row(row, self._row_problems[row] + [rules.problem(row, column, rule_id, value, detail)])

    # --- output --------------------------------------------------------------------------------

    @property
    def output_name(self) -> str:
        return file_name(self.definition, self.sender, self.period.month_start, self.as_of)

    def rows_for_writing(self):
        """Each learner's values in template order, codes written the way the template's own
        dropdown lists them (a KCC list of '310 - Apprenticeship' gets exactly that)."""
        as_listed = self._dropdown_forms()
        columns = self.columns  # once, not per learner: a county's return has 100,000 of them
        for learner in self.learners:
            row = [learner.values.get(c, "") for c in columns]
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
            forms: dict[str, str] = {}
            for entry in column.dropdown:
                code = code_of(entry, codes)
                if code is not None and code != entry:
                    forms.setdefault(code, entry)
            if forms:
                out.append((i, forms))
        return out

    def workbook_bytes(self) -> bytes:
        with collection_paused():
            # counted, not listed first: each row is made as it is written
            return write_return(self.template, self.definition, self.rows_for_writing(), len(self.learners))

    def save(self, folder: Path, force: bool = False) -> Path:
        path = Path(folder) / self.output_name
        if not force:
            refuse_existing(path)  # before building the workbook, which can take seconds
        # streamed into the save's own temporary file beside `path` and read back from the disk
        # before it is moved: a county's workbook is never whole in memory
        return save_workbook(self, path, force=force)

    def report(self, output: Path | None) -> dict:
        """The report as one dict (`saving.write_report` streams the same sections to a file)."""
        return {key: list(value) if isinstance(value, Iterator) else value
                for key, value in self.report_sections(output)}

    def report_sections(self, output: Path | None) -> list[tuple[str, object]]:
        """The report's keys in order; the long lists (one entry per learner, fix or problem) are
        iterators, made as they are written, so a county's report is never whole in memory."""
        learners, sheet_row = self.learners, self.sheet_row
        return [
            ("return", self.definition.id),
            ("output", str(output) if output else None),
            ("rows", len(learners)),
            ("learners", ({"source_row": learner.source_row, "row": sheet_row(i)}
                          for i, learner in enumerate(learners))),
            ("left_out", ({"source_row": out.source_row, "reason": out.reason, "taken_out": out.taken_out}
                          for out in self.left_out)),
            ("counts", self.counts()),
            ("fixes", ({"source_row": learner.source_row, "row": sheet_row(i), "column": f.column,
                        "before": f.before, "after": f.after}
                       for i, learner in enumerate(learners) for f in learner.fixes.values())),
            ("problems", ({"source_row": learners[p.row].source_row, "row": sheet_row(p.row),
                           "column": p.column, "severity": p.severity, "rule": p.rule, "message": p.message,
                           "accepted": self._accepted_note(p)}
                          for p in self.problems)),
            ("unmatched_columns", [c for c in self._columns_to_fill() if self.mapping.get(c) is None]),
            ("template_columns", columns_report(self.definition, self.columns, self.mapping)),
        ]

    def _accepted_note(self, problem: Problem) -> str | None:
        found = self.acceptance(problem)
        return found.note if found else None

    def _columns_to_fill(self) -> list[str]:
        """Columns the export is expected to fill (for TEP's sheets, only the school's)."""
        if self.definition.school_fills:
            return [self.headers.get(n, n) for n in self.definition.school_fills]
        return self.columns

    def sheet_row(self, index: int) -> int:
        """The row a learner lands on in the written workbook."""
        return self.template.header_row + 1 + index

    # --- for the desktop app: which rows and columns a change touches ----------------------------

    def sharing_identity(self, row: int) -> set[int]:
        """The learners with this learner's identifier (UPN, or ULN for a college), itself
        included. Asked before and after an edit of the identifier, the two together are every row
        whose duplicate problem the edit rewords, so the grid redraws those and no others."""
        return self._duplicates.group(row) if self._duplicates is not None else {row}

    def columns_read_differently(self, mapping: Mapping) -> list[str] | None:
        """The columns remap(mapping) would read again, or None when it builds the whole return
        afresh (a column deciding who is on it, or a variant's own learners)."""
        if self._learner_source is not from_export:
            return None
        return self._changed_columns(self.mapping, mapping)

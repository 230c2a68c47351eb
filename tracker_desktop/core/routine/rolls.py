"""Joiners and leavers from two whole-school rolls (last month's export and this month's).

Matching: by the return's identifier (UPN for schools, ULN for colleges), then, for those left
over, by legal surname + forename + date of birth (which also pairs a pupil whose temporary UPN
was replaced). A pupil who changed surname but kept their UPN is a *change*, not a leaver and a
joiner. Without a UPN the name + date-of-birth fallback cannot pair a changed surname; such pairs
(same forename and date of birth on both sides) are listed as "possibly the same pupil".

Who is a joiner for the month: anyone on the new roll and not the old, and anyone whose admission
date (new roll) falls in the month. Who is a leaver: anyone on the old roll and not the new, and
anyone whose leaving date falls in the month (or is newly recorded). A mover whose date is outside
the month is not put on the return but listed, with what to do.

Dates are never invented: a pupil who is missing from the new roll and has no leaving date in
either export stays on the leavers return with `Date of Leaving` empty, so the usual
mandatory-field *error* asks the data manager to fill it in (the MIS holds it; a made-up date such
as the month end could otherwise be sent as if true). The same goes for a joiner with no admission
date. Names and personal details never leave the user's own files and reports.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import Mapping, RowReader, Source, fold, propose_mapping
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import ReturnDefinition, load_definition
from tracker_desktop.core.values.calendar import month_end
from tracker_desktop.core.values.cleaning import as_read, clean, parse_date
from tracker_desktop.core.values.numbers import is_small_number, small_number

JOIN_DATE, LEAVE_DATE = "Date of Joining", "Date of Leaving"
ADDRESS_PARTS = ("Address Line 1", "Address Line 2", "Address Line 3", "Town", "County", "Postcode")
# Fields compared between the rolls for "other changes", with the name shown to the user.
CHANGE_FIELDS = ("Legal Surname", "Legal Forename", "Date of Birth", "NC Year", "Address", "Home Telephone",
                 "Young Person Mobile", "Parent/Carer Name", "Parent/Carer Telephone", "Email")


@dataclass
class Pupil:
    """One row of a roll as the comparison sees it."""

    roll: str  # "old" or "new"
    index: int  # row index in that roll's table
    source_row: int  # the row number the user sees in that export
    raw: dict[str, str]  # the export's text for each return column (composed, not cleaned)
    clean: dict[str, str]  # cleaned values

    def where(self) -> str:
        return f"{self.roll} roll row {self.source_row}"


@dataclass
class Mover:
    """A joiner or a leaver: the record the return is built from, and the date that puts them in a month."""

    pupil: Pupil
    why: str
    date: dt.date | None
    date_text: str
    status: str  # "in-month", "no-date", "before", "after"
    other: Pupil | None = None  # the same pupil on the other roll, when there

    @property
    def on_return(self) -> bool:
        return self.status in ("in-month", "no-date")


@dataclass
class Change:
    old: Pupil
    new: Pupil
    field: str
    before: str
    after: str


@dataclass
class RollChanges:
    period: dt.date  # first day of the reporting month
    old_count: int
    new_count: int
    joiners: list[Mover] = field(default_factory=list)
    leavers: list[Mover] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    possible_same: list[tuple[Pupil, Pupil]] = field(default_factory=list)
    duplicates: list[Pupil] = field(default_factory=list)
    matched_by_identity: int = 0
    matched_by_name: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def month_label(self) -> str:
        return f"{self.period:%B %Y}"


# --- reading the rolls into comparable pupils --------------------------------------------------------

def roll_definitions(who: str) -> tuple[ReturnDefinition, ReturnDefinition]:
    return load_definition(f"{who}-joiners"), load_definition(f"{who}-leavers")


def roll_columns(joiners: ReturnDefinition, leavers: ReturnDefinition) -> list[str]:
    """Every column either return needs, in template order."""
    cols = [h for h, _ in joiners.columns]
    cols += [h for h, _ in leavers.columns if h not in cols]
    return cols


def _pupils(table: Table, roll: str, definition: ReturnDefinition, columns: list[str]) -> tuple[list[Pupil], Mapping]:
    mapping = propose_mapping(table, definition, columns)
    reader = RowReader(table, mapping)
    pupils = []
    for i, (row, source_row) in enumerate(zip(table.rows, table.source_rows, strict=True)):
        # Read as the return reads it (a SEN status as the EHCP's Y or N): the movers' rows are
        # written from `raw` into the return, whose matching is then plain.
        raw = {t: as_read(v, source.how if (source := mapping.get(t)) else "value")
               for t, v in reader.values(row).items()}
        cleaned = {c: clean(definition.meaning(c), raw.get(c, "")) for c in columns}
        pupils.append(Pupil(roll, i, source_row, raw, cleaned))
    return pupils, mapping


def _name_key(p: Pupil) -> tuple[str, str, str] | None:
    surname, forename = fold(p.clean.get("Legal Surname", "")), fold(p.clean.get("Legal Forename", ""))
    dob = parse_date(p.clean.get("Date of Birth", ""))
    return (surname, forename, dob.isoformat()) if surname and forename and dob else None


def _address(p: Pupil) -> str:
    return ", ".join(p.clean.get(c, "") for c in ADDRESS_PARTS if p.clean.get(c, "").strip())


def _value(p: Pupil, name: str) -> str:
    return _address(p) if name == "Address" else p.clean.get(name, "")


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _month_status(date: dt.date | None, text: str, start: dt.date) -> str:
    if date is None:
        return "no-date"
    if date < start:
        return "before"
    if date > month_end(start.year, start.month):
        return "after"
    return "in-month"


def _period_start(period: dt.date | str) -> dt.date:
    if isinstance(period, dt.date):
        return period.replace(day=1)
    from tracker_desktop.core.preparing.opening import parse_period

    return parse_period(period, dt.date.today())


# --- comparing ---------------------------------------------------------------------------------------------

def compare_rolls(old: Table, new: Table, period: dt.date | str, who: str = "school") -> RollChanges:
    """Who joined, who left and what else changed between two whole-school exports."""
    start = _period_start(period)
    joiners_def, leavers_def = roll_definitions(who)
    columns = roll_columns(joiners_def, leavers_def)
    identity = leavers_def.identity
    old_pupils, old_map = _pupils(old, "old", leavers_def, columns)
    new_pupils, new_map = _pupils(new, "new", leavers_def, columns)
    for table, mapping in ((old, old_map), (new, new_map)):
        _check_matchable(table, mapping, identity)
    result = RollChanges(start, len(old_pupils), len(new_pupils))

    # 1. by identifier; 2. by legal name and date of birth among those left.
    new_free = {p.index: p for p in new_pupils}
    pairs, old_left = _pair_by(old_pupils, new_free, lambda p: p.clean.get(identity, "").upper())
    result.matched_by_identity = len(pairs)
    by_name, old_only = _pair_by(old_left, new_free, _name_key)
    result.matched_by_name = len(by_name)
    pairs += by_name
    new_only = sorted(new_free.values(), key=lambda p: p.index)
    _set_aside_duplicates(result, pairs, old_only, new_only, identity)

    _record_changes(result, pairs, old_map, new_map, identity)
    _record_joiners(result, pairs, new_only, start)
    _record_leavers(result, pairs, old_only, new_only, new_map.get(LEAVE_DATE) is not None, start)
    result.joiners.sort(key=lambda m: (m.pupil.roll, m.pupil.index))
    result.leavers.sort(key=lambda m: (m.pupil.roll != "old", m.pupil.index))

    # Possibly the same pupil: no identifier to pair them, same forename and date of birth.
    olds, news = _grouped(old_only, _loose_key), _grouped(new_only, _loose_key)
    for key, found in olds.items():
        if len(found) == 1 and len(news.get(key, [])) == 1:
            result.possible_same.append((found[0], news[key][0]))
    return result


def _check_matchable(table: Table, mapping: Mapping, identity: str) -> None:
    """A roll whose pupils can be matched needs the identifier or the legal name and date of birth."""
    has_id = mapping.get(identity) is not None
    has_name = all(mapping.get(c) is not None for c in ("Legal Surname", "Legal Forename", "Date of Birth"))
    if not (has_id or has_name):
        raise UserError(f"{table.source.name}: no {identity} column and no surname, forename and date of birth "
                        f"columns were found, so its pupils cannot be matched with the other roll.")


def _grouped(pupils: Iterable[Pupil], key_of: Callable[[Pupil], Hashable]) -> dict[Hashable, list[Pupil]]:
    """The pupils by their key, in roll order; a pupil without a key (empty or None) is left out."""
    groups: dict[Hashable, list[Pupil]] = {}
    for p in pupils:
        key = key_of(p)
        if key:
            groups.setdefault(key, []).append(p)
    return groups


def _pair_by(olds: list[Pupil], new_free: dict[int, Pupil],
             key_of: Callable[[Pupil], Hashable]) -> tuple[list[tuple[Pupil, Pupil]], list[Pupil]]:
    """Each old pupil paired with the first still unpaired new pupil with the same key, and the old
    pupils left unpaired. The paired new pupils are taken out of `new_free`."""
    by_key = _grouped(new_free.values(), key_of)
    pairs: list[tuple[Pupil, Pupil]] = []
    unpaired: list[Pupil] = []
    for p in olds:
        key = key_of(p)
        match = next((q for q in by_key.get(key, []) if q.index in new_free), None) if key else None
        if match:
            pairs.append((p, match))
            del new_free[match.index]
        else:
            unpaired.append(p)
    return pairs, unpaired


def _set_aside_duplicates(result: RollChanges, pairs: list[tuple[Pupil, Pupil]], old_only: list[Pupil],
                          new_only: list[Pupil], identity: str) -> None:
    """A second row with an identifier already paired is a duplicate in that export, not a mover."""
    paired_ids = {p.clean.get(identity, "").upper() for pair in pairs for p in pair} - {""}
    for side, rest in (("old", old_only), ("new", new_only)):
        twice = [p for p in rest if p.clean.get(identity, "").upper() in paired_ids]
        for p in twice:
            result.duplicates.append(p)
            result.notes.append(f"{p.where()}: {identity} {p.clean.get(identity, '')} is on another row of the "
                                f"{side} roll too: one line per pupil - not counted as a "
                                f"{'leaver' if side == 'old' else 'joiner'}.")
        rest[:] = [p for p in rest if p not in twice]


def _record_changes(result: RollChanges, pairs: list[tuple[Pupil, Pupil]], old_map: Mapping, new_map: Mapping,
                    identity: str) -> None:
    """The other changes between each pair, in the fields both rolls have."""
    compared = [c for c in CHANGE_FIELDS if _mapped_both(c, old_map, new_map)]
    if _mapped_both(identity, old_map, new_map):
        compared.insert(0, identity)
    year_rollover = _year_rollover(pairs) if "NC Year" in compared else False
    if year_rollover:
        result.notes.append("Most pupils moved up a year group between the rolls (a new academic year): "
                            "those moves are not listed as changes.")
    for old_p, new_p in pairs:
        for name in compared:
            before, after = _value(old_p, name), _value(new_p, name)
            if _same(before, after):
                continue
            if name == "NC Year" and year_rollover and _up_one(before, after):
                continue
            result.changes.append(Change(old_p, new_p, name, before, after))


def _record_joiners(result: RollChanges, pairs: list[tuple[Pupil, Pupil]], new_only: list[Pupil],
                    start: dt.date) -> None:
    """Those only on the new roll, and those on both admitted in the month."""
    for p in new_only:
        date = parse_date(p.raw.get(JOIN_DATE, ""))
        result.joiners.append(Mover(p, "not on the old roll", date, p.raw.get(JOIN_DATE, "").strip(),
                                    _month_status(date, p.raw.get(JOIN_DATE, ""), start)))
    for old_p, new_p in pairs:
        date = parse_date(new_p.raw.get(JOIN_DATE, ""))
        if date and _month_status(date, "", start) == "in-month":
            result.joiners.append(Mover(new_p, f"admitted in {start:%B %Y} (already on the old roll)", date,
                                        new_p.raw.get(JOIN_DATE, "").strip(), "in-month", old_p))


def _record_leavers(result: RollChanges, pairs: list[tuple[Pupil, Pupil]], old_only: list[Pupil],
                    new_only: list[Pupil], new_has_leaving: bool, start: dt.date) -> None:
    """Those only on the old roll, and those with a leaving date in the month (or newly recorded)."""
    for p in old_only:
        text = p.raw.get(LEAVE_DATE, "").strip()
        date = parse_date(text)
        result.leavers.append(Mover(p, "not on the new roll", date, text, _month_status(date, text, start)))
    for p in new_only:
        text = p.raw.get(LEAVE_DATE, "").strip()
        date = parse_date(text)
        if date and _month_status(date, text, start) == "in-month":
            result.leavers.append(Mover(p, f"leaving date in {start:%B %Y}", date, text, "in-month"))
    for old_p, new_p in pairs:
        new_text, old_text = new_p.raw.get(LEAVE_DATE, "").strip(), old_p.raw.get(LEAVE_DATE, "").strip()
        # The new roll is the truth when it has the column (a leaving date taken away is undone).
        date = parse_date(new_text) if new_has_leaving else parse_date(old_text)
        if date is None:
            continue
        status = _month_status(date, "", start)
        newly = parse_date(old_text) is None
        if status == "in-month" or newly:
            why = f"leaving date in {start:%B %Y}" if status == "in-month" else "leaving date newly recorded"
            result.leavers.append(Mover(new_p, why, date, new_text or old_text, status, old_p))


def _loose_key(p: Pupil) -> tuple[str, dt.date] | None:
    """Forename and date of birth: for pupils who may be the same though nothing pairs them."""
    dob = parse_date(p.clean.get("Date of Birth", ""))
    forename = fold(p.clean.get("Legal Forename", ""))
    return (forename, dob) if forename and dob else None


def _mapped_both(name: str, old_map: Mapping, new_map: Mapping) -> bool:
    if name == "Address":
        return any(old_map.get(c) for c in ADDRESS_PARTS) and any(new_map.get(c) for c in ADDRESS_PARTS)
    return old_map.get(name) is not None and new_map.get(name) is not None


def _up_one(before: str, after: str) -> bool:
    old, new = small_number(before), small_number(after)
    return old is not None and new is not None and new == old + 1


def _year_rollover(pairs: list[tuple[Pupil, Pupil]]) -> bool:
    years = [(o.clean.get("NC Year", ""), n.clean.get("NC Year", "")) for o, n in pairs]
    years = [(b, a) for b, a in years if is_small_number(b) and is_small_number(a)]
    return bool(years) and sum(_up_one(b, a) for b, a in years) * 2 > len(years)


# --- preparing the two returns -------------------------------------------------------------------------

def movers_table(movers: list[Mover], columns: list[str], name: str) -> Table:
    """The movers as an export whose headers are the return's own columns (row numbers: position in the list)."""
    rows = [[m.pupil.raw.get(c, "") for c in columns] for m in movers]
    return Table(source=Path(name), headers=list(columns), rows=rows, source_rows=list(range(1, len(rows) + 1)),
                 notes=["built from two rolls by compare-rolls"])


def prepare_from_movers(definition: ReturnDefinition, movers: list[Mover], sender, start: dt.date, as_of: dt.date):
    """A Preparation of the movers on the return (in the month, or with no date to be filled in)."""
    from tracker_desktop.core.preparing.opening import open_return
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.returns.template import read_template

    template = read_template(definition.template_path)
    # The month is already decided here: a mover with no date stays, for the mandatory check to ask for it.
    scope = {k: v for k, v in definition.scope.items() if k != "date_in_period"}
    definition = dataclasses.replace(definition, scope=scope)
    columns = list(template.headers) + [f for f in definition.scope_fields if f not in template.headers]
    table = movers_table(movers, columns, f"{definition.id} from rolls")
    mapping: Mapping = {c: Source((c,)) for c in columns}
    return Preparation(open_return(definition, table, sender=sender, period=start, as_of=as_of, template=template,
                                   mapping=mapping))


def _where_map(movers: list[Mover]) -> dict[int, dict]:
    return {i + 1: {"roll": m.pupil.roll, "source_row": m.pupil.source_row} for i, m in enumerate(movers)}


def relabel(report: dict, movers: list[Mover]) -> dict:
    """Row numbers in a Preparation report point at the mover list: give each its roll and row."""
    where = _where_map(movers)
    for key in ("learners", "left_out", "fixes", "problems"):
        for item in report.get(key, []):
            found = where.get(item.get("source_row"))
            if found:
                item["roll"], item["source_row"] = found["roll"], found["source_row"]
    return report


def _mover_json(m: Mover) -> dict:
    return {"roll": m.pupil.roll, "source_row": m.pupil.source_row, "why": m.why,
            "date": m.date.isoformat() if m.date else None,
            "status": m.status, "on_return": m.on_return}


def changes_report(changes: RollChanges) -> dict:
    return {
        "period": f"{changes.period:%Y-%m}",
        "old_rows": changes.old_count, "new_rows": changes.new_count,
        "matched_by_identifier": changes.matched_by_identity, "matched_by_name_and_birth_date": changes.matched_by_name,
        "joiners": [_mover_json(m) for m in changes.joiners],
        "leavers": [_mover_json(m) for m in changes.leavers],
        "other_changes": [{"old_row": c.old.source_row, "new_row": c.new.source_row, "field": c.field,
                           "before": c.before, "after": c.after}
                          for c in changes.changes],
        "possibly_same_pupil": [{"old_row": o.source_row, "new_row": n.source_row} for o, n in changes.possible_same],
        "notes": changes.notes,
    }


def outside_message(m: Mover, kind: str, start: dt.date) -> str:
    month = f"{start:%B %Y}"
    if kind == "joiners":
        if m.status == "before":
            return (f"admitted {m.date:%d/%m/%Y}, before {month}: not on this return - "
                    "check an earlier joiners return had them.")
        return (f"admitted {m.date:%d/%m/%Y}, after {month}: put them on that month's joiners return "
                "(they will be on both rolls by then).")
    if m.status == "before":
        return f"left {m.date:%d/%m/%Y}, before {month}: not on this return - check an earlier leavers return had them."
    return f"leaving date {m.date:%d/%m/%Y} is after {month}: they belong on that month's leavers return."

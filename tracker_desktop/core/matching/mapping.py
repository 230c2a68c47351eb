"""Matching export columns to template columns: header synonyms first, then the meaning of a
header's words (`words.py`: 'Year Taught In' is the NC year), then composed fields (address lines
from split parts or a block, contact names from split names, EHCP from SEN status, a combined
'Surname, Forename' name split on its comma), then fuzzy matching of misspellings. One export
column never feeds two unrelated template columns. A mapping is plain data and can be saved and
reused."""
from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.certainty import LIKELY_AT_BEST, PUT_TOGETHER, SURE, UNSURE, sureness
from tracker_desktop.core.matching.words import best_likeness, concepts
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import ReturnDefinition
from tracker_desktop.core.values.text import fold

FUZZY_CUTOFF = 88

# Address parts in the order they are written, each with the export header names that carry it.
ADDRESS_PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("flat", ("Apartment", "Flat", "Flat No", "Flat Number", "Sub Building", "Unit")),
    ("house_name", ("House Name", "Building Name", "Property Name")),
    ("house_number", ("House No", "House Number", "House No.", "Number", "Building Number", "Paon")),
    ("street", ("Street", "Road", "Street Name", "Thoroughfare", "Street/Road")),
    ("district", ("District", "Locality", "Village", "Area", "Dependent Locality")),
]
ADDRESS_BLOCK = ("Address Block", "Address", "Full Address", "Home Address", "Address (block)")
COUNTY_NAMES = {"kent", "east sussex", "west sussex", "surrey", "essex", "london", "greater london", "medway"}


@dataclass(frozen=True)
class Source:
    """Where a template column's value comes from in the export."""

    columns: tuple[str, ...]
    # value | join | address | address-block | block-town | block-county | block-postcode | sen
    # | surname | forename (the two halves of a combined 'Surname, Forename' column)
    how: str = "value"
    score: int = 100  # how sure the match is, 0-100
    line: int = 0  # for address lines: which line

    def describe(self) -> str:
        if self.how == "value":
            return self.columns[0]
        if self.how == "sen":
            return f"{self.columns[0]} (EHC plan = Y)"
        if self.how.startswith("block-"):
            return f"{self.columns[0]} ({self.how[6:]})"
        if self.how in NAME_PARTS:
            return f"{self.columns[0]} ({NAME_PARTS[self.how]})"
        return " + ".join(self.columns)


Mapping = dict[str, "Source | None"]

# A combined learner name column, and which half of 'Surname, Forename' feeds which column.
COMBINED_NAMES = ("Name", "Full Name", "Pupil Name", "Student Name", "Learner Name", "Name (Surname, Forename)",
                  "Surname, Forename", "Legal Name", "Child Name")
NAME_PARTS = {"surname": "surname, before the comma", "forename": "forename, after the comma"}
NAME_TARGETS = (("Legal Surname", "surname"), ("Legal Forename", "forename"))


def targets(definition: ReturnDefinition, template_headers: list[str]) -> list[str]:
    """Template columns plus the fields the scope needs that the template does not hold."""
    known = {definition.meaning(h).header for h in template_headers}
    return list(template_headers) + [f for f in definition.scope_fields if f not in known and f not in template_headers]


def propose_mapping(table: Table, definition: ReturnDefinition, template_headers: list[str]) -> Mapping:
    wanted = targets(definition, template_headers)
    by_fold: dict[str, str] = {}
    for header in table.headers:
        by_fold.setdefault(fold(header), header)
    mapping: Mapping = {t: None for t in wanted}
    used: set[str] = set()
    # Exact synonyms, best rank first, so that 'Telephone' goes to the column naming it first.
    candidates = []
    for target in wanted:
        for rank, synonym in enumerate(definition.meaning(target).synonyms):
            found = by_fold.get(fold(synonym))
            if found:
                candidates.append((rank, wanted.index(target), target, found))
    for rank, _, target, header in sorted(candidates):
        if mapping[target] is None and header not in used:
            mapping[target] = Source((header,), score=100 if rank == 0 else 95)
            used.add(header)
    _by_meaning(table, definition, mapping, used, SURE)
    _compose(table, definition, mapping, by_fold, used)
    _split_name(table, definition, mapping, used)
    _by_meaning(table, definition, mapping, used, UNSURE)
    _fuzzy(table, definition, mapping, used)
    _share_for_scope(definition, mapping, by_fold, template_headers)
    return mapping


def _share_for_scope(definition: ReturnDefinition, mapping: Mapping, by_fold: dict[str, str],
                     template_headers: list[str]) -> None:
    """The date that decides who is on the return may share an export column with another
    template column: in a college joiners return the one 'Start Date' is also the joining date."""
    name = definition.scope.get("date_in_period")
    if not name:
        return
    target = definition.standard_headers(template_headers).get(name, name)
    if mapping.get(target) is not None:
        return
    for synonym in definition.meaning(target).synonyms:
        header = by_fold.get(fold(synonym))
        if header:
            mapping[target] = Source((header,), score=80)
            return


def _by_meaning(table: Table, definition: ReturnDefinition, mapping: Mapping, used: set[str], floor: int) -> None:
    """Match what is left by the meaning of the words: the surest pairs first, each export
    column to one template column. A score under SURE stays marked unsure for the user."""
    free = [h for h in table.headers if h not in used and concepts(h)]
    pairs = []
    for order, target in enumerate(mapping):
        if mapping[target] is not None:
            continue
        synonyms = definition.meaning(target).synonyms
        for header in free:
            score = best_likeness(header, synonyms)
            if score >= floor:
                pairs.append((-score, order, header, target))
    for negative, _, header, target in sorted(pairs):
        if mapping[target] is None and header not in used:
            mapping[target] = Source((header,), score=min(-negative, 95))
            used.add(header)


def _find(names, by_fold: dict[str, str], used: set[str], free: list[str]) -> str | None:
    """The export column named by one of `names`, exactly or by the meaning of its words."""
    for n in names:
        header = by_fold.get(fold(n))
        if header and header not in used:
            return header
    scored = [(best_likeness(h, tuple(names)), h) for h in free if h not in used]
    score, header = max(scored, default=(0, None), key=lambda x: x[0])
    return header if score >= SURE else None


def _split_name(table: Table, definition: ReturnDefinition, mapping: Mapping, used: set[str]) -> None:
    """A combined 'Name' column feeds both legal name columns when neither has its own."""
    wanted = [(definition.standard_headers(list(mapping)).get(name, name), how) for name, how in NAME_TARGETS]
    if not all(target in mapping and mapping[target] is None for target, _ in wanted):
        return
    header = next((h for h in table.headers if h not in used and best_likeness(h, COMBINED_NAMES) >= SURE), None)
    if header:
        for target, how in wanted:
            mapping[target] = Source((header,), how=how, score=PUT_TOGETHER)
        used.add(header)


def _compose(table: Table, definition: ReturnDefinition, mapping: Mapping, by_fold: dict[str, str],
             used: set[str]) -> None:
    free = list(table.headers)
    _compose_address(definition, mapping, by_fold, used, free)
    for target in mapping:
        meaning = definition.meaning(target)
        if mapping[target] is None and meaning.compose:
            found: list[str] = []
            for names in meaning.compose["parts"]:
                header = _find(names, by_fold, used | set(found), free)
                if header:
                    found.append(header)
            if len(found) == len(meaning.compose["parts"]):
                mapping[target] = Source(tuple(found), how="join", score=PUT_TOGETHER)
                used.update(found)
        if mapping[target] is None and meaning.from_sen:
            header = _find(meaning.from_sen, by_fold, used, free)
            if header:
                mapping[target] = Source((header,), how="sen", score=PUT_TOGETHER)
                used.add(header)


def _compose_address(definition: ReturnDefinition, mapping: Mapping, by_fold: dict[str, str], used: set[str],
                     free: list[str]) -> None:
    address_targets = sorted((definition.meaning(t).address, t) for t in mapping if definition.meaning(t).address)
    if not address_targets or any(mapping[t] is not None for _, t in address_targets):
        return
    parts: list[str] = []
    for _, names in ADDRESS_PARTS:
        exact = [by_fold[fold(n)] for n in names if fold(n) in by_fold and by_fold[fold(n)] not in used]
        found = exact or [h for h in [_find(names, by_fold, used | set(parts), free)] if h]
        parts.extend(h for h in found if h not in parts)
    block = _find(ADDRESS_BLOCK, by_fold, used, free)
    if parts:
        for line, target in address_targets:
            mapping[target] = Source(tuple(parts), how="address", score=PUT_TOGETHER, line=line)
        used.update(parts)
    elif block:
        for line, target in address_targets:
            mapping[target] = Source((block,), how="address-block", score=85, line=line)
        for target, how in (("Town", "block-town"), ("County", "block-county"), ("Postcode", "block-postcode")):
            if target in mapping and mapping[target] is None:
                mapping[target] = Source((block,), how=how, score=80)
        used.add(block)


def _fuzzy(table: Table, definition: ReturnDefinition, mapping: Mapping, used: set[str]) -> None:
    from rapidfuzz import fuzz, process

    free = [h for h in table.headers if h not in used]
    spaced = {h: " ".join(re.findall(r"[a-z0-9]+", h.lower())) for h in free}
    for target in mapping:
        if mapping[target] is not None or not free:
            continue
        best = None
        for synonym in definition.meaning(target).synonyms:
            query = " ".join(re.findall(r"[a-z0-9]+", synonym.lower()))
            hits = process.extract(query, spaced, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF, limit=None)
            hit = next((h for h in hits if _same_words(query, h[0])), None)
            if hit and (best is None or hit[1] > best[1]):
                best = hit
        if best:
            header = best[2]
            mapping[target] = Source((header,), score=min(int(best[1]) - 10, LIKELY_AT_BEST))
            used.add(header)
            free.remove(header)
            del spaced[header]


def _same_words(a: str, b: str) -> bool:
    """A fuzzy match may misspell words, never swap one: 'Primary Contact Mobile' is not
    'Primary Contact Email', though the two strings are close."""
    from rapidfuzz import fuzz

    wa, wb = a.split(), b.split()
    only_a, only_b = [w for w in wa if w not in wb], [w for w in wb if w not in wa]
    return (all(any(fuzz.ratio(x, y) >= 75 for y in only_b) for x in only_a)
            and all(any(fuzz.ratio(y, x) >= 75 for x in only_a) for y in only_b))


def columns_report(definition: ReturnDefinition, headers: list[str], mapping: Mapping) -> list[dict]:
    """Per template column: what its header was understood as, and which export column fills
    it and how sure that match is ('unsure' ones are for the user to confirm)."""
    out = []
    for entry in definition.template_columns(headers):
        source = mapping.get(entry["header"])
        out.append({**entry, "from": source.describe() if source else None,
                    "match": sureness(source.score) if source else "none"})
    return out


# --- applying a mapping to rows -------------------------------------------------------------------

class RowReader:
    """Turns one export row into the raw text of each target column, composing where needed."""

    def __init__(self, table: Table, mapping: Mapping):
        self.mapping = mapping
        self.index = {h: i for i, h in enumerate(table.headers)}
        self.address_lines = sum(1 for s in mapping.values() if s is not None and s.how in ("address", "address-block"))
        missing = sorted({c for s in mapping.values() if s for c in s.columns if c not in self.index})
        if missing:
            raise UserError(f"The saved column matching names export columns that {table.source.name} does not have: "
                            f"{', '.join(missing)}. Match the columns again.")
        self._split = [(t, self.index[s.columns[0]]) for t, s in mapping.items()
                       if s is not None and s.how in NAME_PARTS]
        # Worked out once: which cell each plainly read column takes (most of them), and the rest.
        self._plain = [(t, self.index[s.columns[0]]) for t, s in mapping.items()
                       if s is not None and s.how in ("value", "sen")]
        self._other = [(t, s) for t, s in mapping.items() if s is not None and s.how not in ("value", "sen")]
        self._cells_of = {s.columns: tuple(self.index[c] for c in s.columns) for _, s in self._other}
        # Which of an address's export columns are a Flat column, by header, once rather than per cell.
        self._flats = {s.columns: tuple(fold(h) in _FLAT_HEADERS for h in s.columns)
                       for _, s in self._other if s.how == "address"}

    @property
    def splits_cells(self) -> bool:
        """Whether any value is taken from part of a cell (a combined name): `composed` then says what."""
        return bool(self._split)

    def values(self, row: list[str]) -> dict[str, str]:
        out: dict[str, str] = {target: row[i] for target, i in self._plain}
        if self._other:
            self._compose_into(out, row, self._other)
        return out

    def columns(self, rows: list[list[str]], targets: list[str]) -> list[list[str]]:
        """What `values` gives these rows for each of these targets, column by column (a target
        with no source is empty): a build reads and tidies a column at a time."""
        plain = dict(self._plain)
        other = [(t, s) for t, s in self._other if t in targets]
        composed = [self._composed(row, other) for row in rows] if other else []
        out = []
        for target in targets:
            if target in plain:
                i = plain[target]
                out.append([row[i] for row in rows])
            elif composed and target in composed[0]:
                out.append([values[target] for values in composed])
            else:
                out.append([""] * len(rows))
        return out

    def split_cells(self, rows: list[list[str]]) -> dict[str, list[str]]:
        """`composed` column by column: for each value taken from part of a cell, the whole cells."""
        return {target: [row[i] for row in rows] for target, i in self._split}

    def _composed(self, row: list[str], other: list[tuple[str, Source]]) -> dict[str, str]:
        out: dict[str, str] = {}
        self._compose_into(out, row, other)
        return out

    def _compose_into(self, out: dict[str, str], row: list[str], other: list[tuple[str, Source]]) -> None:
        """The values put together from several cells (or part of one) of a row."""
        cache: dict[tuple[str, ...], list[str]] = {}
        cells_of = self._cells_of
        for target, source in other:
            cells = [row[i] for i in cells_of[source.columns]]
            if source.how == "join":
                out[target] = " ".join(c.strip() for c in cells if c.strip())
            elif source.how in ("address", "address-block"):
                key = source.columns
                if key not in cache:
                    if source.how == "address-block":
                        cache[key] = split_block(cells[0])[0]
                    else:
                        cache[key] = address_lines([_flat_part(c) if flat else c.strip()
                                                    for flat, c in zip(self._flats[key], cells, strict=True)])
                out[target] = _line(cache[key], source.line, self.address_lines)
            elif source.how.startswith("block-"):
                out[target] = block_part(cells[0], source.how[6:])
            elif source.how in NAME_PARTS:
                out[target] = split_name(cells[0]).get(source.how, "")

    def composed(self, row: list[str]) -> dict[str, str]:
        """The export's own text behind each value taken from part of a cell (a combined name),
        so the user is shown what it was split from."""
        return {target: row[i] for target, i in self._split}


def split_name(text: str) -> dict[str, str]:
    """'Smith, John' -> surname Smith, forename John. Without a comma nothing is guessed: which
    word is the surname is left for the user."""
    if text.count(",") != 1:
        return {}
    surname, forename = (p.strip() for p in text.split(","))
    return {"surname": surname, "forename": forename} if surname and forename else {}



def address_lines(cells: list[str]) -> list[str]:
    """The parts of an address in order, a house number kept with its street."""
    parts = [c.strip() for c in cells]
    out: list[str] = []
    for i, part in enumerate(parts):
        if not part:
            continue
        if out and _is_house_number(out[-1]) and i > 0 and _is_house_number(parts[i - 1].strip()):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


_FLAT_HEADERS = {fold(n) for n in ADDRESS_PARTS[0][1]}


_BARE_FLAT = re.compile(r"\d+[A-Za-z]?")


def _flat_part(value: str) -> str:
    """A value of a Flat column: a bare number is 'Flat 3'."""
    value = value.strip()
    return f"Flat {value}" if _BARE_FLAT.fullmatch(value) else value


def _line(parts: list[str], line: int, line_count: int) -> str:
    if line < line_count:
        return parts[line - 1] if line - 1 < len(parts) else ""
    return ", ".join(parts[line - 1:])  # the last line keeps whatever is left: no part is lost


_HOUSE_NUMBER = re.compile(r"\d+[A-Za-z]?(?:\s*-\s*\d+[A-Za-z]?)?")


def _is_house_number(text: str) -> bool:
    return _HOUSE_NUMBER.fullmatch(text) is not None


def _is_postcode_text(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}", text.strip()))


def split_block(block: str) -> tuple[list[str], str, str, str]:
    """A multi-line address block as (street lines, town, county, postcode)."""
    parts = [p.strip() for p in re.split(r"[\r\n]+|,", block) if p.strip()]
    postcode = next((p for p in reversed(parts) if _is_postcode_text(p)), "")
    rest = [p for p in parts if p != postcode]
    if not postcode and rest:
        # 'Kent TN25 5AA': the postcode often shares the last line with the town or county
        m = re.search(r"\s([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})$", rest[-1])
        if m:
            postcode = m.group(1)
            rest[-1] = rest[-1][: m.start()].strip()
    county = rest[-1] if len(rest) > 2 and rest[-1].lower() in COUNTY_NAMES else ""
    if county:
        rest = rest[:-1]
    town = rest[-1] if len(rest) > 1 else ""
    lines = rest[:-1] if town else rest
    # a house number on a line of its own belongs with the street after it
    return address_lines(lines), town, county, postcode


def block_part(block: str, part: str) -> str:
    lines, town, county, postcode = split_block(block)
    return {"town": town, "county": county, "postcode": postcode}[part]


# --- saving and loading -----------------------------------------------------------------------------

def mapping_to_json(mapping: Mapping) -> dict:
    return {t: (asdict(s) if s else None) for t, s in mapping.items()}


_HOWS = frozenset({"value", "join", "address", "address-block", "block-town", "block-county", "block-postcode", "sen",
                   *NAME_PARTS})  # a combined name column split into surname and forename


def mapping_from_json(data: dict) -> Mapping:
    out: Mapping = {}
    for target, raw in data.items():
        if raw is None:
            out[target] = None
        elif isinstance(raw, str):
            out[target] = Source((raw,))
        else:
            columns, how = raw["columns"], raw.get("how", "value")
            score, line = raw.get("score", 100), raw.get("line", 0)
            # A hand-edited or damaged file: every part must be of the kind a saved matching has.
            if not (isinstance(columns, (list, tuple)) and columns and all(isinstance(c, str) for c in columns)
                    and how in _HOWS and isinstance(score, int) and isinstance(line, int) and 0 <= line <= 99):
                raise ValueError(f"not a column matching entry: {target!r}")
            out[target] = Source(tuple(columns), how, score, line)
    return out


def load_mapping(path: Path) -> Mapping:
    return load_matching(path)[0]


# A matching file may also answer what template headers are: {"understood": {header: column or null}}.
UNDERSTOOD = "understood"


def load_matching(path: Path, definition: ReturnDefinition | None = None) -> tuple[Mapping, dict[str, str | None]]:
    """A column matching file: which export column fills which template column, and (under
    "understood") what template headers mean, header -> one of the return's column names or
    null for a column of its own. With `definition`, an answer naming no column of that return
    is refused, naming the header: a misspelt answer would otherwise quietly be no answer."""
    from tracker_desktop.core.reading.inputs import MAX_MAPPING_BYTES, read_input

    path = Path(path)
    name = path.name
    if not os.path.lexists(path):
        raise UserError(f"The column matching file {name} does not exist.")
    raw = read_input(path, limit=MAX_MAPPING_BYTES, what="a column matching file")
    try:
        data = json.loads(raw.decode("utf-8"))
        answers = data.get(UNDERSTOOD) if isinstance(data, dict) else None
        if isinstance(answers, dict) and "columns" not in answers:
            data = {k: v for k, v in data.items() if k != UNDERSTOOD}
        else:
            answers = {}
        if not all(isinstance(h, str) and (v is None or isinstance(v, str)) for h, v in answers.items()):
            raise ValueError("understood")
        mapping = mapping_from_json(data)
    # RecursionError: a file nested thousands of levels deep, which no saved matching is
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise UserError(f"The column matching file {name} is damaged; match the columns again.") from None
    if definition is not None:
        known = set(definition.column_names())
        for header, column in answers.items():
            if column is not None and column not in known:
                raise UserError(f"The column matching file {name} says the template header '{header}' is "
                                f"'{column}', which is not a column of {definition.title}: give one of its column "
                                "names, or null for a column of its own.")
    return mapping, answers


def save_mapping(mapping: Mapping, path: Path, understood: dict[str, str | None] | None = None) -> None:
    from tracker_desktop.core.writing.files import write_atomic

    data = mapping_to_json(mapping)
    if understood:
        data[UNDERSTOOD] = dict(understood)
    write_atomic(Path(path), json.dumps(data, indent=1).encode("utf-8"), force=True)

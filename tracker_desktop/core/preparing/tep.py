"""TEP's pre-populated sheets (leaver destinations, no-offer lists): open TEP's workbook (often
encrypted), fill the school's columns from an MIS export, check, and save encrypted.

TEP's sheet is the template and the learner list at once: its rows, columns, order and
highlights are kept exactly; only the school's columns are written. The plain workbook lives in
memory only.
"""
from __future__ import annotations

import io
from pathlib import Path

from tracker_desktop.core.checking import variant_rules
from tracker_desktop.core.checking.output_rules import tep_formula
from tracker_desktop.core.checking.rules import Problem
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import Mapping, RowReader
from tracker_desktop.core.preparing.opening import Opening, known_headers, open_return
from tracker_desktop.core.preparing.preparation import Built, Learner, Preparation
from tracker_desktop.core.reading.exports import excel_cell_text
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.template import Template, read_template
from tracker_desktop.core.values.cleaning import clean, parse_date
from tracker_desktop.core.writing import encryption as protection
from tracker_desktop.core.writing.workbook import fill_prepopulated


def open_prepopulated(path: Path, password: str | None) -> protection.Opened:
    """TEP's workbook opened in memory: its plain xlsx bytes (decrypted when it is encrypted) and
    anything the user must be told (a password verified but an integrity check failing: the
    workbook opens, with a warning naming the file)."""
    from tracker_desktop.core.reading.inputs import read_input
    from tracker_desktop.core.reading.workbook_guard import check_xlsx

    name = Path(path).name
    data = read_input(Path(path), what="TEP's workbook")
    if data.startswith(b"PK\x03\x04"):
        check_xlsx(name, data)
    if not protection.is_encrypted(data):
        return protection.Opened(data)
    if not password:
        raise protection.WrongPassword(f"{name} is encrypted: give the password TEP told you "
                                       "(--prepopulated-password-file).")
    try:
        opened = protection.open_protected(data, password)
    except protection.ProtectionError as e:
        raise type(e)(f"{name}: {e}") from None
    if opened.plain.startswith(b"PK\x03\x04"):
        check_xlsx(name, opened.plain)  # the decrypted workbook is bounded as a plain one is
    return protection.Opened(opened.plain, opened.kind, tuple(f"{name}: {w}" for w in opened.warnings))


class TepRows:
    """TEP's rows as the learners of the return: each row is matched to the export (by UPN, else
    TEP Ref, else name and date of birth) and the school's columns filled from it. A row with no
    match in the export is flagged ("not-matched", the extra rule) until the school's mandatory
    columns are filled in by hand."""

    def __init__(self, template: Template):
        self.rows = _tep_rows(template)
        self.unmatched: set[int] = set()

    def __call__(self, prep: Preparation, progress=None) -> Built:
        reader = RowReader(prep.table, prep.mapping)
        exported = [(source_row, reader.values(row))
                    for row, source_row in zip(prep.table.rows, prep.table.source_rows, strict=True)]
        index = _match_index(exported, prep.headers)
        learners: list[Learner] = []
        self.unmatched = set()
        for sheet_row, tep_values in self.rows:
            values = {c: clean(prep.definition.meaning(c), tep_values.get(c, "")) for c in prep.columns}
            learner = Learner(sheet_row, values)
            match = _find(index, values, prep.headers)
            if match is None:
                self.unmatched.add(len(learners))
            else:
                fills = [prep.headers.get(n, n) for n in prep.definition.school_fills]
                prep.clean_into(learner, match, [c for c in fills if c in prep.columns and match.get(c, "").strip()])
            learners.append(learner)
        return Built(learners)

    def not_matched(self, prep: Preparation, row: int) -> list[Problem]:
        return variant_rules.not_matched(prep, row, self.unmatched)


class TepPreparation(Preparation):
    """A TEP sheet being filled: learners are TEP's rows; the export only supplies values. Its
    rows stay where TEP put them, and it is only ever written encrypted."""

    def __init__(self, opening: Opening, warnings: tuple[str, ...] = ()):
        rows = TepRows(opening.template)
        self.tep_rows = rows.rows
        self.formulas, self.formulas_elsewhere = _tep_formulas(opening.template, {r for r, _ in rows.rows})
        super().__init__(opening, learners=rows, extra_rules=[rows.not_matched, tep_formula])
        self.warnings = list(warnings)  # what opening TEP's workbook must tell the user (no personal data)

    def sheet_row(self, index: int) -> int:
        """TEP's rows stay where TEP put them: a learner's row is its row in TEP's sheet."""
        return self.learners[index].source_row

    def workbook_bytes(self) -> bytes:
        positions = {c.header: c.index for c in self.template.columns}
        edits = []
        for learner, (sheet_row, original) in zip(self.learners, self.tep_rows, strict=True):
            for column in self.columns:
                value = learner.values.get(column, "")
                if value != clean(self.definition.meaning(column), original.get(column, "")):
                    edits.append((sheet_row, column, value))
        return fill_prepopulated(self.template.data, self.template.sheet, self.template.header_row, positions, edits,
                                 self.definition)

    def save(self, folder: Path, force: bool = False, password: str | None = None) -> Path:
        from tracker_desktop.core.preparing.saving import save_tep_return

        return save_tep_return(self, Path(folder), password or "", force=force, draft=False).output

    def report(self, output: Path | None) -> dict:
        found = super().report(output)
        # formulas outside the learners' cells (totals, other sheets): kept, and named here
        found["tep_formulas_elsewhere"] = self.formulas_elsewhere
        found["warnings"] = list(self.warnings)
        return found


def _tep_formulas(template: Template, learner_rows: set[int]) -> tuple[dict[int, dict[str, str]], list[str]]:
    """TEP's formula cells: by sheet row and header in the learners' cells, and the others by name."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(io.BytesIO(template.data), read_only=True)
    headers = {c.index: c.header for c in template.columns}
    in_cells: dict[int, dict[str, str]] = {}
    elsewhere: list[str] = []
    try:
        for ws in book.worksheets:
            for r, cells in enumerate(ws.iter_rows(values_only=False), start=1):
                for c, cell in enumerate(cells, start=1):
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    if ws.title == template.sheet and r in learner_rows and c in headers:
                        in_cells.setdefault(r, {})[headers[c]] = str(cell.value)
                    else:
                        elsewhere.append(f"{ws.title}!{get_column_letter(c)}{r}")
    finally:
        book.close()
    return in_cells, elsewhere


def _tep_rows(template: Template) -> list[tuple[int, dict[str, str]]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(template.data), read_only=True, data_only=True)
    ws = book[template.sheet]
    rows = []
    for r, cells in enumerate(ws.iter_rows(min_row=template.header_row + 1, values_only=True), start=template.header_row + 1):
        values = {c.header: excel_cell_text(cells[c.index - 1]) if c.index - 1 < len(cells) else "" for c in template.columns}
        if any(v.strip() for v in values.values()):
            rows.append((r, values))
    book.close()
    if not rows:
        raise UserError(f"{template.path.name}: TEP's sheet '{template.sheet}' has no learners under its header row.")
    return rows


def _name(text: str) -> str:
    """A name as compared for matching: case, spacing and curly apostrophes do not matter."""
    return " ".join(text.replace("’", "'").replace("‘", "'").lower().split())


def _keys(values: dict[str, str], headers: dict[str, str]) -> list[tuple[str, str]]:
    def get(name: str) -> str:
        return values.get(headers.get(name, name), "")

    keys = []
    upn = "".join(get("UPN").split()).upper()
    if upn:
        keys.append(("upn", upn))
    ref = "".join(get("TEP Ref").split()).upper()
    if ref:
        keys.append(("ref", ref))
    dob = parse_date(get("Date of Birth"))
    surname, forename = _name(get("Legal Surname")), _name(get("Legal Forename"))
    if surname and forename and dob:
        keys.append(("name", f"{surname}|{forename}|{dob.isoformat()}"))
    return keys


def _match_index(exported: list[tuple[int, dict[str, str]]], headers: dict[str, str]) -> dict[tuple[str, str], dict[str, str]]:
    index: dict[tuple[str, str], dict[str, str]] = {}
    for _, values in exported:
        for key in _keys(values, headers):
            index.setdefault(key, values)
    return index


def _find(index, values: dict[str, str], headers: dict[str, str]) -> dict[str, str] | None:
    """Match by UPN, else TEP Ref, else surname + forename + date of birth."""
    for key in _keys(values, headers):
        if key in index:
            return index[key]
    return None


def prepare_tep(return_id: str, export: Path, prepopulated: Path, prepopulated_password: str | None, school: str | None,
                as_of=None, period: str | None = None, mapping: Mapping | None = None,
                remembered: Mapping | None = None, understood: dict[str, str | None] | None = None) -> TepPreparation:
    """TEP's sheet filled from the export. `understood`: the user's answers for what TEP's
    headers are (header -> our column, None for none of ours), as for any template."""
    definition = load_definition(return_id)
    if understood:
        definition = definition.with_understood(understood)
    if not definition.prepopulated:
        raise UserError(f"{definition.title} is not filled into a TEP workbook: leave out --prepopulated.")
    opened = open_prepopulated(prepopulated, prepopulated_password)
    template = read_template(Path(prepopulated), data=opened.plain, known_headers=known_headers(definition))
    present = set(definition.standard_headers(template.headers))
    missing = [h for h, mandatory in definition.columns if mandatory and h not in present]
    if missing:
        raise UserError(f"{Path(prepopulated).name} does not look like TEP's {definition.title} sheet: "
                        f"it has no {', '.join(missing)} column.")
    opening = open_return(definition, Path(export), school=school or "", as_of=as_of, period=period, template=template,
                          mapping=mapping, remembered=remembered)
    return TepPreparation(opening, opened.warnings)

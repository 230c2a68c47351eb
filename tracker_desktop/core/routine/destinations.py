"""A one-page destinations summary for the school's careers lead: how many leavers went into
education, employment, training, NEET or are not known, by the year group they left from.

Input: filled TEP leaver-destinations sheets (`Destination Activity Code`, `Year Left`; possibly
encrypted as TEP sends them) or leavers returns (`Destination`, `NC Year`). Output: a plain dict
of counts (for the app's chart) and a workbook with a table and a native Excel bar chart. Only
counts and NCCIS code labels are written: no names, UPNs, dates of birth or file contents.

Groups (DOMAIN.md section 4.1): Education 210-290; Employment 310-381 and 550; Training 410-460
and 530; NEET 540 and 610-680; Other 710; Not known 810-830 (and 150, "situation not known",
for Year 11 and below). Codes 110-140 (below school-leaving age: on a school roll, home educated,
in custody, not registered) are counted apart, as are rows with no code or a code not in the list.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import code_lists, load_definition
from tracker_desktop.core.values.cleaning import clean_nc_year, code_of
from tracker_desktop.core.values.numbers import is_small_number, small_number
from tracker_desktop.core.values.text import fold

MAIN = ("Education", "Employment", "Training", "NEET", "Other", "Not known")
SCHOOL_AGE = "Below school-leaving age (110-140)"
NO_CODE, UNKNOWN_CODE = "No destination recorded", "Code not recognised"
EXTRA = (SCHOOL_AGE, NO_CODE, UNKNOWN_CODE)
NO_YEAR = "Not given"

_DESTINATION_HEADERS = ("Destination Activity Code", "Destination")
_YEAR_HEADERS = ("Year Left", "NC Year")


def category(code: str) -> str:
    """The summary group of an NCCIS activity code (a bare code such as '310')."""
    n = small_number(code)
    if n is None:
        return UNKNOWN_CODE
    if 210 <= n <= 290:
        return "Education"
    if 310 <= n <= 381 or n == 550:
        return "Employment"
    if 410 <= n <= 460 or n == 530:
        return "Training"
    if n == 540 or 610 <= n <= 680:
        return "NEET"
    if n == 710:
        return "Other"
    if 810 <= n <= 830 or n == 150:
        return "Not known"
    if 110 <= n <= 140:
        return SCHOOL_AGE
    return UNKNOWN_CODE


# --- reading -------------------------------------------------------------------------------------------

def _synonyms(headers: Iterable[str]) -> list[set[str]]:
    definition = load_definition("school-leavers")
    return [{fold(s) for s in definition.meaning(h).synonyms} for h in headers]


def _known_headers() -> set[str]:
    names: set[str] = set()
    identifying = ("UPN", "Legal Surname", "Legal Forename", "Date of Birth", "TEP Ref")
    for group in _synonyms(_DESTINATION_HEADERS + _YEAR_HEADERS + identifying):
        names |= group
    return names


def _find(table: Table, headers: tuple[str, ...]) -> int | None:
    folded = [fold(h) for h in table.headers]
    for exact in headers:  # the header itself first: 'Destination Activity Code' before a synonym
        if fold(exact) in folded:
            return folded.index(fold(exact))
    for group in _synonyms(headers):
        for i, f in enumerate(folded):
            if f in group:
                return i
    return None


def read_sheet(path: Path, password: str | None = None) -> Table:
    """A filled sheet or return as a Table; an encrypted workbook is decrypted in memory only."""
    from tracker_desktop.core.reading import exports as readers
    from tracker_desktop.core.writing import encryption as protection

    path = Path(path)
    from tracker_desktop.core.reading.inputs import read_input

    data = read_input(path, what="the workbook")
    known = _known_headers()
    if protection.is_encrypted(data):
        if not password:
            raise UserError(f"{path.name} is encrypted: give its password (on the command line, in a file with "
                            "--password-file).")
        try:
            plain = protection.decrypt(data, password)
        except UserError as e:
            raise UserError(f"{path.name}: {e}") from None
        reader = getattr(readers, "read_export_bytes", None)
        if reader is not None:
            return reader(path, plain, known)
        return readers._read_excel(path, plain, known)  # the plain bytes never touch the disk
    return readers.read_export(path, known)


def summarise(paths: Iterable[Path], password: str | None = None) -> dict:
    """Counts of destinations by group and year left, as plain data (for the app's chart)."""
    counts: dict[str, dict[str, int]] = {}
    by_code: dict[str, int] = {}
    rows = files = 0
    for path in paths:
        table = read_sheet(Path(path), password)
        dest = _find(table, _DESTINATION_HEADERS)
        if dest is None:
            raise UserError(f"{Path(path).name}: no destination column (Destination Activity Code or Destination) "
                            "was found: give a filled leaver-destinations sheet or a leavers return.")
        year = _find(table, _YEAR_HEADERS)
        files += 1
        for row in table.rows:
            raw = row[dest].strip() if dest < len(row) else ""
            if raw:
                code = code_of(raw, "activity")
                group = category(code) if code else UNKNOWN_CODE
                if code:
                    by_code[code] = by_code.get(code, 0) + 1
            else:
                group = NO_CODE
            left = clean_nc_year(row[year]) if year is not None and year < len(row) and row[year].strip() else NO_YEAR
            left = left if is_small_number(left, digits=2) else NO_YEAR
            counts.setdefault(group, {})
            counts[group][left] = counts[group].get(left, 0) + 1
            rows += 1
    years = sorted({y for per in counts.values() for y in per}, key=lambda y: (y == NO_YEAR, small_number(y, 0)))
    groups = list(MAIN) + [g for g in EXTRA if g in counts]
    grid = {g: {y: counts.get(g, {}).get(y, 0) for y in years} for g in groups}
    return {
        "groups": groups,
        "years": years,
        "counts": grid,
        "totals": {g: sum(grid[g].values()) for g in groups},
        "year_totals": {y: sum(grid[g][y] for g in groups) for y in years},
        "by_code": dict(sorted(by_code.items())),
        "rows": rows,
        "files": files,
    }


# --- writing -------------------------------------------------------------------------------------------

def year_label(year: str) -> str:
    return f"Year {year}" if is_small_number(year, digits=2) else year


def workbook_bytes(summary: dict, made: dt.date | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    made = made or dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws["A1"] = "Leaver destinations summary"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (f"{summary['rows']} young people from {summary['files']} file(s), made {made:%d/%m/%Y}. "
                "Counts only: no names.")
    years = summary["years"] or [NO_YEAR]
    head = ["Destination"] + [year_label(y) for y in years] + ["Total", "Share"]
    top = 4
    for c, text in enumerate(head, start=1):
        ws.cell(top, c, text).font = Font(bold=True)
    grand = summary["rows"] or 1
    for r, group in enumerate(summary["groups"], start=top + 1):
        ws.cell(r, 1, group)
        for c, y in enumerate(years, start=2):
            ws.cell(r, c, summary["counts"][group].get(y, 0))
        ws.cell(r, len(years) + 2, summary["totals"][group])
        share = ws.cell(r, len(years) + 3, summary["totals"][group] / grand)
        share.number_format = "0%"
    total_row = top + 1 + len(summary["groups"])
    ws.cell(total_row, 1, "Total").font = Font(bold=True)
    for c, y in enumerate(years, start=2):
        ws.cell(total_row, c, summary["year_totals"].get(y, 0)).font = Font(bold=True)
    ws.cell(total_row, len(years) + 2, summary["rows"]).font = Font(bold=True)
    ws.column_dimensions["A"].width = 36

    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Destinations by year left"
    chart.y_axis.title = "Young people"
    chart.x_axis.title = "Destination"
    main_rows = len(MAIN)  # the chart shows the six destination groups
    data = Reference(ws, min_col=2, max_col=1 + len(years), min_row=top, max_row=top + main_rows)
    cats = Reference(ws, min_col=1, min_row=top + 1, max_row=top + main_rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, f"{chr(ord('A') + len(head) + 1)}{top}")

    codes_top = total_row + 3
    ws.cell(codes_top, 1, "By activity code").font = Font(bold=True)
    labels = code_lists().get("activity", {})
    for c, text in enumerate(("Code", "Activity", "Group", "Young people"), start=1):
        ws.cell(codes_top + 1, c, text).font = Font(bold=True)
    for r, (code, n) in enumerate(summary["by_code"].items(), start=codes_top + 2):
        ws.cell(r, 1, code)
        ws.cell(r, 2, labels.get(code, ""))
        ws.cell(r, 3, category(code))
        ws.cell(r, 4, n)
    from tracker_desktop.core.writing import in_memory

    return in_memory.save(wb)


def write_summary(summary: dict, out: Path, force: bool = False) -> Path:
    from tracker_desktop.core.writing.files import write_workbook

    return write_workbook(Path(out), workbook_bytes(summary), force=force)

"""The problems list as a file a colleague can work through in the MIS: one line per problem with
the learner's identifier and name, the column, how serious it is and what to do.

CSV is written with a UTF-8 byte-order mark because Excel on Windows otherwise reads it as the
ANSI code page and mangles names such as Zoë. No cell is ever written as a formula.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from tracker_desktop.core.checking.rules import RULES
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.writing.files import write_atomic, write_workbook

HEADERS = ["Row in return", "Export row", "UPN", "Name", "Column", "Severity", "Problem", "What to do",
           "Accepted because"]


def advice(rule_id: str) -> str:
    """What to do, as the rule itself declares it."""
    rule = RULES.get(rule_id)
    return rule.advice if rule else ""


def problem_rows(prep) -> list[list[str]]:
    """The rows of the export, from any object shaped like a Preparation."""
    identity = prep.definition.identity
    rows = []
    acceptance = getattr(prep, "acceptance", None)
    for p in prep.problems:
        learner = prep.learners[p.row]
        accepted = acceptance(p) if acceptance else None
        values = learner.values
        name = " ".join(v for v in (values.get("Legal Forename", ""), values.get("Legal Surname", "")) if v.strip())
        rows.append([
            str(prep.sheet_row(p.row)), str(learner.source_row), values.get(identity, ""), name, p.column,
            "Error" if p.severity == "error" else ("Query (accepted)" if accepted else "Query"), p.message,
            advice(p.rule), accepted.note if accepted else "",
        ])
    return rows


def headers_for(prep) -> list[str]:
    return [prep.definition.identity if h == "UPN" else h for h in HEADERS]


def _safe(text: str) -> str:
    # A value starting with = + - @ would be run as a formula by Excel when the CSV is opened.
    if text and text[0] in "=+-@\t\r" and not text.lstrip("+-").replace(" ", "").isdigit():
        return "'" + text
    return text


def csv_bytes(prep) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers_for(prep))
    for row in problem_rows(prep):
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(prep) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from tracker_desktop.core.values.characters import xml_safe
    from tracker_desktop.core.writing import in_memory

    book = openpyxl.Workbook(write_only=True)
    sheet = in_memory.write_only_sheet(book, "Problems")  # no plain copy in the temp folder
    widths = [10, 10, 16, 26, 26, 16, 70, 70, 40]
    for i, width in enumerate(widths):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers_for(prep):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in problem_rows(prep):
        cells = []
        for text in row:
            cell = WriteOnlyCell(sheet, value=xml_safe(text) if isinstance(text, str) else text)
            cell.data_type = "s"  # text, never a formula, whatever the value starts with
            cells.append(cell)
        sheet.append(cells)
    return in_memory.save(book)


def export_problems(prep, path: Path, force: bool = False) -> Path:
    """Write the problems list; the format follows the file's extension (.xlsx, otherwise CSV)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = xlsx_bytes(prep)
    elif suffix in (".csv", ".txt", ""):
        data = csv_bytes(prep)
        if not suffix:
            path = path.with_suffix(".csv")
    else:
        raise UserError(f"{path.name}: the problems list can be saved as .xlsx or .csv only.")
    return write_workbook(path, data, force=force) if suffix == ".xlsx" else write_atomic(path, data, force=force)


def default_name(prep) -> str:
    return Path(prep.output_name).stem + " problems.xlsx"

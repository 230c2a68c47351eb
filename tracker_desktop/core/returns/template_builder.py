"""Builds the shipped template workbooks from the return definitions (DOMAIN.md section 3).

Run `make templates` (`python -m tracker_desktop.commands.templates`) after changing a definition. Tests use it
too, to make templates that differ the way KCC's newer ones may (renamed, reordered, recoloured).
"""
from __future__ import annotations

import io
from pathlib import Path

from tracker_desktop.core.returns.definitions import ReturnDefinition, all_definitions, code_lists, templates_dir

ORANGE = "FFC000"
GREY = "D9D9D9"
VALIDATION_ROWS = 5000
TEXT_TYPES = {"upn", "uln", "phone"}


def build_template(
    definition: ReturnDefinition,
    columns: list[tuple[str, bool]] | None = None,
    mandatory_fill: str = ORANGE,
    optional_fill: str | None = GREY,
) -> bytes:
    """The template workbook's bytes: sheet Return, headers in row 1, code columns as dropdowns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = list(columns if columns is not None else definition.columns)
    book = Workbook()
    ws = book.active
    ws.title = "Return"
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    list_columns: dict[str, str] = {}
    for i, (header, mandatory) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        fill = mandatory_fill if mandatory else optional_fill
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, min(40, len(header) + 4))
        meaning = definition.meaning(header)
        if meaning.type in TEXT_TYPES:
            ws.column_dimensions[letter].number_format = "@"
        elif meaning.type == "date":
            ws.column_dimensions[letter].number_format = "dd/mm/yyyy"
        if meaning.type == "code" and meaning.codes:
            codes = _allowed(meaning, code_lists()[meaning.codes])
            key = f"{meaning.codes}:{','.join(codes)}"
            if key not in list_columns:
                col = len(list_columns) + 1
                list_letter = get_column_letter(col)
                lists.cell(row=1, column=col, value=meaning.codes)
                for r, code in enumerate(codes, start=2):
                    lists.cell(row=r, column=col, value=code).number_format = "@"
                list_columns[key] = f"Lists!${list_letter}$2:${list_letter}${len(codes) + 1}"
            dv = DataValidation(type="list", formula1=list_columns[key], allow_blank=True,
                                showErrorMessage=True, showDropDown=False)
            dv.error = f"Choose a value from the list for {header}."
            dv.errorTitle = header
            dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    book.properties.creator = ""  # the upload file carries no marks of ours
    book.properties.lastModifiedBy = ""
    ws.row_dimensions[1].height = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _allowed(meaning, codes: dict[str, str]) -> list[str]:
    allowed = list(codes)
    if meaning.allowed_codes:
        low, high = meaning.allowed_codes["from"], meaning.allowed_codes["to"]
        allowed = [c for c in allowed if low <= c <= high]
    return allowed


def build_all(folder: Path | None = None) -> list[Path]:
    folder = folder or templates_dir()
    written = []
    for definition in all_definitions():
        path = folder / definition.template
        path.write_bytes(build_template(definition))
        written.append(path)
    return written

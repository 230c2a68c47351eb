"""Reading a KCC template workbook: the header row, which headers are mandatory (highlighted),
and the dropdown lists, so that an office can drop in KCC's newest template without a new release.
"""
from __future__ import annotations

import colorsys
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.values.text import fold

# Excel's default 64-colour palette, for fills given as an indexed colour.
try:
    from openpyxl.styles.colors import COLOR_INDEX
except ImportError:  # pragma: no cover - openpyxl always has it
    COLOR_INDEX = ()


@dataclass
class TemplateColumn:
    header: str
    index: int  # 1-based column number in the sheet
    mandatory: bool
    dropdown: list[str] | None = None


@dataclass
class Template:
    path: Path
    sheet: str
    header_row: int
    columns: list[TemplateColumn]
    data: bytes = field(repr=False, default=b"")  # the workbook's bytes, written from later

    @property
    def headers(self) -> list[str]:
        """The headers in sheet order. Asked for on every learner's check: made once (again only
        if the columns are replaced); the list is shared, so it is never to be changed."""
        cached = self.__dict__.get("_headers")
        if cached is None or cached[0] is not self.columns or len(cached[1]) != len(self.columns):
            cached = self.__dict__["_headers"] = (self.columns, [c.header for c in self.columns])
        return cached[1]

    def column(self, header: str) -> TemplateColumn | None:
        return next((c for c in self.columns if c.header == header), None)

    @property
    def mandatory(self) -> list[str]:
        return [c.header for c in self.columns if c.mandatory]


class TemplateError(UserError):
    pass


def read_template(path: Path, data: bytes | None = None, identity_headers=("UPN", "ULN", "TEP Ref"),
                  known_headers=()) -> Template:
    """Read a template; `known_headers` (every header name the return may use) pick the sheet
    holding the return when a workbook also has guidance or list sheets."""
    import openpyxl

    from tracker_desktop.core.reading.inputs import read_input
    from tracker_desktop.core.reading.workbook_guard import check_xlsx

    path = Path(path)
    if data is None:
        if not os.path.lexists(path):
            raise TemplateError(f"The template {path.name} was not found in {path.parent}.")
        data = read_input(path, error=TemplateError, what="a template")
    if data.startswith(b"PK\x03\x04"):
        check_xlsx(path.name, data, TemplateError)  # bounded work before openpyxl unpacks it
    try:
        book = openpyxl.load_workbook(io.BytesIO(data))
    except Exception as e:
        raise TemplateError(f"{path.name} is not a template workbook Tracker Desktop can read ({type(e).__name__}). "
                            "Use the .xlsx template from KELSI.") from None
    ws = _return_sheet(book, identity_headers, known_headers)
    header_row = _find_header_row(ws, identity_headers)
    if header_row is None:
        raise TemplateError(f"{path.name}: no row of column headings was found on sheet '{ws.title}'.")
    theme = _theme_colours(book)
    columns = []
    for cell in ws[header_row]:
        if cell.value is None or not str(cell.value).strip():
            continue
        header = " ".join(str(cell.value).split())
        columns.append(TemplateColumn(header=header, index=cell.column, mandatory=_is_highlighted(cell, theme)))
    lists = _dropdowns(book, ws)
    for col in columns:
        col.dropdown = lists.get(col.index)
    return Template(path=path, sheet=ws.title, header_row=header_row, columns=columns, data=data)


def _return_sheet(book, identity_headers, known_headers):
    """The sheet named Return, else the visible sheet whose heading row holds most known headers."""
    if "Return" in book.sheetnames:
        return book["Return"]
    known = {fold(h) for h in known_headers} | {fold(h) for h in identity_headers}
    best, best_score = book.worksheets[0], -1
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        score = 0
        for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 15), values_only=True):
            score = max(score, sum(1 for v in row if isinstance(v, str) and fold(v) in known))
        if score > best_score:
            best, best_score = ws, score
    return best


def _find_header_row(ws, identity_headers) -> int | None:
    wanted = {h.lower() for h in identity_headers}
    best, best_count = None, 0
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=min(ws.max_row, 15), values_only=True), start=1):
        texts = [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
        if any(t.lower() in wanted for t in texts):
            return r
        if len(texts) > best_count:
            best, best_count = r, len(texts)
    return best if best_count >= 2 else None


# --- the mandatory highlight ----------------------------------------------------------------

def _theme_colours(book) -> list[str]:
    """The theme's colours in the order Excel's theme indexes use (lt1, dk1, lt2, dk2, accents)."""
    import re

    xml = getattr(book, "loaded_theme", None)
    if not xml:
        return []
    if isinstance(xml, bytes):
        xml = xml.decode("utf-8", "replace")
    scheme = re.search(r"<a:clrScheme.*?</a:clrScheme>", xml, re.S)
    if not scheme:
        return []
    found = {}
    for name in ("dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                 "hlink", "folHlink"):
        colour = r"(?:srgbClr val=\"([0-9A-Fa-f]{6})\"|lastClr=\"([0-9A-Fa-f]{6})\")"
        m = re.search(rf"<a:{name}>.*?{colour}.*?</a:{name}>", scheme.group(0), re.S)
        found[name] = (m.group(1) or m.group(2)) if m else "000000"
    # Excel's theme index order swaps the dark/light pairs.
    order = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
             "hlink", "folHlink")
    return [found[n] for n in order]


def _rgb_of(colour, theme: list[str]) -> str | None:
    if colour is None:
        return None
    kind = getattr(colour, "type", None)
    if kind == "rgb" and isinstance(colour.rgb, str):
        return colour.rgb[-6:]
    if kind == "indexed" and colour.indexed is not None and colour.indexed < len(COLOR_INDEX):
        return COLOR_INDEX[colour.indexed][-6:]
    if kind == "theme" and colour.theme is not None and colour.theme < len(theme):
        return _tint(theme[colour.theme], colour.tint or 0.0)
    return None


def _tint(rgb: str, tint: float) -> str:
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return "".join(f"{round(v * 255):02X}" for v in (r, g, b))


def _is_highlighted(cell, theme: list[str]) -> bool:
    """Mandatory headers are filled with a strong colour (KCC: orange); optional ones are grey,
    white or unfilled. Judged by saturation so a newer template's yellow or red works too."""
    fill = cell.fill
    if fill is None or fill.fill_type in (None, "none"):
        return False
    if fill.fill_type == "solid":
        rgb = _rgb_of(fill.fgColor, theme)
    else:
        rgb = _rgb_of(fill.fgColor, theme) or _rgb_of(fill.bgColor, theme)
    if not rgb:
        return False
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    _, s, v = colorsys.rgb_to_hsv(r, g, b)
    # Light tints of orange (Excel's "lighter 60%") still count; greys, white and pale blue not.
    return s >= 0.2 and v >= 0.35


# --- dropdown lists ---------------------------------------------------------------------------

def _dropdowns(book, ws) -> dict[int, list[str]]:
    from openpyxl.utils.cell import range_boundaries

    out: dict[int, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list" or not dv.formula1:
            continue
        values = _list_values(book, ws, dv.formula1)
        if not values:
            continue
        for rng in str(dv.sqref).split():
            try:
                min_col, _, max_col, _ = range_boundaries(rng)
            except ValueError:
                continue
            for col in range(min_col or 1, (max_col or min_col or 1) + 1):
                out.setdefault(col, values)
    return out


def _list_values(book, ws, formula: str) -> list[str]:
    from openpyxl.utils.cell import range_boundaries

    formula = formula.strip()
    if formula.startswith('"') and formula.endswith('"'):
        return [v.strip() for v in formula[1:-1].split(",") if v.strip()]
    ref = formula.lstrip("=")
    if "!" not in ref and ref in book.defined_names:
        destinations = list(book.defined_names[ref].destinations)
        if not destinations:
            return []
        sheet_name, ref = destinations[0]
        ref = f"'{sheet_name}'!{ref}"
    sheet = ws
    if "!" in ref:
        sheet_name, ref = ref.rsplit("!", 1)
        sheet_name = sheet_name.strip("'")
        if sheet_name not in book.sheetnames:
            return []
        sheet = book[sheet_name]
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    except ValueError:
        return []
    values = []
    for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True):
        for v in row:
            if v is not None and str(v).strip():
                values.append(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
    return values

"""Property-based tests: whatever bytes an office feeds in, the engine answers with a table, a
report, or one clear UserError - never any other exception (which the user would see as a crash)."""
from __future__ import annotations

import codecs
import datetime as dt
import json
import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_upn, xlsx_bytes
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.opening import known_headers
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import load_definition, return_ids

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
KNOWN = known_headers(load_definition("school-leavers"))
RETURNS = [r for r in return_ids() if not r.startswith("tep-")]


def read_bytes(data: bytes, suffix: str, known=KNOWN):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_bytes(data)
        try:
            table = read_export(path, known)
        except UserError as e:
            assert str(e).strip() and "\n" not in str(e)
            assert path.name in str(e)
            return None
        assert isinstance(table, Table)
        assert len(table.rows) == len(table.source_rows)
        assert all(len(r) == len(table.headers) for r in table.rows)
        assert all(isinstance(c, str) for r in table.rows for c in r)
        assert table.source_rows == sorted(set(table.source_rows))
        assert all(n > table.header_row for n in table.source_rows)
        return table


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]))
def test_random_bytes(data, suffix):
    read_bytes(data, suffix)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_behind_office_signatures(data):
    for magic in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", codecs.BOM_UTF16_LE, codecs.BOM_UTF8):
        read_bytes(magic + data, ".xlsx")


WORDS = ["UPN", "Surname", "Forename", "DOB", "Year", "Post Code", "Mobile", "Address Block", "SEN Status", "NA",
         "Null", "", " ", "12", "07911 123456", "=1+1", "Zoë", "O’Brien", "£", "\"", "\"\"", "\n", "\r\n", ",", ";",
         "\t", "|", "\x00", "\x0b", "\ufeff", "é", "💥"]
cell_text = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))


@st.composite
def mangled_csv(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    n_cols = draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(cell_text, min_size=0, max_size=n_cols + 2), min_size=0, max_size=12))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))),
                    draw(st.permutations(["UPN", "Surname", "Forename", "DOB", "Year"])))
    lines = []
    for row in rows:
        cells = []
        for c in row:
            if draw(st.booleans()):
                c = '"' + c.replace('"', '""') + '"'
            cells.append(c)
        lines.append(delimiter.join(cells))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    if draw(st.booleans()) and text:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', "\n", "\x00", ",,,", ""])) + text[cut:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "latin-1"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(mangled_csv())
def test_mangled_csv(data):
    read_bytes(data, ".csv")


@lru_cache(maxsize=1)
def good_xlsx() -> bytes:
    return xlsx_bytes([
        ("Notes", [["Exported from SIMS"]]),
        ("Roll", [["Roll"], [], ["UPN", "Surname", "Forename", "DOB", "Mobile"],
                  ["B801200005001", "Smith", "Jo", dt.datetime(2008, 2, 1), 7911123456.0],
                  ["Y886123424001", "Null", "Zoë", "01/02/2008", "07911 123456"]]),
    ])


@st.composite
def mangled_xlsx(draw):
    data = bytearray(good_xlsx())
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "mixed"]))
    if kind in ("truncate", "mixed"):
        data = data[: draw(st.integers(0, len(data)))]
    if kind in ("flip", "mixed") and data:
        for _ in range(draw(st.integers(1, 20))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
    if kind == "insert":
        i = draw(st.integers(0, len(data)))
        data[i:i] = draw(st.binary(min_size=1, max_size=200))
    if kind == "delete" and data:
        i = draw(st.integers(0, len(data) - 1))
        del data[i: i + draw(st.integers(1, 500))]
    return bytes(data)


@FUZZ
@given(mangled_xlsx())
def test_truncated_or_mangled_xlsx(data):
    read_bytes(data, ".xlsx")


def test_good_xlsx_reads():
    table = read_bytes(good_xlsx(), ".xlsx")
    assert table is not None and table.sheet == "Roll" and table.source_rows == [4, 5]


# --- the whole preparation on random but parseable exports -----------------------------------------------

HEADERS = ["UPN", "ULN", "Surname", "Legal Forename", "First Name", "DOB", "Gender", "Year", "House No", "Street",
           "District", "Town", "Post Code", "Address Block", "Home Telephone", "Mobile", "Primary Contact Name",
           "Contact Forename", "Contact Surname", "Primary Contact Telephone", "Email", "SEN Status", "EHCP",
           "Admission Date", "Leaving Date", "Start Date", "Reason for Leaving", "Destination",
           "Destination Provider", "Offer Status", "Offer Type", "Course", "Course Level", "Offer Date",
           "Intended Destination", "Attendance", "Level", "Core Aim", "Planned End Date", "Favourite Colour"]
VALUES = st.one_of(
    st.sampled_from(["", " ", "NA", "Null", "B801200005001", "J88612342400A", "C801200005001", make_upn("886412309001"),
                     "1000000043", "9999999999", "Female", "M", "x", "Year 12", "Yr 11", "10", "13", "Reception",
                     "01/02/2008", "2009-03-04", "45539", "31/02/2024", "01/01/0001", "29/02/2023", "12/10/2024",
                     "me15 6aa", "ME15", "7911123456", "7911123456.0", "+44 7911 123456", "12345", "a@b.co",
                     "a@b", "E", "K", "Y", "310", "110", "150", "280", "460", "650", "114", "999",
                     "Apprenticeship", "310 - Apprenticeship", "Level 3", "Entry", "Full-time", "FT",
                     "Offer made", "Other", "=HYPERLINK(\"x\")", "+1", "-1", "@x", "Sm\x0bith",
                     "1 High St\nTown\nME1 1AA"]),
    st.text(max_size=15),
    st.integers(-10, 100000).map(str),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
)


@st.composite
def parseable_export(draw):
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=2, max_size=14, unique=True))
    rows = draw(st.lists(st.lists(VALUES, min_size=len(headers), max_size=len(headers)), min_size=0, max_size=8))
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue()


@FUZZ
@given(export=parseable_export(), return_id=st.sampled_from(RETURNS),
       period=st.sampled_from(["2024-09", "2024-10", "2025-04", None]),
       as_of=st.sampled_from(["2024-10-31", "2025-04-25", "2024-09-13"]), write=st.booleans())
def test_preparation_never_raises_anything_but_user_error(export, return_id, period, as_of, write):
    definition = load_definition(return_id)
    who = {"school": "8864123"} if definition.who == "school" else {"college": "MKC"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_text(export, encoding="utf-8")
        try:
            prep = Preparation.start(return_id, path, period=period, as_of=as_of, **who)
        except UserError as e:
            assert str(e).strip()
            return
        report = prep.report(None)
        json.dumps(report)
        assert report["rows"] + len(report["left_out"]) == len(prep.table.rows)
        for p in report["problems"]:
            assert p["severity"] in ("error", "query") and p["column"] in prep.columns
        if write:
            out = prep.save(Path(tmp) / "out")
            assert out.name == prep.output_name
            import openpyxl

            ws = openpyxl.load_workbook(out)[prep.template.sheet]
            assert not [c for row in ws.iter_rows(min_row=2) for c in row if c.data_type == "f"]

"""LibreOffice (headless) opens a written return and reads back the same values: text stays text
(leading zeros, formula-like names), dates are dates shown dd/mm/yyyy, year groups are numbers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import make_upn
from tracker_desktop.core.preparing.preparation import Preparation

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def libreoffice_csv(xlsx: Path, tmp_path: Path) -> list[list[str]]:
    """The first sheet as LibreOffice shows it, via a headless conversion to UTF-8 CSV."""
    out = tmp_path / f"lo_out_{uuid.uuid4().hex}"
    profile = Path("/tmp") / f"lo_{uuid.uuid4().hex}"
    private_tmp = tmp_path / f"lo_tmp_{uuid.uuid4().hex}"  # LibreOffice's pipes and scratch files
    private_tmp.mkdir()
    try:
        proc = subprocess.run(
            [SOFFICE, "--headless", f"-env:UserInstallation=file://{profile}",
             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(xlsx)],
            capture_output=True, text=True, timeout=240, env={**os.environ, "TMPDIR": str(private_tmp)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    produced = out / (xlsx.stem + ".csv")
    assert produced.exists(), f"LibreOffice did not convert {xlsx.name}: {proc.stdout} {proc.stderr}"
    return list(csv.reader(io.StringIO(produced.read_text(encoding="utf-8"))))


def shown(value) -> str:
    """What a spreadsheet shows for an openpyxl cell value written by the tool."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


def assert_same(xlsx: Path, tmp_path: Path):
    ws = openpyxl.load_workbook(xlsx)["Return"]
    ours = [[shown(v) for v in row] for row in ws.iter_rows(values_only=True)]
    theirs = libreoffice_csv(xlsx, tmp_path)
    width = max(len(r) for r in ours)
    theirs = [r + [""] * (width - len(r)) for r in theirs if any(c.strip() for c in r)]
    ours = [r for r in ours if any(c for c in r)]
    assert len(theirs) == len(ours)
    for i, (a, b) in enumerate(zip(ours, theirs), start=1):
        assert a == b[:width], f"row {i}"
    return ours, theirs


def test_libreoffice_reads_a_written_return(tmp_path):
    u1, u2 = make_upn("886412308001"), make_upn("886412308002")
    export = tmp_path / "roll.csv"
    export.write_bytes((
        "UPN,Surname,Forename,Middle Name,DOB,Gender,Year,House No,Street,Town,Post Code,Mobile,Primary Contact Name,"
        "Primary Contact Telephone,SEN Status,Admission Date,Previous School\n"
        f'{u1},O’Brien,Zoë,"=HYPERLINK(""http://example.org"",""x"")",01/02/2010,Female,Year 10,12,High Street,'
        f"Maidstone,me15 6aa,7911123456,Ann O’Brien,01622 123456,E,07/10/2024,+44 School\n"
        f"{u2},NA,Null,-1,2010-03-04,M,10,3,Low Road,Maidstone,ME15 6AB,,Bob Null,7911123457,N,08/10/2024,@home\n"
    ).encode("cp1252"))
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31")
    path = prep.save(tmp_path / "out")
    ours, theirs = assert_same(path, tmp_path)
    header = theirs[0]
    first = dict(zip(header, theirs[1]))
    second = dict(zip(header, theirs[2]))
    assert first["Legal Surname"] == "O’Brien" and first["Legal Forename"] == "Zoë"
    assert first["Middle Name(s)"] == '=HYPERLINK("http://example.org","x")'  # shown as typed, not run
    assert first["Date of Birth"] == "01/02/2010" and second["Date of Birth"] == "04/03/2010"
    assert first["Young Person Mobile"] == "07911 123456"
    assert first["Parent/Carer Telephone"] == "01622 123456"
    assert first["UPN"] == u1
    assert first["NC Year"] == "10" and first["EHCP"] == "Y"
    assert second["Legal Surname"] == "NA" and second["Legal Forename"] == "Null"
    assert second["Middle Name(s)"] == "-1" and second["Previous Establishment"] == "@home"
    assert first["Previous Establishment"] == "+44 School"


@pytest.mark.skipif(not (SAMPLES / "expected.json").exists(), reason="no samples")
def test_libreoffice_reads_a_sample_return(tmp_path):
    case = next(c for c in json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
                if c["input"].endswith(".xlsx") and not c["return"].startswith("tep-"))
    prep = Preparation.start(case["return"], SAMPLES / case["input"], school=case.get("school"),
                             college=case.get("college"), period=case.get("period"), as_of=case.get("as_of"))
    path = prep.save(tmp_path / "out")
    assert path.name == case["expected_file"]
    ours, theirs = assert_same(path, tmp_path)
    assert len(theirs) == 1 + case["rows"]

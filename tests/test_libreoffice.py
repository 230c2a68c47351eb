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
pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]
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
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
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
    first = dict(zip(header, theirs[1], strict=True))
    second = dict(zip(header, theirs[2], strict=True))
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


def test_libreoffice_reads_a_return_streamed_as_prepare_saves_it(tmp_path):
    """The save the command line makes (rows streamed into the .saving file, more than one batch
    of them), with spaces that only xml:space keeps and characters that need escaping."""
    from tests.core.test_writer import LEAVERS, learner
    from tracker_desktop.core.returns.template import read_template
    from tracker_desktop.core.writing.files import write_workbook
    from tracker_desktop.core.writing.workbook import write_return_into

    template = read_template(LEAVERS.template_path)
    odd = {"Legal Surname": " O'Brien", "Legal Forename": "Zoë ", "Address Line 2": "Flat 1  & 2 <rear>"}
    rows = [[learner(i, **(odd if i % 250 == 0 else {})).get(h, "") for h in template.headers] for i in range(1100)]
    path = write_workbook(tmp_path / "out" / "return.xlsx",
                          lambda f: write_return_into(f, template, LEAVERS, rows, len(rows)))
    ours, theirs = assert_same(path, tmp_path)
    header = theirs[0]
    first, last = dict(zip(header, theirs[1], strict=True)), dict(zip(header, theirs[-1], strict=True))
    assert first["Legal Surname"] == " O'Brien" and first["Legal Forename"] == "Zoë "
    assert first["Address Line 2"] == "Flat 1  & 2 <rear>"
    assert len(theirs) == 1101 and last["Legal Surname"] == "Smith1099" and last["Date of Birth"] == "01/02/2008"


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


# --- encrypted files (the README's "LibreOffice opening our ... encrypted files") ------------------

LO_HELPER = Path(__file__).resolve().parent / "core" / "lo_helper.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # the interpreter python3-uno is installed for
_HAS_UNO = Path(SYSTEM_PYTHON).exists() and subprocess.run(
    [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0
needs_uno = pytest.mark.skipif(not _HAS_UNO, reason=f"{SYSTEM_PYTHON} cannot import uno (apt-get install python3-uno)")


def libreoffice_rows(path: Path, password: str) -> dict:
    """The first sheet as LibreOffice shows it, opened with the password (lo_helper.py)."""
    result = subprocess.run([SYSTEM_PYTHON, str(LO_HELPER), "read", str(path), password],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, f"LibreOffice would not open {path.name}: {result.stderr}"
    return json.loads(result.stdout)


@needs_uno
def test_libreoffice_opens_an_encrypted_tep_sheet_with_every_learner(tmp_path):
    """A TEP sheet filled from an export whose names hold characters XML cannot (U+FFFE, U+FFFF) and
    a line break: LibreOffice opens the encrypted file with the password and shows every row."""
    from tests.core.test_tep import tep_workbook
    from tracker_desktop.core.preparing.saving import save_tep_return
    from tracker_desktop.core.preparing.tep import prepare_tep
    from tracker_desktop.core.writing import encryption as protection

    tep = tmp_path / "from TEP.xlsx"
    tep.write_bytes(protection.encrypt(tep_workbook(), "Maple-Harbour-42"))
    export = tmp_path / "destinations.csv"
    export.write_text(
        "UPN,TEP Ref,Destination,Destination Provider\n"
        "Y886412320001,,310,\"Kent\nMotors\ufffe Ltd\"\n"
        ",TEP2,210,Simon Langton\uffff\n",
        encoding="utf-8")
    prep = prepare_tep("tep-leaver-destinations", export, tep, "Maple-Harbour-42", "8864123", as_of="2024-10-31")
    password = "Candle-Orbit-Willow-Harbour-73"
    saved = save_tep_return(prep, tmp_path / "out", password, draft=False)
    shown = libreoffice_rows(saved.output, password)
    assert shown["sheet"] == "Return"
    rows = [r for r in shown["rows"] if any(c.strip() for c in r)]
    header = rows[0]
    assert len(rows) == 1 + len(prep.learners)  # not just the header
    provider = header.index("Provider or Employer")
    assert rows[1][provider] == "Kent Motors\ufffd Ltd" and rows[2][provider] == "Simon Langton\ufffd"
    assert rows[1][header.index("Destination Activity Code")] == "310"
    assert [r[header.index("TEP Ref")] for r in rows[1:]] == ["TEP1", "TEP2", "TEP3", "TEP4"]
    wrong = subprocess.run([SYSTEM_PYTHON, str(LO_HELPER), "read", str(saved.output), password.lower()],
                           capture_output=True, text=True, timeout=240)
    assert wrong.returncode == 3  # and only with its password


@needs_uno
def test_libreoffice_opens_a_return_encrypted_with_the_encrypt_command(tmp_path, capsys):
    from tracker_desktop.commands import main

    u1 = make_upn("886412308001")
    export = tmp_path / "roll.csv"
    export.write_text("UPN,Surname,Forename,DOB,Gender,Year,Admission Date\n"
                      f"{u1},Sm\ufffeith,Ann\u202e,01/02/2010,F,10,07/10/2024\n", encoding="utf-8")
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31")
    plain = prep.save(tmp_path / "out")
    (tmp_path / "pw.txt").write_text("Lantern-Meadow-Copper-58\n", encoding="utf-8")
    assert main(["encrypt", str(plain), "--password-file", str(tmp_path / "pw.txt")]) == 0
    capsys.readouterr()
    encrypted = plain.with_name(plain.stem + " (encrypted).xlsx")
    rows = [r for r in libreoffice_rows(encrypted, "Lantern-Meadow-Copper-58")["rows"] if any(c.strip() for c in r)]
    header = rows[0]
    assert len(rows) == 2
    assert rows[1][header.index("Legal Surname")] == "Sm\ufffdith" and rows[1][header.index("Legal Forename")] == "Ann"
    assert rows[1][header.index("UPN")] == u1

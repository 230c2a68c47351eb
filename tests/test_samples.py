"""End to end through the command line on every sample case with known answers (except TEP's,
which the encryption work covers): ../shared/samples/expected.json is read at test time, so the
answers live in one place only."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
EXPECTED = SAMPLES / "expected.json"


def _cases():
    if not EXPECTED.exists():
        return []
    return [c for c in json.loads(EXPECTED.read_text(encoding="utf-8")) if not c["return"].startswith("tep-")]


CASES = _cases()
pytestmark = pytest.mark.skipif(not CASES, reason=f"no sample answers at {EXPECTED}")


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "tracker-desktop"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracker_desktop.commands"]


class Run:
    def __init__(self, case, folder: Path):
        self.case = case
        self.out = folder
        self.report_path = folder / "report.json"
        cmd = _cli() + ["prepare", case["return"], str(SAMPLES / case["input"]), "--out", str(folder),
                        "--report", str(self.report_path)]
        cmd += ["--college", case["college"]] if case.get("college") else ["--school", case["school"]]
        if case.get("period"):
            cmd += ["--period", case["period"]]
        if case.get("as_of"):
            cmd += ["--as-of", case["as_of"]]
        self.proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        self.report = json.loads(self.report_path.read_text(encoding="utf-8")) if self.report_path.exists() else None

    def problems(self, severity):
        return {(p["source_row"], p["column"]) for p in self.report["problems"] if p["severity"] == severity}

    def workbook(self):
        return openpyxl.load_workbook(self.out / self.case["expected_file"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cache = {}

    def get(case) -> Run:
        if case["name"] not in cache:
            cache[case["name"]] = Run(case, tmp_path_factory.mktemp(re.sub(r"\W", "_", case["name"])))
        return cache[case["name"]]

    return get


def ids(cases):
    return [c["name"] for c in cases]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_exit_code_and_report(runs, case):
    run = runs(case)
    assert run.proc.returncode == (1 if case["errors"] else 0), run.proc.stderr
    assert "Traceback" not in run.proc.stderr
    assert run.report is not None
    assert run.report["return"] == case["return"]
    assert Path(run.report["output"]).name == case["expected_file"]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_file_name(runs, case):
    run = runs(case)
    written = sorted(p.name for p in run.out.iterdir() if p.suffix.lower() == ".xlsx")
    assert written == [case["expected_file"]]
    assert not [p for p in run.out.iterdir() if p.name.startswith(".saving-")]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_row_count_and_left_out(runs, case):
    run = runs(case)
    assert run.report["rows"] == case["rows"]
    assert len(run.report["learners"]) == case["rows"]
    if "excluded" in case:
        assert len(run.report["left_out"]) == case["excluded"]
    assert all(left["reason"] for left in run.report["left_out"])
    ws = run.workbook()["Return"]
    filled = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    assert len(filled) == case["rows"]
    # learners land on consecutive rows under the header, in the export's order
    rows = [learner["row"] for learner in run.report["learners"]]
    assert rows == list(range(2, 2 + case["rows"]))
    sources = [learner["source_row"] for learner in run.report["learners"]]
    assert sources == sorted(sources)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_every_expected_error(runs, case):
    run = runs(case)
    errors = run.problems("error")
    missed = [e for e in case["errors"] if not any((e["source_row"], c) in errors for c in e["columns"])]
    assert not missed


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_every_expected_query(runs, case):
    run = runs(case)
    queries = run.problems("query")
    missed = [q for q in case["queries"] if not any((q["source_row"], c) in queries for c in q["columns"])]
    assert not missed


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_no_other_errors(runs, case):
    run = runs(case)
    allowed = {(e["source_row"], c) for e in case["errors"] for c in e["columns"]}
    extra = sorted(run.problems("error") - allowed)
    assert not extra


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_problems_are_complete_sentences_on_template_columns(runs, case):
    run = runs(case)
    headers = {c.value for c in run.workbook()["Return"][1] if c.value}
    row_of = {learner["source_row"]: learner["row"] for learner in run.report["learners"]}
    for p in run.report["problems"]:
        assert p["column"] in headers
        assert p["severity"] in ("error", "query")
        assert p["rule"] and p["message"].strip()
        assert row_of[p["source_row"]] == p["row"]
    for f in run.report["fixes"]:
        assert f["column"] in headers and f["before"] != f["after"]


def _expected_matches(cell, want):
    got = cell.value
    if isinstance(want, bool) or want is None:
        return got == want
    if isinstance(want, (int, float)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and got == want
    if isinstance(want, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", want):
        # dates are written as real dates, not text
        return isinstance(got, (dt.datetime, dt.date)) and got.strftime("%Y-%m-%d") == want
    return got == want


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_every_expected_value(runs, case):
    run = runs(case)
    ws = run.workbook()["Return"]
    columns = {c.value: c.column for c in ws[1] if c.value}
    row_of = {learner["source_row"]: learner["row"] for learner in run.report["learners"]}
    wrong = []
    for v in case["values"]:
        assert v["source_row"] in row_of, f"source row {v['source_row']} is not on the return"
        assert v["column"] in columns, f"no column {v['column']}"
        cell = ws.cell(row_of[v["source_row"]], columns[v["column"]])
        if not _expected_matches(cell, v["value"]):
            wrong.append((v["source_row"], v["column"], cell.value, v["value"]))
    assert not wrong


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_no_formula_anywhere(runs, case):
    run = runs(case)
    ws = run.workbook()["Return"]
    columns = {c.value: c.column for c in ws[1] if c.value}
    row_of = {learner["source_row"]: learner["row"] for learner in run.report["learners"]}
    for nf in case.get("no_formula", []):
        cell = ws.cell(row_of[nf["source_row"]], columns[nf["column"]])
        assert cell.data_type == "s" and isinstance(cell.value, str)
    formulas = [c.coordinate for row in ws.iter_rows(min_row=2) for c in row if c.data_type == "f"]
    assert not formulas

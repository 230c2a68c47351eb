"""`make bench` (README): speed and memory figures, each printed beside its baseline as a ratio.

Run at a few hundred rows so the suite stays quick: this proves the script measures the engine and
both baselines on the same export and prints the ratios, not how fast anything is (speed lives in
the benchmark's own output, never in a timed test)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_engine_benchmark_prints_each_figure_beside_its_baselines(tmp_path):
    figures = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_engine.py"), "--sizes", "300,600",
                          "--stages", "--folder", str(tmp_path / "work"), "--json", str(figures)],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(figures.read_text())
    assert [r["size"] for r in results] == [300, 600]
    for r in results:
        # the engine really prepared the return, and both baselines wrote as many rows as it kept
        assert r["engine"]["exit"] in (0, 1) and r["engine"]["output_bytes"] > 0 and r["engine"]["report_bytes"] > 0
        assert 0 < r["rows_out"] <= r["size"]
        assert r["xlsxwriter"]["rows_out"] == r["rows_out"] == r["floor"]["rows_out"]
        for who in ("engine", "xlsxwriter", "floor"):
            assert r[who]["cpu"] > 0 and r[who]["peak_mb"] > 0
        assert set(r["stages"]["cpu"]) >= {"setup", "read", "map", "build", "write", "report"}
    table = [line for line in run.stdout.splitlines() if re.match(r"\s*(300|600) csv +[\d,]+ +\|", line)]
    assert len(table) == 2
    for line in table:
        assert len(re.findall(r"\d+\.\d\dx", line)) == 3  # engine / XlsxWriter, engine / openpyxl, wall clock
    assert "us/row against 300 rows" in run.stdout

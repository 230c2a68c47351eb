#!/usr/bin/env python3
"""How fast the engine prepares a big return, as a whole process, against the best writers. A script, not a test.

    python benchmarks/bench_engine.py                        # 2k, 20k, 100k and 200k rows, CSV
    python benchmarks/bench_engine.py --sizes 20000,100000   # fewer
    python benchmarks/bench_engine.py --sizes 20000 --stages --profile   # and where the time goes

For each size it writes a fictional sixth-form roll (tracker_desktop.demo_data, mostly Years 12-13,
with the course columns) as CSV (UTF-8 with BOM; `--formats csv,xlsx` adds xlsx, telephone numbers
stored as numbers), then runs three processes, one after another, each timed from its start to its
end as a user would see it (interpreter and imports included):

    engine      `tracker-desktop prepare school-post16-enrolment ROLL --report R.json` (period 2025-09,
                as of 2025-09-12), which keeps most rows: read, match, clean, scope, check, write the
                workbook, read it back, write the report
    xlsxwriter  the best streaming writer: read the same export (csv module or calamine) and write
                the same number of rows x template columns with XlsxWriter in constant_memory mode
    openpyxl    the plain floor: the same read, written with openpyxl write-only into the template

Each figure is printed beside its baseline as a ratio. CPU seconds (the child's user + system
time) are the steadier figures on a shared machine; wall-clock seconds are shown too. `peak MB`
is each process's own peak resident memory (VmHWM, read by the process itself at its end).
`us/row` is the engine's CPU microseconds per learner row of the export at each size, so growth
faster than the work shows as a rising figure.

`--stages` also times the engine's stages in one process (setup, read, map, build, write, report);
`--profile` runs cProfile on one size.

Targets (printed, never asserted in tests): 100k rows prepared with --report in at most 1.0x the
XlsxWriter baseline and a peak of at most 300 MB; us/row at 200k within 10% of 20k.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RETURN_ID = "school-post16-enrolment"
SCHOOL = "8864123"
PERIOD = "2025-09"
AS_OF = "2025-09-12"
YEARS = {11: 4, 12: 50, 13: 46}  # mostly sixth formers: the return keeps most rows
DEFAULT_SIZES = "2000,20000,100000,200000"
TARGET_RATIO = 1.0  # engine / XlsxWriter at BIG rows
TARGET_MB = 300
TARGET_GROWTH = 0.10  # us/row at LARGEST within this much of MIDDLE
MIDDLE, BIG, LARGEST = 20_000, 100_000, 200_000
STAGES = ("setup", "read", "map", "build", "write", "report")
PEAK_STAGES = ("read", "map", "build", "write", "report")

def _peak_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's VmHWM belongs to this process's own memory map; ru_maxrss would not do, because Linux
    carries it over an exec from the parent, so a small worker started by a big driver would show
    the driver's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB on Linux


class _Clock:
    """Wall and CPU seconds of each stage (CPU time is steadier on a busy machine)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._mark()

    def _mark(self) -> None:
        self._w, self._c = time.perf_counter(), time.process_time()

    def lap(self, stage: str) -> None:
        self.wall[stage] = time.perf_counter() - self._w
        self.cpu[stage] = time.process_time() - self._c
        self._mark()


# --- workers (each run in its own process) ------------------------------------------------------

def worker_engine(export: Path, out_dir: Path) -> dict:
    """Prepare and save the return exactly as the command line does (`Preparation.start`, then
    `counts`, then `save`), timing the stages by wrapping the functions `start` calls."""
    clock = _Clock()
    import openpyxl  # noqa: F401  - imported up front so that no stage pays for an import
    import phonenumbers  # noqa: F401
    import python_calamine  # noqa: F401
    import rapidfuzz  # noqa: F401

    from tracker_desktop.core.preparing import opening, preparation

    clock.lap("imports")
    rss_after_imports = _peak_mb()
    wall: dict[str, float] = {"read": 0.0, "map": 0.0, "build": 0.0}
    cpu = dict(wall)
    marks: dict[str, float] = {}

    def timed(stage: str, fn):
        def wrapper(*args, **kwargs):
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                wall[stage] += time.perf_counter() - w
                cpu[stage] += time.process_time() - c
                marks[stage] = _peak_mb()
        return wrapper

    opening.read_export = timed("read", opening.read_export)
    opening.propose_mapping = timed("map", opening.propose_mapping)
    preparation.Preparation.build = timed("build", preparation.Preparation.build)

    prep = preparation.Preparation.start(RETURN_ID, export, school=SCHOOL, period=PERIOD, as_of=AS_OF)
    counts = timed("build", prep.counts)()  # what the command line prints after preparing
    clock.lap("start")
    try:  # as `prepare` saves it (the report apart, timed below)
        from tracker_desktop.core.preparing.saving import save_return

        written = save_return(prep, out_dir, force=True).output
    except ImportError:  # a tree from before saving.py
        written = prep.save(out_dir, force=True)
    clock.lap("write")
    marks["write"] = _peak_mb()
    try:
        from tracker_desktop.core.preparing.saving import write_report
    except ImportError:  # before the report was streamed: built in memory, then written
        from tracker_desktop.core.preparing.saving import report_bytes
        from tracker_desktop.core.writing.files import write_atomic

        def write_report(path, prep, output):
            return write_atomic(path, report_bytes(prep, output), force=True)
    write_report(out_dir / "report.json", prep, written)
    clock.lap("report")
    marks["report"] = _peak_mb()

    # setup: what start does besides reading, matching and building (definitions, the template)
    for times, measured in ((clock.wall, wall), (clock.cpu, cpu)):
        times.update(measured)
        times["setup"] = times.pop("start") - sum(measured.values())
        times["total"] = sum(times[s] for s in STAGES)
    return {"times": clock.wall, "cpu": clock.cpu, "rows_in": len(prep.table.rows), "rows_out": len(prep.learners),
            "columns": len(prep.columns), "errors": counts["errors"], "queries": counts["queries"],
            "output_bytes": written.stat().st_size, "peak_mb": _peak_mb(), "imports_mb": rss_after_imports,
            **{f"{stage}_mb": marks.get(stage, 0.0) for stage in ("read", "map", "build", "write", "report")}}


def worker_floor(export: Path, out_dir: Path, rows_out: int) -> dict:
    """Read the export plainly, write rows_out rows x the template's columns into its sheet."""
    clock = _Clock()
    import csv
    import io

    import openpyxl
    from python_calamine import CalamineWorkbook

    from tracker_desktop.core.returns.definitions import load_definition

    clock.lap("imports")
    template_path = load_definition(RETURN_ID).template_path
    if export.suffix == ".xlsx":
        rows = CalamineWorkbook.from_path(str(export)).get_sheet_by_index(0).to_python()
    else:
        rows = list(csv.reader(io.StringIO(export.read_bytes().decode("utf-8-sig"), newline="")))
    clock.lap("read")

    source = openpyxl.load_workbook(template_path)
    src = source.worksheets[0]
    header = [c.value for c in src[1]]
    width = len(header)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(src.title)
    ws.append(header)
    for row in rows[1:1 + rows_out]:
        ws.append([v if v != "" else None for v in row[:width]])
    buffer = io.BytesIO()
    book.save(buffer)
    path = out_dir / "floor.xlsx"
    path.write_bytes(buffer.getvalue())
    clock.lap("write")
    for times in (clock.wall, clock.cpu):
        times["total"] = times["read"] + times["write"]
    return {"times": clock.wall, "cpu": clock.cpu, "rows_out": min(rows_out, len(rows) - 1), "peak_mb": _peak_mb()}


def worker_cli(export: Path, out_dir: Path) -> dict:
    """The command line itself, in this process: `prepare ... --report`, exactly as a user runs it."""
    try:
        from tracker_desktop.commands import main as command_line
    except ImportError:  # a tree from before the commands package, measured for comparison
        from tracker_desktop.cli import main as command_line

    code = command_line(["prepare", RETURN_ID, str(export), "--school", SCHOOL, "--period", PERIOD, "--as-of", AS_OF,
                     "--out", str(out_dir), "--report", str(out_dir / "report.json"), "--force"])
    output = next((p for p in out_dir.glob("*.xlsx")
                   if p.name != "floor.xlsx" and not p.name.startswith("xlsxwriter")), None)
    return {"exit": code, "peak_mb": _peak_mb(), "output_bytes": output.stat().st_size if output else 0,
            "report_bytes": (out_dir / "report.json").stat().st_size}


def _template_sheet() -> tuple[str, list[str]]:
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.template import read_template

    template = read_template(load_definition(RETURN_ID).template_path)
    return template.sheet, template.headers


def _read_plain(export: Path) -> list[list]:
    import csv
    import io

    if export.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        return CalamineWorkbook.from_path(str(export)).get_sheet_by_index(0).to_python()
    return list(csv.reader(io.StringIO(export.read_bytes().decode("utf-8-sig"), newline="")))


def worker_xlsxwriter(export: Path, out_dir: Path, rows_out: int, sheet_file: Path) -> dict:
    """The best streaming writer: the same export read plainly, the same rows x template columns
    written by XlsxWriter in constant_memory mode (a row at a time, flushed as it goes). The
    template's sheet name and headers come from the driver, so nothing of openpyxl is loaded."""
    import csv
    from itertools import islice

    import xlsxwriter

    sheet, header = json.loads(sheet_file.read_text())
    width = len(header)
    book = xlsxwriter.Workbook(str(out_dir / "xlsxwriter.xlsx"), {"constant_memory": True})
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    written = 0
    with open(export, encoding="utf-8-sig", newline="") as f:  # a CSV is read as it is written: streamed too
        rows = csv.reader(f) if export.suffix != ".xlsx" else iter(_read_plain(export))
        for r, row in enumerate(islice(rows, 1, 1 + rows_out), start=1):
            for c, value in enumerate(row[:width]):
                if value != "":
                    ws.write_string(r, c, str(value))
            written += 1
    book.close()
    return {"rows_out": written, "peak_mb": _peak_mb()}


def worker_profile(export: Path, out_dir: Path, stats_file: Path) -> dict:
    import cProfile

    import openpyxl  # noqa: F401
    import phonenumbers  # noqa: F401
    import rapidfuzz  # noqa: F401

    import tracker_desktop.core.preparing.preparation  # noqa: F401

    profiler = cProfile.Profile()
    profiler.enable()
    result = worker_engine(export, out_dir)
    profiler.disable()
    profiler.dump_stats(str(stats_file))
    return result


# --- the driver ---------------------------------------------------------------------------------

def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


def _run_worker(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed ({' '.join(args[:1])}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def make_exports(sizes: list[int], formats: list[str], folder: Path, seed: int) -> dict[tuple[int, str], Path]:
    from tracker_desktop import demo_data

    made = {}
    for size in sizes:
        t = time.perf_counter()
        rows = demo_data.make_roll(size, seed=seed, period=(2025, 9), years=YEARS, sixth_form=True)
        line = f"  {size:>7,} rows generated in {time.perf_counter() - t:5.1f} s"
        for fmt in formats:
            path = folder / f"roll_{size}.{fmt}"
            t = time.perf_counter()
            (demo_data.write_roll_csv if fmt == "csv" else demo_data.write_roll_xlsx)(path, rows)
            line += f"; {fmt} {path.stat().st_size / 1e6:6.1f} MB in {time.perf_counter() - t:5.1f} s"
            made[(size, fmt)] = path
        print(line, flush=True)
    return made


def _run_process(args: list[str], timeout: float) -> dict:
    """Run one worker as its own process; its wall-clock and CPU seconds (user + system, the
    child's own) as measured from outside, and what it reports (its own peak memory)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = _run_worker(args, timeout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["wall"] = wall
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def _ratio(a: float, b: float) -> str:
    return f"{a / b:5.2f}x" if b else "    -"


def print_table(results: list[dict]) -> None:
    head = (f"{'rows':>7} {'fmt':4} {'kept':>7} | {'engine':>6} {'xlsxw':>6} {'ratio':>6} {'opxl':>6} {'ratio':>6} |"
            f" {'eng wall':>8} {'xw wall':>7} {'ratio':>6} | {'us/row':>6} | {'peak MB':>7} {'xlsxw':>5} {'opxl':>5}")
    print("CPU seconds of each whole process (user + system), wall clock beside; the ratios are engine / baseline")
    print(head)
    print("-" * len(head))
    for r in results:
        e, x, f = r["engine"], r["xlsxwriter"], r["floor"]
        print(f"{r['size']:>7,} {r['format']:4} {r['rows_out']:>7,} |"
              f" {e['cpu']:6.2f} {x['cpu']:6.2f} {_ratio(e['cpu'], x['cpu'])}"
              f" {f['cpu']:6.2f} {_ratio(e['cpu'], f['cpu'])} |"
              f" {e['wall']:8.2f} {x['wall']:7.2f} {_ratio(e['wall'], x['wall'])} |"
              f" {1e6 * e['cpu'] / r['size']:6.1f} | {e['peak_mb']:7.0f} {x['peak_mb']:5.0f} {f['peak_mb']:5.0f}")
    print("\nengine = tracker-desktop prepare --report; xlsxw = XlsxWriter constant_memory; opxl = openpyxl write-only;"
          "\nus/row = the engine's CPU microseconds per export row; peak MB = each process's own VmHWM.")
    sizes = {r["size"]: r for r in results if r["format"] == results[0]["format"]}
    if len(sizes) > 1:
        smallest = min(sizes)
        base = 1e6 * sizes[smallest]["engine"]["cpu"] / smallest
        print(f"us/row against {smallest:,} rows: " + "; ".join(
            f"{n:,}: {1e6 * sizes[n]['engine']['cpu'] / n / base:.2f}x" for n in sorted(sizes)))


def print_stages(results: list[dict]) -> None:
    print("\nThe engine's stages in one process (CPU seconds; imports apart), and the process's peak MB"
          " (VmHWM) once each stage is done:")
    stage_heads = " ".join(f"{s:>6}" for s in STAGES)
    peak_heads = " ".join(f"{s:>6}" for s in ("import", *PEAK_STAGES))
    print(f"{'rows':>7} {'fmt':4} | {stage_heads} | {'total':>6} {'imports':>7} | {'us/row':>6} | {peak_heads}")
    for r in results:
        st = r.get("stages")
        if st:
            c = st["cpu"]
            peaks = " ".join(f"{st.get(f'{s}_mb', 0.0):6.0f}" for s in ("imports", *PEAK_STAGES))
            print(f"{r['size']:>7,} {r['format']:4} | " + " ".join(f"{c[s]:6.2f}" for s in STAGES)
                  + f" | {c['total']:6.2f} {c['imports']:7.2f} | {1e6 * c['total'] / r['size']:6.1f} | {peaks}")
    print("(us/row here: the stages' CPU microseconds per export row)")


def print_targets(results: list[dict]) -> None:
    print("\nTargets")
    for r in results:
        e, x = r["engine"], r["xlsxwriter"]
        if r["size"] == BIG:
            ratio, wall_ratio = e["cpu"] / x["cpu"], e["wall"] / x["wall"]
            print(f"  {BIG:,} rows {r['format']} with --report: {e['cpu']:.1f} CPU s = {ratio:.2f}x XlsxWriter"
                  f" ({wall_ratio:.2f}x wall clock; target <= {TARGET_RATIO:.1f}x)"
                  f" {'MET' if ratio <= TARGET_RATIO else 'MISSED'};"
                  f" peak {e['peak_mb']:.0f} MB (target <= {TARGET_MB} MB)"
                  f" {'MET' if e['peak_mb'] <= TARGET_MB else 'MISSED'}")
    by_size = {r["size"]: r for r in results if r["format"] == results[0]["format"]}
    if MIDDLE in by_size and LARGEST in by_size:
        mid = by_size[MIDDLE]["engine"]["cpu"] / MIDDLE
        big = by_size[LARGEST]["engine"]["cpu"] / LARGEST
        growth = big / mid - 1
        print(f"  us/row at {LARGEST:,}: {1e6 * big:.1f} against {1e6 * mid:.1f} at {MIDDLE:,} = {100 * growth:+.0f}%"
              f" (target within {100 * TARGET_GROWTH:.0f}%) {'MET' if growth <= TARGET_GROWTH else 'MISSED'}")
    else:
        print(f"  (the growth target needs --sizes to include {MIDDLE} and {LARGEST})")
    if BIG not in by_size:
        print(f"  (the {BIG:,}-row targets need --sizes to include {BIG})")


def print_profile(stats_file: Path, top: int) -> None:
    import pstats

    stats = pstats.Stats(str(stats_file))
    total = stats.total_tt
    rows = []
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append((tt, ct, nc, filename, line, name))

    def where(filename: str, line: int, name: str) -> str:
        marker = f"{os.sep}tracker_desktop{os.sep}"
        if marker in filename:
            short = "tracker_desktop/" + filename.split(marker, 1)[1]
        elif "site-packages" in filename:
            short = filename.split("site-packages" + os.sep, 1)[1]
        else:
            short = os.path.basename(filename)
        return f"{short}:{line} {name}"

    print(f"\nProfile: {total:.2f} s under cProfile (cProfile slows Python code, so read shares, not seconds)")
    print(f"\nTop {top} by own time (tottime):")
    print(f"  {'own s':>7} {'own %':>6} {'cum s':>7} {'calls':>9}  function")
    for tt, ct, nc, filename, line, name in sorted(rows, reverse=True)[:top]:
        print(f"  {tt:7.2f} {100 * tt / total:5.1f}% {ct:7.2f} {nc:9,}  {where(filename, line, name)}")
    print("\nTracker Desktop functions by cumulative time:")
    print(f"  {'cum s':>7} {'cum %':>6} {'own s':>7} {'calls':>9}  function")
    ours = [r for r in rows if f"{os.sep}tracker_desktop{os.sep}" in r[3]]
    for tt, ct, nc, filename, line, name in sorted(ours, key=lambda r: -r[1])[:top]:
        print(f"  {ct:7.2f} {100 * ct / total:5.1f}% {tt:7.2f} {nc:9,}  {where(filename, line, name)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated row counts (default {DEFAULT_SIZES})")
    parser.add_argument("--formats", default="csv", help="csv, xlsx or both (default csv)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="keep the exports and outputs here (default: a temporary folder)")
    parser.add_argument("--stages", action="store_true", help="also time the engine's stages in one process")
    parser.add_argument("--profile", action="store_true", help="also profile the engine with cProfile on one size")
    parser.add_argument("--profile-size", type=int, help="the size to profile (default 20000 if run, else the first)")
    parser.add_argument("--top", type=int, default=25, help="how many functions the profile lists")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one run may take")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rows-out", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        workers = {"engine": lambda: worker_engine(args.input, args.out),
                   "cli": lambda: worker_cli(args.input, args.out),
                   "xlsxwriter": lambda: worker_xlsxwriter(args.input, args.out, args.rows_out, args.stats),
                   "floor": lambda: worker_floor(args.input, args.out, args.rows_out),
                   "profile": lambda: worker_profile(args.input, args.out, args.stats)}
        print(json.dumps(workers[args.worker]()))
        return 0

    sizes = [int(s.replace("_", "").replace(",", "")) for s in args.sizes.split(",") if s.strip()]
    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    if not sizes or any(f not in ("csv", "xlsx") for f in formats):
        parser.error("--sizes needs row counts and --formats csv and/or xlsx")
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Tracker Desktop engine benchmark: {RETURN_ID}, period {PERIOD}, as of {AS_OF};"
              f" Python {sys.version.split()[0]}")
        print(f"Exports in {folder}; load average {_load()} (other work on the machine slows the wall-clock figures)")
        exports = make_exports(sizes, formats, folder, args.seed)  # before any worker: they do not inherit its memory
        sheet_file = folder / "template_sheet.json"
        sheet_file.write_text(json.dumps(_template_sheet()))
        results = []
        for size in sizes:
            for fmt in formats:
                out = folder / f"out_{size}_{fmt}"
                out.mkdir(exist_ok=True)
                given = ["--input", str(exports[(size, fmt)]), "--out", str(out)]
                engine = _run_process(["cli", *given], args.timeout)
                rows_out = json.loads((out / "report.json").read_bytes())["rows"]
                xlsxw = _run_process(["xlsxwriter", *given, "--rows-out", str(rows_out), "--stats", str(sheet_file)],
                                     args.timeout)
                floor = _run_process(["floor", *given, "--rows-out", str(rows_out)], args.timeout)
                result = {"size": size, "format": fmt, "rows_out": rows_out, "engine": engine, "xlsxwriter": xlsxw,
                          "floor": floor}
                if args.stages:
                    result["stages"] = _run_worker(["engine", *given], args.timeout)
                results.append(result)
                print(f"  {size:>7,} {fmt:4}: engine {engine['cpu']:6.2f} CPU s, XlsxWriter {xlsxw['cpu']:6.2f},"
                      f" openpyxl {floor['cpu']:6.2f}; peak {engine['peak_mb']:.0f} MB", flush=True)
        print(f"\nload average now {_load()}\n")
        print_table(results)
        if args.stages:
            print_stages(results)
        print_targets(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        if args.profile:
            size = args.profile_size or (20000 if 20000 in sizes else sizes[0])
            fmt = formats[0]
            if (size, fmt) not in exports:
                exports.update(make_exports([size], [fmt], folder, args.seed))
            stats = folder / f"profile_{size}_{fmt}.pstats"
            out = folder / f"out_{size}_{fmt}"
            out.mkdir(exist_ok=True)
            _run_worker(["profile", "--input", str(exports[(size, fmt)]), "--out", str(out), "--stats", str(stats)],
                        args.timeout)
            print(f"\n=== cProfile of the engine on {size:,} rows ({fmt}) ===")
            print_profile(stats, args.top)
            if args.folder:
                print(f"\n(stats kept in {stats}: python -m pstats {stats})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How fast the engine prepares a big return, stage by stage, against the floor. A script, not a test.

    python benchmarks/bench_engine.py                      # 2k, 20k and 100k rows, CSV and xlsx
    python benchmarks/bench_engine.py --sizes 2000,20000   # fewer
    python benchmarks/bench_engine.py --sizes 20000 --formats csv --profile   # and where the time goes

For each size it writes a fictional sixth-form roll (tracker_desktop.demo_data, mostly Years 12-13,
with the course columns) as CSV (UTF-8 with BOM) and as xlsx (telephone numbers stored as numbers),
then prepares `school-post16-enrolment` from it (period 2025-09, as of 2025-09-12), which keeps
most rows, timing each stage as `Preparation.start` + `save` run them:

    read    read_export (decode, sniff, find the header row)      readers.py
    map     propose_mapping                                       mapping.py
    build   Preparation.build: clean + scope + check, and counts  preparation.py, cleaning.py, scope.py, rules.py
    write   Preparation.save: write_return + write_atomic         writer.py, files.py

The functions are wrapped where `preparation` calls them, so the run is the command line's own.
`setup` is the rest of `Preparation.start`: loading the definition and reading the template;
`total` is setup + read + map + build + write (the interpreter's imports are shown apart).

The FLOOR is the least any tool must do: read the export with the csv module or calamine and
write the same number of rows x template columns into the template's sheet with openpyxl
write-only, with no mapping, cleaning or checks. Each run is its own process; `peak MB` is that
process's peak resident memory (VmHWM, imports included). Wall-clock and CPU seconds are both
shown: on a busy machine the CPU figures are the steadier.

Targets: 100k rows end to end within 1.5x the floor and under 600 MB; 2k rows under 1 s.
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
TARGET_RATIO = 1.5
TARGET_MB = 600
TARGET_SMALL_S = 1.0
SMALL = 2000
BIG = 100_000
STAGES = ("setup", "read", "map", "build", "write")


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

    from tracker_desktop.core.preparing import preparation

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

    preparation.read_export = timed("read", preparation.read_export)
    preparation.propose_mapping = timed("map", preparation.propose_mapping)
    preparation.Preparation.build = timed("build", preparation.Preparation.build)

    prep = preparation.Preparation.start(RETURN_ID, export, school=SCHOOL, period=PERIOD, as_of=AS_OF)
    counts = timed("build", prep.counts)()  # what the command line prints after preparing
    clock.lap("start")
    written = prep.save(out_dir, force=True)
    clock.lap("write")

    # setup: what start does besides reading, matching and building (definitions, the template)
    for times, measured in ((clock.wall, wall), (clock.cpu, cpu)):
        times.update(measured)
        times["setup"] = times.pop("start") - sum(measured.values())
        times["total"] = sum(times[s] for s in STAGES)
    return {"times": clock.wall, "cpu": clock.cpu, "rows_in": len(prep.table.rows), "rows_out": len(prep.learners),
            "columns": len(prep.columns), "errors": counts["errors"], "queries": counts["queries"],
            "output_bytes": written.stat().st_size, "peak_mb": _peak_mb(), "imports_mb": rss_after_imports,
            "read_mb": marks.get("read", 0.0), "build_mb": marks.get("build", 0.0)}


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


def print_table(results: list[dict]) -> None:
    head = (f"{'rows':>7} {'fmt':4} {'kept':>7} | {'setup':>6} {'read':>6} {'map':>6} {'build':>6} {'write':>6} |"
            f" {'total':>6} {'floor':>6} {'ratio':>6} | {'cpu tot':>7} {'cpu fl':>6} {'ratio':>6} | {'peak MB':>7} {'floor':>5} | {'imports':>7}")
    print(head)
    print("-" * len(head))
    for r in results:
        e, f = r["engine"], r["floor"]
        t, c = e["times"], e["cpu"]
        print(f"{e['rows_in']:>7,} {r['format']:4} {e['rows_out']:>7,} |"
              + "".join(f" {t[s]:6.2f}" for s in STAGES)
              + f" | {t['total']:6.2f} {f['times']['total']:6.2f} {t['total'] / f['times']['total']:5.2f}x"
              + f" | {c['total']:7.2f} {f['cpu']['total']:6.2f} {c['total'] / f['cpu']['total']:5.2f}x"
              + f" | {e['peak_mb']:7.0f} {f['peak_mb']:5.0f} | {t['imports']:7.2f}")
    print("\nSeconds, wall clock (stages) and CPU (cpu tot, cpu fl). total = setup+read+map+build+write, imports apart;")
    print("floor = plain csv/calamine read + openpyxl write-only of the same rows x template columns. peak MB = the process's VmHWM.")
    print("Floor read / write: " + "; ".join(
        f"{r['engine']['rows_in']:,} {r['format']}: {r['floor']['times']['read']:.2f} / {r['floor']['times']['write']:.2f}" for r in results))
    print("Engine memory after imports / read / build / write (MB): " + "; ".join(
        f"{r['engine']['rows_in']:,} {r['format']}: {r['engine']['imports_mb']:.0f} / {r['engine']['read_mb']:.0f} / "
        f"{r['engine']['build_mb']:.0f} / {r['engine']['peak_mb']:.0f}" for r in results))
    print("Problems found (errors/queries): " + "; ".join(
        f"{r['engine']['rows_in']:,} {r['format']}: {r['engine']['errors']}/{r['engine']['queries']}" for r in results))


def print_targets(results: list[dict]) -> None:
    print("\nTargets")
    for r in results:
        e, f = r["engine"], r["floor"]
        label = f"{e['rows_in']:,} rows {r['format']}"
        if e["rows_in"] >= BIG:
            ratio = e["times"]["total"] / f["times"]["total"]
            cpu_ratio = e["cpu"]["total"] / f["cpu"]["total"]
            print(f"  {label}: end to end {e['times']['total']:.1f} s = {ratio:.2f}x the floor, {cpu_ratio:.2f}x in CPU time"
                  f" (target <= {TARGET_RATIO}x) {'MET' if max(ratio, cpu_ratio) <= TARGET_RATIO else 'MISSED'};"
                  f" peak {e['peak_mb']:.0f} MB (target < {TARGET_MB} MB) {'MET' if e['peak_mb'] < TARGET_MB else 'MISSED'}")
        if e["rows_in"] <= SMALL:
            total = e["times"]["total"]
            print(f"  {label}: {total:.2f} s (target < {TARGET_SMALL_S:.0f} s) {'MET' if total < TARGET_SMALL_S else 'MISSED'}"
                  f"; with the interpreter's imports {total + e['times']['imports']:.2f} s")
    if not any(r["engine"]["rows_in"] >= BIG for r in results):
        print(f"  (the {BIG:,}-row targets need --sizes to include {BIG})")


def print_profile(stats_file: Path, top: int) -> None:
    import pstats

    stats = pstats.Stats(str(stats_file))
    total = stats.total_tt
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
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
    print(f"\nTracker Desktop functions by cumulative time:")
    print(f"  {'cum s':>7} {'cum %':>6} {'own s':>7} {'calls':>9}  function")
    ours = [r for r in rows if f"{os.sep}tracker_desktop{os.sep}" in r[3]]
    for tt, ct, nc, filename, line, name in sorted(ours, key=lambda r: -r[1])[:top]:
        print(f"  {ct:7.2f} {100 * ct / total:5.1f}% {tt:7.2f} {nc:9,}  {where(filename, line, name)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000", help="comma-separated row counts (default 2000,20000,100000)")
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or both (default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="keep the exports and outputs here (default: a temporary folder)")
    parser.add_argument("--profile", action="store_true", help="also profile the engine with cProfile on the first size (or --profile-size)")
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
        if args.worker == "engine":
            result = worker_engine(args.input, args.out)
        elif args.worker == "floor":
            result = worker_floor(args.input, args.out, args.rows_out)
        else:
            result = worker_profile(args.input, args.out, args.stats)
        print(json.dumps(result))
        return 0

    sizes = [int(s.replace("_", "").replace(",", "")) for s in args.sizes.split(",") if s.strip()]
    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    if not sizes or any(f not in ("csv", "xlsx") for f in formats):
        parser.error("--sizes needs row counts and --formats csv and/or xlsx")
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Tracker Desktop engine benchmark: {RETURN_ID}, period {PERIOD}, as of {AS_OF}; Python {sys.version.split()[0]}")
        print(f"Exports in {folder}; load average {_load()} (other work on the machine slows the wall-clock figures)")
        exports = make_exports(sizes, formats, folder, args.seed)  # before any worker: they do not inherit its memory
        results = []
        for size in sizes:
            for fmt in formats:
                out = folder / f"out_{size}_{fmt}"
                out.mkdir(exist_ok=True)
                engine = _run_worker(["engine", "--input", str(exports[(size, fmt)]), "--out", str(out)], args.timeout)
                floor = _run_worker(["floor", "--input", str(exports[(size, fmt)]), "--out", str(out),
                                     "--rows-out", str(engine["rows_out"])], args.timeout)
                results.append({"size": size, "format": fmt, "engine": engine, "floor": floor})
                print(f"  {size:>7,} {fmt:4}: engine {engine['times']['total']:6.2f} s, floor {floor['times']['total']:6.2f} s,"
                      f" peak {engine['peak_mb']:.0f} MB", flush=True)
        print(f"\nload average now {_load()}\n")
        print_table(results)
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
            _run_worker(["profile", "--input", str(exports[(size, fmt)]), "--out", str(out), "--stats", str(stats)], args.timeout)
            print(f"\n=== cProfile of the engine on {size:,} rows ({fmt}) ===")
            print_profile(stats, args.top)
            if args.folder:
                print(f"\n(stats kept in {stats}: python -m pstats {stats})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bundle size and cold start of the one-folder build, against the targets in issue 5.

    python benchmarks/bench_bundle.py                 # build into a temporary folder, then measure
    python benchmarks/bench_bundle.py --bundle build/dist/TrackerDesktop --runs 7

Size: every file in the folder, in MB (10^6 bytes), with the largest parts listed.
Cold start: from starting the process to the main window ("Tracker Desktop") being mapped,
found by polling xdotool every few milliseconds; the median of --runs fresh processes (files in
the page cache after the first run, as when staff open the app a second time). --drop-caches
(root only; it empties the whole machine's page cache) makes every run read from disk, as the
first start after booting the PC. On Linux it uses the X display in $DISPLAY or starts its own
Xvfb.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "tracker-desktop.spec"
EXE = ".exe" if sys.platform == "win32" else ""
TITLE = "Tracker Desktop"
TARGET_START_S = 1.0
TARGET_SIZE_MB = 120.0


def build(dest: Path) -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dest / "dist"), "--workpath", str(dest / "work"), str(SPEC)]
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    print(f"built in {time.perf_counter() - started:.0f} s")
    return dest / "dist" / "TrackerDesktop"


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def largest(folder: Path, count: int = 10) -> list[tuple[float, str]]:
    internal = folder / "_internal"
    parts = []
    for child in list(folder.iterdir()) + (list(internal.iterdir()) if internal.is_dir() else []):
        if child == internal:
            continue
        size = child.stat().st_size if child.is_file() else size_mb(child) * 1e6
        parts.append((size / 1e6, str(child.relative_to(folder))))
    return sorted(parts, reverse=True)[:count]


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def time_to_window(exe: Path, env: dict[str, str], timeout: float = 30.0) -> float:
    xdotool = shutil.which("xdotool")
    started = time.perf_counter()
    app = subprocess.Popen([str(exe)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            found = subprocess.run([xdotool, "search", "--onlyvisible", "--name", TITLE], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            if found.returncode == 0:
                return elapsed
            if app.poll() is not None:
                raise RuntimeError(f"the app exited ({app.returncode}): {app.stderr.read().decode()[-2000:]}")
            if elapsed > timeout:
                raise RuntimeError(f"no window within {timeout:.0f} s")
            time.sleep(0.003)
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def time_cli(exe: Path, env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(exe), "--version"], env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def with_display(env: dict[str, str]):
    """(env, Xvfb process or None): the current display, or a new Xvfb."""
    if env.get("DISPLAY") or sys.platform != "linux":
        return env, None
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        return env, None
    for number in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    proc = subprocess.Popen([xvfb, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        time.sleep(0.05)
    return {**env, "DISPLAY": f":{number}"}, proc


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER TARGET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="an already built one-folder bundle (default: build one now)")
    parser.add_argument("--runs", type=int, default=5, help="starts to take the median of (default 5)")
    parser.add_argument("--drop-caches", action="store_true",
                        help="empty the page cache before each start (root; slows the whole machine briefly)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        if args.bundle:
            folder = args.bundle.resolve()
        else:
            try:
                import PyInstaller  # noqa: F401
            except ImportError:
                print("PyInstaller is not installed (pip install pyinstaller), and no --bundle was given.")
                return 2
            folder = build(scratch)
        app, cli = folder / f"TrackerDesktop{EXE}", folder / f"tracker-desktop{EXE}"

        size = size_mb(folder)
        print(f"\nbundle: {folder}")
        print(f"{'bundle size':28} {size:8.1f} MB   target < {TARGET_SIZE_MB:.0f} MB"
              f"   {verdict(size < TARGET_SIZE_MB)}")
        for mb, name in largest(folder):
            print(f"    {mb:6.1f} MB  {name}")

        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env["TRACKER_DESKTOP_SETTINGS_DIR"] = str(scratch / "settings")
        print(f"{'CLI start (--version)':28} {time_cli(cli, env, args.runs):8.3f} s    (median of {args.runs})")

        env, xvfb = with_display(env)
        try:
            if not shutil.which("xdotool") or not env.get("DISPLAY"):
                print("cold start to window: skipped (needs an X display or Xvfb, and xdotool)")
                return 0
            dropped = args.drop_caches and drop_page_cache()
            first = time_to_window(app, env)
            times = [first]
            for _ in range(args.runs - 1):
                if args.drop_caches:
                    dropped = drop_page_cache() and dropped
                times.append(time_to_window(app, env))
            median = statistics.median(times)
            if args.drop_caches and not dropped:
                print("(could not empty the page cache: not root, or not allowed here)")
            cache = "page cache emptied before each run" if dropped else "files cached after the first run"
            print(f"{'cold start to main window':28} {median:8.3f} s    target < {TARGET_START_S:.1f} s     "
                  f"{verdict(median < TARGET_START_S)}   (median of {len(times)}; {cache})")
            print(f"{'  first run':28} {first:8.3f} s")
            print(f"{'  all runs':28} " + " ".join(f"{t:.3f}" for t in times))
        finally:
            if xvfb:
                xvfb.terminate()
                xvfb.wait()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

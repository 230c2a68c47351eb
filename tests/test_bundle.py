"""The one-folder bundle (build/tracker-desktop.spec): build it, run its doctor, open its window.

The tests of the built bundle are slow (a PyInstaller build takes about half a minute): marked
`slow`, run by `make test` and CI, and skipped when PyInstaller is not installed in the
environment running the tests. The checks of the build files themselves are quick.
"""
from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "tracker-desktop.spec"
EXE = ".exe" if sys.platform == "win32" else ""
APP, CLI = f"TrackerDesktop{EXE}", f"tracker-desktop{EXE}"
WINDOW_TITLE = "Tracker Desktop"
MAX_SIZE_MB = 120
NOT_BUNDLED = ("numpy", "pandas", "PIL", "pytest", "_pytest", "hypothesis", "stdnum", "tkinter.test", "unittest",
               "phonenumbers.geodata", "phonenumbers.carrierdata", "setuptools", "pip")


slow = pytest.mark.slow


def _has_pyinstaller() -> bool:
    return importlib.util.find_spec("PyInstaller") is not None


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Build the bundle once for this module; the folder holding both executables."""
    if not _has_pyinstaller():
        pytest.skip("PyInstaller is not installed: pip install pyinstaller (needed to build the bundle)")
    out = tmp_path_factory.mktemp("bundle")
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(SPEC)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=480)
    assert done.returncode == 0, f"PyInstaller failed:\n{done.stderr[-4000:]}"
    folder = out / "dist" / "TrackerDesktop"
    assert folder.is_dir()
    return folder


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["TRACKER_DESKTOP_SETTINGS_DIR"] = str(tmp_path / "settings")
    return env


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def _bundled_modules(folder: Path) -> set[str]:
    """Module names in the bundle's archive, from the build's table of contents."""
    toc = folder.parent.parent / "work" / "tracker-desktop" / "PYZ-00.toc"
    entries = ast.literal_eval(toc.read_text(encoding="utf-8"))
    names = {e[0] for e in entries[-1] if isinstance(e, tuple)} if isinstance(entries, tuple) else set()
    if not names:  # layout of the toc file differs between PyInstaller versions
        names = {e[0] for e in entries if isinstance(e, tuple)}
    return names


@slow
def test_bundle_has_both_programs_the_data_and_not_the_unused_libraries(bundle):
    assert (bundle / APP).is_file() and (bundle / CLI).is_file()
    internal = bundle / "_internal"
    for part in ("templates/school-joiners.xlsx", "templates/school-joiners.json", "templates/codes.json",
                 "templates/columns.json", "assets/wordlist.txt", "assets/icon.png", "assets/demo/demo_roll.csv"):
        assert (internal / part).is_file(), f"{part} is not bundled"
    assert any((internal / "sv_ttk").rglob("*.tcl")), "sv-ttk's theme files are not bundled"
    modules = _bundled_modules(bundle)
    assert "tracker_desktop.gui.app" in modules and "tracker_desktop.doctor" in modules
    assert "phonenumbers.data.region_GB" in modules and "holidays.countries.united_kingdom" in modules
    unwanted = sorted(m for m in modules for name in NOT_BUNDLED if m == name or m.startswith(name + "."))
    assert not unwanted, f"bundled though unused: {unwanted[:10]}"
    size = _size_mb(bundle)
    assert size < MAX_SIZE_MB, f"the bundle is {size:.0f} MB, over {MAX_SIZE_MB} MB"


@slow
def test_bundle_version(bundle, clean_env):
    from tracker_desktop import __version__

    done = subprocess.run([str(bundle / CLI), "--version"], capture_output=True, text=True, env=clean_env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"tracker-desktop {__version__}"


@slow
def test_bundle_doctor_passes_every_part(bundle, clean_env):
    done = subprocess.run([str(bundle / CLI), "doctor"], capture_output=True, text=True, env=clean_env, timeout=180,
                          encoding="utf-8")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert not [ln for ln in lines if ln.startswith("FAIL")], done.stdout
    for part in ("read CSV Windows-1252", "read Excel xlsx", "write return", "encrypt and decrypt", "GUI toolkit",
                 "desktop app", "offline"):
        assert any(ln.startswith(f"OK  {part}") for ln in lines), f"no OK line for {part}:\n{done.stdout}"


@slow
def test_bundle_opens_its_main_window(bundle, clean_env):
    if not sys.platform.startswith("linux"):
        pytest.skip("the window is found with xdotool, on Linux under Xvfb")
    if not clean_env.get("DISPLAY"):
        pytest.skip("no X display (run under Xvfb: pytest-xvfb or xvfb-run)")
    xdotool = shutil.which("xdotool")
    if not xdotool:
        pytest.skip("xdotool is not installed (apt-get install xdotool)")
    started = time.monotonic()
    app = subprocess.Popen([str(bundle / APP)], env=clean_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        found = subprocess.run([xdotool, "search", "--sync", "--onlyvisible", "--name", WINDOW_TITLE],
                               capture_output=True, text=True, env=clean_env, timeout=60)
        elapsed = time.monotonic() - started
        if app.poll() is not None:
            pytest.fail(f"the app exited ({app.returncode}) before its window was "
                        f"found:\n{app.stderr.read().decode()[-3000:]}")
        assert found.returncode == 0 and found.stdout.strip(), found.stderr
        name = subprocess.run([xdotool, "getwindowname", found.stdout.split()[0]], capture_output=True, text=True,
                              env=clean_env, timeout=10).stdout
        assert WINDOW_TITLE in name
        assert elapsed < 30
    except subprocess.TimeoutExpired:
        pytest.fail("no window titled 'Tracker Desktop' was mapped within 60 s")
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def test_version_resource_for_windows_comes_from_the_package_version():
    sys.path.insert(0, str(ROOT / "build"))
    try:
        import version_info
    finally:
        sys.path.remove(str(ROOT / "build"))
    from tracker_desktop import __version__

    assert version_info.read_version(ROOT / "tracker_desktop" / "__init__.py") == __version__
    assert version_info.version_tuple("1.2.3") == (1, 2, 3, 0)
    assert version_info.version_tuple("2.0rc1") == (2, 0, 0, 0)
    assert version_info.version_tuple("0.1.0+local.5") == (0, 1, 0, 0)
    text = version_info.version_file_text(__version__, "TrackerDesktop", "Tracker Desktop")
    assert f"StringStruct('ProductVersion', '{__version__}')" in text
    assert f"filevers={version_info.version_tuple(__version__)}" in text
    # PyInstaller evaluates the file as a Python expression: it must parse, with these names only.
    tree = ast.parse(text, mode="eval")
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert called == {"VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
                      "VarFileInfo", "VarStruct"}


def test_installer_is_per_user_and_installs_the_built_folder():
    iss = (ROOT / "build" / "installer.iss").read_text(encoding="utf-8")
    setup = iss.split("[Setup]", 1)[1].split("\n[", 1)[0]
    values = dict(line.split("=", 1) for line in setup.splitlines() if "=" in line and not line.startswith(";"))
    assert values["PrivilegesRequired"] == "lowest"
    assert values["DefaultDirName"].startswith("{localappdata}\\Programs\\")
    # The installer takes what the spec builds: the folder COLLECT(name=APP_NAME) and its app.
    spec = SPEC.read_text(encoding="utf-8")
    assert 'APP_NAME = "TrackerDesktop"' in spec and 'CLI_NAME = "tracker-desktop"' in spec
    assert 'Source: "dist\\TrackerDesktop\\*"' in iss and '#define AppExe "TrackerDesktop.exe"' in iss
    icon = ROOT / "assets" / "icon.ico"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # a Windows icon file
    assert (ROOT / "assets" / "icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

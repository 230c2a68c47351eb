#!/usr/bin/env bash
# Build the one-folder bundle on Linux, check it with its own doctor, and pack it.
#
#   build/build_linux.sh            # uses .venv/bin/python if there is one, else python3
#   PYTHON=/path/to/python build/build_linux.sh
#
# Result: build/dist/TrackerDesktop/ (TrackerDesktop = the app, tracker-desktop = the command
# line) and build/dist/TrackerDesktop-<version>-linux-<arch>.tar.gz.
# Needs: PyInstaller in that Python (installed here if missing), binutils (objdump, strip), and
# Python built with its shared library (libpython3.X.so; Debian: libpython3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi

"$PY" -c 'import tracker_desktop' 2>/dev/null || "$PY" -m pip install -q -e .
"$PY" -c 'import PyInstaller' 2>/dev/null || "$PY" -m pip install -q "pyinstaller>=6.10,<7"

VERSION="$("$PY" -c 'import sys; sys.path.insert(0, "build"); from version_info import read_version; print(read_version("tracker_desktop/__init__.py"))')"
echo "Building Tracker Desktop $VERSION with $("$PY" -m PyInstaller --version 2>/dev/null | tail -1)"

rm -rf build/dist/TrackerDesktop
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath build/dist --workpath build/work build/tracker-desktop.spec

BUNDLE=build/dist/TrackerDesktop
echo "Checking the bundle:"
"$BUNDLE/tracker-desktop" --version
SETTINGS="$(mktemp -d)"  # the doctor checks a settings folder can be written: not the builder's own
trap 'rm -rf "$SETTINGS"' EXIT
TRACKER_DESKTOP_SETTINGS_DIR="$SETTINGS" "$BUNDLE/tracker-desktop" doctor

ARCHIVE="build/dist/TrackerDesktop-$VERSION-linux-$(uname -m).tar.gz"
tar -C build/dist -czf "$ARCHIVE" TrackerDesktop
echo "Bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)); archive: $ARCHIVE"

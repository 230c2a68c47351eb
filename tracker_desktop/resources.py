"""Where bundled files (templates, assets) live, from source and in the frozen app alike."""
from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    # PyInstaller unpacks data beside the executable and points sys._MEIPASS at it.
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)

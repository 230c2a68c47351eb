"""Dropping an export file on the window opens it. Uses tkdnd (shipped for Windows, macOS and
Linux inside the tkinterdnd2 package); where it cannot load, the app simply works without it."""
from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

EXPORT_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".xml"}


def enable_drop(root: tk.Tk, on_files: Callable[[list[Path]], object]) -> bool:
    """Make the whole window a drop target for files; False when the platform has no tkdnd."""
    try:
        from tkinterdnd2.TkinterDnD import _require

        _require(root)
    except Exception as e:  # no tkdnd for this platform: dropping is a convenience, not a need
        logging.getLogger(__name__).info("drag and drop not available: %s", type(e).__name__)
        return False

    def dropped(action: str, data: str) -> str:
        on_files([Path(p) for p in root.tk.splitlist(data)])
        return action  # tkdnd takes the script's result as the action done

    command = root.register(dropped)
    path = str(root)  # the window's Tk path name (".")
    root.tk.call("tkdnd::drop_target", "register", path, "DND_Files")
    root.tk.call("bind", path, "<<Drop>>", f"{command} %A %D")
    return True

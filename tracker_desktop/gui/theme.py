"""Colours, fonts and the sv-ttk theme in one place, so the grid, the problems panel and the
tests agree on what "red" and "amber" are."""
from __future__ import annotations

import sys
import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk

# Cell fills in the review grid. Pale enough that black text stays readable on every one.
ERROR_BG = "#f6b3b3"  # red: must be fixed before sending
QUERY_BG = "#ffd98a"  # amber: look at it, may stand
CLEANED_BG = "#dcebfa"  # blue tint: the tool changed the export's value
MANDATORY_HEADER_BG = "#ffc000"  # as KCC's templates mark mandatory columns
OPTIONAL_HEADER_BG = "#e7e6e6"
SELECTED_FG = "#000000"
ADVICE_BG = "#fff3cd"
OVERDUE_FG = "#b00020"
DONE_FG = "#1b7a35"

_fonts: list = []

SEVERITY_BG = {"error": ERROR_BG, "query": QUERY_BG, "cleaned": CLEANED_BG}


def make_dpi_aware() -> None:
    """Crisp text on Windows high-DPI screens (otherwise Windows scales a blurry bitmap)."""
    if sys.platform != "win32":
        return
    try:
        import ctypes

        ctypes.windll.shcore.SetProcessDpiAwareness(1)
    except Exception:  # older Windows: blurry but working
        pass


def apply_theme(root: tk.Misc) -> None:
    """sv-ttk light theme; sizes follow the system font so text scales with the user's settings."""
    try:
        import sv_ttk

        sv_ttk.set_theme("light", root._root())  # sv-ttk wants the Tk root, not a Toplevel
    except Exception:  # a missing theme must not stop an office from sending its return
        pass
    base = tkfont.nametofont("TkDefaultFont", root)
    size = abs(base.actual("size")) or 10
    for name, extra, weight in (("Title.TLabel", 6, "bold"), ("Heading.TLabel", 2, "bold"), ("Muted.TLabel", 0, "normal")):
        font = tkfont.Font(root, family=base.actual("family"), size=size + extra, weight=weight)
        _fonts.append(font)  # keep a reference: Tk forgets fonts Python garbage-collects
        ttk.Style(root).configure(name, font=font)
    ttk.Style(root).configure("Muted.TLabel", foreground="#5f5f5f")
    ttk.Style(root).configure("Error.TLabel", foreground="#b00020")
    # A pale panel for advice that must not be missed (the TEP password) and for a nil return.
    ttk.Style(root).configure("Advice.TFrame", background=ADVICE_BG)
    ttk.Style(root).configure("Advice.TLabel", background=ADVICE_BG, foreground="#3d3000")



def font(widget: tk.Misc, extra: int = 0, weight: str = "normal") -> tkfont.Font:
    """The system font, `extra` points larger, kept alive here (Tk forgets collected fonts)."""
    base = tkfont.nametofont("TkDefaultFont", widget)
    made = tkfont.Font(widget, family=base.actual("family"), size=(abs(base.actual("size")) or 10) + extra, weight=weight)
    _fonts.append(made)
    return made


def bold_font(widget: tk.Misc) -> tkfont.Font:
    return font(widget, 0, "bold")

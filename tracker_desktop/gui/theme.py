"""Colours, fonts and the sv-ttk theme in one place, so the grid, the problems panel and the
tests agree on what "red" and "amber" are."""
from __future__ import annotations

import sys
import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk
from typing import Literal

Weight = Literal["normal", "bold"]

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
FOCUS_RING = "#005fb8"  # sv-ttk's own accent blue
FOCUSED_ROW_BG = "#cce4f7"  # the chosen row of a list that has the keyboard focus

# Widgets that show a focus ring (see _focus_rings): the ones a keyboard user Tabs between.
RINGED = ("TButton", "Accent.TButton", "TEntry", "TCombobox", "TCheckbutton", "TRadiobutton")
RING_WIDTH = 2  # pixels of ring ...
RING_GAP = 1  # ... and of gap between it and the widget, so it shows round a blue button too

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

        # sv-ttk wants the Tk root, not a Toplevel. Misc._root() is tkinter's own, missing from its type stubs.
        sv_ttk.set_theme("light", root._root())  # type: ignore[attr-defined]
    except Exception:  # a missing theme must not stop an office from sending its return
        pass
    base = tkfont.nametofont("TkDefaultFont", root)
    size = abs(base.actual("size")) or 10
    label_fonts: tuple[tuple[str, int, Weight], ...] = (
        ("Title.TLabel", 6, "bold"), ("Heading.TLabel", 2, "bold"), ("Muted.TLabel", 0, "normal"))
    for name, extra, weight in label_fonts:
        font = tkfont.Font(root, family=base.actual("family"), size=size + extra, weight=weight)
        _fonts.append(font)  # keep a reference: Tk forgets fonts Python garbage-collects
        ttk.Style(root).configure(name, font=font)
    ttk.Style(root).configure("Muted.TLabel", foreground="#5f5f5f")
    ttk.Style(root).configure("Error.TLabel", foreground="#b00020")
    # A pale panel for advice that must not be missed (the TEP password) and for a nil return.
    ttk.Style(root).configure("Advice.TFrame", background=ADVICE_BG)
    ttk.Style(root).configure("Advice.TLabel", background=ADVICE_BG, foreground="#3d3000")
    _focus_rings(root)


def _focus_rings(root: tk.Misc) -> None:
    """A clear 2-pixel accent ring round the widget that has the keyboard focus. sv-ttk shows focus
    only as a slightly darker 1-pixel border (buttons) or a thin underline (entries), which is
    easy to lose on a busy screen. The ring is an image element wrapped round each widget's own
    layout; without focus it is transparent, so nothing moves when the focus does."""
    style = ttk.Style(root)
    if "Ring.focus" not in style.element_names():
        edge = RING_WIDTH + RING_GAP
        size = 2 * edge + 2
        tk_root = root._root()  # type: ignore[attr-defined]  # tkinter's own Misc._root(): missing from the stubs
        ring = tk.PhotoImage(master=tk_root, width=size, height=size)
        blank = tk.PhotoImage(master=tk_root, width=size, height=size)
        for x in range(size):
            for y in range(size):
                inner = min(x, y, size - 1 - x, size - 1 - y)
                corner = (x in (0, size - 1)) and (y in (0, size - 1))  # a softer, rounded look
                if inner < RING_WIDTH and not corner:
                    ring.put(FOCUS_RING, (x, y))
                else:
                    ring.transparency_set(x, y, True)
                blank.transparency_set(x, y, True)
        _fonts.extend((ring, blank))  # keep references: Tk drops images Python collects
        style.element_create("Ring.focus", "image", blank, ("focus", ring), border=edge, sticky="nsew")
    for name in RINGED:
        layout = style.layout(name)
        if layout and layout[0][0] != "Ring.focus":
            style.layout(name, [("Ring.focus", {"sticky": "nswe", "children": layout})])
    # A list with the keyboard focus shows its chosen row in blue (sv-ttk's pale grey is the same
    # with or without focus, so arrow keys seemed to do nothing). Tagged rows keep their colour.
    style.map("Treeview", background=[("selected", "focus", FOCUSED_ROW_BG), ("selected", "#e7e7e7")],
              foreground=[("selected", "#191919")])
    # The ring's room comes out of the buttons' own padding (sv-ttk: 8 2 8 3), so a row of
    # buttons takes no more width than before and the review's toolbar still fits 1280 pixels.
    for name in ("TButton", "Accent.TButton"):
        style.configure(name, padding=(8 - RING_WIDTH - RING_GAP, 1, 8 - RING_WIDTH - RING_GAP, 2))


def font(widget: tk.Misc, extra: int = 0, weight: Weight = "normal") -> tkfont.Font:
    """The system font, `extra` points larger, kept alive here (Tk forgets collected fonts)."""
    base = tkfont.nametofont("TkDefaultFont", widget)
    size = (abs(base.actual("size")) or 10) + extra
    made = tkfont.Font(widget, family=base.actual("family"), size=size, weight=weight)
    _fonts.append(made)
    return made


def bold_font(widget: tk.Misc) -> tkfont.Font:
    return font(widget, 0, "bold")


def elide(widget: tk.Misc, text: str, width: int, font_name: str = "TkDefaultFont") -> str:
    """The text as it fits in `width` pixels, ending in an ellipsis when it is cut: a list's
    cell (Treeview) clips mid-letter otherwise, and a clipped name looks like the whole name."""
    if not text or width <= 0:
        return text
    measure = tkfont.nametofont(font_name, widget).measure
    if measure(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest start that fits with the ellipsis
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"

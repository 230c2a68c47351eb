"""The main window fits the screen it opens on: maximised on a laptop-sized screen, else a
comfortable size in the middle of the work area (the screen less the taskbar); a size and place
the user left it at is used again while it still fits that screen."""
from __future__ import annotations

import re
import sys
import tkinter as tk

MIN_SIZE = (800, 480)  # a 1024x600 screen less the taskbar and title bar leaves about 1024x530
COMFORTABLE = (1280, 800)
DIALOG_MARGIN = 120  # a dialog's title bar and buttons, and some of the window behind it
ZOOMED = "zoomed"
_GEOMETRY = re.compile(r"^(\d+)x(\d+)([+-]-?\d+)([+-]-?\d+)$")

Area = tuple[int, int, int, int]  # x, y, width, height


def work_area(root: tk.Misc) -> Area:
    """The part of the screen windows may use: on Windows the screen less the taskbar."""
    if sys.platform == "win32":
        try:
            import ctypes
            from ctypes import wintypes

            rect = wintypes.RECT()
            if ctypes.windll.user32.SystemParametersInfoW(48, 0, ctypes.byref(rect), 0):  # SPI_GETWORKAREA
                return rect.left, rect.top, rect.right - rect.left, rect.bottom - rect.top
        except (AttributeError, OSError):
            pass
    return 0, 0, root.winfo_screenwidth(), root.winfo_screenheight()


def choose_geometry(remembered: str, area: Area) -> str:
    """The geometry to open with: the remembered one if it is still wholly on this work area,
    maximised when the area is no bigger than a laptop's, else COMFORTABLE centred."""
    x0, y0, width, height = area
    if remembered == ZOOMED:
        return ZOOMED
    m = _GEOMETRY.match(remembered or "")
    if m:
        w, h, x, y = (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)))
        big_enough = MIN_SIZE[0] <= w and MIN_SIZE[1] <= h
        if big_enough and x0 <= x and y0 <= y and x + w <= x0 + width and y + h <= y0 + height:
            return f"{w}x{h}+{x}+{y}"
    if width <= COMFORTABLE[0] + 160 or height <= COMFORTABLE[1] + 100:
        return ZOOMED
    w, h = COMFORTABLE
    return f"{w}x{h}+{x0 + (width - w) // 2}+{y0 + (height - h) // 3}"


def fit_window(root: tk.Tk, remembered: str = "") -> str:
    """Size and place the main window; returns what was chosen."""
    area = work_area(root)
    chosen = choose_geometry(remembered, area)
    if chosen == ZOOMED:
        x0, y0, width, height = area
        # Sized to the work area first: where maximising is not understood the window still fits.
        root.geometry(f"{width}x{height}+{x0}+{y0}")
        _zoom(root)
    else:
        root.geometry(chosen)
    return chosen


def _zoom(root: tk.Tk) -> None:
    try:
        root.state("zoomed")  # Windows and macOS
    except tk.TclError:
        try:
            root.attributes("-zoomed", True)  # X11 window managers
        except tk.TclError:
            pass


def window_geometry(root: tk.Tk) -> str:
    """What to remember of the window: maximised, or its size and place."""
    try:
        if root.state() == "zoomed" or bool(root.attributes("-zoomed")):
            return ZOOMED
    except tk.TclError:
        pass
    return root.wm_geometry()


def place_on_screen(window: tk.Toplevel, over: tk.Misc) -> None:
    """Put a secondary window over the main one, no bigger than the work area and wholly on it
    (its content then gives up room: a window's expanding part shrinks, its buttons stay)."""
    window.update_idletasks()
    x0, y0, width, height = work_area(window)
    w = min(window.winfo_reqwidth(), width - 16)
    h = min(window.winfo_reqheight(), height - 48)  # less its title bar
    x = over.winfo_rootx() + max((over.winfo_width() - w) // 2, 0)
    y = over.winfo_rooty() + max((over.winfo_height() - h) // 3, 0)
    x = max(x0, min(x, x0 + width - w))
    y = max(y0, min(y, y0 + height - h - 40))
    if (w, h) != (window.winfo_reqwidth(), window.winfo_reqheight()):
        window.geometry(f"{w}x{h}+{x}+{y}")
    else:
        window.geometry(f"+{x}+{y}")

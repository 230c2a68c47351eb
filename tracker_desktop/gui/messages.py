"""Every message box goes through `ask`, so tests replace one function instead of clicking
through modal dialogs (modal grabs hang under Xvfb), and unexpected exceptions are logged here.

The log holds the exception type and where in the code it happened, never the exception's text:
that text can quote a cell value (a name, a UPN), and the log must hold no personal data.
"""
from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from tkinter import messagebox
from typing import Any

from tracker_desktop.core.errors import UserError

# kind: "error" | "warning" | "info" | "yesno" | "yesnocancel" | "okcancel" | "savecancel".
# Returns True/False/None; "savecancel" (Save / Don't save / Cancel) gives True = save,
# False = don't save, None = cancel, like "yesnocancel".
Asker = Callable[[str, str, str], "bool | None"]


def _tk_ask(kind: str, title: str, message: str, parent=None, default: str | None = None) -> bool | None:
    """default: the button Enter presses ("yes", "no", "ok", "cancel"); None for Tk's usual."""
    # Tk checks `default` names one of the box's own buttons; the stubs want each box's literals.
    options: dict[str, Any] = {"default": default} if default else {}
    if kind == "error":
        messagebox.showerror(title, message, parent=parent)
        return None
    if kind == "warning":
        messagebox.showwarning(title, message, parent=parent)
        return None
    if kind == "info":
        messagebox.showinfo(title, message, parent=parent)
        return None
    if kind == "yesno":
        return messagebox.askyesno(title, message, parent=parent, **options)
    if kind == "okcancel":
        return messagebox.askokcancel(title, message, parent=parent, **options)
    if kind == "yesnocancel":
        return messagebox.askyesnocancel(title, message, parent=parent, **options)
    if kind == "savecancel":
        from tracker_desktop.gui.question import SaveQuestion

        return SaveQuestion(parent, title, message, default=default or "save").answer
    raise ValueError(kind)


_asker: Callable[..., bool | None] = _tk_ask


def set_asker(func: Callable[..., bool | None] | None) -> None:
    """Tests install a function (kind, title, message, parent=None, default=None) -> answer (default
    is passed only when a question asks for one); None restores Tk's."""
    global _asker
    _asker = func or _tk_ask


def ask(kind: str, title: str, message: str, parent=None, default: str | None = None) -> bool | None:
    """default: which button Enter presses, e.g. "no" where yes would overwrite a file."""
    if default is None:
        return _asker(kind, title, message, parent=parent)
    return _asker(kind, title, message, parent=parent, default=default)


def ask_save(message: str, parent=None, title: str = "Tracker Desktop") -> bool | None:
    """Leaving a return with changes: True = save first, False = leave without saving, None =
    stay. Save is what Enter presses, Escape is Cancel: the answer that loses nothing."""
    return ask("savecancel", title, message, parent, default="save")


def error(message: str, parent=None, title: str = "Tracker Desktop") -> None:
    ask("error", title, message, parent)


def info(message: str, parent=None, title: str = "Tracker Desktop") -> None:
    ask("info", title, message, parent)


# --- unexpected failures --------------------------------------------------------------------------

def log_path() -> Path:
    from tracker_desktop.core.settings import log_dir

    return log_dir() / "tracker-desktop.log"


def log_exception(exc: BaseException) -> Path | None:
    """Log type and code locations only; returns the log file, or None if even that failed."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frames = traceback.extract_tb(exc.__traceback__)
        lines = [f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {type(exc).__module__}.{type(exc).__qualname__}"]
        lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
        from tracker_desktop import __version__

        lines.append(f"  tracker-desktop {__version__}")
        with open(path, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return path
    except OSError:
        logging.getLogger(__name__).exception("could not write the error log")
        return None


def report(exc: BaseException, parent=None, doing: str = "") -> None:
    """Show a failure: a UserError as its plain message; anything else logged, with where."""
    if isinstance(exc, UserError):
        error(str(exc), parent)
        return
    where = log_exception(exc)
    what = f"Something went wrong{(' while ' + doing) if doing else ''}. Nothing has been sent or overwritten."
    if where and _asker is _tk_ask:
        # The log's path in a box of its own, selectable and with a Copy button: in a message
        # box a long path wraps in the middle of a folder name and cannot be copied.
        from tracker_desktop.gui.question import FailureMessage

        FailureMessage(parent, "Tracker Desktop", what, where)
        return
    if where:
        what += (f"\n\nThe details (no personal data) are in:\n{where}\n"
                 "Please send that file to whoever supports Tracker Desktop.")
    error(what, parent)

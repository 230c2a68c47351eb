"""Saving files safely: a temporary file beside the target, then a rename, so a crash or a full
disk never leaves a half-written return, and an existing file is never silently replaced.

The one way this program puts a file on disk (returns, encrypted TEP sheets, drafts, reports).
The temporary file is named `.saving-*.tmp` and is locked while it is written; one left behind
by a run that was killed (power cut, Task Manager) is unlocked, and the next save into that
folder removes it.
"""
from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from tracker_desktop.core.errors import UserError

SAVING_PREFIX, SAVING_SUFFIX = ".saving-", ".tmp"
_WINDOWS = sys.platform == "win32"


class OutputExists(UserError):
    pass


class CannotWrite(UserError):
    pass


def _exists_message(path: Path) -> str:
    return (f"{path.name} already exists in {path.parent}. "
            "Choose another folder, or replace it on purpose (--force).")


def refuse_existing(path: Path) -> None:
    """An existing file is never replaced silently: say so before any work is done."""
    if path.exists():
        raise OutputExists(_exists_message(path))


# What is saved: the bytes, or a function writing them into the open temporary file (a report or a
# workbook streamed as it is made, so it is never whole in memory; the file beside the target is the
# only place it goes, as for any save).
Content = bytes | Callable[[BinaryIO], object]


def write_workbook(path: Path, data: Content, force: bool = False,
                   before_move: Callable[[], object] | None = None) -> Path:
    """Save a workbook after reading it back: a workbook that does not parse is never saved.

    `data` is the workbook's bytes, read back before any file is made, or a function writing
    it into the save's temporary file (a county's return streamed as it is made, never whole in
    memory); that file is then read back from the disk, every part parsed, before it is moved
    into place. `before_move` runs once the workbook is on the disk, before it is moved: what it
    raises stops the save with nothing written (the disk space left for what comes next)."""
    from tracker_desktop.core.writing.verify import check_workbook

    name = Path(path).name
    if not callable(data):
        check_workbook(data, name)

    def check(tmp: str) -> None:
        if callable(data):
            check_workbook(Path(tmp), name)
        if before_move is not None:
            before_move()

    return write_atomic(path, data, force=force, check=check)


def write_atomic(path: Path, data: Content, force: bool = False, check: Callable[[str], object] | None = None) -> Path:
    """Save `data` through a locked temporary file beside `path`, flushed to the disk, then moved
    into place; `check` (given the temporary file's path) runs before the move, and what it
    raises leaves nothing written."""
    path = Path(path)
    if not force:
        refuse_existing(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=SAVING_PREFIX, suffix=SAVING_SUFFIX, dir=path.parent)
    except PermissionError:
        raise CannotWrite(f"You do not have permission to save in {path.parent}. Choose another folder.") from None
    except OSError as e:
        raise CannotWrite(f"Cannot save in {path.parent}: {e.strerror or e}.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            _lock(f.fileno())  # held until closed: tells remove_stale this file is still being written
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if check is not None:
                check(tmp)
            if not _WINDOWS:  # moved while still locked; Windows cannot rename an open file
                _move_into_place(tmp, path, force)
        if _WINDOWS:
            _move_into_place(tmp, path, force)
    except OutputExists:
        _remove(tmp)
        raise
    except PermissionError:
        _remove(tmp)
        raise CannotWrite(f"{path.name} could not be saved: it may be open in Excel. "
                          "Close it and save again.") from None
    except OSError as e:
        _remove(tmp)
        if getattr(e, "errno", None) == errno.ENOSPC:
            raise CannotWrite(f"{path.name} could not be saved: the disk is full. "
                              "Free some space and save again.") from None
        raise CannotWrite(f"{path.name} could not be saved: {e.strerror or e}.") from None
    except BaseException:
        _remove(tmp)
        raise
    return path


def remove_stale(folder: Path) -> list[Path]:
    """Remove the `.saving-*.tmp` files a killed save left in folder; the ones removed.

    A save in progress (this program, another window) holds a lock on its file (POSIX) or has it
    open, which Windows does not let anyone delete: those are left alone."""
    removed: list[Path] = []
    try:
        names = [e.name for e in os.scandir(folder)
                 if e.name.startswith(SAVING_PREFIX) and e.name.endswith(SAVING_SUFFIX)]
    except OSError:
        return removed
    for name in names:
        stale = Path(folder) / name
        if _is_abandoned(stale):
            try:
                stale.unlink()
                removed.append(stale)
            except OSError:
                pass
    return removed


def _is_abandoned(path: Path) -> bool:
    if _WINDOWS:
        return True  # the unlink itself fails while its writer has it open
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing releases the probe's own lock


def _lock(fd: int) -> None:
    if _WINDOWS:
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _move_into_place(tmp: str, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    # A hard link fails if the name exists, so a file that appeared since the check above is
    # still never replaced; where links are not supported, fall back to a checked rename.
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExists(_exists_message(path)) from None
    except OSError:
        if path.exists():
            raise OutputExists(_exists_message(path)) from None
        os.replace(tmp, path)
        return
    _remove(tmp)


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass

"""Saving files safely: a temporary file beside the target, then a rename, so a crash or a full
disk never leaves a half-written return, and an existing file is never silently replaced."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tracker_desktop.core.errors import UserError


class OutputExists(UserError):
    pass


class CannotWrite(UserError):
    pass


def refuse_existing(path: Path) -> None:
    """An existing file is never replaced silently: say so before any work is done."""
    if path.exists():
        raise OutputExists(f"{path.name} already exists in {path.parent}. Choose another folder, or replace it on purpose (--force).")


def write_atomic(path: Path, data: bytes, force: bool = False) -> Path:
    path = Path(path)
    if not force:
        refuse_existing(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".saving-", suffix=".tmp", dir=path.parent)
    except PermissionError:
        raise CannotWrite(f"You do not have permission to save in {path.parent}. Choose another folder.") from None
    except OSError as e:
        raise CannotWrite(f"Cannot save in {path.parent}: {e.strerror or e}.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _move_into_place(tmp, path, force)
    except OutputExists:
        _remove(tmp)
        raise
    except PermissionError:
        _remove(tmp)
        raise CannotWrite(f"{path.name} could not be saved: it may be open in Excel. Close it and save again.") from None
    except OSError as e:
        _remove(tmp)
        if getattr(e, "errno", None) == 28:
            raise CannotWrite(f"{path.name} could not be saved: the disk is full. Free some space and save again.") from None
        raise CannotWrite(f"{path.name} could not be saved: {e.strerror or e}.") from None
    except BaseException:
        _remove(tmp)
        raise
    return path


def _move_into_place(tmp: str, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    # A hard link fails if the name exists, so a file that appeared since the check above is
    # still never replaced; where links are not supported, fall back to a checked rename.
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExists(f"{path.name} already exists in {path.parent}. Choose another folder, or replace it on purpose (--force).") from None
    except OSError:
        if path.exists():
            raise OutputExists(f"{path.name} already exists in {path.parent}. Choose another folder, or replace it on purpose (--force).") from None
        os.replace(tmp, path)
        return
    _remove(tmp)


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass

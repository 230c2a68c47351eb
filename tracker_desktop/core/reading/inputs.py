"""Reading any file the user hands in (export, template, column matching, workbook to check,
TEP's workbook) with bounded work: only an ordinary file below a size limit is read.

A device (/dev/zero), a named pipe or a symlink to either would otherwise be read without end
or block for ever; a huge file would fill memory. Each refusal is one sentence naming the file.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from tracker_desktop.core.errors import UserError

MB = 1024 * 1024
# A whole-school roll of 3,000 pupils with 200 columns is about 5 MB as CSV; a CTF with every
# pupil's history a few tens of MB. Ten times that is still an export; more is not.
MAX_INPUT_BYTES = 200 * MB
MAX_MAPPING_BYTES = 2 * MB  # a column matching is a few kilobytes of JSON


def read_input(path: Path, limit: int = MAX_INPUT_BYTES, error: type[UserError] = UserError,
               what: str = "the file") -> bytes:
    """The bytes of an ordinary file of at most `limit` bytes, or `error` with one plain sentence."""
    path = Path(path)
    name = path.name or str(path)
    try:
        info = os.stat(path)  # follows a symlink: what it points at is what would be read
    except FileNotFoundError:
        raise error(f"{name}: {what} does not exist (looked in {path.parent}).") from None
    except OSError as e:
        raise error(f"{name}: {what} cannot be read ({e.strerror or e}).") from None
    except ValueError:  # a NUL in the name: no file can be called that
        raise error(f"{name!r} is not a file name (it holds a character no file name can).") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{name} is a folder, not a file: choose the file inside it.")
    not_a_file = (f"{name} is not an ordinary file (it is a device, a pipe or a socket): "
                  "save it as a file and choose that file.")
    if not stat.S_ISREG(info.st_mode):
        raise error(not_a_file)
    if info.st_size > limit:
        raise error(f"{name} is too big to be {what} ({_size(info.st_size)}; at most {_size(limit)} is read): "
                    "check it is the right file.")
    try:
        # O_NONBLOCK: if the path was swapped for a pipe since the check, opening it cannot hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise error(f"{name}: the file cannot be opened - it may be open in Excel or you may not have permission. "
                    "Close it and try again.") from None
    except OSError as e:
        raise error(f"{name}: {what} cannot be read ({e.strerror or e}).") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error(not_a_file)
        with os.fdopen(fd, "rb", closefd=False) as f:
            # as much as the file holds (a read of limit + 1 bytes would set aside 200 MB for a
            # 5 MB export), then the rest of one that grows while read (or /proc, size 0), up to
            # the limit: it still stops there
            data = f.read(min(info.st_size, limit) + 1)
            if len(data) > info.st_size:
                data += f.read(limit + 1 - len(data))
    except OSError as e:
        raise error(f"{name}: {what} cannot be read ({e.strerror or e}).") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise error(f"{name} is too big to be {what} (more than {_size(limit)}): check it is the right file.")
    return data


def _size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n:,} bytes"

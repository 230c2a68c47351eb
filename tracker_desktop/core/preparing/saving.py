"""Saving a prepared return with what goes with it (the JSON report, the history line, TEP's
e-mail draft), in the order that keeps the promises of the exit codes.

Everything that can fail is checked first: a file that must not be replaced, a folder that
cannot be written, a disk too full for all of it. Only then is the return written (streamed into
its save's temporary file beside it; a TEP sheet is built and encrypted in memory), and the room
for the report and history is checked again before it is moved into place; from that moment the
result says so, whatever fails afterwards. A report
or history that cannot be saved after the return is written is one sentence in `afterwards`,
never "nothing was written", and a TEP sheet's passphrase is always handed back to be shown.
"""
from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.memory import collection_paused
from tracker_desktop.core.writing import encryption as protection
from tracker_desktop.core.writing.files import CannotWrite, OutputExists, write_atomic, write_workbook

_SPARE_BYTES = 1 << 20  # room for the file system's own bookkeeping


@dataclass
class Saved:
    output: Path  # the return (for TEP, the encrypted sheet): always written when there is a Saved
    draft: Path | None = None
    report: Path | None = None
    password: str | None = None  # TEP: the sheet's password, to be shown to the user
    afterwards: list[str] = field(default_factory=list)  # what failed after the return was written


_BATCH = 2000  # list entries encoded at once: few calls into the C encoder, little held at a time
# json's C encoder (no indent): the pure-Python one, which indent needs, builds millions of
# small strings for a county's report. One list entry's worth of pieces at a time goes to the file.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def report_bytes(prep, output: Path | None) -> bytes:
    """The whole report in memory (small returns, tests); saving streams it (`write_report`)."""
    buffer = io.BytesIO()
    stream_report(buffer, prep.report_sections(output))
    return buffer.getvalue()


def stream_report(out: BinaryIO, sections: list[tuple[str, object]]) -> None:
    """Write the report's JSON to `out` section by section, a list's entries in batches, one
    batch a line: the same JSON as the report's dict, never all of it in memory at once."""
    encode = _ENCODER.encode
    out.write(b"{")
    for n, (key, value) in enumerate(sections):
        out.write(((",\n" if n else "\n") + encode(key) + ": ").encode("utf-8"))
        if not isinstance(value, Iterator):
            out.write(encode(value).encode("utf-8"))
            continue
        out.write(b"[")
        first = True
        while batch := list(islice(value, _BATCH)):
            out.write(((",\n" if not first else "\n") + encode(batch)[1:-1]).encode("utf-8"))
            first = False
        out.write(b"]" if first else b"\n]")
    out.write(b"\n}\n")


def report_size(prep) -> int:
    """About how many bytes the report takes, for the free-space check made before anything is
    written (the report is encoded only as it is written): generous, from the counts."""
    fixes = sum(len(learner.fixes) for learner in prep.learners)
    return 64_000 + 80 * len(prep.learners) + 200 * len(prep.left_out) + 400 * fixes + 600 * len(prep.problems)


def write_report(path: Path, prep, output: Path | None) -> Path:
    """Save the report, streamed into the save's own temporary file beside `path`, then moved."""
    with collection_paused():
        return write_atomic(Path(path), lambda f: stream_report(f, prep.report_sections(output)), force=True)


def check_targets(targets: list[tuple[Path, bool, int]]) -> None:
    """Raise, before anything is written, if any of (path, may replace, size) cannot be saved."""
    needed: dict[int, tuple[Path, int]] = {}
    for path, replace, size in targets:
        if path.is_dir():
            raise CannotWrite(f"{path} is a folder: give a file name to save to.")
        if path.exists() and not replace:
            raise OutputExists(f"{path.name} already exists in {path.parent}. Choose another folder, "
                               "or replace it on purpose (--force).")
        folder = _existing_ancestor(path.parent)
        if folder is None or not folder.is_dir():
            raise CannotWrite(f"Cannot save {path.name}: {path.parent} is not a folder that can be made.")
        if not os.access(folder, os.W_OK):
            raise CannotWrite(f"You do not have permission to save in {folder}. Choose another folder.")
        device = folder.stat().st_dev
        needed[device] = (folder, needed.get(device, (folder, 0))[1] + size)
    for folder, size in needed.values():
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue
        if free < size + _SPARE_BYTES:
            raise CannotWrite(f"The disk holding {folder} is full ({free // 1024:,} KB free, {size // 1024 + 1:,} KB "
                              "needed). Free some space and save again; nothing was written.")


def _existing_ancestor(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return None


def save_return(prep, folder: Path, force: bool = False, report: Path | None = None,
                history: Path | None = None) -> Saved:
    """Save an ordinary return, then its report and history line. Raises (nothing written) or
    returns a Saved whose `afterwards` lists what could not be saved once the return was."""
    output = Path(folder) / prep.output_name
    if not force and output.exists():
        raise OutputExists(f"{output.name} already exists in {output.parent}. Choose another folder, "
                           "or replace it on purpose (--force).")  # before the seconds building takes
    after = ([(Path(report), True, report_size(prep))] if report else []) \
        + ([(Path(history) / "history", True, 4096)] if history else [])
    check_targets([(output, force, workbook_size(prep))] + after)
    # Checked again once the workbook is on the disk (its room taken), before it is moved into
    # place: a disk too full for the report or history still leaves nothing written.
    save_workbook(prep, output, force=force, before_move=lambda: check_targets([(output, force, 0)] + after))
    saved = Saved(output)
    _afterwards(saved, prep, report, history)
    return saved


def workbook_size(prep) -> int:
    """About how many bytes the workbook takes, for the free-space check made before it is
    written (it is streamed into its file, so its size is known only once written). A disk that
    fills all the same fails the save cleanly, nothing written (write_atomic)."""
    return 2 * len(prep.template.data) + 200 * len(prep.learners)


def save_workbook(prep, output: Path, force: bool = False, before_move: Callable[[], object] | None = None) -> Path:
    """Write the return's workbook straight into the save's temporary file beside `output` (never
    the system temp folder), read it back from the disk, then move it into place: a county's
    workbook is never whole in memory. (An encrypted sheet is not saved this way: its plain
    workbook stays in memory, see save_tep_return.)"""
    from tracker_desktop.core.writing.workbook import write_return_into

    def write(f: BinaryIO) -> None:
        # counted, not listed first: each row is made as it is written
        write_return_into(f, prep.template, prep.definition, prep.rows_for_writing(), len(prep.learners))

    with collection_paused():
        return write_workbook(Path(output), write, force=force, before_move=before_move)


def save_tep_return(prep, folder: Path, password: str, force: bool = False, report: Path | None = None,
                    history: Path | None = None, draft: bool = True, school_name: str = "") -> Saved:
    """Encrypt and save a TEP sheet, then its e-mail draft, report and history line.

    The draft, report and disk space are all checked before the encrypted sheet is written; a
    Saved (with the password) comes back whenever the sheet was written."""
    from tracker_desktop.core.routine.email_draft import tep_draft

    if not password:
        raise UserError("A TEP sheet is always saved encrypted: give a password (or let Tracker Desktop make one).")
    protection.check_password(password)
    output = Path(folder) / prep.output_name
    eml = output.with_suffix(".eml")
    for path in (output, eml) if not force else ():
        if path.exists():
            raise OutputExists(f"{path.name} already exists in {path.parent}. Choose another folder, "
                               "or replace it on purpose (--force).")
    encrypted = protection.encrypt(prep.workbook_bytes(), password, output.name)
    eml_data = tep_draft(output, prep.definition.title, school_name, prep.sender.code, data=encrypted) if draft else b""
    check_targets([(output, force, len(encrypted))] + ([(eml, force, len(eml_data))] if draft else [])
                  + ([(Path(report), True, report_size(prep))] if report else [])
                  + ([(Path(history) / "history", True, 4096)] if history else []))
    write_atomic(output, encrypted, force=force)  # OutputExists: the one every save raises
    saved = Saved(output, password=password)
    if draft:
        _step(saved, f"The e-mail draft {eml.name} could not be saved",
              lambda: setattr(saved, "draft", write_atomic(eml, eml_data, force=force)))
    if history and saved.draft:
        from tracker_desktop.core.routine.history import DRAFT, record

        # the draft names the sheet: recorded so that clearing out old returns removes it too
        _step(saved, "The history of prepared returns was not updated",
              lambda: record(history, prep, eml, kind=DRAFT))
    _afterwards(saved, prep, report, history)
    return saved


def _afterwards(saved: Saved, prep, report: Path | None, history: Path | None) -> None:
    if report:
        _step(saved, f"The report {Path(report).name} could not be saved",
              lambda: setattr(saved, "report", write_report(Path(report), prep, saved.output)))
    if history:
        from tracker_desktop.core.routine.history import record

        _step(saved, "The history of prepared returns was not updated", lambda: record(history, prep, saved.output))


def _step(saved: Saved, failed: str, action: Callable[[], object]) -> None:
    """Run one step after the return is written: a failure is recorded, never raised."""
    try:
        action()
    except UserError as e:
        saved.afterwards.append(f"{failed}: {e}")
    except OSError as e:
        saved.afterwards.append(f"{failed}: {e.strerror or e}.")
    except KeyboardInterrupt:  # the return is written: its result (and password) must still be shown
        saved.afterwards.append(f"{failed}: stopped before it was saved.")
    except Exception as e:  # noqa: BLE001 - the return is written; say what was not, never lose that
        saved.afterwards.append(f"{failed} ({type(e).__name__}).")

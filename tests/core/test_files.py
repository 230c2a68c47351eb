"""Saving atomically: a temporary file and a rename; an existing return is never silently replaced."""
from __future__ import annotations

import os

import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.writing import files
from tracker_desktop.core.writing.files import CannotWrite, OutputExists, write_atomic


def test_writes_and_leaves_no_temporary_file(tmp_path):
    path = write_atomic(tmp_path / "out" / "return.xlsx", b"data")
    assert path.read_bytes() == b"data"
    assert os.listdir(tmp_path / "out") == ["return.xlsx"]


def test_refuses_an_existing_file_without_force(tmp_path):
    path = tmp_path / "return.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(OutputExists) as e:
        write_atomic(path, b"new")
    assert isinstance(e.value, UserError)
    assert "return.xlsx" in str(e.value) and "--force" in str(e.value)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["return.xlsx"]


def test_force_replaces(tmp_path):
    path = tmp_path / "return.xlsx"
    path.write_bytes(b"old")
    write_atomic(path, b"new", force=True)
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["return.xlsx"]


def test_failed_rename_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch):
    path = tmp_path / "return.xlsx"
    path.write_bytes(b"old")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(CannotWrite) as e:
        write_atomic(path, b"new", force=True)
    assert "disk is full" in str(e.value)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["return.xlsx"]


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def fail(fd):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(CannotWrite):
        write_atomic(tmp_path / "return.xlsx", b"new")
    assert os.listdir(tmp_path) == []


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def stop(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", stop)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "return.xlsx", b"new")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_folder_without_permission(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CannotWrite):
            write_atomic(folder / "return.xlsx", b"x")
    finally:
        folder.chmod(0o700)


def test_folder_is_a_file(tmp_path):
    (tmp_path / "notafolder").write_bytes(b"")
    with pytest.raises(CannotWrite):
        write_atomic(tmp_path / "notafolder" / "return.xlsx", b"x")


def test_preparation_save_refuses_an_existing_return(tmp_path):
    from tests.conftest import make_upn
    from tracker_desktop.core.preparing.preparation import Preparation

    export = tmp_path / "roll.csv"
    export.write_text(f"UPN,Surname,Year\n{make_upn('886412309001')},Smith,11\n")
    prep = Preparation.start("school-intended-destinations", export, school="8864123", period="2025-01",
                             as_of="2025-01-20")
    out = tmp_path / "out"
    path = prep.save(out)
    assert path == out / "8864123SchoolIntendedDestinations2024-25.xlsx"
    first = path.read_bytes()
    with pytest.raises(OutputExists):
        prep.save(out)
    assert path.read_bytes() == first
    assert prep.save(out, force=True) == path
    assert sorted(os.listdir(out)) == [path.name]


def test_a_file_appearing_after_the_check_is_still_not_replaced(tmp_path, monkeypatch):
    from tracker_desktop.core.writing import files

    target = tmp_path / "return.xlsx"
    real_exists = type(target).exists

    def exists_then_someone_else_writes(self):  # the race: checked, then another program saves
        result = real_exists(self)
        if self == target and not result:
            target.write_bytes(b"theirs")
        return result

    monkeypatch.setattr(type(target), "exists", exists_then_someone_else_writes)
    with pytest.raises(files.OutputExists):
        files.write_atomic(target, b"ours")
    monkeypatch.undo()
    assert target.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["return.xlsx"]

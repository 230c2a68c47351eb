"""TEP sheets in the app, on the samples: TEP's encrypted workbook opened with its password (a wrong
one said plainly, and asked again), the sheet filled and reviewed in the grid, saved encrypted with
a password shown once, an e-mail draft beside it without the password, and no plain copy."""
from __future__ import annotations

import email
import os
from pathlib import Path

import pytest

from tests.gui.conftest import SAMPLES, expected_cases, wait_idle
from tests.gui.test_flow import fills, type_into
from tracker_desktop.core.writing import encryption as protection
from tracker_desktop.gui import theme

pytestmark = pytest.mark.gui

CASE = "tep_leavers_2024-tep"


def open_tep(app, password_attempts=("Maple-Harbour-42",), prepopulated: Path | None = None):
    """Through the Prepare dialog as a user does; returns the dialog's problem texts on the way."""
    case = expected_cases()[CASE]
    dialog = app.open_dialog("tep-leaver-destinations")
    assert dialog.is_tep and dialog.tep_entry.winfo_manager() == "grid", "TEP's workbook is asked for"
    assert dialog.password_entry.winfo_manager() == "grid" and str(dialog.password_entry.cget("state")) == "disabled", \
        "the password row is there from the start (nothing moves later), usable once the workbook is known"
    dialog.tep_workbook.set(str(prepopulated or SAMPLES / case["prepopulated"]))
    assert dialog.encrypted and str(dialog.password_entry.cget("state")) == "normal", \
        "an encrypted workbook asks its password"
    assert dialog.password_entry.cget("show") == "•", "the password is masked"
    dialog.export.set(str(SAMPLES / case["input"]))
    dialog.as_of.set(case["as_of"])
    dialog.period.set("2024-10")  # the academic year 2024-25, as the sample is
    said = []
    for attempt in password_attempts:
        dialog.password.set(attempt)
        dialog.ok()
        said.append(dialog.problem.cget("text") if dialog.winfo_exists() else "")
    result = dialog.take_result()
    assert result is not None and dialog.result is None
    app.open_export(**result)
    result.clear()
    wait_idle(app)
    assert app.current is app.review
    return case, said


def test_wrong_password_is_said_plainly_and_asked_again(make_app):
    app = make_app()
    case, said = open_tep(app, ("not-the-password", "Maple-Harbour-42"))
    assert "does not open" in said[0] and case["prepopulated"] in said[0] and "again" in said[0]
    assert said[1] == ""
    assert len(app.prep.learners) == case["rows"]


def test_tep_review_grid(make_app):
    app = make_app()
    case, _ = open_tep(app)
    prep, grid = app.prep, app.review.grid_view
    assert app.prep.output_name == case["expected_file"]
    # TEP's rows in TEP's order, under TEP's headers.
    tep_refs = [learner.values["TEP Ref"] for learner in prep.learners]
    assert [grid.sheet.get_cell_data(r, 0) for r in range(len(prep.learners))] == tep_refs
    assert grid.sheet.headers() == prep.columns
    drawn = fills(app)
    row_of = {learner.source_row: i for i, learner in enumerate(prep.learners)}
    for expected in case["errors"]:
        cells = [(row_of[expected["source_row"]], prep.columns.index(c)) for c in expected["columns"]]
        assert any(drawn.get(cell) == theme.ERROR_BG for cell in cells), f"error {expected} is red"
    # The code column is a dropdown of NCCIS codes with labels, only those TEP's column takes.
    d = prep.columns.index("Destination Activity Code")
    values = grid.sheet.MT.get_cell_kwargs(0, d, key="dropdown")["values"]
    assert "240 - Full-time education - higher education" in values
    assert not any(v.startswith("110") for v in values), "codes the column refuses are not offered"
    # Rows the export did not match are flagged at the row number, and said in the status line.
    unmatched = sorted({p.row for p in prep.problems if p.rule == "not-matched"})
    assert unmatched and grid.flagged == set(unmatched)
    index = grid.sheet.get_highlighted_cells("index")
    assert all(index[r].bg == theme.QUERY_BG for r in unmatched)
    assert "not in export" in grid.sheet.get_index_data(unmatched[0])
    assert "not in your export" in app.review.status.cget("text")
    # Typing a destination into an unmatched row clears its red and its flag.
    r = unmatched[0]
    type_into(app, r, "Destination Activity Code", "810 - Current situation not known")
    assert prep.learners[r].values["Destination Activity Code"] == "810"
    assert fills(app).get((r, d)) != theme.ERROR_BG
    assert r in grid.flagged  # still flagged: Date Ascertained is not filled in yet
    type_into(app, r, "Date Ascertained", "07/10/2024")
    assert r not in grid.flagged and "not in export" not in grid.sheet.get_index_data(r)


def test_save_encrypted_with_password_shown_once(make_app, answers, tmp_path):
    app = make_app()
    case, _ = open_tep(app)
    save = app.save()
    assert save.ok_button.cget("text").startswith("Next: choose a password")
    out = tmp_path / "to TEP"
    save.folder.set(str(out))
    save.ok()
    dialog = app.save_to(save.result)
    # A generated passphrase is offered, shown with a Copy button and the phone advice.
    password = dialog.generated.get()
    assert len(password) >= 20 and password.count("-") >= 4
    from tracker_desktop.gui.tep_password import ADVICE

    assert "telephone" in ADVICE and "Copy" == dialog.copy_button.cget("text")
    dialog.ok()
    assert "tick the box" in dialog.problem.cget("text"), "not saved before the password is noted"
    dialog.copy_button.invoke()
    assert dialog.clipboard_get() == password
    assert dialog.noted.get()
    dialog.ok()
    assert dialog.result is True and dialog.generated.get() == ""
    taken = dialog.take_password()
    assert taken == password and dialog.take_password() is None
    answers.replies = [False]  # "open the folder?" no
    app.write_tep(out, taken)
    del taken
    wait_idle(app)
    saved = out / case["expected_file"]
    message = answers.shown[-1][2]
    assert answers.shown[-1][1] == "Saved" and "telephone TEP" in message and password not in message
    # The output opens with the password shown, and only with it.
    data = saved.read_bytes()
    assert protection.is_encrypted(data)
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(protection.decrypt(data, password)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len([r for r in rows[1:] if any(r)]) == case["rows"]
    with pytest.raises(protection.WrongPassword):
        protection.decrypt(data, "Maple-Harbour-42")
    # The e-mail draft is beside it, with the encrypted file attached and no password.
    eml = saved.with_suffix(".eml")
    raw = eml.read_bytes()
    assert password.encode() not in raw
    message = email.message_from_bytes(raw)
    assert message["To"] == "stayingintouch@theeducationpeople.org"
    attached = [p for p in message.walk() if p.get_filename() == saved.name]
    assert attached and attached[0].get_payload(decode=True) == data
    # No plain workbook anywhere in the output folder (nor a leftover temporary file).
    for path in out.rglob("*"):
        assert path.suffix in (".xlsx", ".eml"), f"unexpected file {path.name}"
        if path.suffix == ".xlsx":
            assert protection.is_encrypted(path.read_bytes()), f"{path.name} is not encrypted"
    # The password is kept nowhere: not in the app, the dialogs, the settings, the history, the logs.
    assert password not in repr(vars(app)) and password not in repr(vars(dialog))
    for var in (dialog.generated, dialog.own, dialog.confirm):
        assert var.get() == ""
    settings_dir = Path(os.environ["TRACKER_DESKTOP_SETTINGS_DIR"])
    for path in settings_dir.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), f"the password is in {path}"
    # ... and the save is in the history, so Home says it was prepared.
    from tracker_desktop.core.routine import history
    from tracker_desktop.core.settings import history_dir

    assert [e.file for e in history.entries(history_dir())] == [saved.name]
    import datetime as dt

    app.go_home()
    app.home.refresh(app.definitions, app.settings, today=dt.date(2024, 11, 5))
    text, tag = app.home.statuses["tep-leaver-destinations"]
    assert text == f"Not yet  ·  2024-25 prepared on {dt.date.today():%d %b %Y}" and tag == ""
    assert app.home.tree.item("tep-leaver-destinations", "values")[2] == text


def test_own_password_is_checked_with_the_reason(make_app, answers, tmp_path):
    app = make_app()
    open_tep(app)
    dialog = app.ask_tep_password(tmp_path)
    dialog.choice.set("own")
    dialog._choice_changed()
    assert str(dialog.own_entry.cget("state")) == "normal" and dialog.own_entry.cget("show") == "•"
    dialog.own.set("short")
    dialog.ok()
    assert "at least 12 characters" in dialog.problem.cget("text")
    dialog.own.set("mypassword123456")
    dialog.ok()
    assert "password" in dialog.problem.cget("text") and "attacker" in dialog.problem.cget("text")
    dialog.own.set("Orchard-Lantern-77")
    dialog.confirm.set("Orchard-Lantern-78")
    dialog.ok()
    assert "not the same" in dialog.problem.cget("text")
    dialog.confirm.set("Orchard-Lantern-77")
    dialog.noted.set(True)
    dialog.ok()
    assert dialog.result is True
    assert dialog.take_password() == "Orchard-Lantern-77"
    assert dialog.own.get() == "" and dialog.confirm.get() == ""


def test_existing_file_is_not_replaced_silently(make_app, answers, tmp_path):
    app = make_app()
    case, _ = open_tep(app)
    out = tmp_path / "out"
    out.mkdir()
    (out / case["expected_file"]).write_bytes(b"old")
    answers.replies = [False]  # replace? no
    app.write_tep(out, "Orchard-Lantern-77")
    wait_idle(app)
    assert "already" in answers.shown[-1][2]
    assert (out / case["expected_file"]).read_bytes() == b"old"
    assert not app.review.grid_view.locked


def _tep_password_dialog(app, tmp_path):
    save = app.save()
    save.folder.set(str(tmp_path / "to TEP"))
    save.ok()
    return app.save_to(save.result)


def test_copied_password_is_cleared_from_the_clipboard_after_the_save(make_app, answers, tmp_path):
    app = make_app()
    open_tep(app)
    dialog = _tep_password_dialog(app, tmp_path)
    password = dialog.generated.get()
    dialog.copy_button.invoke()
    assert app.master.clipboard_get() == password
    dialog.ok()
    app.copied_password = dialog.take_copied()  # what ask_tep_password does outside tests
    assert password not in repr(vars(app)), "only a fingerprint of the password is kept"
    answers.replies = [False]
    app.write_tep(tmp_path / "to TEP", dialog.take_password())
    wait_idle(app)
    assert answers.shown[-1][1] == "Saved"
    import tkinter as tk

    try:
        held = app.master.clipboard_get()
    except tk.TclError:
        held = ""
    assert held != password


def test_clipboard_is_left_alone_when_it_holds_something_else(make_app, answers, tmp_path):
    app = make_app()
    open_tep(app)
    dialog = _tep_password_dialog(app, tmp_path)
    dialog.copy_button.invoke()
    dialog.ok()
    app.copied_password = dialog.take_copied()
    app.master.clipboard_clear()
    app.master.clipboard_append("a note the user copied since")
    answers.replies = [False]
    app.write_tep(tmp_path / "to TEP", dialog.take_password())
    wait_idle(app)
    assert app.master.clipboard_get() == "a note the user copied since"


def test_cancelled_password_dialog_takes_its_password_off_the_clipboard(make_app, tmp_path):
    app = make_app()
    open_tep(app)
    dialog = _tep_password_dialog(app, tmp_path)
    password = dialog.generated.get()
    dialog.copy_button.invoke()
    assert app.master.clipboard_get() == password
    dialog.cancel()
    import tkinter as tk

    try:
        held = app.master.clipboard_get()
    except tk.TclError:
        held = ""
    assert held != password


def test_closing_the_app_takes_a_copied_password_off_the_clipboard(make_app, tmp_path, monkeypatch):
    from tracker_desktop.gui.tep_password import fingerprint

    app = make_app()
    app.master.clipboard_clear()
    app.master.clipboard_append("Maple-Harbour-Candle-Orbit-Lemon-42")
    app.copied_password = fingerprint("Maple-Harbour-Candle-Orbit-Lemon-42")
    closed = []
    monkeypatch.setattr(app.master, "destroy", lambda: closed.append(True))  # the fixture closes it
    app.quit()
    assert closed
    import tkinter as tk

    with pytest.raises(tk.TclError):
        app.master.clipboard_get()
    assert app.copied_password is None


def test_an_existing_draft_stops_the_save_with_nothing_written(make_app, answers, tmp_path):
    """The draft is checked before the sheet is encrypted and written: an .eml already there
    means no sheet, no history line, and a plain question naming the draft."""
    app = make_app()
    case, _ = open_tep(app)
    out = tmp_path / "out"
    out.mkdir()
    eml = (out / case["expected_file"]).with_suffix(".eml")
    eml.write_bytes(b"an older draft")
    answers.replies = [False]  # replace? no
    app.write_tep(out, "Orchard-Lantern-77")
    wait_idle(app)
    kind, _title, message = answers.shown[-1][:3]
    assert kind == "yesno" and eml.name in message and "Nothing was saved" in message
    assert "Traceback" not in message and "OutputExists" not in message
    assert sorted(p.name for p in out.iterdir()) == [eml.name], "the encrypted sheet was not written"
    assert eml.read_bytes() == b"an older draft"
    assert not app.review.grid_view.locked
    assert "tep-leaver-destinations" not in app.settings.prepared


def test_a_draft_failing_after_the_sheet_is_written_still_shows_the_password(make_app, answers, tmp_path,
                                                                             monkeypatch):
    """The sheet is written, then the draft cannot be (the disk filled, say): the user is told
    the sheet is saved, what failed, and the password, so the file can still be opened by TEP."""
    from tracker_desktop.core.writing import files

    app = make_app()
    case, _ = open_tep(app)
    out = tmp_path / "out"
    real = files.write_atomic

    def disk_full_for_drafts(path, data, force=False, **kw):
        if Path(path).suffix == ".eml":
            raise OSError(28, "No space left on device")
        return real(path, data, force=force, **kw)

    monkeypatch.setattr("tracker_desktop.core.preparing.saving.write_atomic", disk_full_for_drafts)
    answers.replies = [False]  # open the folder? no
    password = "Orchard-Lantern-Candle-77"
    app.write_tep(out, password)
    wait_idle(app)
    kind, title, message = answers.shown[-1][:3]
    assert title == "Saved" and case["expected_file"] in message
    assert password in message, "the sheet is written: its password must not be lost"
    assert "e-mail draft" in message and "No space left on device" in message
    saved = out / case["expected_file"]
    assert protection.decrypt(saved.read_bytes(), password)
    assert not saved.with_suffix(".eml").exists()
    assert app.settings.prepared.get("tep-leaver-destinations"), "a written sheet is remembered as prepared"
    assert password not in repr(vars(app))


def test_tep_workbook_failing_its_integrity_check_opens_with_a_plain_warning(make_app, answers, tmp_path):
    """Re-saved by a program that writes Excel's HMAC differently: the password is right, so the
    sheet opens, and the user is told in a plain message, not refused as a wrong password."""
    from tests.core.test_encrypted_input import agile_encrypt
    from tracker_desktop.core.writing.encryption import INTEGRITY_WARNING

    case = expected_cases()[CASE]
    plain = protection.decrypt((SAMPLES / case["prepopulated"]).read_bytes(), "Maple-Harbour-42")
    resaved = tmp_path / "TEP re-saved.xlsx"
    resaved.write_bytes(agile_encrypt(plain, "Maple-Harbour-42", integrity="wrong"))
    app = make_app()
    _, said = open_tep(app, prepopulated=resaved)
    assert said == [""], "the password is right: not called wrong"
    assert len(app.prep.learners) == case["rows"]
    assert ("info", "Tracker Desktop", f"TEP re-saved.xlsx: {INTEGRITY_WARNING}") in answers.shown

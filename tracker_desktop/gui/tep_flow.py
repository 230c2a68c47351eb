"""TEP sheets in the app: opening TEP's workbook with an export, and saving the filled sheet
encrypted with an e-mail draft beside it.

Passwords travel in a one-item list that is emptied as soon as the job that needs it ends, so
neither the app nor a dialog keeps one after the save (or the opening) completes. They are
never put in settings, the history or a log line; a message shows one only when the sheet was
written but its e-mail draft was not (see `saved_message`).
"""
from __future__ import annotations

from pathlib import Path

from tracker_desktop.core.errors import UserError
from tracker_desktop.gui import messages

APP_TITLE = "Tracker Desktop"


def load_tep(return_id: str, export: Path, prepopulated: Path, secret: list, sender: dict, period, as_of, remembered):
    """Worker thread: TEP's sheet filled from the export. Returns (prep, remembered matching used)."""
    from tracker_desktop.core.preparing.tep import prepare_tep

    prep = prepare_tep(return_id, export, prepopulated, secret[0], sender.get("school"), as_of=as_of, period=period,
                       remembered=remembered)
    return prep, prep.remembered


def open_tep(app, return_id: str, export: Path, prepopulated: Path | None, password: str | None, sender: dict,
             period, as_of, straight_to_review: bool) -> None:
    if prepopulated is None:
        messages.error("Choose the workbook TEP sent you as well as your MIS export (File > Prepare a return…).",
                       app.master)
        return
    secret = [password]
    remembered = app.settings.mapping_for(return_id)

    def forget(_=None):
        secret[0] = None

    def done(result):
        forget()
        app.clear_copied_password()  # used: off the clipboard, so it is never pasted by mistake
        app._opened(result, straight_to_review)
        for warning in getattr(result[0], "warnings", ()):  # e.g. opened although its integrity check failed
            messages.info(warning, app.master)

    def failed(e):
        forget()
        messages.report(e, app.master, f"reading {Path(prepopulated).name}")

    job = app.worker.run(f"Opening {Path(prepopulated).name}",
                         lambda job: load_tep(return_id, Path(export), Path(prepopulated), secret, sender, period,
                                              as_of, remembered),
                         done, failed)
    if job is None:
        forget()


def write_tep(app, folder: Path, password: str | None, force: bool = False) -> None:
    """Encrypt and save the sheet with its .eml draft and history line, through the one save the
    command line uses: the draft, the folder and the disk are checked before the sheet is written
    (so an existing draft stops the save with nothing written), and once the sheet is written the
    user is told so, with what could not be saved afterwards."""
    from tracker_desktop.core.writing.files import OutputExists

    prep = app.prep
    folder = Path(folder)
    secret = [password]
    edits = len(app.review.grid_view.undo_stack)
    settings = app.settings
    app.review.grid_view.locked = True

    def forget():
        secret[0] = None

    def work(job):
        from tracker_desktop.core.preparing.saving import save_tep_return
        from tracker_desktop.core.settings import history_dir

        # the draft is recorded in the history with the sheet (tidied up with it) by save_tep_return;
        # the password is kept until done or failed: an existing file asks "replace?" and saves again with it
        return save_tep_return(prep, folder, secret[0] or "", force=force, history=history_dir(),
                               school_name=settings.school_name)

    def failed(e):
        app.review.grid_view.locked = False
        existing = [p.name for p in _targets(prep, folder) if p.exists()]
        if isinstance(e, OutputExists) and not force and existing:
            # nothing was written: ask before replacing, naming the file(s) that are there
            named = " and ".join(existing)
            if messages.ask("yesno", APP_TITLE, f"{named} {'is' if len(existing) == 1 else 'are'} already in "
                            f"{folder}.\n\nNothing was saved. Replace {'it' if len(existing) == 1 else 'them'} "
                            "with this one?", app.master, default="no"):
                write_tep(app, folder, secret[0], force=True)
            else:
                app.clear_copied_password()  # not asked again: this password will not be used
                app.after_saved = None  # not saved: leaving the return waits no more
            forget()
            return
        forget()
        app.clear_copied_password()  # not asked again: this password will not be used
        app.after_saved = None
        messages.report(e, app.master, f"saving {prep.output_name}")

    def done(saved):
        forget()
        app.clear_copied_password()  # used: off the clipboard, so it is never pasted by mistake
        app.review.grid_view.locked = False
        app.saved_edits = edits
        app.remember_prepared(prep)
        text = saved_message(prep, saved)
        saved.password = None
        if messages.ask("yesno", "Saved", text, app.master):
            from tracker_desktop.gui.folders import open_folder

            open_folder(saved.output.parent)
        app.saved(edits)  # then whatever waited for the save (leaving the return) goes on

    if app.worker.run(f"Encrypting and saving {prep.output_name}", work, done, failed) is None:
        app.review.grid_view.locked = False
        forget()


def _targets(prep, folder: Path) -> tuple[Path, Path]:
    output = Path(folder) / prep.output_name
    return output, output.with_suffix(".eml")


def saved_message(prep, saved) -> str:
    """What the user is told once the encrypted sheet is written, whatever failed after it. When
    the e-mail draft could not be saved the password is shown again: the sheet must now be sent
    another way, and a sheet nobody can open is worse than a password seen twice."""
    path = saved.output
    errors = prep.counts()["errors"]
    text = f"Saved {path.name} in {path.parent}, encrypted."
    if errors:
        text += f"\n\n{errors} error{'s' if errors != 1 else ''} remain in it."
    if saved.draft:
        text += (f"\n\nNext: open the e-mail draft {saved.draft.name} beside it (it opens in Outlook with the file "
                 "attached), check it and send it to TEP. Then telephone TEP with the password: it is not in the "
                 "e-mail.")
    else:
        text += (f"\n\nNext: e-mail {path.name} to TEP yourself (the draft could not be made), then telephone TEP "
                 f"with its password, which is: {saved.password}")
    for failure in saved.afterwards:
        text += f"\n\n{failure}"
    return text + "\n\nOpen the folder now?"


def record_history(prep, path: Path, kind: str = "return") -> str:
    """Record a file saved for a return (worker thread): the return itself, or with `kind` its
    problems list or e-mail draft. A failure is said in the saved message, not fatal."""
    from tracker_desktop.core.routine import history
    from tracker_desktop.core.settings import history_dir

    try:
        history.record(history_dir(), prep, path, kind=kind)
    except (UserError, OSError) as e:
        return f"\n\n(The list of prepared returns could not be updated: {e})"
    return ""

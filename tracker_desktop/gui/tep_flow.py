"""TEP sheets in the app: opening TEP's workbook with an export, and saving the filled sheet
encrypted with an e-mail draft beside it.

Passwords travel in a one-item list that is emptied as soon as the job that needs it ends, so
neither the app nor a dialog keeps one after the save (or the opening) completes. They are
never put in settings, the history, a log line or a message.
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
    """Encrypt and save (prep.save writes only encrypted), then the .eml draft beside it."""
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
        from tracker_desktop.core.routine.email_draft import save_draft, tep_draft

        path = prep.save(folder, force=force, password=secret[0])
        forget()  # written: the password is not needed any more
        eml = save_draft(tep_draft(path, prep.definition.title, settings.school_name, settings.school_number),
                         path.with_suffix(".eml"), force=True)
        from tracker_desktop.core.routine.history import DRAFT

        record_history(prep, eml, kind=DRAFT)  # the draft names the file: tidied up with it
        return path, eml, record_history(prep, path)

    def failed(e):
        app.review.grid_view.locked = False
        if not (isinstance(e, OutputExists) and not force):
            app.clear_copied_password()  # not asked again: this password will not be used
        if isinstance(e, OutputExists) and not force:
            if messages.ask("yesno", APP_TITLE,
                            f"{prep.output_name} is already in {folder}.\n\nReplace it with this one?",
                            app.master, default="no"):
                write_tep(app, folder, secret[0], force=True)
            else:
                app.after_saved = None  # not saved: leaving the return waits no more
            forget()
            return
        forget()
        app.after_saved = None
        messages.report(e, app.master, f"saving {prep.output_name}")

    def done(result):
        forget()
        app.clear_copied_password()  # used: off the clipboard, so it is never pasted by mistake
        path, eml, history_problem = result
        app.review.grid_view.locked = False
        app.saved_edits = edits
        app.remember_prepared(prep)
        errors = prep.counts()["errors"]
        warning = f"\n\n{errors} error{'s' if errors != 1 else ''} remain in it." if errors else ""
        text = (f"Saved {path.name} in {path.parent}, encrypted.{warning}\n\n"
                f"Next: open the e-mail draft {eml.name} beside it (it opens in Outlook with the file attached), "
                "check it and send it to TEP. Then telephone TEP with the password: it is not in the e-mail."
                f"{history_problem}\n\nOpen the folder now?")
        if messages.ask("yesno", "Saved", text, app.master):
            from tracker_desktop.gui.folders import open_folder

            open_folder(path.parent)
        app.saved(edits)  # then whatever waited for the save (leaving the return) goes on

    if app.worker.run(f"Encrypting and saving {prep.output_name}", work, done, failed) is None:
        app.review.grid_view.locked = False
        forget()


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

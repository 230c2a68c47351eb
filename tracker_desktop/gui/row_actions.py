"""What the user can do to a learner's row beyond typing in it: take it out of the return (with
their reason), accept a query on it (with a note, remembered next month) and withdraw an acceptance
given by mistake. The core decides (Preparation.take_out / accept / withdraw); these only ask for the
words (or a yes) and show the outcome."""
from __future__ import annotations

import datetime as dt
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from tracker_desktop.core.errors import UserError
from tracker_desktop.gui import messages
from tracker_desktop.gui.dialogs import Dialog


class NoteDialog(Dialog[object]):
    """One line of the user's own words (a reason, a note). The action runs when OK is pressed: if
    the core refuses the words (empty, a learner's name in a note) the dialog says why and stays."""

    def __init__(self, parent, title: str, intro: str, label: str, ok_text: str, action: Callable[[str], object],
                 done: Callable[[object], None], example: str = "", _utest: bool = False):
        self.intro, self.label, self.example = intro, label, example
        self.ok_text = ok_text
        self.action, self.done = action, done
        self.outcome: object = None
        super().__init__(parent, title, _utest=_utest)

    def body(self, f):
        ttk.Label(f, text=self.intro, wraplength=520, justify="left").grid(row=0, column=0, sticky="w", pady=(0, 10))
        ttk.Label(f, text=self.label).grid(row=1, column=0, sticky="w")
        self.text = tk.StringVar(self, "")
        self.entry = ttk.Entry(f, textvariable=self.text, width=64)
        self.entry.grid(row=2, column=0, sticky="we", pady=(2, 0))
        if self.example:
            ttk.Label(f, text=self.example, style="Muted.TLabel").grid(row=3, column=0, sticky="w", pady=(2, 0))
        self.problem_label(f, 4, 1)
        return self.entry

    def validate(self) -> str | None:
        try:
            self.outcome = self.action(self.text.get())
        except UserError as e:
            self.entry.focus_set()
            return str(e)
        return None

    def apply(self) -> None:
        self.result = self.outcome
        self.done(self.outcome)


def learner_label(prep, row: int) -> str:
    """The learner as the office knows them on screen (never written anywhere)."""
    values = prep.learners[row].values
    name = " ".join(v for v in (values.get(prep.headers.get(n, n), "") for n in ("Legal Forename", "Legal Surname"))
                    if v.strip())
    where = f"row {prep.sheet_row(row)} (export row {prep.learners[row].source_row})"
    return f"{name}, {where}" if name else where


def take_out_row(app, row: int) -> NoteDialog | None:
    """Ask why, then take the learner off the return; the review shows the return without them."""
    prep = app.prep
    if prep is None or not 0 <= row < len(prep.learners):
        return None
    if prep.definition.prepopulated:
        messages.info("TEP's sheet keeps every row TEP sent: write what you know in the row instead.", app.master)
        return None

    def done(out) -> None:
        app.rows_changed(select=min(row, len(prep.learners) - 1))
        app.review.status.configure(text=f"Took export row {out.source_row} out of the return: {out.reason}. "
                                         "It is listed under Left out, where it can be put back.")

    return NoteDialog(
        app.master, "Take this row out of the return",
        f"Take {learner_label(prep, row)} off this return? The row is not written into the return; it is "
        "listed with the learners left out, with your reason, and can be put back from there.",
        "Why is it taken out?", "Take the row out", lambda text: prep.take_out(row, text), done,
        example="e.g. the same learner as row 14 (the MIS has them twice)", _utest=app._utest)


def put_back_row(app, source_row: int) -> int | None:
    prep = app.prep
    try:
        row = prep.put_back(source_row)
    except UserError as e:
        messages.report(e, app.master)
        return None
    app.rows_changed(select=row)
    app.review.status.configure(text=f"Put export row {source_row} back on the return (row {prep.sheet_row(row)}).")
    return row


def accept_query(app, row: int, column: str) -> NoteDialog | None:
    """Accept the query on a cell with the office's note; an error cannot be accepted."""
    prep = app.prep
    if prep is None or not 0 <= row < len(prep.learners):
        return None
    found = [p for p in prep.problems_at(row) if p.column == column]
    queries = [p for p in found if p.severity == "query" and prep.acceptance(p) is None]
    if not queries:
        if any(p.severity == "error" for p in found):
            text = ("This is an error, not a query: it must be fixed before the return is sent, "
                    "so it cannot be accepted.")
        elif found:
            text = ("The query here is already accepted. If that was a mistake, Withdraw acceptance… "
                    "asks it again.")
        else:
            text = "There is no query on this cell to accept."
        messages.info(text, app.master)
        return None
    query = queries[0]

    def done(_) -> None:
        app.queries_changed(row)
        app.review.status.configure(text=f"Accepted: {query.message}  Next month's return will not ask again.")

    return NoteDialog(
        app.master, "Accept this query",
        f"{learner_label(prep, row)}: {query.message}\n\nIf it is right as it stands, accept it with a short note. "
        "The query stays on the list, marked accepted, and next month's return does not ask again. "
        "The note is kept with your settings: leave names out.",
        "Why it may stand", "Accept the query", lambda text: prep.accept(query, text), done,
        example="e.g. held back a year — agreed with KCC", _utest=app._utest)


def accepted_at(prep, row: int, column: str) -> list[tuple]:
    """The cell's queries the office has accepted, each with its acceptance (most cells have none)."""
    found = ((p, prep.acceptance(p)) for p in prep.problems_at(row) if p.column == column and p.severity == "query")
    return [(p, given) for p, given in found if given is not None]


def offers_withdraw(prep, row: int, column: str) -> bool:
    """Whether the cell's button is Withdraw acceptance… rather than Accept query…: its queries
    are all accepted (one still to accept keeps Accept query…; the Edit menu has both)."""
    found = [p for p in prep.problems_at(row) if p.column == column and p.severity == "query"]
    return bool(found) and all(prep.acceptance(p) is not None for p in found)


def withdraw_acceptance(app, row: int, column: str) -> bool | None:
    """Take back the acceptance of a cell's query once the office says yes to the note it was
    given: the query is asked again, here and next month. True when withdrawn, False when the
    office said no, None when there was nothing to withdraw."""
    prep = app.prep
    if prep is None or not 0 <= row < len(prep.learners):
        return None
    found = accepted_at(prep, row, column)
    if not found:
        messages.info("The query here has not been accepted, so there is nothing to withdraw."
                      if any(p.column == column and p.severity == "query" for p in prep.problems_at(row))
                      else "There is no accepted query on this cell to withdraw.", app.master)
        return None
    query, given = found[0]
    if not messages.ask("okcancel", "Withdraw acceptance",
                        f"{learner_label(prep, row)}: {query.message}\n\n"
                        f"It was accepted on {_date(given.accepted_on)} with the note:\n“{given.note}”\n\n"
                        "Withdraw the acceptance? The query is asked again, here and in next month's return, "
                        "and the note is forgotten.", app.master):
        return False
    try:
        prep.withdraw(query)  # saved beside the settings at once, as accepting is
    except UserError as e:
        messages.report(e, app.master)
        return None
    app.queries_changed(row)
    app.review.status.configure(text=f"Withdrew the acceptance: {query.message}  "
                                     "The query is asked again, and next month's return asks it too.")
    return True


def _date(iso: str) -> str:
    """An acceptance's date as the office writes it (the file keeps ISO)."""
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso

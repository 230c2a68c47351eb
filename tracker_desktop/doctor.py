"""`tracker-desktop doctor`: for the IT technician, check every part of the installed program works
on this PC, offline, on a small fictional export the doctor makes itself (and on the bundled demo
export).

One line per part, `OK  part` or `FAIL part: reason`, then a summary; exit 0 only if every part
is OK. Nothing personal is printed: the learners are made up, passwords are never shown, and
folders are shown as <temp> or ~ rather than with the user's name. No network connection is made
(the doctor checks that too).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tracker_desktop.demo_data import DEMO_SCHOOL

if TYPE_CHECKING:  # imported by the part that prepares, so a broken install fails that part only
    from tracker_desktop.core.preparing.preparation import Preparation

# The doctor's own little export is of October 2024; the school is the demo's fictional one.
SCHOOL, PERIOD, AS_OF = DEMO_SCHOOL, "2024-10", "2024-10-31"
RETURN_ID = "school-joiners"

# A small fictional export in the layout of a SIMS roll. Names carry accents so that reading it
# in each encoding proves the encoding was recognised; row 4 has two known mistakes and row 5
# is out of the return's scope.
HEADER = ["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "Address 1", "Town", "Postcode",
          "Contact 1 Name", "Contact 1 Telephone", "SEN Status", "Admission Date", "Telephone"]
_ROWS = [
    ["886412324001", "Ashdown", "Zoë", "15/03/2009", "F", "Year 11", "1 High Street", "Maidstone", "me14 1xx",
     "Jo Ashdown", "07911 123456", "N", "07/10/2024", "1622246602"],
    ["886412324002", "Rees-Jones", "Siân", "02/11/2008", "F", "Year 11", "2 Mill Lane", "Ashford", "TN23 1AA",
     "Renée Rees-Jones", "07911 123457", "N", "14/10/2024", "01233 620000"],
    ["886412324003", "O'Brien", "Jérôme", "30/06/2009", "M", "Year 11", "3 Church Road", "Canterbury", "CT1 2AA",
     "Pat O'Brien", "07911 123458", "N", "21/10/2024", "01227 760000"],
    ["886412324004", "Fairweather", "Noël", "11/01/2009", "M", "Year 11", "4 Station Road", "Dover", "",
     "Sam Fairweather", "07700 900123", "N", "28/10/2024", "01304 200000"],
    ["886412324005", "Yardley", "Chloé", "05/05/2012", "F", "Year 8", "5 Park View", "Deal", "CT14 6AA",
     "Max Yardley", "07911 123459", "N", "08/10/2024", "01304 360000"],
]
# What preparing the export above must give.
EXPECTED_LEARNERS, EXPECTED_LEFT_OUT = 4, 1
EXPECTED_ERRORS = {(3, "Postcode", "mandatory-missing"), (3, "Parent/Carer Telephone", "phone-invalid")}
EXPECTED_FIXES = {(0, "Postcode"): ("me14 1xx", "ME14 1XX"), (0, "Home Telephone"): ("1622246602", "01622 246602")}


class Failed(Exception):
    """A part did not work; the message says what went wrong, without personal data."""


def demo_rows() -> list[list[str]]:
    """The fictional export's rows (header first), with valid UPN check letters."""
    from tracker_desktop.core.values.identifiers import upn_check_letter

    rows = [list(HEADER)]
    for row in _ROWS:
        row = list(row)
        row[0] = upn_check_letter("X" + row[0]) + row[0]
        rows.append(row)
    return rows


def _csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Student List"
    ws.append(["Whole school roll (fictional)"])  # a title row above the header, as MIS exports have
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _ctf_bytes(rows: list[list[str]]) -> bytes:
    """The same pupils as a DfE Common Transfer File, as every English MIS can write one."""
    from xml.sax.saxutils import escape

    col = {h: i for i, h in enumerate(rows[0])}
    pupils = []
    for r in rows[1:]:
        day, month, year = r[col["DOB"]].split("/")
        pupils.append(
            f"<Pupil><UPN>{r[col['UPN']]}</UPN><Surname>{escape(r[col['Surname']])}</Surname>"
            f"<Forename>{escape(r[col['Forename']])}</Forename><DOB>{year}-{month}-{day}</DOB><Sex>{r[col['Gender']]}</Sex>"
            f"<BasicDetails><NCyearActual>{r[col['Year']].split()[-1]}</NCyearActual></BasicDetails>"
            f"<Address><AddressLines><AddressLine1>{escape(r[col['Address 1']])}</AddressLine1>"
            f"<AddressLine2>{escape(r[col['Town']])}</AddressLine2></AddressLines><PostCode>{r[col['Postcode']]}</PostCode></Address>"
            f"</Pupil>")
    xml = ('<?xml version="1.0" encoding="UTF-8"?><CTfile><Header><DocumentName>Common Transfer File</DocumentName>'
           '<CTFversion>24.0</CTFversion><SourceSchool><LEA>886</LEA><Estab>4123</Estab></SourceSchool></Header>'
           f'<CTFpupilData>{"".join(pupils)}</CTFpupilData></CTfile>')
    return xml.encode("utf-8")


def export_files(folder: Path) -> dict[str, Path]:
    """The fictional export in every format an office may give: name of the format -> file."""
    rows = demo_rows()
    text = _csv_text(rows)
    files = {
        "CSV UTF-8": ("roll-utf8.csv", b"\xef\xbb\xbf" + text.encode("utf-8")),
        "CSV Windows-1252": ("roll-ansi.csv", text.encode("cp1252")),
        "CSV UTF-16": ("roll-unicode.txt", _csv_text(rows, "\t").encode("utf-16")),  # Excel's "Unicode text"
        "Excel xlsx": ("roll.xlsx", _xlsx_bytes(rows)),
        "CTF XML": ("roll.xml", _ctf_bytes(rows)),
    }
    from tracker_desktop.resources import resource_path

    xls = resource_path("assets", "demo", "doctor_roll.xls")  # made once by LibreOffice from _xlsx_bytes
    if xls.exists():
        files["Excel 97-2003 xls"] = ("roll.xls", xls.read_bytes())
    paths = {}
    for name, (file_name, data) in files.items():
        path = folder / file_name
        path.write_bytes(data)
        paths[name] = path
    return paths


# --- the parts --------------------------------------------------------------------------------

class Doctor:
    def __init__(self, out=None):
        if out is None:
            out = sys.stdout
            try:  # a redirected Windows console may be cp1252 or cp850: never fail on a character
                out.reconfigure(errors="replace")
            except (AttributeError, ValueError):
                pass
        self.out = out
        self.results: list[tuple[str, bool, str]] = []
        self.folder: Path | None = None  # a temporary folder for the parts' files, made by run()
        self.exports: dict[str, Path] = {}
        self.prep: Preparation | None = None
        self.written: bytes | None = None

    # reporting

    def part(self, name: str, check: Callable[[], str | None]) -> bool:
        from tracker_desktop.core.errors import UserError

        try:
            note = check()
        except (Failed, UserError) as e:  # a sentence written for people: shown as it is
            return self._report(name, False, str(e))
        except Exception as e:  # any failure of a part is reported, never a crash
            return self._report(name, False, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__, trace=True)
        return self._report(name, True, note or "")

    def _report(self, name: str, ok: bool, text: str, trace: bool = False) -> bool:
        text = self._private(" ".join(str(text).split()))
        if ok:
            line = f"OK  {name}" + (f" ({text})" if text else "")
        else:
            line = f"FAIL {name}: {text}"
            if trace and os.environ.get("TRACKER_DESKTOP_DOCTOR_TRACE"):
                line += "\n" + self._private(traceback.format_exc())
        self.results.append((name, ok, text))
        print(line, file=self.out, flush=True)
        return ok

    def _scratch(self) -> Path:
        """The temporary folder run() made for the parts' files."""
        if self.folder is None:
            raise Failed("skipped: the doctor's temporary folder was not made")
        return self.folder

    def _private(self, text: str) -> str:
        """Hide the user's name in folder names: the temp folder and the home folder."""
        hidden = ((str(self.folder or ""), "<doctor>"), (tempfile.gettempdir(), "<temp>"), (str(Path.home()), "~"))
        for path, label in hidden:
            if path and len(path) > 3:
                text = text.replace(path, label)
        return text

    # checks

    def check_bundled_files(self) -> str:
        from tracker_desktop.core.returns.definitions import return_ids, templates_dir
        from tracker_desktop.resources import resource_path

        missing = [f"{p.parent.name}/{p.name}" for p in (
            templates_dir() / "codes.json", templates_dir() / "columns.json", templates_dir() / "la_numbers.json",
            templates_dir() / "code_rules.json", resource_path("assets", "bank_holidays.json"),
            resource_path("assets", "wordlist.txt"))
            if not p.is_file()]
        ids = return_ids()
        if not ids:
            raise Failed(f"no return definitions in {templates_dir()}")
        for return_id in ids:
            for suffix in (".json", ".xlsx"):
                if not (templates_dir() / f"{return_id}{suffix}").is_file():
                    missing.append(f"templates/{return_id}{suffix}")
        if missing:
            raise Failed("missing " + ", ".join(missing) + "; reinstall the program")
        return f"{len(ids)} returns"

    def check_definitions(self) -> str:
        from tracker_desktop.core.checking.cross_rules import code_rules
        from tracker_desktop.core.returns.definitions import all_definitions, code_lists

        defs = all_definitions()
        code_lists()
        code_rules()
        return f"{len(defs)} returns"

    def check_template(self, return_id: str) -> str:
        from tracker_desktop.core.returns.definitions import load_definition
        from tracker_desktop.core.returns.template import read_template

        definition = load_definition(return_id)
        template = read_template(definition.template_path)
        if not template.columns:
            raise Failed("no column headings found")
        if not template.mandatory:
            raise Failed("no mandatory (highlighted) column found")
        dropdowns = sum(1 for c in template.columns if c.dropdown)
        note = (f"{len(template.columns)} columns, {len(template.mandatory)} mandatory, "
                f"{dropdowns} dropdown list{'s' * (dropdowns != 1)}")
        shipped = [h for h, _ in definition.columns]
        if template.headers != shipped:
            note += "; differs from the shipped layout (a newer KCC template?)"
        return note

    def check_read(self, name: str) -> str:
        from tracker_desktop.core.preparing.opening import known_headers
        from tracker_desktop.core.reading.exports import read_export
        from tracker_desktop.core.returns.definitions import load_definition

        if name not in self.exports:
            raise Failed("its test file is missing from the installed folder (assets/demo); reinstall the program")
        table = read_export(self.exports[name], known_headers(load_definition(RETURN_ID)))
        rows = demo_rows()
        if name == "CTF XML":
            # a CTF has its own headings: the pupils must come back as written
            where = [table.headers.index(h) for h in ("UPN", "Legal Surname", "Legal Forename")]
            picked = [[row[i] for i in where] for row in table.rows]
            if picked != [r[:3] for r in rows[1:]]:
                raise Failed("the pupils were not read as written")
            return f"{len(table.rows)} pupils"
        if table.headers != rows[0]:
            raise Failed("the column headings were not read as written")
        got = [list(r[: len(rows[0])]) for r in table.rows]
        if got != rows[1:]:
            # the row counts may differ: then the first row past the shorter list is the bad one
            pairs = enumerate(zip(got, rows[1:], strict=False))
            bad = next((i for i, (a, b) in pairs if a != b), min(len(got), len(rows) - 1))
            raise Failed(f"row {bad + 1} was not read as written (read {len(got)} rows of {len(rows) - 1})")
        return "; ".join(table.notes) or f"{len(table.rows)} rows"

    def check_prepare(self) -> str:
        from tracker_desktop.core.preparing.preparation import Preparation

        prep = Preparation.start(RETURN_ID, self.exports["CSV UTF-8"], school=SCHOOL, period=PERIOD, as_of=AS_OF)
        self.prep = prep
        if (len(prep.learners), len(prep.left_out)) != (EXPECTED_LEARNERS, EXPECTED_LEFT_OUT):
            raise Failed(f"kept {len(prep.learners)} learners and left out {len(prep.left_out)}, "
                         f"expected {EXPECTED_LEARNERS} and {EXPECTED_LEFT_OUT}")
        unmatched = [c for c in prep.template.mandatory if prep.mapping.get(c) is None]
        if unmatched:
            raise Failed(f"no export column matched for {', '.join(unmatched)}")
        errors = {(p.row, p.column, p.rule) for p in prep.problems if p.severity == "error"}
        if errors != EXPECTED_ERRORS:
            missed = sorted(f"{c} {r}" for _, c, r in EXPECTED_ERRORS - errors)
            extra = sorted(f"{c} {r}" for _, c, r in errors - EXPECTED_ERRORS)
            found = ([f"missed {', '.join(missed)}"] if missed else []) + \
                ([f"unexpected {', '.join(extra)}"] if extra else [])
            raise Failed("the checks did not find what they should: " + "; ".join(found))
        for (row, column), (before, after) in EXPECTED_FIXES.items():
            fix = prep.learners[row].fixes.get(column)
            if not fix or (fix.before, fix.after) != (before, after):
                raise Failed(f"the {column} was not cleaned as expected")
        return f"{len(prep.learners)} learners, {len(prep.left_out)} left out, {len(errors)} errors found as expected"

    def check_write(self) -> str:
        import openpyxl

        prep = self.prep
        if prep is None:
            raise Failed("skipped: preparing the return failed")
        out = self._scratch() / "out"
        out.mkdir(exist_ok=True)
        path = prep.save(out)
        data = path.read_bytes()
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        ws = book[prep.template.sheet]
        rows = list(ws.iter_rows(min_row=prep.template.header_row, values_only=True))
        headers = [str(v).strip() if v is not None else "" for v in rows[0]]
        body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
        book.close()
        if [h for h in headers if h] != prep.template.headers:
            raise Failed("the written workbook's column headings differ from the template's")
        if len(body) != len(prep.learners):
            raise Failed(f"the workbook holds {len(body)} learners, expected {len(prep.learners)}")
        postcode = headers.index("Postcode")
        if body[0][postcode] != "ME14 1XX":
            raise Failed("a cleaned value was not written")
        self.written = data
        return f"{path.name}, {len(body)} rows"

    def check_encryption(self) -> str:
        from tracker_desktop.core.writing import encryption as protection

        plain = self.written or _xlsx_bytes(demo_rows())
        password = protection.generate_passphrase()
        protection.check_password(password)
        started = time.perf_counter()
        encrypted = protection.encrypt(plain, password)
        if not protection.is_encrypted(encrypted):
            raise Failed("the encrypted workbook is not recognised as encrypted")
        target = self._scratch() / "encrypted.xlsx"
        protection.write_encrypted(plain, password, target)
        back = protection.decrypt(target.read_bytes(), password)
        import openpyxl

        openpyxl.load_workbook(io.BytesIO(back), read_only=True).close()
        try:
            protection.decrypt(encrypted, password + "x")
        except protection.WrongPassword:
            pass
        else:
            raise Failed("a wrong password was accepted")
        return f"AES-256, {time.perf_counter() - started:.1f} s"

    def check_calendar(self) -> str:
        from tracker_desktop.core.returns.definitions import load_definition
        from tracker_desktop.core.values.calendar import academic_year_start, bank_holidays, deadlines

        days = bank_holidays(2025)
        for day in (dt.date(2025, 12, 25), dt.date(2025, 12, 26), dt.date(2025, 8, 25)):
            if day not in days:
                raise Failed(f"{day:%d %B %Y} is missing from the bank holidays")
        due = deadlines(load_definition(RETURN_ID).deadlines, academic_year_start(dt.date(2025, 10, 1)))
        if not due:
            raise Failed("no deadlines found for the joiners return")
        return f"{len(days)} bank holidays in 2025, {len(due)} joiners deadlines"

    def check_demo_export(self) -> str:
        from tracker_desktop.core.preparing.preparation import Preparation
        from tracker_desktop.demo_data import DEMO_AS_OF, DEMO_PERIOD, demo_roll_path

        export = demo_roll_path()
        if not export.is_file():
            raise Failed("assets/demo/demo_roll.csv is missing; reinstall the program")
        counts = []
        for return_id in ("school-joiners", "school-leavers"):
            prep = Preparation.start(return_id, export, school=SCHOOL, period=DEMO_PERIOD, as_of=DEMO_AS_OF)
            prep.workbook_bytes()
            counts.append(f"{return_id} {len(prep.learners)} learners")
        return ", ".join(counts)

    def check_settings_folder(self) -> str:
        from tracker_desktop.core import settings

        notes = []
        for label, folder in (("settings", settings.settings_dir()), ("logs", settings.log_dir())):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe = folder / f".doctor-{os.getpid()}.tmp"
                probe.write_bytes(b"ok")
                probe.unlink()
            except OSError as e:
                raise Failed(f"the {label} folder {folder} cannot be written ({e.strerror or e})") from None
            notes.append(f"{label} in {folder}")  # shown with ~ for the home folder: no user name
        return "writable: " + ", ".join(notes)

    def check_gui(self) -> str:
        import tkinter

        import sv_ttk
        import tksheet  # noqa: F401

        theme_files = Path(sv_ttk.__file__).parent
        if not any(theme_files.rglob("*.tcl")):
            raise Failed("the sv-ttk theme files are missing; reinstall the program")
        version = f"Tk {tkinter.TkVersion}"
        if not _display_available():
            return f"{version}; window skipped: no display"
        try:
            root = tkinter.Tk()
        except tkinter.TclError as e:
            if "display" in str(e).lower():
                return f"{version}; window skipped: no display"
            raise
        try:
            root.withdraw()
            sv_ttk.set_theme("light", root)
            sheet = tksheet.Sheet(root, data=[["a", "b"]], headers=["UPN", "Surname"])
            sheet.pack()
            root.update_idletasks()
        finally:
            root.destroy()
        return f"{version}, theme and grid work"

    def check_commands(self) -> str:
        # In the installed folder each command's module must have been bundled: import them all now
        # rather than let `tracker-desktop compare-rolls` fail on the day it is first used.
        from importlib import import_module

        from tracker_desktop.commands import COMMANDS
        from tracker_desktop.commands.parser import command_names

        parser_knows = set(command_names())
        for command, (module, function) in COMMANDS.items():
            if command not in parser_knows:
                raise Failed(f"the command '{command}' has no arguments defined")
            if not callable(getattr(import_module(f"tracker_desktop.commands.{module}"), function, None)):
                raise Failed(f"the command '{command}' is missing from tracker_desktop.commands.{module}")
        return f"{len(COMMANDS)} commands"

    def check_app(self) -> str:
        from tracker_desktop.gui import app  # every screen of the desktop app is importable

        if not callable(getattr(app, "run_app", None)):
            raise Failed("the desktop app has no run_app")
        return ""

    # running

    def run(self) -> int:
        from tracker_desktop import __version__

        print(f"Tracker Desktop {__version__} doctor: checking each part on fictional data, offline", file=self.out)
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-doctor-"))
        with _no_network() as attempts:
            try:
                self.part("bundled files", self.check_bundled_files)
                self.part("return definitions", self.check_definitions)
                try:
                    from tracker_desktop.core.returns.definitions import return_ids

                    ids = return_ids()
                except Exception:  # already reported by the parts above
                    ids = []
                for return_id in ids:
                    self.part(f"template {return_id}", partial(self.check_template, return_id))
                try:
                    self.exports = export_files(self.folder)
                except Exception as e:
                    self._report("make test exports", False, f"{type(e).__name__}: {e}")
                for name in ("CSV UTF-8", "CSV Windows-1252", "CSV UTF-16", "Excel xlsx", "Excel 97-2003 xls",
                             "CTF XML"):
                    self.part(f"read {name}", partial(self.check_read, name))
                self.part("clean and check", self.check_prepare)
                self.part("write return", self.check_write)
                self.part("encrypt and decrypt", self.check_encryption)
                self.part("bank holidays and deadlines", self.check_calendar)
                self.part("demo export", self.check_demo_export)
                self.part("settings and log folders", self.check_settings_folder)
                self.part("command line", self.check_commands)
                self.part("GUI toolkit", self.check_gui)
                self.part("desktop app", self.check_app)
            finally:
                shutil.rmtree(self.folder, ignore_errors=True)
        if attempts:
            self._report("offline", False, f"{len(attempts)} network connection(s) attempted")
        else:
            self._report("offline", True, "no network connection attempted")
        failed = [name for name, ok, _ in self.results if not ok]
        if failed:
            print(f"{len(failed)} of {len(self.results)} parts failed: {', '.join(failed)}", file=self.out)
            return 1
        print(f"All {len(self.results)} parts OK.", file=self.out)
        return 0


def _display_available() -> bool:
    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextmanager
def _no_network() -> Iterator[list[str]]:
    """Refuse, and count, any attempt to open a network connection or look up a name."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def refuse(what):
        def blocked(*args, **kwargs):
            attempts.append(what)
            raise OSError(f"tracker-desktop doctor: no network connection allowed ({what})")
        return blocked

    def connect(sock, address, *rest):
        if sock.family == getattr(socket, "AF_UNIX", None):  # local sockets (e.g. the X server) are not network
            return real_connect(sock, address, *rest)
        return refuse("connect")()

    # Replaced for the duration of the check (setattr: these are methods and functions of the
    # standard library, patched on purpose), and put back whatever happens.
    blocked = [(socket.socket, "connect", connect), (socket.socket, "connect_ex", refuse("connect")),
               (socket, "getaddrinfo", refuse("name lookup")), (socket, "create_connection", refuse("connect"))]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in blocked]
    for owner, name, replacement in blocked:
        setattr(owner, name, replacement)
    try:
        yield attempts
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def run_doctor(out=None) -> int:
    """Check every part; print one line per part; 0 if all are OK, otherwise 1."""
    return Doctor(out).run()


if __name__ == "__main__":
    sys.exit(run_doctor())

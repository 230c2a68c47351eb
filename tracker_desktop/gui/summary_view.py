"""The destinations summary for the school's careers lead: how many leavers went into education,
employment, training, NEET or are not known, by the year they left, from filled leaver-destinations
sheets or leavers returns. Drawn as a bar chart on a Tk canvas with a table of the counts, and saved
as a workbook with a native Excel chart (core.summary writes it). Counts only: no names or UPNs.

Encrypted sheets (as TEP sends them) are opened with a password typed here, used only to read
them and not kept.
"""
from __future__ import annotations

import datetime as dt
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk

from tracker_desktop.gui import messages
from tracker_desktop.gui.dialogs import Dialog

APP_TITLE = "Tracker Desktop"
SHEET_TYPES = [("Destinations sheets and leavers returns", "*.xlsx *.csv"), ("All files", "*.*")]
# Okabe-Ito colours: told apart by people with the common colour-vision differences.
YEAR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D00", "#000000")
CHART_HEIGHT = 300


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def encrypted_files(paths) -> list[Path]:
    """The chosen files that are password-protected workbooks (unreadable ones are left for
    summarise() to explain)."""
    from tracker_desktop.core.writing.encryption import is_encrypted

    found = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                if is_encrypted(fh.read()):
                    found.append(Path(path))
        except OSError:
            pass
    return found


def default_summary_name(today: dt.date | None = None) -> str:
    return f"Leaver destinations summary {(today or dt.date.today()):%Y-%m-%d}.xlsx"


class SummaryPasswordDialog(Dialog[bool]):
    """The password of the encrypted sheets, checked here (a wrong one is said plainly and asked
    again). result: True when it opens every encrypted file; take_password() hands it over once."""

    ok_text = "Open"

    def __init__(self, parent, encrypted: list[Path], _utest: bool = False):
        self.encrypted = list(encrypted)
        self._password: str | None = None
        super().__init__(parent, "Password needed", _utest=_utest)

    def body(self, f):
        names = self.encrypted
        if len(names) == 1:
            text = (f"{names[0].name} is protected with a password (as TEP send their sheets). Type its password: "
                    "it is used only to read the file, and is not kept.")
        else:
            text = (f"{len(names)} of the files are protected with a password: "
                    + ", ".join(p.name for p in names)
                    + ".\nType their password: it is used only to read them, and is not kept. They need the same "
                      "password: make a separate summary of any file with a different one.")
        ttk.Label(f, text=text, wraplength=480, justify="left").grid(row=0, column=0, columnspan=2, sticky="w",
                                                                     pady=(0, 10))
        ttk.Label(f, text="Password").grid(row=1, column=0, sticky="w")
        self.password = tk.StringVar(self, "")
        self.entry = ttk.Entry(f, textvariable=self.password, show="•", width=32)
        self.entry.grid(row=1, column=1, sticky="w", padx=(8, 0))
        self.problem_label(f, 2, 2)
        return self.entry

    def validate(self) -> str | None:
        from tracker_desktop.core.errors import UserError
        from tracker_desktop.core.writing.encryption import WrongPassword, decrypt

        password = self.password.get()
        if not password:
            return "Type the password, then press Open."
        opened: list[str] = []
        self.configure(cursor="watch")
        self.update_idletasks()
        try:
            for path in self.encrypted:
                try:
                    decrypt(path.read_bytes(), password)  # in memory only: a check, nothing is kept
                except WrongPassword:
                    self.password.set("")
                    self.entry.focus_set()
                    text = (f"That password does not open {path.name}. Check it with whoever sent the file "
                            "(capital letters matter) and type it again.")
                    if opened:
                        text += (f" It does open {', '.join(opened)}: if the files have different passwords, "
                                 "make a summary of each separately.")
                    return text
                except UserError as e:
                    return f"{path.name}: {e}"
                except OSError as e:
                    return f"{path.name} cannot be read ({e.strerror or e})."
                opened.append(path.name)
        finally:
            self.configure(cursor="")
        self._password = password
        return None

    def apply(self) -> None:
        self.result = True
        self.password.set("")

    def cancel(self) -> None:
        self._password = None
        self.password.set("")
        super().cancel()

    def take_password(self) -> str | None:
        password, self._password = self._password, None
        return password


class SummaryWindow(tk.Toplevel):
    """The counts as a bar chart (destination groups along the bottom, a bar per year left) and a
    table, with Save as Excel. Each bar on the canvas carries the tags bar, group:G, year:Y and
    count:N, so what is drawn can be read back."""

    def __init__(self, parent, summary: dict, app=None, sources: list[Path] | None = None):
        from tracker_desktop.core.routine.destinations import MAIN

        super().__init__(parent)
        self.app = app
        self.summary = summary
        self.main = [g for g in MAIN if g in summary["groups"]]
        self.title("Leaver destinations summary")
        self.transient(parent.winfo_toplevel())
        from tracker_desktop.gui.window_size import work_area

        x0, y0, width, height = work_area(self)
        self.short_screen = height < 720  # a small laptop: the table scrolls, the chart gets the room
        w, h = min(980, width - 16), min(720, height - 48)
        top = parent.winfo_toplevel()
        x = max(x0, min(top.winfo_rootx() + max((top.winfo_width() - w) // 2, 0), x0 + width - w))
        self.geometry(f"{w}x{h}+{x}+{y0}")
        self.minsize(min(760, w), min(480, h))
        frame = ttk.Frame(self, padding=(16, 12, 16, 12))
        frame.pack(fill="both", expand=True)

        ttk.Label(frame, text="Where your leavers went", style="Title.TLabel").pack(anchor="w")
        files = ""
        if sources:
            shown = ", ".join(p.name for p in sources[:3])
            if len(sources) > 3:
                shown += f" and {len(sources) - 3} more"
            files = f" ({shown})"
        ttk.Label(frame, text=f"{plural(summary['rows'], 'young person', 'young people')} from "
                              f"{plural(summary['files'], 'file')}{files}. Counts only: no names or UPNs.",
                  style="Muted.TLabel", wraplength=940, justify="left").pack(anchor="w", pady=(2, 8))

        bar = ttk.Frame(frame)
        bar.pack(side="bottom", fill="x", pady=(10, 0))
        ttk.Button(bar, text="Close", command=self.destroy).pack(side="right")
        self.save_button = ttk.Button(bar, text="Save as Excel…", style="Accent.TButton", command=self.save_excel)
        self.save_button.pack(side="right", padx=(0, 8))
        ttk.Label(bar, text="The workbook has the same table and chart, ready to share with your careers lead.",
                  style="Muted.TLabel").pack(side="left")

        from tracker_desktop.gui.theme import font

        self._title_font = font(self, 1, "bold")
        # The table keeps the height of its rows; the chart takes the room that is left.
        self.table = self._table(frame)
        self.note = ttk.Label(frame, text=self._note(), style="Muted.TLabel", wraplength=900, justify="left")
        self.note.pack(side="bottom", anchor="w", pady=(4, 8))
        self.canvas = tk.Canvas(frame, height=CHART_HEIGHT, background="#ffffff", highlightthickness=1,
                                highlightbackground="#d0d0d0", borderwidth=0)
        self.canvas.pack(fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda e: self.draw())
        self.bind("<Escape>", lambda e: self.destroy())
        self.save_button.focus_set()
        self.draw()

    # --- the table ---------------------------------------------------------------------------------

    def _table(self, parent) -> ttk.Treeview:
        from tracker_desktop.core.routine.destinations import year_label

        s = self.summary
        years = s["years"]
        columns = ["group"] + [f"y{i}" for i in range(len(years))] + ["total", "share"]
        holder = ttk.Frame(parent)
        holder.pack(side="bottom", fill="x")
        tree = ttk.Treeview(holder, columns=columns, show="headings", selectmode="browse",
                            height=min(len(s["groups"]) + 1, 5 if self.short_screen else 12))
        scroll = ttk.Scrollbar(holder, orient="vertical", command=tree.yview)
        tree.configure(yscrollcommand=scroll.set)
        if len(s["groups"]) + 1 > int(tree.cget("height")):
            scroll.pack(side="right", fill="y")
        tree.heading("group", text="Destination", anchor="w")
        tree.column("group", width=300, stretch=True, anchor="w")
        for i, y in enumerate(years):
            tree.heading(f"y{i}", text=year_label(y), anchor="e")
            tree.column(f"y{i}", width=80, stretch=False, anchor="e")
        tree.heading("total", text="Total", anchor="e")
        tree.column("total", width=80, stretch=False, anchor="e")
        tree.heading("share", text="Share", anchor="e")
        tree.column("share", width=70, stretch=False, anchor="e")
        grand = s["rows"] or 1
        for g in s["groups"]:
            tree.insert("", "end", iid=g, values=[g] + [s["counts"][g].get(y, 0) for y in years]
                        + [s["totals"][g], f"{round(100 * s['totals'][g] / grand)}%"])
        tree.insert("", "end", iid="__total__", tags=("total",),
                    values=["Total"] + [s["year_totals"].get(y, 0) for y in years]
                    + [s["rows"], "100%" if s["rows"] else ""])
        from tracker_desktop.gui.theme import bold_font

        tree.tag_configure("total", font=bold_font(self))
        tree.pack(side="left", fill="x", expand=True)  # up to ten rows: all in view unless the screen is short
        return tree

    def _note(self) -> str:
        s = self.summary
        apart = [f"{s['totals'][g]} {g[0].lower() + g[1:]}" for g in s["groups"]
                 if g not in self.main and s["totals"][g]]
        if not apart:
            return "Destinations are grouped by their NCCIS activity code."
        return ("The chart shows the six destination groups. In the table only: " + "; ".join(apart) + ".")

    # --- the chart ---------------------------------------------------------------------------------

    def bar_counts(self) -> dict[tuple[str, str], int]:
        """(group, year) -> count, read back from the bars drawn on the canvas."""
        found = {}
        for item in self.canvas.find_withtag("bar"):
            tags = dict(t.split(":", 1) for t in self.canvas.gettags(item) if ":" in t)
            found[(tags["group"], tags["year"])] = int(tags["count"])
        return found

    def draw(self) -> None:
        from tracker_desktop.core.routine.destinations import year_label

        c = self.canvas
        c.delete("all")
        s = self.summary
        width = max(c.winfo_width(), 600)
        height = max(c.winfo_height(), 220)
        years = s["years"]
        top = max((s["counts"][g].get(y, 0) for g in self.main for y in years), default=0)
        left, right, upper, lower = 56, 16, 44, 44
        plot_w, plot_h = width - left - right, height - upper - lower
        base = upper + plot_h
        c.create_text(left, 16, text="Destinations by year left", anchor="w", font=self._title_font, fill="#202020")
        if top == 0:
            c.create_text(width / 2, height / 2, text="No destination codes in these files yet.", fill="#5f5f5f",
                          font=self._title_font)
            return
        step = _tick_step(top)
        scale_top = step * -(-top // step)
        # Grid lines and the count axis.
        n = 0
        while n <= scale_top:
            y = base - plot_h * n / scale_top
            c.create_line(left, y, left + plot_w, y, fill="#e6e6e6" if n else "#808080")
            c.create_text(left - 8, y, text=str(n), anchor="e", fill="#404040")
            n += step
        c.create_text(14, upper + plot_h / 2, text="Young people", angle=90, fill="#404040")
        # Legend: one colour per year left, top right.
        x = left + plot_w
        charted = [i for i, y in enumerate(years) if any(s["counts"][g].get(y, 0) for g in self.main)]
        for i in reversed(charted):
            label = year_label(years[i])
            text = c.create_text(x, 16, text=label, anchor="e", fill="#202020", tags=("legend",))
            x = c.bbox(text)[0] - 6
            c.create_rectangle(x - 12, 10, x, 22, fill=YEAR_COLOURS[i % len(YEAR_COLOURS)], outline="")
            x -= 24
        # The bars, clustered by destination group.
        slot = plot_w / max(len(self.main), 1)
        bar_w = min(30, slot * 0.8 / max(len(years), 1))
        for gi, group in enumerate(self.main):
            middle = left + slot * (gi + 0.5)
            start = middle - bar_w * len(years) / 2
            c.create_text(middle, base + 8, text=group, anchor="n", fill="#202020", width=slot - 6, justify="center")
            for yi, year in enumerate(years):
                count = s["counts"][group].get(year, 0)
                if not count:
                    continue
                x0 = start + yi * bar_w
                y0 = base - plot_h * count / scale_top
                c.create_rectangle(x0 + 1, y0, x0 + bar_w - 1, base, fill=YEAR_COLOURS[yi % len(YEAR_COLOURS)],
                                   outline="",
                                   tags=("bar", f"group:{group}", f"year:{year}", f"count:{count}"))
                c.create_text(x0 + bar_w / 2, y0 - 3, text=str(count), anchor="s", fill="#202020", tags=("value",))

    # --- saving ------------------------------------------------------------------------------------

    def save_excel(self, path: Path | None = None, force: bool = False) -> None:
        """Save the workbook (table and native chart). The file dialog does not ask about replacing:
        we do, after the atomic write refused to replace silently."""
        from tracker_desktop.core.routine.destinations import write_summary
        from tracker_desktop.core.writing.files import OutputExists

        if path is None:
            folder = self.app.output_folder() if self.app is not None else None
            chosen = filedialog.asksaveasfilename(
                parent=self, title="Save the destinations summary", initialdir=folder,
                initialfile=default_summary_name(), defaultextension=".xlsx",
                filetypes=[("Excel workbook", "*.xlsx")], confirmoverwrite=False)
            if not chosen:
                return
            path = Path(chosen)
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        summary = self.summary

        def failed(e):
            if isinstance(e, OutputExists) and not force:
                if messages.ask("yesno", APP_TITLE,
                                f"{path.name} is already in {path.parent}.\n\nReplace it with this summary?",
                                self, default="no"):
                    self.save_excel(path, force=True)
                return
            messages.report(e, self, f"saving {path.name}")

        def done(saved):
            if messages.ask("yesno", "Saved", f"Saved the destinations summary {saved.name} in {saved.parent}. "
                            "It holds counts only, no names.\n\nOpen the folder now?", self):
                from tracker_desktop.gui.folders import open_folder

                open_folder(saved.parent)

        work = lambda job: write_summary(summary, path, force=force)  # noqa: E731
        if self.app is not None:
            self.app.worker.run(f"Saving {path.name}", work, done, failed)
            return
        try:  # pragma: no cover - without an app (no worker), a small workbook is written at once
            saved = work(None)
        except Exception as e:
            failed(e)
        else:
            done(saved)


def _tick_step(top: int) -> int:
    """A round step giving 4 to 8 grid lines up to `top`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 8:
            return step
    return 10 ** len(str(top))

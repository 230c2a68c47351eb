"""The column matching step: for each template column, the export column it comes from, how
sure the match is, and what the first rows look like after cleaning. Changing a dropdown updates
the preview at once; "Use these columns" rebuilds the return with the new matching."""
from __future__ import annotations

import tkinter as tk
from functools import partial
from tkinter import ttk
from typing import TYPE_CHECKING

from tracker_desktop.core.matching.certainty import HEADER_WORDS, certainty, is_certain, sureness, to_check
from tracker_desktop.core.matching.mapping import RowReader, Source
from tracker_desktop.core.values.cleaning import clean_read

if TYPE_CHECKING:
    from tracker_desktop.core.preparing.preparation import Preparation

NONE = "(not in the export)"
OWN = "(a column of its own)"  # a template header that is none of our columns
PREVIEW_ROWS = 3
PREVIEW_WRAP = 260  # pixels: the table fits a 1024-wide window, a long preview wraps
PREVIEW_CHARS = 24  # three long addresses side by side would run off the window


class MappingScreen(ttk.Frame):
    def __init__(self, parent, app):
        super().__init__(parent, padding=(12, 10, 12, 6))
        self.app = app
        self.prep: Preparation | None = None
        self.choices: dict[str, tk.StringVar] = {}
        self.options: dict[str, dict[str, Source | None]] = {}
        self.previews: dict[str, ttk.Label] = {}
        self.sureness: dict[str, tk.Label] = {}
        self.mandatory: dict[str, bool] = {}
        self.meanings: dict[str, tk.StringVar] = {}  # template header -> what it is understood as
        self.understood_as: dict[str, str] = {}

        ttk.Label(self, text="Check the columns", style="Title.TLabel").pack(anchor="w")
        self.intro = ttk.Label(self, text="", wraplength=1000, justify="left")
        self.intro.pack(anchor="w", pady=(4, 8))
        self.bind("<Configure>", lambda e: self.intro.configure(wraplength=max(e.width - 40, 400)), add="+")

        bar = ttk.Frame(self)
        bar.pack(side="bottom", fill="x", pady=(8, 0))
        self.use = ttk.Button(bar, text="Use these columns  (Enter)", style="Accent.TButton", command=self.accept)
        self.use.pack(side="right")
        self.back = ttk.Button(bar, text="Back", command=self.go_back)
        self.back.pack(side="right", padx=(0, 8))
        self.combos: list[ttk.Combobox] = []
        self._keys(self.use, self.back)

        outer = ttk.Frame(self)
        outer.pack(fill="both", expand=True)
        self.canvas = tk.Canvas(outer, highlightthickness=0, borderwidth=0)
        scroll = ttk.Scrollbar(outer, orient="vertical", command=self.canvas.yview)
        # Across as well: on a narrow screen the preview column is scrolled to, not cut off.
        self.across = ttk.Scrollbar(outer, orient="horizontal", command=self.canvas.xview)
        self.canvas.configure(yscrollcommand=scroll.set, xscrollcommand=self.across.set)
        self.across.pack(side="bottom", fill="x")
        self.canvas.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        self.table = ttk.Frame(self.canvas, padding=(0, 0, 8, 0))
        self.window = self.canvas.create_window(0, 0, window=self.table, anchor="nw")
        self.table.bind("<Configure>", lambda e: self.canvas.configure(scrollregion=self.canvas.bbox("all")))
        self.canvas.bind("<Configure>", lambda e: self.canvas.itemconfigure(
            self.window, width=max(e.width, self.table.winfo_reqwidth())))
        for widget in (self.canvas, self.table):
            self._scrolls(widget)

    def _keys(self, *widgets) -> None:
        """Enter uses the columns and Escape goes back, from any dropdown or button of the screen.
        An open dropdown list has the focus itself (in its own little window), so there Enter
        still just picks the line and Escape closes the list."""
        for widget in widgets:
            widget.bind("<Return>", self._enter)
            widget.bind("<KP_Enter>", self._enter)
            widget.bind("<Escape>", self._escape)

    def _escape(self, event) -> str:
        self.go_back()
        return "break"

    def _enter(self, event) -> str:
        if event.widget is self.back:
            self.go_back()  # Enter on a button presses that button
        else:
            self.accept()
        return "break"

    def focus_first(self) -> None:
        """The first column's dropdown, where the user starts checking."""
        if self.combos:
            self.combos[0].focus_set()
        else:
            self.use.focus_set()

    def _scrolls(self, widget) -> None:
        """The wheel scrolls the page wherever the pointer is, over a label or a dropdown alike.
        ttk's dropdowns would otherwise change their value under a scrolling wheel: a match
        changed without the user noticing."""
        widget.bind("<MouseWheel>", self._wheel)
        widget.bind("<Button-4>", lambda e: self._wheel_units(-3))
        widget.bind("<Button-5>", lambda e: self._wheel_units(3))

    def _wheel(self, event) -> str:
        return self._wheel_units(-1 if event.delta > 0 else 1)

    def _wheel_units(self, units: int) -> str:
        self.canvas.yview_scroll(units, "units")
        return "break"

    def _see(self, widget) -> None:
        """Scroll so that a row reached with Tab is in view."""
        self.update_idletasks()
        total = self.table.winfo_height()
        if total <= 0:
            return
        top, bottom = widget.winfo_y(), widget.winfo_y() + widget.winfo_height()
        view_top = self.canvas.canvasy(0)
        view_bottom = view_top + self.canvas.winfo_height()
        if top < view_top:
            self.canvas.yview_moveto(max(top - 8, 0) / total)
        elif bottom > view_bottom:
            self.canvas.yview_moveto(max(bottom + 8 - self.canvas.winfo_height(), 0) / total)

    def load(self, prep, from_review: bool = False) -> None:
        self.prep = prep
        self.from_review = from_review
        self.back.configure(text="Back to the review" if from_review else "Back")
        export = prep.table.source.name if getattr(prep.table, "source", None) else "the export"
        unsure = [c for c in prep.template.mandatory if not is_certain(prep.mapping.get(c))]
        text = (f"Each column of KCC's {prep.definition.title} template is filled from a column of {export}. "
                "Orange names are mandatory. Change any match with its dropdown; "
                "the preview shows the first rows after tidying.")
        if unsure:
            text += f"\nPlease check: {', '.join(unsure)}."
        guessed = [c["header"] for c in prep.definition.template_columns(prep.columns) if c["certainty"] == "unsure"]
        if guessed:
            text += f"\nPlease say what these template columns are (Understood as): {', '.join(guessed)}."
        self.intro.configure(text=text)
        for child in self.table.winfo_children():
            child.destroy()
        self.choices.clear()
        self.options.clear()
        self.previews.clear()
        self.sureness.clear()
        self.mandatory.clear()
        self.combos.clear()
        self.meanings.clear()
        self.understood_as.clear()
        titles = ("KCC column", "Understood as", "Comes from export column", "Match", "First rows after tidying")
        for c, title in enumerate(titles):
            heading = ttk.Label(self.table, text=title, style="Heading.TLabel")
            heading.grid(row=0, column=c, sticky="w", padx=(0, 12), pady=(0, 6))
        ours = [OWN] + prep.definition.column_names()
        headers = list(prep.table.headers)
        for r, column in enumerate(prep.template.columns, start=1):
            header = column.header
            source = prep.mapping.get(header)
            options: dict[str, Source | None] = {NONE: None}
            if source is not None and source.describe() not in headers:
                options[source.describe()] = source  # a composed match (address parts, SEN status)
            for h in headers:
                options[h] = source if source is not None and source.describe() == h else Source((h,), score=100)
            self.options[header] = options
            name = tk.Label(self.table, text=header, anchor="w", padx=6, pady=2, wraplength=230, justify="left",
                            bg="#ffc000" if column.mandatory else "#e7e6e6", fg="#000000")
            name.grid(row=r, column=0, sticky="we", padx=(0, 12), pady=2)
            self._meaning_cell(r, header, ours)
            var = tk.StringVar(self, source.describe() if source else NONE)
            self.choices[header] = var
            combo = ttk.Combobox(self.table, textvariable=var, values=list(options), state="readonly", width=24)
            combo.grid(row=r, column=2, sticky="we", padx=(0, 12), pady=2)
            combo.bind("<<ComboboxSelected>>", partial(self.changed, header))
            combo.bind("<FocusIn>", lambda e: self._see(e.widget), add="+")
            self._keys(combo)
            self.combos.append(combo)
            sure = tk.Label(self.table, text=certainty(source), width=14, anchor="w", padx=4)
            self.sureness[header], self.mandatory[header] = sure, column.mandatory
            self._paint(header, source)
            sure.grid(row=r, column=3, sticky="w", padx=(0, 12))
            preview = ttk.Label(self.table, text="", style="Muted.TLabel", wraplength=PREVIEW_WRAP, justify="left")
            preview.grid(row=r, column=4, sticky="w")
            self.previews[header] = preview
        self.table.columnconfigure(4, weight=1)
        for child in self.table.winfo_children():
            self._scrolls(child)
        self.canvas.yview_moveto(0)
        self.update_previews()

    def _meaning_cell(self, r: int, header: str, ours: list[str]) -> None:
        """What the template header was understood as (correctable), and how sure: the words of
        a renamed header ('Parent/Carer Phone Number') say which of our columns it is."""
        understanding = self.loaded.definition.understand(header)
        sure = "confirmed" if understanding.confirmed else sureness(understanding.score)
        shown = understanding.understood_as if understanding.understood_as in ours else OWN
        # an unsure guess counts as the user's answer once they use the columns with it shown
        self.understood_as[header] = "" if sure == "unsure" else shown
        cell = ttk.Frame(self.table)
        cell.grid(row=r, column=1, sticky="w", padx=(0, 12), pady=2)
        var = tk.StringVar(self, shown)
        self.meanings[header] = var
        # out of the Tab order: Tab goes from match to match, the usual work of this screen
        combo = ttk.Combobox(cell, textvariable=var, values=ours, state="readonly", width=22, takefocus=False)
        combo.pack(side="left")
        self._keys(combo)
        word = HEADER_WORDS[sure] if shown != OWN or sure == "confirmed" else (
            f"{understanding.understood_as}?" if understanding.understood_as else HEADER_WORDS["none"])
        label = tk.Label(cell, text=word, anchor="w", padx=4, fg="#000000",
                         bg="#ffd98a" if sure == "unsure" else self.table.winfo_toplevel().cget("bg"))
        label.pack(side="left")

    def understanding(self) -> dict[str, str | None]:
        """The template headers whose meaning the user changed: header -> our column (None: its own)."""
        return {h: (None if var.get() == OWN else var.get()) for h, var in self.meanings.items()
                if var.get() != self.understood_as.get(h)}

    def mapping(self) -> dict:
        chosen = dict(self.loaded.mapping)  # scope fields the template does not show are kept
        for header, var in self.choices.items():
            chosen[header] = self.options[header].get(var.get())
        return chosen

    def _paint(self, header: str, source) -> None:
        # Matches to check stand out amber, like queries in the review.
        label = self.sureness[header]
        unsure = to_check(source, self.mandatory[header])
        label.configure(text=certainty(source), bg="#ffd98a" if unsure else self.table.winfo_toplevel().cget("bg"),
                        fg="#000000")

    def changed(self, header: str, event=None) -> None:
        self._paint(header, self.options[header].get(self.choices[header].get()))
        self.update_previews()

    @property
    def loaded(self) -> Preparation:
        if self.prep is None:
            raise RuntimeError("no return is loaded")  # the screen is shown only with one
        return self.prep

    def update_previews(self) -> None:
        prep = self.loaded
        mapping = self.mapping()
        try:
            reader = RowReader(prep.table, mapping)
        except Exception:
            return
        rows = [reader.values(row) for row in prep.table.rows[:PREVIEW_ROWS]]
        for header, label in self.previews.items():
            source = mapping.get(header)
            if source is None:
                label.configure(text="—")
                continue
            shown = []
            for raw in rows:
                text = raw.get(header, "")
                value = clean_read(prep.definition.meaning(header), text, source.how)
                value = value if len(value) <= PREVIEW_CHARS else value[:PREVIEW_CHARS - 1] + "…"
                shown.append(value or "(empty)")
            label.configure(text="   |   ".join(shown))

    def accept(self) -> None:
        answers = self.understanding()
        if answers:
            self.app.apply_understanding(answers)  # the columns are matched again for what they are
        else:
            self.app.apply_mapping(self.mapping())

    def go_back(self) -> None:
        if self.from_review:
            self.app.show_review()
        else:
            self.app.go_home()

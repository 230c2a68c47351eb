"""Secondary windows: the learners left out of the return (with why), and the save dialog."""
from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk

from tracker_desktop.gui.dialogs import Dialog
from tracker_desktop.gui.review_grid import shown_row

MAX_LISTED = 200


class LeftOutWindow(tk.Toplevel):
    """Who is not on the return and why, by name: so the office can see nobody was dropped by
    mistake. Rows the user took out are listed with their reason, and can be put back."""

    def __init__(self, parent, prep, put_back=None):
        from tracker_desktop.gui.window_size import place_on_screen

        super().__init__(parent)
        self.prep = prep
        self.put_back = put_back
        self.title(f"Left out of {prep.definition.title}")
        self.transient(parent.winfo_toplevel())
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        self.heading = ttk.Label(frame, text="", style="Heading.TLabel")
        self.heading.pack(anchor="w", pady=(0, 6))
        # The buttons and the chosen row's reason are packed before the list: a short screen
        # shortens the list, never hides them.
        bar = ttk.Frame(frame)
        bar.pack(fill="x", pady=(8, 0), side="bottom")
        self.close_button = ttk.Button(bar, text="Close", command=self.destroy)
        self.close_button.pack(side="right")
        self.put_back_button = ttk.Button(bar, text="Put back on the return", command=self._put_back)
        if put_back is not None:
            self.put_back_button.pack(side="right", padx=(0, 8))
        # The chosen row's reason in full, wrapped: a long reason is cut at the column's edge.
        self.detail = ttk.Label(frame, text="", justify="left", anchor="nw", wraplength=600)
        self.detail.pack(fill="x", pady=(6, 0), side="bottom")
        frame.bind("<Configure>", lambda e: self.detail.configure(wraplength=max(e.width - 28, 200)))
        inner = ttk.Frame(frame)
        inner.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(inner, columns=("row", "name", "reason"), show="headings", height=16)
        self.tree.heading("row", text="Export row", anchor="w")
        self.tree.heading("name", text="Learner", anchor="w")
        self.tree.heading("reason", text="Why it is left out", anchor="w")
        self.tree.column("row", width=90, stretch=False)
        self.tree.column("name", width=200, stretch=False)
        self.tree.column("reason", width=480, stretch=True)
        scroll = ttk.Scrollbar(inner, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        self._fill()
        self.tree.bind("<Configure>", lambda e: self._fit(), add="+")
        self.tree.bind("<<TreeviewSelect>>", self._show_detail)
        self.tree.bind("<<TreeviewSelect>>", self._can_put_back, add="+")
        self.bind("<Escape>", lambda e: self.destroy())
        items = self.tree.get_children()
        if items:  # a row chosen, so the arrow keys move through them from the start
            self.tree.selection_set(items[0])
            self.tree.focus(items[0])
        self._can_put_back()
        self.tree.focus_set()
        place_on_screen(self, parent.winfo_toplevel())

    def _fill(self) -> None:
        from tracker_desktop.core.preparing.left_out import left_out_names

        self.tree.delete(*self.tree.get_children())
        count = len(self.prep.left_out)
        self.heading.configure(text=f"{count} row{'s' if count != 1 else ''} of the export "
                                    f"{'are' if count != 1 else 'is'} not on this return, because:")
        self.names = left_out_names(self.prep)
        self.reasons: dict[str, str] = {}
        for i, item in enumerate(self.prep.left_out):
            reason = f"Taken out by you: {item.reason}" if item.taken_out else item.reason
            self.reasons[f"{i}"] = reason
            name = self.names.get(item.source_row, "")
            self.tree.insert("", "end", iid=f"{i}", values=(item.source_row, name, reason),
                             tags=("taken",) if item.taken_out else ())
        self._fit()

    def _fit(self) -> None:
        """Names and reasons longer than their column end in an ellipsis (the full reason is below)."""
        from tracker_desktop.gui.theme import elide

        name_width = self.tree.column("name", "width")
        reason_width = self.tree.column("reason", "width")
        for iid in self.tree.get_children():
            item = self.prep.left_out[int(iid)]
            name = elide(self.tree, self.names.get(item.source_row, ""), name_width - 12)
            self.tree.item(iid, values=(item.source_row, name, elide(self.tree, self.reasons[iid], reason_width - 12)))

    def _chosen(self):
        chosen = self.tree.selection()
        if not chosen or not self.tree.exists(chosen[0]):
            return None
        return self.prep.left_out[int(chosen[0])]

    def _can_put_back(self, event=None) -> None:
        item = self._chosen()
        self.put_back_button.state(["!disabled"] if item is not None and item.taken_out else ["disabled"])

    def _put_back(self) -> None:
        item = self._chosen()
        if item is None or not item.taken_out or self.put_back is None:
            return
        if self.put_back(item.source_row) is not None:
            self._fill()
            self.detail.configure(text=f"Export row {item.source_row} is back on the return.")
            self._can_put_back()

    def _show_detail(self, event=None) -> None:
        item = self._chosen()
        if item is None:
            self.detail.configure(text="")
            return
        name = self.names.get(item.source_row, "")
        who = f" ({name})" if name else ""
        self.detail.configure(text=f"Export row {item.source_row}{who}: {self.reasons[self.tree.selection()[0]]}")


class SaveDialog(Dialog[Path]):
    """Shows the exact KCC file name and folder before writing, and any errors still there.
    result: the folder to save in."""

    def __init__(self, parent, prep, folder: str, _utest: bool = False):
        from tracker_desktop.core.routine.nil_return import is_nil_return

        self.prep = prep
        self.start_folder = folder
        self.nil = is_nil_return(prep)
        self.errors = [p for p in prep.problems if p.severity == "error"]
        if self.nil:
            self.ok_text = "Save the e-mail"
        elif prep.definition.prepopulated:
            self.ok_text = "Next: choose a password…"
        else:
            self.ok_text = "Save anyway" if self.errors else "Save"
        if self.errors:  # Enter must not send a return with errors in it: it goes back to fix them
            self.cancel_text = "Go back and fix"
            self.cancel_is_default = True
        super().__init__(parent, "Save the nil return" if self.nil else "Save the return", _utest=_utest)

    def body(self, f):
        from tracker_desktop.core.routine.nil_return import draft_name, period_label

        prep = self.prep
        if self.nil:
            ttk.Label(f, text=f"Nobody to report for {period_label(prep)}: this saves an e-mail draft to KCC MI "
                              "saying so (a nil return), instead of a workbook.", wraplength=520, justify="left"
                      ).grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 8))
            ttk.Label(f, text=draft_name(prep), style="Heading.TLabel").grid(row=1, column=0, columnspan=2, sticky="w",
                                                                            pady=(2, 10))
        else:
            what = "File name (as TEP and KCC name it; saved encrypted)" if prep.definition.prepopulated \
                else "File name (exactly as KCC requires)"
            ttk.Label(f, text=what).grid(row=0, column=0, sticky="w")
            ttk.Label(f, text=prep.output_name, style="Heading.TLabel").grid(row=1, column=0, columnspan=2, sticky="w",
                                                                            pady=(2, 10))
        ttk.Label(f, text="Folder").grid(row=2, column=0, sticky="w")
        self.folder = tk.StringVar(self, self.start_folder)
        entry = ttk.Entry(f, textvariable=self.folder, width=56)
        entry.grid(row=3, column=0, sticky="we", pady=(2, 0))
        ttk.Button(f, text="Change…", command=self._choose).grid(row=3, column=1, padx=(8, 0))
        row = 4
        if self.errors:
            ttk.Label(f, text=f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''} still to fix. "
                              "KCC may reject the return or ask you to send it again:",
                      style="Error.TLabel", wraplength=520, justify="left"
                      ).grid(row=row, column=0, columnspan=2, sticky="w", pady=(12, 4))
            # Wrapped, read-only text: a message cut off at the edge would hide what to do about it.
            # the messages name their column
            lines = [f"Row {shown_row(prep, p.row)}: {p.message}" for p in self.errors[:MAX_LISTED]]
            if len(self.errors) > MAX_LISTED:
                lines.append(f"… and {len(self.errors) - MAX_LISTED} more "
                             "(File > Export problems list… lists them all).")
            holder = ttk.Frame(f)
            holder.grid(row=row + 1, column=0, columnspan=2, sticky="we")
            box = tk.Text(holder, height=min(2 * len(lines), 8), width=84, wrap="word", relief="flat", borderwidth=1,
                          highlightthickness=1, highlightbackground="#d0d0d0", padx=6, pady=4, font="TkDefaultFont",
                          background="#ffffff", spacing3=3)
            box.insert("1.0", "\n".join(lines))
            box.configure(state="disabled")  # still selectable and copyable, and reachable with Tab
            scroll = ttk.Scrollbar(holder, orient="vertical", command=box.yview)
            box.configure(yscrollcommand=scroll.set)
            box.pack(side="left", fill="both", expand=True)
            scroll.pack(side="right", fill="y")
            box.bind("<Tab>", _tab_on)
            self.error_text = box
            row += 2
        self.problem_label(f, row, 2)
        f.columnconfigure(0, weight=1)
        return None  # focus goes to the default button: Save, or "Go back and fix" when errors remain

    def _choose(self) -> None:
        chosen = filedialog.askdirectory(parent=self, initialdir=self.folder.get() or None, title="Save the return in")
        if chosen:
            self.folder.set(chosen)

    def validate(self) -> str | None:
        if not self.folder.get().strip():
            return "Choose the folder to save in."
        return None

    def apply(self) -> None:
        self.result = Path(self.folder.get().strip())


def _tab_on(event) -> str:
    """Tab moves on from a read-only text box (a Tk text keeps Tab for itself)."""
    following = event.widget.tk_focusNext()
    if following is not None:
        following.focus_set()
    return "break"


def next_step(prep) -> str:
    """Where the saved file goes next, in the words KCC uses."""
    if prep.definition.sent_to == "MI":
        return ("Next: upload it to KCC's Perspective Lite portal (Management Information). Upload the .xlsx as it is: "
                "do not rename it or add a password. If you have nothing to report this month, e-mail a nil return "
                "to MICorePlus@kent.gov.uk instead.")
    return ("Next: this list goes to The Education People by e-mail, encrypted with a password "
            "(stayingintouch@theeducationpeople.org). Give them the password by telephone, never in the same e-mail.")

"""The password a TEP sheet is encrypted with: a generated passphrase (offered first) or the
user's own (checked, with the reason when refused). A generated one is shown here once, with a
Copy button and the advice to give it to TEP by telephone; nothing keeps it afterwards.

A copied password is taken off the clipboard again once it has been used (after the save, or
when the dialog is cancelled, or the app closed), so it is not pasted somewhere by mistake
later; only a fingerprint of it is kept to know, and only if the clipboard still holds it."""
from __future__ import annotations

import hashlib
import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk

from tracker_desktop.core.writing import encryption as protection
from tracker_desktop.gui.dialogs import Dialog

ADVICE = ("Give this password to TEP by telephone (the Staying in Touch team) after you send the e-mail. "
          "Never put it in the e-mail, and do not save it in a file. Tracker Desktop does not keep it: "
          "it is shown only here, once.")
READ_OUT = "On the phone, read it out word by word with the dashes; the capital letters matter."


class OutputPasswordDialog(Dialog[bool]):
    """result: True when a usable password was chosen; take_password() hands it over, once."""

    ok_text = "Encrypt and save"

    def __init__(self, parent, file_name: str, _utest: bool = False):
        self.file_name = file_name
        self._password: str | None = None
        self.copied: bytes | None = None  # fingerprint of the password put on the clipboard
        super().__init__(parent, "Password for the file to TEP", _utest=_utest)

    def body(self, f):
        ttk.Label(f, text="Protect the file with a password",
                  style="Heading.TLabel").grid(row=0, column=0, columnspan=3, sticky="w")
        ttk.Label(f, text=f"{self.file_name} is sent to TEP by e-mail, encrypted. "
                          "TEP will need this password to open it.",
                  wraplength=520, justify="left").grid(row=1, column=0, columnspan=3, sticky="w", pady=(2, 12))

        self.choice = tk.StringVar(self, "generated")
        ttk.Radiobutton(f, text="Use this password (recommended)", value="generated", variable=self.choice,
                        command=self._choice_changed).grid(row=2, column=0, columnspan=3, sticky="w")
        self.generated = tk.StringVar(self, protection.generate_passphrase())
        base = tkfont.nametofont("TkFixedFont", self)
        self._font = tkfont.Font(self, family=base.actual("family"), size=abs(base.actual("size")) + 3, weight="bold")
        # Wide enough for the whole passphrase: one cut off at the edge would be copied down wrong.
        self.generated_entry = ttk.Entry(f, textvariable=self.generated, state="readonly", font=self._font,
                                         width=self._width(self.generated.get()))
        self.generated_entry.grid(row=3, column=0, sticky="we", padx=(24, 0), pady=(4, 4))
        self.copy_button = ttk.Button(f, text="Copy", command=self.copy)
        self.copy_button.grid(row=3, column=1, padx=(8, 0))
        self.another_button = ttk.Button(f, text="Another one", command=self.another)
        self.another_button.grid(row=3, column=2, padx=(8, 0))
        self.copied_label = ttk.Label(f, text=READ_OUT, style="Muted.TLabel")
        self.copied_label.grid(row=4, column=0, columnspan=3, sticky="w", padx=(24, 0))

        ttk.Radiobutton(f, text="Use a password of my own", value="own", variable=self.choice,
                        command=self._choice_changed).grid(row=5, column=0, columnspan=3, sticky="w", pady=(10, 0))
        own = ttk.Frame(f)
        own.grid(row=6, column=0, columnspan=3, sticky="w", padx=(24, 0), pady=(4, 0))
        self.own = tk.StringVar(self, "")
        self.confirm = tk.StringVar(self, "")
        ttk.Label(own, text="Password").grid(row=0, column=0, sticky="w", pady=2)
        self.own_entry = ttk.Entry(own, textvariable=self.own, show="•", width=30)
        self.own_entry.grid(row=0, column=1, sticky="w", padx=(8, 0), pady=2)
        ttk.Label(own, text="Type it again").grid(row=1, column=0, sticky="w", pady=2)
        self.confirm_entry = ttk.Entry(own, textvariable=self.confirm, show="•", width=30)
        self.confirm_entry.grid(row=1, column=1, sticky="w", padx=(8, 0), pady=2)
        ttk.Label(own, text=f"At least {protection.MIN_PASSWORD_LENGTH} characters; obvious ones are refused.",
                  style="Muted.TLabel").grid(row=2, column=1, sticky="w", padx=(8, 0))

        advice = ttk.Frame(f, padding=(10, 8), style="Advice.TFrame")
        advice.grid(row=7, column=0, columnspan=3, sticky="we", pady=(14, 0))
        ttk.Label(advice, text=ADVICE, wraplength=640, justify="left", style="Advice.TLabel").pack(anchor="w")
        self.noted = tk.BooleanVar(self, False)
        self.noted_check = ttk.Checkbutton(f, text="I have copied or written down the password", variable=self.noted)
        self.noted_check.grid(row=8, column=0, columnspan=3, sticky="w", pady=(10, 0))
        self.problem_label(f, 9)
        f.columnconfigure(0, weight=1)
        self._choice_changed()
        return self.copy_button

    def _choice_changed(self) -> None:
        generated = self.choice.get() == "generated"
        self.generated_entry.configure(state="readonly" if generated else "disabled")
        for widget in (self.copy_button, self.another_button):
            widget.configure(state="normal" if generated else "disabled")
        for entry in (self.own_entry, self.confirm_entry):
            entry.configure(state="disabled" if generated else "normal")
        if not generated:
            self.own_entry.focus_set()
        self.problem.configure(text="")

    def copy(self) -> None:
        self.clipboard_clear()
        self.clipboard_append(self.generated.get())
        self.copied = fingerprint(self.generated.get())
        self.noted.set(True)
        self.copied_label.configure(text="Copied. " + READ_OUT)

    @staticmethod
    def _width(password: str) -> int:
        return max(40, len(password) + 3)

    def another(self) -> None:
        self.generated.set(protection.generate_passphrase())
        self.generated_entry.configure(width=self._width(self.generated.get()))
        self.noted.set(False)
        self.copied_label.configure(text=READ_OUT)

    def validate(self) -> str | None:
        if self.choice.get() == "generated":
            password = self.generated.get()
        else:
            password = self.own.get()
            try:
                protection.check_password(password)
            except protection.WeakPassword as e:
                return f"That password cannot be used: {e}"
            if self.confirm.get() != password:
                self.confirm.set("")
                return "The two passwords are not the same: type it again in the second box."
        if not self.noted.get():
            return "Copy the password or write it down, then tick the box: it cannot be shown again."
        self._password = password
        return None

    def apply(self) -> None:
        self.result = True
        self._forget_fields()

    def cancel(self) -> None:
        self._password = None
        self._forget_fields()
        clear_clipboard_if(self, self.copied)  # not going to be used
        self.copied = None
        super().cancel()

    def _forget_fields(self) -> None:
        for var in (self.generated, self.own, self.confirm):
            var.set("")

    def take_copied(self) -> bytes | None:
        """The fingerprint of the password copied, for clearing the clipboard after the save."""
        copied, self.copied = self.copied, None
        return copied

    def take_password(self) -> str | None:
        """The chosen password, once: the dialog keeps no copy afterwards."""
        password, self._password = self._password, None
        return password


def fingerprint(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def clear_clipboard_if(widget: tk.Misc, copied: bytes | None) -> bool:
    """Empty the clipboard if it still holds the password copied (whatever else is left alone)."""
    if copied is None:
        return False
    try:
        held = widget.clipboard_get()
    except tk.TclError:  # empty, or holding something that is not text
        return False
    if fingerprint(held) != copied:
        return False
    widget.clipboard_clear()
    return True

"""The user's settings: who sends the returns, where they are saved, and the column matching an
office confirmed for each return, so next month's export opens straight at the review.

Kept as one JSON file in the user's settings folder. It never holds learners' names, UPNs or
passwords: only the school's own details, folders, export column headings and which periods have
been prepared.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tracker_desktop.core.matching.mapping import Mapping, mapping_from_json, mapping_to_json
from tracker_desktop.core.writing.files import write_atomic

APP_NAME = "Tracker Desktop"
APP_AUTHOR = "Tracker Desktop"
# Tests and portable installs point this at another folder.
ENV_DIR = "TRACKER_DESKTOP_SETTINGS_DIR"
VERSION = 1


def settings_dir() -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, APP_AUTHOR, roaming=True))


def settings_path() -> Path:
    return settings_dir() / "settings.json"


def log_dir() -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]) / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, APP_AUTHOR))


def history_dir() -> Path:
    """Where the record of prepared returns is kept (core/history.py): the user data folder."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]) / "history"
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def default_output_folder() -> Path:
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "KCC returns"


@dataclass
class Settings:
    school_name: str = ""
    school_number: str = ""  # 7 digits, LA 886 + DfE number
    college_code: str = ""
    output_folder: str = ""
    last_export_folder: str = ""
    mappings: dict[str, dict] = field(default_factory=dict)  # "sender|return" -> mapping JSON
    # "return|template file" -> {template header: our column it is, or None}: the user's answers
    understood: dict[str, dict] = field(default_factory=dict)
    prepared: dict[str, str] = field(default_factory=dict)  # return id -> last period prepared
    closure_days: list = field(default_factory=list)  # the school's own closure days, YYYY-MM-DD
    window: str = ""  # the main window's last size and place ("WxH+X+Y", or "zoomed"): no data
    path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def closures(self) -> list:
        """The closure days as dates (a damaged entry is skipped, never fatal)."""
        import datetime as dt

        days = []
        for text in self.closure_days:
            try:
                days.append(dt.date.fromisoformat(str(text)))
            except ValueError:
                continue
        return days

    # --- who is sending ------------------------------------------------------------------------

    @property
    def is_complete(self) -> bool:
        return bool((self.school_number or self.college_code) and self.output_folder)

    @property
    def sender(self) -> str:
        return self.school_number or self.college_code

    def sender_args(self) -> dict[str, str | None]:
        """Keyword arguments for Preparation.start."""
        return {"school": self.school_number or None,
                "college": None if self.school_number else (self.college_code or None)}

    # --- remembered column matching ----------------------------------------------------------

    def _key(self, return_id: str) -> str:
        return f"{self.sender}|{return_id}"

    def mapping_for(self, return_id: str) -> Mapping | None:
        raw = self.mappings.get(self._key(return_id))
        if not raw:
            return None
        try:
            return mapping_from_json(raw)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a damaged entry is forgotten, not fatal: the columns are matched again

    def remember_mapping(self, return_id: str, mapping: Mapping) -> None:
        self.mappings[self._key(return_id)] = mapping_to_json(mapping)

    def forget_mapping(self, return_id: str) -> None:
        self.mappings.pop(self._key(return_id), None)

    def understood_for(self, return_id: str, template: str) -> dict[str, str | None]:
        raw = self.understood.get(f"{return_id}|{template}")
        if not isinstance(raw, dict):
            return {}
        return {str(h): (str(n) if n else None) for h, n in raw.items()}

    def remember_understood(self, return_id: str, template: str, answers: dict[str, str | None]) -> None:
        self.understood[f"{return_id}|{template}"] = dict(answers)

    # --- loading and saving ---------------------------------------------------------------------

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("path", None)
        data["version"] = VERSION
        return data

    def save(self, path: Path | None = None) -> Path:
        target = Path(path or self.path or settings_path())
        self.path = target
        data = json.dumps(self.to_json(), indent=1, ensure_ascii=False).encode("utf-8")
        return write_atomic(target, data, force=True)


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, or empty ones (first run) if there are none or they are damaged."""
    target = Path(path or settings_path())
    try:
        raw = json.loads(target.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError
    except (OSError, ValueError, RecursionError):  # RecursionError: a file nested thousands deep
        return Settings(path=target)
    known = {k: raw[k] for k in Settings.__dataclass_fields__ if k in raw and k != "path"}
    settings = Settings(path=target)
    for key, value in known.items():
        expected = type(getattr(settings, key))
        if isinstance(value, expected):
            setattr(settings, key, value)
    return settings


def check_school_number(text: str) -> str | None:
    """None when the number is usable, otherwise what is wrong, in a sentence."""
    value = text.strip()
    if not re.fullmatch(r"\d{7}", value):
        return "The school number is 7 digits: 886 followed by your 4-digit DfE number, e.g. 8864123."
    if not value.startswith("886"):
        return "Kent school numbers start with 886 (the LA number), e.g. 8864123."
    return None


def check_college_code(text: str) -> str | None:
    if not re.fullmatch(r"[A-Z]{2,6}", text.strip().upper()):
        return "A college code is 2 to 6 capital letters, e.g. MKC."
    return None

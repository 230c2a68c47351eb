"""File names exactly as KCC requires them (DOMAIN.md section 2)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns.definitions import ReturnDefinition
from tracker_desktop.core.values.calendar import MONTH_ABBR, academic_year_label, academic_year_start

KENT_LA = "886"


@dataclass(frozen=True)
class Sender:
    """Who sends the return: a school by its 7-digit LA + DfE number, or a college by its code."""

    school: str | None = None
    college: str | None = None

    @property
    def code(self) -> str:
        return self.school or self.college or ""


def check_sender(definition: ReturnDefinition, school: str | None, college: str | None) -> Sender:
    if definition.who == "college":
        if not college:
            raise UserError(f"{definition.title} is a college return: give the college code (--college, e.g. MKC).")
        code = college.strip().upper()
        if not re.fullmatch(r"[A-Z]{2,6}", code):
            raise UserError(f"'{college}' is not a college code: "
                            "use the short upper-case code KCC gave you, such as MKC.")
        return Sender(college=code)
    if not school:
        raise UserError(f"{definition.title} is a school return: give the school's 7-digit number (--school 886NNNN).")
    number = "".join(school.split()).replace("/", "")
    if re.fullmatch(r"\d{4}", number):
        number = KENT_LA + number  # the 4-digit DfE number alone: Kent schools are 886
    if not re.fullmatch(rf"{KENT_LA}\d{{4}}", number):
        raise UserError(f"'{school}' is not a Kent school number: use the 7-digit number, 886 and the 4-digit DfE "
                        "number, e.g. 8864123.")
    return Sender(school=number)


def left_year(as_of: dt.date) -> int:
    """The calendar year of the latest 31 August on or before a date (the summer they left)."""
    return as_of.year if (as_of.month, as_of.day) >= (8, 31) else as_of.year - 1


def file_name(definition: ReturnDefinition, sender: Sender, period: dt.date, as_of: dt.date) -> str:
    start = academic_year_start(period)
    fields = {
        "org": sender.code,
        "month": MONTH_ABBR[period.month - 1],
        "academic_year": academic_year_label(start),
        "guarantee_year": str(start + 1),
        "left_year": str(left_year(as_of)),
    }
    try:
        return definition.file_name.format(**fields)
    except (KeyError, IndexError) as e:
        raise UserError(f"The file name pattern of {definition.id} uses an unknown part {e}.") from None


def sender_from_name(definition: ReturnDefinition, name: str) -> Sender | None:
    """Who sent a return, read from its file name as KCC requires it (`8864123SchoolLeaversOct.xlsx`
    gives school 8864123); None when the name does not follow the return's pattern."""
    pattern = re.escape(definition.file_name)
    for part in ("month", "academic_year", "guarantee_year", "left_year"):
        pattern = pattern.replace(re.escape("{" + part + "}"), r".+?")
    org = r"(?P<org>\d{7})" if definition.who == "school" else r"(?P<org>[A-Za-z]{2,6})"
    pattern = pattern.replace(re.escape("{org}"), org)
    # The stem is enough: a copy saved as 'name (1).xlsx' or with another extension still tells.
    stem = re.sub(r"\\\.xlsx$", "", pattern)
    found = re.match(stem, name.strip(), flags=re.IGNORECASE)
    if not found:
        return None
    code = found.group("org")
    try:
        if definition.who == "school":
            return check_sender(definition, code, None)
        return check_sender(definition, None, code)
    except UserError:
        return None

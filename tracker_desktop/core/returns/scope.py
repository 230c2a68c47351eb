"""Which learners a return is about (DOMAIN.md section 2, 'scope'). A learner is left out only
when the export shows they are outside the return, always with a reason; a learner whose year
group or date cannot be read stays in, for the checks to flag."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tracker_desktop.core.returns.definitions import enrolment_rule
from tracker_desktop.core.values.calendar import MONTH_ABBR, month_end
from tracker_desktop.core.values.cleaning import clean_nc_year, parse_date
from tracker_desktop.core.values.numbers import small_number


@dataclass(frozen=True)
class Period:
    """The reporting month (monthly returns) and the academic year it belongs to."""

    month_start: dt.date
    academic_year: int
    as_of: dt.date

    @property
    def month_end(self) -> dt.date:
        return month_end(self.month_start.year, self.month_start.month)

    @property
    def month_label(self) -> str:
        return f"{MONTH_ABBR[self.month_start.month - 1]} {self.month_start.year}"


def out_of_scope(scope: dict, values: dict[str, str], period: Period,
                 headers: dict[str, str] | None = None) -> str | None:
    """Why a learner is not on the return, or None when they are. `headers` maps our column
    names to the template's, where a newer template renamed them."""
    if headers:  # only the fields read below: a template has dozens of columns
        values = {name: values.get(headers[name], "") for name in _read_by_scope(scope) if name in headers}
    why = off_main_roll(values)
    if why:
        return why
    year = _year(values.get("NC Year", ""))
    if "nc_years" in scope and year is not None and year not in scope["nc_years"]:
        wanted = ", ".join(str(y) for y in scope["nc_years"])
        return f"NC Year {year} is not in this return (Years {wanted})"
    if "nc_year_from" in scope and year is not None and year < scope["nc_year_from"]:
        return f"NC Year {year} is below Year {scope['nc_year_from']}"
    if "age_on_31_august" in scope:
        why = _age_out(scope["age_on_31_august"], values, period)
        if why:
            return why
    field = scope.get("date_in_period")
    if field:
        raw = values.get(field, "").strip()
        if not raw:
            return f"no {field}"
        date = parse_date(raw)
        if date is not None and not (period.month_start <= date <= period.month_end):
            return f"{field} {date:%d/%m/%Y} is not in {period.month_label}"
    field = scope.get("left_on_or_before_as_of")
    if field:
        date = parse_date(values.get(field, ""))
        if date is not None and date <= period.as_of:
            return f"left on {date:%d/%m/%Y}, on or before {period.as_of:%d/%m/%Y}"
    return None


def _read_by_scope(scope: dict) -> tuple[str, ...]:
    """Every field out_of_scope reads, by our names."""
    fields = (enrolment_rule().get("column"), "NC Year", "Date of Birth", "Start Date", "EHCP",
              scope.get("date_in_period"), scope.get("left_on_or_before_as_of"))
    return tuple(f for f in dict.fromkeys(fields) if f)


def enrolment_status(text: str) -> str | None:
    """The census code of an enrolment status written as a code ('S') or in words ('Guest',
    'Subsidiary (dual registration)', 'M - Main'); None when it cannot be read."""
    statuses = enrolment_rule().get("statuses", {})
    words = " ".join(re.findall(r"[a-z]+", text.lower()))
    first = text.strip()[:1].upper()
    if first in statuses and (len(text.strip()) == 1 or re.match(r"^\s*[A-Za-z]\s*[-–:(]", text)):
        return first
    for code, status in statuses.items():
        names = status.get("words", ())
        if words in names or any(f" {w} " in f" {words} " for w in names if " " in w):
            return code
    for code, status in statuses.items():  # one distinctive word: 'Guest pupil (short stay)'
        if any(w in words.split() for w in status.get("words", ())[:1]):
            return code
    return None


def off_main_roll(values: dict[str, str]) -> str | None:
    """Why a learner is not on the school's main roll, or None. Only a status read as one not on
    the main roll leaves a learner out; no status, or one that cannot be read, keeps them in."""
    rule = enrolment_rule()
    column = rule.get("column")
    text = values.get(column, "").strip() if column else ""
    if not text:
        return None
    code = enrolment_status(text)
    if code is None or code in rule.get("main_roll", ()):
        return None
    status = rule["statuses"][code]
    reason = f"enrolment status {code} ({status['label']}): not on the school's main roll"
    return f"{reason}; {status['why']}" if status.get("why") else reason


def _year(text: str) -> int | None:
    cleaned = clean_nc_year(text.strip()) if text.strip() else ""
    return small_number(cleaned, None, digits=2)


def _age_out(rule: dict, values: dict[str, str], period: Period) -> str | None:
    dob = parse_date(values.get("Date of Birth", ""))
    if dob is None:
        return None
    year = period.academic_year
    start = parse_date(values.get("Start Date", ""))
    if start is not None:
        # "aged 16-18 on 31 August before the course starts": a second-year learner is judged
        # on the 31 August before their course began, not this year's.
        year = start.year if (start.month, start.day) > (8, 31) else start.year - 1
    if rule.get("of_september_offered"):
        # Offers are for the coming September: age is judged on the 31 August just before it.
        year = period.month_start.year if period.month_start.month <= 9 else period.month_start.year + 1
    on = dt.date(year, 8, 31)
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    if rule["from"] <= age <= rule["to"]:
        return None
    ehcp = values.get("EHCP", "").strip().upper()
    if "with_ehcp_to" in rule and ehcp == "Y" and rule["to"] < age <= rule["with_ehcp_to"]:
        return None
    upper = rule.get("with_ehcp_to", rule["to"])
    return f"aged {age} on 31 August {year} (this return takes {rule['from']}-{rule['to']}" + (
        f", or up to {upper} with an EHC plan)" if "with_ehcp_to" in rule else ")")

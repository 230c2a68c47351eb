"""The checks every return runs (DOMAIN.md section 3.3). Each rule has an id, a severity (an
`error` must be fixed before sending; a `query` must be looked at and may stand, as in DfE
COLLECT), a title, a message template and a description. Checking yields plain Problems.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from tracker_desktop.core.values.cleaning import code_of, is_postcode, parse_date, phone_digits, phone_facts
from tracker_desktop.core.returns.definitions import ReturnDefinition, code_lists, eet_codes
from tracker_desktop.core.values.identifiers import ULN_NOT_KNOWN, is_temporary_upn, uln_problem, upn_problem

ERROR, QUERY = "error", "query"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    message: str  # str.format template: {column}, {value}, {detail}
    description: str


@dataclass(frozen=True)
class Problem:
    row: int  # index of the learner in the return (0-based)
    column: str  # the template header
    rule: str
    severity: str
    message: str


RULES = {r.id: r for r in (
    Rule("mandatory-missing", ERROR, "Mandatory field empty", "{column} is mandatory and is empty.{detail} Fill it in here, and in the MIS for next time.",
         "Columns highlighted orange in KCC's template must be filled for every learner."),
    Rule("required-when", ERROR, "Field needed for this answer", "{column} is needed because {detail}.",
         "Some columns become mandatory because of another answer on the same row."),
    Rule("upn-invalid", ERROR, "UPN not valid", "UPN '{value}' is not valid: {detail}.",
         "A UPN is 13 characters with a check letter first; a wrong check letter means a character was mistyped."),
    Rule("upn-temporary", QUERY, "Temporary UPN", "UPN '{value}' is a temporary UPN: replace it with the permanent one if the pupil has it.",
         "A temporary UPN ends in a letter. It is accepted, but the permanent UPN should be used once known."),
    Rule("uln-invalid", ERROR, "ULN not valid", "ULN '{value}' is not valid: {detail}.",
         "A ULN is 10 digits with a check digit last."),
    Rule("uln-not-known", QUERY, "ULN not known", "ULN 9999999999 means 'not known': find the learner's real ULN if you can.",
         "The Learning Records Service's placeholder ULN is accepted but should be replaced."),
    Rule("date-invalid", ERROR, "Not a real date", "{column} '{value}' is not a real date (use dd/mm/yyyy).",
         "Dates must be real calendar dates, written day/month/year."),
    Rule("date-future", ERROR, "Date in the future", "{column} {value} is in the future (after {detail}, the date this return is prepared for): check the date in the MIS.",
         "Dates of birth, joining, offers and when a destination was ascertained cannot be in the future."),
    Rule("age-year-query", QUERY, "Age and year group one year apart", "Date of birth {value} makes the learner {detail}: check the year group (held back or moved up a year?).",
         "A learner's age on 31 August is normally their NC year + 4; one year out may be right but should be checked."),
    Rule("age-year-error", ERROR, "Age does not fit year group", "Date of birth {value} makes the learner {detail}: the date of birth or the year group is wrong.",
         "Two or more years between age and NC year is almost always a typing mistake."),
    Rule("ncyear-invalid", ERROR, "Not a year group", "{column} '{value}' is not a national-curriculum year (a whole number such as 11).",
         "NC year is a whole number."),
    Rule("number-invalid", ERROR, "Not a whole number", "{column} '{value}' should be a whole number.",
         "The column holds a whole number."),
    Rule("postcode-invalid", ERROR, "Postcode not valid", "Postcode '{value}' is not a UK postcode (like ME14 1XX).",
         "Postcodes are upper case with one space, in one of the UK formats."),
    Rule("phone-invalid", ERROR, "Telephone not valid", "{column} '{value}' is not a valid UK telephone number.{detail} Check it with the family and correct it in the MIS.",
         "Telephone numbers must be real UK numbers; a leading zero lost in Excel is restored first."),
    Rule("email-query", QUERY, "E-mail looks wrong", "{column} '{value}' does not look like an e-mail address.",
         "An e-mail address has one @, a dot in the part after it and no spaces."),
    Rule("code-invalid", ERROR, "Not in the list", "{column} '{value}' is not one of the allowed values: choose one from the list.{detail}",
         "Coded columns accept the code, 'code - label' or the label from the NCCIS lists."),
    Rule("code-not-allowed", ERROR, "Code not allowed here", "{column} {value} is not allowed here: {detail}.",
         "Some codes are allowed only for some learners (year group, EHCP, gender)."),
    Rule("aim-invalid", ERROR, "Learning aim not valid", "{column} '{value}' is not an 8-character learning aim reference.",
         "A learning aim reference (LARS) is 8 letters and digits."),
    Rule("not-matched", QUERY, "Not found in the export", "This learner was not found in {detail}: fill in their row by hand.",
         "A pre-populated row (TEP's list) that no row of the MIS export matched by UPN, TEP Ref, or name and date of birth."),
    Rule("written-differently", ERROR, "Not written as KCC's return needs", "{column} '{value}' is not written as KCC's return needs it: it should be '{detail}'. Correct the workbook, or save the return again from Tracker Desktop.",
         "A filled-in return holds values exactly as uploaded: a value tidying would change (Female for F, a phone number without its 0) is wrong in the file."),
    Rule("unreadable-character", ERROR, "Character that could not be read",
         "{column} '{value}' holds a character the export's file could not give (shown as \ufffd): "
         "type the value as it should be, and correct it in the MIS.",
         "A byte that is a character in no encoding an MIS writes was found on this line of the export."),
    Rule("row-damaged", QUERY, "Row damaged in the export", "{detail}.",
         "A stray quote mark in a CSV export: the row was read on its own, split at each delimiter, "
         "so no learner was lost; its values should be checked."),
    Rule("duplicate-learner", ERROR, "Learner on more than one row", "{column} {value} is on {detail}: KCC accepts one line per learner. Keep one row, or correct the {column}.",
         "Each learner appears once; every row sharing the identifier is marked."),
)}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
AIM = re.compile(r"^[A-Z0-9]{8}$")


@dataclass
class CheckContext:
    definition: ReturnDefinition
    mandatory: frozenset[str]
    as_of: dt.date
    academic_year: int  # the September year of the return's academic year
    dropdowns: dict[str, list[str]]
    headers: dict[str, str] = field(default_factory=dict)  # our column name -> this template's header

    meanings: dict = field(default_factory=dict)  # filled as columns are met: meaning() is hot

    def meaning(self, column: str):
        found = self.meanings.get(column)
        if found is None:
            found = self.meanings[column] = self.definition.meaning(column)
        return found

    def value(self, values: dict[str, str], name: str) -> str:
        return values.get(self.headers.get(name, name), "")

    def has(self, columns: Sequence[str], name: str) -> bool:
        return self.headers.get(name, name) in columns


def problem(row: int, column: str, rule_id: str, value: str = "", detail: str = "") -> Problem:
    rule = RULES[rule_id]
    return Problem(row, column, rule_id, rule.severity, rule.message.format(column=column, value=value, detail=detail))


def check_learner(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    """Every problem on one learner's row (the duplicate check runs across rows separately)."""
    found: list[Problem] = []
    for column in columns:
        value = values.get(column, "")
        meaning = ctx.meaning(column)
        if not value.strip():
            if column in ctx.mandatory:
                detail = ""
                if meaning.suggest_when_empty:
                    detail = " If the destination is not known use 810 (150 for Year 11 and below)."
                found.append(problem(row, column, "mandatory-missing", detail=detail))
            elif meaning.required_when and _required(ctx, meaning.required_when, values):
                other = meaning.required_when["column"]
                found.append(problem(row, column, "required-when", detail=f"{ctx.headers.get(other, other)} is {ctx.value(values, other).strip()}"))
            continue
        if "\ufffd" in value:
            found.append(problem(row, column, "unreadable-character", value))
            continue
        found.extend(_check_value(ctx, row, column, value, values))
    found.extend(_cross_checks(ctx, row, values, columns))
    return found


def _required(ctx: CheckContext, rule: dict, values: dict[str, str]) -> bool:
    codes = eet_codes() if rule["codes"] == "eet" else rule["codes"]
    return ctx.value(values, rule["column"]).strip() in codes


def _check_value(ctx: CheckContext, row: int, column: str, value: str, values: dict[str, str]) -> list[Problem]:
    meaning = ctx.meaning(column)
    kind = meaning.type
    if kind == "upn":
        why = upn_problem(value)
        if why:
            return [problem(row, column, "upn-invalid", value, why)]
        return [problem(row, column, "upn-temporary", value)] if is_temporary_upn(value) else []
    if kind == "uln":
        why = uln_problem(value)
        if why:
            return [problem(row, column, "uln-invalid", value, why)]
        return [problem(row, column, "uln-not-known", value)] if value == ULN_NOT_KNOWN else []
    if kind == "date":
        date = parse_date(value)
        if date is None:
            return [problem(row, column, "date-invalid", value)]
        if meaning.not_future and date > ctx.as_of:
            return [problem(row, column, "date-future", value, f"{ctx.as_of:%d/%m/%Y}")]
        return []
    if kind == "ncyear":
        return [] if _whole(value) is not None and 0 <= _whole(value) <= 14 else [problem(row, column, "ncyear-invalid", value)]
    if kind == "whole":
        return [] if _whole(value) is not None else [problem(row, column, "number-invalid", value)]
    if kind == "postcode":
        return [] if is_postcode(value) else [problem(row, column, "postcode-invalid", value)]
    if kind == "phone":
        return _check_phone(row, column, value)
    if kind == "email":
        return [] if EMAIL.match(value) else [problem(row, column, "email-query", value)]
    if kind == "aim":
        return [] if AIM.match(value) else [problem(row, column, "aim-invalid", value)]
    if kind == "code" and meaning.codes:
        code = code_of(value, meaning.codes)
        if code is None:
            return [problem(row, column, "code-invalid", value, _examples(meaning.codes))]
        if meaning.allowed_codes and not (meaning.allowed_codes["from"] <= code <= meaning.allowed_codes["to"]):
            return [problem(row, column, "code-not-allowed", value,
                            f"this column takes codes {meaning.allowed_codes['from']} to {meaning.allowed_codes['to']}")]
        return []
    dropdown = ctx.dropdowns.get(column)
    if dropdown and value not in dropdown:
        return [problem(row, column, "code-invalid", value, _examples_from(dropdown))]
    return []


def _check_phone(row: int, column: str, value: str) -> list[Problem]:
    digits = phone_digits(value)
    if phone_facts(digits)[0]:
        return []
    detail = " Numbers in the 07700 900xxx and 01632 960xxx ranges are reserved for drama and never real." if digits.startswith(("07700900", "01632960")) else ""
    return [problem(row, column, "phone-invalid", value, detail)]


def _examples(list_name: str) -> str:
    codes = code_lists().get(list_name, {})
    if len(codes) <= 8:
        return " Allowed: " + ", ".join(f"{c} ({label})" if c != label else c for c, label in codes.items()) + "."
    return f" It takes a code from the {list_name.replace('-', ' ')} list (the code, 'code - label' or the label)."


def _examples_from(codes: list[str]) -> str:
    shown = ", ".join(codes[:8])
    return f" Allowed: {shown}{', ...' if len(codes) > 8 else ''}."


def _whole(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _cross_checks(ctx: CheckContext, row: int, values: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    found: list[Problem] = []
    year = _whole(ctx.value(values, "NC Year").strip()) if ctx.has(columns, "NC Year") else None
    dob = parse_date(ctx.value(values, "Date of Birth")) if ctx.has(columns, "Date of Birth") else None
    if year is not None and dob is not None and dob <= ctx.as_of:
        found.extend(_age_check(ctx, row, dob, year, ctx.value(values, "EHCP").strip().upper()))
    ehcp = ctx.value(values, "EHCP").strip().upper()
    gender = ctx.value(values, "Gender").strip().upper()
    for column in columns:
        meaning = ctx.meaning(column)
        code = code_of(values.get(column, "").strip(), meaning.codes) if meaning.codes else None
        if not code:
            continue
        if meaning.activity:
            if year is not None and code[0] == "1" and year > 11:
                found.append(problem(row, column, "code-not-allowed", code, "codes 110-150 are only for Year 11 and below"))
            elif year is not None and code[0] != "1" and year <= 11:
                found.append(problem(row, column, "code-not-allowed", code, "this code is only for Year 12 and above"))
            if code in ("280", "460") and ctx.has(columns, "EHCP") and ehcp != "Y":
                found.append(problem(row, column, "code-not-allowed", code, "280 and 460 need the learner to have an EHC plan (EHCP = Y)"))
            if code == "650" and gender == "M":
                found.append(problem(row, column, "code-not-allowed", code, "650 (pregnancy) cannot go with gender M"))
        if meaning.guarantee and code in ("114", "115") and year is not None and year != 12:
            found.append(problem(row, column, "code-not-allowed", code, "114 and 115 are for Year 12 only"))
    return found


def _age_check(ctx: CheckContext, row: int, dob: dt.date, year: int, ehcp: str) -> list[Problem]:
    on = dt.date(ctx.academic_year, 8, 31)
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    if age > 18 and ehcp == "Y":
        return []  # learners with an EHC plan are tracked to 25, past any NC year
    gap = abs(age - (year + 4))
    if gap == 0:
        return []
    detail = f"{age} on 31 August {ctx.academic_year}, usual for Year {age - 4}, not Year {year}"
    return [problem(row, "Date of Birth", "age-year-query" if gap == 1 else "age-year-error", f"{dob:%d/%m/%Y}", detail)]


def check_duplicates(identity: str, values: Iterable[str]) -> list[Problem]:
    """Every row sharing an identifier (UPN, or ULN for colleges) with another row."""
    rows_of: dict[str, list[int]] = {}
    for row, value in enumerate(values):
        key = value.strip().upper()
        if key and key != ULN_NOT_KNOWN:  # the 'not known' placeholder is a query, not a learner
            rows_of.setdefault(key, []).append(row)
    found = []
    for key, rows in rows_of.items():
        if len(rows) > 1:
            for r in rows:
                others = [str(o + 2) for o in rows if o != r]  # rows as the written workbook numbers them
                where = f"{len(rows)} rows (also row{'s' if len(others) > 1 else ''} {', '.join(others)} of the return)"
                found.append(problem(r, identity, "duplicate-learner", key, where))
    return found

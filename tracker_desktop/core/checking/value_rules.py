"""Rules on one cell (DOMAIN.md section 3.3): an empty cell that must be filled, and a value that
is not what its column holds. Each function returns the problem's detail, or None when the cell
is fine."""
from __future__ import annotations

import re

from tracker_desktop.core.checking.problems import ERROR, QUERY
from tracker_desktop.core.checking.registry import CheckContext, also_value_rule, empty_rule, of_type, value_rule
from tracker_desktop.core.returns.definitions import ColumnMeaning, code_lists, eet_codes
from tracker_desktop.core.values.cleaning import (
    code_candidates,
    code_of,
    is_postcode,
    parse_date,
    phone_digits,
    phone_facts,
)
from tracker_desktop.core.values.identifiers import ULN_NOT_KNOWN, is_temporary_upn, uln_problem, upn_problem

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
AIM = re.compile(r"^[A-Z0-9]{8}$")


# --- empty cells --------------------------------------------------------------------------------

@empty_rule("mandatory-missing", ERROR, "Mandatory field empty",
            message="{column} is mandatory and is empty.{detail} Fill it in here, and in the MIS for next time.",
            description="Columns highlighted orange in KCC's template must be filled for every learner.",
            advice=("Fill this in for the learner in the MIS, then export and prepare the return again (or type it in "
                    "the review)."),
            applies=lambda meaning, ctx, column: column in ctx.mandatory)
def mandatory_missing(ctx: CheckContext, column: str, values: dict[str, str]) -> str | None:
    if ctx.meaning(column).suggest_when_empty:
        return " If the destination is not known use 810 (150 for Year 11 and below)."
    return ""


@empty_rule("required-when", ERROR, "Field needed for this answer",
            message="{column} is needed because {detail}.",
            description="Some columns become mandatory because of another answer on the same row.",
            advice="This answer needs this column too: fill it in, or change the other answer if it is wrong.",
            applies=lambda meaning, ctx, column: bool(meaning.required_when))
def required_when(ctx: CheckContext, column: str, values: dict[str, str]) -> str | None:
    rule = ctx.meaning(column).required_when or {}
    codes = eet_codes() if rule["codes"] == "eet" else rule["codes"]
    other = rule["column"]
    answer = ctx.value(values, other).strip()
    return f"{ctx.headers.get(other, other)} is {answer}" if answer in codes else None


# --- identifiers ----------------------------------------------------------------------------------

@value_rule("upn-invalid", ERROR, "UPN not valid",
            message="UPN '{value}' is not valid: {detail}.",
            description=("A UPN is 13 characters with a check letter first; a wrong check letter means a character was "
                         "mistyped."),
            advice="Check the UPN in the MIS against the learner's records; one character is probably mistyped.",
            applies=of_type("upn"))
def upn_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    return upn_problem(value) or None


@value_rule("upn-temporary", QUERY, "Temporary UPN",
            message="UPN '{value}' is a temporary UPN: replace it with the permanent one if the pupil has it.",
            description=("A temporary UPN ends in a letter. It is accepted, but the permanent UPN should be used once "
                         "known."),
            advice="If the learner now has a permanent UPN, put it in the MIS. Otherwise this may stand.",
            applies=of_type("upn"))
def upn_temporary(ctx: CheckContext, column: str, value: str) -> str | None:
    return "" if is_temporary_upn(value) else None


@value_rule("uln-invalid", ERROR, "ULN not valid",
            message="ULN '{value}' is not valid: {detail}.",
            description="A ULN is 10 digits with a check digit last.",
            advice="Check the ULN against the Learning Records Service; a digit is probably mistyped.",
            applies=of_type("uln"))
def uln_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    return uln_problem(value) or None


@value_rule("uln-not-known", QUERY, "ULN not known",
            message="ULN 9999999999 means 'not known': find the learner's real ULN if you can.",
            description="The Learning Records Service's placeholder ULN is accepted but should be replaced.",
            advice="Look the learner up in the Learning Records Service and record the real ULN if there is one.",
            applies=of_type("uln"))
def uln_not_known(ctx: CheckContext, column: str, value: str) -> str | None:
    return "" if value == ULN_NOT_KNOWN else None


# --- dates and numbers ----------------------------------------------------------------------------

@value_rule("date-invalid", ERROR, "Not a real date",
            message="{column} '{value}' is not a real date (use dd/mm/yyyy).",
            description="Dates must be real calendar dates, written day/month/year.",
            advice="Correct the date in the MIS (day/month/year).",
            applies=of_type("date"))
def date_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    return "" if parse_date(value) is None else None


@value_rule("date-future", ERROR, "Date in the future",
            message=("{column} {value} is in the future (after {detail}, the date this return is prepared for): check "
                     "the date in the MIS."),
            description=("Dates of birth, joining, offers and when a destination was ascertained cannot be in the "
                         "future."),
            advice="Correct the date in the MIS: it cannot be after the date of the return.",
            applies=lambda meaning, ctx, column: meaning.type == "date" and meaning.not_future)
def date_future(ctx: CheckContext, column: str, value: str) -> str | None:
    date = parse_date(value)
    return f"{ctx.as_of:%d/%m/%Y}" if date is not None and date > ctx.as_of else None


@value_rule("ncyear-invalid", ERROR, "Not a year group",
            message="{column} '{value}' is not a national-curriculum year (a whole number such as 11).",
            description="NC year is a whole number.",
            advice="Record the national-curriculum year as a whole number in the MIS.",
            applies=of_type("ncyear"))
def ncyear_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    year = whole(value)
    return None if year is not None and 0 <= year <= 14 else ""


@value_rule("number-invalid", ERROR, "Not a whole number",
            message="{column} '{value}' should be a whole number.",
            description="The column holds a whole number.",
            advice="Record a whole number.",
            applies=of_type("whole"))
def number_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    return None if whole(value) is not None else ""


def whole(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


# --- contact details ------------------------------------------------------------------------------

@value_rule("postcode-invalid", ERROR, "Postcode not valid",
            message="Postcode '{value}' is not a UK postcode (like ME14 1XX).",
            description="Postcodes are upper case with one space, in one of the UK formats.",
            advice="Correct the postcode in the MIS (like ME14 1XX).",
            applies=of_type("postcode"))
def postcode_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    return None if is_postcode(value) else ""


@value_rule("phone-invalid", ERROR, "Telephone not valid",
            message=("{column} '{value}' is not a valid UK telephone number.{detail} Check it with the family and "
                     "correct it in the MIS."),
            description="Telephone numbers must be real UK numbers; a leading zero lost in Excel is restored first.",
            advice="Correct the telephone number in the MIS, or remove it if it is no longer used.",
            applies=of_type("phone"))
def phone_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    if value in ctx.valid_phones:
        return None
    digits = phone_digits(value)
    if phone_facts(digits)[0]:
        return None
    if digits.startswith(("07700900", "01632960")):
        return " Numbers in the 07700 900xxx and 01632 960xxx ranges are reserved for drama and never real."
    return ""


@value_rule("email-query", QUERY, "E-mail looks wrong",
            message="{column} '{value}' does not look like an e-mail address.",
            description="An e-mail address has one @, a dot in the part after it and no spaces.",
            advice="Check the e-mail address in the MIS; it may stand if it is right.",
            applies=of_type("email"))
def email_query(ctx: CheckContext, column: str, value: str) -> str | None:
    return None if EMAIL.match(value) else ""


# --- codes ------------------------------------------------------------------------------------------

def _coded(meaning: ColumnMeaning, ctx: CheckContext, column: str) -> bool:
    return meaning.type == "code" and bool(meaning.codes)


@value_rule("code-invalid", ERROR, "Not in the list",
            message="{column} '{value}' is not one of the allowed values: choose one from the list.{detail}",
            description="Coded columns accept the code, 'code - label' or the label from the NCCIS lists.",
            advice="Choose one of the allowed values (the dropdown in the review lists them).",
            applies=_coded)
def code_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    list_name = ctx.meaning(column).codes
    if code_of(value, list_name) is not None:
        return None
    return _could_be(value, list_name) or _examples(list_name)


@also_value_rule("code-invalid", fallback=True, applies=lambda meaning, ctx, column: bool(ctx.dropdowns.get(column)))
def not_in_dropdown(ctx: CheckContext, column: str, value: str) -> str | None:
    """A column we know nothing about, checked against the template's own dropdown."""
    dropdown = ctx.dropdowns[column]
    if value in dropdown:
        return None
    return f" Allowed: {', '.join(dropdown[:8])}{', ...' if len(dropdown) > 8 else ''}."


@value_rule("code-not-allowed", ERROR, "Code not allowed here",
            message="{column} {value} is not allowed here: {detail}.",
            description="Some codes are allowed only for some learners (year group, EHCP, gender).",
            advice="Choose a code that fits this learner (year group, EHCP or gender).",
            applies=lambda meaning, ctx, column: _coded(meaning, ctx, column) and bool(meaning.allowed_codes))
def code_out_of_range(ctx: CheckContext, column: str, value: str) -> str | None:
    meaning = ctx.meaning(column)
    code, span = code_of(value, meaning.codes), meaning.allowed_codes or {}
    if code is None or span["from"] <= code <= span["to"]:
        return None
    return f"this column takes codes {span['from']} to {span['to']}"


@value_rule("aim-invalid", ERROR, "Learning aim not valid",
            message="{column} '{value}' is not an 8-character learning aim reference.",
            description="A learning aim reference (LARS) is 8 letters and digits.",
            advice="Record the 8-character learning aim reference from LARS.",
            applies=of_type("aim"))
def aim_invalid(ctx: CheckContext, column: str, value: str) -> str | None:
    return None if AIM.match(value) else ""


def _could_be(value: str, list_name: str | None) -> str:
    """For a label that could mean more than one code: which ones (never guessed between)."""
    meant = code_candidates(value, list_name or "")
    if len(meant) < 2:
        return ""
    labels = code_lists().get(list_name or "", {})
    shown = ", ".join(f"{c} ({labels[c]})" if labels.get(c, c) != c else c for c in meant)
    return f" It could mean {shown}: choose the one meant."


def _examples(list_name: str | None) -> str:
    codes = code_lists().get(list_name or "", {})
    if len(codes) <= 8:
        return " Allowed: " + ", ".join(f"{c} ({label})" if c != label else c for c, label in codes.items()) + "."
    named = (list_name or "").replace("-", " ")
    return f" It takes a code from the {named} list (the code, 'code - label' or the label)."

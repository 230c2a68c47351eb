"""Cleaning (DOMAIN.md sections 3.3 and 6): phones, postcodes, dates, year groups and codes."""
from __future__ import annotations

import datetime as dt

import pytest

from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.values.cleaning import (
    clean,
    clean_code,
    clean_date,
    clean_nc_year,
    clean_phone,
    clean_postcode,
    clean_uln,
    clean_upn,
    code_of,
    ehcp_from_sen,
    is_postcode,
    parse_date,
)

LEAVERS = load_definition("school-leavers")


@pytest.mark.parametrize("raw,want", [
    ("7911123456", "07911 123456"),          # Excel dropped the leading zero
    ("7911123456.0", "07911 123456"),        # ... and stored it as a float
    ("+44 7911 123456", "07911 123456"),
    ("+44 (0)7911 123456", "07911 123456"),
    ("0044 1622 123456", "01622 123456"),
    ("447911123456", "07911 123456"),
    ("07911  123 456", "07911 123456"),
    ("07911-123-456", "07911 123456"),
    ("1622123456", "01622 123456"),
    ("01622123456", "01622 123456"),
    ("(01622) 123456", "01622 123456"),
    ("2079460000", "020 7946 0000"),
    ("020 7946 0000", "020 7946 0000"),
    ("01622 123456 ext 12", "01622 123456"),
])
def test_phones(raw, want):
    assert clean_phone(raw) == want


@pytest.mark.parametrize("raw", ["12345", "abc", "n/a", "0791112345678901"])
def test_phone_that_cannot_be_tidied_is_left_for_the_check(raw):
    assert clean_phone(raw) == raw


@pytest.mark.parametrize("raw,want", [
    ("me14 1xx", "ME14 1XX"), ("ME141XX", "ME14 1XX"), ("  me14   1xx ", "ME14 1XX"), ("sw1a1aa", "SW1A 1AA"),
    ("M1 1AE", "M1 1AE"), ("tn9 2ye", "TN9 2YE"), ("ec1a 1bb", "EC1A 1BB"),
])
def test_postcodes(raw, want):
    assert clean_postcode(raw) == want
    assert is_postcode(want)


@pytest.mark.parametrize("raw", ["notapostcode", "ME14", "12345", "ME14 1X"])
def test_bad_postcodes_stay_bad(raw):
    assert not is_postcode(clean_postcode(raw))


@pytest.mark.parametrize("raw,want", [
    ("04/09/2024", dt.date(2024, 9, 4)), ("4/9/2024", dt.date(2024, 9, 4)), ("04-09-2024", dt.date(2024, 9, 4)),
    ("04.09.2024", dt.date(2024, 9, 4)), ("2024-09-04", dt.date(2024, 9, 4)),
    ("2024-09-04 00:00:00", dt.date(2024, 9, 4)),
    ("2024-09-04T00:00:00", dt.date(2024, 9, 4)), ("45539", dt.date(2024, 9, 4)), ("45539.0", dt.date(2024, 9, 4)),
    ("4 Sep 2024", dt.date(2024, 9, 4)), ("4th September 2024", dt.date(2024, 9, 4)), ("01/02/09", dt.date(2009, 2, 1)),
    ("12/04/2010", dt.date(2010, 4, 12)),  # UK order, never US
])
def test_dates(raw, want):
    assert parse_date(raw) == want
    assert clean_date(raw) == want.strftime("%d/%m/%Y")


@pytest.mark.parametrize("raw", ["31/02/2024", "13/13/2024", "00/01/2024", "29/02/2023", "not a date", "0", "99999",
                                 "2024-02-30"])
def test_invalid_dates_are_left_for_the_check(raw):
    assert parse_date(raw) is None
    assert clean_date(raw) == raw


def test_leap_day():
    assert parse_date("29/02/2024") == dt.date(2024, 2, 29)


def test_four_digit_year_is_never_read_as_two_digits():
    assert parse_date("01/01/0024") != dt.date(2024, 1, 1)


@pytest.mark.parametrize("raw,want", [
    ("Year 12", "12"), ("Yr 12", "12"), ("12", "12"), ("Y12", "12"), ("year12", "12"), ("12.0", "12"), ("NC 12", "12"),
    ("Year 7", "7"), ("07", "7"),
])
def test_nc_year(raw, want):
    assert clean_nc_year(raw) == want


@pytest.mark.parametrize("raw", ["Reception", "R", "Year Twelve", "12A"])
def test_nc_year_not_understood_is_kept(raw):
    assert clean_nc_year(raw) == raw


@pytest.mark.parametrize("raw,codes,want", [
    ("310", "activity", "310"), ("310.0", "activity", "310"), ("310 - Apprenticeship", "activity", "310"),
    ("210 – Full-time education - school sixth form", "activity", "210"),
    ("Apprenticeship", "activity", "310"), ("APPRENTICESHIP", "activity", "310"), ("apprenticeship", "activity", "310"),
    ("Full-time education – school sixth form", "activity", "210"), ("Current situation not known", "activity", "810"),
    ("Level 3", "level", "3"), ("L3", "level", "3"), ("level 2", "level", "2"), ("Entry", "level", "E"),
    ("Entry Level", "level", "E"), ("e", "level", "E"),
    ("Full-time", "attendance", "FT"), ("Full time", "attendance", "FT"), ("F/T", "attendance", "FT"),
    ("Part time", "attendance", "PT"), ("ft", "attendance", "FT"),
    ("Male", "gender", "M"), ("female", "gender", "F"), ("m", "gender", "M"),
    ("Offer made", "guarantee-status", "110"), ("110", "guarantee-status", "110"),
    ("Undecided", "intended-destination", "511"), ("Yes", "yes-no", "Y"), ("n", "yes-no", "N"),
    ("moved out of area", "reason-for-leaving", "Moved out of area"),
])
def test_codes(raw, codes, want):
    assert code_of(raw, codes) == want
    assert clean_code(raw, codes) == want


@pytest.mark.parametrize("raw,codes",
                         [("999", "activity"), ("Astronaut", "activity"), ("Level 9", "level"), ("X", "gender")])
def test_unknown_codes_are_kept_for_the_check(raw, codes):
    assert code_of(raw, codes) is None
    assert clean_code(raw, codes) == raw


@pytest.mark.parametrize("raw,want", [("E", "Y"), ("e", "Y"), ("K", "N"), ("N", "N"), ("", "N"), ("EHC Plan", "Y")])
def test_ehcp_from_sen(raw, want):
    assert ehcp_from_sen(raw) == want


def test_identifiers_are_tidied():
    assert clean_upn(" b801 2000 05001 ") == "B801200005001"
    assert clean_uln("1000000043.0") == "1000000043"
    assert clean_uln(" 1000 000 043") == "1000000043"


def test_clean_by_column_meaning():
    m = LEAVERS.meaning
    assert clean(m("Home Telephone"), " 7911123456 ") == "07911 123456"
    assert clean(m("Postcode"), "me14 1xx") == "ME14 1XX"
    assert clean(m("Date of Birth"), "2008-02-01") == "01/02/2008"
    assert clean(m("NC Year"), "Yr 11") == "11"
    assert clean(m("Destination"), "Apprenticeship") == "310"
    assert clean(m("Gender"), "Female") == "F"
    assert clean(m("Legal Surname"), "  NA  ") == "NA"
    assert clean(m("Legal Surname"), "Null") == "Null"
    assert clean(m("Email"), " a@b.com ") == "a@b.com"
    assert clean(m("Some New Column"), " 0123 ") == "0123"
    assert clean(m("Legal Surname"), "   ") == ""


def test_formula_like_text_is_not_changed():
    assert clean(LEAVERS.meaning("Middle Name(s)"), '=HYPERLINK("http://x","y")') == '=HYPERLINK("http://x","y")'


def test_control_characters_an_xlsx_cannot_hold_are_removed():
    assert clean(LEAVERS.meaning("Legal Surname"), "Smith\x0b") == "Smith"
    assert "\x01" not in clean(LEAVERS.meaning("Legal Forename"), "Jo\x01Ann")


@pytest.mark.parametrize("typed", ["07911 12345", "0791112345", "01622 12"])
def test_a_number_that_is_not_real_is_left_as_typed(typed):
    from tracker_desktop.core.values.cleaning import clean_phone

    assert clean_phone(typed) == typed

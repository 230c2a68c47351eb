"""Code list labels recognised by their meaning (DOMAIN.md 4.1), and never guessed between."""
import pytest

from tracker_desktop.core.checking import rules
from tracker_desktop.core.returns.definitions import code_lists
from tracker_desktop.core.values.cleaning import clean_code, code_candidates, code_of


@pytest.mark.parametrize("raw,want", [
    # The DfE's and LA lists' own wordings
    ("Gap year students", "260"), ("ESFA funded work-based learning", "410"),
    ("EFA/SFA funded work based learning", "410"),
    ("Not available to labour market/learning - young carer", "620"),
    ("Not available to labour market/learning - other reason", "680"),
    ("Full-time education - other", "270"), ("Full-time education: custodial institution (juvenile offender)", "290"),
    ("Full-time employment with study (regulated qualification)", "320"),
    ("Work not for reward with study (regulated qualification)", "550"),
    # prefixes, abbreviations, dashes, case and punctuation
    ("NEET - Seeking employment, education or training", "619"), ("NEET – Not yet ready for work or learning", "610"),
    ("FT education - other", "270"), ("F/T Education — Further Education (FE college)", "230"),
    ("full time education; sixth form college", "220"), ("FULL-TIME EDUCATION - HIGHER EDUCATION", "240"),
    ("Part time job", "360"), ("Self employed", "380"), ("Self-employed with study", "381"),
    # word order, plurals, small wording differences and a misspelling
    ("School sixth form", "210"), ("Education (other full-time)", "270"), ("Traineeships", "450"),
    ("NEET - Teenage parents", "630"), ("young carers", "620"), ("Pregnant", "650"), ("Apprentiship", "310"),
    ("Employment without training", "330"), ("Employment with training", "340"), ("Working not for reward", "540"),
    ("Custodial institution", "130"), ("Custody", "710"), ("Start date agreed - RPA compliant", "616"),
    ("Cannot be contacted", "820"), ("Refused to disclose", "830"), ("Supported internship (EHCP)", "460"),
    ("Refugee / asylum seeker", "720"), ("720 - Refugee/asylum seeker not yet granted leave to remain", "720"),
])
def test_activity_wordings(raw, want):
    assert code_of(raw, "activity") == want
    assert clean_code(raw, "activity") == want


@pytest.mark.parametrize("raw,codes,want", [
    ("Other reason", "guarantee-status", "123"), ("Has not applied", "guarantee-status", "151"),
    ("No offer: unable to contact (other)", "guarantee-status", "154"),
    ("Moved to another school", "reason-for-leaving", "Transferred to another school"),
    ("Transferred", "reason-for-leaving", "Transferred to another school"),
    ("Home education", "reason-for-leaving", "Elective home education"),
    ("Full-time (FT)", "attendance", "FT"), ("Level-3", "level", "3"),
])
def test_other_lists_by_meaning(raw, codes, want):
    assert code_of(raw, codes) == want


@pytest.mark.parametrize("raw,could_be", [
    ("Full time education", {"210", "220", "230", "240", "270"}), ("Sixth form", {"210", "220"}),
    ("Start date agreed", {"615", "616"}), ("Not known", {"150", "810"}),
])
def test_a_label_that_could_be_two_codes_is_not_guessed(raw, could_be):
    assert code_of(raw, "activity") is None
    assert clean_code(raw, "activity") == raw
    assert set(code_candidates(raw, "activity")) == could_be


@pytest.mark.parametrize("raw,codes", [
    ("Unemployment", "activity"), ("Astronaut", "activity"), ("Level 5", "level"), ("Mal", "gender"),
    ("Employment with study", "level"),
])
def test_meaning_nothing_in_the_list(raw, codes):
    assert code_of(raw, codes) is None
    assert code_candidates(raw, codes) == ()


def test_with_is_never_without_and_male_never_female():
    assert code_of("Employment without training", "activity") != code_of("Employment with training", "activity")
    assert code_of("Female", "gender") == "F" and code_of("Male", "gender") == "M"


def test_every_label_and_wording_means_its_own_code():
    lists = code_lists()
    for name in ("activity", "guarantee-status", "intended-destination", "reason-for-leaving"):
        for code, label in lists[name].items():
            assert code_of(label, name) == code, (name, label)
        for code, wordings in lists["wordings"].get(name, {}).items():
            for wording in wordings:
                assert code_of(wording, name) == code, (name, wording)


def test_the_check_says_which_codes_an_ambiguous_label_could_be():
    from tests.core.test_rules import ctx

    got = rules.check_learner(ctx(mandatory=()), 0, {"Destination": "Sixth form"}, ["Destination"])
    invalid = [p for p in got if p.rule == "code-invalid"]
    assert len(invalid) == 1
    assert "210 (Full-time education - school sixth form)" in invalid[0].message
    assert "220 (Full-time education - sixth-form college)" in invalid[0].message
    assert rules.check_learner(ctx(mandatory=()), 0, {"Destination": "Gap year students"}, ["Destination"]) == []

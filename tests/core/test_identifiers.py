"""UPN and ULN (DOMAIN.md section 5)."""
from __future__ import annotations

import pytest

from tests.conftest import make_uln, make_upn
from tracker_desktop.core.values.identifiers import (
    CHECK_ALPHABET,
    ULN_NOT_KNOWN,
    is_temporary_upn,
    uln_problem,
    upn_check_letter,
    upn_problem,
)


@pytest.mark.parametrize("upn", ["B801200005001", "Y886123424001", "J88612342400A"])
def test_domain_examples_are_valid(upn):
    assert upn_problem(upn) is None
    assert upn_check_letter(upn) == upn[0]


def test_temporary():
    assert is_temporary_upn("J88612342400A")
    assert not is_temporary_upn("B801200005001")


def test_check_letter_by_hand():
    total = sum(w * int(ch) for w, ch in zip(range(2, 14), "801200005001", strict=True))
    assert CHECK_ALPHABET[total % 23] == "B"


def test_final_letter_counts_as_its_alphabet_position():
    body = "88612342400"
    for letter in "ABCDZ":
        total = sum(w * int(ch) for w, ch in zip(range(2, 13), body, strict=True)) + 13 * CHECK_ALPHABET.index(letter)
        assert upn_check_letter("X" + body + letter) == CHECK_ALPHABET[total % 23]


@pytest.mark.parametrize("upn,words", [
    ("C801200005001", "check letter"), ("B80120000500", "13 characters"), ("B8012000050011", "13 characters"),
    ("b801200005001", "letter"), ("I801200005001", "never"), ("O801200005001", "never"), ("J88612342400I", "letter"),
    ("B8012000O5001", "letter"),
])
def test_invalid_upns_say_why(upn, words):
    why = upn_problem(upn)
    assert why and words in why


def test_every_single_digit_typo_is_caught():
    upn = "Y886123424001"
    for i in range(1, 13):
        for d in "0123456789":
            if d != upn[i]:
                assert upn_problem(upn[:i] + d + upn[i + 1:]) is not None


def test_new_las_are_valid():
    for la in ("940", "941", "942", "943"):
        assert upn_problem(make_upn(la + "123424001")) is None


@pytest.mark.parametrize("uln", ["1000000043", "9276308686", ULN_NOT_KNOWN])
def test_valid_ulns(uln):
    assert uln_problem(uln) is None


@pytest.mark.parametrize("uln,words", [("1000000044", "check digit"), ("0000000043", "0"), ("100000004", "10 digits"),
                                       ("10000000431", "10 digits"), ("100000004A", "10 digits"), ("", "10 digits")])
def test_invalid_ulns(uln, words):
    why = uln_problem(uln)
    assert why and words in why


def test_remainder_zero_is_never_valid():
    # 1000000010: 10*1 + 2*1 = 12 ... search the nine-digit prefixes whose weighted sum is 0 mod 11
    prefix = next(p for p in (f"{n:09d}" for n in range(100000000, 100001000))
                  if sum(int(d) * w for d, w in zip(p, range(10, 1, -1), strict=True)) % 11 == 0)
    assert make_uln(prefix) is None
    for last in "0123456789":
        assert uln_problem(prefix + last) is not None


def test_generated_ulns_are_valid():
    for n in range(100000000, 100000200):
        uln = make_uln(str(n))
        if uln:
            assert uln_problem(uln) is None


@pytest.mark.parametrize("la", ["838", "839", "940", "941", "942", "943", "886", "887", "201", "420", "660", "681",
                                "835", "836", "837", "909", "928", "820", "875"])
def test_upns_of_every_kind_of_la_are_valid(la):
    """Current LAs, those created since 2019, Welsh LAs and the old numbers of merged LAs."""
    assert upn_problem(make_upn(la + "123424001")) is None
    assert upn_problem(make_upn(la + "12342400A")) is None


@pytest.mark.parametrize("la", ["000", "999", "100", "659", "682", "944", "817", "421"])
def test_a_upn_whose_la_is_no_la_is_an_error(la):
    upn = make_upn(la + "123424001")
    assert upn_check_letter(upn) == upn[0]  # the check letter is right: only the LA is wrong
    why = upn_problem(upn)
    assert why and la in why and "LA" in why


def test_la_list_is_data_and_complete_for_england_and_wales():
    from tracker_desktop.core.returns.definitions import load_data_file

    listed = load_data_file("la_numbers.json")
    assert len(listed["england"]) == 153  # the 153 LAs of England since April 2023
    assert sorted(listed["wales"]) == [str(n) for n in range(660, 682)]
    assert not set(listed["former"]) & set(listed["england"])

"""The fast UK number check must agree with phonenumbers exactly: it replaces it for speed only."""
from __future__ import annotations

import random

import pytest

from tracker_desktop.core.values.phones import _slow, uk_number


def random_numbers(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    prefixes = ["01", "02", "03", "05", "07", "08", "09", "07", "01", "0", "00", "44", "7", "1"]
    return [rng.choice(prefixes) + "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 10)))
            for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_check_agrees_with_phonenumbers_on_random_numbers(seed):
    for digits in random_numbers(4000, seed):
        assert uk_number(digits) == _slow(digits), digits


@pytest.mark.parametrize("digits, expected", [
    ("07911123456", (True, "07911 123456")),
    ("01622246602", (True, "01622 246602")),
    ("02079460000", (True, "020 7946 0000")),
    ("07700900123", (False, "")),  # drama range: never real
    ("01632960123", (False, "")),
    ("0162212", (False, "")),
    ("07781123456", (True, "07781 123456")),  # a Guernsey mobile still dials as a UK number
])
def test_known_numbers(digits, expected):
    assert uk_number(digits) == expected

"""Recognising a code list's label by its meaning (DOMAIN.md section 4.1).

The DfE's lists, LA templates and MIS exports word the same code differently ('Gap year' and
'Gap year students', 'Other full-time education' and 'FT education - other', a 'NEET - ' or
'Not available to labour market/learning - ' prefix). A label is reduced to the set of its
meaningful words (case, punctuation and dashes gone, 'FT' read as 'full time', plurals and
'-ing'/'-ed' endings trimmed, filler words dropped) and compared with each code's label and
listed wordings:

- the same words: that code;
- a code's words all present in the text (the text adds a prefix or a qualifier): that code,
  unless another code's words are also all present; then the code whose words include the
  other's wins ('working not for reward with study' is 550, not 540), and codes that neither
  include the other are ambiguous;
- the text's words all within one code's label ('school sixth form' is 210): that code, when
  only one code has them all.

Words are compared with rapidfuzz so that a small misspelling ('apprenticship') still counts,
but only long words that start alike: 'with' is never 'without', 'employment' never
'unemployment'. A text that could be two codes is never guessed: the candidates are returned
and the check names them.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache

from rapidfuzz import fuzz

from tracker_desktop.core.returns.definitions import code_lists

_TYPO_MIN_LENGTH = 5
_TYPO_MIN_SCORE = 88
_SPLIT = re.compile(r"[^a-z0-9&+]+")
_SLASH_WORDS = {"f/t": " full time ", "p/t": " part time ", "n/a": " not available "}

Words = frozenset[str]


def candidates(text: str, list_name: str) -> tuple[str, ...]:
    """The codes of list_name that text could mean: one when it is clear, several when it is
    ambiguous, none when it means none of them."""
    said = words_of(text)
    if not said:
        return ()
    index = _label_index(list_name)
    exact = {code for code, label in index if _same(label, said)}
    if exact:
        return tuple(sorted(exact))
    covered = [(code, label) for code, label in index if _within(label, said)]
    if covered:
        # A code's words that are inside another candidate's words are the less specific answer.
        best = {code for code, label in covered
                if not any(other_code != code and label < other for other_code, other in covered)}
        return tuple(sorted(best))
    within = {code for code, label in index if _within(said, label)}
    return tuple(sorted(within))


def words_of(text: str) -> Words:
    """The meaningful words of a label, each in its standard form."""
    lowered = text.lower().replace("–", "-").replace("—", "-")
    for short, meant in _SLASH_WORDS.items():
        lowered = lowered.replace(short, meant)
    standard = _word_forms()
    noise = _noise()
    found: set[str] = set()
    for raw in _SPLIT.split(lowered.replace("-", " ")):
        if not raw:
            continue
        for word in standard.get(raw, raw).split():
            stem = _stem(standard.get(word, word))
            if stem and stem not in noise:
                found.add(stem)
    return frozenset(found)


def _stem(word: str) -> str:
    """A crude, consistent ending trim: both sides of a comparison are trimmed alike."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word_is(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < _TYPO_MIN_LENGTH or a[:2] != b[:2] or not (a.isalpha() and b.isalpha()):
        return False
    return fuzz.ratio(a, b) >= _TYPO_MIN_SCORE


def _within(part: Words, whole: Words) -> bool:
    return all(any(_word_is(w, other) for other in whole) for w in part)


def _same(a: Words, b: Words) -> bool:
    return len(a) == len(b) and _within(a, b) and _within(b, a)


@cache
def _label_index(list_name: str) -> tuple[tuple[str, Words], ...]:
    """(code, words) for each code's label, its part after the last ' - ' when it has one, and
    each listed other wording."""
    lists = code_lists()
    labels: dict[str, str] = lists.get(list_name, {})
    wordings: dict[str, list[str]] = lists.get("wordings", {}).get(list_name, {})
    index: list[tuple[str, Words]] = []
    for code, label in labels.items():
        for form in (label, *wordings.get(code, [])):
            parts = [form, form.rsplit(" - ", 1)[1]] if " - " in form else [form]
            for part in parts:
                words = words_of(part)
                if words and (code, words) not in index:
                    index.append((code, words))
    return tuple(index)


@lru_cache(maxsize=1)
def _word_forms() -> dict[str, str]:
    return {k: v for k, v in code_lists().get("words", {}).items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def _noise() -> frozenset[str]:
    return frozenset(code_lists().get("noise_words", {}).get("all", []))

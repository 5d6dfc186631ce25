"""Automatic grading of responses, on plain data.

Formats: ``choice`` (one right choice), ``multi`` (several right choices, partial
credit with wrong picks cancelling right ones), ``truefalse``, ``short`` and
``typed`` (any accepted alternative, compared case-, space- and punctuation-
insensitively, with a small typo tolerance in the letters of words, never in
numbers: digits, ordinals like "2nd" and Roman numerals must be exact; lists
joined by ",", "&", "and" or "/" in any order; a leading "about"/"over"... before a
number the key starts with; a plural "s"/"es" on a word of 4+ letters) and
``year`` (exact digits).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from quizapp.facts import normalize_text

FORMATS = ("choice", "multi", "truefalse", "short", "year")


def normalize_answer(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a typed answer."""
    text = normalize_text(text).casefold()
    text = re.sub(r"\b(?:\w\.){2,}", lambda m: m.group().replace(".", ""), text)  # "U.S.A." is "usa"
    text = re.sub(r"[^\w\s$%]", " ", text)
    text = re.sub(r"^(the|a|an)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


# A Roman numeral ("ii", "iv", "xiv"; answers are casefolded before this is asked)
ROMAN = re.compile(r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")


@lru_cache(maxsize=8192)  # the keys' numbers are asked for at every check
def numbers(answer: str) -> tuple[str, ...]:
    """The words of a normalized answer that are numbers: with a digit ("1948", "242", "2nd") or a Roman
    numeral ("iii"). They must be typed exactly: one edit turns Alexander III into Alexander II."""
    return tuple(w for w in answer.split() if any(ch.isdigit() for ch in w) or ROMAN.fullmatch(w))


@lru_cache(maxsize=8192)
def allowed_typos(answer: str) -> int:
    """Edits forgiven in a typed answer, in the letters of its words (numbers are never forgiven): none in up
    to 4 letters, one up to 8, then 2."""
    figures = numbers(answer)
    letters = len(" ".join(w for w in answer.split() if w not in figures))
    if letters <= 4:
        return 0
    return 1 if letters <= 8 else 2


# Words that hedge a number ("about 10 percent"): dropped from a response whose key starts with a number
APPROXIMATORS = re.compile(r"^(?:about|around|approximately|roughly|some|nearly|almost|over|more than|"
                           r"approx|circa)\s+(?=\$?\d)")
# What joins the items of a list: "Egypt, Syria", "Egypt & Syria", "Egypt and Syria", "Egypt/Syria"
LIST_JOINERS = re.compile(r"\s*(?:,|&|(?<!\d)/(?!\d)|\band\b)\s*", re.IGNORECASE)


def list_form(text: str) -> str:
    """The items of a list answer, each normalized, in sorted order joined by "and" ("Syria & Egypt" and
    "Egypt, Syria" are both "egypt and syria"); an answer that is no list is just normalized."""
    items = [normalize_answer(part) for part in LIST_JOINERS.split(normalize_text(text))]
    items = [item for item in items if item]
    return " and ".join(sorted(items)) if len(items) > 1 else normalize_answer(text)


def plural_of(word: str, other: str) -> bool:
    """Whether one word is the other with a plural "s" or "es" added ("UAVs", "UAV"), on words of 4+ letters;
    numbers never."""
    short, long = sorted((word, other), key=len)
    return len(long) >= 4 and short.isalpha() and long in (short + "s", short + "es")


def same_but_plurals(given: str, key: str) -> bool:
    """Whether two normalized answers differ only in the plural ending of some of their words."""
    gwords, kwords = given.split(), key.split()
    return len(gwords) == len(kwords) and all(g == k or plural_of(g, k) for g, k in zip(gwords, kwords, strict=True))


def close_enough(given: str, key: str) -> bool:
    """Whether a normalized response is the normalized key, aside from plural endings or a small typo in
    the letters of its words (its numbers must be the key's exactly). Typos are forgiven word by word, by
    each word's own length, so a short word is never turned into another ("East Jerusalem" is not "West
    Jerusalem"); an answer with a word more or fewer is forgiven one edit at most (a space: "sovietunion")."""
    if not given:
        return False
    if given == key or same_but_plurals(given, key):
        return True
    if not allowed_typos(key) or numbers(given) != numbers(key):
        return False
    gwords, kwords = given.split(), key.split()
    if len(gwords) == len(kwords):
        pairs = [(g, k) for g, k in zip(gwords, kwords, strict=True) if g != k]
        return all(word_slip(g, k) for g, k in pairs) and \
            sum(OSA.distance(g, k) for g, k in pairs) <= allowed_typos(key)
    return Levenshtein.distance(given, key, score_cutoff=1) <= 1


def word_slip(given: str, key: str) -> bool:
    """Whether a typed word is the key's word with a slip: in a word of up to 4 letters one letter missing,
    extra or swapped with its neighbour, but never one letter for another ("east" is not "west", "nine" not
    "none"); in longer words one edit, two from 9 letters."""
    if len(key) <= 4:
        substituted = len(given) == len(key) and sum(a != b for a, b in zip(given, key, strict=True)) == 1
        return not substituted and OSA.distance(given, key, score_cutoff=1) <= 1
    limit = allowed_typos(key)
    return OSA.distance(given, key, score_cutoff=limit) <= limit


def canonical(text: str) -> str:
    """Ways of writing one thing made one: "35 %", "35%" and "35 per cent" are "35 percent"."""
    text = re.sub(r"(?i)(\d)\s*%", r"\1 percent", text)
    return re.sub(r"(?i)\bper\s+cent\b", "percent", text)


def typed_matches(response: str, answers: list[str]) -> bool:
    """Whether a typed response is one of the accepted answers, allowing a small typo in the letters of its
    words; its numbers (digits, "2nd", Roman numerals) must be the key's exactly. The items of a list may
    come in any order and be joined by ",", "&", "and" or "/"; a response to a key that starts with a number
    may hedge it ("about", "around", "over"...); a word of 4+ letters may differ in a plural "s"/"es"."""
    response = canonical(response)
    given = normalize_answer(response)
    if not given:
        return False
    given_list = list_form(response)
    bare = APPROXIMATORS.sub("", given)
    for key, key_list, numeric in map(key_forms, answers):
        if close_enough(given, key):
            return True
        if (given_list != given or key_list != key) and close_enough(given_list, key_list):
            return True
        if numeric and bare != given and close_enough(bare, key):
            return True
    return False


@lru_cache(maxsize=8192)
def key_forms(accepted: str) -> tuple[str, str, bool]:
    """An accepted answer as responses are compared with it: normalized, as a list, and whether it starts
    with a number. The same few thousand keys are asked about all day; each is worked out once."""
    accepted = canonical(accepted)
    key = normalize_answer(accepted)
    return key, list_form(accepted), bool(re.match(r"\$?\d", key))


def score(fmt: str, answers: list[str], response: str | list[str] | None) -> float:
    """The share of the item's points a response earns, from 0.0 to 1.0."""
    if response is None or response == "" or response == []:
        return 0.0
    if fmt == "multi":
        picked = set(response if isinstance(response, list) else [response])
        right = set(answers)
        if not right:
            return 0.0
        value = (len(picked & right) - len(picked - right)) / len(right)
        return max(0.0, min(1.0, value))
    if isinstance(response, list):
        return 0.0
    if fmt in ("short", "typed"):
        return 1.0 if typed_matches(response, answers) else 0.0
    if fmt == "year":
        return 1.0 if response.strip() in answers else 0.0
    return 1.0 if response in answers else 0.0

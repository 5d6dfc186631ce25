"""Automatic grading of responses, on plain data.

Formats: ``choice`` (one right choice), ``multi`` (several right choices, partial
credit with wrong picks cancelling right ones), ``truefalse``, ``short`` and
``typed`` (any accepted alternative, compared case-, space- and punctuation-
insensitively, with a small typo tolerance in the letters of words, never in
numbers: digits, ordinals like "2nd" and Roman numerals must be exact) and
``year`` (exact digits).
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

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


def numbers(answer: str) -> list[str]:
    """The words of a normalized answer that are numbers: with a digit ("1948", "242", "2nd") or a Roman
    numeral ("iii"). They must be typed exactly: one edit turns Alexander III into Alexander II."""
    return [w for w in answer.split() if any(ch.isdigit() for ch in w) or ROMAN.fullmatch(w)]


def allowed_typos(answer: str) -> int:
    """Edits forgiven in a typed answer, in the letters of its words (numbers are never forgiven): none in up
    to 4 letters, one up to 8, then 2."""
    letters = len(" ".join(w for w in answer.split() if w not in numbers(answer)))
    if letters <= 4:
        return 0
    return 1 if letters <= 8 else 2


def typed_matches(response: str, answers: list[str]) -> bool:
    """Whether a typed response is one of the accepted answers, allowing a small typo in the letters of its
    words; its numbers (digits, "2nd", Roman numerals) must be the key's exactly."""
    given = normalize_answer(response)
    if not given:
        return False
    for accepted in answers:
        key = normalize_answer(accepted)
        if given == key:
            return True
        limit = allowed_typos(key)
        if limit and numbers(given) == numbers(key) and \
                Levenshtein.distance(given, key, score_cutoff=limit) <= limit:
            return True
    return False


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

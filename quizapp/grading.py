"""Automatic grading of responses, on plain data.

Formats: ``choice`` (one right choice), ``multi`` (several right choices, partial
credit with wrong picks cancelling right ones), ``truefalse``, ``short`` and
``typed`` (any accepted alternative, compared case-, space- and punctuation-
insensitively, with a small typo tolerance) and ``year`` (exact digits).
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


def allowed_typos(answer: str) -> int:
    """Edits forgiven in a typed answer: none in words of up to 4 letters or anything with digits, one up to
    8 letters, then 2."""
    if len(answer) <= 4 or any(ch.isdigit() for ch in answer):
        return 0
    return 1 if len(answer) <= 8 else 2


def typed_matches(response: str, answers: list[str]) -> bool:
    """Whether a typed response is one of the accepted answers, allowing a small typo (never in numbers)."""
    given = normalize_answer(response)
    if not given:
        return False
    for accepted in answers:
        key = normalize_answer(accepted)
        if given == key:
            return True
        limit = allowed_typos(key)
        if limit and not any(ch.isdigit() for ch in given) and \
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

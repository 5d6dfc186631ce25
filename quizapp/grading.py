"""Automatic grading of quiz responses, on plain data.

Formats: ``choice`` (one right choice), ``multi`` (several right choices, partial
credit with wrong picks cancelling right ones), ``truefalse``, ``short`` (any
accepted alternative, compared case-, space- and punctuation-insensitively) and
``year`` (exact digits).
"""

from __future__ import annotations

from quizapp.generate import normalize_answer

FORMATS = ("choice", "multi", "truefalse", "short", "year")


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
    if fmt == "short":
        given = normalize_answer(response)
        return 1.0 if any(given == normalize_answer(a) for a in answers) else 0.0
    if fmt == "year":
        return 1.0 if response.strip() in answers else 0.0
    return 1.0 if response in answers else 0.0

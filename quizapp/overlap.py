"""Which items of a quiz give each other away, on plain data.

Two items can spoil each other in three ways: they come from one fact (a learner who reads one knows the
other); they share an answer (the same name or phrase is the key twice, and the second is then a gift);
or one item's wording names another item's answer. Years, true/false keys and very short answers are left
out of the last two: a year or "True" shared by two questions tells a learner nothing. Nor does a key that
is a commonplace of the quiz: a name that several other items' wording mentions anyway ("Israel" in a quiz
on Israel's relations) gives nothing away by being mentioned once more.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from quizapp.grading import normalize_answer

MIN_KEY = 4  # characters: shorter keys ("UN", "PLO") match too much by accident
COMMONPLACE = 3  # a key named in this many items' wording, and in
COMMON_SHARE = 0.2  # this share of them, is a commonplace of the quiz


@dataclass(frozen=True)
class Item:
    number: int  # the item's number in the quiz, from 1
    prompt: str
    answers: tuple[str, ...]
    format: str
    fact_id: int | None = None


def telling_keys(item: Item) -> set[str]:
    """The item's answers that would give it away if seen elsewhere, normalised."""
    if item.format in ("truefalse", "year"):
        return set()
    keys = {normalize_answer(a) for a in item.answers}
    return {k for k in keys if len(k) >= MIN_KEY and not k.isdigit()}


@lru_cache(maxsize=4096)
def _words(prompt: str) -> str:
    return f" {normalize_answer(prompt)} "


def names(prompt: str, key: str) -> bool:
    return f" {key} " in _words(prompt)


def _named_by(key: str, items: list[Item], but: Item | None = None) -> list[Item]:
    return [item for item in items if item is not but and names(item.prompt, key)]


def commonplaces(items: list[Item]) -> set[str]:
    """The items' keys that the wording of many items names (at least COMMONPLACE of them and a fifth of
    all): mentioning them gives nothing away."""
    keys = set().union(*(telling_keys(item) for item in items)) if items else set()
    least = max(COMMONPLACE, COMMON_SHARE * len(items))
    return {key for key in keys if len(_named_by(key, items)) >= least}


def clashes(items: list[Item], common: set[str] | None = None) -> dict[int, list[str]]:
    """For each item's number, why it may give away, or be given away by, other items (empty: none).
    ``common``: keys to take as commonplaces (by default, those of the items themselves)."""
    common = commonplaces(items) if common is None else common
    found: dict[int, list[str]] = {item.number: [] for item in items}
    keys = {item.number: telling_keys(item) for item in items}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.fact_id is not None and a.fact_id == b.fact_id:
                reason = "same fact as question {}"
            elif keys[a.number] & keys[b.number]:
                reason = "same answer as question {}"
            else:
                continue
            found[a.number].append(reason.format(b.number))
            found[b.number].append(reason.format(a.number))
    for item in items:
        for key in keys[item.number] - common:
            for other in _named_by(key, items, but=item):
                if item.fact_id is None or other.fact_id != item.fact_id:  # one fact is said already
                    found[other.number].append(f"its wording names the answer of question {item.number}")
                    found[item.number].append(f"its answer is named in question {other.number}")
    return {number: sorted(set(reasons), key=reasons.index) for number, reasons in found.items()}


def clashes_with(candidate: Item, items: list[Item], common: set[str] = frozenset()) -> bool:
    """Whether the candidate would give away, or be given away by, any of the items (a random draw skips
    it). ``common``: the commonplaces of the pool drawn from (see ``commonplaces``)."""
    own = telling_keys(candidate)
    for item in items:
        theirs = telling_keys(item)
        if (candidate.fact_id is not None and candidate.fact_id == item.fact_id) or own & theirs:
            return True
        if any(names(candidate.prompt, key) for key in theirs - common):
            return True
    return any(names(item.prompt, key) for key in own - common for item in items)

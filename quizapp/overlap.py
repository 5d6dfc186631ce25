"""Which items of a quiz give each other away, on plain data.

Two items can spoil each other in three ways: they come from one fact (a learner who reads one knows the
other); they share an answer (the same name or phrase is the key twice, and the second is then a gift);
or one item's wording names another item's answer. Years, true/false keys and very short answers are left
out of the last two: a year or "True" shared by two questions tells a learner nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizapp.grading import normalize_answer

MIN_KEY = 4  # characters: shorter keys ("UN", "PLO") match too much by accident


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


def names(prompt: str, key: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", normalize_answer(prompt)) is not None


def clashes_with(candidate: Item, items: list[Item]) -> bool:
    """Whether the candidate would give away, or be given away by, any of the items (a random draw skips it)."""
    return any(clashes([item, candidate])[candidate.number] for item in items)


def clashes(items: list[Item]) -> dict[int, list[str]]:
    """For each item's number, why it may give away, or be given away by, other items (empty: none)."""
    found: dict[int, list[str]] = {item.number: [] for item in items}
    keys = {item.number: telling_keys(item) for item in items}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.fact_id is not None and a.fact_id == b.fact_id:
                found[a.number].append(f"same fact as question {b.number}")
                found[b.number].append(f"same fact as question {a.number}")
                continue
            if keys[a.number] & keys[b.number]:
                found[a.number].append(f"same answer as question {b.number}")
                found[b.number].append(f"same answer as question {a.number}")
                continue
            for x, y in ((a, b), (b, a)):
                if any(names(x.prompt, key) for key in keys[y.number]):
                    found[x.number].append(f"its wording names the answer of question {y.number}")
                    found[y.number].append(f"its answer is named in question {x.number}")
    return found

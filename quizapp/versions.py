"""Item versions: an attempt is shown, graded and reviewed on the content its items had when it started.

A quiz item holds its current content and a version number. Editing it first keeps the
content being replaced as a ``QuizItemVersion`` row under the old number, so an attempt that
recorded that number at its start (``layout["versions"]``) still finds what it was shown.
Attempts from before versions were recorded were shown version 1: items could not be edited
then. Writes through the session; never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from quizapp.models import Attempt, QuizItem, QuizItemVersion, db

CONTENT = ("format", "prompt", "choices", "answers", "explanation", "points")


@dataclass(frozen=True)
class ShownItem:
    """One item as an attempt was shown it: the fields templates and grading read from an item."""

    id: int
    version: int
    format: str
    prompt: str
    choices: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    explanation: str = ""
    points: float = 1.0

    @classmethod
    def of(cls, item_id: int, number: int, source: QuizItem | QuizItemVersion) -> ShownItem:
        return cls(item_id, number, **{name: getattr(source, name) for name in CONTENT})


def current(item: QuizItem) -> ShownItem:
    return ShownItem.of(item.id, item.version, item)


def edit(item: QuizItem, now: dt.datetime, **content) -> bool:
    """Change an item's content, keeping what it replaces as a version; False when nothing changes."""
    unknown = set(content) - set(CONTENT)
    if unknown:
        raise ValueError(f"not item content: {', '.join(sorted(unknown))}")
    if all(getattr(item, name) == value for name, value in content.items()):
        return False
    db.session.add(QuizItemVersion(item_id=item.id, number=item.version, replaced_at=now,
                                   **{name: getattr(item, name) for name in CONTENT}))
    for name, value in content.items():
        setattr(item, name, value)
    item.version += 1
    return True


def shown_numbers(attempt: Attempt) -> dict[int, int]:
    """The version of each item the attempt was shown, by item id."""
    recorded = attempt.layout.get("versions", {})
    return {item_id: int(recorded.get(str(item_id), 1)) for item_id in attempt.layout["order"]}


def earlier_versions(pairs) -> dict[tuple[int, int], QuizItemVersion]:
    """The kept versions among (item id, number) pairs, in one query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = db.session.execute(select(QuizItemVersion).where(
        QuizItemVersion.item_id.in_({item_id for item_id, _ in pairs}))).scalars()
    return {(v.item_id, v.number): v for v in rows if (v.item_id, v.number) in pairs}


def shown_items(attempt: Attempt, items: dict[int, QuizItem] | None = None,
                kept: dict[tuple[int, int], QuizItemVersion] | None = None,
                made: dict[tuple[int, int], ShownItem] | None = None) -> list[ShownItem]:
    """The attempt's items in its order, each as it was shown (an item since removed is left out).

    A page that shows many attempts passes the quiz's ``items`` and ``kept`` versions, loaded
    once, and a ``made`` dict in which each version is built once for all the attempts.
    """
    if items is None:
        items = {item.id: item for item in attempt.quiz.items}
    numbers = {i: n for i, n in shown_numbers(attempt).items() if i in items}
    if kept is None:
        kept = earlier_versions((i, n) for i, n in numbers.items() if n != items[i].version)
    made = {} if made is None else made
    out = []
    for key in numbers.items():
        if key not in made:
            item_id, number = key
            item = items[item_id]
            # with no record of an earlier version, the current content is the best there is
            source = kept.get(key, item) if number != item.version else item
            made[key] = ShownItem.of(item_id, number if source is not item else item.version, source)
        out.append(made[key])
    return out


def quiz_versions(item_ids) -> dict[tuple[int, int], QuizItemVersion]:
    """Every kept version of these items."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(QuizItemVersion).where(QuizItemVersion.item_id.in_(ids))).scalars()
    return {(v.item_id, v.number): v for v in rows}


def shown_item(attempt: Attempt, item_id: int, item: QuizItem | None = None) -> ShownItem | None:
    """One of the attempt's items, as it was shown it, reading only that item (and its kept version); ``item``:
    the item, where the caller has loaded it."""
    item = item or db.session.get(QuizItem, item_id)
    if item is None or item.quiz_id != attempt.quiz_id:
        return None
    number = shown_numbers(attempt).get(item_id, item.version)
    source = earlier_versions([(item_id, number)]).get((item_id, number), item) if number != item.version else item
    return ShownItem.of(item_id, number if source is not item else item.version, source)

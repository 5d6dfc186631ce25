"""Taking a quiz: starting, answering within the time, finishing. Writes through the session; never commits.

The server owns the clock: an answer that arrives after the deadline (plus a few
seconds' grace for the network) is not saved, and the attempt is scored on what
arrived in time.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, select, text

from quizapp import grading, versions
from quizapp.bank import unordered
from quizapp.models import Attempt, Quiz, QuizItem, Response, db

GRACE = dt.timedelta(seconds=3)


class QuizClosed(Exception):
    """The quiz is not open, or the learner has no attempts left; the message says which."""


# built once: the statements of starting and answering, with the values bound at each call
_OPEN_ATTEMPT = (select(Attempt).where(Attempt.quiz_id == bindparam("quiz"), Attempt.user_id == bindparam("user"),
                                       Attempt.submitted_at.is_(None)).order_by(Attempt.number).limit(1))
_ATTEMPTS_USED = select(func.count()).select_from(Attempt).where(Attempt.quiz_id == bindparam("quiz"),
                                                                 Attempt.user_id == bindparam("user"))
_ITEM_COUNT = select(func.count()).select_from(QuizItem).where(QuizItem.quiz_id == bindparam("quiz"))
_ITEM_IDS = select(QuizItem.id).where(QuizItem.quiz_id == bindparam("quiz"))
_ITEMS = select(QuizItem).where(QuizItem.quiz_id == bindparam("quiz")).order_by(QuizItem.position)
_RESPONSES = select(Response).where(Response.attempt_id == bindparam("attempt"))
_ANSWERED = select(Response.item_id).where(Response.attempt_id == bindparam("attempt"))


def open_attempt(quiz: Quiz, user_id: int) -> Attempt | None:
    """The learner's unfinished attempt (the first, should a database hold two from before starts were atomic)."""
    return db.session.execute(_OPEN_ATTEMPT, {"quiz": quiz.id, "user": user_id}).scalar_one_or_none()


def attempts_used(quiz: Quiz, user_id: int) -> int:
    return db.session.execute(_ATTEMPTS_USED, {"quiz": quiz.id, "user": user_id}).scalar_one()


def availability(quiz: Quiz, user_id: int, now: dt.datetime, items: int | None = None,
                 used: int | None = None) -> str | None:
    """Why a new attempt cannot start, or None when it can (``items`` and ``used``: the quiz's number of
    items and the learner's attempts, where the caller has counted them already)."""
    if not (item_count(quiz.id) if items is None else items):
        return "This quiz has no questions yet."
    if quiz.archived_at is not None:
        return "This quiz has been archived by its instructor."
    if quiz.opens_at and now < quiz.opens_at:
        return f"This quiz opens {quiz.opens_at:%d %b %Y %H:%M} UTC."
    if quiz.closes_at and now >= quiz.closes_at:
        return "This quiz has closed."
    if quiz.max_attempts is not None and (attempts_used(quiz, user_id) if used is None else used) >= quiz.max_attempts:
        return "You have used all your attempts."
    return None


def take_turns(quiz_id: int, user_id: int) -> bool:
    """Make this learner's writes to this quiz (starts, answers, submits) wait for each other until
    the transaction ends; call it before reading what the write depends on.

    Without it, two starts at once both find no attempt and both make one, and two answers to
    one question both find none and both insert one. On PostgreSQL a transaction-scoped
    advisory lock on (quiz, learner) does it: other learners and other quizzes never wait. On
    SQLite a request that writes already holds the database's write lock from its first
    statement (BEGIN IMMEDIATE), so they take turns anyway.

    True when it waited for a lock taken only now: rows read before it may have changed since.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:quiz, :user)"), {"quiz": quiz_id, "user": user_id})
        return True
    return False


def shown_choices(rng: random.Random, item: QuizItem, shuffle: bool) -> list:
    """An item's choices as this attempt shows them: shuffled if the quiz says so; events to put in order
    always shuffled and never already in their key's order."""
    if item.format == "order":
        return unordered(rng, item.choices, item.answers)
    if shuffle and item.format in ("choice", "multi"):
        return rng.sample(item.choices, len(item.choices))
    return list(item.choices)


class Started(NamedTuple):
    attempt: Attempt
    resumed: bool  # the learner's unfinished attempt, rather than a new one
    items: tuple[QuizItem, ...] = ()  # a new attempt's items, as it laid them out


def start(quiz: Quiz, user_id: int, now: dt.datetime) -> Started:
    """Resume the unfinished attempt, or start a new one with its own question and choice order.

    Atomic: any number of starts at once by one learner make at most one attempt.
    """
    take_turns(quiz.id, user_id)
    current = open_attempt(quiz, user_id)
    if current is not None:
        return Started(current, True)
    items = db.session.execute(_ITEMS, {"quiz": quiz.id}).scalars().all()  # as quiz.items holds them, in order
    used = attempts_used(quiz, user_id)
    reason = availability(quiz, user_id, now, items=len(items), used=used)
    if reason:
        raise QuizClosed(reason)
    rng = random.Random(secrets.randbits(64))
    order = [item.id for item in items]
    if quiz.shuffle_questions:
        rng.shuffle(order)
    choices = {str(item.id): rng.sample(item.choices, len(item.choices))
               if quiz.shuffle_choices and item.format in ("choice", "multi") else list(item.choices)
               for item in items}
    deadlines = [d for d in (now + dt.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
                             quiz.closes_at) if d]
    # the versions shown and the maximum score are the attempt's from now on, whatever the quiz becomes
    shown = {str(item.id): item.version for item in items}
    # one INSERT ... RETURNING, without the unit of work's flush
    attempt = db.session.execute(insert(Attempt).returning(Attempt), [{
        "quiz_id": quiz.id, "user_id": user_id, "number": used + 1, "started_at": now,
        "deadline": min(deadlines) if deadlines else None, "submitted_at": None,
        "layout": {"order": order, "choices": choices, "versions": shown},
        "max_score": sum(item.points for item in items)}]).scalar_one()
    return Started(attempt, False, tuple(items))


def is_late(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def items_in_order(attempt: Attempt) -> list[versions.ShownItem]:
    """The attempt's items in its order, each in the version it was shown."""
    return versions.shown_items(attempt)


def item_count(quiz_id: int) -> int:
    return db.session.execute(_ITEM_COUNT, {"quiz": quiz_id}).scalar_one()


def item_ids_in_order(attempt: Attempt) -> list[int]:
    """The ids of :func:`items_in_order`, without loading the items."""
    live = set(db.session.execute(_ITEM_IDS, {"quiz": attempt.quiz_id}).scalars())
    return [i for i in attempt.layout["order"] if i in live]


def responses_of(attempt: Attempt) -> dict[int, Response]:
    """The attempt's responses by item, in one query."""
    return {r.item_id: r for r in db.session.execute(_RESPONSES, {"attempt": attempt.id}).scalars()}


def answered_ids(attempt: Attempt) -> set[int]:
    """The items the attempt has a response to."""
    return set(db.session.execute(_ANSWERED, {"attempt": attempt.id}).scalars())


def valid_response(item: versions.ShownItem, value) -> bool:
    """A choice must be one of the item's choices; a year must be digits."""
    if value is None or value == []:
        return True
    if item.format in ("choice", "truefalse"):
        return value in item.choices
    if item.format == "multi":
        return isinstance(value, list) and all(v in item.choices for v in value)
    if item.format == "year":
        return isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4
    return isinstance(value, str)


def save(attempt: Attempt, item: versions.ShownItem, value, now: dt.datetime,
         response: Response | None = None, stored: dict[int, Response] | None = None) -> Response:
    """Store (or replace) the answer to one item, graded automatically on the version shown (``response``:
    the one stored already, or ``stored``, every response of the attempt by item: where the caller has
    read them after taking its turn)."""
    if response is None and stored is not None:
        response = stored.get(item.id)
    elif response is None:
        response = db.session.execute(select(Response).filter_by(attempt_id=attempt.id, item_id=item.id)) \
            .scalar_one_or_none()
    if response is None:
        response = Response(attempt_id=attempt.id, item_id=item.id, answered_at=now)
        db.session.add(response)
    points = grading.score(item.format, item.answers, value) * item.points
    response.answer, response.answered_at, response.auto_points, response.points = value, now, points, points
    db.session.flush()
    return response


def finish(attempt: Attempt, now: dt.datetime) -> None:
    """Close the attempt and total its points (at the deadline, if it has passed)."""
    if attempt.submitted_at is not None:
        return
    attempt.submitted_at = min(now, attempt.deadline) if attempt.deadline else now
    if attempt.max_score is None:  # started before the maximum was fixed at the start
        attempt.max_score = sum(item.points for item in items_in_order(attempt))
    attempt.score = sum(r.points for r in attempt.responses)
    db.session.flush()


def feedback_visible(quiz: Quiz, attempt: Attempt, now: dt.datetime) -> bool:
    """Whether the learner may see right answers and explanations now."""
    if quiz.feedback == "each":
        return True
    if quiz.feedback == "submit":
        return attempt.submitted_at is not None
    if quiz.feedback == "close":
        return attempt.submitted_at is not None and quiz.closes_at is not None and now >= quiz.closes_at
    return False

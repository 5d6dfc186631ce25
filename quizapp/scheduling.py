"""Spaced repetition on the ``fsrs`` package; the only module that imports it.

Card state is plain data (:class:`CardState`) so the database can store it in
columns. Every function takes ``now``: an aware datetime (any zone; it is
converted to UTC, as fsrs demands ``timezone.utc`` exactly). Naive datetimes
raise ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import fsrs

MATURE_DAYS = 21  # Anki's threshold between young and mature cards
# One 10-minute step to learn and to relearn, not Anki's 1m + 10m: in bench/srs_sim.py the 1-minute step
# costs reviews and buys next to no memory (README, Performance: "Teaching").
LEARNING_STEPS = (dt.timedelta(minutes=10),)
RELEARNING_STEPS = (dt.timedelta(minutes=10),)


class Rating(IntEnum):
    Again = 1
    Hard = 2
    Good = 3
    Easy = 4


class State(IntEnum):
    Learning = 1
    Review = 2
    Relearning = 3


@dataclass(frozen=True)
class CardState:
    """What the scheduler needs to know about a card, as stored in its row."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime
    last_review: dt.datetime | None


@dataclass(frozen=True)
class Review:
    """The outcome of one answer: the new state and what the log row records."""

    card: CardState
    rating: Rating
    reviewed_at: dt.datetime
    duration_ms: int | None


def as_utc(when: dt.datetime) -> dt.datetime:
    """``when`` in ``timezone.utc``; naive datetimes are refused."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return when.astimezone(dt.UTC)


DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
Parameters = tuple[float, ...] | None  # a learner's fitted FSRS-6 parameters; None: the defaults


def bounded_parameters(parameters) -> tuple[float, ...]:
    """21 FSRS-6 parameters moved into the ranges the scheduler accepts (other optimisers allow wider ones).

    Raises ``ValueError`` when there are not 21 of them.
    """
    values = tuple(float(v) for v in parameters)
    if len(values) != len(DEFAULT_PARAMETERS):
        raise ValueError(f"FSRS-6 takes {len(DEFAULT_PARAMETERS)} parameters, not {len(values)}")
    return tuple(min(high, max(low, v)) for v, low, high in zip(
        values, fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS, strict=True))


@lru_cache(maxsize=256)
def scheduler(desired_retention: float = 0.9, fuzz: bool = True, parameters: Parameters = None) -> fsrs.Scheduler:
    """An FSRS-6 scheduler with one 10-minute learning step and one relearning step, and the learner's
    own parameters when they have been fitted.

    Cached: building one validates its parameters, and review_card never changes it.
    """
    return fsrs.Scheduler(parameters=parameters or DEFAULT_PARAMETERS, desired_retention=desired_retention,
                          learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS, enable_fuzzing=fuzz)


def new_card(now: dt.datetime) -> CardState:
    """A card never reviewed, due now."""
    return CardState(state=State.Learning, step=0, stability=None, difficulty=None,
                     due=as_utc(now), last_review=None)


def _to_fsrs(card: CardState) -> fsrs.Card:
    return fsrs.Card(card_id=1, state=fsrs.State(card.state), step=card.step, stability=card.stability,
                     difficulty=card.difficulty, due=as_utc(card.due),
                     last_review=as_utc(card.last_review) if card.last_review else None)


def _from_fsrs(card: fsrs.Card) -> CardState:
    return CardState(state=int(card.state), step=card.step, stability=card.stability,
                     difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def review(card: CardState, rating: Rating, now: dt.datetime, desired_retention: float = 0.9,
           duration_ms: int | None = None, fuzz: bool = True, parameters: Parameters = None) -> Review:
    """Apply one rating at ``now``; the card passed in is left unchanged."""
    now = as_utc(now)
    updated, _log = scheduler(desired_retention, fuzz, parameters).review_card(
        _to_fsrs(card), fsrs.Rating(int(rating)), review_datetime=now, review_duration=duration_ms)
    return Review(card=_from_fsrs(updated), rating=Rating(rating), reviewed_at=now, duration_ms=duration_ms)


def preview(card: CardState, now: dt.datetime, desired_retention: float = 0.9,
            parameters: Parameters = None) -> dict[Rating, dt.timedelta]:
    """The interval each rating would give, without fuzz, for the grade buttons."""
    now = as_utc(now)
    return {r: review(card, r, now, desired_retention, fuzz=False, parameters=parameters).card.due - now
            for r in Rating}


def retrievability(card: CardState, now: dt.datetime, parameters: Parameters = None) -> float:
    """Probability of recall at ``now`` (0 for a card never reviewed)."""
    return scheduler(fuzz=False, parameters=parameters).get_card_retrievability(_to_fsrs(card), as_utc(now))


def suggested_rating(correct: bool | None) -> Rating:
    """Wrong answers suggest Again, right ones Good; an unchecked answer suggests Good."""
    return Rating.Again if correct is False else Rating.Good


def maturity(card: CardState | None) -> str:
    """'new', 'learning', 'young' or 'mature', as Anki's statistics count them."""
    if card is None:
        return "new"
    if card.state != State.Review:
        return "learning"
    interval = card.due - card.last_review if card.last_review else dt.timedelta(0)
    return "mature" if interval >= dt.timedelta(days=MATURE_DAYS) else "young"


def format_interval(delta: dt.timedelta) -> str:
    """Anki-style short interval: '10m', '3h', '1d', '3.5mo', '1.2y'."""
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"{max(1, round(minutes))}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".rstrip("0").rstrip(".") + "mo"
    return f"{days / 365:.1f}".rstrip("0").rstrip(".") + "y"

"""The live class game on plain data: phases in time, points for right and fast answers, the
leaderboard and the histogram of answers.

No Flask, no database, no clock: the time is passed in. Every time here is the server's;
a learner's device only counts down what the server told it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from quizapp import grading

LEAD = dt.timedelta(seconds=3)  # "get ready": the question shows on every screen before answers open
GRACE = dt.timedelta(milliseconds=500)  # an answer sent as the countdown ends is still on its way
MAX_POINTS = 1000  # a right answer given the moment answers open; the slowest right answer earns half
TYPED_BARS = 6  # typed answers: the most frequent few get a bar each, the rest one "other" bar

# Stored phases; "question" splits by time into ready, open and closed (see `phase`).
LOBBY, QUESTION, REVEAL, LEADERBOARD, ENDED = "lobby", "question", "reveal", "leaderboard", "ended"
READY, OPEN, PAUSED, CLOSED = "ready", "open", "paused", "closed"


@dataclass(frozen=True)
class Round:
    """Where a session stands: its stored phase and, during a question, its times."""

    stored: str
    opens_at: dt.datetime | None = None
    deadline: dt.datetime | None = None
    paused_at: dt.datetime | None = None


def phase(state: Round, now: dt.datetime) -> str:
    """The phase as everyone sees it at ``now``: lobby, ready, open, paused, closed, reveal, leaderboard, ended."""
    if state.stored != QUESTION:
        return state.stored
    if state.paused_at is not None:
        return PAUSED
    if now < state.opens_at:
        return READY
    if now <= state.deadline:
        return OPEN
    return CLOSED


def accepts_answer(state: Round, now: dt.datetime) -> bool:
    """Whether an answer arriving at ``now`` counts: answers open, not paused, in time (with the grace)."""
    return (state.stored == QUESTION and state.paused_at is None
            and state.opens_at <= now <= state.deadline + GRACE)


def remaining_ms(state: Round, now: dt.datetime) -> tuple[int, int]:
    """Milliseconds until answers open and until they close, as of ``now`` (frozen while paused)."""
    if state.stored != QUESTION:
        return 0, 0
    at = state.paused_at or now
    return (max(0, int((state.opens_at - at) / dt.timedelta(milliseconds=1))),
            max(0, int((state.deadline - at) / dt.timedelta(milliseconds=1))))


def resumed(state: Round, now: dt.datetime) -> Round:
    """The round after a pause ends at ``now``: its times move on by the length of the pause."""
    if state.paused_at is None:
        return state
    shift = now - state.paused_at
    return Round(state.stored, state.opens_at + shift, state.deadline + shift, None)


def elapsed_ms(state: Round, now: dt.datetime) -> int:
    """How long answers had been open at ``now``."""
    return max(0, int((now - state.opens_at) / dt.timedelta(milliseconds=1)))


def points(fraction: float, elapsed: int, limit: int, weight: float = 1.0) -> int:
    """Game points for an answer: its share of right (0..1), scaled from all points at once to half at the limit.

    ``elapsed`` and ``limit`` are milliseconds; ``weight`` is the item's points in the quiz.
    """
    if fraction <= 0 or limit <= 0:
        return 0
    speed = 1 - min(max(elapsed, 0), limit) / limit / 2
    return round(MAX_POINTS * weight * fraction * speed)


@dataclass(frozen=True)
class Standing:
    player_id: int
    nickname: str
    points: int
    rank: int


def leaderboard(totals: dict[int, int], nicknames: dict[int, str]) -> list[Standing]:
    """Every player by points, highest first; equal points share a rank (1, 1, 3), then by nickname."""
    order = sorted(nicknames, key=lambda p: (-totals.get(p, 0), nicknames[p].casefold(), p))
    board: list[Standing] = []
    for i, player in enumerate(order):
        score = totals.get(player, 0)
        rank = board[-1].rank if board and board[-1].points == score else i + 1
        board.append(Standing(player, nicknames[player], score, rank))
    return board


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    right: bool


def histogram(fmt: str, choices: list[str], keys: list[str], answers: list) -> list[Bar]:
    """How the answers split: a bar per choice in the item's order, or for typed answers the most frequent
    ones (as first typed) and one bar for the rest."""
    if fmt in ("choice", "truefalse", "multi"):
        counts: Counter = Counter()
        for answer in answers:
            counts.update(answer if isinstance(answer, list) else [answer])
        return [Bar(choice, counts[choice], choice in keys) for choice in choices]
    counts = Counter()
    shown: dict[str, str] = {}
    for answer in answers:
        if isinstance(answer, str) and answer.strip():
            key = grading.normalize_answer(answer) or answer.strip()
            counts[key] += 1
            shown.setdefault(key, answer.strip())
    common = counts.most_common(TYPED_BARS)
    bars = [Bar(shown[key], n, grading.score(fmt, keys, shown[key]) > 0) for key, n in common]
    rest = sum(counts.values()) - sum(n for _, n in common)
    if rest:
        bars.append(Bar("other answers", rest, False))
    return bars

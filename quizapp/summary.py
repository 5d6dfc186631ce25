"""How a learner's study went: the session just ended, today's answers against the daily goal, the streak.

A session is the latest run of answers in a deck today with no pause longer than ``PAUSE``; days are the
learner's study days (their time zone, their day hour).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from quizapp import localtime
from quizapp.learning import Deck, Learner, day_start
from quizapp.models import Card, Question, ReviewLog, db
from quizapp.presenting import KIND_NAMES, kind_name

PAUSE = dt.timedelta(minutes=30)
MAX_THINKING = dt.timedelta(minutes=5)  # an answer left open longer counts this long, as Anki caps it


@dataclass(frozen=True)
class KindLine:
    name: str
    answers: int
    right: int


@dataclass(frozen=True)
class Session:
    answers: int
    cards: int
    right: int
    checked: int  # answers that could be right or wrong (all but a blank response)
    seconds: int
    started: dt.datetime | None
    by_kind: list[KindLine]

    @property
    def right_share(self) -> float | None:
        return self.right / self.checked if self.checked else None

    @property
    def minutes(self) -> int:
        return max(1, round(self.seconds / 60)) if self.answers else 0


def last_session(user: Learner, deck: Deck, now: dt.datetime) -> Session:
    """The learner's latest session in this deck today: answers, cards, share right, time, by kind."""
    rows = db.session.execute(
        select(ReviewLog.reviewed_at, ReviewLog.card_id, ReviewLog.correct, ReviewLog.duration_ms, Question.kind)
        .join(Card, ReviewLog.card_id == Card.id).join(Question, Card.question_id == Question.id)
        .where(ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= day_start(user, now),
               Card.period_id.in_(deck.period_ids))
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())).all()
    run = []
    for row in rows:
        if run and run[-1].reviewed_at - row.reviewed_at > PAUSE:
            break
        run.append(row)
    kinds: dict[str, list[int]] = {}
    seconds = 0.0
    for row in run:
        line = kinds.setdefault(row.kind, [0, 0])
        line[0] += 1
        line[1] += bool(row.correct)
        if row.duration_ms:
            seconds += min(dt.timedelta(milliseconds=row.duration_ms), MAX_THINKING).total_seconds()
    order = list(KIND_NAMES)
    by_kind = [KindLine(kind_name(k), n, r) for k, (n, r) in
               sorted(kinds.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))]
    return Session(answers=len(run), cards=len({r.card_id for r in run}), right=sum(bool(r.correct) for r in run),
                   checked=sum(r.correct is not None for r in run), seconds=round(seconds),
                   started=run[-1].reviewed_at if run else None, by_kind=by_kind)


def answers_today(user: Learner, now: dt.datetime) -> int:
    """Answers given today in every deck (what the daily goal counts)."""
    return db.session.execute(select(func.count()).select_from(ReviewLog).where(
        ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= day_start(user, now))).scalar_one()


def streak(user: Learner, now: dt.datetime) -> int:
    """Study days in a row up to today (today not yet studied does not break it)."""
    tz, hour = localtime.zone(user.time_zone), user.day_hour
    today = localtime.study_date(now, tz, hour)
    window = 32
    while True:
        since = localtime.day_bounds(today - dt.timedelta(days=window), tz, hour)[0]
        times = db.session.execute(select(ReviewLog.reviewed_at).where(
            ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= since)).scalars()
        days = {localtime.study_date(t, tz, hour) for t in times}
        count = localtime.streak(days, today)
        if count < window - 1 or window > 4000:
            return count
        window *= 4  # the streak reaches past what was read: read further back


@dataclass(frozen=True)
class Goal:
    target: int | None
    done: int

    @property
    def met(self) -> bool:
        return self.target is not None and self.done >= self.target

    @property
    def share(self) -> float:
        return min(1.0, self.done / self.target) if self.target else 0.0


def goal(user: Learner, now: dt.datetime) -> Goal:
    return Goal(getattr(user, "daily_goal", None), answers_today(user, now))

"""A learner's statistics: reviews per day, true retention, due forecast, card maturity."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from quizapp import localtime, scheduling
from quizapp.learning import Learner, card_state
from quizapp.models import Card, Period, Question, ReviewLog, Subject, db
from quizapp.scheduling import Rating, State

DAYS = 30


def study_day_of(user: Learner):
    """The function that gives the learner's study day (a date) of a moment."""
    tz, hour = localtime.zone(user.time_zone), user.day_hour
    return lambda when: localtime.study_date(when, tz, hour)


def reviews_per_day(user: Learner, now: dt.datetime, days: int = DAYS) -> list[tuple[dt.date, int]]:
    """Reviews on each of the learner's last ``days`` study days (their zone, their day hour), today last."""
    tz, hour = localtime.zone(user.time_zone), user.day_hour
    today = localtime.study_date(now, tz, hour)
    first_day = today - dt.timedelta(days=days - 1)
    first = localtime.day_bounds(first_day, tz, hour)[0]
    times = db.session.execute(select(ReviewLog.reviewed_at).where(
        ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= first)).scalars()
    day_of = study_day_of(user)
    per_day: dict[dt.date, int] = {}
    for when in times:
        day = day_of(when)
        per_day[day] = per_day.get(day, 0) + 1
    return [(d, per_day.get(d, 0)) for d in (first_day + dt.timedelta(days=i) for i in range(days))]


def true_retention(user: Learner, now: dt.datetime, days: int = DAYS) -> dict:
    """Share of reviews of cards in the Review state that were passed (not Again), as Anki counts it."""
    logs = db.session.execute(select(ReviewLog.rating, ReviewLog.previous).where(
        ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= now - dt.timedelta(days=days))).all()
    reviews = [rating for rating, previous in logs if previous and previous["state"] == State.Review]
    passed = sum(1 for rating in reviews if rating != Rating.Again)
    return {"reviews": len(reviews), "passed": passed,
            "rate": passed / len(reviews) if reviews else None, "target": user.desired_retention}


def due_forecast(user: Learner, now: dt.datetime, days: int = DAYS) -> list[tuple[dt.date, int]]:
    """Cards falling due on each of the learner's next ``days`` study days (overdue ones count today)."""
    tz, hour = localtime.zone(user.time_zone), user.day_hour
    today = localtime.study_date(now, tz, hour)
    first = localtime.day_bounds(today, tz, hour)[0]
    end = localtime.day_bounds(today + dt.timedelta(days=days - 1), tz, hour)[1]
    dues = db.session.execute(select(Card.due).where(Card.user_id == user.id, Card.due < end,
                                                     Card.retired.is_(False))).scalars()
    day_of = study_day_of(user)
    per_day: dict[dt.date, int] = {}
    for due in dues:
        day = day_of(max(due, first))
        per_day[day] = per_day.get(day, 0) + 1
    return [(d, per_day.get(d, 0)) for d in (today + dt.timedelta(days=i) for i in range(days))]


def maturity_by_period(user: Learner) -> list[dict]:
    """New (never studied), learning, young and mature cards in every period."""
    totals = dict(db.session.execute(select(Question.period_id, func.count()).where(
        Question.retired.is_(False)).group_by(Question.period_id)).all())
    rows = []
    periods = db.session.execute(select(Period, Subject.title).join(Subject)
                                 .order_by(Subject.title, Period.position)).all()
    cards = db.session.execute(select(Card).where(Card.user_id == user.id, Card.retired.is_(False))).scalars()
    by_period: dict[int, dict[str, int]] = {}
    for card in cards:
        bucket = by_period.setdefault(card.period_id, {"learning": 0, "young": 0, "mature": 0})
        bucket[scheduling.maturity(card_state(card))] += 1
    for period, subject_title in periods:
        b = by_period.get(period.id, {"learning": 0, "young": 0, "mature": 0})
        rows.append({"title": period.title, "subject": subject_title,
                     "new": totals.get(period.id, 0) - sum(b.values()), **b})
    return rows

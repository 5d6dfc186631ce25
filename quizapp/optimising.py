"""Runs of the FSRS optimiser: queued from the account page, claimed and run by ``quizapp optimise``.

A run never happens inside a web request: the page only adds a ``queued`` row, and the
command (a scheduler's cron job or timer, or the watcher that ``make run`` and ``make serve``
start beside the web server) claims it with a conditional update, so that two runners never
take the same row, and runs it. Nothing here commits except :func:`claim` and :func:`run`,
which are only called by the command, where each step must be visible to the others at once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from quizapp import fitting
from quizapp.models import Card, Optimisation, Question, ReviewLog, User, db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE = dt.timedelta(hours=1)  # a run left "running" this long died with its runner: it may be taken again


def latest(user_id: int) -> Optimisation | None:
    """The learner's most recent run (queued, running or finished)."""
    return db.session.execute(select(Optimisation).where(Optimisation.user_id == user_id)
                              .order_by(Optimisation.requested_at.desc(), Optimisation.id.desc()).limit(1)
                              ).scalar_one_or_none()


def last_finished(user_id: int) -> Optimisation | None:
    """The learner's most recent finished run: what the account page reports."""
    return db.session.execute(select(Optimisation).where(Optimisation.user_id == user_id,
                                                         Optimisation.status.in_((DONE, FAILED)))
                              .order_by(Optimisation.finished_at.desc(), Optimisation.id.desc()).limit(1)
                              ).scalar_one_or_none()


def pending(user_id: int) -> Optimisation | None:
    """The learner's run that is queued or running, if any."""
    return db.session.execute(select(Optimisation).where(Optimisation.user_id == user_id,
                                                         Optimisation.status.in_((QUEUED, RUNNING)))
                              .order_by(Optimisation.id).limit(1)).scalar_one_or_none()


def enqueue(user_id: int, now: dt.datetime) -> tuple[Optimisation, bool]:
    """Queue a run for the learner, unless one is already waiting; returns (the run, whether it is new)."""
    waiting = pending(user_id)
    if waiting is not None:
        return waiting, False
    run_row = Optimisation(user_id=user_id, status=QUEUED, requested_at=now)
    db.session.add(run_row)
    db.session.flush()
    return run_row, True


def queued_ids(now: dt.datetime) -> list[int]:
    """Runs waiting to be claimed, oldest first (and runs whose runner died)."""
    return list(db.session.execute(select(Optimisation.id).where(
        (Optimisation.status == QUEUED)
        | ((Optimisation.status == RUNNING) & (Optimisation.started_at < now - STALE))
    ).order_by(Optimisation.requested_at, Optimisation.id)).scalars())


def claim(run_id: int, now: dt.datetime) -> bool:
    """Take a waiting run for this process; False if another runner took it first. Commits."""
    taken = db.session.execute(update(Optimisation).where(
        Optimisation.id == run_id,
        (Optimisation.status == QUEUED)
        | ((Optimisation.status == RUNNING) & (Optimisation.started_at < now - STALE))
    ).values(status=RUNNING, started_at=now)).rowcount == 1
    db.session.commit()
    return taken


def review_log(user_id: int) -> list[fitting.LoggedReview]:
    """Every answer the learner has given, as the optimiser reads them, with its question's guessing floor."""
    rows = db.session.execute(select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating,
                                     Question.format, Question.choices)
                              .join(Card, Card.id == ReviewLog.card_id).join(Question, Question.id == Card.question_id)
                              .where(ReviewLog.user_id == user_id).order_by(ReviewLog.reviewed_at, ReviewLog.id))
    return [fitting.LoggedReview(card_id, at, rating, fitting.guessing_floor(fmt, choices))
            for card_id, at, rating, fmt, choices in rows]


def deck_size() -> int:
    """How many questions a learner can study: the size of the simulated deck."""
    return db.session.execute(select(func.count()).select_from(Question).where(Question.retired.is_(False))
                              ).scalar_one()


def run(run_id: int, now) -> Optimisation:
    """Fit the learner's parameters, simulate their workload, record both; commits.

    ``now`` is called for the finishing time (a fit takes a while). A failure is recorded
    on the row, not raised, so that one learner's bad log does not stop the others'.
    """
    row = db.session.get(Optimisation, run_id)
    user = db.session.get(User, row.user_id)
    try:
        result = fitting.fit(review_log(user.id), user.fsrs_parameters)
        points = fitting.workload(result.parameters, user.new_per_day, deck_size())
    except Exception as error:  # noqa: BLE001 - recorded for the learner and the operator
        db.session.rollback()
        row = db.session.get(Optimisation, run_id)
        row.status, row.finished_at, row.message = FAILED, now(), f"The optimiser failed: {error}"
        db.session.commit()
        return row
    row.status, row.finished_at, row.message = DONE, now(), result.message
    row.reviews, row.adopted = result.reviews, result.adopted
    row.log_loss_before, row.log_loss_after = result.log_loss_before, result.log_loss_after
    row.rmse_before, row.rmse_after = result.rmse_before, result.rmse_after
    row.parameters = list(result.parameters) if result.parameters else None
    row.workload = [[p.retention, p.reviews_per_day, p.minutes_per_day, p.memorised] for p in points]
    if result.adopted:
        user.fsrs_parameters = list(result.parameters)
    db.session.commit()
    return row


def learners_to_refit() -> list[int]:
    """Learners with answers newer than their last finished run (or never run), for the scheduled command."""
    last_run = (select(Optimisation.user_id, func.max(Optimisation.finished_at).label("at"))
                .where(Optimisation.status.in_((DONE, FAILED))).group_by(Optimisation.user_id).subquery())
    newest = (select(ReviewLog.user_id, func.max(ReviewLog.reviewed_at).label("at"))
              .group_by(ReviewLog.user_id).subquery())
    return list(db.session.execute(
        select(newest.c.user_id).outerjoin(last_run, last_run.c.user_id == newest.c.user_id)
        .where(last_run.c.at.is_(None) | (newest.c.at > last_run.c.at)).order_by(newest.c.user_id)).scalars())

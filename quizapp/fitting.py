"""FSRS fitted to one learner: their parameters from their review log, and what those parameters predict.

Plain data in, plain data out; the only module that imports ``fsrs_rs_python``, the Rust
optimiser and simulator that Anki itself runs (fsrs-rs). Reviews are grouped into days
(UTC), as Anki groups them: a second answer on the same day is a short-term review, and the
optimiser predicts only answers given on a later day than the card's previous one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import fsrs_rs_python as rs

from quizapp import scheduling
from quizapp.scheduling import DEFAULT_PARAMETERS, bounded_parameters

# fewer reviews on a later day than that leave the defaults: fitted on less, the parameters are mostly noise
MIN_REVIEWS = 400
RETENTIONS = (0.70, 0.73, 0.76, 0.79, 0.82, 0.85, 0.88, 0.91, 0.94, 0.97)
SIMULATED_DAYS = 365
LEARNING_STEPS, RELEARNING_STEPS = len(scheduling.LEARNING_STEPS), len(scheduling.RELEARNING_STEPS)


@dataclass(frozen=True)
class LoggedReview:
    """One answer of the review log."""

    card_id: int
    reviewed_at: dt.datetime
    rating: int


@dataclass(frozen=True)
class Fit:
    """What the optimiser made of a review log.

    ``parameters`` are the ones to schedule with from now on: the fitted ones when they predict
    the log better than ``current``, else ``current`` (None: the defaults).
    """

    reviews: int  # answers on a later day than the card's previous one: what is predicted
    parameters: tuple[float, ...] | None
    fitted: bool  # the optimiser ran (enough reviews)
    adopted: bool  # and its parameters replaced the current ones
    log_loss_before: float | None
    log_loss_after: float | None
    rmse_before: float | None
    rmse_after: float | None
    message: str


@dataclass(frozen=True)
class WorkloadPoint:
    """A year of study simulated at one desired retention."""

    retention: float
    reviews_per_day: float
    minutes_per_day: float
    memorised: float  # cards expected to be recalled at the end


def training_items(reviews: Iterable[LoggedReview]) -> list[rs.FSRSItem]:
    """The optimiser's items: for every answer on a later day, the card's history up to it."""
    by_card: dict[int, list[LoggedReview]] = defaultdict(list)
    for review in reviews:
        by_card[review.card_id].append(review)
    items = []
    for history in by_card.values():
        history.sort(key=lambda r: r.reviewed_at)
        steps: list[rs.FSRSReview] = []
        last_day = history[0].reviewed_at.astimezone(dt.UTC).date()
        for review in history:
            day = review.reviewed_at.astimezone(dt.UTC).date()
            steps.append(rs.FSRSReview(int(review.rating), (day - last_day).days))
            if day != last_day:
                items.append(rs.FSRSItem(list(steps)))
            last_day = day
    return items


def evaluate(parameters: Sequence[float] | None, items: Sequence[rs.FSRSItem]) -> tuple[float, float]:
    """Log loss and RMSE (in bins, as srs-benchmark reports it) of the parameters' predictions of ``items``."""
    result = rs.FSRS(list(parameters or DEFAULT_PARAMETERS)).evaluate(list(items))
    return float(result.log_loss), float(result.rmse_bins)


def fit(reviews: Iterable[LoggedReview], current: Sequence[float] | None = None) -> Fit:
    """Fit FSRS-6 to a review log; keep ``current`` when the log is too short or the fit is no better."""
    items = training_items(reviews)
    if len(items) < MIN_REVIEWS:
        return Fit(len(items), tuple(current) if current else None, False, False, None, None, None, None,
                   f"Only {len(items)} answers given on a later day than the card's previous one so far; "
                   f"fitting needs {MIN_REVIEWS}. Your cards keep the "
                   f"{'parameters fitted before' if current else 'default parameters'}.")
    before = evaluate(current, items)
    fitted = bounded_parameters(rs.FSRS(list(current or DEFAULT_PARAMETERS)).compute_parameters(items))
    after = evaluate(fitted, items)
    if after[0] < before[0]:
        return Fit(len(items), fitted, True, True, before[0], after[0], before[1], after[1],
                   f"Fitted to {len(items)} answers: your cards are now scheduled with your own parameters.")
    return Fit(len(items), tuple(current) if current else None, True, False, before[0], after[0], before[1],
               after[1], f"Fitted to {len(items)} answers, but the result predicts them no better than the "
                         f"parameters in use, which stay.")


def workload(parameters: Sequence[float] | None, new_per_day: int, deck_size: int,
             retentions: Sequence[float] = RETENTIONS, days: int = SIMULATED_DAYS, seed: int = 42
             ) -> list[WorkloadPoint]:
    """A year of study simulated with these parameters at each desired retention (Anki's simulator)."""
    config = rs.default_simulator_config()
    config.deck_size = max(1, deck_size)
    config.learn_span = days
    config.learn_limit = max(0, new_per_day)
    config.learning_step_count, config.relearning_step_count = LEARNING_STEPS, RELEARNING_STEPS
    points = []
    for retention in retentions:
        result = rs.simulate(list(parameters or DEFAULT_PARAMETERS), retention, config, seed)
        points.append(WorkloadPoint(retention, sum(result.review_cnt_per_day) / days,
                                    sum(result.cost_per_day) / days / 60, float(result.memorized_cnt_per_day[-1])))
    return points


def suggested_retention(points: Sequence[WorkloadPoint]) -> float | None:
    """The retention that costs the fewest minutes of study per card memorised, as Anki suggests it."""
    useful = [p for p in points if p.memorised > 0 and p.minutes_per_day > 0]
    return min(useful, key=lambda p: p.minutes_per_day / p.memorised).retention if useful else None

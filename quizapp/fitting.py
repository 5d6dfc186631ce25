"""FSRS fitted to one learner: their parameters from their review log, and what those parameters predict.

Plain data in, plain data out; the only module that imports ``fsrs_rs_python``, the Rust
optimiser and simulator that Anki itself runs (fsrs-rs). Reviews are grouped into days
(UTC), as Anki groups them: a second answer on the same day is a short-term review, and the
optimiser predicts only answers given on a later day than the card's previous one.

A question with choices can be answered right without recall: a learner who has forgotten still
picks the right one of k choices with probability 1/k (its guessing floor, ``guessing_floor``).
Every prediction here, for the defaults and a fit alike, is FSRS-6's recall p plus a right guess,
p + (1 - p) / k; the Rust optimiser fits recall alone, so on a log with such questions its result
is refined by a coordinate search on the log loss of those predictions (``refine``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import fsrs
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
    guess: float = 0.0  # the chance of a right answer without recall (multiple choice: 1/choices)


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


@dataclass(frozen=True)
class Item:
    """One answer to predict: the card's answers up to it, as (rating, days since the card's previous day)."""

    reviews: tuple[tuple[int, int], ...]
    guess: float = 0.0  # the answer's chance of being right without recall

    @property
    def right(self) -> bool:
        return self.reviews[-1][0] > 1

    def rs(self, end: int | None = None) -> rs.FSRSItem:
        return rs.FSRSItem([rs.FSRSReview(rating, days) for rating, days in self.reviews[:end]])


def guessing_floor(question_format: str, choices: Sequence | None = None) -> float:
    """The chance of answering a question of this format right without recalling the answer."""
    n = len(choices or ())
    if question_format == "truefalse":
        return 0.5
    if question_format == "choice" and n:
        return 1 / n
    if question_format == "multi" and n:
        return 1 / (2 ** n - 1)  # any non-empty set of the choices
    if question_format == "order" and n:
        return 1 / math.factorial(n)
    return 0.0  # typed answers and years are recalled or not


def training_items(reviews: Iterable[LoggedReview]) -> list[Item]:
    """The optimiser's items: for every answer on a later day, the card's history up to it."""
    by_card: dict[int, list[LoggedReview]] = defaultdict(list)
    for review in reviews:
        by_card[review.card_id].append(review)
    items = []
    for history in by_card.values():
        history.sort(key=lambda r: r.reviewed_at)
        steps: list[tuple[int, int]] = []
        last_day = history[0].reviewed_at.astimezone(dt.UTC).date()
        for review in history:
            day = review.reviewed_at.astimezone(dt.UTC).date()
            steps.append((int(review.rating), (day - last_day).days))
            if day != last_day:
                items.append(Item(tuple(steps), review.guess))
            last_day = day
    return items


def predictions(parameters: Sequence[float] | None, items: Sequence[Item]) -> list[float]:
    """Each item's chance of a right answer: recall by FSRS-6, else a right guess, p + (1 - p) * guess."""
    w = list(parameters or DEFAULT_PARAMETERS)
    states = rs.FSRS(w).memory_state_batch([item.rs(-1) for item in items])
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    out = []
    for item, state in zip(items, states, strict=True):
        recall = (1 + factor * item.reviews[-1][1] / state.stability) ** decay
        out.append(recall + (1 - recall) * item.guess)
    return out


def evaluate(parameters: Sequence[float] | None, items: Sequence[Item]) -> tuple[float, float]:
    """Log loss and RMSE over 20 bins of prediction of the parameters' predictions of ``items``."""
    return scores(predictions(parameters, items), [item.right for item in items])


def scores(predicted: Sequence[float], right: Sequence[bool]) -> tuple[float, float]:
    """Log loss and binned RMSE (predictions in 20 bins, each bin's mean against its share of right answers)."""
    loss = 0.0
    bins: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for p, y in zip(predicted, right, strict=True):
        p = min(max(p, 1e-6), 1 - 1e-6)
        loss -= math.log(p if y else 1 - p)
        b = bins[min(int(p * 20), 19)]
        b[0], b[1], b[2] = b[0] + p, b[1] + y, b[2] + 1
    n = len(predicted) or 1
    rmse = math.sqrt(sum((b[0] - b[1]) ** 2 / b[2] for b in bins.values()) / n)
    return loss / n, rmse


def refine(parameters: Sequence[float], items: Sequence[Item], rounds: int = 6) -> tuple[float, ...]:
    """The parameters moved, one at a time, while that lowers the log loss of ``items`` predicted with their
    guessing floors (which the Rust optimiser does not know): a coordinate search in shrinking steps."""
    low, high = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    best = list(bounded_parameters(parameters))
    loss = evaluate(best, items)[0]
    steps = [(h - lo) / 20 for lo, h in zip(low, high, strict=True)]
    for _ in range(rounds):
        moved = False
        for j in range(len(best)):
            for sign in (1, -1):
                trial = list(best)
                trial[j] = min(high[j], max(low[j], best[j] + sign * steps[j]))
                if trial[j] == best[j]:
                    continue
                trial_loss = evaluate(trial, items)[0]
                if trial_loss < loss:
                    best, loss, moved = trial, trial_loss, True
                    break
        steps = [step / 2 for step in steps] if not moved else steps
    return tuple(best)


def fit(reviews: Iterable[LoggedReview], current: Sequence[float] | None = None) -> Fit:
    """Fit FSRS-6 to a review log; keep ``current`` when the log is too short or the fit is no better."""
    items = training_items(reviews)
    if len(items) < MIN_REVIEWS:
        return Fit(len(items), tuple(current) if current else None, False, False, None, None, None, None,
                   f"Only {len(items)} answers given on a later day than the card's previous one so far; "
                   f"fitting needs {MIN_REVIEWS}. Your cards keep the "
                   f"{'parameters fitted before' if current else 'default parameters'}.")
    before = evaluate(current, items)
    optimiser = rs.FSRS(list(current or DEFAULT_PARAMETERS))
    fitted = bounded_parameters(optimiser.compute_parameters([item.rs() for item in items]))
    if any(item.guess for item in items):  # the Rust optimiser takes a right guess for recall: refit with the floors
        fitted = refine(fitted, items)
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

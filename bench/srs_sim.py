"""How well the scheduler teaches: simulated learners over 365 days, 10 new cards a day.

Ground truth is the FSRS-6 memory model with each learner's parameters drawn at random around the
published defaults (log-normal, clipped to the model's bounds), so the truth is never the
scheduler's own defaults. At each review the learner recalls with the true probability, answers
Good (sometimes Hard or Easy) when they recall and Again when they do not, and the true memory
state moves on; the first sight of a card is graded from a first-rating distribution (70% Good,
15% Again, 10% Easy, 5% Hard), as simulators of this kind do. Compared, on the same learners and
the same random draws:

- quizapp's scheduler (quizapp.scheduling, FSRS-6 defaults) at desired retention 0.90 and 0.85,
- SM-2 as published (Wozniak 1990: intervals 1, 6, then x EF; EF updated from quality 0-5; and its
  step 7: items graded below 4 are repeated the same day, here every 10 minutes, until they score 4
  or more, which changes neither EF nor the interval),
- a Leitner system (boxes of 1, 2, 4, 8, 16, 32, 64 days),
- and two what-ifs, not the app's settings: FSRS given each learner's true parameters (the best a
  per-learner optimiser could do), and FSRS with a single 10-minute learning step.

"Memorised" is the sum over introduced cards of the true probability of recall, at the end and on
average over the year. Run: .venv/bin/python -m bench.srs_sim  (BENCH_LEARNERS=n for more learners)
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import os
import random
from concurrent.futures import ProcessPoolExecutor

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from bench import common
from quizapp import scheduling
from quizapp.scheduling import Rating

DAYS = 365
NEW_PER_DAY = 10
LEARNERS = int(os.environ.get("BENCH_LEARNERS", 6))
START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)
CHECKPOINT_EVERY = 15
SECONDS_PER_REVIEW = 12


def true_parameters(rng: random.Random) -> tuple[float, ...]:
    """A learner's own FSRS-6 parameters: defaults scaled by a log-normal factor, within bounds."""
    out = []
    for value, low, high in zip(DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True):
        out.append(min(high, max(low, value * math.exp(rng.gauss(0, 0.3)))))
    return tuple(out)


class Fsrs:
    """quizapp's scheduler, through the same functions the app uses."""

    def __init__(self, retention: float):
        self.retention = retention
        self.name = f"quizapp FSRS @ {retention:.2f}"

    def new(self, now):
        return scheduling.new_card(now)

    def review(self, state, rating, now):
        new = scheduling.review(state, rating, now, self.retention, fuzz=False).card
        return new, new.due


class WhatIf:
    """FSRS as quizapp runs it but for one setting, to see what that setting is worth (not the app's)."""

    def __init__(self, name: str, retention: float, learner_parameters: bool = False, **settings):
        self.name, self.retention, self.learner_parameters, self.settings = name, retention, learner_parameters, \
            settings
        self.scheduler = None

    def for_learner(self, learner: int) -> WhatIf:
        params = true_parameters(random.Random(f"params-{learner}")) if self.learner_parameters \
            else DEFAULT_PARAMETERS
        self.scheduler = fsrs.Scheduler(parameters=params, desired_retention=self.retention,
                                        enable_fuzzing=False, **self.settings)
        return self

    def new(self, now):
        return fsrs.Card(card_id=1, due=now)

    def review(self, state, rating, now):
        card, _ = self.scheduler.review_card(state, fsrs.Rating(int(rating)), now)
        return card, card.due


class Sm2:
    """SuperMemo 2 as published: quality 5 Easy, 4 Good, 3 Hard, 1 Again.

    The state is (repetitions, easiness factor, interval in days, start of today's drill or None).
    """

    name = "SM-2"
    QUALITY = {Rating.Easy: 5, Rating.Good: 4, Rating.Hard: 3, Rating.Again: 1}
    DRILL = dt.timedelta(minutes=10)

    def new(self, now):
        return (0, 2.5, 0, None)

    def review(self, state, rating, now):
        n, ef, interval, drilled_since = state
        q = self.QUALITY[rating]
        if drilled_since is not None:  # step 7: a same-day repetition until the item scores 4 or more
            if q >= 4:
                return (n, ef, interval, None), drilled_since + dt.timedelta(days=interval)
            return state, now + self.DRILL
        if q >= 3:
            interval = 1 if n == 0 else 6 if n == 1 else round(interval * ef)
            n += 1
        else:
            n, interval = 0, 1
        ef = max(1.3, ef + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
        if q < 4:
            return (n, ef, interval, now), now + self.DRILL
        return (n, ef, interval, None), now + dt.timedelta(days=interval)


class Leitner:
    name = "Leitner"
    BOXES = (1, 2, 4, 8, 16, 32, 64)

    def new(self, now):
        return -1

    def review(self, box, rating, now):
        box = 0 if rating == Rating.Again else min(box + 1, len(self.BOXES) - 1)
        return box, now + dt.timedelta(days=self.BOXES[box])


FIRST_RATINGS = ((Rating.Again, 0.15), (Rating.Hard, 0.05), (Rating.Good, 0.7), (Rating.Easy, 0.1))


def first_rating(rng: random.Random) -> Rating:
    """How a learner grades a card the first time they see it (it is being learned, not recalled)."""
    roll, total = rng.random(), 0.0
    for rating, share in FIRST_RATINGS:
        total += share
        if roll < total:
            return rating
    return Rating.Good


def grade(rng: random.Random, recalled: bool) -> Rating:
    if not recalled:
        return Rating.Again
    roll = rng.random()
    return Rating.Hard if roll < 0.1 else Rating.Easy if roll > 0.95 else Rating.Good


def simulate(args) -> dict:
    """One learner, one scheduler, 365 days; the learner's randomness depends only on the learner."""
    learner, scheduler = args
    if isinstance(scheduler, WhatIf):
        scheduler = scheduler.for_learner(learner)
    params = true_parameters(random.Random(f"params-{learner}"))
    truth_model = fsrs.Scheduler(parameters=params, enable_fuzzing=False)
    rng = random.Random(f"answers-{learner}")
    truths: list[fsrs.Card] = []
    states: list = []
    queue: list[tuple[dt.datetime, int]] = []
    reviews = lapses = same_day = 0
    memorised_by_day = []
    for day in range(DAYS):
        clock = START + dt.timedelta(days=day)
        end_of_day = clock + dt.timedelta(hours=15)
        for _ in range(NEW_PER_DAY):
            i = len(truths)
            truths.append(fsrs.Card(card_id=i + 1, due=clock))
            states.append(scheduler.new(clock))
            heapq.heappush(queue, (clock, i))
        while queue and queue[0][0] < end_of_day:
            due, i = heapq.heappop(queue)
            clock = max(clock, due) + dt.timedelta(seconds=SECONDS_PER_REVIEW)
            truth = truths[i]
            if truth.last_review is None:
                rating = first_rating(rng)
                recalled = rating != Rating.Again
            else:
                recalled = rng.random() < truth_model.get_card_retrievability(truth, clock)
                rating = grade(rng, recalled)
            same_day += truth.last_review is not None and truth.last_review.date() == clock.date()
            truths[i], _ = truth_model.review_card(truth, rating, clock)
            states[i], next_due = scheduler.review(states[i], rating, clock)
            heapq.heappush(queue, (next_due, i))
            reviews += 1
            lapses += not recalled
        if day % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1 or day == DAYS - 1:
            night = START + dt.timedelta(days=day, hours=23)
            memorised_by_day.append(sum(truth_model.get_card_retrievability(t, night) for t in truths))
    return {"learner": learner, "scheduler": scheduler.name, "reviews": reviews, "same_day_reviews": same_day,
            "lapses": lapses,
            "memorised_end": memorised_by_day[-1], "memorised_mean": sum(memorised_by_day) / len(memorised_by_day),
            "cards": len(truths)}


def main() -> dict:
    schedulers = [Fsrs(0.90), Fsrs(0.85), Sm2(), Leitner(),
                  # what-ifs: the learner's own parameters, as an optimiser would find them at best;
                  # one 10-minute learning and relearning step instead of Anki's 1 and 10 minutes
                  WhatIf("what-if: true params @ 0.85", 0.85, learner_parameters=True),
                  WhatIf("what-if: one step @ 0.85", 0.85, learning_steps=(dt.timedelta(minutes=10),),
                         relearning_steps=(dt.timedelta(minutes=10),))]
    jobs = [(learner, s) for learner in range(LEARNERS) for s in schedulers]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        runs = list(pool.map(simulate, jobs))
    summary = {}
    for s in schedulers:
        mine = [r for r in runs if r["scheduler"] == s.name]
        reviews = sum(r["reviews"] for r in mine) / len(mine)
        end = sum(r["memorised_end"] for r in mine) / len(mine)
        mean = sum(r["memorised_mean"] for r in mine) / len(mine)
        same_day = sum(r["same_day_reviews"] for r in mine) / len(mine)
        summary[s.name] = {"reviews_per_day": round(reviews / DAYS, 1), "same_day_per_day": round(same_day / DAYS, 1),
                           "memorised_end": round(end, 1),
                           "memorised_mean": round(mean, 1), "memorised_per_review": round(end / reviews, 4),
                           # lapses among reviews on a later day (a same-day repetition is always recalled)
                           "lapse_rate": round(sum(r["lapses"] for r in mine)
                                               / sum(r["reviews"] - r["same_day_reviews"] for r in mine), 3)}
    sm2, ours = summary["SM-2"], summary["quizapp FSRS @ 0.85"]
    fewer = 1 - ours["reviews_per_day"] / sm2["reviews_per_day"]
    figures = {
        "setup": {"learners": LEARNERS, "days": DAYS, "new_per_day": NEW_PER_DAY,
                  "truth": "FSRS-6 with per-learner parameters = defaults x lognormal(0, 0.3), clipped"},
        "schedulers": summary,
        "fsrs_085_fewer_reviews_than_sm2": round(fewer, 3),
        "fsrs_085_memorised_vs_sm2": round(ours["memorised_end"] / sm2["memorised_end"], 3),
        "goal": "at least 25% fewer reviews than SM-2 for equal or more cards memorised",
        "goal_met": fewer >= 0.25 and ours["memorised_end"] >= sm2["memorised_end"],
        "runs": runs,
    }
    print(f"{'scheduler':28} {'reviews/day':>11} {'same day':>9} {'memorised (end)':>16} {'(mean)':>8} "
          f"{'per review':>11} {'lapses':>7}")
    for name, s in summary.items():
        print(f"{name:28} {s['reviews_per_day']:11.1f} {s['same_day_per_day']:9.1f} {s['memorised_end']:16.1f} "
              f"{s['memorised_mean']:8.1f} {s['memorised_per_review']:11.4f} {s['lapse_rate']:7.3f}")
    print(f"FSRS @ 0.85 vs SM-2: {fewer:.0%} fewer reviews, {figures['fsrs_085_memorised_vs_sm2']:.2f}x memorised "
          f"(goal: >= 25% fewer for equal or more)")
    common.write("srs_sim", figures)
    return figures


if __name__ == "__main__":
    main()

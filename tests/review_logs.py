"""Review logs generated from a known memory, for the optimiser's tests."""

from __future__ import annotations

import datetime as dt
import random

import fsrs

from quizapp.fitting import LoggedReview

# a learner who forgets faster than the defaults assume at first and slower later
LEARNER = (0.1, 0.5, 1.2, 30.0, 7.0, 0.5, 2.2, 0.02, 1.9, 0.1, 1.3, 1.8, 0.1, 0.3, 2.2, 0.2, 3.0, 0.8, 0.3, 0.1, 0.35)


def generated_log(cards: int, start: dt.datetime, days: int = 300, seed: int = 1,
                  parameters=LEARNER, floors=(0.0,)) -> list[LoggedReview]:
    """``cards`` cards studied from ``start`` (ten new a day) under the default scheduler, each answer drawn
    from the true memory ``parameters``: Good when recalled, Again when not. Card i's question has the
    guessing floor ``floors[i % len(floors)]``: a learner who does not recall it still answers right (Good)
    with that chance, while the memory lapses."""
    rng = random.Random(seed)
    truth = fsrs.Scheduler(parameters=parameters, enable_fuzzing=False)
    schedule = fsrs.Scheduler(enable_fuzzing=False)
    end = start + dt.timedelta(days=days)
    log = []
    for i in range(cards):
        when = start + dt.timedelta(days=i // 10, minutes=i % 10)
        memory = fsrs.Card(card_id=i + 1, due=when)
        card = fsrs.Card(card_id=i + 1, due=when)
        floor = floors[i % len(floors)]
        first = True
        while when < end:
            if first:
                rating, first = rng.choice((1, 3, 3, 3, 4)), False
                recalled = rating
            else:
                recalled = 3 if rng.random() < truth.get_card_retrievability(memory, when) else 1
                rating = 3 if recalled == 1 and rng.random() < floor else recalled
            memory, _ = truth.review_card(memory, fsrs.Rating(recalled), when)
            card, _ = schedule.review_card(card, fsrs.Rating(rating), when)
            log.append(LoggedReview(i + 1, when, rating, floor))
            when = card.due
    return log

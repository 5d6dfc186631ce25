"""Study questions whose statistics look wrong, on plain data (no Flask, no database).

Two signs that a question rather than its learners is at fault:

- learners fail it far more (or far less) often than FSRS predicts. Each review of a card in the
  Review state comes with the recall FSRS predicted just before it; over a question's reviews the
  expected number of recalls is the sum of those predictions, and its spread the sum of p(1-p).
  A question is flagged when the observed share differs from the predicted share by at least
  ``MIN_GAP`` and by at least ``Z_LIMIT`` standard deviations, from ``MIN_REVIEWS`` reviews on;
- a wrong choice is picked more often than the key (from ``MIN_ANSWERS`` answers on).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

MIN_REVIEWS = 10
MIN_GAP = 0.15
Z_LIMIT = 2.0
MIN_ANSWERS = 5


@dataclass(frozen=True)
class StudyAnswer:
    """One review of a question: whether it was recalled (any grade but Again), what FSRS predicted
    (None for a card not yet in review), and the choice given (None when not a choice)."""

    question_id: int
    recalled: bool
    predicted: float | None = None
    response: str | None = None


@dataclass
class QuestionStats:
    question_id: int
    reviews: int = 0  # reviews with a prediction
    recalled: int = 0
    expected: float = 0.0
    variance: float = 0.0
    choices: Counter = field(default_factory=Counter)
    flags: list[str] = field(default_factory=list)

    @property
    def observed_share(self) -> float | None:
        return self.recalled / self.reviews if self.reviews else None

    @property
    def predicted_share(self) -> float | None:
        return self.expected / self.reviews if self.reviews else None

    @property
    def z(self) -> float | None:
        if not self.reviews or self.variance <= 0:
            return None
        return (self.recalled - self.expected) / math.sqrt(self.variance)


def question_stats(answers: list[StudyAnswer], keys: dict[int, str]) -> dict[int, QuestionStats]:
    """Per question: predicted against observed recall, and the choices picked, with their flags.

    ``keys`` holds the right choice of every multiple-choice question; others are not checked for choices.
    """
    stats: dict[int, QuestionStats] = {}
    for a in answers:
        s = stats.setdefault(a.question_id, QuestionStats(a.question_id))
        if a.predicted is not None:
            p = min(max(a.predicted, 0.0), 1.0)
            s.reviews += 1
            s.recalled += a.recalled
            s.expected += p
            s.variance += p * (1 - p)
        if a.response is not None and a.question_id in keys:
            s.choices[a.response] += 1
    for s in stats.values():
        s.flags = flags(s, keys.get(s.question_id))
    return stats


def flags(s: QuestionStats, key: str | None) -> list[str]:
    """Why a question's statistics look wrong; empty when they look sound or there are too few answers."""
    found = []
    if s.reviews >= MIN_REVIEWS:
        gap = s.observed_share - s.predicted_share
        z = s.z
        beyond = z is None or abs(z) >= Z_LIMIT
        if gap <= -MIN_GAP and beyond:
            found.append(f"failed far more than FSRS predicts: recalled {s.observed_share:.0%} of "
                         f"{s.reviews} reviews, predicted {s.predicted_share:.0%}")
        elif gap >= MIN_GAP and beyond:
            found.append(f"failed far less than FSRS predicts: recalled {s.observed_share:.0%} of "
                         f"{s.reviews} reviews, predicted {s.predicted_share:.0%}")
    answered = sum(s.choices.values())
    if key is not None and answered >= MIN_ANSWERS:
        wrong = [(n, choice) for choice, n in s.choices.items() if choice != key]
        if wrong:
            n, choice = max(wrong)
            if n > s.choices.get(key, 0):
                found.append(f"a wrong choice is picked more often than the key: “{choice}” {n} times, "
                             f"the key {s.choices.get(key, 0)} of {answered}")
    return found

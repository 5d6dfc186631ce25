"""Classical item analysis of a quiz's submitted attempts, on plain data, with the uncertainty shown.

Each item is analysed over the attempts that were shown it (an item added later is not
counted as failed by the attempts before it):

- **facility**: the mean share of the item's points earned, with a 95% Wilson score interval
  over those attempts (exact for right/wrong items; with partial credit it treats the mean
  share as a proportion, a close approximation);
- **wrong answers**: counted together when they differ only in case, spacing or punctuation;
- **discrimination**: the item-rest correlation, Pearson's r between the share earned on the
  item and the share earned on the rest of the attempt (the point-biserial for right/wrong
  items; the item's own points are left out of the total so that it does not correlate with
  itself), with a 95% interval from Fisher's z transformation.

Flags are raised only from ``MIN_ATTEMPTS`` attempts on, and only when the whole interval
lies on the wrong side of the threshold, so that a flag says "the data show it", not "it may
be so". Below that, an item shows its figures and intervals and no verdict.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from quizapp.grading import normalize_answer

MIN_ATTEMPTS = 20  # below this a 95% interval for r spans about 0.9: it cannot tell a good item from a miskeyed one
Z95 = 1.959964
TOO_EASY = 0.80  # facility interval wholly above: nearly everyone gets it
TOO_HARD = 0.30  # facility interval wholly below: few get it, often a wrong key
WEAK = 0.20  # discrimination interval wholly below: does not separate strong from weak attempts


@dataclass(frozen=True)
class ItemResult:
    earned: float
    possible: float
    answer: object = None  # None: not answered


@dataclass(frozen=True)
class AttemptResult:
    items: dict[int, ItemResult]  # every item the attempt was shown, answered or not


@dataclass
class ItemStats:
    item_id: int
    attempts: int  # submitted attempts that were shown the item
    answered: int
    facility: float | None = None
    facility_interval: tuple[float, float] | None = None
    discrimination: float | None = None
    discrimination_interval: tuple[float, float] | None = None
    wrong_answers: Counter = field(default_factory=Counter)
    flags: list[str] = field(default_factory=list)


def wilson_interval(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``p`` observed over ``n`` trials (n > 0)."""
    if n <= 0:
        raise ValueError("n must be positive")
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None when either side does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def fisher_interval(r: float, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The 95% interval of a correlation ``r`` over ``n`` pairs by Fisher's z (None for n < 4)."""
    if n < 4:
        return None
    centre = math.atanh(max(-0.999999, min(0.999999, r)))
    half = z / math.sqrt(n - 3)
    return math.tanh(centre - half), math.tanh(centre + half)


def analyse(item_ids: list[int], attempts: list[AttemptResult]) -> list[ItemStats]:
    """Facility and discrimination with their intervals, the wrong answers given, and flags, per item."""
    totals = [(sum(r.earned for r in a.items.values()), sum(r.possible for r in a.items.values()))
              for a in attempts]
    keys: dict[str, str] = {}  # each answer's normalized form, worked out once
    out = []
    for item_id in item_ids:
        shares, rests = [], []
        shown_as: dict[str, str] = {}  # one wrong answer however it was typed: the first spelling seen
        stats = ItemStats(item_id, 0, 0)
        for a, (earned, possible) in zip(attempts, totals, strict=True):
            result = a.items.get(item_id)
            if result is None:
                continue
            share = result.earned / result.possible if result.possible else 0.0
            stats.attempts += 1
            shares.append(share)
            if possible - result.possible > 0:
                rests.append((share, (earned - result.earned) / (possible - result.possible)))
            if result.answer not in (None, "", []):
                stats.answered += 1
                if share < 1.0:
                    answer = result.answer
                    text = ", ".join(answer) if isinstance(answer, list) else str(answer)
                    if text not in keys:
                        keys[text] = normalize_answer(text) or text
                    stats.wrong_answers[shown_as.setdefault(keys[text], text)] += 1
        if stats.attempts:
            stats.facility = sum(shares) / len(shares)
            stats.facility_interval = wilson_interval(stats.facility, stats.attempts)
        if rests:
            stats.discrimination = pearson([s for s, _ in rests], [r for _, r in rests])
            if stats.discrimination is not None:
                stats.discrimination_interval = fisher_interval(stats.discrimination, len(rests))
        stats.flags = flags(stats)
        out.append(stats)
    return out


def flags(stats: ItemStats) -> list[str]:
    """Why an item misbehaves, by its intervals; nothing below ``MIN_ATTEMPTS`` attempts."""
    if stats.attempts < MIN_ATTEMPTS or stats.facility_interval is None:
        return []
    found = []
    low, high = stats.facility_interval
    if low > TOO_EASY:
        found.append("too easy: nearly everyone gets it right")
    if high < TOO_HARD:
        found.append("too hard: few get it right (check the key)")
    interval = stats.discrimination_interval
    if interval is not None:
        if interval[1] < 0:
            found.append("negative discrimination: weaker attempts do better (check the key)")
        elif interval[1] < WEAK and not (low > TOO_EASY or high < TOO_HARD):
            found.append("weak discrimination: does not separate strong from weak attempts")
    return found

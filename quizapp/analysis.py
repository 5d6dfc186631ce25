"""Classical item analysis of a quiz's submitted attempts, on plain data.

Facility is the mean share of an item's points earned. Discrimination is the
facility in the upper group minus that in the lower group (the top and bottom
27% of attempts by total score). Items that almost everyone or almost no one
gets right, or that strong students get wrong more often than weak ones, are
flagged for the instructor.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

GROUP_SHARE = 0.27


@dataclass(frozen=True)
class AttemptResult:
    total: float  # share of the whole quiz earned, 0..1
    items: dict[int, tuple[float, object]]  # item id -> (share earned, the answer given)


@dataclass
class ItemStats:
    item_id: int
    answered: int
    facility: float | None
    discrimination: float | None
    wrong_answers: Counter = field(default_factory=Counter)
    flags: list[str] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def analyse(item_ids: list[int], attempts: list[AttemptResult]) -> list[ItemStats]:
    """Facility, discrimination, the wrong answers given, and flags, per item."""
    ranked = sorted(attempts, key=lambda a: a.total)
    size = max(1, round(len(ranked) * GROUP_SHARE)) if len(ranked) >= 2 else 0
    lower, upper = ranked[:size], ranked[len(ranked) - size:] if size else []
    out = []
    for item_id in item_ids:
        shares = [a.items[item_id][0] if item_id in a.items else 0.0 for a in attempts]
        stats = ItemStats(item_id, sum(item_id in a.items for a in attempts), _mean(shares), None)
        if size:
            hi = _mean([a.items.get(item_id, (0.0, None))[0] for a in upper])
            lo = _mean([a.items.get(item_id, (0.0, None))[0] for a in lower])
            stats.discrimination = hi - lo
        for a in attempts:
            share, answer = a.items.get(item_id, (0.0, None))
            if share < 1.0 and answer not in (None, "", []):
                key = ", ".join(answer) if isinstance(answer, list) else str(answer)
                stats.wrong_answers[key] += 1
        stats.flags = flags(stats, len(attempts))
        out.append(stats)
    return out


def flags(stats: ItemStats, attempts: int) -> list[str]:
    """Why an item may misbehave; empty when it looks sound or there is too little data."""
    if attempts < 2 or stats.facility is None:
        return []
    found = []
    if stats.facility >= 0.95:
        found.append("too easy: almost everyone got it right")
    if stats.facility <= 0.2:
        found.append("too hard: almost no one got it right (check the key)")
    if stats.discrimination is not None and stats.discrimination < 0:
        found.append("negative discrimination: weaker attempts did better (check the key)")
    elif stats.discrimination is not None and stats.discrimination < 0.2 and 0.2 < stats.facility < 0.95:
        found.append("weak discrimination: does not separate strong from weak attempts")
    return found

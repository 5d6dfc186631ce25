"""The order a period's new questions are introduced in (no Flask).

A learner meets a period in passes. The first pass asks one question of every fact, the facts in
chronological order; the second pass a second question of each, and so on. Siblings (questions of the
same fact) are buried for the day once one of them is studied, so one question per fact and pass is also
what a day can show. Within a pass each fact gets the kind its pass has used least so far, so kinds
alternate; and the first ``WINDOW`` questions of the period hold every kind the period has: a kind the
first facts lack is brought forward from the first fact that has it (the one exception to the order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WINDOW = 20
# ties go to the kind a newcomer reads most easily
KIND_ORDER = ("when", "who", "tf", "why", "cloze", "then", "order")


@dataclass(frozen=True)
class Item:
    """What the order needs of a question: its id, its fact, its kind, and its fact's place in time."""

    id: str
    fact: str
    kind: str
    date: str  # ISO, any precision; "" when undated (placed after the dated ones)
    position: int = 0  # the fact's place in the files, which breaks ties between equal dates


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def introduction_order(items: Iterable[Item], window: int = WINDOW) -> list[str]:
    """The ids of one period's questions in the order new cards are shown."""
    by_fact: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: (_kind_rank(i.kind), i.id)):
        by_fact.setdefault(item.fact, []).append(item)
    facts = sorted(by_fact, key=lambda f: (by_fact[f][0].date == "", by_fact[f][0].date,
                                           by_fact[f][0].position, f))
    left = {f: list(by_fact[f]) for f in facts}
    total = Counter(i.kind for qs in by_fact.values() for i in qs)
    order: list[Item] = []
    first_pass = True
    while any(left.values()):
        used: Counter[str] = Counter()
        chosen: list[Item] = []
        for fact in facts:
            if not left[fact]:
                continue
            # the kind this pass has used least, then the one the period has fewest of
            item = min(left[fact], key=lambda i: (used[i.kind], total[i.kind], _kind_rank(i.kind), i.id))
            used[item.kind] += 1
            chosen.append(item)
        if first_pass:
            chosen = _cover_every_kind(chosen, left, min(window, len(chosen)))
            first_pass = False
        for item in chosen:
            left[item.fact].remove(item)
        order += chosen
    return [i.id for i in order]


def _cover_every_kind(chosen: list[Item], left: dict[str, list[Item]], window: int) -> list[Item]:
    """Make the first ``window`` of the pass hold every kind, changing as few places as it can."""
    kinds = sorted({i.kind for qs in left.values() for i in qs}, key=_kind_rank)
    chosen = list(chosen)
    for kind in kinds:
        head = chosen[:window]
        if any(i.kind == kind for i in head):
            continue
        counts = Counter(i.kind for i in head)
        # a fact already in the window that also has this kind, in place of a repeated kind
        swap = next((n for n, i in enumerate(head) if counts[i.kind] > 1
                     and any(o.kind == kind for o in left[i.fact])), None)
        if swap is not None:
            chosen[swap] = next(o for o in left[head[swap].fact] if o.kind == kind)
            continue
        # else the first later fact that has it comes forward to the window's end, and the window's last
        # repeated kind waits just after it: the window stays in chronological order
        later = next((n for n in range(window, len(chosen)) if any(o.kind == kind for o in left[chosen[n].fact])),
                     None)
        spare = next((n for n in range(window - 1, -1, -1) if counts[head[n].kind] > 1), None)
        if later is None or spare is None:
            continue
        moved = chosen.pop(later)
        waiting = chosen.pop(spare)
        chosen.insert(window - 1, next(o for o in left[moved.fact] if o.kind == kind))
        chosen.insert(window, waiting)
    return chosen

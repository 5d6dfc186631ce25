"""The quality rules that look at the whole bank at once: each yields the questions it flags, with a
one-line reason. They are listed, with the question rules, in the one ``RULES`` table of
:mod:`quizapp.rules`, which the generator and ``quizapp lint`` read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from quizapp.grading import normalize_answer
from quizapp.question import Question

if TYPE_CHECKING:
    from quizapp.bank import Bank

TF_TOLERANCE = 0.05
LONGEST_SHARE = 0.40  # at most this share of a kind's keys may be the longest choice (chance: 1 in 4)
KEY_SHARE = 0.60  # an actor offered in multiple-choice who-questions is the key in at most this share of them
KEY_SHARE_MIN = 6  # ... once offered in this many (fewer say nothing of a habit)


def cloze_repeat(questions: list[Question], bank: Bank) -> Iterator[tuple[Question, str]]:
    seen: dict[str, str] = {}
    typed_who = {(q.fact_id, normalize_answer(q.answer)): q.id for q in questions
                 if q.kind == "who" and q.format == "typed"}
    for q in questions:
        if q.kind != "cloze":
            continue
        key = normalize_answer(q.answer)
        if key in seen:
            yield q, f"the same key {q.answer!r} as {seen[key]}: one card gives the other away"
        elif (q.fact_id, key) in typed_who:
            yield q, f"repeats {typed_who[q.fact_id, key]}, the typed who-question with the same key"
        seen.setdefault(key, q.id)


def length_balance(questions: list[Question], bank: Bank) -> Iterator[tuple[Question, str]]:
    by_kind = defaultdict(list)
    for q in questions:
        if q.kind in ("why", "then") and q.format == "choice":
            by_kind[q.kind].append(q)
    for kind, items in by_kind.items():
        longest = [q for q in items if len(q.answer) > max(len(c) for c in q.choices if c != q.answer)]
        if len(items) >= 8 and len(longest) > LONGEST_SHARE * len(items):
            yield longest[0], f"{len(longest)} of {len(items)} '{kind}' keys are the longest choice " \
                f"({len(longest) / len(items):.0%}; at most {LONGEST_SHARE:.0%}): pick the longest and score well"


def key_frequency(questions: list[Question], bank: Bank) -> Iterator[tuple[Question, str]]:
    offered: dict[str, list[Question]] = defaultdict(list)
    keyed: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.kind == "who" and q.format == "choice" and q.meta.get("actor"):
            keyed[q.meta["actor"]].append(q)
            for aid in (q.meta["actor"], *q.meta.get("choice_actors", [])):
                offered[aid].append(q)
    for aid, shown in offered.items():
        keys = keyed.get(aid, [])
        if len(shown) >= KEY_SHARE_MIN and len(keys) > KEY_SHARE * len(shown):
            # one question speaks for the actor: the one whose fact waives the rule, if any, else the first
            first = next((q for q in keys if bank.facts[q.fact_id].waived("key-frequency")), keys[0])
            yield first, f"{bank.actor(aid).name} is the key in {len(keys)} of the {len(shown)} who-questions " \
                f"that offer it ({len(keys) / len(shown):.0%}; at most {KEY_SHARE:.0%}): pick it and score well"


def tf_balance(questions: list[Question], bank: Bank) -> Iterator[tuple[Question, str]]:
    by_period = defaultdict(Counter)
    first = {}
    for q in questions:
        if q.kind == "tf":
            by_period[q.period][q.answer] += 1
            first.setdefault(q.period, q)
    for period, counts in by_period.items():
        total = sum(counts.values())
        share = counts["True"] / total
        if total >= 4 and abs(share - 0.5) > TF_TOLERANCE:
            yield first[period], f"period '{period}': {counts['True']} true of {total} ({share:.0%}), not 50% ± 5%"


def order_repeat(questions: list[Question], bank: Bank) -> Iterator[tuple[Question, str]]:
    seen = {}
    for q in questions:
        if q.kind == "order":
            key = frozenset(q.meta.get("facts", []))
            if key in seen:
                yield q, f"the same events as {seen[key]}"
            seen.setdefault(key, q.id)


def hand_phrased_asked(questions: list[Question], bank: Bank) -> Iterator[tuple[Question, str]]:
    asked = {(q.fact_id, q.kind) for q in questions if q.kind == "who" and q.meta.get("hand")} | \
        {(q.fact_id, q.kind) for q in questions if q.kind in ("when", "why", "then")}
    first = {}
    for q in questions:
        first.setdefault(q.fact_id, q)
    for fact in bank.subject.facts:
        for kind in ("who", "when", "why", "then"):
            if kind in fact.ask and (fact.id, kind) not in asked and fact.id in first:
                yield first[fact.id], f"the hand-phrased ask.{kind} of '{fact.id}' gave no question " \
                    "(too few fitting wrong answers, or no date or reason to ask)"

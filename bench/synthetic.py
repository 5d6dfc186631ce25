"""A synthetic subject of any size, shaped like the real one, for scaling benchmarks."""

from __future__ import annotations

import random

from quizapp.facts import Actor, Fact, FactDate, Period, Reason, Subject

TYPES = ("person", "state", "organization", "group")


def subject(n_facts: int, seed: int = 1) -> Subject:
    """n facts over 20 periods, 200 actors, causes on two thirds and consequences on half of them."""
    rng = random.Random(seed)
    periods = tuple(Period(f"p{i:02d}", f"Period {i}", 1800 + 10 * i, 1809 + 10 * i) for i in range(20))
    actors = {f"a{i:03d}": Actor(f"a{i:03d}", TYPES[i % 4], f"Actor{i:03d}", ()) for i in range(200)}
    names = list(actors)
    facts = []
    for i in range(n_facts):
        period = periods[i % len(periods)]
        who = rng.sample(names, 3)
        year = rng.randint(period.start, period.end)
        date = FactDate(year, rng.randint(1, 12), None) if i % 3 == 0 else FactDate(year)
        facts.append(Fact(
            id=f"f{i:05d}", period=period.id, date=date if i % 10 else None, actors=tuple(who),
            event=f"Actor{who[0][1:]} did thing number {i} with Actor{who[1][1:]}.",
            causes=(Reason(f"Cause {i} pressed Actor{who[0][1:]}.", f"quote {i}", "because"),) if i % 3 else (),
            consequences=(Reason(f"Consequence {i} followed.", f"quote {i}", "so"),) if i % 2 else (),
            quotes=(f"quote {i}",), tags=("synthetic",), cloze=f"thing number {i}"))
    return Subject(id="synthetic", title="Synthetic", attribution="", source_text="", periods=periods,
                   actors=actors, facts=tuple(facts))

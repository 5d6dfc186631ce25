"""A curator's ``typed`` checked against what the generator can honour, across the subject's facts (it needs
the subject's main actors, which only the whole subject tells)."""

from __future__ import annotations

from pathlib import Path

from quizapp.factcheck import Problem, _Locator
from quizapp.subject import Actor, Fact, main_actors


def check_typed(facts: list[Fact], actors: dict[str, Actor], problems: list[Problem]) -> None:
    """A curator's ``typed`` that the generator cannot honour, said rather than dropped in silence: a who-question
    on one of the subject's main actors is never typed (typing "Israel" or "Russia" is a coin toss between the two,
    so the question is not asked at all), nor is a hand-phrased one (always multiple choice)."""
    main = main_actors(facts)
    starts: dict[str, list[int]] = {}
    for fact in facts:
        starts.setdefault(fact.file, []).append(fact.line)
    files: dict[str, list[str]] = {}
    for fact in facts:
        if not fact.typed:
            continue
        for n, aid in enumerate(fact.actors, start=1):
            explicit = f"who:{n}" in fact.typed
            if not (explicit or "who" in fact.typed):
                continue
            entry = f"who:{n}" if explicit else "who"
            hand = "who" in fact.ask and aid == fact.who_actor
            if hand:
                message = (f"{entry!r} would type the hand-phrased who-question (ask.who, on '{aid}'), which is "
                           "always multiple choice")
            elif aid in main and (explicit or n == 1 or aid in fact.who_wrong):
                message = (f"{entry!r} would type '{aid}' ({actors[aid].name}), one of the subject's main actors: "
                           "typed, it is a guess between them, so the question is never asked: skip it (skip = "
                           f"[\"who:{n}\"]"
                           + (", and list the other who-questions in typed" if not explicit else "")
                           + "), or ask it as multiple choice with who_wrong and without typed")
            else:
                continue
            if fact.file not in files:
                try:
                    files[fact.file] = Path(fact.file).read_text(encoding="utf-8").splitlines()
                except OSError:
                    files[fact.file] = []
            lines = files[fact.file]
            later = [s for s in starts[fact.file] if s > fact.line]
            end = min(later) - 1 if later else len(lines)
            line = _Locator(fact.file, lines).key_line("typed", fact.line, end) if lines else fact.line
            problems.append(Problem(fact.file, line, message, fact.id, "typed"))

"""Turn a subject's facts into a bank of questions.

Each fact yields the questions its data supports, one generator per kind
(``GENERATORS``). Every question draws its randomness from its own
``Random(f"{seed}:{question_id}")``, so the bank is byte-identical for the
same facts and seed, and adding a fact leaves every other question unchanged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from random import Random

from quizapp.facts import Actor, Fact, Subject, find_mention, normalize_text

KINDS = ("when", "who", "why", "then", "order", "tf", "cloze")
BLANK = "_____"
WHEN_SPREAD = 15
ORDER_SIZE = 4
CHOICES = 4
WHO_LEAD = {
    "person": "Who",
    "state": "Which country",
    "organization": "Which organization",
    "group": "Which group",
}


@dataclass(frozen=True)
class Question:
    """One question; ``answer`` is a list only for chronology (kind ``order``)."""

    id: str
    fact_id: str
    kind: str
    period: str
    prompt: str
    answer: str | list[str]
    choices: list[str]
    explanation: str
    quote: str
    format: str  # choice, year, order, truefalse, typed
    date: str = ""
    actors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    cloze: str = ""  # Anki cloze text, {{c1::...}}, for kind "cloze"

    def to_dict(self) -> dict:
        return asdict(self)


def check_response(fmt: str, answer: str | list[str], response: str | list[str]) -> bool:
    """Check a learner's response the way the question's format demands."""
    if fmt == "order":
        return isinstance(response, list) and list(response) == list(answer)
    if isinstance(response, list):
        return False
    if fmt == "year":
        return response.strip() == answer
    if fmt == "typed":
        return normalize_answer(response) == normalize_answer(answer)
    return response == answer


def normalize_answer(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a typed answer."""
    text = normalize_text(text).casefold()
    text = re.sub(r"[^\w\s$%]", " ", text)
    text = re.sub(r"^(the|a|an)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


class Bank:
    """What generators may look at beyond their own fact, indexed once so each question costs O(1)."""

    def __init__(self, subject: Subject, seed: int):
        self.subject = subject
        self.seed = seed
        self.max_year = max(p.end for p in subject.periods)
        self.by_period: dict[str, list[Fact]] = {p.id: [] for p in subject.periods}
        self.period_actors: dict[str, set[str]] = {p.id: set() for p in subject.periods}
        for fact in subject.facts:
            self.by_period[fact.period].append(fact)
            self.period_actors[fact.period].update(fact.actors)
        self.dated = {pid: [f for f in facts if f.date] for pid, facts in self.by_period.items()}
        self.years = {pid: sorted({f.date.year for f in facts}) for pid, facts in self.dated.items()}
        self.actors_by_type: dict[str, list[Actor]] = {}
        for actor in sorted(subject.actors.values(), key=lambda a: a.id):
            self.actors_by_type.setdefault(actor.type, []).append(actor)
        self.texts = {attr: self._texts(attr) for attr in ("causes", "consequences")}

    def _texts(self, attr: str) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
        """Each distinct cause (or consequence) once, by period and overall, keyed by its normal form."""
        per_period: dict[str, list[tuple[str, str]]] = {p.id: [] for p in self.subject.periods}
        everything, seen = [], set()
        for fact in self.subject.facts:
            for text in getattr(fact, attr):
                key = normalize_text(text)
                if key not in seen:
                    seen.add(key)
                    per_period[fact.period].append((key, text))
                    everything.append((key, text))
        return per_period, everything

    def rng(self, question_id: str) -> Random:
        return Random(f"{self.seed}:{question_id}")

    def actor(self, actor_id: str) -> Actor:
        return self.subject.actors[actor_id]

    def distractor_texts(self, fact: Fact, attr: str, rng: Random, count: int) -> list[str]:
        """Causes (or consequences) of other facts, of the same period where it has enough."""
        own = {normalize_text(t) for t in fact.causes + fact.consequences}
        per_period, everything = self.texts[attr]
        return draw(rng, [per_period[fact.period], everything], own, count)


def draw(rng: Random, pools: list[list[tuple[str, str]]], exclude: set[str], count: int) -> list[str]:
    """Up to ``count`` distinct texts, trying the pools in order, never one whose key is excluded.

    Random probes keep this O(count) on large banks; a small pool that probes cannot fill
    is finished by a shuffled scan.
    """
    chosen, seen = [], set(exclude)
    for pool in pools:
        for _ in range(count * 8):
            if len(chosen) == count or not pool:
                break
            key, text = pool[rng.randrange(len(pool))]
            if key not in seen:
                seen.add(key)
                chosen.append(text)
        if len(chosen) < count and len(pool) <= count * 64:
            rest = [(k, t) for k, t in pool if k not in seen]
            for key, text in rng.sample(rest, min(count - len(chosen), len(rest))):
                seen.add(key)
                chosen.append(text)
    return chosen


def pick(rng: Random, preferred: list, fallback: list, count: int) -> list:
    """Draw ``count`` items, preferred ones first, without repeats."""
    chosen = rng.sample(preferred, min(count, len(preferred)))
    if len(chosen) < count:
        rest = [x for x in fallback if x not in chosen]
        chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    return chosen


def shuffled(rng: Random, items: list) -> list:
    items = list(items)
    rng.shuffle(items)
    return items


def explain(fact: Fact) -> str:
    """The teacher's answer: when, what, why and what followed."""
    head = f"{fact.date.display()}: " if fact.date else ""
    parts = [head + fact.event]
    if fact.causes:
        parts.append("Why: " + " ".join(fact.causes))
    if fact.consequences:
        parts.append("What followed: " + " ".join(fact.consequences))
    return "\n".join(parts)


# Words that open an event sentence and are not names, so they lose their capital after "In 1948, ".
SENTENCE_OPENERS = {"The", "A", "An", "After", "Before", "During", "When", "While", "Following", "In", "On", "At",
                    "As", "Since", "Unlike", "Despite", "Meeting", "Once", "Over", "With"}


def dated_statement(event: str, date_text: str | None) -> str:
    """'In 1948, the Soviet Union recognized …' without lowercasing proper names."""
    if date_text is None:
        return event
    first, _, rest = event.partition(" ")
    if first in SENTENCE_OPENERS:
        event = first.lower() + " " + rest
    return f"In {date_text}, {event}"


def _question(fact: Fact, bank: Bank, kind: str, qid: str, prompt: str, answer, choices: list[str],
              fmt: str, cloze: str = "", explanation: str | None = None) -> Question:
    return Question(
        id=qid, fact_id=fact.id, kind=kind, period=fact.period, prompt=prompt, answer=answer,
        choices=choices, explanation=explanation or explain(fact),
        quote=" … ".join(fact.quotes), format=fmt, date=fact.date.iso if fact.date else "",
        actors=list(fact.actors), tags=list(fact.tags), cloze=cloze,
    )


def when_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """The year as multiple choice and typed; the month and day where the fact has them."""
    if fact.date is None:
        return []
    year = fact.date.year
    prompt = fact.ask.get("when") or f"In which year did this happen? {fact.event}"
    lo, hi = year - WHEN_SPREAD, min(year + WHEN_SPREAD, bank.max_year)
    years = bank.years[fact.period]
    other_years = [y for y in years[bisect_left(years, lo):bisect_right(years, hi)] if y != year]
    nearby = [y for y in range(lo, hi + 1) if y != year]
    r1 = bank.rng(f"{fact.id}:when")
    years = [year] + pick(r1, other_years, nearby, CHOICES - 1)
    questions = [
        _question(fact, bank, "when", f"{fact.id}:when", prompt, str(year),
                  [str(y) for y in shuffled(r1, years)], "choice"),
        _question(fact, bank, "when", f"{fact.id}:when:2", prompt + " Type the year.", str(year), [], "year"),
    ]
    if fact.date.month:
        r3 = bank.rng(f"{fact.id}:when:3")
        answer = f"{calendar.month_name[fact.date.month]} {year}"
        months = [m for m in range(1, 13) if m != fact.date.month]
        choices = [answer] + [f"{calendar.month_name[m]} {year}" for m in r3.sample(months, CHOICES - 1)]
        questions.append(_question(
            fact, bank, "when", f"{fact.id}:when:3",
            f"In which month of {year} did this happen? {fact.event}", answer, shuffled(r3, choices), "choice"))
    if fact.date.day:
        r4 = bank.rng(f"{fact.id}:when:4")
        day = fact.date.first_day
        offsets = r4.sample([d for d in range(-12, 13) if d], CHOICES - 1)
        days = [day] + [day + dt.timedelta(days=d) for d in offsets]
        text = [f"{d.day} {calendar.month_name[d.month]} {d.year}" for d in days]
        questions.append(_question(
            fact, bank, "when", f"{fact.id}:when:4", f"On what date did this happen? {fact.event}",
            text[0], shuffled(r4, text), "choice"))
    return questions


def blank_actor(text: str, actor: Actor) -> str:
    """Blank every mention of the actor, so no alias gives the answer away."""
    for name in actor.names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", BLANK, text, flags=re.IGNORECASE)
    return text


def could_be_read_as(a: Actor, b: Actor) -> bool:
    """Two actors sharing a name or alias (the USSR and Russia are both 'Moscow'): never each other's distractor."""
    return bool({n.casefold() for n in a.names} & {n.casefold() for n in b.names})


def who_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """The acting actor, against actors of the same type who are not in this fact."""
    actor = bank.actor(fact.who_actor)
    if "who" in fact.ask:
        prompt = fact.ask["who"]
    elif find_mention(fact.event, actor):
        prompt = f"{WHO_LEAD[actor.type]} fills the blank? {blank_actor(fact.event, actor)}"
    else:
        return []
    same_type = [a for a in bank.actors_by_type[actor.type]
                 if a.id not in fact.actors and not could_be_read_as(a, actor)]
    near = [a.name for a in same_type if a.id in bank.period_actors[fact.period]]
    others = [a.name for a in same_type]
    distractors = pick(rng, near, others, CHOICES - 1)
    if len(distractors) < CHOICES - 1:
        return []
    return [_question(fact, bank, "who", f"{fact.id}:who", prompt, actor.name,
                      shuffled(rng, [actor.name] + distractors), "choice")]


def _reason_questions(fact: Fact, bank: Bank, kind: str, attr: str, lead: str) -> list[Question]:
    questions = []
    for n, text in enumerate(getattr(fact, attr), start=1):
        qid = f"{fact.id}:{kind}" + (f":{n}" if n > 1 else "")
        rng = bank.rng(qid)
        distractors = bank.distractor_texts(fact, attr, rng, CHOICES - 1)
        prompt = fact.ask.get(kind) or f"{lead} {fact.event}"
        questions.append(_question(fact, bank, kind, qid, prompt, text,
                                   shuffled(rng, [text] + distractors), "choice"))
    return questions


def why_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Each cause the article gives, against causes of other facts."""
    return _reason_questions(fact, bank, "why", "causes", "According to the article, why did this happen?")


def then_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Each consequence the article gives, against consequences of other facts."""
    return _reason_questions(fact, bank, "then", "consequences", "According to the article, what followed?")


def order_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """This fact and others of its period whose dates cannot overlap, to put in order."""
    if fact.date is None:
        return []
    pool = bank.dated[fact.period]
    chosen = [fact]
    for _ in range(ORDER_SIZE * 16):  # random probes: O(1) per question however large the period
        other = pool[rng.randrange(len(pool))]
        if all(not other.date.overlaps(c.date) for c in chosen):
            chosen.append(other)
        if len(chosen) == ORDER_SIZE:
            break
    if len(chosen) < 3:
        return []
    ordered = sorted(chosen, key=lambda f: f.date.first_day)
    answer = [f.event for f in ordered]
    explanation = "\n".join(f"{f.date.display()}: {f.event}" for f in ordered)
    return [_question(fact, bank, "order", f"{fact.id}:order",
                      "Put these events in the order they happened, earliest first.",
                      answer, shuffled(rng, answer), "order", explanation=explanation)]


def tf_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """A dated statement, either true or with one swapped year or actor."""
    date_text = fact.date.display() if fact.date else None
    swaps = []
    if fact.date:
        year = fact.date.year
        wrong = rng.choice([y for y in range(year - WHEN_SPREAD, min(year + WHEN_SPREAD, bank.max_year) + 1)
                            if abs(y - year) >= 3])
        wrong_text = date_text.replace(str(year), str(wrong))
        swaps.append((dated_statement(fact.event, wrong_text),
                      f"False: this happened in {date_text}, not in {wrong_text}."))
    actor = bank.actor(fact.actors[0])
    mention = find_mention(fact.event, actor)
    same_type = [a for a in bank.actors_by_type[actor.type]
                 if a.id not in fact.actors and a.id in bank.period_actors[fact.period]
                 and not could_be_read_as(a, actor)]
    # Swapping organizations or groups reads as nonsense; people and states swap cleanly.
    if mention and mention.start() == 0 and same_type and actor.type in ("person", "state"):
        other = rng.choice(same_type)
        name = other.name[0].upper() + other.name[1:]
        swapped = name + fact.event[mention.end():]
        swaps.append((dated_statement(swapped, date_text), f"False: it was {actor.name}, not {other.name}."))
    if swaps and rng.random() < 0.5:
        statement, why = rng.choice(swaps)
        answer, explanation = "False", why + "\n" + explain(fact)
    else:
        statement = dated_statement(fact.event, date_text)
        answer, explanation = "True", "True.\n" + explain(fact)
    return [_question(fact, bank, "tf", f"{fact.id}:tf", f"True or false? {statement}", answer,
                      ["True", "False"], "truefalse", explanation=explanation)]


def cloze_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """The event with its key term blanked: the curator's term, else the acting actor."""
    term = fact.cloze
    if term is None:
        mention = find_mention(fact.event, bank.actor(fact.actors[0]))
        if mention is None:
            return []
        term = mention.group()
    start = fact.event.index(term)
    before, after = fact.event[:start], fact.event[start + len(term):]
    prefix = f"{fact.date.display()}: " if fact.date else ""
    return [_question(fact, bank, "cloze", f"{fact.id}:cloze",
                      f"Fill in the blank. {prefix}{before}{BLANK}{after}", term, [], "typed",
                      cloze=f"{prefix}{before}{{{{c1::{term}}}}}{after}")]


GENERATORS: dict[str, Callable[[Fact, Bank, Random], list[Question]]] = {
    "when": when_questions,
    "who": who_questions,
    "why": why_questions,
    "then": then_questions,
    "order": order_questions,
    "tf": tf_questions,
    "cloze": cloze_questions,
}


def build_bank(subject: Subject, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> list[Question]:
    """Every question the facts support, in fact order then kind order."""
    bank = Bank(subject, seed)
    questions = []
    for fact in subject.facts:
        for kind in kinds:
            questions.extend(GENERATORS[kind](fact, bank, bank.rng(f"{fact.id}:{kind}")))
    return questions

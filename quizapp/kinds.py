"""One question maker per kind (``GENERATORS``): each turns a fact into the questions its data supports.

When, chronology, true/false and cloze are made here; who-questions in :mod:`quizapp.who`, why and
what-followed in :mod:`quizapp.reasons`, and what they all share in :mod:`quizapp.asking`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from random import Random

from quizapp.asking import _date_quote, _question, according, disputed, explain, standing
from quizapp.bank import CHOICES, Bank, pick, shuffled, unordered
from quizapp.bank import statement as era_statement
from quizapp.facts import Fact
from quizapp.grading import normalize_answer
from quizapp.question import Question
from quizapp.reasons import then_questions, why_questions
from quizapp.who import role_tiers, who_questions, with_frequent_key
from quizapp.wording import (
    BLANK,
    mentions,
)

__all__ = ["GENERATORS", "cloze_questions", "explain", "order_questions", "role_tiers", "standing", "tf_questions",
           "then_questions", "when_questions", "who_questions", "why_questions", "with_frequent_key"]

WHEN_SPREAD = 12
ORDER_SIZE = 4


def when_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """The year as multiple choice and typed; the month and day where the fact has them."""
    date = fact.askable_date
    if date is None:
        return []
    year = date.year
    prompt = fact.ask.get("when") or f"In which year did this happen? {fact.event}"
    if fact.date_contested:  # asked as the article has it, said so, never typed or by month: the note tells the rest
        prompt = f"According to the article, in which year did this happen? {fact.event}"
    quote = _date_quote(fact)
    r1 = bank.rng(f"{fact.id}:when")
    near = bank.wrong_years(fact, spread=WHEN_SPREAD)
    close = [y for y in near if abs(y - year) <= 5]
    wrong = pick(r1, close, near, CHOICES - 1)
    if len(wrong) < CHOICES - 1:
        return []
    meta = {"wrong_years": wrong}
    questions = [
        _question(fact, "when", f"{fact.id}:when", prompt, str(year),
                  [str(y) for y in shuffled(r1, [year] + wrong)], "choice", quote=quote, meta=meta),
    ]
    if not fact.date_contested and not any(s.date and not s.date.contains_year(year) for s in bank.siblings[fact.id]):
        # typed, only where no like event of the same actor has another year the learner could rightly type
        questions.append(_question(fact, "when", f"{fact.id}:when:2", prompt + " Type the year.", str(year), [],
                                   "year", quote=quote, meta=meta))
    if fact.date_contested:
        return questions
    if date.month:
        r3 = bank.rng(f"{fact.id}:when:3")
        answer = f"{calendar.month_name[date.month]} {year}"
        months = [m for m in range(1, 13) if m != date.month]
        choices = [answer] + [f"{calendar.month_name[m]} {year}" for m in r3.sample(months, CHOICES - 1)]
        questions.append(_question(
            fact, "when", f"{fact.id}:when:3", f"In which month of {year} did this happen? {fact.event}",
            answer, shuffled(r3, choices), "choice", quote=quote))
    if date.day:
        r4 = bank.rng(f"{fact.id}:when:4")
        day = date.first_day
        offsets = r4.sample([d for d in range(-12, 13) if d], CHOICES - 1)
        days = [day] + [day + dt.timedelta(days=d) for d in offsets]
        text = [f"{d.day} {calendar.month_name[d.month]} {d.year}" for d in days]
        questions.append(_question(
            fact, "when", f"{fact.id}:when:4", f"On what date did this happen? {fact.event}",
            text[0], shuffled(r4, text), "choice", quote=quote))
    return questions


def order_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """This fact and others of its period with exact dates that cannot overlap, to put in order; none naming
    another's event ("after the attack on its embassy" tells the attack came first); never the same set twice,
    and the least-used facts first so one period's few dates are not asked again and again."""
    def orderable(f: Fact) -> bool:
        return f.askable_date is not None and not f.date_contested  # a contested date orders nothing

    if not orderable(fact):
        return []
    pool = [f for f in bank.by_period[fact.period] if orderable(f) and f.id != fact.id]
    pool.sort(key=lambda f: (bank.order_use.get(f.id, 0), rng.random()))
    chosen = [fact]
    for other in pool:
        if all(not other.date.overlaps(c.date) and not bank.cross_reference(other, c) for c in chosen):
            chosen.append(other)
        if len(chosen) == ORDER_SIZE:
            break
    key = frozenset(f.id for f in chosen)
    if len(chosen) < 3 or key in bank.order_sets:
        return []
    bank.order_sets.add(key)
    for f in chosen:
        bank.order_use[f.id] = bank.order_use.get(f.id, 0) + 1
    ordered = sorted(chosen, key=lambda f: f.date.first_day)
    answer = [f.event for f in ordered]
    explanation = "\n".join(f"{f.date.display()}: {f.event}" for f in ordered)
    quote = " … ".join(_date_quote(f) for f in ordered)
    return [_question(fact, "order", f"{fact.id}:order",
                      "Put these events in the order they happened, earliest first.",
                      answer, unordered(rng, answer), "order", explanation=explanation, quote=quote,
                      meta={"facts": [f.id for f in ordered]})]


def tf_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """A dated statement: true, or (for half of each period) with one plausible year or actor swapped."""
    if fact.id not in bank.tf_facts:
        return []
    swaps = bank.falsehoods(fact, rng=rng)
    if fact.id in bank.tf_false and swaps:
        statement, why, meta = rng.choice(swaps)
        answer, explanation = "False", why + "\n" + explain(fact)
    else:
        statement = era_statement(fact, bank.proper)
        answer, explanation, meta = "True", "True.\n" + explain(fact), {}
    return [_question(fact, "tf", f"{fact.id}:tf", f"True or false? {statement}", answer,
                      ["True", "False"], "truefalse", explanation=explanation, quote=_date_quote(fact), meta=meta)]


def cloze_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """The event with its key term blanked: the curator's term, else the acting actor's single mention."""
    term, accept = fact.cloze, list(fact.cloze_accept)
    start = None
    if term is None:
        actor = bank.actor(fact.actors[0])
        spans = mentions(fact.event, actor)
        if len(spans) != 1:
            return []
        start, end = spans[0]
        if re.match(r",\s+(?:the|a|an|its|his|her)\s", fact.event[end:]):
            return []  # "Arafat, the PLO's leader": the apposition gives the name away
        term = fact.event[start:end]
        accept += [n for n in (actor.name, *actor.aliases) if n.casefold() != term.casefold()
                   and normalize_answer(n) not in {normalize_answer(term)}]
    if start is None:
        m = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", fact.event)
        start = m.start() if m else fact.event.index(term)
    statement = era_statement(fact, bank.proper)
    shift = len(statement) - len(fact.event)
    if statement[shift + start:shift + start + len(term)] != term:  # the term opened the sentence
        term = statement[shift + start:shift + start + len(term)]
    before, after = statement[:shift + start], statement[shift + start + len(term):]
    if disputed(fact, term):  # the note speaks of the key: asked as the article has it
        before = according(before, bank.proper) if before else "According to the article, "
    article = re.search(r"(?i)(?:^|(?<=\s))(an?) $", before)
    if article:  # "signed an _____" tells the key's first letter: the article goes into the blank
        accept = [term, *accept]
        term = f"{article.group(1)} {term}"
        before = before[:article.start()]
    return [_question(fact, "cloze", f"{fact.id}:cloze",
                      f"Fill in the blank. {before}{BLANK}{after}", term, [], "typed",
                      cloze=f"{before}{{{{c1::{term}}}}}{after}", accept=accept)]


GENERATORS: dict[str, Callable[[Fact, Bank, Random], list[Question]]] = {
    "when": when_questions,
    "who": who_questions,
    "why": why_questions,
    "then": then_questions,
    "order": order_questions,
    "tf": tf_questions,
    "cloze": cloze_questions,
}

"""What every kind of question shares: the explanation, the question record, and how a question asks
what the article says where general knowledge qualifies it."""

from __future__ import annotations

import re

from quizapp.facts import Fact, normalize_text
from quizapp.question import Question
from quizapp.wording import (
    lower_opener,
    present_tense,
)


def standing(fact: Fact) -> bool:
    """A standing condition, not a happening: an undated event in the present tense ("Russia takes its Muslim
    population into account ..."), whose why-question asks "why is this so?", not "why did this happen?"."""
    return fact.date is None and present_tense(fact.event)


def explain(fact: Fact) -> str:
    """The teacher's answer: when, what, why and what followed, and the article's slip where it has one. A
    cause or consequence the curator labels ("An example:") is introduced by its label."""
    head = f"{fact.date.display()}: " if fact.date else ""
    parts = [head + fact.event]
    then = "What it leads to:" if standing(fact) else "What followed:"
    for reasons, default in ((fact.causes, "Why:"), (fact.consequences, then)):
        groups: dict[str, list[str]] = {}
        for reason in reasons:
            groups.setdefault(reason.label or default, []).append(reason.text)
        parts.extend(f"{label} {' '.join(texts)}" for label, texts in groups.items())
    if fact.date_source:
        parts.append(f"The date is not in the article: {fact.date_source}")
    if fact.note:
        parts.append(f"Note: {fact.note}")
    return "\n".join(parts)


def _question(fact: Fact, kind: str, qid: str, prompt: str, answer, choices: list[str], fmt: str,
              cloze: str = "", explanation: str | None = None, quote: str | None = None,
              accept: list[str] | None = None, meta: dict | None = None) -> Question:
    return Question(
        id=qid, fact_id=fact.id, kind=kind, period=fact.period, prompt=prompt, answer=answer,
        choices=choices, explanation=explanation or explain(fact),
        quote=quote if quote is not None else " … ".join(fact.quotes), format=fmt,
        date=fact.date.iso if fact.date else "", actors=list(fact.actors), tags=list(fact.tags), cloze=cloze,
        accept=accept or [], note=fact.note, meta=meta or {},
    )


def disputed(fact: Fact, key: str) -> bool:
    """Whether the fact's note speaks of the key (where general knowledge qualifies or contradicts the article):
    the question then asks what the article says, as the year of a contested date is asked."""
    return bool(fact.note) and bool(re.search(rf"(?i)(?<!\w){re.escape(key)}(?!\w)", fact.note))


def according(text: str, proper: set[str]) -> str:
    """The text as the article's claim: 'According to the article, ...', unless it already says so."""
    if "the article" in text.casefold():  # already the article's ("..., which the article gives as ...")
        return text
    return "According to the article, " + (lower_opener(text, proper) if text[:1].isalpha() else text)


def _date_quote(fact: Fact) -> str:
    quotes = list(fact.quotes)
    if fact.date_quote and normalize_text(fact.date_quote) not in normalize_text(" ".join(quotes)):
        quotes.insert(0, fact.date_quote)
    return " … ".join(quotes)

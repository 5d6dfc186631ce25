"""Why- and what-followed questions: each cause and consequence, with the curator's wrong answers and
others drawn from facts that do not say the same."""

from __future__ import annotations

from random import Random

from quizapp.asking import _question, standing
from quizapp.bank import CHOICES, Bank, shuffled
from quizapp.facts import Fact, Reason, normalize_text
from quizapp.question import Question
from quizapp.wording import (
    content_words,
    similarity,
)

POOL = 64  # facts looked at for a question's wrong reasons, beyond those sharing an actor


def reason_distractors(fact: Fact, bank: Bank, attr: str, rng: Random, count: int,
                       reason: Reason | None = None) -> list[str]:
    """Wrong reasons: first the other side of this very event (for a cause, what it led to; for a consequence,
    what caused it), then causes (consequences) of other facts that are none of this one: not from a sibling fact,
    the same passage or the same chain, not like anything this fact says; the nearest in subject."""
    curated = list(reason.wrong) if reason else []
    if len(curated) >= count:  # the curator's wrong answers on the same subject: nothing else is needed
        return rng.sample(curated, count)
    own_quotes = [normalize_text(q) for q in fact.quotes + tuple(r.quote for r in fact.causes + fact.consequences)]
    own_paragraphs = bank.paragraphs_of(own_quotes)
    own_texts = [fact.event, *fact.cause_texts, *fact.consequence_texts]
    siblings = {s.id for s in bank.siblings[fact.id]}
    fact_date = fact.date.first_day if fact.date else None

    def usable(other: Fact, reason) -> bool:
        if other.id == fact.id or other.id in siblings:
            return False
        quote = normalize_text(reason.quote)
        if any(quote in q or q in quote for q in own_quotes) or bank.paragraphs_of([quote]) & own_paragraphs:
            return False  # the same passage of the article: likely true of this event too
        if attr == "consequences" and fact_date and other.date and other.date.first_day > fact_date \
                and set(other.actors[:1]) & set(fact.actors):
            return False  # a later result of the same actor's doing could be read as what followed
        common = bank.common_words
        if any(similarity(other.event, t, common) >= 0.5 for t in own_texts[1:]) or \
                any(similarity(r.text, fact.event, common) >= 0.5 for r in other.causes + other.consequences):
            return False  # the other fact is a link in this one's chain of causes
        return all(similarity(reason.text, t) < 0.5 for t in own_texts)

    topic = content_words(fact.event) - bank.common_words
    cast = set(fact.actors) - bank.principal
    # Where to look: the facts that share an actor, then a bounded draw of the rest (same period first), so a
    # question costs the same however large the subject grows.
    near = [o for o in dict.fromkeys(o for a in fact.actors for o in bank.involving.get(a, ())) if o.id != fact.id]
    near = near if len(near) <= POOL else rng.sample(near, POOL)
    taken = {o.id for o in near} | {fact.id}
    pool = []
    for group in (bank.by_period[fact.period], bank.subject.facts):
        rest = [o for o in group if o.id not in taken] if len(group) <= POOL * 4 else \
            [o for o in (group[rng.randrange(len(group))] for _ in range(POOL)) if o.id not in taken]
        for other in rest[:POOL - len(pool)]:
            taken.add(other.id)
            pool.append(other)

    def closeness(other: Fact, text: str) -> float:
        """How near a wrong reason is to this fact's subject: words of the event, the same actors, the period."""
        return len((content_words(text) - bank.common_words) & topic) + (1.5 if cast & set(other.actors) else 0) \
            + (1 if other.period == fact.period else 0)

    # The other side of the same event first: for "why", what it led to; for "what followed", what caused it.
    # They are on the subject, and wrong by the article's own direction.
    opposite = list(fact.consequence_texts if attr == "causes" else fact.cause_texts)
    for other in near:
        if attr == "causes" and any(similarity(r.text, fact.event) >= 0.5 for r in other.causes):
            opposite.append(other.event)  # an event this one caused
        if attr == "consequences" and any(similarity(other.event, c) >= 0.5 for c in fact.cause_texts):
            opposite.append(other.event)  # an event that caused this one
    keys = {normalize_text(r.text) for r in getattr(fact, attr)}
    wrong_way = []
    for text in opposite:
        if normalize_text(text) not in keys and all(similarity(text, k) < 0.5 for k in keys) \
                and text not in wrong_way:
            wrong_way.append(text)
    wrong_way = rng.sample(wrong_way, min(len(wrong_way), count - 1))  # at least one from elsewhere
    curated = [t for t in curated if t not in wrong_way]
    if curated:  # the curator's wrong answers on the same subject come first
        wrong_way = rng.sample(curated, len(curated)) + wrong_way
        wrong_way = wrong_way[:count]

    seen, ranked = {normalize_text(t) for t in wrong_way}, []
    for other in near + pool:
        for reason in getattr(other, attr):
            key = normalize_text(reason.text)
            if key not in seen and usable(other, reason):
                seen.add(key)
                ranked.append((-closeness(other, reason.text), rng.random(), reason.text))
    ranked.sort()
    # the nearest wrong reasons, so the key is not the only choice on the subject; drawn among the nearest few
    need = count - len(wrong_way)
    nearest = [text for _, _, text in ranked[:need * 2]]
    return wrong_way + rng.sample(nearest, min(need, len(nearest)))


def _reason_questions(fact: Fact, bank: Bank, kind: str, attr: str, lead: tuple[str, str]) -> list[Question]:
    """lead: how the question opens for a happening, and for a standing condition."""
    questions = []
    for n, reason in enumerate(getattr(fact, attr), start=1):
        qid = f"{fact.id}:{kind}" + (f":{n}" if n > 1 else "")
        rng = bank.rng(qid)
        distractors = reason_distractors(fact, bank, attr, rng, CHOICES - 1, reason)
        if len(distractors) < CHOICES - 1:
            continue
        prompt = fact.ask.get(kind) or f"{lead[standing(fact)]} {fact.event}"
        questions.append(_question(fact, kind, qid, prompt, reason.text,
                                   shuffled(rng, [reason.text] + distractors), "choice",
                                   quote=reason.quote, meta={"link": reason.link}))
    return questions


def why_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Each cause the article states, against causes of other facts that do not explain this one."""
    return _reason_questions(fact, bank, "why", "causes", ("According to the article, why did this happen?",
                                                          "According to the article, why is this so?"))


def then_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Each consequence the article states, against consequences of other facts that this one did not cause."""
    return _reason_questions(fact, bank, "then", "consequences",
                             ("According to the article, what did this lead to?",
                              "According to the article, what does this lead to?"))

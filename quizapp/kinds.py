"""One question maker per kind (``GENERATORS``): each turns a fact into the questions its data supports."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from random import Random

from quizapp.bank import CHOICES, FREQUENT_KEY, Bank, pick, shuffled, unordered
from quizapp.bank import statement as era_statement
from quizapp.facts import Fact, Reason, normalize_text
from quizapp.grading import normalize_answer
from quizapp.question import Question
from quizapp.slots import NEGATION, Slot, actor_slot, fill
from quizapp.wording import (
    BLANK,
    content_words,
    lower_opener,
    mentions,
    present_tense,
    similarity,
)

WHEN_SPREAD = 12
ORDER_SIZE = 4
POOL = 64  # facts looked at for a question's wrong reasons, beyond those sharing an actor
WHO_LEAD = {
    "person": "Who",
    "state": "Which country",
    "organization": "Which organization",
    "group": "Which group",
}


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


def who_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Every actor named once in the event, against actors who could fill the same place and are wrong."""
    questions = []
    fact_actors = [bank.actor(a) for a in fact.actors]
    for n, actor in enumerate(fact_actors, start=1):
        qid = f"{fact.id}:who" + (f":{n}" if n > 1 else "")
        r = bank.rng(qid)
        hand = "who" in fact.ask and actor.id == fact.who_actor
        curated = [bank.actor(a) for a in fact.who_wrong.get(actor.id, ())]
        if hand:
            slot = Slot(0, 0, False, False, True)
            prompt = fact.ask["who"]
        else:
            if n > 1 and actor.id in bank.principal and not curated:
                continue  # "During Sharon's visit to _____, Putin ...": the subject's main actors only when they act
            if n == 1 and NEGATION.search(fact.event) and not curated:
                continue  # "_____ did not attend": most wrong answers did not attend either
            statement = era_statement(fact, bank.proper)
            shift = len(statement) - len(fact.event)
            slot = actor_slot(statement, actor, [a for a in fact_actors if a.id != actor.id])
            if slot is None or slot.start < shift:
                continue
            lead = "Which word" if slot.adjective else WHO_LEAD[actor.type]  # "Soviet" is no country
            prompt = f"{lead} fills the blank? " \
                     f"{statement[:slot.start]}{BLANK}{statement[slot.end:]}"
        if curated:  # the curator's wrong choices, read against the article; the rules still check them
            if slot.adjective and not all(a.adjective for a in curated):
                continue
            wrong = curated
        else:
            candidates = bank.fitting_actors(fact, actor, adjective=slot.adjective)
            best = actor.role_fit(candidates[0]) if candidates else 0
            fitting = [a for a in candidates if actor.role_fit(a) == best]
            if len(fitting) >= CHOICES - 1:
                near = [a for a in fitting if a.id in bank.period_actors[fact.period]]
                wrong = pick(r, near, fitting, CHOICES - 1)
            else:  # widen only when the best fit is too few, and then tier by tier: every actor of the key's own
                # role first (Medvedev beside Putin), then its side's (a Russian official), then the rest, so a
                # head of state stands among officials only where too few of its kind fit, or as the one
                # frequent key below
                wrong = []
                for tier in role_tiers(actor, candidates):
                    near = [a for a in tier if a.id in bank.period_actors[fact.period]]
                    wrong += pick(r, near, tier, CHOICES - 1 - len(wrong))
                    if len(wrong) == CHOICES - 1:
                        break
            wrong = with_frequent_key(bank, actor, candidates, wrong)
        if not hand and bank.pointer(prompt, actor, wrong):
            continue  # "During Sharon's visit to _____, Putin said": Putin gives Russia away
        if len(wrong) < CHOICES - 1 or fact.typed_who(n):
            # too few fair wrong choices (or the curator says any would be unfair): the learner types the name
            # instead, where guessing the subject's main actors would not do (the validator refuses a curator's
            # typed for a main actor or a hand-phrased question)
            if hand or slot.adjective or actor.id in bank.principal:
                continue
            answer = fill(actor, slot)
            prompt = _hedged(fact, prompt, answer, hand, bank)
            accept = sorted({n for n in (actor.name, actor.display, *actor.aliases) if n != answer})
            known = {normalize_answer(a) for a in (answer, *accept)}
            for other in fact.who_accept.get(actor.id, ()):  # the curator's other right answers (who_accept)
                if normalize_answer(other) not in known:
                    known.add(normalize_answer(other))
                    accept.append(other)
            questions.append(_question(fact, "who", qid, prompt + " Type the name.", answer, [], "typed",
                                       accept=accept, meta={"actor": actor.id, "choice_actors": [],
                                                            "adjective": False, "hand": False}))
            continue
        answer = fill(actor, slot) if not hand else actor.name
        prompt = _hedged(fact, prompt, answer, hand, bank)
        shown = {a.id: (fill(a, slot) if not hand else a.name) for a in [actor, *wrong]}
        choices = shuffled(r, list(shown.values()))
        questions.append(_question(fact, "who", qid, prompt, answer, choices, "choice", meta={
            "actor": actor.id, "choice_actors": [a.id for a in wrong], "adjective": slot.adjective,
            "hand": hand, "curated": bool(curated)}))
    return questions


def with_frequent_key(bank: Bank, actor, candidates: list, wrong: list) -> list:
    """The wrong choices with the subject's most frequent key among the candidates in them: an actor the
    subject's who-questions often have as their key (Putin, Sharon) stands also where it is wrong (beside
    Medvedev or a Russian official), so that "pick the famous one" is no way to score. Only one of the key's
    own role or side, the candidates having passed every rule of a fitting wrong choice; it takes the place of
    the drawn choice that is least often a key, so the draw (and every other question) is unchanged."""
    if len(wrong) < CHOICES - 1:
        return wrong
    def side(a) -> set[str]:
        return {r.split("-", 1)[0] for r in a.roles if "-" in r}

    near = [a for a in candidates if actor.role_fit(a) == 2 or side(actor) & side(a)]
    frequent = sorted((a for a in near if bank.key_use[a.id] >= FREQUENT_KEY),
                      key=lambda a: (-bank.key_use[a.id], a.id))
    if not frequent or frequent[0] in wrong:
        return wrong
    least = min(range(len(wrong)), key=lambda i: (bank.key_use[wrong[i].id], -i))
    return wrong[:least] + [frequent[0]] + wrong[least + 1:]


def _hedged(fact: Fact, prompt: str, answer: str, hand: bool, bank: Bank) -> str:
    """The who-prompt as the article's claim where the fact's note speaks of the key."""
    if not disputed(fact, answer):
        return prompt
    lead, mark, text = ("", "", prompt) if hand else prompt.partition("fills the blank? ")
    return lead + mark + according(text, bank.proper)


def role_tiers(actor, candidates: list) -> list[list]:
    """The candidates in tiers: those sharing a role with the actor ("russian-leader"), then those of its side
    ("russian-official"), then the rest of the fit (another kind of leader: "-leader" is also a Palestinian one)."""
    sides = {r.split("-", 1)[0] for r in actor.roles if "-" in r}
    tiers: list[list] = [[], [], []]
    for other in candidates:
        same_side = sides & {r.split("-", 1)[0] for r in other.roles if "-" in r}
        tiers[0 if actor.role_fit(other) == 2 else 1 if same_side else 2].append(other)
    return [t for t in tiers if t]


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

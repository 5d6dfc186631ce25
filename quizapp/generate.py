"""Turn a subject's facts into a bank of questions.

Each fact yields the questions its data supports, one generator per kind
(``GENERATORS``). Every question draws its randomness from its own
``Random(f"{seed}:{question_id}")``, so the bank is byte-identical for the
same facts and seed. Every candidate question then goes through the quality
rules of :mod:`quizapp.rules`; one that a rule flags (and the fact does not
waive) is withheld from the bank and reported by ``quizapp lint``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from random import Random

from quizapp.facts import Actor, Fact, Reason, Subject, normalize_text
from quizapp.grading import normalize_answer, typed_matches
from quizapp.wording import (
    BLANK,
    TITLES,
    capitalize,
    content_words,
    dated_statement,
    mentions,
    similarity,
    years_in,
)

__all__ = ["KINDS", "BLANK", "Question", "Bank", "build_bank", "generate", "check_response", "normalize_answer"]

KINDS = ("when", "who", "why", "then", "order", "tf", "cloze")
WHEN_SPREAD = 12
ORDER_SIZE = 4
CHOICES = 4
SIBLING_SIMILARITY = 0.5
POOL = 64  # facts looked at for a question's wrong reasons, beyond those sharing an actor
WHO_LEAD = {
    "person": "Who",
    "state": "Which country",
    "organization": "Which organization",
    "group": "Which group",
}


@dataclass(frozen=True)
class Question:
    """One question; ``answer`` is a list only for chronology (kind ``order``).

    ``meta`` carries what the quality rules need to know about how the question was built
    (the actors behind the choices, the blank's grammatical form); it is not part of the bank.
    """

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
    accept: list[str] = field(default_factory=list)  # other typed answers that count as right
    note: str = ""  # where the article is wrong or disputed
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["meta"]
        return data


def check_response(fmt: str, answer: str | list[str], response: str | list[str],
                   accept: list[str] | tuple[str, ...] = ()) -> bool:
    """Check a learner's response the way the question's format demands."""
    if fmt == "order":
        return isinstance(response, list) and list(response) == list(answer)
    if isinstance(response, list):
        return False
    if fmt == "year":
        return response.strip() == answer
    if fmt == "typed":
        return typed_matches(response, [answer, *accept])
    return response == answer


@dataclass
class Flag:
    """A question a quality rule flagged, with the rule's one-line reason."""

    rule: str
    question: Question
    reason: str
    waived: str = ""  # the curator's reason, when the fact waives the rule


class Bank:
    """What generators and rules may look at beyond one fact, indexed once."""

    def __init__(self, subject: Subject, seed: int):
        self.subject = subject
        self.seed = seed
        self.max_year = max(p.end for p in subject.periods)
        self.periods = {p.id: p for p in subject.periods}
        self.facts = {f.id: f for f in subject.facts}
        self.by_period: dict[str, list[Fact]] = {p.id: [] for p in subject.periods}
        self.period_actors: dict[str, set[str]] = {p.id: set() for p in subject.periods}
        for fact in subject.facts:
            self.by_period[fact.period].append(fact)
            self.period_actors[fact.period].update(fact.actors)
        self.actors_by_type: dict[str, list[Actor]] = {}
        for actor in sorted(subject.actors.values(), key=lambda a: a.id):
            if not actor.curated_only:  # offered only where a fact's curator names it
                self.actors_by_type.setdefault(actor.type, []).append(actor)
        self.proper = self._proper_words()
        # the subject's main actors (in more than a fifth of its facts): asked only where they act
        used = Counter(a for f in subject.facts for a in f.actors)
        self.principal = {a for a, n in used.items() if n > len(subject.facts) / 5}
        # words in more than one event of eight ("Israel", "Soviet"): sharing them gives nothing away
        seen = Counter(w for f in subject.facts for w in content_words(f.event))
        self.common_words = {w for w, n in seen.items() if n > max(2, len(subject.facts) // 8)}
        self.paragraphs = [normalize_text(p) for p in subject.source_text.splitlines() if p.strip()]
        self.acting: dict[str, list[Fact]] = {}  # facts by the actor who acts in them
        self.involving: dict[str, list[Fact]] = {}  # facts by every actor in them
        for fact in subject.facts:
            self.acting.setdefault(fact.actors[0], []).append(fact)
            for actor_id in fact.actors:
                self.involving.setdefault(actor_id, []).append(fact)
        self._quoted: dict[str, set[str]] = {}  # actors a fact's sentences name, by those sentences
        self._named: dict[str, set[str]] = {}  # actors an event names by their adjective, by event
        self._states_named: dict[str, set[str]] = {}  # "soviet" -> the states a role's prefix may name
        for actor in subject.actors.values():
            if actor.type == "state":
                for name in actor.names:
                    self._states_named.setdefault(name.casefold(), set()).add(actor.id)
        self._paragraphs: dict[str, frozenset[int]] = {}
        self.siblings = {f.id: self._siblings(f) for f in subject.facts}
        self.order_sets: set[frozenset[str]] = set()
        self.order_use: dict[str, int] = {}
        self.tf_false, self.tf_facts = self._tf_assignment()
        self.flags: list[Flag] = []

    def _proper_words(self) -> set[str]:
        """Words that are names: in an actor's names, or capitalised mid-sentence in the source."""
        words = set()
        for actor in self.subject.actors.values():
            for name in actor.names:
                words.update(re.findall(r"[A-Z][\w'’-]*", name))
                if " " in name and name[:1].isupper():
                    words.add(name)
        text = normalize_text(self.subject.source_text)
        for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z][\w'-]*)", text):
            words.add(m.group(1))
        lower = set(re.findall(r"(?<=[a-z,;] )([a-z][\w'-]*)", text))
        return {w for w in words if " " in w or w.lower() not in lower}

    def _siblings(self, fact: Fact) -> list[Fact]:
        """Other facts about the same acting actor saying much the same thing: their answers are also true here."""
        return [other for actor_id in dict.fromkeys(fact.actors) for other in self.acting.get(actor_id, ())
                if other.id != fact.id and similarity(other.event, fact.event) >= SIBLING_SIMILARITY]

    def paragraphs_of(self, quotes) -> set[int]:
        """The source paragraphs the quotes come from: reasons from one paragraph are rarely unrelated."""
        found = set()
        for quote in quotes:
            if quote not in self._paragraphs:
                q = normalize_text(quote)
                self._paragraphs[quote] = frozenset(i for i, p in enumerate(self.paragraphs) if q and q in p)
            found |= self._paragraphs[quote]
        return found

    def rng(self, question_id: str) -> Random:
        return Random(f"{self.seed}:{question_id}")

    def actor(self, actor_id: str) -> Actor:
        return self.subject.actors[actor_id]

    def years_of(self, fact: Fact) -> tuple[int, int]:
        """The span of years a fact's date covers; undated, the years of its period when all its actors were."""
        if fact.date:
            return fact.date.year, fact.date.last_year
        period = self.periods[fact.period]
        first, last = period.start, period.end
        for actor in map(self.actor, fact.actors):
            first = max(first, actor.start or first)
            last = min(last, actor.end or last)
        return (first, last) if first <= last else (period.start, period.end)

    def mentioned_in_quotes(self, fact: Fact) -> set[str]:
        """Actors the fact's own article sentences name: never a wrong answer for it."""
        text = " ".join(fact.quotes + tuple(r.quote for r in fact.causes + fact.consequences))
        if text not in self._quoted:  # by text, not by fact id: the same answer for the same sentences
            self._quoted[text] = {a.id for a in self.subject.actors.values() if mentions(text, a)}
        return self._quoted[text]

    def fitting_actors(self, fact: Fact, actor: Actor, adjective: bool = False) -> list[Actor]:
        """Actors that could fill this actor's place in the fact and are wrong: same type, a shared role,
        active at the fact's date, not in the fact or its sentences, not its siblings' actors."""
        first, last = self.years_of(fact)
        excluded = set(fact.actors) | self.mentioned_in_quotes(fact) | set(fact.also_true)
        for sibling in self.siblings[fact.id]:
            excluded.update(sibling.actors)
        out = []
        for other in self.actors_by_type[actor.type]:
            if other.id in excluded or could_be_read_as(other, actor) or self.subject.related(other.id, actor.id):
                continue
            if not other.shares_role(actor) or not other.active_in(first, last):
                continue
            if adjective and not other.adjective:
                continue
            out.append(other)
        out.sort(key=lambda other: -actor.role_fit(other))  # the same role first, then the same kind of role
        if fact.event not in self._named:
            self._named[fact.event] = {a.id for a in self.subject.actors.values()
                                       if a.adjective and mentions(fact.event, a)}
        named = self._named[fact.event] | set(fact.actors)
        own_side = self._side_of(actor)

        def may_widen(other: Actor) -> bool:
            side = self._side_of(other)
            if own_side & named and not side & own_side:
                return False  # "_____, the Soviet prime minister": another Soviet, never an Egyptian
            return not (side & named) - own_side  # "the USSR pressed _____": never a Soviet leader

        return [o for o in out if actor.role_fit(o) == 2 or may_widen(o)]

    def pointer(self, text: str, answer: Actor, wrong: list[Actor]) -> str | None:
        """A word of the text that points at the answer and at no wrong choice: one of its cues ("Knesset"),
        or a person tied to it ("Putin" for Russia)."""
        sides = [self._side_of(w) | {w.id} for w in wrong]
        for cue in answer.cues:
            if re.search(rf"(?i)(?<!\w){re.escape(cue)}(?!\w)", text):
                return cue
        for other in self.subject.actors.values():
            if other.type == "person" and other.id != answer.id and answer.id in self._side_of(other) \
                    and not any(other.id in side or self._side_of(other) & side for side in sides) \
                    and mentions(text, other):
                return other.name
        return None

    def _side_of(self, actor: Actor) -> set[str]:
        """The states an actor's roles tie it to ("soviet-leader": the Soviet Union, "us-leader": the US)."""
        return {state for role in actor.roles for state in self._states_named.get(role.split("-", 1)[0], ())}

    def _tf_assignment(self) -> tuple[set[str], set[str]]:
        """Which facts get a true/false statement, and which of those are false: as many true as false in each
        period, drawn deterministically; a fact no plausible falsehood can be made of may stand only as true, so
        where too few can lie, fewer statements are made rather than a bank where "True" wins by default."""
        false, asked = set(), set()
        for facts in self.by_period.values():
            # only a statement with a date to check, and none a curator had to annotate: stated bare as true,
            # "Stalin died" is true for anyone, and a claim with a note may be wrong by history
            facts = [f for f in facts if stated_date(f) and not f.note and "tf" not in f.skip]
            ranked = sorted(facts, key=lambda f: Random(f"{self.seed}:{f.id}:tf").random())
            can_lie = [f for f in ranked if self.falsehoods(f)]
            lies = can_lie[:min(len(can_lie), len(facts) // 2)]
            truths = [f for f in ranked if f not in lies][:len(lies)]
            false.update(f.id for f in lies)
            asked.update(f.id for f in lies + truths)
        return false, asked

    def falsehoods(self, fact: Fact, rng: Random | None = None) -> list[tuple[str, str, dict]]:
        """Plausible false versions of the fact: a nearby year no reading of the date allows, or another
        actor of the same type, era and role in the acting actor's place."""
        out = []
        rng = rng or self.rng(f"{fact.id}:tf")
        date = fact.askable_date
        if date and not fact.date_contested:
            period = self.periods[fact.period]
            years = [y for y in self.wrong_years(fact, spread=6, min_gap=2) if period.start <= y <= period.end
                     and all(self.actor(a).active_in(y) for a in fact.actors)]  # never absurd on its face
            if years:
                wrong = rng.choice(years)
                fake = type(date)(wrong, date.month, date.day) if not date.day or _valid_day(wrong, date) \
                    else type(date)(wrong, date.month)
                on = "on" if date.day else "in"
                out.append((dated_statement(fact.event, fake, self.proper),
                            f"False: this happened {on} {date.display()}, not {on} {fake.display()}.",
                            {"swap": "year", "year": wrong}))
        actor = self.actor(fact.actors[0])
        others_in_fact = [self.actor(a) for a in fact.actors[1:]]
        slot = actor_slot(fact.event, actor, others_in_fact) \
            if actor.type in ("person", "state") and not NEGATION.search(fact.event) and stated_date(fact) else None
        curated = fact.who_wrong.get(actor.id, ())
        if slot and not slot.adjective and curated:
            # only an actor the curator named as a fair wrong choice: the closest kind by role alone put the US
            # in the Soviet Union's place, or Ukraine at war with Georgia, false on their face
            fitting = [self.actor(a) for a in curated if self.actor(a).active_in(*self.years_of(fact))]
            if fitting:
                other = rng.choice(fitting)
                swapped = fact.event[:slot.start] + fill(other, slot) + fact.event[slot.end:]
                out.append((dated_statement(swapped, stated_date(fact), self.proper),
                            f"False: it was {actor.display}, not {other.display}.",
                            {"swap": "actor", "actor": other.id}))
        return out

    def wrong_years(self, fact: Fact, spread: int, min_gap: int = 1) -> list[int]:
        """Years near the fact's that are no valid reading of it: outside its span, not contested in its note,
        not a sibling's year, inside its period and inside the lifetime of every actor in it."""
        date = fact.date
        period = self.periods[fact.period]
        taken = years_in(fact.note) | {int(y) for y in fact.also_true if y.isdigit()} | \
            {y for s in self.siblings[fact.id] if s.date for y in range(s.date.year, s.date.last_year + 1)}
        out = []
        for year in range(date.year - spread, date.last_year + spread + 1):
            if date.contains_year(year) or year in taken or not period.start <= year <= min(period.end, self.max_year):
                continue
            if min(abs(year - date.year), abs(year - date.last_year)) < min_gap:
                continue
            if not all(self.actor(a).active_in(year) for a in fact.actors):
                continue
            out.append(year)
        return out


def stated_date(fact: Fact):
    """The date a statement opens with: any date the article gives, loose ones as spans ("Roughly between
    1967 and 1969"); none that comes from outside the article."""
    if fact.date is None or fact.date_source and not fact.ask_date or fact.date_contested:
        return None
    return fact.date


def _valid_day(year: int, date) -> bool:
    try:
        dt.date(year, date.month, date.day)
    except ValueError:
        return False
    return True


def _plural_aliases(actor: Actor) -> set[str]:
    """'Soviets', 'Israelis': forms that name a people, not the state, so a name cannot take their place."""
    return {a.casefold() for a in actor.aliases if a.endswith("s") and not actor.name.endswith("s")}


def could_be_read_as(a: Actor, b: Actor) -> bool:
    """Two actors sharing a name or alias (the USSR and Russia are both 'Moscow'): never each other's distractor."""
    return bool({n.casefold() for n in a.names} & {n.casefold() for n in b.names})


def pick(rng: Random, preferred: list, fallback: list, count: int) -> list:
    """Draw ``count`` items, preferred ones first, without repeats."""
    chosen = rng.sample(preferred, min(count, len(preferred)))
    if len(chosen) < count:
        rest = [x for x in fallback if x not in chosen]
        chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    return chosen


def unordered(rng: Random, items: list) -> list:
    """The items shuffled, never in their given order: an order question must not show its key."""
    out = shuffled(rng, items)
    return out[1:] + out[:1] if out == items else out


def shuffled(rng: Random, items: list) -> list:
    items = list(items)
    rng.shuffle(items)
    return items


def explain(fact: Fact) -> str:
    """The teacher's answer: when, what, why and what followed, and the article's slip where it has one."""
    head = f"{fact.date.display()}: " if fact.date else ""
    parts = [head + fact.event]
    if fact.causes:
        parts.append("Why: " + " ".join(fact.cause_texts))
    if fact.consequences:
        parts.append("What followed: " + " ".join(fact.consequence_texts))
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


def _date_quote(fact: Fact) -> str:
    quotes = list(fact.quotes)
    if fact.date_quote and normalize_text(fact.date_quote) not in normalize_text(" ".join(quotes)):
        quotes.insert(0, fact.date_quote)
    return " … ".join(quotes)


def when_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """The year as multiple choice and typed; the month and day where the fact has them."""
    date = fact.askable_date
    if date is None or fact.date_contested:
        return []  # a year the note contests is not asked: a learner who knows better cannot be marked wrong
    year = date.year
    prompt = fact.ask.get("when") or f"In which year did this happen? {fact.event}"
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


# Nouns a name qualifies ("the Hamas government", "the Putin era"): a blank there takes an adjective, not a name.
ATTRIBUTIVE_HEADS = {
    "government", "era", "embassy", "army", "leadership", "regime", "policy", "policies", "position", "authorities",
    "delegation", "side", "forces", "officials", "representatives", "representative", "movement", "people",
    "administration", "ministry", "leaders", "leader", "president", "prime", "foreign", "state", "interests",
    "territory", "territories", "camp", "bloc", "plan", "proposal", "initiative", "approach", "attitude", "media",
    "economy", "market", "companies", "company", "industry", "industries", "citizens", "immigrants", "tourists",
}
# Words that make a statement negative: put another actor in and it may well be true too.
NEGATION = re.compile(r"(?i)\b(?:(?:did|does|do|has|have|had|was|were|is|are) not|never|refrained|avoided|neither|"
                      r"failed to)\b")


@dataclass(frozen=True)
class Slot:
    """Where an actor's one mention sits in a sentence, and how a blank there must be filled."""

    start: int
    end: int
    adjective: bool  # "the _____ embassy" takes "Soviet", not "the Soviet Union"
    article: bool  # the blank took in a "the" before the name
    sentence_start: bool


def actor_slot(text: str, actor: Actor, others: list[Actor]) -> Slot | None:
    """The actor's single mention as a blank: titles and a leading "the" go into the blank; a mention
    inside another actor's name, a plural people ("Soviets") or a second mention gives no slot."""
    spans = mentions(text, actor)
    if len(spans) != 1:
        return None
    start, end = spans[0]
    for other in others:
        for s, e in mentions(text, other):
            if s <= start and end <= e and (s, e) != (start, end):
                return None  # "Soviet" inside "Soviet Jews"
    word = text[start:end]
    if word.casefold() in _plural_aliases(actor):
        return None
    if re.match(r"[\w-]", text[end:end + 1]) or text[end:end + 1] == "-" or re.search(r"[\w-]$", text[:start]):
        return None  # glued to another word: "Czechoslovak-Egyptian"
    adjective = bool(actor.adjective) and word.casefold() == actor.adjective.casefold() and \
        word.casefold() != actor.name.casefold()
    before = text[:start]
    article = False
    if re.search(r"(?i)(?:^|\s)an? $", before) or re.search(r"(?i)\bformer $", before):
        return None  # "an _____ debt" fits only some choices; "former _____" wants the title it lost
    if not adjective:
        for title in TITLES:
            if before.endswith(title + " "):
                start -= len(title) + 1
                before = text[:start]
                break
        if re.search(r"(?i)(?:^|\s)the $", before):
            if actor.type == "person":
                return None  # "the Putin era": a name used as an adjective
            start -= 4
            article = True
        if re.search(r"(?:\d|\b(?:million|thousand|hundred|dozens?|many|several|some|few))\s$", before):
            return None  # "1.5 million _____": a number before a name
        follower = re.match(r"\s+([A-Z][\w'’-]*)", text[end:])
        if follower and follower.group(1) not in ("I", "II"):
            return None  # "the _____ Compound": a blank inside a longer name
        head = re.match(r"\s+([a-z]+)", text[end:])
        if head and head.group(1) in ATTRIBUTIVE_HEADS:
            return None  # "the Hamas government": a name used as an adjective
    sentence_start = not text[:start].strip()
    return Slot(start, end, adjective, article, sentence_start)


def fill(actor: Actor, slot: Slot) -> str:
    """The choice that fills the slot: the adjective, or the name with its article where the slot has one."""
    text = actor.adjective if slot.adjective else actor.display
    return capitalize(text) if slot.sentence_start else text


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
            statement = dated_statement(fact.event, stated_date(fact), bank.proper)
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
            if len(fitting) < CHOICES - 1:  # widen to the next kind of fit only when the best is too few
                fitting = candidates
            near = [a for a in fitting if a.id in bank.period_actors[fact.period]]
            wrong = pick(r, near, fitting, CHOICES - 1)
        if not hand and bank.pointer(prompt, actor, wrong):
            continue  # "During Sharon's visit to _____, Putin said": Putin gives Russia away
        if len(wrong) < CHOICES - 1 or "who" in fact.typed or qid.split(":", 1)[1] in fact.typed:
            # too few fair wrong choices (or the curator says any would be unfair): the learner types the name
            # instead, where guessing the subject's main actors would not do
            if hand or slot.adjective or actor.id in bank.principal:
                continue
            answer = fill(actor, slot)
            accept = sorted({n for n in (actor.name, actor.display, *actor.aliases) if n != answer})
            questions.append(_question(fact, "who", qid, prompt + " Type the name.", answer, [], "typed",
                                       accept=accept, meta={"actor": actor.id, "choice_actors": [],
                                                            "adjective": False, "hand": False}))
            continue
        answer = fill(actor, slot) if not hand else actor.name
        shown = {a.id: (fill(a, slot) if not hand else a.name) for a in [actor, *wrong]}
        choices = shuffled(r, list(shown.values()))
        questions.append(_question(fact, "who", qid, prompt, answer, choices, "choice", meta={
            "actor": actor.id, "choice_actors": [a.id for a in wrong], "adjective": slot.adjective,
            "hand": hand, "curated": bool(curated)}))
    return questions


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


def _reason_questions(fact: Fact, bank: Bank, kind: str, attr: str, lead: str) -> list[Question]:
    questions = []
    for n, reason in enumerate(getattr(fact, attr), start=1):
        qid = f"{fact.id}:{kind}" + (f":{n}" if n > 1 else "")
        rng = bank.rng(qid)
        distractors = reason_distractors(fact, bank, attr, rng, CHOICES - 1, reason)
        if len(distractors) < CHOICES - 1:
            continue
        prompt = fact.ask.get(kind) or f"{lead} {fact.event}"
        questions.append(_question(fact, kind, qid, prompt, reason.text,
                                   shuffled(rng, [reason.text] + distractors), "choice",
                                   quote=reason.quote, meta={"link": reason.link}))
    return questions


def why_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Each cause the article states, against causes of other facts that do not explain this one."""
    return _reason_questions(fact, bank, "why", "causes", "According to the article, why did this happen?")


def then_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Each consequence the article states, against consequences of other facts that this one did not cause."""
    return _reason_questions(fact, bank, "then", "consequences",
                             "According to the article, what did this lead to?")


def order_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """This fact and others of its period with exact dates that cannot overlap, to put in order; never
    the same set twice, and the least-used facts first so one period's few dates are not asked again and again."""
    def orderable(f: Fact) -> bool:
        return f.askable_date is not None and not f.date_contested  # a contested date orders nothing

    if not orderable(fact):
        return []
    pool = [f for f in bank.by_period[fact.period] if orderable(f) and f.id != fact.id]
    pool.sort(key=lambda f: (bank.order_use.get(f.id, 0), rng.random()))
    chosen = [fact]
    for other in pool:
        if all(not other.date.overlaps(c.date) for c in chosen):
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
        statement = dated_statement(fact.event, stated_date(fact), bank.proper)
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
    statement = dated_statement(fact.event, stated_date(fact), bank.proper)
    shift = len(statement) - len(fact.event)
    if statement[shift + start:shift + start + len(term)] != term:  # the term opened the sentence
        term = statement[shift + start:shift + start + len(term)]
    before, after = statement[:shift + start], statement[shift + start + len(term):]
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


def generate(subject: Subject, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> tuple[list[Question], list[Flag]]:
    """Every question the facts support and the rules pass, and every flag the rules raised."""
    from quizapp.rules import check_bank, check_question

    bank = Bank(subject, seed)
    questions = []
    for fact in subject.facts:
        for kind in kinds:
            if kind in fact.skip:
                continue
            for question in GENERATORS[kind](fact, bank, bank.rng(f"{fact.id}:{kind}")):
                tail = question.id.split(":", 1)[1]
                if tail in fact.skip or f"{tail}:1" in fact.skip:  # "who:1": the first who-question alone
                    continue
                flags = check_question(question, fact, bank)
                bank.flags.extend(flags)
                if all(f.waived for f in flags):
                    questions.append(question)
    bank.flags.extend(check_bank(questions, bank))
    return questions, bank.flags


def build_bank(subject: Subject, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> list[Question]:
    """Every question the facts support and the quality rules pass, in fact order then kind order."""
    return generate(subject, seed, kinds)[0]


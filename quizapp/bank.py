"""What generators and rules may look at beyond one fact, indexed once, and the small helpers they share."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from random import Random

from quizapp.facts import Actor, Fact, Subject, normalize_text
from quizapp.question import Flag
from quizapp.slots import NEGATION, actor_slot, fill
from quizapp.wording import (
    content_words,
    dated_statement,
    lower_opener,
    mentions,
    similarity,
    stem,
    stems,
    years_in,
)

CHOICES = 4
SIBLING_SIMILARITY = 0.5
FREQUENT_KEY = 5  # an actor who may be the key of this many facts' who-questions is one a learner would guess
RARE_STEM = 6  # a word in at most this many events names something particular ("embassy", "attack")
# Words of many events, or of any official doing, that name nothing particular when two events share them.
GENERIC_STEMS = frozenset(stem(w) for w in """government agreement relations support request declared signed visit
meeting minister officials leader state countries president foreign policy region international peace
promote""".split())
# Words that make a name the name of an event ("Six Day War", "Partition Plan"), which other events may refer to.
EVENT_NAMES = re.compile(r"(?i)\b(?:war|plan|plot|trials?|agreement|accords?|conference|intifada|crisis|revolution|"
                         r"summit|treaty|pact|declaration|operation|uprising|campaign|affair|ultimatum|initiative)\b")


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
        self.principal = subject.principal
        # words in more than one event of eight ("Israel", "Soviet"): sharing them gives nothing away
        seen = Counter(w for f in subject.facts for w in content_words(f.event))
        self.common_words = {w for w, n in seen.items() if n > max(2, len(subject.facts) // 8)}
        self.paragraphs = [normalize_text(p) for p in subject.source_text.splitlines() if p.strip()]
        # how many facts' who-questions may take each actor as their key: the acting actor, or any other actor
        # but the subject's main ones (asked only where they act)
        self.key_use = Counter(a for f in subject.facts for n, a in enumerate(f.actors)
                               if n == 0 or a not in self.principal)
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
        self._actor_stems = {st for a in subject.actors.values() for n in a.names for st in stems(n, 4)}
        self._common_stems = {st for w in self.common_words for st in stems(w)}
        self._stem_use = Counter(st for f in subject.facts for st in stems(f.event))  # events a stem is in
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

    def cross_reference(self, a: Fact, b: Fact) -> str | None:
        """What one event's text shares with the other's that tells which came first: the same uncommon words
        ("the attack on its embassy" and "the embassy was attacked"), or the other's key name."""
        for one, other in ((a, b), (b, a)):
            key = one.cloze
            if key and key[:1].isupper() and EVENT_NAMES.search(key) \
                    and re.search(rf"(?i)(?<!\w){re.escape(key)}(?!\w)", other.event):
                return key
        shared = {st for st in stems(a.event) & stems(b.event) if self._stem_use[st] <= RARE_STEM} \
            - self._actor_stems - self._common_stems - GENERIC_STEMS
        if len(shared) >= 2:
            return ", ".join(sorted(shared))
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


def statement(fact: Fact, proper: set[str]) -> str:
    """The event as a statement pinned to its era: opening with its date from the article, else with the
    curator's context ("During the Suez crisis of 1956, ..."), else bare."""
    date = stated_date(fact)
    if date is None and fact.context:
        return f"{fact.context}, {lower_opener(fact.event, proper)}"
    return dated_statement(fact.event, date, proper)


def _valid_day(year: int, date) -> bool:
    try:
        dt.date(year, date.month, date.day)
    except ValueError:
        return False
    return True


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


def unordered(rng: Random, items: list, key: list | None = None) -> list:
    """The items shuffled, never in the key's order (by default their given order): an order question must not
    show its key, in the bank, on the study page or in a quiz attempt."""
    out = shuffled(rng, items)
    return out[1:] + out[:1] if out == list(items if key is None else key) and len(out) > 1 else out


def shuffled(rng: Random, items: list) -> list:
    items = list(items)
    rng.shuffle(items)
    return items

"""A subject's curated data as plain dataclasses: periods, typed actors, dated facts with their evidence."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
RANGE_RE = re.compile(r"^(\d{4})/(\d{4})$")
ACTOR_TYPES = ("person", "state", "organization", "group")
QUESTION_KINDS = ("when", "who", "why", "then", "order", "tf", "cloze")


@dataclass(frozen=True)
class Actor:
    """Someone or something that acts in a fact, with what grammatical blanks and fitting distractors need."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    article: str = ""  # "the" where running text says "the Soviet Union"
    adjective: str = ""  # "Soviet", "Czechoslovak"
    roles: tuple[str, ...] = ()
    start: int | None = None  # first year it existed or held the role the article shows
    end: int | None = None
    part_of: str = ""  # the body it belongs to: the UN Security Council is part of the UN
    cues: tuple[str, ...] = ()  # words that point at it in a question ("Knesset": Israel)
    spans: tuple[tuple[int, int], ...] = ()  # several spans of existence ("active"), instead of from/until
    curated_only: bool = False  # a wrong choice only where a fact's who_wrong names it, never picked by itself

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Name, aliases and adjective, longest first, so the fullest mention wins."""
        forms = {self.name, *self.aliases} | ({self.adjective} if self.adjective else set())
        return tuple(sorted(forms, key=len, reverse=True))

    @property
    def display(self) -> str:
        """The name as running text writes it: 'the Soviet Union', 'Israel'."""
        return f"{self.article} {self.name}" if self.article else self.name

    def active_in(self, first: int, last: int | None = None) -> bool:
        """Whether the actor existed (or held its role) at some time in the years first..last."""
        last = first if last is None else last
        if self.spans:
            return any(start <= last and first <= end for start, end in self.spans)
        return (self.start is None or self.start <= last) and (self.end is None or first <= self.end)


    def role_fit(self, other: Actor) -> int:
        """How well the other can stand in this actor's place: 2 a shared role ("israeli-leader"), 1 a shared
        kind of role ("...-leader") or side ("soviet-..."), 0 neither. Actors without roles fit any of their type."""
        if not self.roles or not other.roles or set(self.roles) & set(other.roles):
            return 2
        kinds = {r.rsplit("-", 1)[-1] for r in self.roles}
        sides = {r.split("-", 1)[0] for r in self.roles if "-" in r}
        if kinds & {r.rsplit("-", 1)[-1] for r in other.roles} or \
                sides & {r.split("-", 1)[0] for r in other.roles if "-" in r}:
            return 1
        return 0

    def shares_role(self, other: Actor) -> bool:
        """Whether the two can fill the same place in a sentence: any two states can; others need at least
        the same kind of role, so a newspaper is never offered as a ruling party."""
        return self.type == other.type and (self.type == "state" or self.role_fit(other) > 0)


@dataclass(frozen=True)
class Period:
    id: str
    title: str
    start: int
    end: int


@dataclass(frozen=True, order=True)
class FactDate:
    """A date whose precision is its form: year, year-month, full date, or a span of years.

    ``until`` is set for a span ("1970/1973"): the event ran over those years, or the article
    gives no more than that. ``approx`` marks a date the article gives only loosely.
    """

    year: int
    month: int | None = None
    day: int | None = None
    until: int | None = None
    approx: bool = False

    @classmethod
    def parse(cls, text: str, approx: bool = False) -> FactDate:
        """Parse "1948", "1948-05", "1948-05-17" or "1970/1973"; raise ValueError otherwise."""
        r = RANGE_RE.match(text)
        if r:
            first, last = int(r.group(1)), int(r.group(2))
            if last <= first:
                raise ValueError(f"date range {text!r} must end after it starts")
            return cls(first, until=last, approx=approx)
        m = DATE_RE.match(text)
        if not m:
            raise ValueError(f"date {text!r} is not YYYY, YYYY-MM, YYYY-MM-DD or YYYY/YYYY")
        year, month, day = (int(g) if g else None for g in m.groups())
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"date {text!r} has no month {month}")
        if day is not None:
            dt.date(year, month, day)  # raises ValueError for 1953-02-30
        return cls(year, month, day, approx=approx)

    @property
    def precision(self) -> str:
        if self.until:
            return "range"
        return "day" if self.day else "month" if self.month else "year"

    @property
    def last_year(self) -> int:
        return self.until or self.year

    @property
    def exact(self) -> bool:
        """A single year, month or day that the article gives as such: the only dates a question asks."""
        return self.until is None and not self.approx

    def contains_year(self, year: int) -> bool:
        return self.year <= year <= self.last_year

    @property
    def iso(self) -> str:
        if self.until:
            return f"{self.year:04d}/{self.until:04d}"
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        if self.until:
            return dt.date(self.until, 12, 31)
        if self.day:
            return self.first_day
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def overlaps(self, other: FactDate) -> bool:
        """True when the two spans share a day, so their order is unknown."""
        return self.first_day <= other.last_day and other.first_day <= self.last_day

    def display(self) -> str:
        """'1948', 'May 1948', '17 May 1948', '1970–1973' or 'about 1985'."""
        if self.until:
            return ("about " if self.approx else "") + f"{self.year}–{self.until}"
        if self.approx:
            return f"about {self.year}"
        if self.day:
            return f"{self.day} {calendar.month_name[self.month]} {self.year}"
        if self.month:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)


@dataclass(frozen=True)
class Reason:
    """A cause or a consequence, with the article's words that state it and the link word they use."""

    text: str
    quote: str = ""
    link: str = ""
    wrong: tuple[str, ...] = ()  # a curator's wrong answers on the same subject, false by the source or by history
    label: str = ""  # how the explanation introduces it where "Why:" / "What followed:" would misread ("An example:")


@dataclass(frozen=True)
class Waiver:
    """A curator's decision that a lint rule's flag on this fact's questions is acceptable."""

    rule: str
    reason: str


@dataclass(frozen=True)
class Fact:
    id: str
    period: str
    date: FactDate | None
    actors: tuple[str, ...]
    event: str
    causes: tuple[Reason, ...]
    consequences: tuple[Reason, ...]
    quotes: tuple[str, ...]
    tags: tuple[str, ...] = ()
    cloze: str | None = None
    ask: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    file: str = ""
    line: int = 0
    note: str = ""
    cloze_accept: tuple[str, ...] = ()
    date_quote: str = ""
    date_source: str = ""
    ask_date: bool = True  # False when the date comes from outside the article and the fact does not ask for it
    waivers: tuple[Waiver, ...] = ()
    also_true: tuple[str, ...] = ()  # actors (ids) and years that would also be right: never a wrong choice
    skip: tuple[str, ...] = ()  # questions the curator does not want: kinds ("who") or ids' tails ("who:2")
    typed: tuple[str, ...] = ()  # who-questions to ask typed, where any wrong choices would be unfair ("who:2")
    # other right answers a typed who-question accepts, beyond the actor's names: {actor id: (answers...)}
    who_accept: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    context: str = ""  # the era a statement without an asked date opens with ("During the Suez crisis of 1956")
    # the curator's wrong choices for an actor's who-question: {actor id: (wrong actor ids...)}
    who_wrong: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def who_actor(self) -> str:
        """The actor a who-question asks for: the curator's choice or the first one."""
        return self.ask.get("who_actor", self.actors[0])

    @property
    def cause_texts(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.causes)

    @property
    def consequence_texts(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.consequences)

    @property
    def askable_date(self) -> FactDate | None:
        """The date when a question may ask for it: exact, and from the article unless the fact says so."""
        if self.date is None or not self.date.exact or not self.ask_date:
            return None
        return self.date

    @property
    def date_contested(self) -> bool:
        """Whether the note names another year: the source's year is asked, shown with the note, never typed
        or stated bare, and the note's years are never wrong choices."""
        years = {int(y) for y in re.findall(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)", self.note)}
        return bool(self.date and years - {self.date.year})

    def waived(self, rule: str) -> bool:
        return any(w.rule == rule for w in self.waivers)

    def typed_who(self, n: int) -> bool:
        """Whether the curator asks the fact's n-th who-question typed: ``typed`` takes the forms ``skip`` does,
        "who" for every who-question, "who:1" for the first alone, "who:2" for the second..."""
        return "who" in self.typed or f"who:{n}" in self.typed


@dataclass(frozen=True)
class Subject:
    id: str
    title: str
    attribution: str
    source_text: str
    periods: tuple[Period, ...]
    actors: dict[str, Actor] = field(hash=False, compare=False)
    facts: tuple[Fact, ...] = ()
    path: str = ""

    def family(self, actor_id: str) -> set[str]:
        """The actor and every body it is part of, up the chain."""
        chain, current = set(), actor_id
        while current and current not in chain and current in self.actors:
            chain.add(current)
            current = self.actors[current].part_of
        return chain

    def related(self, a: str, b: str) -> bool:
        """One is part of the other, or both of one body: each may be what the source means by the other."""
        return bool(self.family(a) & self.family(b))

    def facts_in(self, period_id: str) -> list[Fact]:
        return [f for f in self.facts if f.period == period_id]

    @property
    def principal(self) -> set[str]:
        """The subject's main actors, in more than a fifth of its facts ("Israel", "Russia"): asked only where
        they act, and never typed (the learner would guess between them)."""
        return main_actors(self.facts)


def main_actors(facts: tuple[Fact, ...] | list[Fact]) -> set[str]:
    """The actors in more than a fifth of the facts."""
    used = Counter(a for f in facts for a in f.actors)
    return {a for a, n in used.items() if n > len(facts) / 5}


def normalize_text(text: str) -> str:
    """Fold whitespace, quote marks and dashes so a pasted quote still matches."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "–": "-"})
    return re.sub(r"\s+", " ", text.translate(table)).strip()


def find_mention(text: str, actor: Actor) -> re.Match | None:
    """First whole-word, case-insensitive mention of the actor's name or an alias."""
    hits = []
    for name in actor.names:
        m = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        if m:
            hits.append(m)
    return min(hits, key=lambda m: (m.start(), -len(m.group()))) if hits else None

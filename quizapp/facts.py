"""Load and validate a subject's fact files into plain dataclasses.

A subject is a folder with ``subject.toml`` (id, title, source, periods, actors)
and one or more ``*.toml`` fact files. Loading is all-or-nothing: every problem
in every file is collected, and :class:`FactFileError` is raised with all of
them unless there are none.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

ACTOR_TYPES = ("person", "state", "organization", "group")
SUBJECT_KEYS = {"id", "title", "source", "attribution", "period", "actor"}
PERIOD_KEYS = {"id", "title", "start", "end"}
ACTOR_KEYS = {"type", "name", "aliases", "article", "adjective", "role", "from", "until", "active", "part_of",
              "cues", "curated_only"}
FACT_KEYS = {
    "id", "period", "date", "date_approx", "date_quote", "date_source", "ask_date", "actors", "event",
    "causes", "consequences", "quote", "note", "tags", "cloze", "cloze_accept", "ask", "waive", "also_true", "skip",
    "typed", "who_wrong",
}
REASON_KEYS = {"text", "quote", "link", "wrong"}
ASK_KEYS = {"who", "who_actor", "when", "why", "then"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
RANGE_RE = re.compile(r"^(\d{4})/(\d{4})$")
# Links that set two things against each other: what follows them is a contrast, never a cause or consequence.
CONCESSIVE_LINKS = ("despite", "in spite of", "nonetheless", "nevertheless", "although", "even though",
                    "however", "though", "yet", "notwithstanding", "regardless")
MAX_CLOZE_WORDS = 3
WHO_WRONG = 3  # wrong choices in a who-question: four choices in all
QUESTION_KINDS = ("when", "who", "why", "then", "order", "tf", "cloze")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Problem:
    """One validation error, located as precisely as the file allows."""

    file: str
    line: int | None
    message: str
    fact_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.fact_id:
            parts.append(f"fact '{self.fact_id}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts) + f": {self.message}"


class FactFileError(Exception):
    """Raised with every problem found; nothing from the subject is returned."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


def load_subjects(root: str | Path) -> list[Subject]:
    """Load every subject folder under ``root``; raise with all problems of all of them."""
    root = Path(root)
    subjects, problems = [], []
    for folder in sorted(p.parent for p in root.glob("*/subject.toml")):
        try:
            subjects.append(load_subject(folder))
        except FactFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise FactFileError(problems)
    if not subjects:
        raise FactFileError([Problem(str(root), None, "no subject folder (with subject.toml) found")])
    return subjects


def load_subject(folder: str | Path) -> Subject:
    """Load one subject folder, or raise :class:`FactFileError` listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    subject_file = folder / "subject.toml"
    data, lines = _read_toml(subject_file, problems)
    if data is None:
        raise FactFileError(problems)
    loc = _Locator(str(subject_file), lines)

    for key in sorted(set(data) - SUBJECT_KEYS):
        problems.append(Problem(loc.file, loc.key_line(key), f"unknown key '{key}'", field=key))
    for key in ("id", "title", "source"):
        if not isinstance(data.get(key), str) or not data.get(key, "").strip():
            problems.append(Problem(loc.file, loc.key_line(key), "must be a non-empty string", field=key))

    periods = _load_periods(data.get("period", []), loc, problems)
    actors = _load_actors(data.get("actor", {}), loc, problems)

    source_text = ""
    source_name = data.get("source")
    if isinstance(source_name, str) and source_name:
        source_path = folder / source_name
        if source_path.is_file():
            source_text = source_path.read_text(encoding="utf-8")
        else:
            problems.append(Problem(loc.file, loc.key_line("source"),
                                    f"source file '{source_name}' not found", field="source"))

    fact_files = sorted(p for p in folder.glob("*.toml") if p.name != "subject.toml")
    if not fact_files:
        problems.append(Problem(str(folder), None, "no fact files (*.toml besides subject.toml)"))
    facts: list[Fact] = []
    seen: dict[str, str] = {}
    normalized_source = normalize_text(source_text)
    for path in fact_files:
        facts.extend(_load_fact_file(path, periods, actors, normalized_source, seen, problems))

    if problems:
        raise FactFileError(problems)
    return Subject(
        id=data["id"], title=data["title"], attribution=data.get("attribution", ""),
        source_text=source_text, periods=tuple(periods.values()), actors=actors,
        facts=tuple(facts), path=str(folder),
    )


class _Locator:
    """Finds the line of a table or key in a TOML file, which tomllib does not report."""

    def __init__(self, file: str, lines: list[str]):
        self.file = file
        self.lines = lines

    def key_line(self, key: str, start: int = 1, end: int | None = None) -> int | None:
        pattern = re.compile(rf"^\s*(\[+\s*)?{re.escape(key)}(\.[\w.-]+)?\s*[=\]]")
        stop = end if end is not None else len(self.lines)
        for number in range(start, stop + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return start if end is not None else None

    def table_lines(self, header: str) -> list[int]:
        """Line numbers of every ``[[header]]`` (or ``[header...]``) opening."""
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*[\].]")
        return [i + 1 for i, line in enumerate(self.lines) if pattern.match(line)]


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), None, f"cannot read file: {exc}"))
        return None, []
    try:
        return tomllib.loads(text), text.splitlines()
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        lines = text.splitlines()
        line = int(m.group(1)) if m else len(lines) if "end of document" in str(exc) else None
        problems.append(Problem(str(path), line, f"invalid TOML: {exc}"))
        return None, text.splitlines()


def _load_periods(raw, loc: _Locator, problems: list[Problem]) -> dict[str, Period]:
    periods: dict[str, Period] = {}
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(loc.file, loc.key_line("period"), "at least one [[period]] is required",
                                field="period"))
        return periods
    lines = loc.table_lines("period")
    for i, entry in enumerate(raw):
        line = lines[i] if i < len(lines) else None
        if not isinstance(entry, dict):
            problems.append(Problem(loc.file, line, "must be a table", field="period"))
            continue
        for key in sorted(set(entry) - PERIOD_KEYS):
            problems.append(Problem(loc.file, line, f"unknown key '{key}' in period", field=key))
        pid, title = entry.get("id"), entry.get("title")
        start, end = entry.get("start"), entry.get("end")
        if not isinstance(pid, str) or not ID_RE.match(pid):
            problems.append(Problem(loc.file, line, "period id must be lowercase letters, digits and '-'",
                                    field="id"))
            continue
        if pid in periods:
            problems.append(Problem(loc.file, line, f"duplicate period id '{pid}'", field="id"))
        if not isinstance(title, str) or not title.strip():
            problems.append(Problem(loc.file, line, f"period '{pid}' needs a title", field="title"))
        if not (isinstance(start, int) and isinstance(end, int) and start <= end):
            problems.append(Problem(loc.file, line, f"period '{pid}' needs integer start <= end",
                                    field="start"))
            continue
        periods[pid] = Period(pid, title or pid, start, end)
    return periods


def _load_actors(raw, loc: _Locator, problems: list[Problem]) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    if not isinstance(raw, dict) or not raw:
        problems.append(Problem(loc.file, None, "at least one [actor.<id>] table is required", field="actor"))
        return actors
    for aid, entry in raw.items():
        line = loc.key_line(f"actor.{aid}")
        if not ID_RE.match(aid):
            problems.append(Problem(loc.file, line, f"actor id '{aid}' must be lowercase letters, digits and '-'",
                                    field="actor"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(loc.file, line, f"actor '{aid}' must be a table", field="actor"))
            continue
        for key in sorted(set(entry) - ACTOR_KEYS):
            problems.append(Problem(loc.file, line, f"unknown key '{key}' in actor '{aid}'", field=key))
        kind, name, aliases = entry.get("type"), entry.get("name"), entry.get("aliases", [])
        if kind not in ACTOR_TYPES:
            problems.append(Problem(loc.file, line, f"actor '{aid}' type must be one of {', '.join(ACTOR_TYPES)}",
                                    field="type"))
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(loc.file, line, f"actor '{aid}' needs a name", field="name"))
            continue
        if not (isinstance(aliases, list) and all(isinstance(a, str) and a.strip() for a in aliases)):
            problems.append(Problem(loc.file, line, f"actor '{aid}' aliases must be a list of strings",
                                    field="aliases"))
            continue
        article, adjective = entry.get("article", ""), entry.get("adjective", "")
        if article not in ("", "the"):
            problems.append(Problem(loc.file, line, f"actor '{aid}' article must be \"the\" or absent",
                                    field="article"))
            continue
        if name.lower().startswith("the "):
            problems.append(Problem(loc.file, line, f"actor '{aid}' name starts with 'the': write "
                                    "name without it and article = \"the\"", field="name"))
            continue
        if not isinstance(adjective, str):
            problems.append(Problem(loc.file, line, f"actor '{aid}' adjective must be a string", field="adjective"))
            continue
        roles = _string_list(entry.get("role", []))
        if roles is None:
            problems.append(Problem(loc.file, line, f"actor '{aid}' role must be a list of words", field="role"))
            continue
        start, end = entry.get("from"), entry.get("until")
        if any(v is not None and not isinstance(v, int) for v in (start, end)) or (
                start is not None and end is not None and end < start):
            problems.append(Problem(loc.file, line, f"actor '{aid}' needs integer years with from <= until",
                                    field="from"))
            continue
        part_of = entry.get("part_of", "")
        if not isinstance(part_of, str):
            problems.append(Problem(loc.file, line, f"actor '{aid}' part_of must be an actor id", field="part_of"))
            continue
        spans = entry.get("active", [])
        well_formed = isinstance(spans, list) and all(
            isinstance(x, list) and len(x) == 2 and all(isinstance(y, int) for y in x) and x[0] <= x[1] for x in spans)
        if not well_formed or (spans and ("from" in entry or "until" in entry)):
            problems.append(Problem(loc.file, line, f"actor '{aid}' active must be a list of [from, until] years "
                                    "(instead of from and until)", field="active"))
            continue
        cues = _string_list(entry.get("cues", []))
        if cues is None:
            problems.append(Problem(loc.file, line, f"actor '{aid}' cues must be a list of words", field="cues"))
            continue
        curated_only = entry.get("curated_only", False)
        if not isinstance(curated_only, bool):
            problems.append(Problem(loc.file, line, f"actor '{aid}' curated_only must be true or false",
                                    field="curated_only"))
            continue
        actors[aid] = Actor(aid, kind, name, tuple(aliases), article, adjective, roles, start, end, part_of, cues,
                            tuple((a, b) for a, b in spans), curated_only)
    for actor in actors.values():
        if actor.part_of and actor.part_of not in actors:
            problems.append(Problem(loc.file, loc.key_line(f"actor.{actor.id}"),
                                    f"actor '{actor.id}' is part_of unknown actor '{actor.part_of}'", field="part_of"))
    return actors


def _string_list(value, allow_empty: bool = True) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    if not value and not allow_empty:
        return None
    return tuple(v.strip() for v in value)


def _load_fact_file(path: Path, periods: dict[str, Period], actors: dict[str, Actor],
                    normalized_source: str, seen: dict[str, str], problems: list[Problem]) -> list[Fact]:
    data, lines = _read_toml(path, problems)
    if data is None:
        return []
    loc = _Locator(str(path), lines)
    for key in sorted(set(data) - {"fact"}):
        problems.append(Problem(loc.file, loc.key_line(key), f"unknown top-level key '{key}'", field=key))
    raw_facts = data.get("fact", [])
    if not isinstance(raw_facts, list):
        problems.append(Problem(loc.file, loc.key_line("fact"), "facts must be [[fact]] tables", field="fact"))
        return []
    starts = loc.table_lines("fact")
    facts = []
    for i, raw in enumerate(raw_facts):
        start = starts[i] if i < len(starts) else 1
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        fact = _check_fact(raw, loc, start, end, periods, actors, normalized_source, seen, problems)
        if fact:
            facts.append(fact)
    return facts


def _check_fact(raw: dict, loc: _Locator, start: int, end: int, periods: dict[str, Period],
                actors: dict[str, Actor], normalized_source: str, seen: dict[str, str],
                problems: list[Problem]) -> Fact | None:
    before = len(problems)
    fid = raw.get("id") if isinstance(raw.get("id"), str) else None

    def fail(field_name: str, message: str) -> None:
        line = loc.key_line(re.split(r"[.[]", field_name)[0], start, end)
        problems.append(Problem(loc.file, line, message, fid, field_name))

    for key in sorted(set(raw) - FACT_KEYS):
        fail(key, f"unknown key '{key}'")
    if fid is None or not ID_RE.match(fid):
        fail("id", "id must be lowercase letters, digits and '-'")
    elif fid in seen:
        fail("id", f"duplicate id (first defined at {seen[fid]})")
    else:
        seen[fid] = f"{loc.file}:{start}"

    period = raw.get("period")
    if period not in periods:
        fail("period", f"unknown period {period!r}" + (f"; known: {', '.join(periods)}" if periods else ""))

    date = None
    approx = raw.get("date_approx", False)
    if not isinstance(approx, bool):
        fail("date_approx", "date_approx must be true or false")
        approx = False
    if "date" in raw:
        if not isinstance(raw["date"], str):
            fail("date", "date must be a quoted string such as \"1948-05-17\"")
        else:
            try:
                date = FactDate.parse(raw["date"], approx)
            except ValueError as exc:
                fail("date", str(exc))
            else:
                p = periods.get(period)
                if p and not (p.start <= date.year and date.last_year <= p.end):
                    fail("date", f"date {date.iso} falls outside period '{p.id}' ({p.start}-{p.end})")
                    date = None
    elif approx:
        fail("date_approx", "date_approx without a date")
    for key in ("date_quote", "date_source", "note"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            fail(key, f"{key} must be a non-empty string")
    if ("date_quote" in raw or "date_source" in raw) and "date" not in raw:
        fail("date_quote" if "date_quote" in raw else "date_source", "given without a date")
    ask_date = raw.get("ask_date", "date_source" not in raw)
    if not isinstance(ask_date, bool):
        fail("ask_date", "ask_date must be true or false")
        ask_date = True

    fact_actors = _string_list(raw.get("actors"), allow_empty=False)
    if fact_actors is None:
        fail("actors", "actors must be a non-empty list of actor ids")
        fact_actors = ()
    for aid in fact_actors:
        if aid not in actors:
            fail("actors", f"unknown actor '{aid}'")
    if len(set(fact_actors)) != len(fact_actors):
        fail("actors", "an actor is listed twice")

    event = raw.get("event")
    if not isinstance(event, str) or not event.strip():
        fail("event", "event must be a non-empty sentence")
        event = ""
    event = event.strip()
    if event and fact_actors and fact_actors[0] in actors:
        first = actors[fact_actors[0]]
        if not find_mention(event, first):
            fail("actors", f"the first actor '{first.id}' ({first.name}) is not named in the event")

    causes = _reasons(raw, "causes", normalized_source, fail)
    consequences = _reasons(raw, "consequences", normalized_source, fail)
    tags = _string_list(raw.get("tags", []))
    if tags is None or not all(TAG_RE.match(t) for t in tags):
        fail("tags", "tags must be lowercase words joined by '-' (no spaces)")

    quotes = _string_list(raw.get("quote"), allow_empty=False)
    if quotes is None:
        fail("quote", "quote must be a non-empty string or list of strings")
    else:
        for q in quotes:
            if normalize_text(q) not in normalized_source:
                fail("quote", f"quote is not verbatim in the source: {q[:70]!r}...")
                quotes = None
                break

    if quotes is not None and date is not None and isinstance(raw.get("date_quote", ""), str):
        evidence = normalize_text(" ".join(quotes + (raw.get("date_quote", ""),)))
        if "date_quote" in raw and normalize_text(raw["date_quote"]) not in normalized_source:
            fail("date_quote", f"date_quote is not verbatim in the source: {raw['date_quote'][:70]!r}...")
        elif "date_source" not in raw:
            missing = _unsupported_date(date, evidence)
            if missing:
                fail("date", f"{missing} is not in the fact's quotes: add a date_quote from the article, "
                             "or a date_source saying where it comes from")

    cloze = raw.get("cloze")
    if cloze is not None:
        if not isinstance(cloze, str) or not cloze.strip() or not _at_word_boundaries(cloze, event):
            fail("cloze", f"cloze term {cloze!r} must appear in the event as whole words")
        elif len(cloze.split()) > MAX_CLOZE_WORDS:
            fail("cloze", f"cloze term {cloze!r} has more than {MAX_CLOZE_WORDS} words; nobody types it exactly")
    cloze_accept = _string_list(raw.get("cloze_accept", []))
    if cloze_accept is None:
        fail("cloze_accept", "cloze_accept must be a list of strings")
    elif cloze_accept and cloze is None:
        fail("cloze_accept", "cloze_accept without a cloze term")

    also_true = _string_list(raw.get("also_true", []))
    if also_true is None or any(not (a in actors or re.fullmatch(r"\d{4}", a)) for a in also_true):
        fail("also_true", "also_true lists actor ids and years (\"1956\") that would also be right")
        also_true = ()
    skip = _string_list(raw.get("skip", []))
    if skip is None or any(k.split(":")[0] not in QUESTION_KINDS for k in skip):
        fail("skip", f"skip lists question kinds ({', '.join(QUESTION_KINDS)}) or kinds with a number (\"who:2\")")
        skip = ()

    typed = _string_list(raw.get("typed", []))
    if typed is None or any(k.split(":")[0] != "who" for k in typed):
        fail("typed", "typed lists who-questions (\"who\", \"who:2\") to ask as typed answers")
        typed = ()

    who_wrong = {}
    raw_who_wrong = raw.get("who_wrong", {})
    if not isinstance(raw_who_wrong, dict):
        fail("who_wrong", "who_wrong is a table: { actor-id = [\"wrong-actor\", ...] }")
        raw_who_wrong = {}
    for key, value in raw_who_wrong.items():
        ids = _string_list(value)
        where = f"who_wrong.{key}"
        if key not in fact_actors or key not in actors:
            fail(where, f"'{key}' is not one of this fact's actors")
        elif ids is None or len(ids) != WHO_WRONG or len(set(ids)) != len(ids):
            fail(where, f"lists exactly {WHO_WRONG} different actor ids, the wrong choices")
        elif unknown := [i for i in ids if i not in actors]:
            fail(where, f"unknown actor '{unknown[0]}'")
        elif taken := [i for i in ids if i in fact_actors or i in also_true]:
            fail(where, f"'{taken[0]}' is one of this fact's actors or also true: never a wrong choice")
        elif other := [i for i in ids if actors[i].type != actors[key].type]:
            fail(where, f"'{other[0]}' is a {actors[other[0]].type}, '{key}' a {actors[key].type}")
        else:
            who_wrong[key] = ids

    waivers = []
    raw_waive = raw.get("waive", [])
    if not isinstance(raw_waive, list):
        raw_waive = [None]
    for entry in raw_waive:
        if (not isinstance(entry, dict) or set(entry) != {"rule", "reason"}
                or not all(isinstance(v, str) and v.strip() for v in entry.values())):
            fail("waive", "each waiver is { rule = \"rule-name\", reason = \"why the flag is acceptable\" }")
            continue
        waivers.append(Waiver(entry["rule"], entry["reason"]))

    ask = raw.get("ask", {})
    if not isinstance(ask, dict):
        fail("ask", "ask must be a table (ask.who = \"...\")")
        ask = {}
    for key in sorted(set(ask) - ASK_KEYS):
        fail(f"ask.{key}", f"unknown key 'ask.{key}'; known: {', '.join(sorted(ASK_KEYS))}")
    for key, value in ask.items():
        if not isinstance(value, str) or not value.strip():
            fail(f"ask.{key}", "must be a non-empty string")
    who_actor = ask.get("who_actor")
    if who_actor is not None and who_actor not in fact_actors:
        fail("ask.who_actor", f"'{who_actor}' is not one of this fact's actors")
    if who_actor is not None and "who" not in ask:
        fail("ask.who_actor", "ask.who_actor needs a hand-phrased ask.who question")

    if len(problems) > before:
        return None
    return Fact(
        id=fid, period=period, date=date, actors=fact_actors, event=event,
        causes=causes, consequences=consequences, quotes=quotes, tags=tags,
        cloze=cloze, ask=dict(ask), file=loc.file, line=start, note=raw.get("note", "").strip(),
        cloze_accept=cloze_accept, date_quote=raw.get("date_quote", ""), date_source=raw.get("date_source", ""),
        ask_date=ask_date, waivers=tuple(waivers), also_true=also_true, skip=skip, typed=typed,
        who_wrong=who_wrong,
    )


def _at_word_boundaries(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None


def _unsupported_date(date: FactDate, evidence: str) -> str | None:
    """What part of the date the evidence does not show: the year(s), or the month's name."""
    for year in {date.year, date.last_year}:
        if str(year) not in evidence and f"{str(year)[:3]}0s" not in evidence:
            return f"the year {year}"
    if date.month and calendar.month_name[date.month] not in evidence:
        return f"the month {calendar.month_name[date.month]}"
    if date.day and not re.search(rf"(?<!\d){date.day}(?:st|nd|rd|th)?(?!\d)", evidence):
        return f"the day {date.day}"
    return None


def _reasons(raw: dict, key: str, normalized_source: str, fail) -> tuple[Reason, ...]:
    """Causes or consequences: each a table with its text, its verbatim quote and the article's link word."""
    value = raw.get(key, [])
    if not isinstance(value, list):
        fail(key, f"{key} must be a list of {{ text, quote, link }} tables")
        return ()
    reasons = []
    for n, entry in enumerate(value, start=1):
        where = f"{key}[{n}]"
        if not isinstance(entry, dict):
            fail(where, "must be a table { text = \"...\", quote = \"...\", link = \"...\" }")
            continue
        for extra in sorted(set(entry) - REASON_KEYS):
            fail(where, f"unknown key '{extra}'")
        text, quote, link = (entry.get(k) for k in ("text", "quote", "link"))
        bad = [k for k, v in (("text", text), ("quote", quote), ("link", link))
               if not isinstance(v, str) or not v.strip()]
        if bad:
            fail(where, f"needs a non-empty {', '.join(bad)}")
            continue
        if normalize_text(quote) not in normalized_source:
            fail(f"{where}.quote", f"quote is not verbatim in the source: {quote[:70]!r}...")
        elif link.casefold() not in normalize_text(quote).casefold():
            fail(f"{where}.link", f"link {link!r} is not in the quote: give the article's own link word")
        if link.casefold().strip() in CONCESSIVE_LINKS:
            fail(f"{where}.link", f"{link!r} sets a contrast; what follows it is not a cause or consequence")
        wrong = _string_list(entry.get("wrong", []))
        if wrong is None:
            fail(f"{where}.wrong", "wrong must be a list of wrong answers")
            continue
        reasons.append(Reason(text.strip(), quote.strip(), link.strip(), wrong))
    return tuple(reasons)

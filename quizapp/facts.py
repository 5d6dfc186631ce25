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
from pathlib import Path

ACTOR_TYPES = ("person", "state", "organization", "group")
SUBJECT_KEYS = {"id", "title", "source", "attribution", "period", "actor"}
PERIOD_KEYS = {"id", "title", "start", "end"}
ACTOR_KEYS = {"type", "name", "aliases"}
FACT_KEYS = {
    "id", "period", "date", "actors", "event", "causes", "consequences",
    "quote", "tags", "cloze", "ask",
}
ASK_KEYS = {"who", "who_actor", "when", "why", "then"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
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
    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Name and aliases, longest first, so the fullest mention wins."""
        return tuple(sorted({self.name, *self.aliases}, key=len, reverse=True))


@dataclass(frozen=True)
class Period:
    id: str
    title: str
    start: int
    end: int


@dataclass(frozen=True, order=True)
class FactDate:
    """A date whose precision is its form: year, year-month or full date."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> FactDate:
        """Parse "1948", "1948-05" or "1948-05-17"; raise ValueError otherwise."""
        m = DATE_RE.match(text)
        if not m:
            raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in m.groups())
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"date {text!r} has no month {month}")
        if day is not None:
            dt.date(year, month, day)  # raises ValueError for 1953-02-30
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def iso(self) -> str:
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
        if self.day:
            return self.first_day
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def overlaps(self, other: FactDate) -> bool:
        """True when the two spans share a day, so their order is unknown."""
        return self.first_day <= other.last_day and other.first_day <= self.last_day

    def display(self) -> str:
        """'1948', 'May 1948' or '17 May 1948'."""
        if self.day:
            return f"{self.day} {calendar.month_name[self.month]} {self.year}"
        if self.month:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)


@dataclass(frozen=True)
class Fact:
    id: str
    period: str
    date: FactDate | None
    actors: tuple[str, ...]
    event: str
    causes: tuple[str, ...]
    consequences: tuple[str, ...]
    quotes: tuple[str, ...]
    tags: tuple[str, ...] = ()
    cloze: str | None = None
    ask: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    file: str = ""
    line: int = 0

    @property
    def who_actor(self) -> str:
        """The actor a who-question asks for: the curator's choice or the first one."""
        return self.ask.get("who_actor", self.actors[0])


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
        actors[aid] = Actor(aid, kind, name, tuple(aliases))
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
        line = loc.key_line(field_name.split(".")[0], start, end)
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
    if "date" in raw:
        if not isinstance(raw["date"], str):
            fail("date", "date must be a quoted string such as \"1948-05-17\"")
        else:
            try:
                date = FactDate.parse(raw["date"])
            except ValueError as exc:
                fail("date", str(exc))
            else:
                p = periods.get(period)
                if p and not p.start <= date.year <= p.end:
                    fail("date", f"date {date.iso} falls outside period '{p.id}' ({p.start}-{p.end})")

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

    causes = _string_list(raw.get("causes", []))
    if causes is None:
        fail("causes", "causes must be a list of non-empty strings")
    consequences = _string_list(raw.get("consequences", []))
    if consequences is None:
        fail("consequences", "consequences must be a list of non-empty strings")
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

    cloze = raw.get("cloze")
    if cloze is not None and (not isinstance(cloze, str) or not cloze.strip() or cloze not in event):
        fail("cloze", f"cloze term {cloze!r} must appear exactly in the event")

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
        cloze=cloze, ask=dict(ask), file=loc.file, line=start,
    )

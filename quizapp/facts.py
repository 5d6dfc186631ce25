"""Load and validate a subject's fact files into plain dataclasses.

A subject is a folder with ``subject.toml`` (id, title, source, periods, actors)
and one or more ``*.toml`` fact files. Loading is all-or-nothing: every problem
in every file is collected, and :class:`FactFileError` is raised with all of
them unless there are none.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from quizapp.askcheck import check_typed
from quizapp.factcheck import (
    ID_RE,
    FactFileError,
    Problem,
    _check_fact,
    _Locator,
    _string_list,
)
from quizapp.subject import (
    ACTOR_TYPES,
    QUESTION_KINDS,
    Actor,
    Fact,
    FactDate,
    Period,
    Reason,
    Subject,
    Waiver,
    find_mention,
    normalize_text,
)

__all__ = ["ACTOR_TYPES", "QUESTION_KINDS", "Actor", "Fact", "FactDate", "FactFileError", "Period", "Problem", "Reason",
           "Subject", "Waiver", "find_mention", "load_subject", "load_subjects", "normalize_text"]

SUBJECT_KEYS = {"id", "title", "source", "attribution", "period", "actor"}
PERIOD_KEYS = {"id", "title", "start", "end"}
ACTOR_KEYS = {"type", "name", "aliases", "article", "adjective", "role", "from", "until", "active", "part_of",
              "cues", "curated_only"}


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
    check_typed(facts, actors, problems)

    if problems:
        raise FactFileError(problems)
    return Subject(
        id=data["id"], title=data["title"], attribution=data.get("attribution", ""),
        source_text=source_text, periods=tuple(periods.values()), actors=actors,
        facts=tuple(facts), path=str(folder),
    )


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
    # each [[fact]] opening; not its [[fact.causes]] tables, which would shift every later fact's line
    starts = [n for n in loc.table_lines("fact") if re.match(r"\s*\[\[\s*fact\s*\]\]", lines[n - 1])]
    facts = []
    for i, raw in enumerate(raw_facts):
        start = starts[i] if i < len(starts) else 1
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        fact = _check_fact(raw, loc, start, end, periods, actors, normalized_source, seen, problems)
        if fact:
            facts.append(fact)
    return facts

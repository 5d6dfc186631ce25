"""Checks of one fact table against its subject and source, and the problem reports every check makes."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from quizapp.subject import (
    QUESTION_KINDS,
    Actor,
    Fact,
    FactDate,
    Period,
    Reason,
    Waiver,
    find_mention,
    normalize_text,
)

FACT_KEYS = {
    "id", "period", "date", "date_approx", "date_quote", "date_source", "ask_date", "actors", "event",
    "causes", "consequences", "quote", "note", "tags", "cloze", "cloze_accept", "ask", "waive", "also_true", "skip",
    "typed", "who_wrong", "who_accept", "context",
}
REASON_KEYS = {"text", "quote", "link", "wrong", "label"}
ASK_KEYS = {"who", "who_actor", "when", "why", "then"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Links that set two things against each other: what follows them is a contrast, never a cause or consequence.
CONCESSIVE_LINKS = ("despite", "in spite of", "nonetheless", "nevertheless", "although", "even though",
                    "however", "though", "yet", "notwithstanding", "regardless")
MAX_CLOZE_WORDS = 3
WHO_WRONG = 3  # wrong choices in a who-question: four choices in all
TYPED_RE = re.compile(r"who(?::[1-9]\d*)?")
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


def _string_list(value, allow_empty: bool = True) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    if not value and not allow_empty:
        return None
    return tuple(v.strip() for v in value)


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
    if typed is None or not all(TYPED_RE.fullmatch(k) for k in typed):
        fail("typed", "typed lists who-questions (\"who\" for every one, \"who:1\" the first, \"who:2\" the "
                      "second...) to ask as typed answers")
        typed = ()
    elif over := [k for k in typed if ":" in k and int(k.split(":")[1]) > len(fact_actors)]:
        fail("typed", f"{over[0]!r}: the fact has {len(fact_actors)} actor(s), so no such who-question")
        typed = ()
    elif both := [k for k in typed if k in skip or "who" in skip]:
        fail("typed", f"{both[0]!r} is also in skip, which wins: list in typed only the who-questions asked")
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
            if all(a in actors for a in fact_actors):  # else an unknown actor, reported once under 'actors'
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

    who_accept = {}
    raw_who_accept = raw.get("who_accept", {})
    if not isinstance(raw_who_accept, dict):
        fail("who_accept", "who_accept is a table: { actor-id = [\"other right answer\", ...] }")
        raw_who_accept = {}
    for key, value in raw_who_accept.items():
        answers = _string_list(value, allow_empty=False)
        where = f"who_accept.{key}"
        if key not in fact_actors or key not in actors:
            if all(a in actors for a in fact_actors):
                fail(where, f"'{key}' is not one of this fact's actors")
        elif answers is None or isinstance(value, str):
            fail(where, "lists the other right answers a typed who-question accepts, as strings")
        else:
            who_accept[key] = answers

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

    context = raw.get("context", "")
    if "context" in raw:
        evidence = " ".join((quotes or ()) + (raw.get("note", "") if isinstance(raw.get("note"), str) else "",))
        if problem := _context_problem(context, evidence):
            fail("context", problem)
        elif date is not None and not ("date_source" in raw and not ask_date) and not (
                set(map(int, re.findall(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)", raw.get("note", "")))) - {date.year}):
            fail("context", "the fact has a date from the article, which its statements open with: no context is used")

    if len(problems) > before:
        return None
    return Fact(
        id=fid, period=period, date=date, actors=fact_actors, event=event,
        causes=causes, consequences=consequences, quotes=quotes, tags=tags,
        cloze=cloze, ask=dict(ask), file=loc.file, line=start, note=raw.get("note", "").strip(),
        cloze_accept=cloze_accept, date_quote=raw.get("date_quote", ""), date_source=raw.get("date_source", ""),
        ask_date=ask_date, waivers=tuple(waivers), also_true=also_true, skip=skip, typed=typed,
        who_wrong=who_wrong, who_accept=who_accept, context=context.strip() if isinstance(context, str) else "",
    )


MAX_CONTEXT_WORDS = 10
# Words a context phrase frames its era with: everything else it says must be in the fact's quotes or note.
CONTEXT_FRAME = {"in", "during", "after", "before", "at", "the", "of", "a", "an", "and", "under", "since", "when",
                 "while", "following", "around", "amid", "early", "late", "mid", "years", "time", "era", "period",
                 "days", "first", "s"}


def _context_problem(context, evidence: str) -> str | None:
    """Why a context phrase will not do: not a short phrase opening a sentence, or a word the fact's quotes
    and note do not have (a decade such as "1990s" is covered by any year of it)."""
    if not isinstance(context, str) or not re.fullmatch(r"[A-Z][^.?!;:]*[^\s.?!;:,]", context.strip()):
        return "context is a phrase a sentence opens with, capitalized, without closing punctuation " \
               "(\"During the Suez crisis of 1956\")"
    words = re.findall(r"[\w'’-]+", context.casefold())
    if len(words) > MAX_CONTEXT_WORDS:
        return f"context has more than {MAX_CONTEXT_WORDS} words: a short phrase naming the era"
    text = normalize_text(evidence).casefold()
    for word in words:
        if word in CONTEXT_FRAME:
            continue
        decade = re.fullmatch(r"(1[6-9]\d|20\d)0s", word)
        if decade and re.search(rf"(?<!\d){decade.group(1)}\d", text):
            continue
        if not re.search(rf"(?<![\w-]){re.escape(word)}", text):
            return f"context word {word!r} is not in the fact's quotes or note: say only what they support"
    return None


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
        label = entry.get("label", "")
        if not isinstance(label, str) or "label" in entry and not re.fullmatch(r"[A-Z][^.?!:]{0,40}:", label.strip()):
            fail(f"{where}.label", "label is a short heading ending in ':' (\"An example:\")")
            continue
        reasons.append(Reason(text.strip(), quote.strip(), link.strip(), wrong, label.strip()))
    return tuple(reasons)

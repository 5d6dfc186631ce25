"""The source text laid out for reading, with every fact's quotes located in it (plain data, no Flask).

A subject's source is split into blocks (text between blank lines: a heading or a paragraph), each block into
sentences, and each sentence into segments at the edges of the quotes that fall in it, so that a page can
mark every quoted stretch and link it to the facts that quote it. Quotes are found the way the fact loader
checks them: ignoring whitespace, quote-mark and dash style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizapp.facts import Fact, normalize_text

ROLES = ("event", "cause", "consequence", "date")
# a line without closing punctuation and this short is a heading
HEADING_MAX = 120
# a block: text between blank lines (a paragraph may run over several lines)
PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t]*\n))*\S|\S")
SENTENCE_END = re.compile(r"(?<=[.!?])([\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])")
# a sentence counts as covered when a quote takes in at least this many of its characters (or all of it)
COVERED_CHARS = 12
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


@dataclass(frozen=True)
class Quote:
    """One claim's evidence, located in the source: ``text[start:end]``."""

    fact_id: str
    role: str  # event, cause, consequence or date
    number: int  # the n-th quote of that role in its fact, from 1
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A stretch of a sentence and the quotes (indexes into :attr:`Document.quotes`) that cover all of it."""

    text: str
    start: int
    quotes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Sentence:
    segments: tuple[Segment, ...]
    covered: bool


@dataclass(frozen=True)
class Block:
    number: int
    heading: bool
    sentences: tuple[Sentence, ...]
    facts: tuple[str, ...]  # the facts quoted in the block, in the order their quotes start


@dataclass
class Document:
    blocks: list[Block]
    quotes: list[Quote]
    missing: list[tuple[str, str]] = field(default_factory=list)  # (fact id, quote) not found in the text

    def quotes_of(self, fact_id: str) -> list[Quote]:
        return [q for q in self.quotes if q.fact_id == fact_id]

    def coverage(self) -> tuple[int, int]:
        """Sentences of paragraphs that some quote covers, and all of them."""
        sentences = [s for b in self.blocks if not b.heading for s in b.sentences]
        return sum(s.covered for s in sentences), len(sentences)


def normalized_with_positions(text: str) -> tuple[str, list[int]]:
    """``normalize_text(text)`` and, for each of its characters, where it came from in ``text``."""
    out: list[str] = []
    where: list[int] = []
    in_space = False
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if not in_space and out:
                out.append(" ")
                where.append(i)
            in_space = True
            continue
        in_space = False
        out.append(ch)
        where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def claims(fact: Fact) -> list[tuple[str, int, str]]:
    """A fact's quotes as (role, number, quote): the event's, each cause's and consequence's, the date's."""
    found = [("event", n, q) for n, q in enumerate(fact.quotes, start=1)]
    found += [("cause", n, r.quote) for n, r in enumerate(fact.causes, start=1) if r.quote]
    found += [("consequence", n, r.quote) for n, r in enumerate(fact.consequences, start=1) if r.quote]
    if fact.date_quote:
        found.append(("date", 1, fact.date_quote))
    return found


def locate(source: str, facts: list[Fact] | tuple[Fact, ...]) -> tuple[list[Quote], list[tuple[str, str]]]:
    """Every quote of every fact, at its first place in the source; quotes not found are returned apart."""
    normalized, where = normalized_with_positions(source)
    quotes, missing = [], []
    for fact in facts:
        for role, number, text in claims(fact):
            needle = normalize_text(text)
            at = normalized.find(needle) if needle else -1
            if at < 0:
                missing.append((fact.id, text))
                continue
            quotes.append(Quote(fact.id, role, number, text, where[at], where[at + len(needle) - 1] + 1))
    quotes.sort(key=lambda q: (q.start, -q.end))
    return quotes, missing


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a paragraph that starts at ``offset`` in the whole text; closing quote
    marks after a full stop belong to the sentence they close."""
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((offset + start, offset + m.start() + len(m.group(1))))
        start = m.end()
    spans.append((offset + start, offset + len(text)))
    return [(s, e) for s, e in spans if e > s]


def is_heading(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= HEADING_MAX and not stripped.endswith((".", "?", "!", ":", ";", ",", "\"", "”"))


def read(source: str, facts: list[Fact] | tuple[Fact, ...]) -> Document:
    """The source as blocks of sentences of segments, each segment knowing the quotes that cover it."""
    quotes, missing = locate(source, facts)
    blocks: list[Block] = []
    for m in PARAGRAPH.finditer(source):
        start, end = m.start(), m.end()
        text = m.group()
        inside = [i for i, q in enumerate(quotes) if q.start < end and q.end > start]
        heading = "\n" not in text and is_heading(text)
        sentences = []
        for s, e in ([(start, end)] if heading else split_sentences(text, start)):
            sentences.append(_sentence(source, s, e, quotes, inside))
        facts_here: list[str] = []
        for i in sorted(inside, key=lambda i: quotes[i].start):
            if quotes[i].fact_id not in facts_here:
                facts_here.append(quotes[i].fact_id)
        blocks.append(Block(len(blocks) + 1, heading, tuple(sentences), tuple(facts_here)))
    return Document(blocks, quotes, missing)


def _sentence(source: str, start: int, end: int, quotes: list[Quote], candidates: list[int]) -> Sentence:
    here = [i for i in candidates if quotes[i].start < end and quotes[i].end > start]
    cuts = {start, end}
    for i in here:
        cuts.update(p for p in (quotes[i].start, quotes[i].end) if start < p < end)
    edges = sorted(cuts)
    segments = []
    for a, b in zip(edges, edges[1:], strict=False):
        covering = tuple(i for i in here if quotes[i].start <= a and quotes[i].end >= b)
        segments.append(Segment(source[a:b], a, covering))
    quoted = sum(len(s.text.strip()) for s in segments if s.quotes)
    length = len(source[start:end].strip())
    return Sentence(tuple(segments), quoted >= min(COVERED_CHARS, length) and quoted > 0)

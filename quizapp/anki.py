"""Write question banks as Anki decks (.apkg) with genanki.

Identity is what makes re-import update in place: the model ids are constants,
deck ids are stable hashes of (subject, period), and each note's GUID is
``genanki.guid_for(subject_id, question_id)`` rather than genanki's default hash
of the field values. Notes are stamped with the ``timestamp`` the caller passes,
so a later export is newer to Anki and updates notes whose text changed.

Which kinds go to Anki (and why) is ``ANKI_KINDS``: recall beats recognition, so
the typed-year card goes in and the four-year multiple choice of the same fact
does not; true/false cards stay out because half of them state a falsehood and a
coin toss answers them.
"""

from __future__ import annotations

import hashlib
import html
import io
from dataclasses import dataclass
from pathlib import Path

import genanki

from quizapp.facts import FactDate
from quizapp.generate import Question

QA_MODEL_ID = 1607392319
CLOZE_MODEL_ID = 1607392320
QA_FIELDS = ("Question", "Answer", "Choices", "Explanation", "Source", "Period", "Date", "FactId")
CLOZE_FIELDS = ("Text", "Extra", "Source", "Period", "Date", "FactId")


def included(question: Question) -> bool:
    """Whether a question becomes an Anki note (see the module docstring)."""
    if question.kind == "tf":
        return False
    if question.kind == "when":
        return question.format == "year" or question.id.endswith((":3", ":4"))
    return True


CSS = """
.card { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 20px;
  line-height: 1.5; color: #1f2937; background: #ffffff; text-align: left; max-width: 40em; margin: 0 auto;
  padding: 0 .5em; }
.prompt { font-size: 1.05em; }
.choices { padding-left: 1.4em; } .choices li { margin: .2em 0; }
.answer { font-weight: 700; color: #15803d; font-size: 1.1em; }
.explanation { margin-top: .8em; white-space: pre-line; }
.source { margin-top: .8em; padding: .4em .8em; border-left: 3px solid #cbd5e1; font-style: italic;
  color: #374151; background: #f8fafc; font-size: .85em; }
.meta { margin-top: .6em; font-size: .75em; color: #6b7280; }
.cloze { font-weight: 700; color: #1d4ed8; }
hr#answer { border: 0; border-top: 1px solid #e5e7eb; margin: 1em 0; }
.nightMode .card, .night_mode .card, .card.nightMode { color: #e5e7eb; background: #111827; }
.nightMode .answer, .night_mode .answer { color: #4ade80; }
.nightMode .source, .night_mode .source { color: #d1d5db; background: #1f2937; border-left-color: #4b5563; }
.nightMode .meta, .night_mode .meta { color: #9ca3af; }
.nightMode .cloze, .night_mode .cloze { color: #93c5fd; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #374151; }
@media (max-width: 480px) { .card { font-size: 18px; padding: 0 .25em; } }
"""

BACK_COMMON = """
<div class="explanation">{{Explanation}}</div>
<div class="source">{{Source}}</div>
<div class="meta">{{Period}}{{#Date}} · {{Date}}{{/Date}}</div>
"""

QA_MODEL = genanki.Model(
    QA_MODEL_ID,
    "quizapp Q&A",
    fields=[{"name": name} for name in QA_FIELDS],
    templates=[{
        "name": "Card 1",
        "qfmt": '<div class="prompt">{{Question}}</div>{{#Choices}}<div class="choices">{{Choices}}</div>{{/Choices}}',
        "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>' + BACK_COMMON,
    }],
    css=CSS,
)

CLOZE_MODEL = genanki.Model(
    CLOZE_MODEL_ID,
    "quizapp Cloze",
    fields=[{"name": name} for name in CLOZE_FIELDS],
    templates=[{
        "name": "Cloze",
        "qfmt": '<div class="prompt">{{cloze:Text}}</div>',
        "afmt": '<div class="prompt">{{cloze:Text}}</div><hr id="answer">'
                + BACK_COMMON.replace("{{Explanation}}", "{{Extra}}"),
    }],
    css=CSS,
    model_type=genanki.Model.CLOZE,
)


@dataclass(frozen=True)
class DeckInfo:
    """What was written: for the CLI's one line per deck."""

    name: str
    notes: int
    cards: int
    path: str = ""


def deck_id(subject_id: str, period_id: str) -> int:
    """A stable id in Anki's preferred range, the same on every export."""
    digest = hashlib.sha256(f"{subject_id}/{period_id}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def deck_name(subject_title: str, period_title: str) -> str:
    return f"{subject_title}::{period_title}"


def tag(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def _items(items: list[str], ordered: bool = False) -> str:
    tag_name = "ol" if ordered else "ul"
    return f"<{tag_name}>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + f"</{tag_name}>"


def _date_text(iso: str) -> str:
    return FactDate.parse(iso).display() if iso else ""


def make_note(subject_id: str, period_title: str, q: Question) -> genanki.Note:
    """One note per question; its GUID depends only on the subject and question ids."""
    tags = [f"period::{tag(q.period)}", f"kind::{q.kind}", *(f"actor::{tag(a)}" for a in q.actors)]
    common = [html.escape(q.quote), html.escape(period_title), _date_text(q.date), q.fact_id]
    explanation = html.escape(q.explanation)
    if q.kind == "cloze":
        text = html.escape(q.cloze).replace(html.escape("{{c1::"), "{{c1::").replace(html.escape("}}"), "}}")
        return genanki.Note(model=CLOZE_MODEL, fields=[text, explanation, *common], tags=tags,
                            guid=genanki.guid_for(subject_id, q.id))
    if q.format == "order":
        answer, choices = _items(q.answer, ordered=True), _items(q.choices)
    elif q.format == "choice":
        answer, choices = html.escape(q.answer), _items(q.choices, ordered=True)
    else:
        answer, choices = html.escape(q.answer), ""
    return genanki.Note(model=QA_MODEL, fields=[html.escape(q.prompt), answer, choices, explanation, *common],
                        tags=tags, guid=genanki.guid_for(subject_id, q.id))


def build_deck(subject_id: str, subject_title: str, period_id: str, period_title: str,
               questions: list[Question]) -> genanki.Deck:
    """A deck of one period's notes, for the kinds worth a card."""
    deck = genanki.Deck(deck_id(subject_id, period_id), deck_name(subject_title, period_title))
    for q in questions:
        if q.period == period_id and included(q):
            deck.add_note(make_note(subject_id, period_title, q))
    return deck


def count(deck: genanki.Deck) -> DeckInfo:
    """Notes and the cards Anki will make of them (one per Q&A note, one per cloze number)."""
    cards = sum(len(note.cards) for note in deck.notes)
    return DeckInfo(deck.name, len(deck.notes), cards)


def write_package(decks: list[genanki.Deck], target: str | Path | io.BufferedIOBase, timestamp: float) -> None:
    """Write ``decks`` to a path or a binary file object, stamped with ``timestamp``."""
    genanki.Package(decks).write_to_file(str(target) if isinstance(target, Path) else target, timestamp=timestamp)


def package_bytes(decks: list[genanki.Deck], timestamp: float) -> bytes:
    """The .apkg file as bytes, for a download."""
    buffer = io.BytesIO()
    write_package(decks, buffer, timestamp)
    return buffer.getvalue()

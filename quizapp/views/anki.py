"""Anki deck downloads, built from the questions in the database."""

import time
from io import BytesIO

from flask import Blueprint, send_file

from quizapp import anki
from quizapp.generate import Question as QuestionData
from quizapp.models import Fact, Period, Question, Subject, db

bp = Blueprint("anki", __name__, url_prefix="/anki")


def bank_of(subject: Subject) -> list[QuestionData]:
    """The subject's live questions as the plain data the deck writer takes."""
    rows = db.session.execute(
        db.select(Question, Fact, Period).join(Fact, Question.fact_id == Fact.id)
        .join(Period, Question.period_id == Period.id)
        .where(Question.subject_id == subject.id, Question.retired.is_(False)).order_by(Question.id)).all()
    return [QuestionData(
        id=q.uid, fact_id=f.slug, kind=q.kind, period=p.slug, prompt=q.prompt, answer=q.answer,
        choices=q.choices, explanation=q.explanation, quote=q.quote, format=q.format, date=q.date,
        actors=f.actors, tags=f.tags, cloze=q.cloze) for q, f, p in rows]


def download(decks, filename: str):
    """Send the package as a file download; stamped now, so Anki sees it as newer."""
    data = anki.package_bytes(decks, timestamp=time.time())
    return send_file(BytesIO(data), mimetype="application/apkg", as_attachment=True, download_name=filename)


@bp.get("/<subject_slug>/<period_slug>.apkg")
def period_deck(subject_slug: str, period_slug: str):
    """Download one period's deck."""
    period = db.first_or_404(db.select(Period).join(Subject).where(
        Subject.slug == subject_slug, Period.slug == period_slug))
    subject = period.subject
    deck = anki.build_deck(subject.slug, subject.title, period.slug, period.title, bank_of(subject))
    return download([deck], f"{subject.slug}--{period.slug}.apkg")  # slugs are validated ids


@bp.get("/<subject_slug>.apkg")
def subject_deck(subject_slug: str):
    """Download every period of a subject, each as a subdeck."""
    subject = db.first_or_404(db.select(Subject).filter_by(slug=subject_slug))
    questions = bank_of(subject)
    decks = [anki.build_deck(subject.slug, subject.title, p.slug, p.title, questions) for p in subject.periods]
    return download(decks, f"{subject.slug}.apkg")

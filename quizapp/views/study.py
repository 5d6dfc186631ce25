"""Decks: the periods of each subject, their facts and questions."""

from flask import Blueprint, render_template
from sqlalchemy import func

from quizapp.models import Fact, Period, Question, Subject, db

bp = Blueprint("study", __name__)


@bp.get("/")
def index():
    """List every subject and its periods with fact and question counts."""
    subjects = db.session.execute(db.select(Subject).order_by(Subject.title)).scalars().all()
    fact_counts = dict(db.session.execute(
        db.select(Fact.period_id, func.count()).filter_by(retired=False).group_by(Fact.period_id)).all())
    question_counts = dict(db.session.execute(
        db.select(Question.period_id, func.count()).filter_by(retired=False).group_by(Question.period_id)).all())
    return render_template("study/index.html", subjects=subjects,
                           fact_counts=fact_counts, question_counts=question_counts)


@bp.get("/bank/<subject_slug>/<period_slug>")
def period(subject_slug: str, period_slug: str):
    """Show one period: its facts in date order and the questions generated from each."""
    row = db.first_or_404(db.select(Period).join(Subject).where(
        Subject.slug == subject_slug, Period.slug == period_slug))
    facts = db.session.execute(db.select(Fact).filter_by(period_id=row.id, retired=False)).scalars().all()
    facts.sort(key=lambda f: (f.date == "", f.date))
    questions = db.session.execute(db.select(Question).filter_by(period_id=row.id, retired=False)
                                   .order_by(Question.id)).scalars().all()
    by_fact: dict[int, list[Question]] = {}
    for q in questions:
        by_fact.setdefault(q.fact_id, []).append(q)
    return render_template("study/period.html", period=row, facts=facts, by_fact=by_fact,
                           question_count=len(questions))

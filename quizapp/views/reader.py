"""The source reader (the article with every fact's quotes marked) and search over facts and questions."""

from __future__ import annotations

import re
from collections import defaultdict

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import or_

from quizapp import scheduling, sources
from quizapp.facts import FactDate, normalize_text
from quizapp.models import Card, Fact, Question, Subject, db
from quizapp.views.study import now

bp = Blueprint("reader", __name__)

# how well a learner knows a fact now (mean FSRS retrievability of its studied questions)
LEVELS = (("strong", 0.9, "known well"), ("fading", 0.7, "fading"), ("weak", 0.0, "needs review"))
KIND_NAMES = {"when": "Date", "who": "Who", "why": "Why", "then": "What followed", "order": "Order",
              "tf": "True or false", "cloze": "Fill the gap"}
ROLE_NAMES = {"event": "event", "cause": "cause", "consequence": "consequence", "date": "date"}


def level_of(recall: float | None) -> tuple[str, str]:
    """The level's name for styling and its words for people."""
    if recall is None:
        return "unseen", "not studied yet"
    return next((name, words) for name, floor, words in LEVELS if recall >= floor)


def recall_by_fact(user_id: int, subject_id: int) -> dict[int, float]:
    """Each studied fact's mean retrievability now, over the learner's reviewed cards of its questions."""
    at = now()
    rows = db.session.execute(db.select(Card).join(Question, Card.question_id == Question.id).where(
        Card.user_id == user_id, Question.subject_id == subject_id, Card.last_review.is_not(None))).scalars()
    values: dict[int, list[float]] = defaultdict(list)
    for card in rows:
        values[card.fact_id].append(scheduling.retrievability(
            scheduling.CardState(card.state, card.step, card.stability, card.difficulty, card.due,
                                 card.last_review), at))
    return {fact_id: sum(v) / len(v) for fact_id, v in values.items()}


def focus_quotes(source: sources.Source, question: Question | None, fact_slug: str | None) -> set[int]:
    """The quotes (indexes into the document's) that a question's own quote is made of, or all of a fact's."""
    if question is not None:
        parts = {normalize_text(p) for p in question.quote.split(" … ") if p.strip()}
        found = {i for i, q in enumerate(source.document.quotes)
                 if q.fact_id == question.fact.slug and normalize_text(q.text) in parts}
        # a quote the question shortened or joined differently: the fact's own quotes stand in
        return found or {i for i, q in enumerate(source.document.quotes) if q.fact_id == question.fact.slug}
    if fact_slug:
        return {i for i, q in enumerate(source.document.quotes) if q.fact_id == fact_slug}
    return set()


@bp.get("/read/<subject_slug>")
def read(subject_slug: str):
    """The subject's source with every fact's quotes marked, linked to its questions (and coloured by recall)."""
    subject = db.first_or_404(db.select(Subject).filter_by(slug=subject_slug))
    source = sources.source_of(subject_slug) or abort(404)
    facts = {f.slug: f for f in db.session.execute(
        db.select(Fact).filter_by(subject_id=subject.id, retired=False)).scalars()}
    questions: dict[int, list[Question]] = defaultdict(list)
    for q in db.session.execute(db.select(Question).filter_by(subject_id=subject.id, retired=False)
                                .order_by(Question.id)).scalars():
        questions[q.fact_id].append(q)
    recall = recall_by_fact(current_user.id, subject.id) if current_user.is_authenticated else {}
    levels = {slug: level_of(recall.get(f.id)) for slug, f in facts.items()}
    question = None
    asked = request.args.get("q", "")
    if asked.isascii() and asked.isdigit() and len(asked) <= 18:
        question = db.session.get(Question, int(asked))
        if question is None or question.subject_id != subject.id:
            question = None
    fact_slug = request.args.get("f", "")[:120]
    focus_fact = facts.get(fact_slug) if question is None else question.fact
    first_block: dict[str, int] = {}
    for block in source.document.blocks:
        for slug in block.facts:
            first_block.setdefault(slug, block.number)
    focus = focus_quotes(source, question, fact_slug if fact_slug in facts else None)
    return render_template(
        "reader/read.html", subject=subject, source=source, document=source.document, facts=facts,
        data=source.facts, questions=questions, levels=levels, recall=recall, focus=focus,
        first_focus=min(focus, default=None), question=question,
        context_start=source.document.quotes[min(focus)].start if focus else None, focus_fact=focus_fact,
        kind_names=KIND_NAMES, first_block=first_block,
        show_uncovered=current_user.is_authenticated and current_user.is_instructor,
        signed_in=current_user.is_authenticated, coverage=source.document.coverage(),
        dates={slug: FactDate.parse(f.date).display() if f.date else "" for slug, f in facts.items()})


SEARCH_LIMIT = 50
YEAR_RE = re.compile(r"^\d{4}$")


def fact_year_matches(date: str, year: int) -> bool:
    """Whether a fact's stored date (a year, month, day or span) takes in the year."""
    if not date:
        return False
    try:
        return FactDate.parse(date).contains_year(year)
    except ValueError:
        return False


@bp.get("/search")
@login_required
def search():
    """Facts and questions by words, actor or year."""
    subjects = db.session.execute(db.select(Subject).order_by(Subject.title)).scalars().all()
    text = request.args.get("q", "").strip()[:200]
    actor = request.args.get("actor", "").strip()[:80]
    year_text = request.args.get("year", "").strip()[:10]
    errors = []
    year = None
    if year_text:
        if YEAR_RE.match(year_text):
            year = int(year_text)
        else:
            errors.append("A year is four digits, such as 1967.")
    actors = {}
    for s in subjects:
        found = sources.source_of(s.slug)
        if found:
            actors.update({a.id: a for a in found.subject.actors.values()})
    if actor and actor not in actors:
        errors.append("No actor has that name; pick one from the list.")
    words = [w for w in re.split(r"\s+", text) if w][:8]
    searched = bool((words or actor or year) and not errors)
    facts, questions = [], []
    if searched:
        facts, questions = find(words, actor, year)
    return render_template("reader/search.html", text=text, actor=actor, year=year_text, errors=errors,
                           actors=sorted(actors.values(), key=lambda a: a.name.casefold()), searched=searched,
                           facts=facts, questions=questions, limit=SEARCH_LIMIT, kind_names=KIND_NAMES,
                           actor_names={a.id: a.display for a in actors.values()})


def _like(word: str) -> str:
    """A LIKE pattern that finds the word as typed: % and _ are letters here, not wildcards."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find(words: list[str], actor: str, year: int | None) -> tuple[list[Fact], list[Question]]:
    """Live facts and questions with every word (in any of their texts), of the actor, in the year."""
    fact_query = db.select(Fact).where(Fact.retired.is_(False))
    question_query = db.select(Question).join(Fact, Question.fact_id == Fact.id).where(Question.retired.is_(False))
    for word in words:
        pattern = _like(word)

        def like(column, pattern=pattern):
            return column.ilike(pattern, escape="\\")

        fact_query = fact_query.where(or_(like(Fact.event), like(Fact.quote), like(db.cast(Fact.causes, db.Text)),
                                          like(db.cast(Fact.consequences, db.Text))))
        question_query = question_query.where(or_(like(Question.prompt), like(db.cast(Question.answer, db.Text)),
                                                  like(Question.explanation)))
    if year is not None:
        # a span ("1970/1973") may take in the year without starting with it: checked below
        fact_query = fact_query.where(or_(Fact.date.like(f"{year}%"), Fact.date.like("%/%")))
        question_query = question_query.where(or_(Fact.date.like(f"{year}%"), Fact.date.like("%/%")))
    fact_query = fact_query.order_by(Fact.date, Fact.id)
    question_query = question_query.order_by(Fact.date, Question.id)

    def keep(fact: Fact) -> bool:
        return (not actor or actor in (fact.actors or [])) and (year is None or fact_year_matches(fact.date, year))

    facts = [f for f in db.session.execute(fact_query).scalars() if keep(f)][:SEARCH_LIMIT]
    questions = [q for q in db.session.execute(question_query).scalars() if keep(q.fact)][:SEARCH_LIMIT]
    return facts, questions

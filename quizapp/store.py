"""Write loaded subjects and their generated banks into the database.

Rows are matched by their stable ids (subject, period and fact slugs, question
uids), so reloading after facts change updates text in place and keeps every
learner's cards and reviews. A fact or question no longer generated is retired,
never deleted. Nothing here commits: the caller does.
"""

from __future__ import annotations

from sqlalchemy import delete, update

from quizapp.curation import lift_changed
from quizapp.facts import Subject as SubjectData
from quizapp.generate import Question as QuestionData
from quizapp.introduction import Item, introduction_order
from quizapp.models import Card, Fact, NewCursor, Period, Question, Subject, db


def store_subject(data: SubjectData, questions: list[QuestionData]) -> dict[str, int]:
    """Upsert one subject and its bank; return counts of added, updated and retired questions."""
    subject = db.session.execute(db.select(Subject).filter_by(slug=data.id)).scalar_one_or_none()
    if subject is None:
        subject = Subject(slug=data.id, title=data.title)
        db.session.add(subject)
    subject.title, subject.attribution = data.title, data.attribution
    db.session.flush()

    periods = {p.slug: p for p in db.session.execute(db.select(Period).filter_by(subject_id=subject.id)).scalars()}
    for position, p in enumerate(data.periods):
        row = periods.get(p.id) or Period(subject_id=subject.id, slug=p.id)
        row.title, row.start_year, row.end_year, row.position = p.title, p.start, p.end, position
        periods[p.id] = row
        db.session.add(row)
    db.session.flush()

    facts = {f.slug: f for f in db.session.execute(db.select(Fact).filter_by(subject_id=subject.id)).scalars()}
    live_facts = set()
    for f in data.facts:
        row = facts.get(f.id) or Fact(subject_id=subject.id, slug=f.id)
        row.period_id = periods[f.period].id
        row.date = f.date.iso if f.date else ""
        row.event, row.actors = f.event, list(f.actors)
        row.causes, row.consequences = list(f.cause_texts), list(f.consequence_texts)
        row.quote, row.tags, row.retired = " … ".join(f.quotes), list(f.tags), False
        facts[f.id] = row
        live_facts.add(f.id)
        db.session.add(row)
    for slug, row in facts.items():
        if slug not in live_facts:
            row.retired = True
    db.session.flush()

    existing = {q.uid: q for q in db.session.execute(db.select(Question).filter_by(subject_id=subject.id)).scalars()}
    counts = {"added": 0, "updated": 0, "retired": 0, "unchanged": 0}
    live, revived, lifted = set(), set(), []
    for q in questions:
        row = existing.get(q.id)
        if row is not None and row.retired:
            revived.add(row.id)
        values = dict(
            period_id=periods[q.period].id, fact_id=facts[q.fact_id].id, kind=q.kind, format=q.format,
            prompt=q.prompt, answer=q.answer, choices=q.choices, explanation=q.explanation,
            quote=q.quote, cloze=q.cloze, accept=q.accept, date=q.date, retired=False,
        )
        if row is None:
            db.session.add(Question(subject_id=subject.id, uid=q.id, **values))
            counts["added"] += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            counts["updated"] += 1
            if row.suspended_at is not None:  # suspended until its fact was fixed: now it has been
                lifted.append(row.id)
        else:
            counts["unchanged"] += 1
        live.add(q.id)
    retired = []
    for uid, row in existing.items():
        if uid not in live and not row.retired:
            row.retired = True
            retired.append(row.id)
            counts["retired"] += 1
    db.session.flush()
    lift_changed(lifted)
    if retired:
        db.session.execute(update(Card).where(Card.question_id.in_(retired)).values(retired=True))
    restart = set()
    if revived:
        db.session.execute(update(Card).where(Card.question_id.in_(revived)).values(retired=False))
        # a question back behind a cursor would be skipped: those cursors start over
        restart |= {row.period_id for row in existing.values() if row.id in revived}
    restart |= place_new_questions(data, questions, subject.id)
    if restart:
        db.session.execute(delete(NewCursor).where(NewCursor.period_id.in_(restart)))
    return counts


def place_new_questions(data: SubjectData, questions: list[QuestionData], subject_id: int) -> set[int]:
    """Write each question's place in its period's order of new cards; return the periods whose order changed."""
    facts = {f.id: (n, f.date.iso if f.date else "") for n, f in enumerate(data.facts)}
    by_period: dict[str, list[Item]] = {}
    for q in questions:
        position, date = facts[q.fact_id]
        by_period.setdefault(q.period, []).append(Item(q.id, q.fact_id, q.kind, date, position))
    places = {uid: n for items in by_period.values() for n, uid in enumerate(introduction_order(items))}
    changed = set()
    rows = db.session.execute(db.select(Question).filter_by(subject_id=subject_id, retired=False)).scalars()
    for row in rows:
        place = places.get(row.uid)
        if place is not None and row.intro != place:
            row.intro = place
            changed.add(row.period_id)
    db.session.flush()
    return changed

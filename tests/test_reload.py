"""Reloading changed facts keeps learners' cards and history; removed facts are retired, not deleted."""

import dataclasses

import sqlalchemy as sa

from quizapp.generate import build_bank
from quizapp.models import Card, Fact, Question, ReviewLog, db
from quizapp.store import store_subject
from tests.test_study import current_card, study


def test_reload_keeps_cards_and_history_and_retires_removed_facts(make_learner, subject):
    user, client = make_learner()
    study(client, 5)
    cards = db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars().all()
    studied = {c.question.fact.slug for c in cards}
    removed = sorted(studied)[0]
    reworded = sorted(studied)[1]
    facts = tuple(dataclasses.replace(f, event=f.event.replace(".", ", as the article says."))
                  if f.id == reworded else f for f in subject.facts if f.id != removed)
    changed = dataclasses.replace(subject, facts=facts)
    counts = store_subject(changed, build_bank(changed, 0))
    db.session.commit()
    assert counts["retired"] > 0 and counts["updated"] > 0

    db.session.expire_all()
    after = db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars().all()
    assert {c.id for c in after} == {c.id for c in cards}
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog)).scalar() == 5
    gone = db.session.execute(sa.select(Fact).filter_by(slug=removed)).scalar_one()
    assert gone.retired
    assert all(q.retired for q in db.session.execute(sa.select(Question).filter_by(fact_id=gone.id)).scalars())
    kept = db.session.execute(sa.select(Fact).filter_by(slug=reworded)).scalar_one()
    assert "as the article says" in kept.event and not kept.retired

    shown = set()
    while (card := current_card(client)) is not None and len(shown) < 40:
        shown.add(card["question"].fact_id)
        study(client, 1)
    assert gone.id not in shown


def test_reloading_restores_a_fact_that_comes_back(app, subject, bank):
    smaller = dataclasses.replace(subject, facts=subject.facts[1:])
    store_subject(smaller, build_bank(smaller, 0))
    db.session.commit()
    first = db.session.execute(sa.select(Fact).filter_by(slug=subject.facts[0].id)).scalar_one()
    assert first.retired
    counts = store_subject(subject, bank)
    db.session.commit()
    assert counts["added"] == 0 and not db.session.get(Fact, first.id).retired

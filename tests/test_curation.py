"""Problem reports, the curator view, suspension out of study and draws, and study statistics (HTTP level)."""

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from quizapp import analysis, create_app
from quizapp.models import Card, ProblemReport, Question, QuizItem, ReviewLog, db
from quizapp.scheduling import State
from quizapp.store import store_subject
from tests.conftest import IsolatedClient, app_config, csrf_from, log_in, post_form
from tests.test_quizzes import compose, create_quiz, period_id, take
from tests.test_study import DECK, answer, current_card, grade


@pytest.fixture
def curator(make_learner):
    return make_learner("curator@example.org", instructor=True)


def a_question(kind="why", period="1947-1966") -> Question:
    return db.session.execute(sa.select(Question).where(Question.kind == kind, Question.retired.is_(False),
                                                        Question.period_id == period_id(period))
                              .order_by(Question.id)).scalars().first()


def report(client, question_id, reason="wrong-answer", comment="The key should be 1953, not 1954.", place="study"):
    return post_form(client, f"/questions/{question_id}/report?from={place}",
                     {"reason": reason, "comment": comment, "next": DECK})


def count(model, **filters):
    return db.session.execute(sa.select(sa.func.count()).select_from(model).filter_by(**filters)).scalar_one()


# Reporting

def test_a_report_reaches_the_curator_view_and_is_resolved_with_what_was_done(curator, make_learner):
    _, learner = make_learner()
    question = a_question()
    response = report(learner, question.id)
    assert response.status_code == 302 and response.location == DECK
    assert "your report was sent" in learner.get(DECK).get_data(as_text=True)
    stored = db.session.execute(sa.select(ProblemReport)).scalar_one()
    assert (stored.question_id, stored.reason, stored.seen_in) == (question.id, "wrong-answer", "study")

    _, teacher = curator
    page = teacher.get("/curate").get_data(as_text=True)
    assert "The key should be 1953, not 1954." in page and question.prompt.replace("'", "&#39;") in page
    assert f"/read/israel-russia?q={question.id}#context" in page  # its place in the reader
    assert f"#{question.fact.slug}" in page  # its fact

    bad = post_form(teacher, f"/curate/questions/{question.id}/resolve", {"resolution": "  "}, page="/curate")
    assert "Say what was done" in teacher.get(bad.location).get_data(as_text=True)
    assert count(ProblemReport, resolved_at=None) == 1
    done = post_form(teacher, f"/curate/questions/{question.id}/resolve",
                     {"resolution": "Fixed the date in the fact file."}, page="/curate")
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(ProblemReport, stored.id)
    assert stored.resolved_at is not None and stored.resolution == "Fixed the date in the fact file."
    page = teacher.get("/curate").get_data(as_text=True)
    assert "No open reports." in page and "Fixed the date in the fact file." in page


@pytest.mark.parametrize("data, message", [
    ({"comment": "Something is off here."}, "Pick what is wrong with the question."),
    ({"reason": "nonsense", "comment": "Something is off here."}, "Not a valid choice"),
    ({"reason": "typo", "comment": "   "}, "Say in a few words what is wrong"),
    ({"reason": "typo", "comment": "x" * 2001}, "between 3 and 2,000 characters"),
])
def test_a_bad_report_gets_a_message_on_the_page(make_learner, data, message):
    _, learner = make_learner()
    question = a_question()
    response = post_form(learner, f"/questions/{question.id}/report", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(ProblemReport) == 0


def test_reporting_needs_an_account_a_live_question_and_a_csrf_token(client, make_learner):
    question = a_question()
    assert client.get(f"/questions/{question.id}/report").status_code == 302  # to the login page
    _, learner = make_learner()
    assert learner.get("/questions/99999999/report").status_code == 404
    refused = learner.post(f"/questions/{question.id}/report", data={"reason": "typo", "comment": "A typo."})
    assert refused.status_code == 400 and count(ProblemReport) == 0
    outside = post_form(learner, f"/questions/{question.id}/report",
                        {"reason": "typo", "comment": "A typo.", "next": "https://evil.example/"})
    assert outside.status_code == 302 and outside.location.startswith("/bank/israel-russia/")


def test_reports_are_rate_limited_per_learner(database_url, subject, bank, clock, make_learner):
    make_learner("fast@example.org")
    limited = create_app(app_config(database_url, CLOCK=clock, RATELIMIT_ENABLED=True,
                                    REPORT_RATE_LIMIT="3 per hour"))
    limited.test_client_class = IsolatedClient
    client = limited.test_client()
    with limited.app_context():
        assert log_in(client, "fast@example.org").status_code == 302
        question = a_question()
        responses = [report(client, question.id, comment=f"Report number {i}.") for i in range(4)]
        assert [r.status_code for r in responses] == [302, 302, 302, 429]
        assert "Please wait a while" in responses[-1].get_data(as_text=True)
        assert responses[-1].headers["Retry-After"]
        db.session.remove()
        db.engine.dispose()  # its own pool: closed here, not left to the garbage collector
    assert count(ProblemReport) == 3


def test_learners_get_403_from_the_curator_view_and_its_actions(make_learner):
    _, learner = make_learner()
    question = a_question()
    token = csrf_from(learner.get("/account").get_data(as_text=True))
    assert learner.get("/curate").status_code == 403
    for action in ("suspend", "lift", "resolve"):
        response = learner.post(f"/curate/questions/{question.id}/{action}",
                                data={"csrf_token": token, "resolution": "x"})
        assert response.status_code == 403
    assert db.session.get(Question, question.id).suspended_at is None


def test_a_quiz_item_is_reported_from_the_review_and_own_items_stay_with_their_instructor(curator, make_learner):
    _, teacher = curator
    quiz = compose(teacher, create_quiz(teacher), draw=2)
    _, learner = make_learner()
    _, stranger = make_learner()
    own_item = next(i for i in quiz.items if i.question_id is None)
    bank_item = next(i for i in quiz.items if i.question_id is not None)
    # before the answers are shown (the attempt is not submitted), nobody else may report its items
    assert learner.get(f"/quiz-items/{own_item.id}/report").status_code == 404
    attempt = take(learner, quiz)
    review = learner.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert f"/quiz-items/{own_item.id}/report" in review and "Read in context" in review
    for item, comment in ((own_item, "Jordan also signed one."), (bank_item, "Two answers look right.")):
        response = post_form(learner, f"/quiz-items/{item.id}/report",
                             {"reason": "two-right", "comment": comment, "next": f"/attempts/{attempt.id}/result"})
        assert response.status_code == 302 and response.location == f"/attempts/{attempt.id}/result"
    stored = {r.quiz_item_id: r for r in db.session.execute(sa.select(ProblemReport)).scalars()}
    assert stored[bank_item.id].question_id == bank_item.question_id and stored[own_item.id].question_id is None
    assert stranger.get(f"/quiz-items/{own_item.id}/report").status_code == 404  # never saw the quiz

    page = teacher.get("/curate").get_data(as_text=True)
    assert "Jordan also signed one." in page and "Two answers look right." in page
    _, other_teacher = make_learner("other@example.org", instructor=True)
    page = other_teacher.get("/curate").get_data(as_text=True)
    assert "Two answers look right." in page and "Jordan also signed one." not in page
    response = post_form(other_teacher, f"/curate/items/{own_item.id}/resolve", {"resolution": "Not mine."},
                         page="/curate")
    assert response.status_code == 404
    assert post_form(teacher, f"/curate/items/{own_item.id}/resolve", {"resolution": "Reworded the question."},
                     page="/curate").status_code == 302
    assert db.session.get(ProblemReport, stored[own_item.id].id).resolution == "Reworded the question."


# Suspension

def test_a_suspended_question_leaves_study_and_comes_back_when_lifted(curator, make_learner, clock):
    user, learner = make_learner()
    card = current_card(learner)
    question = card["question"]
    answer(learner, card, right=False)
    assert grade(learner, card, 1, right=False).status_code == 302  # Again: back after the 10-minute step
    clock.advance(minutes=11)
    assert current_card(learner)["question"].id == question.id

    _, teacher = curator
    assert post_form(teacher, f"/curate/questions/{question.id}/suspend", {}, page="/curate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).suspended_at is not None
    shown = {current_card(learner)["question"].id for _ in range(3)}
    assert question.id not in shown
    # the card and its history are kept
    kept = db.session.execute(sa.select(Card).filter_by(user_id=user.id, question_id=question.id)).scalar_one()
    assert kept.suspended and count(ReviewLog, card_id=kept.id) == 1
    curate = teacher.get("/curate").get_data(as_text=True)
    assert 'id="suspended-list"' in curate and question.prompt.replace("'", "&#39;") in curate
    bank_page = learner.get(f"/bank/israel-russia/{question.period.slug}").get_data(as_text=True)
    assert f'id="q-{question.id}"' in bank_page and "badge-suspended" in bank_page

    assert post_form(teacher, f"/curate/questions/{question.id}/lift", {}, page="/curate").status_code == 302
    assert current_card(learner)["question"].id == question.id


def test_suspended_and_reported_questions_are_marked_in_the_bank_browser_and_never_drawn(curator, make_learner):
    _, teacher = curator
    quiz_id = create_quiz(teacher)
    period = period_id("1947-1966")
    live = db.session.execute(sa.select(Question).where(Question.period_id == period, Question.retired.is_(False),
                                                        Question.format.in_(("choice", "truefalse", "year",
                                                                             "typed")))
                           .order_by(Question.id)).scalars().all()
    suspended = live[0]
    reported = next(q for q in live if q.fact_id != suspended.fact_id)
    # every question of one fact suspended, every question of another reported: neither fact can be drawn
    for q in live:
        if q.fact_id == suspended.fact_id:
            q.suspended_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        elif q.fact_id == reported.fact_id:
            db.session.add(ProblemReport(question_id=q.id, user_id=teacher_id(), reason="typo", comment="typo",
                                         seen_in="bank"))
    db.session.commit()
    page = teacher.get(f"/teach/quizzes/{quiz_id}/bank?period={period}").get_data(as_text=True)
    assert "badge-suspended" in page and "reported (1)" in page
    assert f'value="{suspended.id}" disabled' in page
    response = post_form(teacher, f"/teach/quizzes/{quiz_id}/draw",
                         {"period": str(period), "kind": "any", "count": "100", "seed": "7"},
                         page=f"/teach/quizzes/{quiz_id}")
    assert response.status_code == 302
    drawn = set(db.session.execute(sa.select(Question.fact_id).join(QuizItem, QuizItem.question_id == Question.id)
                                   .where(QuizItem.quiz_id == quiz_id)).scalars())
    facts = {q.fact_id for q in live}
    # every other fact can be drawn (a few are left out for giving another drawn question away), never these two
    assert drawn <= facts - {suspended.fact_id, reported.fact_id} and len(drawn) >= 2 * len(facts) // 3
    # hand-picking a suspended question adds nothing
    post_form(teacher, f"/teach/quizzes/{quiz_id}/bank", {"question": str(suspended.id)},
              page=f"/teach/quizzes/{quiz_id}/bank")
    assert suspended.id not in set(db.session.execute(sa.select(QuizItem.question_id)
                                                      .filter_by(quiz_id=quiz_id)).scalars())


def teacher_id():
    from quizapp.models import User
    return db.session.execute(sa.select(User.id).filter_by(email="curator@example.org")).scalar_one()


def test_a_reload_that_changes_a_suspended_question_lifts_it(curator, make_learner, subject, bank):
    import dataclasses

    from quizapp.generate import build_bank

    question = a_question(kind="when")
    fact = next(f for f in subject.facts if f.id == question.fact.slug)
    user, learner = make_learner()
    db.session.add(Card(user_id=user.id, question_id=question.id, period_id=question.period_id,
                        fact_id=question.fact_id, state=State.Review, step=None, stability=5.0, difficulty=5.0,
                        due=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), last_review=dt.datetime(2026, 2, 20, tzinfo=dt.UTC),
                        suspended=True))
    question.suspended_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    other = a_question(kind="why", period="1967-1991")  # of a fact the change leaves alone
    other.suspended_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    db.session.commit()
    fixed = dataclasses.replace(fact, event=fact.event.rstrip(".") + ", as the article says.")
    changed = dataclasses.replace(subject, facts=tuple(fixed if f.id == fact.id else f for f in subject.facts))
    store_subject(changed, build_bank(changed, 0))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Question, question.id).suspended_at is None
    assert not db.session.execute(sa.select(Card.suspended).filter_by(question_id=question.id)).scalar_one()
    assert db.session.get(Question, other.id).suspended_at is not None  # its fact did not change


# Statistics

def add_reviews(user_id, question, outcomes, responses=None, stability=30.0, days=10):
    """Reviews of one card in the Review state: ``outcomes`` are ratings; FSRS predicts high recall."""
    at = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
    card = Card(user_id=user_id, question_id=question.id, period_id=question.period_id, fact_id=question.fact_id,
                state=State.Review, step=None, stability=stability, difficulty=5.0, due=at, last_review=at)
    db.session.add(card)
    db.session.flush()
    for n, rating in enumerate(outcomes):
        before = at + dt.timedelta(days=n * 20)
        previous = {"state": int(State.Review), "step": None, "stability": stability, "difficulty": 5.0,
                    "due": (before + dt.timedelta(days=days)).isoformat(), "last_review": before.isoformat(),
                    "reps": n + 1}
        db.session.add(ReviewLog(card_id=card.id, user_id=user_id, request_id=uuid.uuid4().hex, rating=rating,
                                 reviewed_at=before + dt.timedelta(days=days),
                                 response=responses[n] if responses else None, correct=rating > 1,
                                 previous=previous))
    db.session.commit()


def test_the_curator_sees_study_questions_with_unusual_statistics(curator, make_learner):
    user, _ = make_learner()
    failed = a_question(kind="why")
    sound = a_question(kind="why", period="1967-1991")
    picked = a_question(kind="who")
    assert picked.format == "choice"
    wrong = next(c for c in picked.choices if c != picked.answer)
    add_reviews(user.id, failed, [1] * 8 + [3] * 4)  # FSRS predicts ~95% recall; 33% recalled
    add_reviews(user.id, sound, [3] * 11 + [1])
    add_reviews(user.id, picked, [1, 1, 1, 1, 3], responses=[wrong, wrong, wrong, wrong, picked.answer])
    _, teacher = curator
    page = teacher.get("/curate").get_data(as_text=True)
    section = page.split('id="unusual-list"')[1].split('id="suspended"')[0]
    assert f'id="u{failed.id}"' in section and "failed far more than FSRS predicts: recalled 33% of 12" in section
    assert f'id="u{picked.id}"' in section and "a wrong choice is picked more often than the key" in section
    assert f'id="u{sound.id}"' not in section
    assert f"/read/israel-russia?q={failed.id}#context" in section


def test_the_curator_sees_quiz_items_that_item_analysis_flags(curator, make_learner):
    _, teacher = curator
    quiz = compose(teacher, create_quiz(teacher, max_attempts="3"), draw=3, custom=[])
    for _ in range(analysis.MIN_ATTEMPTS):  # flags are raised only from this many attempts on
        _, learner = make_learner()
        take(learner, quiz, right=lambda item: False)  # nobody gets anything right: "too hard"
    page = teacher.get("/curate").get_data(as_text=True)
    section = page.split('id="flagged"')[1].split('id="unusual"')[0]
    assert "too hard" in section and f"/teach/quizzes/{quiz.id}/results" in section
    assert "/read/israel-russia?q=" in section

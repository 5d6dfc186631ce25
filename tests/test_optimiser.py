"""FSRS fitted to each learner: the optimiser, its queue, the command that runs it and the account page."""

from __future__ import annotations

import datetime as dt
import math

import fsrs_rs_python as rs
import sqlalchemy as sa

from quizapp import fitting, learning, optimising, scheduling
from quizapp.models import Card, Optimisation, Question, ReviewLog, User, db
from quizapp.scheduling import Rating
from tests.conftest import post_form
from tests.review_logs import LEARNER, generated_log

START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


# --- the core: plain review logs in, parameters out -------------------------------------------------------------

def test_fitting_a_generated_log_lowers_its_log_loss():
    log = generated_log(150, START)
    fit = fitting.fit(log)
    assert fit.fitted and fit.adopted and fit.reviews >= fitting.MIN_REVIEWS
    assert fit.log_loss_after < fit.log_loss_before and fit.rmse_after < fit.rmse_before
    assert fit.parameters != scheduling.DEFAULT_PARAMETERS and len(fit.parameters) == 21
    # the fitted parameters also predict answers they were not fitted on better than the defaults
    later = fitting.training_items(generated_log(150, START, seed=2))
    assert fitting.evaluate(fit.parameters, later)[0] < fitting.evaluate(None, later)[0]
    # and the scheduler accepts them
    assert scheduling.scheduler(0.9, False, fit.parameters).parameters == fit.parameters


def test_a_short_history_keeps_the_defaults_and_says_why():
    log = generated_log(20, START, days=30)
    fit = fitting.fit(log)
    assert not fit.fitted and fit.parameters is None and fit.log_loss_after is None
    assert f"fitting needs {fitting.MIN_REVIEWS}" in fit.message and "default parameters" in fit.message


def test_a_fit_no_better_than_the_parameters_in_use_keeps_them():
    log = generated_log(150, START)
    first = fitting.fit(log)
    again = fitting.fit(log, current=first.parameters)  # the same log again: the fit cannot do better
    assert again.fitted and not again.adopted and again.parameters == first.parameters
    assert again.log_loss_after >= again.log_loss_before and "which stay" in again.message


def test_same_day_answers_are_not_predicted():
    day = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
    log = [fitting.LoggedReview(1, day, 1), fitting.LoggedReview(1, day + dt.timedelta(minutes=10), 3),
           fitting.LoggedReview(1, day + dt.timedelta(days=2), 3)]
    items = fitting.training_items(log)
    assert len(items) == 1 and len(items[0].reviews) == 3


def test_the_guessing_floor_is_the_chance_of_picking_the_right_answer():
    assert fitting.guessing_floor("choice", ["a", "b", "c", "d"]) == 0.25
    assert fitting.guessing_floor("truefalse", ["True", "False"]) == 0.5
    assert fitting.guessing_floor("order", ["a", "b", "c"]) == 1 / 6
    assert fitting.guessing_floor("multi", ["a", "b", "c"]) == 1 / 7
    assert fitting.guessing_floor("short") == fitting.guessing_floor("year", []) == 0.0


def test_a_prediction_is_fsrs_recall_plus_a_right_guess():
    w = scheduling.DEFAULT_PARAMETERS
    recalled = fitting.Item(((3, 0), (3, 5)))
    guessed = fitting.Item(((3, 0), (3, 5)), guess=0.25)
    # FSRS-6: after a first Good the stability is w2; five days later recall is (1 + f * 5 / w2) ** -w20
    factor = 0.9 ** (-1 / w[20]) - 1
    recall = (1 + factor * 5 / w[2]) ** -w[20]
    p, q = fitting.predictions(None, [recalled, guessed])
    assert abs(p - recall) < 1e-5
    assert abs(q - (recall + (1 - recall) * 0.25)) < 1e-5
    # log loss of one right answer predicted at q
    assert abs(fitting.evaluate(None, [guessed])[0] + math.log(q)) < 1e-6


def test_fitting_a_multiple_choice_log_lowers_its_log_loss_with_the_guessing_floor():
    floors = (0.25, 0.5, 0.25, 0.25)  # mostly four-choice questions, some true/false
    log = generated_log(400, START, floors=floors)
    fit = fitting.fit(log)
    assert fit.adopted and fit.log_loss_after < fit.log_loss_before
    items = fitting.training_items(log)
    assert {item.guess for item in items} == {0.25, 0.5}
    # the fit is refined for the floors: it predicts its log, floors included, better than the Rust fit alone
    rust = scheduling.bounded_parameters(rs.FSRS(list(scheduling.DEFAULT_PARAMETERS)).compute_parameters(
        [item.rs() for item in items]))
    assert fit.log_loss_after < fitting.evaluate(rust, items)[0]
    # and answers it was not fitted on better than the defaults
    later = fitting.training_items(generated_log(400, START, seed=4, floors=floors))
    assert fitting.evaluate(fit.parameters, later)[0] < fitting.evaluate(None, later)[0]


def test_higher_retention_costs_more_and_keeps_more():
    points = fitting.workload(None, new_per_day=10, deck_size=300, retentions=(0.75, 0.85, 0.95), days=120)
    assert [p.retention for p in points] == [0.75, 0.85, 0.95]
    assert points[0].reviews_per_day < points[1].reviews_per_day < points[2].reviews_per_day
    assert points[0].memorised < points[2].memorised
    assert fitting.suggested_retention(points) in (0.75, 0.85, 0.95)


# --- the app: the button queues, the command runs ---------------------------------------------------------------

def store_log(user: User, log: list[fitting.LoggedReview]) -> None:
    """Give the learner cards of real questions and the answers of ``log`` as their review log."""
    questions = db.session.execute(sa.select(Question).order_by(Question.id)).scalars().all()
    card_ids = {}
    for n, card_number in enumerate(sorted({r.card_id for r in log})):
        q = questions[n]
        card = Card(user_id=user.id, question_id=q.id, period_id=q.period_id, fact_id=q.fact_id, state=2, step=None,
                    stability=5.0, difficulty=5.0, due=START + dt.timedelta(days=400), last_review=START, reps=1,
                    created_at=START)
        db.session.add(card)
        db.session.flush()
        card_ids[card_number] = card.id
    db.session.execute(sa.insert(ReviewLog), [
        {"card_id": card_ids[r.card_id], "user_id": user.id, "request_id": f"{user.id}-{i}", "rating": r.rating,
         "reviewed_at": r.reviewed_at, "duration_ms": 5000, "response": None, "correct": None, "previous": None}
        for i, r in enumerate(log)])
    db.session.commit()


def runs_of(user: User) -> list[Optimisation]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Optimisation).filter_by(user_id=user.id)).scalars())


def test_optimise_now_only_queues_and_the_command_runs_it(make_learner, runner, clock):
    user, client = make_learner()
    store_log(user, generated_log(150, START))
    page = client.get("/account").get_data(as_text=True)
    assert "Optimise now" in page and "has not run for you yet" in page
    response = post_form(client, "/account/optimise", {}, page="/account")
    assert response.status_code == 302
    [queued] = runs_of(user)
    assert queued.status == "queued" and queued.finished_at is None
    db.session.refresh(user)
    assert user.fsrs_parameters is None  # nothing was fitted inside the request
    page = client.get("/account").get_data(as_text=True)
    assert "is queued" in page and "Optimise now" not in page
    # a second click while it waits queues nothing more
    post_form(client, "/account/optimise", {}, page="/account")
    assert len(runs_of(user)) == 1

    new_card_easy = learning.intervals(user, None, clock())[Rating.Easy]
    clock.advance(minutes=1)
    result = runner.invoke(args=["optimise", "--queued"])
    assert result.exit_code == 0, result.output
    assert user.email in result.output and "log loss" in result.output
    [done] = runs_of(user)
    assert done.status == "done" and done.adopted and done.finished_at == clock()
    assert done.log_loss_after < done.log_loss_before and done.reviews >= fitting.MIN_REVIEWS
    db.session.refresh(user)
    assert user.fsrs_parameters == done.parameters and len(user.fsrs_parameters) == 21
    # the learner's scheduler now uses their parameters: an Easy first answer is scheduled by their own w3
    assert learning.intervals(user, None, clock())[Rating.Easy] != new_card_easy

    page = client.get("/account").get_data(as_text=True)
    assert "your own (fitted)" in page and f"{done.log_loss_before:.4f} before" in page
    assert f"{done.log_loss_after:.4f} fitted" in page and 'class="chart workload"' in page
    assert page.count("<polyline") == 2 and "Optimise now" in page


def test_the_optimiser_reads_each_answer_with_its_questions_guessing_floor(make_learner):
    user, _client = make_learner()
    store_log(user, generated_log(30, START, days=20))
    log = optimising.review_log(user.id)
    assert len(log) == len(generated_log(30, START, days=20))
    floors = {card.id: fitting.guessing_floor(question.format, question.choices) for card, question in
              db.session.execute(sa.select(Card, Question).join(Question, Question.id == Card.question_id)
                                 .where(Card.user_id == user.id))}
    assert {r.guess for r in log} == set(floors.values()) and any(floors.values())
    assert all(r.guess == floors[r.card_id] for r in log)


def test_answers_are_scheduled_with_the_learners_parameters(make_learner, clock):
    user, client = make_learner()
    question = db.session.execute(sa.select(Question).order_by(Question.id)).scalars().first()
    user.fsrs_parameters = list(LEARNER)
    db.session.commit()
    recorded = learning.record_review(user, question, Rating.Easy, clock(), "req-1", 0, fuzz=False)
    db.session.commit()
    # LEARNER's w3 (initial stability after Easy) is 30 days, the default 8.3
    assert recorded.card.stability == LEARNER[3]
    assert recorded.card.due - clock() == dt.timedelta(days=30)


def test_a_short_history_leaves_the_defaults_with_a_message_on_the_page(make_learner, runner):
    user, client = make_learner()
    store_log(user, generated_log(20, START, days=30))
    post_form(client, "/account/optimise", {}, page="/account")
    assert runner.invoke(args=["optimise", "--queued"]).exit_code == 0
    [done] = runs_of(user)
    assert done.status == "done" and not done.adopted and done.log_loss_after is None
    db.session.refresh(user)
    assert user.fsrs_parameters is None
    page = client.get("/account").get_data(as_text=True)
    assert f"fitting needs {fitting.MIN_REVIEWS}" in page and "the defaults" in page
    assert 'class="chart workload"' in page  # the chart, simulated with the defaults


def test_optimise_needs_a_login_and_a_form_token(app, make_learner):
    anonymous = app.test_client()
    response = post_form(anonymous, "/account/optimise", {}, page="/login")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    user, client = make_learner()
    assert client.post("/account/optimise").status_code == 400  # no CSRF token
    assert db.session.execute(sa.select(sa.func.count()).select_from(Optimisation)).scalar_one() == 0


def test_a_learner_sees_only_their_own_fit(make_learner, runner):
    owner, owner_client = make_learner()
    store_log(owner, generated_log(150, START))
    assert runner.invoke(args=["optimise", "--user", owner.email]).exit_code == 0
    other, other_client = make_learner()
    page = other_client.get("/account").get_data(as_text=True)
    assert "has not run for you yet" in page and "log loss" not in page.lower()
    db.session.refresh(other)
    assert other.fsrs_parameters is None
    # queuing is for oneself: the other learner's click queues a run of their own, never the owner's
    post_form(other_client, "/account/optimise", {}, page="/account")
    assert [r.status for r in runs_of(other)] == ["queued"] and [r.status for r in runs_of(owner)] == ["done"]


def test_the_scheduled_command_fits_learners_with_new_answers_once(make_learner, runner, clock):
    studied, _ = make_learner()
    store_log(studied, generated_log(150, START))
    idle, _ = make_learner()
    result = runner.invoke(args=["optimise"])
    assert result.exit_code == 0 and studied.email in result.output and idle.email not in result.output
    assert [r.status for r in runs_of(studied)] == ["done"] and runs_of(idle) == []
    clock.advance(hours=1)
    assert studied.email not in runner.invoke(args=["optimise"]).output  # nothing new since
    assert len(runs_of(studied)) == 1


def test_optimise_for_an_unknown_email_fails_cleanly(app, runner):
    result = runner.invoke(args=["optimise", "--user", "nobody@example.org"])
    assert result.exit_code != 0 and "no account" in result.output


def test_two_runners_never_take_the_same_run(make_learner, clock):
    from quizapp import optimising

    user, _ = make_learner()
    run, new = optimising.enqueue(user.id, clock())
    db.session.commit()
    assert new and optimising.claim(run.id, clock())
    assert not optimising.claim(run.id, clock())  # already running
    clock.advance(hours=2)  # its runner died long ago: it may be taken again
    assert optimising.claim(run.id, clock())

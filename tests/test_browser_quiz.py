"""A learner takes a timed quiz in Chromium: the countdown runs, and the server ends the attempt on time."""

import datetime as dt
import re

import pytest

from quizapp.models import Attempt, Quiz, QuizItem, db, now_utc
from tests.browser import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_learner_takes_a_timed_quiz_and_time_runs_out(live_server, page, app, make_learner):
    app.config["CLOCK"] = now_utc  # the browser counts down on real time
    teacher, _ = make_learner("teacher@example.org", instructor=True)
    make_learner("taker@example.org")
    quiz = Quiz(owner_id=teacher.id, title="Timed quiz", join_code="TIMED234", time_limit_minutes=5,
                max_attempts=1, feedback="submit", pass_mark=50, shuffle_choices=False)
    quiz.items = [
        QuizItem(position=0, format="year", prompt="When did the USSR recognize Israel?", answers=["1948"], points=1),
        QuizItem(position=1, format="choice", prompt="Who was the Soviet representative at the UN in 1947?",
                 choices=["Andrei Gromyko", "Nikolai Bulganin"], answers=["Andrei Gromyko"], points=1),
        QuizItem(position=2, format="truefalse", prompt="Stalin died in 1953.", choices=["True", "False"],
                 answers=["True"], points=1),
    ]
    db.session.add(quiz)
    db.session.commit()

    page.goto(f"{live_server.url}/login?next=/q/TIMED234")
    page.fill("#email", "taker@example.org")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/q/TIMED234")
    page.click("#start")
    page.wait_for_selector("#timer")
    # the start answers with the first question; its address replaces the start's in the address bar
    page.wait_for_url(re.compile(r"/attempts/\d+/1$"))
    first = page.inner_text("#time-left")
    page.wait_for_timeout(1500)
    assert page.inner_text("#time-left") != first and page.inner_text("#time-left").startswith("4:")
    page.fill("#response-0", "1948")
    screenshot(page, "quiz-01-question")
    with page.expect_navigation():
        page.click("#save")
    page.wait_for_url(re.compile(r"/attempts/\d+/2$"))  # the answer came with the next question

    # Two of the three questions answered, then the deadline arrives while the tab is open.
    page.check("input[value='Andrei Gromyko']")
    with page.expect_navigation():
        page.click("#save")
    db.session.commit()
    attempt = db.session.execute(db.select(Attempt)).scalar_one()
    attempt.deadline = now_utc() + dt.timedelta(seconds=2)
    db.session.commit()
    page.wait_for_url(re.compile(r"/attempts/\d+/3$"))
    page.reload()  # fetches question 3 again: nothing is sent twice
    page.wait_for_selector("#result", timeout=15_000)  # the countdown reloads; the server closes the attempt
    screenshot(page, "quiz-02-time-up")
    assert "Time is up" in page.inner_text("main")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.submitted_at is not None and attempt.score == 2 and len(attempt.responses) == 2

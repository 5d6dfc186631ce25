"""An instructor in Chromium: edits an item while a learner's attempt is open (the attempt keeps what it was
shown), sees the right answers marked in the editor, and accepts a typed answer for everyone."""

import re

import pytest
import sqlalchemy as sa

from quizapp.models import Attempt, GradeChange, Quiz, QuizItem, db
from tests.browser import screenshot
from tests.conftest import PASSWORD
from tests.test_instructor_editing import FOOTHOLD, start, submit
from tests.test_quizzes import answer

pytestmark = pytest.mark.browser

GOOD = "rgb(21, 128, 61)"  # --good in app.css


def make_quiz(owner_id: int, code: str, items: list[QuizItem], **settings) -> Quiz:
    quiz = Quiz(owner_id=owner_id, title="The Soviet era", join_code=code, max_attempts=3, feedback="submit",
                pass_mark=50, shuffle_choices=False, **settings)
    quiz.items = items
    db.session.add(quiz)
    db.session.commit()
    return quiz


def log_in(page, base: str, email: str, then: str) -> None:
    page.goto(f"{base}/login?next={then}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}{then}"


def test_instructor_edits_an_item_and_the_open_attempt_keeps_its_version(live_server, page, browser, make_learner):
    teacher, _ = make_learner("teacher@example.org", instructor=True)
    make_learner("taker@example.org")
    quiz = make_quiz(teacher.id, "EDIT2345", [
        QuizItem(position=0, format="choice", prompt="Who was the Soviet representative at the UN in 1947?",
                 choices=["Andrei Gromyko", "Nikolai Bulganin", "Vyacheslav Molotov"], answers=["Andrei Gromyko"]),
        QuizItem(position=1, format="year", prompt="When did the USSR recognize Israel?", answers=["1948"]),
    ])
    item_id = quiz.items[0].id

    log_in(page, live_server.url, "taker@example.org", "/q/EDIT2345")
    page.click("#start")
    assert page.inner_text("#prompt") == "Who was the Soviet representative at the UN in 1947?"
    page.wait_for_url("**/attempts/*/1")  # the start answered with the question, under the question's address
    question_url = page.url

    instructor = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    try:
        log_in(instructor, live_server.url, "teacher@example.org", f"/teach/quizzes/{quiz.id}")
        instructor.click(f"#edit-{item_id} summary")
        instructor.fill(f"#item-{item_id}-prompt", "Who spoke for the USSR at the UN in 1947?")
        instructor.fill(f"#item-{item_id}-answers", "Vyacheslav Molotov")
        with instructor.expect_navigation():
            instructor.click(f"#edit-{item_id} button[type=submit]")
        assert "Question 1 saved" in instructor.inner_text("main")
        assert instructor.inner_text(f"#item-{item_id} .item-prompt") == "Who spoke for the USSR at the UN in 1947?"
        assert instructor.inner_text(f"#item-{item_id} li.correct").endswith("Vyacheslav Molotov")
        screenshot(instructor, "instructor-01-item-edited")
    finally:
        instructor.context.close()

    # the learner's open attempt still shows, and is graded on, the version it started with
    page.goto(question_url)
    assert page.inner_text("#prompt") == "Who was the Soviet representative at the UN in 1947?"
    page.check("input[value='Andrei Gromyko']")
    with page.expect_navigation():
        page.click("#save")
    page.fill("#response-0", "1948")
    with page.expect_navigation():
        page.click("#save")
    with page.expect_navigation():
        page.click("#submit")
    assert page.inner_text("#score") == "2"
    assert "Who was the Soviet representative at the UN in 1947?" in page.inner_text("#answers")
    screenshot(page, "instructor-02-attempt-kept-its-version")
    db.session.commit()  # end the test's read transaction: see what the server wrote
    db.session.expire_all()
    attempt = db.session.execute(sa.select(Attempt)).scalar_one()
    assert (attempt.score, attempt.max_score) == (2, 2)

    # a new attempt is shown the edited item
    page.goto(f"{live_server.url}/q/EDIT2345")
    page.click("#start")
    assert page.inner_text("#prompt") == "Who spoke for the USSR at the UN in 1947?"


def test_right_answers_are_marked_in_the_editor_for_every_format(live_server, page, make_learner):
    teacher, _ = make_learner("teacher@example.org", instructor=True)
    quiz = make_quiz(teacher.id, "MARK2345", [
        QuizItem(position=0, format="choice", prompt="Who?", choices=["Gromyko", "Bulganin"], answers=["Gromyko"]),
        QuizItem(position=1, format="multi", prompt="Which?", choices=["Egypt", "Iraq", "Jordan"],
                 answers=["Egypt", "Iraq"]),
        QuizItem(position=2, format="truefalse", prompt="Stalin died in 1953.", choices=["True", "False"],
                 answers=["True"]),
        QuizItem(position=3, format="short", prompt="Name him.", answers=["Andrei Gromyko", "Gromyko"]),
        QuizItem(position=4, format="year", prompt="When?", answers=["1948"]),
    ])
    log_in(page, live_server.url, "teacher@example.org", f"/teach/quizzes/{quiz.id}")
    screenshot(page, "instructor-03-marks")
    expected = {0: ["Gromyko"], 1: ["Egypt", "Iraq"], 2: ["True"], 3: ["Andrei Gromyko", "Gromyko"], 4: ["1948"]}
    for position, item in enumerate(quiz.items):
        marked = page.locator(f"#item-{item.id} li.correct")
        assert marked.count() == len(expected[position])
        for k in range(marked.count()):
            li = marked.nth(k)
            style = li.evaluate("e => { const s = getComputedStyle(e); "
                                "return [s.color, s.fontWeight, s.borderLeftColor, s.backgroundColor]; }")
            assert style[0] == GOOD and style[1] == "600" and style[2] == GOOD, style
            assert li.locator(".mark").inner_text() == "✓"
        # what a screen reader reads: each right answer announced as such, the wrong ones not
        kind = "Choices" if item.choices else "Accepted answers"
        tree = page.get_by_role("list", name=f"{kind} of question {position + 1}").aria_snapshot()
        for right in expected[position]:
            label = "Right answer" if item.choices else "Accepted answer"
            assert re.search(rf'listitem: "?{label}: {re.escape(right)}"?\n', tree + "\n"), tree
        for wrong in set(item.choices) - set(expected[position]):
            assert re.search(rf'listitem: "?{re.escape(wrong)}"?\n', tree + "\n") and f"answer: {wrong}" not in tree
        wrong_items = page.locator(f"#item-{item.id} .item-choices li:not(.correct)")
        for k in range(wrong_items.count()):
            assert wrong_items.nth(k).evaluate("e => getComputedStyle(e).color") != GOOD


def test_accept_for_everyone_regrades_every_attempt(live_server, page, make_learner):
    teacher, _ = make_learner("teacher@example.org", instructor=True)
    quiz = make_quiz(teacher.id, "ACCEPT23", [
        QuizItem(position=0, format="short", prompt=FOOTHOLD["prompt"], answers=["main Soviet foothold"], points=2),
        QuizItem(position=1, format="year", prompt="When did the USSR recognize Israel?", answers=["1948"]),
    ])
    attempts = []
    for typed in ("main foothold", "main  foothold", "a beachhead"):
        _, learner = make_learner()
        attempt = start(learner, quiz)
        answer(learner, attempt.id, 1, None, value=typed)
        answer(learner, attempt.id, 2, None, value="1948")
        attempts.append(submit(learner, attempt.id))
    assert [a.score for a in attempts] == [1, 1, 1]

    log_in(page, live_server.url, "teacher@example.org", f"/teach/quizzes/{quiz.id}/results")
    row = page.locator(f"#stat-{quiz.items[0].id}")
    assert "main foothold × 2" in row.inner_text() and "a beachhead × 1" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name="Accept “main foothold” for everyone").click()
    assert "2 answer(s) regraded" in page.inner_text("main")
    scores = page.locator("#attempts tbody tr td:nth-child(4)").all_inner_texts()
    assert sorted(scores) == ["1 / 3", "3 / 3", "3 / 3"]
    assert "main foothold" not in page.inner_text(f"#stat-{quiz.items[0].id}")
    screenshot(page, "instructor-04-accepted")
    db.session.commit()  # end the test's read transaction: see what the server wrote
    db.session.expire_all()
    assert [db.session.get(Attempt, a.id).score for a in attempts] == [3, 3, 1]
    reasons = db.session.execute(sa.select(GradeChange.reason)).scalars().all()
    assert reasons == ["Accepted “main foothold” for everyone"] * 2
    page.goto(f"{live_server.url}/teach/attempts/{attempts[0].id}")
    assert re.search(r"0 → 2 — Accepted “main foothold” for everyone", page.inner_text("#changes"))

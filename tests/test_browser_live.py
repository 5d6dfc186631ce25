"""A live class game in Chromium: the presenter's screen and three learners' phones, one joining late
and one reloading in the middle of a question."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.models import Attempt, LiveAnswer, LivePlayer, Quiz, QuizItem, User, db, now_utc
from tests.browser import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{next_path}")


def join_game(page, nickname: str) -> None:
    page.fill("#nickname", nickname)
    with page.expect_navigation():
        page.click("#join-game")
    page.wait_for_selector("#me-name")


def host_click(host, action: str) -> None:
    host.click(f"#btn-{action}")


def test_a_live_game_with_a_presenter_and_three_learners(live_server, browser, app, make_learner):
    app.config["CLOCK"] = now_utc  # the screens count down on real time
    app.config["LIVE_POLL_MS"] = 400
    app.config["LIVE_HOST_POLL_MS"] = 300
    teacher, _ = make_learner("teacher@example.org", instructor=True)
    for email in ("ada@example.org", "bo@example.org", "cy@example.org"):
        make_learner(email)
    quiz = Quiz(owner_id=teacher.id, title="Cold War in class", join_code="CLASS234", max_attempts=1,
                shuffle_choices=True)
    quiz.items = [
        QuizItem(position=0, format="choice", prompt="Who was the Soviet representative at the UN in 1947?",
                 choices=["Andrei Gromyko", "Nikolai Bulganin", "Vyacheslav Molotov"], answers=["Andrei Gromyko"],
                 explanation="Gromyko spoke for the USSR in the Partition debate.", points=1),
        QuizItem(position=1, format="year", prompt="In which year did the USSR recognize Israel?", answers=["1948"],
                 explanation="Three days after the declaration of independence.", points=1),
    ]
    db.session.add(quiz)
    db.session.commit()
    base = live_server.url
    contexts = [browser.new_context(viewport={"width": 1100, "height": 900})] + \
        [browser.new_context(viewport={"width": 400, "height": 800}, is_mobile=True) for _ in range(3)]
    try:
        host, ada, bo, cy = (c.new_page() for c in contexts)
        log_in(host, base, "teacher@example.org", f"/teach/quizzes/{quiz.id}")
        with host.expect_navigation():
            host.click("#run-live")
        host.fill("#seconds", "15")
        with host.expect_navigation():
            host.click("#start-live")
        code = host.inner_text("#game-code").strip()
        assert host.locator("#qr svg").count() == 1 and f"/live/{code}" in host.inner_text("#join-url")

        for page, email, name in ((ada, "ada@example.org", "Ada"), (bo, "bo@example.org", "Bo")):
            log_in(page, base, email, f"/live/{code}")
            join_game(page, name)
        expect(host.locator("#player-count")).to_have_text("2")
        assert sorted(host.locator("#roster li").all_inner_texts()) == ["Ada", "Bo"]
        screenshot(host, "live-01-lobby")

        # Question 1: the question shows everywhere, answers open after "get ready".
        host_click(host, "next")
        ada.wait_for_selector("#q-prompt:has-text('Soviet representative')")
        right = ada.get_by_role("button", name="Andrei Gromyko", exact=True)
        right.wait_for()
        expect(right).to_be_enabled()
        right.click()
        ada.wait_for_selector("#status:has-text('Answer received')")
        expect(host.locator("#answered")).to_have_text("1")
        expect(bo.locator("#answer-form button").first).to_be_enabled()
        bo.reload()  # mid-question: the same question comes back, still to answer
        wrong = bo.get_by_role("button", name="Nikolai Bulganin", exact=True)
        expect(wrong).to_be_enabled()
        screenshot(bo, "live-02-phone-question")
        wrong.click()
        bo.wait_for_selector("#status:has-text('Answer received')")
        host.wait_for_selector("#histogram-panel:not([hidden])")  # all answered: answers close at once
        counts = dict(zip(host.locator("#histogram .label").all_inner_texts(),
                          host.locator("#histogram .n").all_inner_texts(), strict=True))
        assert counts == {"Andrei Gromyko": "1", "Nikolai Bulganin": "1", "Vyacheslav Molotov": "0"}
        host_click(host, "reveal")
        host.wait_for_selector("#reveal-panel:not([hidden])")
        assert "Andrei Gromyko" in host.inner_text("#reveal-answer")
        assert "Partition debate" in host.inner_text("#reveal-explanation")
        screenshot(host, "live-03-reveal")
        ada.wait_for_selector("#feedback:has-text('Right!')")
        bo.wait_for_selector("#feedback:has-text('Not this time')")
        host_click(host, "leaderboard")
        host.wait_for_selector("#leaderboard-panel:not([hidden])")
        assert host.locator("#leaderboard .nickname").all_inner_texts() == ["Ada", "Bo"]
        bo.wait_for_selector("#rank:has-text('2nd of 2')")

        # Question 2: Cy joins late and enters at the current question.
        host_click(host, "next")
        host.wait_for_selector("#q-prompt:has-text('recognize Israel')")
        log_in(cy, base, "cy@example.org", f"/live/{code}")
        join_game(cy, "Cy")
        cy.wait_for_selector("#typed-answer:not([disabled])")
        assert "recognize Israel" in cy.inner_text("#q-prompt")
        cy.fill("#typed-answer", "1948")
        cy.click("#send-answer")
        cy.wait_for_selector("#status:has-text('Answer received')")
        ada.wait_for_selector("#typed-answer:not([disabled])")
        ada.fill("#typed-answer", "1948")
        ada.click("#send-answer")
        bo.wait_for_selector("#typed-answer:not([disabled])")
        bo.fill("#typed-answer", "1950")
        bo.click("#send-answer")
        expect(host.locator("#answered")).to_have_text("3")
        host_click(host, "reveal")
        host.wait_for_selector("#reveal-answer:has-text('1948')")
        host.wait_for_selector("#btn-next:has-text('Finish')")
        host_click(host, "next")
        host.wait_for_selector("#status:has-text('The game has ended')")
        screenshot(host, "live-04-final")

        db.session.commit()
        players = {p.nickname: p for p in db.session.execute(select(LivePlayer)).scalars()}
        totals = {name: sum(a.points for a in db.session.execute(
            select(LiveAnswer).filter_by(player_id=p.id)).scalars()) for name, p in players.items()}
        assert totals["Bo"] == 0 and totals["Ada"] > totals["Cy"] > 0  # Ada was right twice, Cy once
        board = host.locator("#leaderboard li")
        assert host.locator("#leaderboard .nickname").all_inner_texts() == ["Ada", "Cy", "Bo"]
        assert host.locator("#leaderboard .points").all_inner_texts() == [
            str(totals["Ada"]), str(totals["Cy"]), "0"]
        assert board.count() == 3
        for page, rank in ((ada, "1st"), (cy, "2nd"), (bo, "3rd")):
            page.wait_for_selector(f"#rank:has-text('{rank} of 3')")
        cy.wait_for_selector("#result-link:not([hidden])")
        with cy.expect_navigation():
            cy.click("#result-link a")
        assert "/result" in cy.url

        db.session.expire_all()
        scores = {db.session.get(User, a.user_id).email: (a.score, a.max_score, a.submitted_at is not None)
                  for a in db.session.execute(select(Attempt).filter_by(quiz_id=quiz.id)).scalars()}
        assert scores == {"ada@example.org": (2, 2, True), "bo@example.org": (0, 2, True),
                          "cy@example.org": (1, 2, True)}
    finally:
        for context in contexts:
            context.close()

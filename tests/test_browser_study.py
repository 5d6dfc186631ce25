"""A learner in Chromium: register and confirm by mail, study ten cards with the keyboard alone, read the stats."""

import pytest
import sqlalchemy as sa

from quizapp.models import Question, ReviewLog, db
from tests.browser import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def choose_with_keys(page, question, right: bool) -> None:
    """Answer the card on screen using only the keyboard."""
    fmt = page.get_attribute("#card", "data-format")
    if fmt in ("choice", "truefalse"):
        texts = page.locator("#choices button").evaluate_all("buttons => buttons.map(b => b.value)")
        index = texts.index(question.answer) if right else next(i for i, t in enumerate(texts) if t != question.answer)
        page.keyboard.press(str(index + 1))
    elif fmt == "order":
        current = [t.strip() for t in page.locator("#order-list li span").all_inner_texts()]
        target = list(question.answer) if right else current
        focus = 0
        for i, wanted in enumerate(target):
            j = current.index(wanted)
            while focus < j:
                page.keyboard.press("ArrowDown")
                focus += 1
            while focus > j:
                page.keyboard.press("ArrowUp")
                focus -= 1
            for _ in range(j - i):
                page.keyboard.press("Alt+ArrowUp")
            current.insert(i, current.pop(j))
            focus = i
        page.keyboard.press("Enter")
    else:
        page.keyboard.type(question.answer if right else ("1066" if fmt == "year" else "no idea"))
        page.keyboard.press("Enter")


def test_register_study_ten_cards_by_keyboard_and_see_the_stats(live_server, page, app, mailbox):
    page.goto(f"{live_server.url}/register")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'email'")
    page.keyboard.type("keyboard@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Check your inbox")
    screenshot(page, "study-00-check-inbox")
    page.goto(live_server.url + mailbox.link("keyboard@example.org"))  # the link in the mail
    page.wait_for_function("document.activeElement && document.activeElement.id === 'password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert "keyboard@example.org" in page.inner_text("header")
    screenshot(page, "study-01-decks")

    page.goto(f"{live_server.url}/study/israel-russia/1967-1991")
    suggested = []
    for i in range(10):
        page.wait_for_selector("#card")
        question = db.session.get(Question, int(page.input_value("#question_id")))
        right = i % 3 != 1
        choose_with_keys(page, question, right)
        page.wait_for_selector("#grade-form")
        intervals = page.locator(".grades .interval").all_inner_texts()
        assert len(intervals) == 4 and all(intervals)
        suggested.append(page.inner_text("#suggested"))
        assert suggested[-1] == ("Good" if right else "Again"), question.uid
        if i == 0:
            screenshot(page, "study-02-reveal")
        with page.expect_navigation():
            page.keyboard.press(" " if i % 2 else str(3 if right else 1))
    assert set(suggested) == {"Good", "Again"}
    # each grade answered with the next card, under the deck's own address: reloading fetches it, sends nothing
    page.wait_for_url(f"{live_server.url}/study/israel-russia/1967-1991")
    page.reload()
    page.wait_for_selector("#card")
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog)).scalar() == 10

    page.goto(f"{live_server.url}/stats")
    assert page.inner_text("#total-reviews") == "10"
    assert page.inner_text("#reviews-today") == "10"
    screenshot(page, "study-03-stats")

"""A newcomer's first week in Chromium: the landing page's sample question, a first session that mixes every
kind, times in the learner's own zone across their day boundary, and the summary at the end of a session."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from quizapp.models import Card, Fact, Period, Question, User, db
from quizapp.presenting import kind_name
from tests.browser import screenshot
from tests.conftest import PASSWORD
from tests.test_browser_study import choose_with_keys

pytestmark = pytest.mark.browser


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def shown_question(page) -> Question:
    db.session.commit()  # a fresh read transaction: SQLite would otherwise show the snapshot of an earlier one
    return db.session.get(Question, int(page.input_value("#question_id")))


def answer_and_grade(page, right: bool = True, grade: str = "3") -> Question:
    """Answer the card on screen (right or wrong) and grade it; return its question."""
    question = shown_question(page)
    choose_with_keys(page, question, right)
    page.wait_for_selector("#grade-form")
    with page.expect_navigation():
        page.click(f".grades button[value='{grade}']")
    return question


def test_a_visitor_answers_the_sample_question_on_the_landing_page(live_server, page):
    page.goto(live_server.url + "/")
    assert "Register" in page.inner_text("main") and page.locator("a.anki-link").count() >= 1
    assert page.locator("a[href='/decks']").count() >= 1
    question = shown_question(page)
    assert page.inner_text("#prompt") == question.prompt
    assert page.inner_text(".sample .kind") == kind_name(question.kind)
    screenshot(page, "landing-01")
    page.locator("#choices button", has_text=question.answer).first.click()
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict") == "Right."
    assert page.inner_text("#answer") == question.answer
    assert page.locator("#quote").inner_text().strip() == question.quote.strip()
    # the event is in the question already: the answer page does not repeat it
    assert question.fact.event not in page.inner_text("#sample").replace(page.inner_text("#prompt"), "")
    # a second question is one click away, and a wrong answer says so
    with page.expect_navigation():
        page.click("#another")
    other = shown_question(page)
    wrong = next(c for c in other.choices if c != other.answer)
    page.locator("#choices button", has_text=wrong).first.click()
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict") == "Not quite." and page.inner_text("#answer") == other.answer


def test_the_first_twenty_new_cards_of_each_period_hold_every_kind(live_server, page, make_learner):
    user, _ = make_learner("variety@example.org", new_per_day=500)
    log_in(page, live_server.url, user.email)
    periods = db.session.execute(sa.select(Period).order_by(Period.position)).scalars().all()
    for period in periods:
        kinds = set(db.session.execute(sa.select(Question.kind).filter_by(period_id=period.id, retired=False))
                    .scalars())
        facts = db.session.execute(sa.select(sa.func.count(sa.distinct(Question.fact_id))).filter_by(
            period_id=period.id, retired=False)).scalar_one()
        page.goto(f"{live_server.url}/study/israel-russia/{period.slug}")
        # what today can show: one new card per fact, the others buried once a sibling is studied
        assert page.inner_text(".study-head .count-new") == f"{facts} new"
        shown, names = [], []
        for _ in range(20):
            page.wait_for_selector("#card")
            names.append(page.inner_text("#card .kind"))
            shown.append(answer_and_grade(page, right=True, grade="3"))
        assert {q.kind for q in shown} == kinds, period.slug
        assert set(names) == {kind_name(k) for k in kinds}
        assert not any(name.isupper() for name in names)  # "Date", "True or false", never WHEN or TF
        assert len({q.fact_id for q in shown}) == 20  # siblings buried
        dates = [db.session.get(Fact, q.fact_id).date for q in shown]
        dated = [d for d in dates if d]
        out_of_order = sum(1 for a, b in zip(dated, dated[1:], strict=False) if b < a)
        assert out_of_order <= 1, dates  # chronological, but for a kind brought forward
        page.goto(f"{live_server.url}/study/israel-russia/{period.slug}")
        assert page.inner_text(".study-head .count-new") == f"{facts - 20} new"


def test_times_are_local_and_days_turn_at_the_learners_hour(live_server, browser, make_learner, clock):
    # 09:00 UTC on 2 March is 22:00 in Auckland (UTC+13): late on the learner's 2 March
    user, _ = make_learner("kiwi@example.org", new_per_day=1)
    assert user.time_zone is None
    context = browser.new_context(viewport={"width": 1000, "height": 900}, timezone_id="Pacific/Auckland")
    page = context.new_page()
    log_in(page, live_server.url, user.email)
    # the page reports the browser's zone once, then draws itself again, no longer asking: wait for
    # that second drawing to finish, or a navigation started now would be cut short by it
    page.wait_for_function(
        "() => document.readyState === 'complete' && !document.querySelector('script[data-report]')")
    db.session.commit()  # ends the read transaction: see what the server wrote
    assert db.session.get(User, user.id).time_zone == "Pacific/Auckland"

    page.goto(f"{live_server.url}/study/israel-russia/1947-1966")
    question = answer_and_grade(page, grade="3")
    db.session.commit()
    card = db.session.execute(sa.select(Card).filter_by(user_id=user.id, question_id=question.id)).scalar_one()
    # a review due at 02:00 on 3 March would belong to the learner's 2 March (their day turns at 04:00):
    # 17:00 UTC, still 2 March in UTC, is 06:00 on 3 March locally, the learner's next day
    card.due = clock.now + dt.timedelta(hours=8)
    db.session.commit()
    page.goto(f"{live_server.url}/study/israel-russia/1947-1966")
    page.wait_for_selector("#done")
    assert page.inner_text("#next-due") == "The next one is due tomorrow at 06:00 (3 Mar 2026, 06:00)."
    screenshot(page, "first-week-01-done-local")

    clock.advance(hours=5, minutes=30)  # 03:30 locally: before 04:00 it is still the learner's 2 March
    page.goto(f"{live_server.url}/stats")
    assert page.inner_text("#reviews-today") == "1"
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#deck-1947-1966 .count-new") == "0 new"
    clock.advance(hours=1)  # 04:30 on 3 March locally, still 2 March in UTC: a new study day
    page.goto(f"{live_server.url}/stats")
    assert page.inner_text("#reviews-today") == "0" and page.inner_text("#total-reviews") == "1"
    labels = page.locator("#reviews svg rect title").evaluate_all("ts => ts.map(t => t.textContent)")
    assert labels[-1] == "03 Mar: 0" and labels[-2] == "02 Mar: 1"
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#deck-1947-1966 .count-new") == "1 new"
    page.goto(f"{live_server.url}/account")
    assert page.inner_text("#current-zone") == "Pacific/Auckland"
    # a zone that does not exist is refused with a message; a real one is kept
    page.fill("#clk-time_zone", "Mars/Olympus_Mons")
    page.click("#clock button.primary")
    assert "Unknown time zone" in page.inner_text("#clock")
    page.fill("#clk-time_zone", "America/New_York")
    page.select_option("#clk-day_hour", "6")
    with page.expect_navigation():
        page.click("#clock button.primary")
    db.session.commit()  # ends the read transaction: see what the server wrote
    saved = db.session.get(User, user.id)
    assert (saved.time_zone, saved.day_hour) == ("America/New_York", 6)
    context.close()


def test_a_session_ends_with_a_summary_a_streak_and_the_daily_goal(live_server, page, make_learner, clock):
    user, _ = make_learner("summary@example.org", new_per_day=4, time_zone="Europe/Paris")
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/account")
    page.fill("#clk-daily_goal", "6")
    with page.expect_navigation():
        page.click("#clock button.primary")
    assert "saved" in page.inner_text("main")

    deck = f"{live_server.url}/study/israel-russia/1967-1991"
    page.goto(deck)
    for i in range(4):  # day one: four new cards, graded Easy so none comes back today
        answer_and_grade(page, right=i != 1, grade="4")
    page.wait_for_selector("#done")
    assert page.inner_text("#streak") == "Streak: 1 day in a row of study."
    assert "4 of 6 answers today" in page.inner_text("#goal")

    clock.advance(days=1)
    page.goto(deck)
    shown = [answer_and_grade(page, right=i % 2 == 0, grade="4") for i in range(4)]
    page.wait_for_selector("#done")
    screenshot(page, "first-week-02-summary")
    assert page.inner_text("#summary-cards") == "4"
    assert page.inner_text("#summary-right") == "50%"
    assert page.inner_text("#summary-time").endswith("min")
    rows = page.locator("#by-kind tbody tr").all_inner_texts()
    kinds = {}
    for q in shown:
        kinds[kind_name(q.kind)] = kinds.get(kind_name(q.kind), 0) + 1
    assert {r.split("\t")[0]: int(r.split("\t")[1]) for r in rows} == kinds
    assert page.inner_text("#streak") == "Streak: 2 days in a row of study."
    assert page.inner_text("#goal") == "Daily goal: 4 of 6 answers today."
    assert page.inner_text("#next-due").startswith("The next one is due in ")

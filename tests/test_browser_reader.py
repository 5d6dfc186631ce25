"""In Chromium: the source reader's marks and "read in context", search, and a report that reaches the curator
view and takes its question out of study."""

import datetime as dt

import pytest
import sqlalchemy as sa

from quizapp.models import Card, ProblemReport, Question, User, db
from quizapp.scheduling import State
from tests.browser import SCREENSHOTS
from tests.conftest import PASSWORD
from tests.test_browser_study import choose_with_keys
from tests.test_curation import add_reviews

pytestmark = pytest.mark.browser
DECK = "/study/israel-russia/1947-1966"


def log_in(page, url, email, next_path="/"):
    page.goto(f"{url}/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}{next_path}")


def shown_question(page) -> Question:
    page.wait_for_selector("#card")
    return db.session.get(Question, int(page.input_value("#question_id")))


def view_shot(page, name: str) -> None:
    """What the screen shows (not the whole page), for the README."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_reader_marks_every_quote_and_the_answer_page_reads_in_context(live_server, page, browser, app,
                                                                           make_learner, clock):
    user, _ = make_learner("reader@example.org")
    log_in(page, live_server.url, "reader@example.org", DECK)
    question = shown_question(page)
    choose_with_keys(page, question, right=True)
    page.wait_for_selector("#grade-form")
    # some facts already known, some fading, so that the marks show every level
    for q in db.session.execute(sa.select(Question).where(Question.fact_id != question.fact_id)
                                .order_by(Question.id).limit(60)).scalars():
        stability, days = ((300.0, 1), (1.0, 3), (1.0, 20))[q.fact_id % 3]  # one level per fact
        if not db.session.execute(sa.select(Card.id).filter_by(user_id=user.id, question_id=q.id)).first():
            db.session.add(Card(user_id=user.id, question_id=q.id, period_id=q.period_id, fact_id=q.fact_id,
                                state=State.Review, step=None, stability=stability, difficulty=5.0, due=clock.now,
                                last_review=clock.now - dt.timedelta(days=days)))
    db.session.commit()

    page.click("#read-in-context")
    page.wait_for_url(f"{live_server.url}/read/israel-russia?q={question.id}#context")
    context = page.locator("#context")
    assert "focus" in context.get_attribute("class")
    assert context.is_visible() and context.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    note = page.locator(f"details.note[id$='-{question.fact.slug}'][open]").first
    assert question.prompt[:40] in note.inner_text()
    for level in ("k-strong", "k-fading", "k-weak", "k-unseen"):
        assert page.locator(f"a.mark.{level}").count() > 0, level
    view_shot(page, "reader-in-context")

    # keyboard: Tab reaches a mark; Enter opens its fact's note and moves there
    page.goto(f"{live_server.url}/read/israel-russia")
    first_mark = page.locator("a.mark").first
    target = first_mark.get_attribute("data-note")
    first_mark.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('mark')")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.getElementById('{target}').open")
    assert page.evaluate(f"document.activeElement === document.querySelector('#{target} summary')")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, storage_state=page.context.storage_state())
    small = phone.new_page()
    small.goto(f"{live_server.url}/read/israel-russia?q={question.id}#context")
    assert no_sideways_scroll(small)
    assert small.locator("#context").is_visible()
    view_shot(small, "reader-phone")
    phone.close()


def test_search_by_words_actor_and_year_leads_to_the_fact_in_the_source(live_server, page, make_learner):
    make_learner("searcher@example.org")
    log_in(page, live_server.url, "searcher@example.org", "/search")
    page.fill("#search-q", "embassy")
    page.select_option("#search-actor", "soviet-union")
    page.fill("#search-year", "1953")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#facts")
    facts = page.locator("#facts li").all_inner_texts()
    assert any("The Soviet embassy in Israel was attacked." in f for f in facts)
    assert all("1953" in f for f in facts)
    assert page.locator("#questions li").count() > 0
    page.locator("#facts li", has_text="The Soviet embassy in Israel was attacked.").locator("a.in-source").click()
    page.wait_for_url("**/read/israel-russia?f=soviet-embassy-attacked#context")
    assert "focus" in page.locator("#context").get_attribute("class")
    assert page.locator("details.note[id$='-soviet-embassy-attacked'][open]").count() >= 1

    page.goto(page.url.split("/read/")[0] + "/search?year=19x3")
    assert "A year is four digits" in page.inner_text("#search-errors")


def test_a_report_reaches_the_curator_who_suspends_the_question_out_of_study(live_server, page, browser,
                                                                             make_learner):
    make_learner("curator@example.org", instructor=True)
    make_learner("learner@example.org")
    log_in(page, live_server.url, "learner@example.org", DECK)
    question = shown_question(page)
    choose_with_keys(page, question, right=False)
    page.wait_for_selector("#grade-form")
    page.click("#report-problem")
    page.wait_for_selector("#report-form")
    assert question.prompt[:40] in page.inner_text("#reported-prompt")
    page.click("#send-report")  # nothing chosen, nothing written
    page.wait_for_selector("#report-form .errors")
    assert "Pick what is wrong" in page.inner_text("#report-form")
    page.check("input[value=two-right]")
    page.fill("#comment", "Two of the choices say the same thing.")
    page.click("#send-report")
    page.wait_for_url(f"{live_server.url}{DECK}")
    assert "your report was sent" in page.inner_text("main")
    assert shown_question(page).id == question.id  # not graded yet: the same card again

    # and a question whose study statistics disagree with FSRS
    db.session.commit()  # a fresh transaction, after what the server wrote
    odd = db.session.execute(sa.select(Question).where(Question.kind == "why", Question.id != question.id)
                             .order_by(Question.id)).scalars().first()
    add_reviews(db.session.execute(sa.select(User.id).filter_by(email="curator@example.org")).scalar_one(), odd,
                [1] * 8 + [3] * 4)
    curator = browser.new_context(viewport={"width": 1100, "height": 1500})
    teacher = curator.new_page()
    log_in(teacher, live_server.url, "curator@example.org", "/curate")
    group = teacher.locator(f"#q{question.id}")
    assert "Two of the choices say the same thing." in group.inner_text()
    assert group.locator("a", has_text="its place in the reader").count() == 1
    assert teacher.locator(f"#u{odd.id}").count() == 1
    view_shot(teacher, "curator-view")
    group.locator("button.suspend").click()
    teacher.wait_for_selector("#suspended-list li")
    assert "Question suspended" in teacher.inner_text("main")
    group = teacher.locator(f"#q{question.id}")
    group.locator("textarea").fill("Suspended until the fact's wrong answers are rewritten.")
    group.locator("button.resolve").click()
    teacher.wait_for_selector("text=1 report(s) resolved.")
    curator.close()

    page.goto(f"{live_server.url}{DECK}")
    seen = set()
    for _ in range(4):
        q = shown_question(page)
        seen.add(q.id)
        choose_with_keys(page, q, right=True)
        page.wait_for_selector("#grade-form")
        with page.expect_navigation():
            page.keyboard.press(" ")
    assert question.id not in seen
    db.session.commit()  # a fresh transaction sees what the server wrote
    stored = db.session.execute(sa.select(ProblemReport)).scalar_one()
    assert stored.reason == "two-right" and stored.resolution.startswith("Suspended until")

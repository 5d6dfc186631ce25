"""Every page, as a visitor, a learner and an instructor, on a phone (360 x 740): nothing scrolls sideways,
and axe-core finds no serious or critical accessibility violation.

The pages are found, not listed by hand: every GET route without parameters, then a crawl of the
same-origin links each role can follow from them, then the pages that take state to reach (an answer
page, a finished deck, a quiz in progress, a result). A page added later is visited as soon as a link
leads to it.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from quizapp.models import db
from tests.conftest import PASSWORD
from tests.test_quizzes import compose, create_quiz, take
from tests.test_study import study

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SKIP = re.compile(r"\.(apkg|csv|xml|gift|json|svg|png|css|js)$|^/api/|^/static/|/logout$")
MAX_PAGES = 80  # per role: a bound on the crawl, far above what the app has
AXE = Axe()


def pattern(path: str) -> str:
    """Pages that differ only by ids are one page to check: /attempts/7/2 and /attempts/9/3 alike."""
    return re.sub(r"/\d+(?=/|$|\?)", "/N", path)


def parameterless_pages(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and not SKIP.search(rule.rule))


@pytest.fixture
def world(app, make_learner):
    """An instructor with a quiz a learner has taken; the learner has studied; another learner is done."""
    teacher, teacher_client = make_learner("teacher@example.org", instructor=True)
    learner, learner_client = make_learner("learner@example.org")
    make_learner("finished@example.org", new_per_day=0)
    quiz = compose(teacher_client, create_quiz(teacher_client), draw=6)
    take(learner_client, quiz, right=lambda item: item.position % 2 == 0)
    study(learner_client, 12, right=lambda i: i % 4 != 1)
    open_quiz = compose(teacher_client, create_quiz(teacher_client, title="Open quiz", max_attempts=""), draw=3,
                        custom=[])
    started = learner_client.post(f"/q/{open_quiz.join_code}/start",
                                  data={"csrf_token": _csrf(learner_client.get(f"/q/{open_quiz.join_code}"))})
    assert started.status_code == 302 and "/attempts/" in started.location
    db.session.commit()
    return {"quiz": quiz, "open_quiz": open_quiz, "started": started.location}


def _csrf(response) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', response.get_data(as_text=True)).group(1)


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def check_page(page, problems: list[str]) -> None:
    """The page on screen: no sideways scroll at phone width, and no serious or critical axe violation."""
    where = urlsplit(page.url).path
    wide = page.evaluate("""() => {
        const width = Math.min(document.documentElement.clientWidth, window.innerWidth, 360);
        if (document.documentElement.scrollWidth <= width) return null;
        const culprits = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                      (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
        return {scroll: document.documentElement.scrollWidth, width, culprits: culprits.slice(0, 6)};
    }""")
    if wide:
        problems.append(f"{where}: scrolls sideways ({wide['scroll']} px > {wide['width']} px): {wide['culprits']}")
    results = AXE.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
            problems.append(f"{where}: axe {violation['impact']} {violation['id']}: {violation['help']} {targets}")


def crawl(page, base: str, start: list[str], problems: list[str]) -> set[str]:
    """Visit the start pages and every same-origin page linked from them; check each once per pattern."""
    seen_patterns: set[str] = set()
    visited: set[str] = set()
    queue = deque(start)
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        if pattern(path) in seen_patterns or SKIP.search(urlsplit(path).path):
            continue
        seen_patterns.add(pattern(path))
        response = page.goto(base + path)
        visited.add(path)
        if response is None or response.status >= 500:
            problems.append(f"{path}: status {response.status if response else 'none'}")
            continue
        if urlsplit(page.url).netloc != urlsplit(base).netloc:
            continue
        check_page(page, problems)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url, _ = urldefrag(href)
            parts = urlsplit(url)
            if parts.netloc == urlsplit(base).netloc and parts.scheme.startswith("http"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return {pattern(p) for p in visited}


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    return context, context.new_page()


def test_every_page_fits_a_phone_and_passes_axe(browser, live_server, app, world):
    base = live_server.url
    problems: list[str] = []
    quiz, open_quiz = world["quiz"], world["open_quiz"]
    attempt = quiz_attempt(quiz)
    roles = {
        "visitor": (None, ["/", "/decks", "/try", "/login", "/register", "/reset", "/join", "/no-such-page",
                           f"/q/{quiz.join_code}"]),
        "learner": ("learner@example.org", ["/", "/stats", "/account", f"/q/{quiz.join_code}",
                                            f"/attempts/{attempt}/result", world["started"]]),
        "instructor": ("teacher@example.org", ["/teach/", f"/teach/quizzes/{quiz.id}/results",
                                               f"/teach/quizzes/{open_quiz.id}", f"/teach/quizzes/{quiz.id}/settings",
                                               f"/teach/quizzes/{quiz.id}/bank"]),
    }
    covered = {}
    for role, (email, extra) in roles.items():
        context, page = phone_page(browser)
        if email:
            log_in(page, base, email)
        covered[role] = crawl(page, base, parameterless_pages(app) + extra, problems)
        if role == "visitor":
            # the landing page's sample question, answered
            page.goto(base + "/")
            page.locator("#choices button").first.click()
            page.wait_for_selector("#verdict")
            check_page(page, problems)
        if role == "learner":
            page.goto(base + "/study/israel-russia/1967-1991")
            page.wait_for_selector("#card")
            check_page(page, problems)
            answer_on_screen(page)
            page.wait_for_selector("#grade-form")
            check_page(page, problems)
        context.close()
    context, page = phone_page(browser)
    log_in(page, base, "finished@example.org")
    page.goto(base + "/study/israel-russia/all")
    page.wait_for_selector("#done")
    check_page(page, problems)
    context.close()

    assert not problems, "\n".join(problems)
    # the crawl reached the pages each role has
    assert {"/", "/decks", "/try", "/bank/israel-russia/1947-1966"} <= covered["visitor"]
    assert {"/stats", "/account", "/study/israel-russia/all", "/attempts/N/result"} <= covered["learner"]
    assert {"/teach/", "/teach/quizzes/N", "/teach/quizzes/N/results", "/teach/attempts/N"} <= covered["instructor"]


def quiz_attempt(quiz) -> int:
    from quizapp.models import Attempt

    return db.session.execute(db.select(Attempt.id).filter_by(quiz_id=quiz.id).where(
        Attempt.submitted_at.is_not(None))).scalars().first()


def answer_on_screen(page) -> None:
    """Answer whatever card is shown, by clicking or typing."""
    fmt = page.get_attribute("#card", "data-format")
    if fmt in ("choice", "truefalse"):
        page.locator("#choices button").first.click()
    elif fmt == "order":
        page.click("#submit-order")
    else:
        page.fill("#response-0", "1950" if fmt == "year" else "something")
        page.keyboard.press("Enter")

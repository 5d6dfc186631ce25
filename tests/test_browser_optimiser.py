"""A learner in Chromium asks for their memory model to be fitted, and reads the fit and the workload chart."""

import pytest

from quizapp.models import Optimisation, db
from tests.browser import screenshot
from tests.conftest import PASSWORD
from tests.review_logs import generated_log
from tests.test_optimiser import START, store_log

pytestmark = pytest.mark.browser


def test_optimise_now_then_read_the_fit_and_the_chart(live_server, page, make_learner, runner):
    user, _ = make_learner("fitted@example.org")
    store_log(user, generated_log(150, START))
    page.goto(f"{live_server.url}/login?next=/account")
    page.fill("#email", "fitted@example.org")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your memory model")
    page.click("button:has-text('Optimise now')")
    page.wait_for_selector("text=fit your parameters in the background")
    assert page.locator("#fsrs [role=status]").inner_text().startswith("An optimiser run is queued")
    db.session.expire_all()
    assert db.session.execute(db.select(Optimisation.status)).scalars().all() == ["queued"]

    assert runner.invoke(args=["optimise", "--queued"]).exit_code == 0
    page.reload()
    panel = page.locator("#fsrs")
    assert "your own (fitted)" in panel.inner_text() and "fitted" in panel.locator("dl.fit").inner_text()
    assert page.locator("svg.workload polyline").count() == 2
    assert page.locator("table.workload tbody tr").count() == 10
    screenshot(page, "account-fsrs")

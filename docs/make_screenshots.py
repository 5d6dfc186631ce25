"""Take the README's screenshots: the landing page, a question, its answer page, a session's summary.

Run from the project folder: .venv/bin/python docs/make_screenshots.py
A fresh SQLite database in a temporary folder gets the real bank and one learner; the app is served on a
free loopback port and Debian's Chromium (through Playwright) writes docs/screenshots/*.png.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.facts import load_subject
from quizapp.generate import build_bank
from quizapp.models import Question, User, db
from quizapp.store import store_subject

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"
START = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the script moves, so the pictures do not depend on when they are taken."""

    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp())
    clock = Clock()
    app = create_app({"TESTING": True, "SECRET_KEY": "screenshots", "SQLALCHEMY_DATABASE_URI":
                      f"sqlite:///{folder / 'quizapp.db'}", "RATELIMIT_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": "memory://", "MAIL_BACKEND": "console", "FSRS_FUZZ": False,
                      "CLOCK": clock})
    with app.app_context():
        upgrade()
        subject = load_subject(ROOT / "questions" / "israel-russia")
        store_subject(subject, build_bank(subject, seed=0))
        user = User(email="ada@example.org", new_per_day=6, time_zone="Europe/London", daily_goal=20)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            shoot(browser, base, app)
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def shoot(browser, base: str, app) -> None:
    desktop = browser.new_context(viewport={"width": 1000, "height": 800}, timezone_id="Europe/London")
    page = desktop.new_page()
    page.goto(base + "/")
    page.screenshot(path=str(OUT / "landing.png"), full_page=True)
    phone = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                timezone_id="Europe/London")
    phone_page = phone.new_page()
    phone_page.goto(base + "/")
    phone_page.screenshot(path=str(OUT / "landing-phone.png"))

    page.goto(base + "/login")
    page.fill("#email", "ada@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(base + "/study/israel-russia/1947-1966")
    with app.app_context():  # a question with choices makes the clearer picture
        while page.get_attribute("#card", "data-format") not in ("choice",):
            answer(page, app)
    page.screenshot(path=str(OUT / "question.png"))
    with app.app_context():
        question = db.session.get(Question, int(page.input_value("#question_id")))
        page.locator("#choices button", has_text=question.answer).first.click()
    page.wait_for_selector("#grade-form")
    page.screenshot(path=str(OUT / "answer.png"))
    with page.expect_navigation():
        page.click(".grades button[value='4']")
    while page.locator("#done").count() == 0:
        answer(page, app)
    page.screenshot(path=str(OUT / "summary.png"), full_page=True)
    desktop.close()
    phone.close()


def answer(page, app) -> None:
    """Answer the card on screen rightly and grade it Easy, so that the deck is done for the day."""
    with app.app_context():
        question = db.session.get(Question, int(page.input_value("#question_id")))
        fmt = page.get_attribute("#card", "data-format")
        if fmt in ("choice", "truefalse"):
            page.locator("#choices button", has_text=question.answer).first.click()
        elif fmt == "order":
            page.click("#submit-order")
        else:
            page.fill("#response-0", question.answer)
            page.keyboard.press("Enter")
    page.wait_for_selector("#grade-form")
    with page.expect_navigation():
        page.click(".grades button[value='4']")


if __name__ == "__main__":
    main()

"""Fixtures: one migrated database per run, the real bank loaded once, user data wiped per test.

``DATABASE_URL=postgresql+psycopg://...`` runs everything on PostgreSQL in a fresh
schema made for this run (and dropped after it); otherwise a SQLite file is used.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import email
import email.policy
import os
import re
import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from quizapp import create_app
from quizapp.facts import load_subject
from quizapp.generate import build_bank
from quizapp.models import Question, User, db
from quizapp.store import store_subject

ROOT = Path(__file__).resolve().parent.parent
SUBJECT_DIR = ROOT / "questions" / "israel-russia"
BANK_TABLES = ("question", "fact", "period", "subject")


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}"


@pytest.fixture(scope="session")
def subject():
    return load_subject(SUBJECT_DIR)


@pytest.fixture(scope="session")
def bank(subject):
    return build_bank(subject, seed=0)


def make_database_url(tmp_path_factory, name: str) -> tuple[str, callable]:
    """A fresh empty database: a SQLite file, or a new PostgreSQL schema. Returns (url, drop)."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgresql"):
        schema = f"t_{name}_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options=-csearch_path%3D{schema}"

        def drop():
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()

        return url, drop
    path = tmp_path_factory.mktemp(name) / "quizapp.db"
    return f"sqlite:///{path}", lambda: None


REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Mailbox:
    """What a real SMTP server (aiosmtpd, on a free loopback port) has received, for tests to read."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self.controller is not None:
            return
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
        self.controller.start()

    @property
    def port(self) -> int:
        if self.controller is None:
            self.start()
        return self.controller.port

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def link(self, address: str) -> str:
        """The first link in the latest message to ``address``, as a path."""
        body = self.to(address)[-1].get_content()
        url = re.search(r"https?://\S+", body).group(0)
        return "/" + url.split("://", 1)[1].split("/", 1)[1]


MAILBOX = Mailbox()


@pytest.fixture(scope="session", autouse=True)
def smtp_server():
    """The run's SMTP server: every app of the tests sends its mail there."""
    MAILBOX.start()
    yield MAILBOX
    MAILBOX.controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.messages.clear()
    return smtp_server


def app_config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        # shared storage as in production, under keys of this app alone
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "THROTTLE_NAMESPACE": f"test-{uuid.uuid4().hex}",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": MAILBOX.port,
        "PUBLIC_URL": "http://localhost",
        "FSRS_FUZZ": False,
        "QUESTIONS_DIR": str(ROOT / "questions"),
        **extra,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, subject, bank):
    """The run's database, migrated to head with the real bank loaded."""
    url, drop = make_database_url(tmp_path_factory, "run")
    app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        store_subject(subject, bank)
        db.session.commit()
        db.engine.dispose()
    yield url
    drop()


def wipe_user_data(subject, bank) -> None:
    """Delete everything but the real bank, and restore the bank if a test changed it."""
    meta = db.metadata
    for table in reversed(meta.sorted_tables):
        if table.name not in BANK_TABLES:
            db.session.execute(table.delete())
    others = db.session.execute(sa.text("SELECT id FROM subject WHERE slug != :s"), {"s": subject.id}).scalars().all()
    for sid in others:
        for name in BANK_TABLES[:-1]:
            db.session.execute(sa.text(f"DELETE FROM {name} WHERE subject_id = :i"), {"i": sid})
        db.session.execute(sa.text("DELETE FROM subject WHERE id = :i"), {"i": sid})
    # a curator's suspension is set on the bank's own rows, and a reload lifts it only from questions
    # whose text changed: lift every one, or a question a test suspended stays out of later tests' study
    db.session.execute(sa.update(Question).where(Question.suspended_at.is_not(None)).values(suspended_at=None))
    counts = store_subject(subject, bank)
    assert counts["added"] == 0, "a test deleted questions of the real bank"
    db.session.commit()


class Clock:
    """A frozen UTC clock the app reads through ``CLOCK``; tests move it."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server would, not in the test's app context.

    Otherwise the request reuses the test's context and its ``g`` (the logged-in user, the CSRF
    token) leaks from one client to another. The test's own session commits before each request
    and ends its transaction after, so each side sees what the other wrote.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def app(database_url, subject, bank, clock):
    app = create_app(app_config(database_url, CLOCK=clock))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.rollback()
        wipe_user_data(subject, bank)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    """Submit a form the way a browser does: fetch the page for its CSRF token, then post."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(html), **data}, **kwargs)


PASSWORD = "correct horse battery"


def log_in(client, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


@pytest.fixture
def make_learner(app):
    """Create accounts and return a client logged in as each; the app fixture wipes them afterwards."""
    counter = iter(range(1, 1000))

    def make(email: str | None = None, instructor: bool = False, **settings):
        email = email or f"learner{next(counter)}@example.org"
        user = User(email=email, is_instructor=instructor, **settings)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        assert log_in(client, email).status_code == 302
        return user, client

    return make


@pytest.fixture
def live_server(app):
    from tests.browser import LiveServer

    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser import require_chromium

    path = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    yield page
    context.close()

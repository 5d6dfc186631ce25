"""Two app servers, one database: gunicorn twice (gunicorn.conf.py, different ports) against one PostgreSQL
schema and the Redis at 127.0.0.1:6379, and one learner whose requests alternate between them, as behind a
load balancer without sticky sessions. The session, sign-in throttling, study answers and a quiz attempt
behave as on one server.

Runs on PostgreSQL: the run's database when DATABASE_URL names one, else (under CI=true, where a skip
is a failure) a schema of its own on the PostgreSQL at 127.0.0.1:5432.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from quizapp import create_app
from quizapp.models import Attempt, Question, Quiz, Response, ReviewLog, User, db
from quizapp.store import store_subject
from quizapp.views.compose import item_from_question
from tests.conftest import PASSWORD, REDIS_URL, app_config, wipe_user_data

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CI_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres(tmp_path_factory, subject, bank, request):
    """(URL, app) of a PostgreSQL database with the bank loaded; user data wiped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith("postgresql"):
        url = request.getfixturevalue("database_url")
    elif os.environ.get("CI") == "true":
        schema = f"t_two_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(CI_POSTGRES)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{CI_POSTGRES}?options=-csearch_path%3D{schema}"

        def drop():
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()
    else:
        pytest.skip("two app servers share one PostgreSQL: set DATABASE_URL=postgresql+psycopg://...")
    app = create_app(app_config(url))
    with app.app_context():
        if drop is not None:
            upgrade()
            store_subject(subject, bank)
            db.session.commit()
        yield url, app
        db.session.rollback()
        wipe_user_data(subject, bank)
        db.session.remove()
        db.engine.dispose()
    if drop is not None:
        drop()


@contextlib.contextmanager
def gunicorn(url: str, namespace: str, log_path: Path):
    """One app server with `make serve`'s configuration on a free loopback port; yields the port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "shared-by-every-server",
           "QUIZAPP_BIND": f"127.0.0.1:{port}", "QUIZAPP_WORKERS": "2", "QUIZAPP_SESSION_COOKIE_SECURE": "false",
           "QUIZAPP_RATELIMIT_STORAGE_URI": REDIS_URL, "QUIZAPP_THROTTLE_NAMESPACE": namespace,
           "QUIZAPP_FSRS_FUZZ": "false", "QUIZAPP_MAIL_BACKEND": "console"}
    log = open(log_path, "w")
    process = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "quizapp:create_app()"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


class Browser:
    """One learner's browser behind a round-robin load balancer: each request goes to the next server."""

    def __init__(self, ports: list[int]):
        self.ports, self.turn, self.cookies, self.served_by = ports, 0, {}, []

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        self.served_by.append(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        page = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        conn.close()
        return response.status, response.headers.get("Location", ""), page


def csrf_of(page: str) -> str:
    return html.unescape(re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1))


def hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def log_in(browser: Browser, email: str, password: str = PASSWORD) -> int:
    status, _, page = browser.request("GET", "/login")
    assert status == 200
    status, _, _ = browser.request("POST", "/login", {"csrf_token": csrf_of(page), "email": email,
                                                        "password": password})
    return status


@pytest.fixture
def two_servers(postgres, tmp_path):
    url, app = postgres
    namespace = f"test-two-{uuid.uuid4().hex}"
    with gunicorn(url, namespace, tmp_path / "a.log") as a, gunicorn(url, namespace, tmp_path / "b.log") as b:
        yield app, [a, b]


def add_learner(email: str, **fields) -> User:
    user = User(email=email, **fields)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def test_one_learner_alternating_between_two_servers_is_served_as_by_one(two_servers):
    app, ports = two_servers
    learner = add_learner("two@example.org")
    browser = Browser(ports)

    # the session: logged in through one server (with the other's CSRF token), known to both
    assert log_in(browser, "two@example.org") == 302
    for _ in ports:
        status, _, page = browser.request("GET", "/")
        assert status == 200 and "two@example.org" in page

    # study: the card shown by one server is answered and graded through the other, once
    deck = "/study/israel-russia/1947-1966"
    status, _, page = browser.request("GET", deck)
    assert status == 200
    form = {"csrf_token": csrf_of(page), "question_id": hidden(page, "question_id"),
            "token": hidden(page, "token"), "response-0": "1948", "elapsed_ms": "4000"}
    status, _, reveal = browser.request("POST", f"{deck}/answer", form)
    assert status == 200 and 'id="suggested"' in reveal
    grade = {**form, "rating": "3"}
    status, location, _ = browser.request("POST", f"{deck}/review", grade)
    assert status == 302 and location.endswith(deck)
    status, _, page = browser.request("POST", f"{deck}/review", grade)  # sent again, through the other server
    assert status == 302
    status, _, page = browser.request("GET", deck)
    assert "already recorded" in page
    db.session.expire_all()
    logs = db.session.execute(sa.select(ReviewLog).filter_by(user_id=learner.id)).scalars().all()
    assert len(logs) == 1 and logs[0].request_id == form["token"] and logs[0].rating == 3

    # a quiz attempt: started on one server, answered across both, submitted and read back
    teacher = add_learner("two-teacher@example.org", is_instructor=True)
    questions = db.session.execute(sa.select(Question).where(Question.format == "choice")
                                   .order_by(Question.id).limit(3)).scalars().all()
    quiz = Quiz(owner_id=teacher.id, title="Two servers", join_code="TWOSRV", max_attempts=1, feedback="submit")
    quiz.items = [item_from_question(q, i) for i, q in enumerate(questions)]
    db.session.add(quiz)
    db.session.commit()
    status, _, page = browser.request("GET", "/q/TWOSRV")
    assert status == 200 and "Start the quiz" in page
    csrf = csrf_of(page)
    status, location, _ = browser.request("POST", "/q/TWOSRV/start", {"csrf_token": csrf})
    assert status == 302 and location.endswith("/1")
    attempt_path = location.rsplit("/", 1)[0].split("127.0.0.1", 1)[-1].split(":", 1)[-1]
    attempt_path = attempt_path[attempt_path.index("/"):]
    status, again, _ = browser.request("POST", "/q/TWOSRV/start", {"csrf_token": csrf})  # the other server resumes
    assert status == 302 and again == location
    for n in range(1, len(questions) + 1):
        status, _, page = browser.request("GET", f"{attempt_path}/{n}")
        assert status == 200
        choice = html.unescape(re.search(r'name="response-0" value="([^"]*)"', page).group(1))
        status, _, _ = browser.request("POST", f"{attempt_path}/{n}", {"csrf_token": csrf, "response-0": choice})
        assert status == 302
    status, location, _ = browser.request("POST", f"{attempt_path}/submit", {"csrf_token": csrf})
    assert status == 302 and location.endswith("/result")
    status, _, page = browser.request("GET", f"{attempt_path}/result")
    assert status == 200 and "/ 3" in page
    db.session.expire_all()
    attempts = db.session.execute(sa.select(Attempt).filter_by(quiz_id=quiz.id)).scalars().all()
    assert len(attempts) == 1 and attempts[0].submitted_at is not None
    assert db.session.execute(sa.select(sa.func.count()).select_from(Response)
                              .filter_by(attempt_id=attempts[0].id)).scalar_one() == 3

    # logging out through one server ends the session on both
    status, _, page = browser.request("GET", "/")
    status, _, _ = browser.request("POST", "/logout", {"csrf_token": csrf_of(page)})
    assert status == 302
    for _ in ports:
        status, _, page = browser.request("GET", "/join")
        assert status == 302  # to the log-in page
    assert set(browser.served_by) == set(ports)


def test_sign_in_throttling_is_counted_across_both_servers(two_servers):
    app, ports = two_servers
    add_learner("guessed@example.org")
    browser = Browser(ports)
    free = app.config["ACCOUNT_FREE_FAILURES"]
    for _ in range(free + 1):  # alternating servers: the free failures, then one that starts the delay
        assert log_in(browser, "guessed@example.org", "wrong password entirely") == 400
    status, _, page = browser.request("GET", "/login")
    status, _, page = browser.request("POST", "/login", {"csrf_token": csrf_of(page), "email": "guessed@example.org",
                                                          "password": PASSWORD})
    assert status == 429  # even the right password waits, whichever server is asked
    time.sleep(1.2)
    assert log_in(browser, "guessed@example.org") == 302

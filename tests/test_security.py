"""Attacks an outsider would try, each expected to fail."""

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from quizapp import create_app
from quizapp.generate import build_bank
from quizapp.models import ReviewLog, User, db
from quizapp.store import store_subject
from tests.conftest import PASSWORD, app_config, csrf_from, log_in

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TOKEN_ONLY = {"api.issue_token"}  # takes credentials in its body; no cookie is involved


def test_every_state_changing_route_demands_a_csrf_token(app, make_learner):
    user, client = make_learner(instructor=True)
    before = db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog)).scalar()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.methods & {"POST", "PUT", "PATCH", "DELETE"} or rule.endpoint in TOKEN_ONLY:
            continue
        url = re.sub(r"<(?:int:)?\w+>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule)
        response = client.post(url, data={"rating": "3"}, json=None)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "CSRF" in response.get_data(as_text=True)
        checked += 1
    assert checked >= 20
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog)).scalar() == before
    db.session.refresh(user)
    assert user.is_instructor


def test_api_token_requests_need_no_csrf_but_session_requests_do(make_learner, app):
    user, browser = make_learner()
    card = browser.get("/api/v1/decks/israel-russia/all/next").json
    body = {"question_id": card["question"]["id"], "token": card["token"], "response": "1948"}
    refused = browser.post("/api/v1/decks/israel-russia/all/answers", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.json["message"]
    api = app.test_client()
    token = api.post("/api/v1/token", json={"email": user.email, "password": PASSWORD}).json["token"]
    response = api.post("/api/v1/decks/israel-russia/all/answers", json=body,
                        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201


def test_passwords_are_hashed_with_argon2id(make_learner):
    user, _ = make_learner()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_login_is_throttled_after_repeated_failures(database_url, clock):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute",
                                CLOCK=clock))
    client = app.test_client()
    responses = []
    for _ in range(7):
        html = client.get("/login").get_data(as_text=True)
        responses.append(client.post("/login", data={"csrf_token": csrf_from(html), "email": "x@example.org",
                                                     "password": "guess"}))
    assert [r.status_code for r in responses] == [400] * 5 + [429, 429]
    assert "Too many failed sign-ins" in responses[-1].get_data(as_text=True)
    assert 1 <= int(responses[-1].headers["Retry-After"]) <= 61
    with app.app_context():
        db.engine.dispose()


def test_session_cookie_flags(make_learner, database_url, monkeypatch):
    _, client = make_learner()
    response = log_in(client, "learner1@example.org")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    monkeypatch.delenv("QUIZAPP_SESSION_COOKIE_SECURE", raising=False)
    production = create_app({"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": database_url})
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    with production.app_context():
        db.engine.dispose()


def test_the_app_refuses_to_start_without_a_secret_key_outside_development(monkeypatch, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("QUIZAPP_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url})


def test_security_headers_and_a_csp_without_inline_script(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=", text), template  # no inline event handlers
        assert "style=" not in text, template


def test_fact_text_with_markup_is_shown_as_text(app, client, subject, make_learner):
    evil = "<script>alert('x')</script>"
    facts = (dataclasses.replace(subject.facts[0], event=f"Gromyko {evil} declared support.", cloze=None),
             *subject.facts[1:])
    changed = dataclasses.replace(subject, facts=facts)
    store_subject(changed, build_bank(changed, 0))
    db.session.commit()
    _, learner = make_learner()
    html = learner.get("/bank/israel-russia/1947-1966").get_data(as_text=True)
    assert evil not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert evil not in learner.get("/").get_data(as_text=True)


def test_instructor_text_is_escaped_for_learners(make_learner):
    from tests.test_quizzes import create_quiz

    _, teacher = make_learner("t@example.org", instructor=True)
    quiz_id = create_quiz(teacher, title="<img src=x onerror=alert(1)>")
    html = teacher.get(f"/teach/quizzes/{quiz_id}").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_open_redirects_after_login_are_refused(client, make_learner, target):
    make_learner("ada@example.org")
    html = client.get(f"/login?next={target}").get_data(as_text=True)
    response = client.post(f"/login?next={target}", data={"csrf_token": csrf_from(html),
                                                           "email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


def test_a_local_next_is_followed(client, make_learner):
    make_learner("ada@example.org")
    html = client.get("/login?next=/stats").get_data(as_text=True)
    response = client.post("/login?next=/stats", data={"csrf_token": csrf_from(html), "email": "ada@example.org",
                                                       "password": PASSWORD})
    assert response.location == "/stats"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_a_busy_timeout_and_normal_sync(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings; this leg runs PostgreSQL")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(ReviewLog(card_id=10**9, user_id=10**9, request_id="orphan", rating=3,
                                 reviewed_at=dt.datetime.now(dt.UTC),
                                 previous=None))
        db.session.commit()
    db.session.rollback()


def test_a_wrong_sqlite_synchronous_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        create_app(app_config(f"sqlite:///{tmp_path / 'x.db'}", SQLITE_SYNCHRONOUS="sometimes"))


def test_users_cannot_see_each_others_accounts(make_learner):
    ada, ada_client = make_learner()
    bob, _ = make_learner()
    assert bob.email not in ada_client.get("/account").get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 2

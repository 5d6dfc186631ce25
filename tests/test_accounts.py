"""Accounts under attack: sessions that end, named API tokens, throttled guessing, no enumeration,
mail through a real SMTP server, and passwords and addresses that cannot be abused."""

from __future__ import annotations

import concurrent.futures
import functools
import re
import statistics
import time

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from quizapp import create_app
from quizapp.models import ApiToken, User, db, hash_password
from tests.conftest import PASSWORD, IsolatedClient, app_config, csrf_from, log_in, post_form

NEW_PASSWORD = "another fine password"


@functools.cache
def password_hash(password: str) -> str:
    return hash_password(password)


def add_account(email: str, password: str = PASSWORD, **fields) -> User:
    """A confirmed account, made directly."""
    user = User(email=email, password_hash=password_hash(password), **fields)
    db.session.add(user)
    db.session.commit()
    return user


def count(model, **filters) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model).filter_by(**filters)).scalar_one()


def api_token(client, email: str, password: str = PASSWORD, **body):
    return client.post("/api/v1/token", json={"email": email, "password": password, **body})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def issue_on_page(client, name: str, password: str = PASSWORD):
    return post_form(client, "/account/token", {"tk-name": name, "tk-password": password}, page="/account")


def change_password(client, current: str = PASSWORD, new: str = NEW_PASSWORD):
    return post_form(client, "/account", {"pw-current": current, "pw-password": new, "pw-confirm": new,
                                          "pw-submit": "1"})


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def client_with_cookie(app, name: str, value: str) -> FlaskClient:
    """A fresh browser that replays one stolen cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


@pytest.fixture
def limited_app(app, database_url, clock):
    """The app with its rate limits and sign-in delays on, kept in Redis as in production
    (under keys of its own); the ``app`` fixture wipes the accounts afterwards."""
    limited = create_app(app_config(database_url, RATELIMIT_ENABLED=True, CLOCK=clock))
    limited.test_client_class = IsolatedClient
    yield limited
    with limited.app_context():
        db.engine.dispose()


# Sessions end on the server (log out, password change, reset)

def test_logout_ends_the_session_and_the_remember_cookie_on_the_server(app):
    add_account("ada@example.org")
    browser = app.test_client()
    assert post_form(browser, "/login", {"email": "ada@example.org", "password": PASSWORD,
                                         "remember": "y"}).status_code == 302
    stolen_session, stolen_remember = cookie(browser, "session"), cookie(browser, "remember_token")
    assert stolen_session and stolen_remember
    html = browser.get("/account").get_data(as_text=True)
    assert browser.post("/logout", data={"csrf_token": csrf_from(html)}).status_code == 302
    assert not logged_in(browser)
    assert not logged_in(client_with_cookie(app, "session", stolen_session))
    assert not logged_in(client_with_cookie(app, "remember_token", stolen_remember))
    assert log_in(app.test_client(), "ada@example.org").status_code == 302  # a new login works


def test_changing_the_password_ends_every_other_session_remember_cookie_and_token(app):
    add_account("ada@example.org")
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop, "ada@example.org").status_code == 302
    assert post_form(phone, "/login", {"email": "ada@example.org", "password": PASSWORD,
                                       "remember": "y"}).status_code == 302
    remember = client_with_cookie(app, "remember_token", cookie(phone, "remember_token"))
    assert logged_in(remember)
    token = api_token(app.test_client(), "ada@example.org").json["token"]
    assert app.test_client().get("/api/v1/stats", headers=bearer(token)).status_code == 200

    assert change_password(laptop).status_code == 302

    assert logged_in(laptop)  # the session that changed it goes on
    assert not logged_in(phone) and not logged_in(remember)
    assert app.test_client().get("/api/v1/stats", headers=bearer(token)).status_code == 401
    assert count(ApiToken) == 0


def test_a_password_change_keeps_this_browsers_remember_cookie(app):
    add_account("ada@example.org")
    browser = app.test_client()
    post_form(browser, "/login", {"email": "ada@example.org", "password": PASSWORD, "remember": "y"})
    assert change_password(browser).status_code == 302
    assert logged_in(client_with_cookie(app, "remember_token", cookie(browser, "remember_token")))


def test_a_password_reset_ends_every_session_and_token(app, mailbox):
    add_account("ada@example.org")
    thief = app.test_client()
    assert log_in(thief, "ada@example.org").status_code == 302
    token = api_token(app.test_client(), "ada@example.org").json["token"]
    owner = app.test_client()
    post_form(owner, "/reset", {"email": "ada@example.org"})
    link = mailbox.link("ada@example.org")
    assert post_form(owner, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert logged_in(owner) and not logged_in(thief)
    assert app.test_client().get("/api/v1/stats", headers=bearer(token)).status_code == 401
    assert log_in(app.test_client(), "ada@example.org", NEW_PASSWORD).status_code == 302


# API tokens: named, listed, revoked one by one, shown once, issued after the password

def test_api_tokens_are_named_listed_with_times_and_revoked_one_by_one(app, clock):
    add_account("ada@example.org")
    browser = app.test_client()
    log_in(browser, "ada@example.org")
    phone = issue_on_page(browser, "phone")
    assert phone.status_code == 200
    phone_token = re.search(r'<pre id="api-token">([^<]+)</pre>', phone.get_data(as_text=True)).group(1)
    clock.advance(minutes=5)
    script_token = api_token(app.test_client(), "ada@example.org", name="grading script").json["token"]
    clock.advance(minutes=5)
    assert app.test_client().get("/api/v1/stats", headers=bearer(phone_token)).status_code == 200

    html = browser.get("/account").get_data(as_text=True)
    assert phone_token not in html and script_token not in html  # shown once
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", html)
    assert rows == [("grading script", "2 Mar 2026, 09:05", "never"),
                    ("phone", "2 Mar 2026, 09:00", "now")]

    phone_id = db.session.execute(sa.select(ApiToken.id).filter_by(name="phone")).scalar_one()
    assert post_form(browser, f"/account/tokens/{phone_id}/revoke", {}, page="/account").status_code == 302
    assert app.test_client().get("/api/v1/stats", headers=bearer(phone_token)).status_code == 401
    assert app.test_client().get("/api/v1/stats", headers=bearer(script_token)).status_code == 200


def test_another_accounts_token_cannot_be_revoked(app):
    add_account("ada@example.org")
    bob = add_account("bob@example.org")
    token = api_token(app.test_client(), "ada@example.org").json["token"]
    ada_token_id = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    browser = app.test_client()
    log_in(browser, bob.email)
    assert post_form(browser, f"/account/tokens/{ada_token_id}/revoke", {}, page="/account").status_code == 404
    assert app.test_client().get("/api/v1/stats", headers=bearer(token)).status_code == 200


def test_issuing_a_token_asks_for_the_password_again(app):
    add_account("ada@example.org")
    stolen_session = app.test_client()
    log_in(stolen_session, "ada@example.org")
    without = post_form(stolen_session, "/account/token", {"tk-name": "mine"}, page="/account")
    wrong = issue_on_page(stolen_session, "mine", "a guessed password")
    assert without.status_code == wrong.status_code == 400
    assert "The password is wrong" in wrong.get_data(as_text=True)
    assert 'id="api-token"' not in without.get_data(as_text=True) + wrong.get_data(as_text=True)
    assert count(ApiToken) == 0


def test_a_token_of_the_same_name_replaces_the_old_one_and_tokens_are_capped(app):
    add_account("ada@example.org")
    api = app.test_client()
    first = api_token(api, "ada@example.org").json["token"]
    second = api_token(api, "ada@example.org").json["token"]
    assert api.get("/api/v1/stats", headers=bearer(first)).status_code == 401
    assert api.get("/api/v1/stats", headers=bearer(second)).status_code == 200
    for i in range(19):
        assert api_token(api, "ada@example.org", name=f"device {i}").status_code == 200
    refused = api_token(api, "ada@example.org", name="one too many")
    assert refused.status_code == 409 and "revoke one" in refused.json["message"]
    assert api_token(api, "ada@example.org", name="\x07bell").status_code == 400


def test_bearer_auth_is_one_indexed_lookup(app):
    """The API finds the caller of a token by its digest's unique index, in one statement."""
    add_account("ada@example.org")
    token = api_token(app.test_client(), "ada@example.org").json["token"]
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get("/api/v1/stats", headers=bearer(token)).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    lookups = [s for s in statements if "api_token" in s and s.lstrip().upper().startswith("SELECT")]
    assert len(lookups) == 1 and "digest" in lookups[0]
    assert {ix["column_names"][0] for ix in sa.inspect(db.engine).get_unique_constraints("api_token")} >= {"digest"}


# Throttling: shared, strict per account, loose per address

def test_sixty_learners_log_in_from_one_address_within_a_minute(limited_app):
    """A class behind one school address: every login is admitted, typos included."""
    for i in range(60):
        add_account(f"pupil{i}@example.org")
    statuses = []
    for i in range(60):
        pupil = limited_app.test_client()
        if i % 6 == 0:  # one in six mistypes first
            assert log_in(pupil, f"pupil{i}@example.org", "wrong password").status_code == 400
        statuses.append(log_in(pupil, f"pupil{i}@example.org").status_code)
    assert statuses == [302] * 60


def test_guessing_one_accounts_password_meets_a_growing_delay(limited_app):
    add_account("ada@example.org")
    attacker = limited_app.test_client()
    for _ in range(6):  # five free failures, and the sixth is checked but starts the delay
        assert log_in(attacker, "ada@example.org", "guess").status_code == 400
    waited = []
    for _ in range(2):
        refused = log_in(attacker, "ada@example.org", PASSWORD)  # even the right password waits
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        waited.append(wait)
        time.sleep(wait + 0.1)
        assert log_in(attacker, "ada@example.org", "guess").status_code == 400
    assert waited == [1, 2]
    assert "try again in" in log_in(attacker, "ada@example.org").get_data(as_text=True)


def test_unknown_addresses_are_throttled_like_existing_ones(limited_app):
    attacker = limited_app.test_client()
    statuses = [log_in(attacker, "nobody@example.org", "guess").status_code for _ in range(7)]
    assert statuses == [400] * 6 + [429]


def test_guesses_at_one_account_from_many_addresses_are_delayed_too(limited_app):
    add_account("ada@example.org")
    statuses = []
    for i in range(22):
        botnet = limited_app.test_client()
        botnet.environ_base["REMOTE_ADDR"] = f"203.0.113.{i + 1}"
        statuses.append(log_in(botnet, "ada@example.org", "guess").status_code)
    assert statuses == [400] * 21 + [429]


def test_parallel_guesses_cannot_slip_past_the_account_limit(limited_app):
    add_account("ada@example.org")

    def guess(i):
        client = FlaskClient(limited_app, use_cookies=False)
        return api_token(client, "ada@example.org", f"guess {i}").status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(guess, range(16)))
    assert statuses.count(401) <= 6 and statuses.count(429) >= 10
    assert set(statuses) <= {401, 429}


def test_api_token_guesses_are_throttled_with_retry_after(limited_app):
    add_account("ada@example.org")
    api = limited_app.test_client()
    statuses = [api_token(api, "ada@example.org", "guess").status_code for _ in range(7)]
    assert statuses == [401] * 6 + [429]
    refused = api_token(api, "ada@example.org")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json["error"] == "Too Many Requests"


def test_failed_sign_ins_per_address_are_counted_across_workers(app, database_url, clock):
    """Two app processes (gunicorn workers, or servers) share one count in Redis."""
    config = app_config(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute", CLOCK=clock)
    workers = [create_app(config), create_app(config)]
    statuses = []
    for i in range(6):
        worker = workers[i % 2].test_client()
        statuses.append(log_in(worker, f"someone{i}@example.org", "guess").status_code)
    assert statuses == [400] * 5 + [429]
    api = workers[0].test_client()
    refused = api.post("/api/v1/token", json={"email": "other@example.org", "password": "guess"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()


def test_sign_in_goes_on_while_redis_is_unreachable(app, database_url, clock, caplog):
    """Each process then counts alone, in memory; nobody is locked out and nothing is a 500."""
    from quizapp.security import limiter

    add_account("ada@example.org")
    with socket_closed_port() as port:
        cut_off = create_app(app_config(database_url, RATELIMIT_ENABLED=True, CLOCK=clock,
                                        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0"))
        try:
            browser = cut_off.test_client()
            assert log_in(browser, "ada@example.org", "guess").status_code == 400
            assert log_in(browser, "ada@example.org").status_code == 302
        finally:
            limiter._storage_dead = False  # the extension is one object for every app of the test run
            with cut_off.app_context():
                db.engine.dispose()
    assert "throttle storage unavailable" in caplog.text


def test_registration_is_limited_per_address(limited_app):
    browser = limited_app.test_client()
    statuses = [post_form(browser, "/register", {"email": f"bot{i}@example.org", "password": PASSWORD,
                                                 "confirm": PASSWORD}).status_code for i in range(31)]
    assert statuses == [200] * 30 + [429]
    assert count(User) == 30


# Enumeration: the same answer and the same work for every address

def test_register_answers_the_same_for_new_and_existing_addresses(app, mailbox):
    ada = add_account("ada@example.org")
    old_hash = ada.password_hash
    pages = {}
    for email in ("ada@example.org", "newcomer@example.org"):
        response = post_form(app.test_client(), "/register", {"email": email, "password": NEW_PASSWORD,
                                                               "confirm": NEW_PASSWORD})
        pages[email] = (response.status_code, response.get_data(as_text=True).replace(email, "EMAIL"))
    assert pages["ada@example.org"] == pages["newcomer@example.org"]
    assert pages["ada@example.org"][0] == 200 and "Check your inbox" in pages["ada@example.org"][1]
    db.session.refresh(ada)
    assert ada.password_hash == old_hash and count(User, email="ada@example.org") == 1
    assert "already has an" in mailbox.to("ada@example.org")[0].get_content()
    assert "/confirm/" in mailbox.to("newcomer@example.org")[0].get_content()


def test_the_token_endpoint_does_the_same_work_for_unknown_addresses(app):
    add_account("ada@example.org")
    api = app.test_client()

    def median_time(email):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            response = api_token(api, email, "wrong password")
            times.append(time.perf_counter() - start)
            assert response.status_code == 401 and response.json["message"] == "Wrong email or password."
        return statistics.median(times)

    median_time("ada@example.org")  # warm up
    known, unknown = median_time("ada@example.org"), median_time("nobody@example.org")
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_the_login_page_answers_the_same_for_unknown_addresses(app):
    add_account("ada@example.org")
    answers = set()
    for email in ("ada@example.org", "nobody@example.org"):
        response = log_in(app.test_client(), email, "wrong password")
        text = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)).replace(email, "EMAIL")
        answers.add((response.status_code, text))
    assert len(answers) == 1


# Registration confirmed by mail; password reset by mail

def test_registration_is_confirmed_through_the_emailed_link(app, mailbox):
    browser = app.test_client()
    response = post_form(browser, "/register", {"email": "Ada@Example.org", "password": PASSWORD,
                                                "confirm": PASSWORD})
    assert response.status_code == 200 and "ada@example.org" in response.get_data(as_text=True)
    assert not logged_in(browser)
    early = log_in(browser, "ada@example.org")
    assert early.status_code == 400 and "Confirm your address first" in early.get_data(as_text=True)
    assert app.test_client().post("/api/v1/token", json={"email": "ada@example.org",
                                                         "password": PASSWORD}).status_code == 403
    message = mailbox.to("ada@example.org")[0]
    assert message["Subject"] == "Confirm your quizapp address" and message["From"].endswith("@localhost>")
    link = mailbox.link("ada@example.org")
    assert link.startswith("/confirm/")
    assert post_form(browser, link, {"password": PASSWORD}).status_code == 302
    assert logged_in(browser)
    again = app.test_client().get(link)
    assert again.status_code == 302 and again.location.endswith("/login")


def test_a_squatter_cannot_take_an_address_they_do_not_read(app, mailbox):
    """Registering someone else's address first gets the squatter nothing: confirming takes the
    link (the inbox) and the password chosen last (the person who registered)."""
    squatter, owner = app.test_client(), app.test_client()
    post_form(squatter, "/register", {"email": "ada@example.org", "password": "squatter's password",
                                      "confirm": "squatter's password"})
    first_link = mailbox.link("ada@example.org")
    post_form(owner, "/register", {"email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD})
    owners_link = mailbox.link("ada@example.org")
    assert owner.get(first_link).status_code == 400  # the earlier link died with its password
    refused = post_form(owner, owners_link, {"password": "squatter's password"})
    assert refused.status_code == 400 and "not the password" in refused.get_data(as_text=True)
    assert post_form(owner, owners_link, {"password": PASSWORD}).status_code == 302
    assert log_in(squatter, "ada@example.org", "squatter's password").status_code == 400


def test_password_reset_links_are_signed_single_use_and_expiring(app, mailbox, database_url, clock):
    add_account("ada@example.org")
    browser = app.test_client()
    page = post_form(browser, "/reset", {"email": "ada@example.org"})
    assert page.status_code == 200 and "Check your inbox" in page.get_data(as_text=True)
    link = mailbox.link("ada@example.org")
    assert link.startswith("/reset/")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert browser.get(forged).status_code == 400
    assert post_form(browser, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert log_in(app.test_client(), "ada@example.org", NEW_PASSWORD).status_code == 302
    used = app.test_client().get(link)
    assert used.status_code == 400 and "no longer works" in used.get_data(as_text=True)

    quick = create_app(app_config(database_url, RESET_LINK_MAX_AGE=1, CLOCK=clock))
    post_form(quick.test_client(), "/reset", {"email": "ada@example.org"})
    time.sleep(2.1)
    assert quick.test_client().get(mailbox.link("ada@example.org")).status_code == 400
    with quick.app_context():
        db.engine.dispose()


def test_reset_answers_the_same_for_unknown_addresses(app, mailbox):
    add_account("ada@example.org")
    pages = set()
    for email in ("ada@example.org", "nobody@example.org"):
        response = post_form(app.test_client(), "/reset", {"email": email})
        pages.add((response.status_code, response.get_data(as_text=True).replace(email, "EMAIL")))
    assert len(pages) == 1
    assert "/reset/" in mailbox.to("ada@example.org")[0].get_content()
    assert "no account" in mailbox.to("nobody@example.org")[0].get_content()


def test_reset_links_point_at_the_public_address_whatever_the_host_header(app, mailbox):
    add_account("ada@example.org")
    attacker = app.test_client()
    html = attacker.get("/reset", headers={"Host": "evil.example"}).get_data(as_text=True)
    page = attacker.post("/reset", data={"csrf_token": csrf_from(html), "email": "ada@example.org"},
                         headers={"Host": "evil.example"})
    assert page.status_code == 200
    body = mailbox.to("ada@example.org")[0].get_content()
    assert "http://localhost/reset/" in body and "evil.example" not in body


def test_no_one_can_flood_an_inbox(limited_app, mailbox):
    add_account("ada@example.org")
    for _ in range(8):
        page = post_form(limited_app.test_client(), "/reset", {"email": "ada@example.org"})
        assert page.status_code == 200
    assert len(mailbox.to("ada@example.org")) == 5


def test_an_unreachable_mail_server_is_no_500(app, database_url, clock, caplog):
    with socket_closed_port() as port:
        broken = create_app(app_config(database_url, MAIL_PORT=port, CLOCK=clock))
        response = post_form(broken.test_client(), "/register", {"email": "ada@example.org", "password": PASSWORD,
                                                                 "confirm": PASSWORD})
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    assert "mail to ada@example.org not sent" in caplog.text
    with broken.app_context():
        db.engine.dispose()


class socket_closed_port:
    """A loopback port that nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc):
        return False


# Passwords and addresses

@pytest.mark.parametrize("password, message", [
    ("12345678", "too easy to guess"),
    ("password", "too easy to guess"),
    ("qwertyuiop", "too easy to guess"),
    ("ada@example.org", "may not be your email address"),
    ("ADA@EXAMPLE.ORG", "may not be your email address"),
])
def test_common_passwords_and_the_email_are_refused(client, password, message):
    response = post_form(client, "/register", {"email": "ada@example.org", "password": password,
                                               "confirm": password})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(User) == 0


def test_a_new_password_is_checked_on_change_and_reset(app, mailbox):
    add_account("ada@example.org")
    browser = app.test_client()
    log_in(browser, "ada@example.org")
    refused = change_password(browser, new="password1")
    assert refused.status_code == 400 and "too easy to guess" in refused.get_data(as_text=True)
    post_form(app.test_client(), "/reset", {"email": "ada@example.org"})
    link = mailbox.link("ada@example.org")
    refused = post_form(app.test_client(), link, {"password": "ada@example.org", "confirm": "ada@example.org"})
    assert refused.status_code == 400 and "may not be your email address" in refused.get_data(as_text=True)


@pytest.mark.parametrize("email, message", [
    ("ada\u202e@example.org", "unsafe characters"),  # RIGHT-TO-LEFT OVERRIDE
    ("\u200fada@example.org", "unsafe characters"),  # RIGHT-TO-LEFT MARK
    ("ada\u200b@example.org", "unsafe characters"),  # ZERO WIDTH SPACE
    ("ada\x07@example.org", "invalid characters"),  # BEL
    ("\u0430da@example.org", "alphabets"),  # Cyrillic a among Latin letters
    ("ada@ex\u0430mple.org", "alphabets"),
    ("\u0430\u0441\u0435@example.org", "alphabets"),  # Cyrillic letters that spell "ace"
])
def test_addresses_with_direction_controls_control_characters_or_look_alike_letters_are_refused(
        client, email, message):
    response = post_form(client, "/register", {"email": email, "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400 and message in response.get_data(as_text=True), email
    assert count(User) == 0


def test_addresses_are_normalised_and_other_alphabets_welcome(client, mailbox):
    for email in ("\uff41\uff44\uff41@Example.ORG", "\u0438\u0432\u0430\u043d@example.org"):  # full-width ada; иван
        response = post_form(client, "/register", {"email": email, "password": PASSWORD, "confirm": PASSWORD})
        assert response.status_code == 200, email
    assert sorted(db.session.execute(sa.select(User.email)).scalars()) == ["ada@example.org",
                                                                          "\u0438\u0432\u0430\u043d@example.org"]
    assert len(mailbox.to("\u0438\u0432\u0430\u043d@example.org")) == 1

"""Passwords are hashed with argon2id at OWASP's parameters; hashes made before (werkzeug's scrypt) are
made again with argon2id when their owners next sign in, and keep working until then."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import extract_parameters
from werkzeug.security import generate_password_hash

from quizapp import accounts
from quizapp.models import User, db, hash_password
from tests.conftest import PASSWORD, log_in, post_form


def add_account_with_hash(email: str, password_hash: str) -> User:
    user = User(email=email, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def stored_hash(email: str) -> str:
    db.session.expire_all()
    return db.session.execute(sa.select(User.password_hash).filter_by(email=email)).scalar_one()


def test_new_hashes_are_argon2id_at_owasp_s_minimum():
    stored = hash_password(PASSWORD)
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19 * 1024, 2, 1)
    assert hash_password(PASSWORD) != stored  # salted


def test_an_old_scrypt_hash_is_upgraded_when_its_owner_logs_in(app):
    old = generate_password_hash(PASSWORD, method="scrypt")
    add_account_with_hash("old@example.org", old)
    client = app.test_client()
    response = log_in(client, "old@example.org", "not the password at all")
    assert response.status_code == 400 and stored_hash("old@example.org") == old  # a wrong password changes nothing
    response = log_in(client, "old@example.org")
    assert response.status_code == 302
    upgraded = stored_hash("old@example.org")
    assert upgraded.startswith("$argon2id$") and PASSWORD not in upgraded
    # the same password keeps working, now against the new hash, which is not made again
    other = app.test_client()
    assert log_in(other, "old@example.org").status_code == 302
    assert stored_hash("old@example.org") == upgraded
    assert log_in(app.test_client(), "old@example.org", "wrong horse battery").status_code == 400


def test_an_old_hash_is_upgraded_through_the_api_token_endpoint(app):
    add_account_with_hash("api-old@example.org", generate_password_hash(PASSWORD, method="scrypt"))
    client = app.test_client()
    response = client.post("/api/v1/token", json={"email": "api-old@example.org", "password": PASSWORD})
    assert response.status_code == 200 and response.json["token"]
    assert stored_hash("api-old@example.org").startswith("$argon2id$")


def test_a_hash_with_weaker_argon2_parameters_is_made_again(app):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    add_account_with_hash("weak@example.org", weak)
    assert log_in(app.test_client(), "weak@example.org").status_code == 302
    assert extract_parameters(stored_hash("weak@example.org")).memory_cost == 19 * 1024


def test_an_unknown_address_is_checked_against_an_argon2id_decoy(app):
    assert accounts._decoy_hash().startswith("$argon2id$")
    assert accounts.verify_password(None, PASSWORD) is False
    client = app.test_client()
    response = post_form(client, "/login", {"email": "nobody@example.org", "password": PASSWORD})
    assert response.status_code == 400 and "Wrong email or password." in response.get_data(as_text=True)


def test_a_garbled_hash_refuses_every_password(app):
    add_account_with_hash("garbled@example.org", "$argon2id$not-a-hash")
    assert log_in(app.test_client(), "garbled@example.org").status_code == 400

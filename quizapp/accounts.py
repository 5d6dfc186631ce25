"""Account lifecycle: sessions that end on the server, named API tokens, emailed links.

Nothing here commits: the views do, after calling these.

- Sessions and "keep me logged in" cookies carry ``<user id>:<session generation>``; raising
  the generation (log out, password change or reset) ends every one of them at its next request.
- API tokens are named, listed and revoked one by one; only a SHA-256 digest is kept, found
  through a unique index in the one statement that authenticates an API call.
- Confirmation and reset links are signed (itsdangerous, with the secret key), expire, and
  carry a fingerprint of the password hash, so that a link dies once the password changes:
  a reset link works once.
- Checking a password costs the same for an unknown address as for a known one.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam

from quizapp import credentials
from quizapp.models import ApiToken, User, db, hash_is_outdated, hash_password, password_matches

MAX_TOKENS = 20
TOKEN_NAME_LENGTH = 100
LAST_USE_PRECISION = dt.timedelta(minutes=1)  # an API call records its use at most this often
CONFIRM, RESET = "confirm-email", "reset-password"

# what the study logic reads of a learner (learning.Learner), and which token was used, as one row
LEARNER_BY_TOKEN = (
    db.select(User.id, User.new_per_day, User.desired_retention, User.fsrs_parameters, User.time_zone, User.day_hour,
              ApiToken.id.label("token_id"),
              ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"))
)
TOUCH_TOKEN = (
    db.update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"),
           (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < bindparam("stale")))
    .values(last_used_at=bindparam("now"))
)


def find_user(email: str) -> User | None:
    """The account with this (normalised) address."""
    return db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def verify_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; an unknown account (None) takes the same argon2 work."""
    if not credentials.is_text(password):  # a lone surrogate from JSON: no password has one
        password = ""
        user = None
    if user is None:
        password_matches(_decoy_hash(), password)
        return False
    return user.check_password(password)


def hash_needs_upgrade(user: User) -> bool:
    """The account's hash was made the old way (werkzeug's scrypt) or with weaker parameters."""
    return hash_is_outdated(user.password_hash)


def upgrade_hash(user: User, password: str) -> None:
    """After ``password`` was found right: hash it again with argon2id if the stored hash is outdated
    (the caller commits)."""
    if hash_needs_upgrade(user):
        user.set_password(password)


def end_sessions(user: User) -> None:
    """End every session and remember cookie of ``user`` (log in again to get a new one)."""
    user.session_generation += 1


def end_everything(user: User) -> None:
    """After a password change or reset: end every session, remember cookie and API token."""
    end_sessions(user)
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def check_token_name(name: object) -> str:
    """A token name as kept, or ``ValueError``: 1-100 characters of text without control characters."""
    if not isinstance(name, str):
        raise ValueError("'name' must be a string.")
    name = name.strip()
    if not 1 <= len(name) <= TOKEN_NAME_LENGTH:
        raise ValueError(f"Give the token a name of 1 to {TOKEN_NAME_LENGTH} characters.")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in name):
        raise ValueError("A token name may not contain control characters.")
    return name


def issue_token(user_id: int, name: str, now: dt.datetime) -> str:
    """A new token named ``name`` for ``user_id``; it replaces a token of the same name.
    ``ValueError`` when the account already has ``MAX_TOKENS`` others."""
    same = db.session.execute(db.select(ApiToken).filter_by(user_id=user_id, name=name)).scalar_one_or_none()
    if same is not None:
        db.session.delete(same)
        db.session.flush()
    else:
        count = db.session.execute(db.select(db.func.count()).select_from(ApiToken)
                                   .filter_by(user_id=user_id)).scalar_one()
        if count >= MAX_TOKENS:
            raise ValueError(f"An account may have {MAX_TOKENS} API tokens; revoke one first.")
    secret = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user_id, name=name, digest=_digest(secret), created_at=now))
    return secret


def tokens_of(user_id: int) -> list[ApiToken]:
    """An account's API tokens, newest first."""
    return list(db.session.execute(db.select(ApiToken).filter_by(user_id=user_id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars())


def revoke_token(user_id: int, token_id: int) -> bool:
    """Delete one of ``user_id``'s tokens; False if it has no such token."""
    result = db.session.execute(db.delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    return result.rowcount == 1


def learner_by_token(secret: str):
    """The row (id, new_per_day, desired_retention, fsrs_parameters, token_id, last_used_at) of the token's owner,
    or None."""
    return db.session.execute(LEARNER_BY_TOKEN, {"digest": _digest(secret)}).one_or_none()


def token_is_stale(last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USE_PRECISION


def touch_token(token_id: int, now: dt.datetime) -> None:
    """Record that the token was used now (unless a parallel call just did)."""
    db.session.execute(TOUCH_TOKEN, {"token_id": token_id, "now": now, "stale": now - LAST_USE_PRECISION})


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"quizapp-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def link_token(user: User, purpose: str) -> str:
    """A signed token for a link that acts on ``user`` (``CONFIRM`` or ``RESET``)."""
    return _serializer(purpose).dumps({"u": user.id, "p": _fingerprint(user)})


def user_from_link(token: str, purpose: str, max_age: int) -> User | None:
    """The user a link token was made for, or None if it is forged, expired, or its password changed since."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not secrets.compare_digest(str(data.get("p")), _fingerprint(user)):
        return None
    return user

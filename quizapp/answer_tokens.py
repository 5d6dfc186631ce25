"""The one-time token a study card is served with, and that its answer must bring back.

A token is issued by the server and signed with the app's secret: it names no one, but it
verifies only for the learner it was issued to, for the question it was issued with, and for
the card as it stood when shown (its review count). So a made-up token, another learner's,
or one for another card is refused; and once the card has been answered, its token is spent:
sent again, it finds its own review already recorded (the request id of a review is the
token), and any other token of the same showing finds the card moved on.

No database, no clock: plain values in, plain values out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

PURPOSE = b"quizapp study answer token"
SHAPE = re.compile(r"(\d{1,9})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})")


def _signature(secret: str | bytes, user_id: int, question_id: int, reps: int, nonce: str) -> str:
    key = hmac.new(secret.encode() if isinstance(secret, str) else secret, PURPOSE, hashlib.sha256).digest()
    mac = hmac.new(key, f"{user_id}:{question_id}:{reps}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def issue(secret: str | bytes, user_id: int, question_id: int, reps: int) -> str:
    """A fresh token for answering ``question_id`` once, its card having been reviewed ``reps`` times."""
    nonce = secrets.token_urlsafe(12)
    return f"{reps}.{nonce}.{_signature(secret, user_id, question_id, reps, nonce)}"


def read(secret: str | bytes, token: str, user_id: int, question_id: int) -> int | None:
    """The review count the card had when ``token`` was issued with it to this learner; None if the
    token was not issued by this server, to this learner, for this question."""
    match = SHAPE.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        return None
    reps, nonce, signature = int(match[1]), match[2], match[3]
    if not hmac.compare_digest(signature, _signature(secret, user_id, question_id, reps, nonce)):
        return None
    return reps

"""Sessions, CSRF, rate limits and security headers."""

import math
import time
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import bindparam, select

from quizapp import mail, throttling
from quizapp.models import User, db

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
limiter = Limiter(key_func=throttling.address_key, default_limits=[])


def failed(response) -> bool:
    """Whether a sign-in was refused: only failures count against an address."""
    return response.status_code not in (200, 302)


# Per address and loose, shared by the log-in page and the API's token endpoint; failures only,
# so that a class signing in from one school address is never held up.
sign_in_limit = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in",
                                     methods=["POST"], deduct_when=failed,
                                     error_message="Too many failed sign-ins from your address; wait a minute.")
# Requests that send mail (registration, password reset), per address.
mail_limit = limiter.shared_limit(lambda: current_app.config["MAIL_RATE_LIMIT"], scope="mail", methods=["POST"],
                                  error_message="Too many requests from your address; wait a minute.")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


_USER = select(User).where(User.id == bindparam("id"))  # built once: every request runs it


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session or remember cookie, unless that session has been ended since."""
    user_id, _, generation = session_id.partition(":")
    if not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (user_id, generation)):
        return None
    user = db.session.execute(_USER, {"id": int(user_id)}).scalar_one_or_none()
    if user is None or user.session_generation != int(generation):
        return None
    return user


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths may be redirected to after login; no control characters
    (a CR or LF would split the Location header)."""
    if not target or any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target


def init_app(app: Flask) -> None:
    """Register CSRF, Flask-Login, the limiter and the response headers."""
    csrf.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    throttling.init_app(app)
    mail.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        """Say when to come back (``Retry-After``), as the API and browsers expect."""
        from quizapp.views.errors import http_error

        current = limiter.current_limit
        error.retry_after = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        return http_error(error)

    @app.before_request
    def refuse_nul_characters():
        """No honest input holds NUL, and PostgreSQL text cannot: refuse it alike on every database."""
        texts = [request.path, *(v for _, vs in request.args.lists() for v in vs)]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            texts += [v for _, vs in request.form.lists() for v in vs]
        raw = request.get_data(cache=True) if request.is_json else b""
        if any("\x00" in text for text in texts) or b"\x00" in raw or b"\\u0000" in raw:
            abort(400, "Input may not contain NUL characters.")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

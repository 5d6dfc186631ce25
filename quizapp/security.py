"""Sessions, CSRF, login throttling and security headers."""

from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from quizapp.models import User, db

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths may be redirected to after login."""
    if not target:
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

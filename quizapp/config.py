"""Default settings; every one can be overridden from the environment.

Environment variables are read with Flask's ``from_prefixed_env`` under the
``QUIZAPP_`` prefix (``QUIZAPP_SECRET_KEY``), and the common unprefixed names
``DATABASE_URL`` and ``SECRET_KEY`` are honoured as well.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "SECRET_KEY": None,  # required outside development and testing
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{ROOT / 'instance' / 'quizapp.db'}",
    "QUESTIONS_DIR": str(ROOT / "questions"),
    "BANK_SEED": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the app loses
    # nothing, a power cut may lose the last answers but never corrupts the file. FULL syncs each commit.
    "SQLITE_SYNCHRONOUS": "NORMAL",
    # Rate limits and sign-in delays live in Redis so that every worker and server shares them;
    # None: redis://127.0.0.1:6379/0, or this process's memory in development (`make run`).
    "RATELIMIT_STORAGE_URI": None,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: each process counts alone, nothing fails
    "RATELIMIT_STRATEGY": "moving-window",
    "THROTTLE_NAMESPACE": "quizapp",  # prefix of every key this app keeps in that storage
    # Per address, loose: a school is one address behind NAT and a class signs in at once.
    "LOGIN_RATE_LIMIT": "60 per minute; 600 per hour",  # failed sign-ins (log in, API token)
    "MAIL_RATE_LIMIT": "30 per minute; 300 per hour",  # registrations and password reset requests
    # Per account, strict (see throttling.py): free failures, then a delay that doubles up to the maximum.
    "ACCOUNT_FREE_FAILURES": 5,  # from one address
    "ACCOUNT_FREE_FAILURES_ANYWHERE": 20,
    "ACCOUNT_MAX_DELAY": 900,  # seconds
    "MAILS_PER_HOUR": 5,  # to one address, whoever asks
    "CONFIRM_LINK_MAX_AGE": 3 * 24 * 3600,
    "RESET_LINK_MAX_AGE": 3600,
    # Mail goes over SMTP (Flask-Mailman) to MAIL_SERVER:MAIL_PORT; None: "smtp", or "console" in development.
    "MAIL_BACKEND": None,
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_TIMEOUT": 10,
    "MAIL_DEFAULT_SENDER": "quizapp <quizapp@localhost>",
    # The site's address for links in mail; without it they follow the request's Host header.
    "PUBLIC_URL": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "FSRS_FUZZ": True,  # spread review dates as Anki does; tests turn it off
}


def from_environment() -> dict:
    """Settings given by the unprefixed names deployments commonly use."""
    settings = {}
    if os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("QUESTIONS_DIR"):
        settings["QUESTIONS_DIR"] = os.environ["QUESTIONS_DIR"]
    return settings

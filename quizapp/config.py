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
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "10 per minute",
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

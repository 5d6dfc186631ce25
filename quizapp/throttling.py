"""Sign-in throttling, shared by every worker through the limiter's storage (Redis in production).

Guesses at one account are limited strictly, as OWASP's Authentication Cheat Sheet advises: a
few failures are free, then each further attempt must wait a delay that doubles (1 s, 2 s,
4 s, ... up to ``ACCOUNT_MAX_DELAY`` seconds) before it is even checked. Two scopes count: the
account from one address (``ACCOUNT_FREE_FAILURES``) and the account from anywhere
(``ACCOUNT_FREE_FAILURES_ANYWHERE``), so that guesses spread over many addresses are slowed
too. An attempt is counted before its password is checked, so parallel guesses cannot slip
through together; a correct password clears both counts. Failures are forgotten a day after
the first. Unknown addresses are counted exactly like existing ones.

Addresses are limited only loosely (Flask-Limiter, ``LOGIN_RATE_LIMIT`` counts failed
sign-ins): a school is one address behind NAT, and a whole class signs in from it at once.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, current_app, request
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
FORGET_AFTER = 24 * 3600
MAIL_WINDOW = 3600


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Throttle:
    """Per-account failure counts and growing delays in a ``limits`` storage."""

    def __init__(self, storage: Storage, namespace: str, *, enabled: bool, free_per_address: int,
                 free_anywhere: int, max_delay: int, mails_per_hour: int):
        self.storage = storage
        self.fallback = MemoryStorage()  # this process alone, while the shared storage is down
        self.namespace = namespace
        self.enabled = enabled
        self.free_per_address = free_per_address
        self.free_anywhere = free_anywhere
        self.max_delay = max_delay
        self.mails_per_hour = mails_per_hour

    def _call(self, method: str, *args):
        try:
            return getattr(self.storage, method)(*args)
        except StorageError as error:
            log.warning("throttle storage unavailable (%s); counting in this process", error.storage_error)
            return getattr(self.fallback, method)(*args)

    def _left(self, key: str) -> float:
        """Seconds until ``key`` expires. Redis in milliseconds (PTTL): its TTL rounds to the nearest
        second, and a Retry-After half a second short would send the client back too early."""
        storage = self.storage
        if hasattr(storage, "get_connection") and hasattr(storage, "prefixed_key"):
            try:
                return max(storage.get_connection(True).pttl(storage.prefixed_key(key)), 0) / 1000
            except storage.base_exceptions:
                pass  # counted in this process meanwhile (see _call)
        return self._call("get_expiry", key) - time.time()

    def _waiting(self, key: str) -> int:
        """Whole seconds left on the delay at ``key`` (rounded up), 0 when there is none."""
        if self._call("get", key) <= 0:
            return 0
        return max(1, math.ceil(self._left(key)))

    def _scopes(self, account: str, address: str) -> list[tuple[str, int]]:
        account_key = f"{self.namespace}/account/{_digest(account)}"
        return [(f"{account_key}/from/{_digest(address)}", self.free_per_address),
                (account_key, self.free_anywhere)]

    def attempt(self, account: str, address: str) -> int:
        """Count an attempt at ``account`` from ``address``: 0 when it may be checked now, else the
        seconds to wait (the attempt is then refused unchecked)."""
        if not self.enabled:
            return 0
        scopes = self._scopes(account, address)
        waiting = max(self._waiting(f"{key}/wait") for key, _ in scopes)
        if waiting:
            return waiting
        for key, free in scopes:
            failures = self._call("incr", f"{key}/failures", FORGET_AFTER)
            if failures > free:
                delay = min(self.max_delay, 2 ** min(failures - free - 1, 30))
                if self._call("incr", f"{key}/wait", delay) > 1:  # a parallel attempt took this turn
                    return self._waiting(f"{key}/wait")
        return 0

    def succeeded(self, account: str, address: str) -> None:
        """The right password was given: forget the failures at this account."""
        if not self.enabled:
            return
        for key, _ in self._scopes(account, address):
            self._call("clear", f"{key}/failures")
            self._call("clear", f"{key}/wait")

    def may_mail(self, recipient: str) -> bool:
        """Count a mail to ``recipient``; False past ``MAILS_PER_HOUR``, so that no one can flood an inbox."""
        if not self.enabled:
            return True
        return self._call("incr", f"{self.namespace}/mail/{_digest(recipient)}", MAIL_WINDOW) <= self.mails_per_hour


def init_app(app: Flask) -> None:
    """Open the throttle's storage (the limiter's URI) for ``app``."""
    config = app.config
    app.extensions["quizapp.throttle"] = Throttle(
        storage_from_string(config["RATELIMIT_STORAGE_URI"], wrap_exceptions=True,
                            **config.get("RATELIMIT_STORAGE_OPTIONS", {})),
        config["THROTTLE_NAMESPACE"], enabled=bool(config["RATELIMIT_ENABLED"]),
        free_per_address=int(config["ACCOUNT_FREE_FAILURES"]),
        free_anywhere=int(config["ACCOUNT_FREE_FAILURES_ANYWHERE"]),
        max_delay=int(config["ACCOUNT_MAX_DELAY"]), mails_per_hour=int(config["MAILS_PER_HOUR"]))


def throttle() -> Throttle:
    return current_app.extensions["quizapp.throttle"]


def guard(account: str) -> None:
    """Count a password attempt at ``account`` from this request's address; 429 with
    ``Retry-After`` while the account must wait."""
    wait = throttle().attempt(account, request.remote_addr or "")
    if wait:
        raise TooManyRequests(f"Too many failed attempts for this account: try again in {wait} s.",
                              retry_after=wait)


def cleared(account: str) -> None:
    """The password was right: this account's failures are forgotten."""
    throttle().succeeded(account, request.remote_addr or "")


def address_key() -> str:
    """The limiter's key for this request's address, within this app's namespace."""
    return f"{current_app.config['THROTTLE_NAMESPACE']}/{request.remote_addr or ''}"

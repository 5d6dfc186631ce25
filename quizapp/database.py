"""Database wiring: Flask-SQLAlchemy, Alembic migrations, SQLite pragmas, and 503 on outages.

On SQLite a request that writes takes the database's write lock with BEGIN IMMEDIATE.
Writers from several workers queue at a :class:`WriteGate` first, because SQLite's own
busy handler polls with growing sleeps (1, 2, 5, 10 ms...) that let one worker starve
another. Requests that read a lot before writing (answering a card) mark their view with
:func:`writes_late` and call :func:`begin_writing` where the writes start, so they hold
the lock only while they write.

A request waits for the lock, at the gate and in SQLite together, no longer than the busy
timeout. When the lock is held outside the gate for longer than a moment (another program,
a command, a long transaction), one writer waits for it alone and the other writers are
refused at once (:class:`Outage`), so waiting writers never fill the workers that pages
which only read need.
"""

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from quizapp.models import db

MIGRATIONS = str(Path(__file__).parent / "migrations")
MAX_ID = 2**63 - 1  # the databases' 64-bit integers


class IdConverter(IntegerConverter):
    """<int:...> in URLs, refused with 404 beyond the databases' 64-bit integers."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)

migrate = Migrate(directory=MIGRATIONS)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_file_locks = weakref.WeakSet()  # the gates and outage flags of this process, reset in a forked child


class _LockFile:
    """A lock file beside the database, opened on first use and kept open; in a forked process (a gunicorn
    worker forked from the arbiter, which loaded the app) opened afresh: an flock belongs to the open file,
    which a fork shares, so the parent's file would let the child in while the parent holds the lock. The
    child drops its copy (the parent's lock stays the parent's) and reopens the file when it next needs it."""

    def __init__(self, path: str | None):
        self.path = path  # None: one process (an in-memory database), threads only
        self.file = None
        self.after_fork()
        _file_locks.add(self)

    def after_fork(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self._reset()

    def _reset(self) -> None:
        """This process's own state of the lock: nothing held, no one waiting."""
        raise NotImplementedError

    def _open(self):
        """The lock file, kept open while the lock lives; None without a path."""
        if self.file is None and self.path is not None:
            self.file = open(self.path, "a")
            weakref.finalize(self, self.file.close)
        return self.file


class WriteGate(_LockFile):
    """One writing transaction at a time across processes (an flock) and threads (a lock).

    A waiter is woken by the kernel the moment the writer is done, and gives up at its timeout.
    The one thread of a process that waits for the file lock does so through a helper thread,
    which, should the waiter give up, keeps its place in the queue for the process's next
    writer, or gives the lock back at once when no one is left to take it.
    """

    def _reset(self) -> None:
        self.threads = threading.Lock()  # held by the thread that holds, or waits for, the file lock
        self.handover = threading.Condition()
        self.in_line = False  # the helper waits for the file lock
        self.wanted = False  # a thread waits for the helper to hand the file lock over
        self.handed = False  # the helper holds the file lock for that thread

    def acquire(self, timeout: float | None = None) -> bool:
        """Enter the gate; with a ``timeout`` in seconds, False once it has passed without entering."""
        if getattr(_held, "gate", None) is self:
            return True
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0)
        if not self.threads.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
            return False
        try:
            entered = self.path is None or self._lock_file(deadline)
        except BaseException:
            self.threads.release()
            raise
        if not entered:
            self.threads.release()
            return False
        _held.gate = self
        return True

    def _lock_file(self, deadline: float | None) -> bool:
        self._open()
        with self.handover:
            if not self.in_line:
                try:
                    fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    helper = threading.Thread(target=self._wait_in_line, name="write-gate", daemon=True)
                    helper.start()
                    self.in_line = True  # the helper reads it only under this condition, held here
            self.wanted = True
            timeout = None if deadline is None else max(deadline - time.monotonic(), 0)
            entered = self.handover.wait_for(lambda: self.handed, timeout)
            self.wanted = self.handed = False
            return entered

    def _wait_in_line(self) -> None:
        fcntl.flock(self.file, fcntl.LOCK_EX)
        with self.handover:
            self.in_line = False
            if self.wanted:
                self.handed = True
                self.handover.notify()
            else:  # the waiter gave up, and no other took its place
                fcntl.flock(self.file, fcntl.LOCK_UN)

    def release(self) -> None:
        if getattr(_held, "gate", None) is self:
            _held.gate = None
            if self.file is not None:
                fcntl.flock(self.file, fcntl.LOCK_UN)
            self.threads.release()


class Outage(_LockFile):
    """Declared while one writer waits alone for a lock held outside the gate; seen by every process.

    An flock on a second file beside the database: the waiting writer holds it exclusively, and
    the others test it with a shared lock that they drop at once.
    """

    def _reset(self) -> None:
        self.mutex = threading.Lock()  # flock belongs to the open file, which this process's threads share
        self.ours = False

    def begin(self) -> bool:
        """Declare the outage; False when it has been declared already (someone else waits)."""
        with self.mutex:
            if self.ours:
                return False
            if self._open() is not None:
                try:
                    fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
            self.ours = True
            return True

    def end(self) -> None:
        with self.mutex:
            if self.ours:
                self.ours = False
                if self.file is not None:
                    fcntl.flock(self.file, fcntl.LOCK_UN)

    def declared(self) -> bool:
        with self.mutex:
            if self.ours:
                return True
            if self._open() is None:
                return False
            try:
                fcntl.flock(self.file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(self.file, fcntl.LOCK_UN)
            return False


_held = threading.local()  # the gate this thread holds, if any


def _after_fork_in_child() -> None:
    _held.__dict__.clear()
    for lock in list(_file_locks):
        lock.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _leave_gate(*_) -> None:
    """The transaction has ended, whichever way: the next writer may go."""
    gate = getattr(_held, "gate", None)
    if gate is not None:
        gate.release()


def writes_late(view):
    """Mark a view whose request reads before it writes: its transaction starts without the write
    lock, and :func:`begin_writing` takes it where the writing starts."""
    view.writes_late = True
    return view


def begin_writing() -> None:
    """End the request's read-only transaction; the next statement begins one that may write.

    Nothing was written yet, so what the request has read stays loaded (not expired).
    """
    session = db.session()
    if session.in_transaction():
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    g.writing = True


def end_writing() -> None:
    """The request's writes are committed or rolled back: what it reads from here on, to render the page it
    answers with, begins a transaction that only reads (on SQLite, without the write lock)."""
    g.writing = False


def finish_writing() -> None:
    """Commit the request's writes and keep what it has loaded, which it has just written or read while
    writing; what it reads from here on, to render the page it answers with, begins a transaction that
    only reads (on SQLite, without the write lock)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    end_writing()


def _request_writes() -> bool:
    if not has_request_context():
        return False
    writing = g.get("writing")
    if writing is not None:
        return writing
    view = current_app.view_functions.get(request.endpoint)
    return request.method not in SAFE_METHODS and not getattr(view, "writes_late", False)


OUTSIDE_AFTER = 0.1  # seconds: a lock held this long by a writer outside the gate is an outage, not a queue


def _busy_timeout(connection, seconds: float) -> None:
    """Let SQLite wait ``seconds`` for a lock on this connection (set only when it changes)."""
    ms = max(int(seconds * 1000), 0)
    record = connection.connection
    if record.info.get("busy_timeout_ms") != ms:
        record.driver_connection.execute(f"PRAGMA busy_timeout={ms}")
        record.info["busy_timeout_ms"] = ms


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


def _begin_immediate(connection, gate: WriteGate, outage: Outage, budget: float) -> None:
    """Take the write lock within what is left of the request's ``budget`` (seconds of waiting).

    Queue at the gate, then try the lock. Should a writer outside the gate hold it for longer than
    a moment, declare an outage, leave the gate (the writers behind it are refused at once) and
    wait for the lock alone. Raises OperationalError ("database is locked") when time runs out.
    """
    start = time.monotonic()
    deadline = start + budget - g.get("lock_waited", 0.0)
    driver = connection.connection.driver_connection
    try:
        if not gate.acquire(timeout=max(deadline - time.monotonic(), 0)):
            raise _locked()
        try:
            if outage.declared():
                raise _locked()
            _busy_timeout(connection, min(OUTSIDE_AFTER, deadline - time.monotonic()))
            try:
                driver.execute("BEGIN IMMEDIATE")
                return  # the gate is left when the transaction ends
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline or not outage.begin():
                    raise OperationalError("BEGIN IMMEDIATE", None, error) from None
        except BaseException:
            gate.release()
            raise
        gate.release()
        try:
            _busy_timeout(connection, deadline - time.monotonic())
            driver.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise OperationalError("BEGIN IMMEDIATE", None, error) from None
        finally:
            outage.end()
    finally:
        g.lock_waited = g.get("lock_waited", 0.0) + time.monotonic() - start


def init_app(app: Flask) -> None:
    """Register the database, migrations and the outage handler on ``app``."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault(
            "connect_args", {"timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000})
    else:
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    db.init_app(app)
    migrate.init_app(app, db)
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    synchronous = str(app.config["SQLITE_SYNCHRONOUS"]).upper()
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_connection, record):
                dbapi_connection.isolation_level = None  # transactions begin below, not in pysqlite
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
                cursor.execute(f"PRAGMA synchronous={synchronous}")
                cursor.close()
                record.info["busy_timeout_ms"] = busy_ms

            name = engine.url.database
            on_disk = bool(name) and name != ":memory:"
            gate = WriteGate(f"{name}.write-gate" if on_disk else None)
            outage = Outage(f"{name}.write-outage" if on_disk else None)

            @event.listens_for(engine, "begin")
            def _sqlite_begin(connection):
                # A request that may write takes the write lock up front, so it waits on the busy
                # timeout; a deferred transaction upgraded later fails at once when a concurrent
                # writer has committed since its snapshot (SQLITE_BUSY_SNAPSHOT).
                if _request_writes():
                    _begin_immediate(connection, gate, outage, busy_ms / 1000)
                else:
                    _busy_timeout(connection, busy_ms / 1000)
                    connection.exec_driver_sql("BEGIN")

            app.teardown_appcontext(_leave_gate)  # should a request end with its transaction open

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        """The database is locked or down: say so, keep nothing half-written."""
        try:
            db.session.rollback()
        except (OperationalError, InterfaceError):
            db.session.close()  # the connection is gone; the pool replaces it
        app.logger.warning("database unavailable: %s", getattr(error, "orig", error))
        if request.path.startswith("/api/"):
            return {"error": "Service Unavailable", "message": "The database is unavailable; retry shortly."}, \
                503, {"Retry-After": "5"}
        # Rendered without Flask's context processors: Flask-Login's would query for the user.
        page = app.jinja_env.get_template("errors/503.html").render()
        return page, 503, {"Retry-After": "5"}


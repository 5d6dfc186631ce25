"""Database wiring: Flask-SQLAlchemy, Alembic migrations, SQLite pragmas, and 503 on outages.

On SQLite a request that writes takes the database's write lock with BEGIN IMMEDIATE.
Writers from several workers queue at a :class:`WriteGate` first, because SQLite's own
busy handler polls with growing sleeps (1, 2, 5, 10 ms...) that let one worker starve
another. Requests that read a lot before writing (answering a card) mark their view with
:func:`writes_late` and call :func:`begin_writing` where the writes start, so they hold
the lock only while they write.
"""

import fcntl
import threading
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


class WriteGate:
    """One writing transaction at a time across processes (an flock) and threads (a lock).

    A waiter is woken by the kernel the moment the writer is done.
    """

    def __init__(self, path: str | None):
        self.path = path  # None: one process (an in-memory database), threads only
        self.threads = threading.Lock()
        self.file = None

    def acquire(self) -> None:
        if getattr(_held, "gate", None) is self:
            return
        self.threads.acquire()
        try:
            if self.path is not None:
                if self.file is None:
                    self.file = open(self.path, "a")  # kept open while the gate lives
                    weakref.finalize(self, self.file.close)
                fcntl.flock(self.file, fcntl.LOCK_EX)
        except BaseException:
            self.threads.release()
            raise
        _held.gate = self

    def release(self) -> None:
        if getattr(_held, "gate", None) is self:
            _held.gate = None
            if self.file is not None:
                fcntl.flock(self.file, fcntl.LOCK_UN)
            self.threads.release()


_held = threading.local()  # the gate this thread holds, if any


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


def _request_writes() -> bool:
    if not has_request_context():
        return False
    if g.get("writing"):
        return True
    view = current_app.view_functions.get(request.endpoint)
    return request.method not in SAFE_METHODS and not getattr(view, "writes_late", False)


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
            def _sqlite_pragmas(dbapi_connection, _record):
                dbapi_connection.isolation_level = None  # transactions begin below, not in pysqlite
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
                cursor.execute(f"PRAGMA synchronous={synchronous}")
                cursor.close()

            name = engine.url.database
            gate = WriteGate(f"{name}.write-gate" if name and name != ":memory:" else None)

            @event.listens_for(engine, "begin")
            def _sqlite_begin(connection):
                # A request that may write takes the write lock up front, so it waits on the busy
                # timeout; a deferred transaction upgraded later fails at once when a concurrent
                # writer has committed since its snapshot (SQLITE_BUSY_SNAPSHOT).
                if _request_writes():
                    gate.acquire()
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
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


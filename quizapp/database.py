"""Database wiring: Flask-SQLAlchemy, Alembic migrations, SQLite pragmas, and 503 on outages."""

from pathlib import Path

from flask import Flask, has_request_context, request
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.routing import IntegerConverter

from quizapp.models import db

MIGRATIONS = str(Path(__file__).parent / "migrations")
MAX_ID = 2**63 - 1  # the databases' 64-bit integers


class IdConverter(IntegerConverter):
    """<int:...> in URLs, refused with 404 beyond the databases' 64-bit integers."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)

migrate = Migrate(directory=MIGRATIONS)


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

            @event.listens_for(engine, "begin")
            def _sqlite_begin(connection):
                # A request that may write takes the write lock up front, so it waits on the busy
                # timeout; a deferred transaction upgraded later fails at once when a concurrent
                # writer has committed since its snapshot (SQLITE_BUSY_SNAPSHOT).
                writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
                connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

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


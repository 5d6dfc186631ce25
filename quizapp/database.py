"""Database wiring: Flask-SQLAlchemy, Alembic migrations, SQLite pragmas, and 503 on outages."""

from pathlib import Path

from flask import Flask, render_template
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError

from quizapp.models import db

MIGRATIONS = str(Path(__file__).parent / "migrations")
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

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
                cursor.close()

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        """The database is locked or down: say so, keep nothing half-written."""
        db.session.rollback()
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        return render_template("errors/503.html"), 503, {"Retry-After": "5"}


"""quizapp: learn history from curated facts."""

import os
import secrets
from pathlib import Path

from flask import Flask

from quizapp import config
from quizapp.models import now_utc


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: defaults, then the environment, then ``test_config``."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_prefixed_env("QUIZAPP")
    app.config.from_mapping(config.from_environment())
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        if app.config.get("CLI_ONLY"):  # commands sign nothing that outlives the process
            app.config["SECRET_KEY"] = secrets.token_hex(32)
        elif app.debug or app.testing or app.config.get("DEVELOPMENT"):
            app.config["SECRET_KEY"] = "development-only-key"
        else:
            raise RuntimeError("SECRET_KEY is not set: export SECRET_KEY (or QUIZAPP_SECRET_KEY) to run quizapp")
    development = app.debug or app.config.get("DEVELOPMENT")
    production = not (development or app.testing or app.config.get("CLI_ONLY"))
    if production and "QUIZAPP_SESSION_COOKIE_SECURE" not in os.environ:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config["RATELIMIT_STORAGE_URI"] is None:  # `make run` needs nothing else running
        app.config["RATELIMIT_STORAGE_URI"] = "memory://" if development else "redis://127.0.0.1:6379/0"
    if app.config["MAIL_BACKEND"] is None:
        app.config["MAIL_BACKEND"] = "console" if development else "smtp"
    app.config.setdefault("CLOCK", now_utc)  # tests freeze it; views read time only through it
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from quizapp import database, security

    app.url_map.converters["int"] = database.IdConverter  # before any blueprint adds a rule
    # compose and results add their pages to instructor.bp when imported
    from quizapp.views import (  # noqa: F401
        anki,
        api,
        auth,
        compose,
        curation,
        errors,
        home,
        instructor,
        live,
        quizzes,
        reader,
        results,
        study,
    )

    database.init_app(app)
    security.init_app(app)
    for module in (errors, auth, home, study, anki, api, quizzes, instructor, live, reader, curation):
        app.register_blueprint(module.bp)

    from quizapp import cli

    cli.init_app(app)
    return app

"""Schema changes go through Alembic; a database from the first migration upgrades with its data intact."""

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from quizapp import create_app
from quizapp.database import MIGRATIONS
from quizapp.models import db
from tests.conftest import app_config, make_database_url

HEAD = ScriptDirectory(MIGRATIONS).get_current_head()


@pytest.fixture
def empty_database(tmp_path_factory):
    url, drop = make_database_url(tmp_path_factory, "migrate")
    yield url
    drop()


def test_first_migration_database_upgrades_with_data_intact(empty_database, subject, bank):
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0001")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "card" in tables and "quiz" not in tables
        now = dt.datetime(2026, 1, 5, 10, 0)
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO subject (id, slug, title, attribution) VALUES (1, 's', 'S', '')"))
            conn.execute(sa.text("INSERT INTO period (id, subject_id, slug, title, start_year, end_year, position) "
                                 "VALUES (1, 1, 'p', 'P', 1900, 2000, 0)"))
            conn.execute(sa.text("INSERT INTO fact (id, subject_id, period_id, slug, date, event, actors, causes, "
                                 "consequences, quote, tags, retired) VALUES (1, 1, 1, 'f', '1948', 'E', '[]', '[]', "
                                 "'[]', 'Q', '[]', false)"))
            conn.execute(sa.text("INSERT INTO question (id, subject_id, period_id, fact_id, uid, kind, format, prompt, "
                                 "answer, choices, explanation, quote, cloze, date, retired) VALUES (1, 1, 1, 1, "
                                 "'f:when:2', 'when', 'year', 'When?', '\"1948\"', '[]', 'x', 'Q', '', '1948', false)"))
            conn.execute(sa.text("INSERT INTO \"user\" (id, email, password_hash, is_instructor, new_per_day, "
                                 "desired_retention, created_at) "
                                 "VALUES (1, 'ada@example.org', 'h', false, 20, 0.9, :t)"),
                         {"t": now})
            conn.execute(sa.text("INSERT INTO card (id, user_id, question_id, period_id, fact_id, state, step, "
                                 "stability, difficulty, due, last_review, reps, created_at) VALUES (1, 1, 1, 1, 1, 2, "
                                 "NULL, 3.5, 5.0, :t, :t, 2, :t)"), {"t": now})
            conn.execute(sa.text("INSERT INTO review_log (id, card_id, user_id, request_id, rating, reviewed_at, "
                                 "duration_ms, response, correct, previous) VALUES (1, 1, 1, 'r1', 3, :t, 4000, "
                                 "'\"1948\"', true, NULL)"), {"t": now})

        upgrade()

        assert "quiz" in set(sa.inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            card = conn.execute(sa.text("SELECT stability, reps, due FROM card WHERE id = 1")).one()
            log = conn.execute(sa.text("SELECT rating, request_id FROM review_log WHERE id = 1")).one()
            email = conn.execute(sa.text('SELECT email FROM "user" WHERE id = 1')).scalar_one()
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        due = card.due if isinstance(card.due, dt.datetime) else dt.datetime.fromisoformat(card.due)
        assert (card.stability, card.reps, due) == (3.5, 2, now)
        assert tuple(log) == (3, "r1") and email == "ada@example.org" and version == HEAD
        downgrade(revision="0001")
        assert "quiz" not in set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_models_and_migrations_agree(database_url):
    """Autogenerate finds nothing to do: every model change has its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = create_app(app_config(database_url))
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == []


def test_an_api_token_issued_before_named_tokens_keeps_working(empty_database):
    """0005 turns an account's one token hash into a named token; existing accounts count as confirmed."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO \"user\" (id, email, password_hash, is_instructor, new_per_day, "
                                 "desired_retention, api_token_hash, created_at) "
                                 "VALUES (1, 'ada@example.org', 'h', false, 20, 0.9, :d, :t)"),
                         {"d": hashlib.sha256(b"old-token").hexdigest(), "t": dt.datetime(2026, 1, 5, 10, 0)})
        upgrade()
        with db.engine.connect() as conn:
            token = conn.execute(sa.text("SELECT user_id, name FROM api_token")).one()
            user = conn.execute(sa.text('SELECT confirmed_at, session_generation FROM "user"')).one()
        assert tuple(token) == (1, "API token")
        assert user.confirmed_at is not None and user.session_generation == 0
        response = app.test_client().get("/api/v1/stats", headers={"Authorization": "Bearer old-token"})
        assert response.status_code == 200
        downgrade(revision="0004")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text('SELECT api_token_hash FROM "user"')).scalar_one() == \
                hashlib.sha256(b"old-token").hexdigest()
        db.engine.dispose()

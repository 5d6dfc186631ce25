"""Scaling of the queries behind "next card" and the deck counts: 1k to 1M cards for one learner
among many, on SQLite and on PostgreSQL, with the query plans.

The learner has 200 cards due today and the rest scheduled over ten years, 1,000 questions never
seen, and 20 other learners hold 5,000 cards each. Run: .venv/bin/python -m bench.due_queue
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import event

from bench import common
from quizapp import create_app, learning
from quizapp.models import Card, Question, Subject, User, db

SIZES = (1_000, 10_000, 100_000, 1_000_000)
DUE_TODAY = 200
UNSEEN = 1_000
OTHERS, OTHER_CARDS = 20, 5_000
PERIODS = 10
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def series(conn, first: int, last: int) -> str:
    """A FROM clause yielding i = first..last, in the database's own dialect."""
    if conn.dialect.name == "postgresql":
        return f"generate_series({first}, {last}) AS s(i)"
    return (f"(WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s WHERE i < {last}) "
            f"SELECT i FROM s) AS s")


def add_questions(conn, first: int, last: int) -> None:
    conn.execute(sa.text(
        "INSERT INTO question (id, subject_id, period_id, fact_id, uid, kind, format, prompt, answer, choices, "
        "explanation, quote, cloze, date, retired, intro) "
        f"SELECT i, 1, 1 + i % {PERIODS}, 1 + i % 1000, 'q' || i, 'when', 'year', 'In which year?', '\"1948\"', "
        f"'[]', '', '', '', '1948', false, i FROM {series(conn, first, last)}"))


def add_cards(conn, user_id: int, first: int, last: int, due_now: int, id_offset: int) -> None:
    """Cards for questions first..last; the first ``due_now`` of them due now, the rest later."""
    now = NOW.replace(tzinfo=None)
    if conn.dialect.name == "postgresql":
        due = (f"CASE WHEN i < {first + due_now} THEN :now - interval '1 hour' "
               f"ELSE :now + (1 + i % 3650) * interval '1 day' END")
        past = ":now - interval '3 days'"
    else:
        due = (f"CASE WHEN i < {first + due_now} THEN datetime(:now, '-1 hour') "
               f"ELSE datetime(:now, '+' || (1 + i % 3650) || ' days') END")
        past = "datetime(:now, '-3 days')"
    conn.execute(sa.text(
        "INSERT INTO card (id, user_id, question_id, period_id, fact_id, state, step, stability, difficulty, due, "
        "last_review, reps, created_at) "
        f"SELECT {id_offset} + i, {user_id}, i, 1 + i % {PERIODS}, 1 + i % 1000, 2, NULL, 30.0, 5.0, {due}, "
        f"{past}, 3, {past} FROM {series(conn, first, last)}"), {"now": now})


def seed(conn) -> None:
    conn.execute(sa.text("INSERT INTO subject (id, slug, title, attribution) VALUES (1, 'bench', 'Bench', '')"))
    for p in range(1, PERIODS + 1):
        conn.execute(sa.text("INSERT INTO period (id, subject_id, slug, title, start_year, end_year, position) "
                             "VALUES (:i, 1, :s, :s, 1900, 2000, :i)"), {"i": p, "s": f"p{p}"})
    conn.execute(sa.text(
        "INSERT INTO fact (id, subject_id, period_id, slug, date, event, actors, causes, consequences, quote, tags, "
        f"retired) SELECT i, 1, 1 + i % {PERIODS}, 'f' || i, '1948', 'Event', '[]', '[]', '[]', '', '[]', false "
        f"FROM {series(conn, 1, 1000)}"))
    for u in range(1, OTHERS + 2):
        conn.execute(sa.text('INSERT INTO "user" (id, email, password_hash, is_instructor, new_per_day, '
                             "desired_retention, created_at) VALUES (:i, :e, 'x', false, 20, 0.9, :t)"),
                     {"i": u, "e": f"u{u}@example.org", "t": NOW.replace(tzinfo=None)})


def timed(app, user_id: int, deck_period: int | None) -> dict:
    """Best-of timings of the three queries a review request runs."""
    user = db.session.get(User, user_id)
    subject = db.session.get(Subject, 1)
    period = next(p for p in subject.periods if p.id == deck_period) if deck_period else None
    deck = learning.Deck.of(subject, period)

    def next_card():
        picked = learning.Queue(learning.Today(user, NOW), deck).next_card()
        assert picked is not None and picked[1] is not None  # a due review, as the scenario says

    def counts():
        c = learning.Queue(learning.Today(user, NOW), deck).counts()
        assert c.due > 0 and c.new > 0

    return {"next_card_ms": round(common.best_of(next_card, 9) * 1000, 3),
            "counts_ms": round(common.best_of(counts, 9) * 1000, 3)}


def plans(user_id: int) -> dict:
    """The plans of the statements Queue.next_card and Queue.counts send for the benchmark learner,
    captured as sent (same SQL, same parameters) and explained by the database."""
    user = db.session.get(User, user_id)
    deck = learning.Deck.of(db.session.get(Subject, 1))
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        queue = learning.Queue(learning.Today(user, NOW), deck)
        queue.next_card()
        names = ["next_card"] * len(sent)
        queue.counts()
        names += ["counts"] * (len(sent) - len(names))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    out: dict[str, list] = {}
    with engine.connect() as conn:
        for name, (statement, parameters) in zip(names, sent, strict=True):
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            plan = [" ".join(str(c) for c in (r[-1:] if engine.dialect.name == "sqlite" else r)) for r in rows]
            out.setdefault(name, []).append({"sql": " ".join(statement.split()), "plan": plan})
    return out


def run(url: str) -> dict:
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "CLI_ONLY": True, "FSRS_FUZZ": False})
    results = {}
    with app.app_context():
        upgrade()
        engine = db.engine
        with engine.begin() as conn:
            seed(conn)
            add_questions(conn, 1, OTHER_CARDS)
            for u in range(2, OTHERS + 2):
                add_cards(conn, u, 1, OTHER_CARDS, OTHER_CARDS // 2, id_offset=u * 10_000_000)
        have = 0
        for size in SIZES:
            with engine.begin() as conn:
                top = size + UNSEEN
                if top > max(have + UNSEEN, OTHER_CARDS):
                    add_questions(conn, max(have + UNSEEN, OTHER_CARDS) + 1, top)
                add_cards(conn, 1, have + 1, size, DUE_TODAY if have == 0 else 0, id_offset=0)
                # the cursors the app keeps as cards are made: the first unseen question of each period
                conn.execute(sa.text("DELETE FROM new_cursor WHERE user_id = 1"))
                conn.execute(sa.text("INSERT INTO new_cursor (user_id, period_id, position) "
                                     "SELECT 1, period_id, min(intro) FROM question WHERE id > :n GROUP BY period_id"),
                             {"n": size})
                conn.execute(sa.text("ANALYZE"))
            have = size
            db.session.remove()
            results[str(size)] = {"all_periods": timed(app, 1, None), "one_period": timed(app, 1, 3)}
            print(f"  {engine.dialect.name:10} {size:>9,} cards: {results[str(size)]}")
        results["plans"] = plans(1)
        with engine.connect() as conn:
            results["cards_in_database"] = conn.execute(sa.select(sa.func.count()).select_from(Card)).scalar()
            results["questions_in_database"] = conn.execute(sa.select(sa.func.count()).select_from(Question)).scalar()
        db.engine.dispose()
    first, last = results[str(SIZES[0])]["all_periods"], results[str(SIZES[-1])]["all_periods"]
    results["growth_1k_to_1M"] = {k: round(last[k] / first[k], 2) for k in first}
    return results


def main() -> dict:
    figures = {"scenario": __doc__.split("\n\n")[1].split(" Run:")[0].replace("\n", " ")}
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        figures["sqlite"] = run(f"sqlite:///{Path(tmp) / 'bench.db'}")
    print("PostgreSQL")
    engine = sa.create_engine(PG_URL)
    schema = "bench_due_queue"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        figures["postgresql"] = run(f"{PG_URL}?options=-csearch_path%3D{schema}")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()
    figures["goal"] = "time from 1k to 1M cards grows by less than 3x"
    for name in ("sqlite", "postgresql"):
        print(f"{name}: growth 1k -> 1M cards: {figures[name]['growth_1k_to_1M']}")
        for caller, statements in figures[name]["plans"].items():
            for statement in statements:
                print(f"  {caller}: {statement['sql'][:100]}...")
                for line in statement["plan"]:
                    print(f"    {line}")
    common.write("due_queue", figures)
    return figures


if __name__ == "__main__":
    main()

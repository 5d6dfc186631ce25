"""The instructor's results of a big class: 500 submitted attempts at a 30-question quiz whose items were
edited half-way (so half the attempts are read in earlier versions), on SQLite.

Times the results page (item analysis with intervals), the results CSV, and accepting a typed answer
for everyone (regrading every attempt). Run: .venv/bin/python -m bench.quiz_results
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from bench import common
from quizapp import composing, create_app, versions
from quizapp.models import Attempt, Quiz, QuizItem, Response, User, db

LEARNERS = 500
ITEMS = 30
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def build(rng: random.Random) -> tuple[int, int, int]:
    """The quiz, its attempts and an edit half-way; returns (instructor id, quiz id, short item id)."""
    teacher = User(email="teacher@example.org", is_instructor=True, password_hash="x")
    db.session.add(teacher)
    db.session.flush()
    quiz = Quiz(owner_id=teacher.id, title="Big class", join_code="BENCH123", max_attempts=1)
    for n in range(ITEMS):
        if n % 3 == 0:
            quiz.items.append(QuizItem(position=n, format="short", prompt=f"Name {n}", answers=[f"answer {n}"]))
        else:
            quiz.items.append(QuizItem(position=n, format="choice", prompt=f"Pick {n}", choices=list("ABCD"),
                                       answers=["A"]))
    db.session.add(quiz)
    db.session.flush()
    for k in range(LEARNERS):
        if k == LEARNERS // 2:  # half-way, every item is edited: later attempts are shown version 2
            for item in quiz.items:
                versions.edit(item, NOW, prompt=item.prompt + " (edited)", points=2.0)
            db.session.flush()
        user = User(email=f"learner{k}@example.org", password_hash="x")
        db.session.add(user)
        db.session.flush()
        ability = rng.random()
        attempt = Attempt(quiz_id=quiz.id, user_id=user.id, number=1, started_at=NOW, submitted_at=NOW,
                          layout={"order": [i.id for i in quiz.items], "choices": {},
                                  "versions": {str(i.id): i.version for i in quiz.items}},
                          max_score=sum(i.points for i in quiz.items))
        db.session.add(attempt)
        db.session.flush()
        score = 0.0
        for item in quiz.items:
            right = rng.random() < 0.3 + 0.6 * ability
            answer = item.answers[0] if right else ("B" if item.format == "choice" else rng.choice(
                ["main foothold", "no idea", "Main Foothold"]))
            points = item.points if right else 0.0
            score += points
            db.session.add(Response(attempt_id=attempt.id, item_id=item.id, answer=answer, answered_at=NOW,
                                    auto_points=points, points=points))
        attempt.score = score
    db.session.commit()
    return teacher.id, quiz.id, quiz.items[0].id


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI":
                          f"sqlite:///{Path(tmp) / 'bench.db'}", "RATELIMIT_ENABLED": False,
                          "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            teacher_id, quiz_id, short_id = build(random.Random(7))
            teacher = db.session.get(User, teacher_id)
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = teacher.get_id(), True
            page = client.get(f"/teach/quizzes/{quiz_id}/results")
            assert page.status_code == 200 and "too few attempts" not in page.get_data(as_text=True)
            results_s = common.best_of(lambda: client.get(f"/teach/quizzes/{quiz_id}/results"))
            csv_s = common.best_of(lambda: client.get(f"/teach/quizzes/{quiz_id}/results.csv"))
            start = time.perf_counter()
            gained = composing.accept_for_everyone(db.session.get(QuizItem, short_id), "main foothold",
                                                   teacher_id, NOW)
            db.session.commit()
            accept_s = time.perf_counter() - start
            db.engine.dispose()
    figures = {"learners": LEARNERS, "items": ITEMS, "results_page_ms": round(results_s * 1000, 1),
               "results_csv_ms": round(csv_s * 1000, 1), "accept_for_everyone_ms": round(accept_s * 1000, 1),
               "answers_regraded": gained}
    print(f"{LEARNERS} attempts x {ITEMS} items (half in earlier versions): results page "
          f"{figures['results_page_ms']} ms, CSV {figures['results_csv_ms']} ms; accepting an answer for everyone "
          f"regraded {gained} answers in {figures['accept_for_everyone_ms']} ms")
    common.write("quiz_results", figures)


if __name__ == "__main__":
    main()

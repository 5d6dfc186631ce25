"""A live game under gunicorn (4 workers of 4 threads): taps and joins sent many times at once count once."""

import json
import threading
import time

from sqlalchemy import select

from quizapp.models import Attempt, LiveAnswer, LivePlayer, LiveSession, Quiz, QuizItem, Response, User, db
from tests.conftest import PASSWORD
from tests.test_concurrency import Browser, busy_server  # noqa: F401 (busy_server is a fixture)


def signed_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    status, _, _ = browser.request("POST", "/login", {"csrf_token": browser.csrf("/login"), "email": email,
                                                      "password": PASSWORD})
    assert status == 302
    return browser


def at_once(n: int, send) -> list:
    gate, results, lock = threading.Barrier(n), [], threading.Lock()

    def run(i):
        gate.wait()
        outcome = send(i)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_sixteen_joins_and_sixteen_taps_at_once_make_one_player_and_one_answer(busy_server, app):  # noqa: F811
    _, port = busy_server
    teacher = User(email="live-teacher@example.org", is_instructor=True)
    learner = User(email="live-learner@example.org")
    for user in (teacher, learner):
        user.set_password(PASSWORD)
    db.session.add_all([teacher, learner])
    db.session.flush()
    quiz = Quiz(owner_id=teacher.id, title="Race", join_code="LIVERACE")
    quiz.items = [QuizItem(position=0, format="choice", prompt="Who?", choices=[f"c{i}" for i in range(16)],
                           answers=["c0"], points=1)]
    db.session.add(quiz)
    db.session.commit()
    host = signed_in(port, teacher.email)
    status, location, _ = host.request("POST", f"/live/quizzes/{quiz.id}",
                                       {"csrf_token": host.csrf(f"/live/quizzes/{quiz.id}"), "seconds": 30})
    assert status == 302
    db.session.commit()  # a fresh read: the game was made by the server
    session = db.session.execute(select(LiveSession)).scalar_one()
    phone = signed_in(port, learner.email)
    token = phone.csrf(f"/live/{session.code}")
    joins = at_once(16, lambda i: phone.request("POST", f"/live/{session.code}", {
        "csrf_token": token, "code": session.code, "nickname": f"Racer {i}"})[0])
    assert all(status in (200, 302) for status in joins) and joins.count(302) >= 1

    _, _, screen = host.request("GET", location)
    shown = screen.split('name="version" value="', 1)[1].split('"', 1)[0]
    host_token = host.csrf(location)
    starts = at_once(8, lambda i: host.request("POST", location + "/next", {"csrf_token": host_token,
                                                                             "version": shown})[0])
    assert sorted(starts) == [302] * 8  # each sent back to the screen, one with the game moved on
    db.session.commit()
    moved = db.session.execute(select(LiveSession.position, LiveSession.phase)).one()
    assert tuple(moved) == (0, "question")  # the first question: not skipped, and the game not ended
    time.sleep(3.2)  # answers open after the three seconds' "get ready"
    _, _, page = phone.request("GET", f"/live/{session.code}")
    csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    item = quiz.items[0].id
    taps = at_once(16, lambda i: phone.request("POST", f"/live/{session.code}/answer", {
        "csrf_token": csrf, "item": item, "response": f"c{i}"}))
    statuses = sorted(status for status, _, _ in taps)
    assert statuses == [200] + [409] * 15
    counted = json.loads(next(body for status, _, body in taps if status == 200))["answer"]

    db.session.commit()
    player = db.session.execute(select(LivePlayer)).scalar_one()
    assert db.session.execute(select(Attempt).filter_by(user_id=learner.id)).scalars().all() == [
        db.session.get(Attempt, player.attempt_id)]
    answers = db.session.execute(select(LiveAnswer)).scalars().all()
    assert [a.answer for a in answers] == [counted]
    assert db.session.execute(select(Response)).scalars().all()[0].answer == counted

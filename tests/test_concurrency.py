"""Fifty learners answering at once against gunicorn (2 workers): no 5xx, no review lost or doubled."""

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from quizapp.database import WriteGate
from quizapp.models import ReviewLog, User, db

LEARNERS = 50
SECONDS = 8
GUNICORN = Path(sys.executable).with_name("gunicorn")
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app, database_url, tmp_path):
    """gunicorn serving the test database on a free loopback port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "concurrency-test",
           "QUIZAPP_RATELIMIT_ENABLED": "false", "QUIZAPP_SESSION_COOKIE_SECURE": "false"}
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen([str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "30",
                                "--graceful-timeout", "5", "quizapp:create_app()"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    break
            finally:
                conn.close()
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
    yield process, port
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    log.close()


def learners_with_tokens(n: int) -> list[tuple[int, str]]:
    out = []
    for i in range(n):
        token = f"token-{i}-" + "x" * 20
        user = User(email=f"load{i}@example.org", password_hash="unused",
                    api_token_hash=hashlib.sha256(token.encode()).hexdigest())
        db.session.add(user)
        db.session.flush()
        out.append((user.id, token))
    db.session.commit()
    return out


def call(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def study_until(port, token, stop, tally, lock):
    """Fetch and answer cards until ``stop``; retry a broken connection with the same card token."""
    deck = "/api/v1/decks/israel-russia/all"
    acknowledged, statuses, errors = set(), [], 0
    n = 0
    while time.monotonic() < stop:
        try:
            status, data = call(port, "GET", f"{deck}/next", token)
        except OSError:
            errors += 1
            continue
        statuses.append(status)
        if status != 200:
            continue
        card = json.loads(data)
        if card["done"]:
            break
        body = {"question_id": card["question"]["id"], "token": card["token"], "response": "wrong",
                "rating": 3 if n % 2 else 1}
        sends = 2 if n % 5 == 0 else 1  # every fifth answer is sent twice, as a double click would
        for _ in range(sends):
            for _retry in range(5):
                try:
                    status, _ = call(port, "POST", f"{deck}/answers", token, body)
                    break
                except OSError:
                    errors += 1
                    time.sleep(0.1)
            else:
                continue
            statuses.append(status)
            if status in (200, 201):
                acknowledged.add(card["token"])
        n += 1
    with lock:
        tally.append((token, acknowledged, statuses, errors))


@pytest.mark.parametrize("kill_a_worker", [False, True], ids=["steady", "worker-killed"])
def test_fifty_learners_at_once_lose_and_double_nothing(server, app, kill_a_worker):
    process, port = server
    learners = learners_with_tokens(LEARNERS)
    tally, lock = [], threading.Lock()
    stop = time.monotonic() + SECONDS
    threads = [threading.Thread(target=study_until, args=(port, token, stop, tally, lock)) for _, token in learners]
    for t in threads:
        t.start()
    if kill_a_worker:
        time.sleep(SECONDS / 3)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert children, "no gunicorn worker found"
        os.kill(int(children[0]), signal.SIGKILL)
    for t in threads:
        t.join(timeout=SECONDS + 60)

    statuses = [s for _, _, ss, _ in tally for s in ss]
    errors = sum(e for _, _, _, e in tally)
    print(f"\n{LEARNERS} learners, {SECONDS} s, worker killed: {kill_a_worker}: {len(statuses)} responses, "
          f"{statuses.count(201)} answers recorded, {statuses.count(200)} reads and repeats, "
          f"{sum(s >= 500 for s in statuses)} 5xx, {errors} dropped connections retried")
    assert len(tally) == LEARNERS
    assert not [s for s in statuses if s >= 500], "server errors under load"
    assert statuses.count(201) > LEARNERS  # everyone got work done
    db.session.commit()
    by_token = {token: user_id for user_id, token in learners}
    for token, acknowledged, _, _ in tally:
        rows = db.session.execute(sa.select(ReviewLog.request_id).filter_by(user_id=by_token[token])).scalars().all()
        assert len(rows) == len(set(rows)), "a review was recorded twice"
        assert set(rows) == acknowledged, "an acknowledged review is missing, or an unacknowledged one was kept"


def test_the_write_gate_lets_one_writer_through_at_a_time_and_the_next_in_when_it_leaves(tmp_path):
    """Two gates on one file stand for two workers: the second waits until the first releases."""
    first, second = WriteGate(str(tmp_path / "db.write-gate")), WriteGate(str(tmp_path / "db.write-gate"))
    events: list[str] = []
    first.acquire()
    waiter = threading.Thread(target=lambda: (second.acquire(), events.append("second in"), second.release()))
    waiter.start()
    time.sleep(0.2)
    assert events == [] and waiter.is_alive()
    events.append("first out")
    first.release()
    waiter.join(timeout=5)
    assert events == ["first out", "second in"]
    first.acquire()  # free again once the second has left
    first.release()

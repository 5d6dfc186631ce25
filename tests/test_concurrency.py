"""Fifty learners answering at once against gunicorn (2 workers): no 5xx, no review lost or doubled."""

import contextlib
import hashlib
import http.client
import json
import multiprocessing
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy as sa

from quizapp.database import Outage, WriteGate
from quizapp.models import ApiToken, Attempt, Quiz, QuizItem, ReviewLog, User, db
from tests.conftest import PASSWORD

LEARNERS = 50
SECONDS = 8
GUNICORN = Path(sys.executable).with_name("gunicorn")
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(database_url: str, log_path: Path, *options: str, env: dict | None = None, preexec_fn=None):
    """gunicorn serving the test database on a free loopback port (with ``options``); yields (process, port)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "concurrency-test",
           "QUIZAPP_RATELIMIT_ENABLED": "false", "QUIZAPP_SESSION_COOKIE_SECURE": "false", **(env or {})}
    log = open(log_path, "w")
    process = subprocess.Popen([str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "30",
                                "--graceful-timeout", "5", *options, "quizapp:create_app()"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
    try:
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
            pytest.fail("gunicorn did not start: " + log_path.read_text()[-2000:])
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        log.close()


@pytest.fixture
def server(app, database_url, tmp_path):
    """gunicorn with 2 workers serving the test database on a free loopback port."""
    with serving(database_url, tmp_path / "gunicorn.log") as running:
        yield running


def learners_with_tokens(n: int) -> list[tuple[int, str]]:
    out = []
    for i in range(n):
        token = f"token-{i}-" + "x" * 20
        user = User(email=f"load{i}@example.org", password_hash="unused")
        db.session.add(user)
        db.session.flush()
        db.session.add(ApiToken(user_id=user.id, name="load", digest=hashlib.sha256(token.encode()).hexdigest()))
        out.append((user.id, token))
    db.session.commit()
    return out


def call(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:  # closed even when a killed worker cuts the response short
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def study_until(port, token, stop, tally, lock):
    """Fetch and answer cards until ``stop``; retry a broken connection with the same card token."""
    deck = "/api/v1/decks/israel-russia/all"
    acknowledged, statuses, errors = set(), [], 0
    n = 0
    while time.monotonic() < stop:
        try:
            status, data = call(port, "GET", f"{deck}/next", token)
        except (OSError, http.client.HTTPException):  # a killed worker may cut a response short
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
                except (OSError, http.client.HTTPException):
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
    assert_each_acknowledged_review_stored_once(learners, tally)


def assert_each_acknowledged_review_stored_once(learners: list[tuple[int, str]], tally: list) -> None:
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


def _hold_in_child(gate: WriteGate, outage: Outage, holding, done) -> None:
    assert gate.acquire(timeout=5) and outage.begin()
    holding.set()
    done.wait(10)
    outage.end()
    gate.release()


def test_a_forked_process_opens_the_gate_afresh_so_it_and_its_parent_still_take_turns(tmp_path):
    """gunicorn forks its workers from the arbiter, which has loaded the app. An flock belongs to the open
    file, which a fork shares: had the parent opened the gate's file, a child holding the gate on that same
    open file would not keep the parent out. The child opens its own, and the two exclude each other."""
    gate, outage = WriteGate(str(tmp_path / "db.write-gate")), Outage(str(tmp_path / "db.write-outage"))
    assert gate.acquire(timeout=1) and not outage.declared()  # both files are now open in this process
    gate.release()
    fork = multiprocessing.get_context("fork")
    holding, done = fork.Event(), fork.Event()
    child = fork.Process(target=_hold_in_child, args=(gate, outage, holding, done))
    child.start()
    try:
        assert holding.wait(10), "the child could not take the gate"
        assert not gate.acquire(timeout=0.3), "the parent entered the gate while the child held it"
        assert outage.declared() and not outage.begin()
    finally:
        done.set()
        child.join(10)
    assert child.exitcode == 0
    assert gate.acquire(timeout=1)  # free again once the child has left
    gate.release()
    assert not outage.declared()


def test_workers_recycled_under_load_lose_and_double_nothing(app, database_url, tmp_path):
    """With QUIZAPP_PRELOAD, gunicorn.conf.py builds the app in the arbiter and forks each new worker from
    it; with a worker recycled every few dozen requests, fifty learners answering at once get no 5xx and
    every acknowledged review is stored once."""
    with serving(database_url, tmp_path / "gunicorn.log", "-c", str(ROOT / "gunicorn.conf.py"),
                 env={"QUIZAPP_MAX_REQUESTS": "40", "QUIZAPP_PRELOAD": "true",
                      "QUIZAPP_ACCESS_LOG": "/dev/null"}) as (process, port):
        # the arbiter itself has loaded the app (gunicorn alone never imports sqlite3; quizapp.database does)
        assert "/_sqlite3." in Path(f"/proc/{process.pid}/maps").read_text()
        learners = learners_with_tokens(LEARNERS)
        tally, lock = [], threading.Lock()
        stop = time.monotonic() + SECONDS / 2
        threads = [threading.Thread(target=study_until, args=(port, token, stop, tally, lock))
                   for _, token in learners]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 60)
        booted = (tmp_path / "gunicorn.log").read_text().count("Booting worker")
    statuses = [s for _, _, ss, _ in tally for s in ss]
    assert len(tally) == LEARNERS
    assert booted >= 2 + 3, f"{booted - 2} workers were recycled, expected several"  # 2 workers to begin with
    assert not [s for s in statuses if s >= 500], "server errors while workers were recycled"
    assert statuses.count(201) > LEARNERS
    assert_each_acknowledged_review_stored_once(learners, tally)


class Browser:
    """One learner's browser over plain HTTP: keeps the session cookie, reads CSRF tokens from pages."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        page = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("session="):
                self.cookie = header.split(";", 1)[0]
        conn.close()
        return response.status, response.headers.get("Location", ""), page

    def csrf(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


@pytest.fixture
def busy_server(app, database_url, tmp_path):
    """gunicorn with 4 workers of 4 threads: 16 requests can be inside the app at once."""
    with serving(database_url, tmp_path / "gunicorn.log", "-w", "4", "-k", "gthread", "--threads", "4") as running:
        yield running


def test_sixteen_parallel_starts_of_a_one_attempt_quiz_make_one_attempt(busy_server, app):
    """One learner sends 16 starts at once: every one lands on the same attempt; none is a 500."""
    _, port = busy_server
    teacher = User(email="race-teacher@example.org", password_hash="unused", is_instructor=True)
    learner = User(email="race-learner@example.org")
    learner.set_password(PASSWORD)
    db.session.add_all([teacher, learner])
    db.session.flush()
    quiz = Quiz(owner_id=teacher.id, title="Race", join_code="RACE2345", max_attempts=1)
    quiz.items = [QuizItem(position=0, format="year", prompt="When?", answers=["1948"], points=1)]
    db.session.add(quiz)
    db.session.commit()
    browser = Browser(port)
    status, _, _ = browser.request("POST", "/login", {"csrf_token": browser.csrf("/login"),
                                                      "email": learner.email, "password": PASSWORD})
    assert status == 302
    token = browser.csrf("/q/RACE2345")
    starts = 16
    gate, results, lock = threading.Barrier(starts), [], threading.Lock()

    def start():
        gate.wait()
        answer = browser.request("POST", "/q/RACE2345/start", {"csrf_token": token})
        with lock:
            results.append(answer[:2])

    threads = [threading.Thread(target=start) for _ in range(starts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert len(results) == starts
    assert [status for status, _ in results] == [302] * starts, "a start was not answered with a redirect"
    db.session.commit()
    made = db.session.execute(sa.select(Attempt.id).filter_by(quiz_id=quiz.id, user_id=learner.id)).scalars().all()
    assert len(made) == 1, f"{len(made)} attempts were made"
    assert {location for _, location in results} == {f"/attempts/{made[0]}/1"}
    status, _, page = browser.request("GET", "/q/RACE2345")
    assert status == 200 and "Resume your attempt" in page


def test_gunicorn_conf_opens_no_control_socket(app, database_url, tmp_path):
    """A control socket in the home directory would be shared by every instance run by that user."""
    home = tmp_path / "home"
    home.mkdir()
    with serving(database_url, tmp_path / "gunicorn.log", "-c", str(ROOT / "gunicorn.conf.py"),
                 env={"HOME": str(home), "XDG_RUNTIME_DIR": str(home)}):
        time.sleep(1)  # the arbiter is up and its workers answer: anything it opens is open by now
        assert [p.name for p in home.rglob("*")] == []


def test_gunicorn_conf_lifts_the_open_files_limit_to_fit_each_workers_connections(app, database_url, tmp_path):
    """A soft limit of 1,024 open files (a common default) would cap a worker's connections below its
    ``worker_connections``: the arbiter lifts it, towards the hard limit, before forking the workers."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 3000 + 1024 if hard == resource.RLIM_INFINITY else min(3000 + 1024, hard)

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    with serving(database_url, tmp_path / "gunicorn.log", "-c", str(ROOT / "gunicorn.conf.py"),
                 env={"QUIZAPP_WORKER_CONNECTIONS": "3000"}, preexec_fn=low_limit) as (process, _):
        workers = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent_of(p) == process.pid]
        assert workers
        for pid in workers:
            limits = Path(f"/proc/{pid}/limits").read_text()
            soft = next(line.split()[3] for line in limits.splitlines() if line.startswith("Max open files"))
            assert int(soft) == wanted


def _parent_of(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def test_sixteen_parallel_answers_to_one_question_keep_one_response(busy_server, app):
    """A double click, many times over: every answer is taken or refused plainly, and one response stays."""
    _, port = busy_server
    teacher = User(email="race-teacher@example.org", password_hash="unused", is_instructor=True)
    learner = User(email="race-learner@example.org")
    learner.set_password(PASSWORD)
    db.session.add_all([teacher, learner])
    db.session.flush()
    quiz = Quiz(owner_id=teacher.id, title="Race", join_code="RACE2345", max_attempts=1)
    quiz.items = [QuizItem(position=0, format="year", prompt="When?", answers=["1948"], points=1),
                  QuizItem(position=1, format="year", prompt="And then?", answers=["1967"], points=1)]
    db.session.add(quiz)
    db.session.commit()
    browser = Browser(port)
    browser.request("POST", "/login", {"csrf_token": browser.csrf("/login"), "email": learner.email,
                                       "password": PASSWORD})
    status, location, _ = browser.request("POST", "/q/RACE2345/start", {"csrf_token": browser.csrf("/q/RACE2345")})
    assert status == 302 and location.endswith("/1")
    token = browser.csrf(location)
    answers = 16
    gate, results, lock = threading.Barrier(answers), [], threading.Lock()

    def send(year):
        gate.wait()
        answer = browser.request("POST", location, {"csrf_token": token, "response-0": year})
        with lock:
            results.append(answer[0])

    threads = [threading.Thread(target=send, args=(str(1940 + i),)) for i in range(answers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [302] * answers
    db.session.commit()
    attempt = db.session.execute(sa.select(Attempt).filter_by(quiz_id=quiz.id)).scalar_one()
    assert len(attempt.responses) == 1

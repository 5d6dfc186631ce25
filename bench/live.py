"""300 learners in one live class game, against `make serve`'s gunicorn configuration on a free port.

gunicorn runs with gunicorn.conf.py as shipped (gthread, one worker a core, 2 threads each) on a
SQLite database (`BENCH_LIVE_DATABASE_URL=postgresql+psycopg://...` for PostgreSQL). The learners are
greenlets (gevent, geventhttpclient), each with its own keep-alive connection, doing what the phone's
page does: open the join page, join, load the game, then poll the state every second with If-None-Match
and answer each question once, at a random moment while answers are open. Some answers are sent twice,
at once over a second connection, as a double tap on a flaky network would. A few learners join late.
The presenter polls as its screen does (every 500 ms) and moves the game on.

Figures: every answer acknowledged is in the database exactly once and nothing else is; the presenter's
count reaches each answer within 1 s of its acknowledgement; p99 of learner requests under 300 ms.
Sign-ins are not part of it: each learner's session cookie is made with the app's own signer.

Run: .venv/bin/python -m bench.live (also part of `make bench`); writes bench/results/live.json.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import runpy
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
import gevent.lock
import sqlalchemy as sa
from flask_migrate import upgrade
from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPConnectionClosed
from sqlalchemy import func, select

from bench import common
from bench.serving import free_port
from quizapp import create_app
from quizapp.facts import load_subject
from quizapp.generate import build_bank
from quizapp.models import LiveAnswer, LivePlayer, LiveSession, Question, Quiz, QuizItem, Response, User, db
from quizapp.store import store_subject

LEARNERS = int(os.environ.get("BENCH_LIVE_LEARNERS", 300))
LATE = LEARNERS // 10  # join during the second question
QUESTIONS = int(os.environ.get("BENCH_LIVE_QUESTIONS", 5))
SECONDS = 20  # to answer each question
ANSWER_WITHIN = 12.0  # learners answer at a random moment this many seconds after answers open
DOUBLE_TAP = 0.1  # the share of answers sent twice at once
POLL_S = 1.0  # as static/live.js polls on a phone
HOST_POLL_S = 0.5  # and on the presenter's screen
SECRET = "bench-live"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
CSRF_DATA = re.compile(r'data-csrf="([^"]+)"')


def prepare(url: str) -> tuple[int, dict[int, str], str]:
    """The bank, a teacher with a quiz of QUESTIONS bank questions, LEARNERS learners; their session cookies."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "CLI_ONLY": True})
    signer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        upgrade()
        subject = load_subject(ROOT / "questions" / "israel-russia")
        store_subject(subject, build_bank(subject))
        teacher = User(email="teacher@example.org", password_hash="unused", is_instructor=True)
        db.session.add(teacher)
        db.session.flush()
        picked = db.session.execute(select(Question).filter_by(format="choice").order_by(Question.id)
                                    .limit(QUESTIONS)).scalars().all()
        quiz = Quiz(owner_id=teacher.id, title="Live benchmark", join_code="BENCHLV2", max_attempts=1)
        quiz.items = [QuizItem(position=i, format="choice", prompt=q.prompt, choices=list(q.choices),
                               answers=[q.answer], explanation=q.explanation, question_id=q.id, points=1)
                      for i, q in enumerate(picked)]
        db.session.add(quiz)
        users = [User(email=f"live{i:03d}@example.org", password_hash="unused") for i in range(LEARNERS)]
        db.session.add_all(users)
        db.session.commit()
        cookies = {u.id: signer.dumps({"_user_id": f"{u.id}:0", "_fresh": True}) for u in users}
        host = signer.dumps({"_user_id": f"{teacher.id}:0", "_fresh": True})
        quiz_id = quiz.id
        db.engine.dispose()
    return quiz_id, cookies, host


class Browser:
    """One device: a keep-alive connection and the session cookie, with each request's time recorded."""

    def __init__(self, port: int, cookie: str, timings: list | None):
        self.client = HTTPClient("127.0.0.1", port, concurrency=1, connection_timeout=30, network_timeout=60)
        self.cookie = cookie
        self.timings = timings
        self.retries = 0

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None,
                kind: str = "") -> tuple[int, dict, bytes, float]:
        sent = time.monotonic()
        all_headers = {"Cookie": f"session={self.cookie}", **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                response = self.client.request(method, path, body=body, headers=all_headers)
                data = response.read()
                break
            except (HTTPConnectionClosed, ConnectionError):
                # the server closed a kept-alive connection as this request went out: a browser sends it
                # again on a new connection (an answer too: the server counts it once either way)
                self.retries += 1
                if attempt == 2:
                    raise
        done = time.monotonic()
        heads = {k.lower(): v for k, v in response.headers}
        for k, v in response.headers:
            if k.lower() == "set-cookie" and v.startswith("session="):
                self.cookie = v.split(";", 1)[0].split("=", 1)[1]
        if self.timings is not None:
            self.timings.append((kind or method, (done - sent) * 1000, response.status_code))
        return response.status_code, heads, data, done


def form(**fields) -> str:
    return urlencode(fields, doseq=True)


class Game:
    """What the run shares: the code, the timings, the acknowledged answers, the presenter's view."""

    def __init__(self, port: int):
        self.port = port
        self.code = None
        self.timings: list = []
        self.acks: dict[tuple[int, int], tuple[str, float]] = {}  # (user, item) -> (answer, acknowledged at)
        self.sent: dict[tuple[int, int], str] = {}  # (user, item) -> the choice sent
        self.statuses: dict[int, int] = {}
        self.duplicates = 0
        self.already: set[tuple[int, int]] = set()
        self.refused = 0
        self.host_polls: list[tuple[float, int | None, int]] = []  # (received at, item id, answered)
        self.ended = False
        self.question_number = 0


def learner(game: Game, user_id: int, cookie: str, start_after: float) -> None:
    gevent.sleep(start_after)
    browser = Browser(game.port, cookie, game.timings)
    status, _, page, _ = browser.request("GET", f"/live/{game.code}", kind="join page")
    token = CSRF_INPUT.search(page.decode()).group(1)
    status, _, _, _ = browser.request("POST", f"/live/{game.code}", form(
        csrf_token=token, code=game.code, nickname=f"player {user_id}"), kind="join")
    assert status == 302, status
    status, _, page, _ = browser.request("GET", f"/live/{game.code}", kind="game page")
    csrf = CSRF_DATA.search(page.decode()).group(1)
    etag, answered = None, set()
    rng = random.Random(user_id)
    while not game.ended:
        status, heads, data, received = browser.request(
            "GET", f"/live/{game.code}/state", headers={"If-None-Match": etag} if etag else {}, kind="poll")
        if status == 200:
            etag = heads.get("etag")
            state = json.loads(data)
            if state["phase"] == "ended":
                break
            question = state["question"]
            if state["phase"] in ("ready", "open") and question and question["item_id"] not in answered \
                    and not state["me"]["answered"]:
                answered.add(question["item_id"])
                at = received + state["opens_in_ms"] / 1000 + rng.uniform(0.3, ANSWER_WITHIN)
                gevent.spawn(answer, game, browser, user_id, csrf, question, at, rng.random() < DOUBLE_TAP)
        gevent.sleep(POLL_S * rng.uniform(0.9, 1.1))


def answer(game: Game, browser: Browser, user_id: int, csrf: str, question: dict, at: float, twice: bool) -> None:
    gevent.sleep(max(0.0, at - time.monotonic()))
    choice = random.Random(user_id * 7919 + question["item_id"]).choice(question["choices"])
    body = form(csrf_token=csrf, item=question["item_id"], response=choice)
    key = (user_id, question["item_id"])
    game.sent[key] = choice

    def send(b: Browser):
        status, _, data, done = b.request("POST", f"/live/{game.code}/answer", body,
                                       headers={"Accept": "application/json"}, kind="answer")
        game.statuses[status] = game.statuses.get(status, 0) + 1
        if status == 200:
            if key in game.acks:
                game.duplicates += 1  # counted twice: the run fails below
            game.acks[key] = (choice, done)
        elif status == 409 and b"already answered" in data:
            game.already.add(key)  # a double tap's second, or a resend whose first answer was counted
        else:
            game.refused += 1

    if twice:
        second = Browser(game.port, browser.cookie, game.timings)
        gevent.joinall([gevent.spawn(send, browser), gevent.spawn(send, second)])
    else:
        send(browser)


def presenter(game: Game, session_id: int, cookie: str) -> None:
    browser = Browser(game.port, cookie, None)
    _, _, page, _ = browser.request("GET", f"/live/host/{session_id}")
    token = CSRF_INPUT.search(page.decode()).group(1)
    latest = {}
    lock = gevent.lock.Semaphore()

    def poll():
        etag = None
        while not game.ended:
            status, heads, data, received = browser_poll.request(
                "GET", f"/live/host/{session_id}/state", headers={"If-None-Match": etag} if etag else {})
            if status == 200:
                etag = heads.get("etag")
                with lock:
                    latest.update(json.loads(data))
            q = latest.get("question")
            game.host_polls.append((received, q["item_id"] if q else None, latest.get("answered", 0)))
            gevent.sleep(HOST_POLL_S)

    def act(action: str) -> dict:
        status, _, data, _ = browser.request("POST", f"/live/host/{session_id}/{action}",
                                             form(csrf_token=token), headers={"Accept": "application/json"})
        assert status == 200, (action, status, data[:200])
        return json.loads(data)

    browser_poll = Browser(game.port, cookie, None)
    poller = gevent.spawn(poll)
    early = LEARNERS - LATE
    waiting = time.monotonic() + 90
    while latest.get("player_count", 0) < early and time.monotonic() < waiting:
        gevent.sleep(0.5)
    for number in range(1, QUESTIONS + 1):
        game.question_number = number
        state = act("next")
        item = state["question"]["item_id"]
        deadline = time.monotonic() + live_lead() + SECONDS + 2
        while time.monotonic() < deadline:
            if latest.get("phase") == "closed" and latest.get("question", {}).get("item_id") == item:
                break
            gevent.sleep(0.2)
        gevent.sleep(1.0)  # the histogram on the screen
        act("reveal")
        gevent.sleep(2.0)
        act("leaderboard")
        gevent.sleep(2.0)
    act("next")  # past the last question: the game ends
    gevent.sleep(POLL_S * 2)  # the phones see the end
    game.ended = True
    poller.join()


def live_lead() -> float:
    from quizapp import live

    return live.LEAD.total_seconds()


def fresh_schema(base: str):
    """A new PostgreSQL schema for the run, and a function that drops it."""
    name = f"bench_live_{os.getpid()}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))

    def drop():
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()

    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}", drop


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user and system) used so far by a process and its children (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0.0
    for child in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def presenter_lag(game: Game) -> list[float]:
    """For each acknowledged answer, ms from its acknowledgement until the presenter's screen counted it.

    The k-th answer to an item acknowledged at t is counted once a presenter poll received after t shows
    at least k answers to that item.
    """
    lags = []
    by_item: dict[int, list[float]] = {}
    for (_, item), (_, at) in game.acks.items():
        by_item.setdefault(item, []).append(at)
    for item, times in by_item.items():
        polls = [(t, n) for t, i, n in game.host_polls if i == item]
        for k, at in enumerate(sorted(times), start=1):
            seen = next((t for t, n in polls if t >= at and n >= k), None)
            lags.append((seen - at) * 1000 if seen is not None else float("inf"))
    return lags


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def check_database(url: str, game: Game, session_id: int) -> dict:
    """What the database holds for the game, against what the learners were told."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "CLI_ONLY": True})
    with app.app_context():
        rows = db.session.execute(select(LivePlayer.user_id, LiveAnswer.item_id, LiveAnswer.answer)
                                  .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
                                  .where(LiveAnswer.session_id == session_id)).all()
        responses = db.session.execute(select(func.count()).select_from(Response).join(
            LivePlayer, LivePlayer.attempt_id == Response.attempt_id).where(LivePlayer.session_id == session_id)) \
            .scalar_one()
        players = db.session.execute(select(func.count()).select_from(LivePlayer).filter_by(session_id=session_id)) \
            .scalar_one()
        phase = db.session.get(LiveSession, session_id).phase
        db.engine.dispose()
    stored = {(u, i): a for u, i, a in rows}
    acked = {k: game.sent[k] for k in game.acks.keys() | game.already}
    return {"answers_counted": len(rows), "responses_stored": responses, "players": players, "phase": phase,
            "distinct_pairs": len(stored), "matches_acknowledged": stored == acked, "acknowledged": len(acked)}


def main() -> dict:
    load_before = os.getloadavg()
    started = time.monotonic()
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, drop = os.environ.get("BENCH_LIVE_DATABASE_URL") or f"sqlite:///{folder / 'live.db'}", None
        if url.startswith("postgresql"):
            url, drop = fresh_schema(url)
        quiz_id, cookies, host_cookie = prepare(url)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "QUIZAPP_BIND": f"127.0.0.1:{port}",
               "QUIZAPP_SESSION_COOKIE_SECURE": "false", "PYTHONPATH": str(ROOT)}
        log = open(folder / "gunicorn.log", "w")
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                                   "quizapp:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            game = Game(port)
            host = Browser(port, host_cookie, None)
            for _ in range(300):
                try:
                    host.request("GET", "/")
                    break
                except OSError:
                    time.sleep(0.1)
            _, _, page, _ = host.request("GET", f"/live/quizzes/{quiz_id}")
            token = CSRF_INPUT.search(page.decode()).group(1)
            status, heads, _, _ = host.request("POST", f"/live/quizzes/{quiz_id}",
                                               form(csrf_token=token, seconds=SECONDS))
            session_id = int(heads["location"].rstrip("/").rsplit("/", 1)[1])
            _, _, page, _ = host.request("GET", f"/live/host/{session_id}")
            game.code = re.search(r'id="game-code">([A-Z0-9]+)<', page.decode()).group(1)
            workers = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]  # as served
            ids = list(cookies)
            early, late = ids[:LEARNERS - LATE], ids[LEARNERS - LATE:]
            greenlets = [gevent.spawn(learner, game, uid, cookies[uid], random.uniform(0, 10)) for uid in early]
            host_greenlet = gevent.spawn(presenter, game, session_id, host_cookie)

            def late_joiners():
                while game.question_number < 2:
                    gevent.sleep(0.2)
                gevent.sleep(live_lead() + 1)
                return [gevent.spawn(learner, game, uid, cookies[uid], random.uniform(0, 4)) for uid in late]

            late_spawner = gevent.spawn(late_joiners)
            host_greenlet.join()
            gevent.joinall(greenlets + (late_spawner.value or []), timeout=30)
            if not host_greenlet.successful():
                raise RuntimeError(f"the presenter failed: {host_greenlet.exception!r}")
        finally:
            server_cpu = tree_cpu_seconds(server.pid)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            log.close()
        checked = check_database(url, game, session_id)
        if drop:
            drop()
        server_log = (folder / "gunicorn.log").read_text()
        errors = server_log.count("Traceback")
        # the server's own time for the learners' requests (gunicorn's access log, %(M)s): what the
        # learners' figures add to it is the network and the load generator's own waits for a CPU
        served_by_kind: dict[str, list[int]] = {}
        for m in re.finditer(r'"(GET|POST) /live/(?!host/|quizzes/)[A-Z0-9]+(/state|/answer)? [^"]*" \d+ \S+ (\d+)ms',
                             server_log):
            kind = {"/state": "poll", "/answer": "answer"}.get(m.group(2) or "", f"{m.group(1)} join or game page")
            served_by_kind.setdefault(kind, []).append(int(m.group(3)))
        served = [ms for v in served_by_kind.values() for ms in v]
    load_after = os.getloadavg()
    own = resource.getrusage(resource.RUSAGE_SELF)
    generator_cpu = own.ru_utime + own.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime
    latencies = [ms for _, ms, _ in game.timings]
    by_kind: dict[str, list[float]] = {}
    for kind, ms, _ in game.timings:
        by_kind.setdefault(kind, []).append(ms)
    server_errors = sum(1 for _, _, s in game.timings if s >= 500)
    lags = presenter_lag(game)
    figures = {
        "learners": LEARNERS,
        "late_joiners": LATE,
        "questions": QUESTIONS,
        "answers_sent": len(game.sent),
        "answers_acknowledged": checked["acknowledged"],
        "answers_acknowledged_only_as_already_answered": len(game.already - game.acks.keys()),
        "answers_counted": checked["answers_counted"],
        "responses_stored": checked["responses_stored"],
        "stored_equals_acknowledged": checked["matches_acknowledged"],
        "double_taps_counted_twice": game.duplicates,
        "answer_statuses": {str(k): v for k, v in sorted(game.statuses.items())},
        "p99_ms": round(percentile(latencies, 99), 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "server_p50_ms": percentile(served, 50),
        "server_p99_ms": percentile(served, 99),
        "server_by_kind": {k: {"requests": len(v), "p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99)}
                           for k, v in sorted(served_by_kind.items())},
        "cpu_seconds": {"server": round(server_cpu, 1), "load_generator": round(generator_cpu, 1),
                        "server_ms_per_learner_request": round(1000 * server_cpu / max(1, len(served)), 2)},
        "by_kind": {k: {"requests": len(v), "p50_ms": round(percentile(v, 50), 1),
                        "p99_ms": round(percentile(v, 99), 1), "max_ms": round(max(v), 1)}
                    for k, v in sorted(by_kind.items())},
        "learner_requests": len(latencies),
        "not_modified_share": round(sum(1 for k, _, s in game.timings if k == "poll" and s == 304)
                                    / max(1, len(by_kind.get("poll", []))), 3),
        "server_errors": server_errors,
        "tracebacks_in_server_log": errors,
        "presenter_lag_ms": {"max": round(max(lags), 1) if lags else None,
                             "p99": round(percentile(lags, 99), 1), "p50": round(percentile(lags, 50), 1)},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "seconds": round(time.monotonic() - started, 1),
        "setup": f"gunicorn.conf.py as shipped ({workers} gthread workers x 2 threads) on loopback, "
                 f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}; learners poll every {POLL_S} s, "
                 f"the presenter every {HOST_POLL_S} s; {int(DOUBLE_TAP * 100)}% of answers sent twice at once",
        "goal": "every answer counted exactly once; presenter's count within 1 s of each answer; learner p99 < 300 ms",
    }
    figures["goal_met"] = bool(
        figures["answers_counted"] == figures["answers_acknowledged"] == figures["answers_sent"]
        and figures["stored_equals_acknowledged"] and figures["responses_stored"] == figures["answers_counted"]
        and not game.duplicates and lags and max(lags) <= 1000 and figures["p99_ms"] < 300 and not server_errors)
    print(f"{LEARNERS} learners, {QUESTIONS} questions: {figures['answers_sent']} answers sent, "
          f"{figures['answers_acknowledged']} acknowledged, {figures['answers_counted']} counted in the database "
          f"(statuses {figures['answer_statuses']})")
    print(f"learner requests: {len(latencies)}, p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms "
          f"(in the server: p50 {figures['server_p50_ms']} ms, p99 {figures['server_p99_ms']} ms); "
          f"CPU: server {figures['cpu_seconds']['server']} s, "
          f"load generator {figures['cpu_seconds']['load_generator']} s; "
          f"presenter lag max {figures['presenter_lag_ms']['max']} ms; load average {load_before[0]:.2f} -> "
          f"{load_after[0]:.2f}; goal met: {figures['goal_met']}")
    common.write("live" if url.startswith("sqlite") else "live_postgresql", figures)
    return figures


if __name__ == "__main__":
    main()

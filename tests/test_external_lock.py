"""A lock held outside the app: another process sits in BEGIN EXCLUSIVE on the SQLite file.

Against gunicorn with the production settings (`gunicorn.conf.py`, 2 workers), every request answers within the
busy timeout (plus a generous margin): writers with 503 and Retry-After, readers served as usual.
"""

import http.client
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest

from quizapp import create_app
from quizapp.database import WriteGate
from quizapp.models import db
from tests.conftest import app_config
from tests.test_concurrency import ROOT, learners_with_tokens, serving

BUSY_TIMEOUT = 2.0  # seconds, given to the server as QUIZAPP_SQLITE_BUSY_TIMEOUT_MS
HOLD = 10.0  # how long the other process keeps the database locked: several busy timeouts
MARGIN = 3.0  # for a loaded machine; before the fix requests waited one busy timeout per writer ahead
WRITERS, READERS = 6, 2  # more writers than gunicorn workers (2), as in the attack


def sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("a lock held outside the app through SQLite's own locking; PostgreSQL has no such file")
    return database_url.removeprefix("sqlite:///")


@contextmanager
def held_elsewhere(path: str):
    """Another connection, in this process (not a worker of the server), holds the write lock."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def timed(port, method, path, token=None):
    """(start, end, status, Retry-After) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start = time.monotonic()
    conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
    response = conn.getresponse()
    response.read()
    end = time.monotonic()
    conn.close()
    return start, end, response.status, response.getheader("Retry-After")


def test_a_lock_held_outside_the_app_bounds_every_request_and_readers_are_served(app, database_url, tmp_path):
    path = sqlite_path(database_url)
    tokens = [token for _, token in learners_with_tokens(WRITERS + READERS)]
    writes = [("POST", "/api/v1/undo", token) for token in tokens[:WRITERS]]
    reads = [("GET", "/api/v1/decks", tokens[WRITERS]), ("GET", "/", None)][:READERS]
    settings = {"QUIZAPP_SQLITE_BUSY_TIMEOUT_MS": str(int(BUSY_TIMEOUT * 1000))}
    with serving(database_url, tmp_path / "gunicorn.log", "-c", str(ROOT / "gunicorn.conf.py"), env=settings) \
            as (_, port):
        for method, url, token in writes + reads:  # every worker warm, every caller known
            assert timed(port, method, url, token)[2] == 200
        results: dict[str, list] = {"write": [], "read": []}
        stop = threading.Event()

        def keep_sending(kind, method, url, token):
            while not stop.is_set():
                results[kind].append(timed(port, method, url, token))

        threads = [threading.Thread(target=keep_sending, args=("write", *w)) for w in writes] + \
                  [threading.Thread(target=keep_sending, args=("read", *r)) for r in reads]
        with held_elsewhere(path):
            for t in threads:
                t.start()
            time.sleep(HOLD)
            stop.set()
            released_at = time.monotonic()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)

        slowest = {kind: max(end - start for start, end, *_ in answered) for kind, answered in results.items()}
        for kind, answered in results.items():
            print(f"\n{kind}s: {len(answered)} answered, statuses {sorted({s for *_, s, _ in answered})}, "
                  f"slowest {slowest[kind]:.2f} s")
        for kind, seconds in slowest.items():
            assert seconds < BUSY_TIMEOUT + MARGIN, f"a {kind} waited {seconds:.1f} s"
        # writers answered while the lock was held: refused clearly, never left waiting in line
        refused = [r for r in results["write"] if r[1] < released_at]
        assert len(refused) >= WRITERS
        assert {(status, retry) for *_, status, retry in refused} == {(503, "5")}
        # readers: served throughout, and never held up by the writers
        assert {status for *_, status, _ in results["read"]} == {200}
        assert slowest["read"] < BUSY_TIMEOUT
        served_while_locked = [r for r in results["read"] if r[1] < released_at]
        assert len(served_while_locked) >= 3 * READERS

        # once the lock is gone, writing works again
        deadline = time.monotonic() + BUSY_TIMEOUT + MARGIN
        while timed(port, *writes[0])[2] != 200:
            assert time.monotonic() < deadline, "writes still refused after the lock was released"
            time.sleep(0.1)


def test_a_writer_queued_behind_one_that_waits_out_the_lock_gives_up_at_its_own_timeout(app, database_url, clock):
    """The gate is held by another worker's writer (waiting out the lock held elsewhere): a request
    queued behind it answers 503 once its own busy timeout has passed, not once the other has given up."""
    path = sqlite_path(database_url)
    (_, token), = learners_with_tokens(1)
    impatient = create_app(app_config(database_url, SQLITE_BUSY_TIMEOUT_MS=1000, CLOCK=clock))
    other_worker = WriteGate(f"{path}.write-gate")
    answered = []
    with held_elsewhere(path):
        other_worker.acquire()
        try:
            request = threading.Thread(target=lambda: answered.append(timed_in_process(impatient, token)))
            request.start()
            request.join(timeout=10)
        finally:
            other_worker.release()
        request.join(timeout=30)
    (seconds, status, retry), = answered
    assert (status, retry) == (503, "5")
    assert 0.9 < seconds < 1 + MARGIN
    with impatient.app_context():
        db.engine.dispose()


def timed_in_process(app, token):
    """(seconds, status, Retry-After) of a write through the app's test client."""
    start = time.monotonic()
    response = app.test_client().post("/api/v1/undo", headers={"Authorization": f"Bearer {token}"})
    return time.monotonic() - start, response.status_code, response.headers.get("Retry-After")


def test_a_waiter_at_the_write_gate_gives_up_at_its_timeout_and_the_gate_passes_on(tmp_path):
    """Three gates on one file stand for three workers: the second times out, the third gets in once
    the first leaves, and the second's abandoned place in the queue does not keep the gate shut."""
    first, second, third = (WriteGate(str(tmp_path / "db.write-gate")) for _ in range(3))
    assert first.acquire(timeout=1)
    start = time.monotonic()
    assert second.acquire(timeout=0.3) is False
    assert 0.25 < time.monotonic() - start < 2
    entered = threading.Event()
    waiter = threading.Thread(target=lambda: third.acquire(timeout=10) and (entered.set(), third.release()))
    waiter.start()
    time.sleep(0.2)
    assert not entered.is_set()
    first.release()
    waiter.join(timeout=5)
    assert entered.is_set()
    assert second.acquire(timeout=5)  # its own abandoned wait gave the lock back, and it may queue again
    other_thread = []
    waiter = threading.Thread(target=lambda: other_thread.append(second.acquire(timeout=0.2)))
    waiter.start()
    waiter.join(timeout=5)
    assert other_thread == [False]  # threads of one process queue with a timeout too
    second.release()
    assert first.acquire(timeout=0)
    first.release()


def test_the_page_a_form_is_answered_with_is_read_without_the_write_lock(app, database_url):
    """After its writes (finish_writing), a request that renders the next card or question reads in a
    transaction of its own: other writers need not wait for its page."""
    import sqlalchemy as sa

    from quizapp.database import finish_writing
    from quizapp.models import Subject

    path = sqlite_path(database_url)

    def others_may_write() -> bool:
        conn = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()

    with app.test_request_context("/study/x/y/review", method="POST"):
        subject = db.session.execute(sa.select(Subject)).scalars().first()
        title = subject.title
        subject.title = title + " (renamed)"
        db.session.flush()
        assert not others_may_write()  # the request holds the write lock while it writes
        finish_writing()
        assert subject.title == title + " (renamed)"  # what it loaded stays loaded
        db.session.execute(sa.select(Subject.id)).all()  # reading for the page it answers with
        assert others_may_write()
        db.session.rollback()
    with app.test_request_context("/"):
        renamed = db.session.execute(sa.select(Subject).filter_by(id=subject.id)).scalar_one()
        assert renamed.title == title + " (renamed)"  # committed
        renamed.title = title
        db.session.commit()

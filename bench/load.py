"""What the capacity benchmarks share: a database with many learners already logged in, gunicorn with
`make serve`'s configuration (gunicorn.conf.py) on a free port, browsers driven by asyncio, the workers'
own CPU time, and the search for the largest number of learners that passes.

Load goes to 127.0.0.1 only. The load generator shares the machine's cores with the server, so what
the server costs is read from its workers' own CPU time (``/proc/<pid>/stat``), which the load
generator cannot distort.
"""

from __future__ import annotations

import errno
import html
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SUBJECT = ROOT / "questions" / "israel-russia"
SECRET = "bench-secret"
USER_AGENT = "quizapp-bench"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_speed() -> float:
    """Milliseconds this machine takes for a fixed pure-Python loop (a million additions, best of five),
    recorded beside each trial: the machine's speed drifts by half or more between hours, and figures
    taken at different speeds compare only through it (lower is faster)."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database -------------------------------------------------------------------------------------------

@contextmanager
def database(kind: str, folder: Path):
    """A fresh migrated database with the bank loaded: a SQLite file, or a schema of its own on PostgreSQL
    (dropped afterwards). Yields its URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def bench_app(url: str):
    from quizapp import create_app

    return create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "CLI_ONLY": True})


def migrate_and_load(app) -> None:
    from flask_migrate import upgrade

    from quizapp.facts import load_subject
    from quizapp.generate import build_bank
    from quizapp.models import db
    from quizapp.store import store_subject

    with app.app_context():
        upgrade()
        subject = load_subject(SUBJECT)
        store_subject(subject, build_bank(subject))
        db.session.commit()


def add_learners(app, count: int, prefix: str = "learner") -> list[int]:
    """``count`` confirmed learners (one insert); their ids. Their password hash is never checked."""
    from quizapp.models import User, db

    with app.app_context():
        first = (db.session.execute(sa.select(sa.func.max(User.id))).scalar() or 0) + 1
        db.session.execute(sa.insert(User), [
            {"email": f"{prefix}{first + i}@example.org", "password_hash": "not-a-hash"} for i in range(count)])
        db.session.commit()
        return list(db.session.execute(sa.select(User.id).where(User.id >= first).order_by(User.id)).scalars())


def session_cookies(app, user_ids: list[int]) -> dict[int, str]:
    """The session cookie each learner's browser holds after logging in (Flask-Login's login_user, with the
    CSRF secret already made), signed as the server signs it: the learners are already logged in."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from quizapp.models import User, db

    cookies = {}
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        users = db.session.execute(sa.select(User).where(User.id.in_(user_ids))).scalars().all()
        for user in users:
            with app.test_request_context("/", headers={"User-Agent": USER_AGENT},
                                          environ_base={"REMOTE_ADDR": "127.0.0.1"}):
                login_user(user)
                generate_csrf()
                cookies[user.id] = serializer.dumps(dict(session))
    return cookies


# --- the server ---------------------------------------------------------------------------------------------

@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path | None = None  # gunicorn's own log (its errorlog: workers booting and exiting, errors)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                fields = _stat(int(entry.name))
                if fields and int(fields[1]) == self.process.pid:  # ppid
                    pids.append(int(entry.name))
        return pids

    def worker_cpu(self) -> dict[int, float]:
        """Each live worker's user and system CPU seconds so far, by pid."""
        found = {}
        for pid in self.worker_pids():
            fields = _stat(pid)
            if fields:
                found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
        return found

    def cpu_seconds(self) -> float:
        """User and system CPU time of the workers so far (the arbiter only watches them), those recycled
        included: the kernel adds a worker's time to the arbiter's children's once the arbiter has reaped it
        (without them, a worker recycled during a trial took all its time away from the trial's total)."""
        fields = _stat(self.process.pid)
        reaped = (int(fields[13]) + int(fields[14])) / CLOCK_TICKS if fields else 0.0  # cutime, cstime
        return reaped + sum(self.worker_cpu().values())


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command's name (the 3rd field is the first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


@contextmanager
def serve(url: str, folder: Path, workers: int | None = None, extra_env: dict | None = None):
    """gunicorn with gunicorn.conf.py (`make serve`'s settings) on a free loopback port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "QUIZAPP_SESSION_COOKIE_SECURE": "false",
           "QUIZAPP_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if workers:
        env["QUIZAPP_WORKERS"] = str(workers)
    log_path = folder / f"gunicorn-{port}.log"
    log = open(log_path, "w")
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "quizapp:create_app()"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None:
                    log_text = log_path.read_text()
                    raise RuntimeError("gunicorn did not start: " + log_text) from None
                time.sleep(0.1)
        time.sleep(0.5)  # every worker has loaded the app
        yield Server(process, port, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# --- browsers -----------------------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


THEN = re.compile(r'<input type="hidden" name="then" value="(\w+)">')


def then_of(page: str) -> dict:
    """The hidden ``then`` field of the page's form, as the browser sends it: what the page asks the server to
    answer with (the next card or question in the response itself, rather than a redirect to it)."""
    match = THEN.search(page)
    return {"then": match[1]} if match else {}


def csrf_of(page: str) -> str:
    match = CSRF.search(page)
    if not match:
        raise ValueError("no CSRF token on the page")
    return html.unescape(match[1] or match[2])


@dataclass
class Tally:
    """Latencies by page, and the errors, of one run."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    retried: int = 0  # requests sent again after the server closed an idle kept-alive connection under them

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def error(self, name: str, what: str) -> None:
        self.errors[name] = self.errors.get(name, 0) + 1
        if len(self.samples) < 10:
            self.samples.append(f"{name}: {what}")

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


class Failed(Exception):
    pass


class Browser:
    """One learner's browser: its own session cookie, requests timed one by one, redirects followed by hand."""

    def __init__(self, http, base: str, cookie: str, tally: Tally):
        self.http, self.base, self.cookie, self.tally = http, base, cookie, tally

    async def request(self, name: str, method: str, path: str, data: dict | None = None,
                      expect: int | tuple[int, ...] = 200) -> tuple[str, str | None, float]:
        """(body, Location, seconds); Failed (counted) on an unexpected status (``expect``: one or several) or a
        broken connection.

        A kept-alive connection that the server closed as idle just as the request went out (disconnected, or
        reset) is retried once, as browsers do when a reused connection closes before any
        response (counted in ``Tally.retried``); aiohttp itself retries only GET and HEAD."""
        from aiohttp import ServerDisconnectedError

        started = time.perf_counter()
        for retry in (False, True):
            try:
                async with self.http.request(method, self.base + path, data=data, allow_redirects=False,
                                             headers={"Cookie": f"session={self.cookie}",
                                                      "User-Agent": USER_AGENT}) as response:
                    body = await response.text()
                    status = response.status
                    location = response.headers.get("Location")
                    for value in response.headers.getall("Set-Cookie", []):
                        if value.startswith("session="):
                            self.cookie = value.split(";", 1)[0].split("=", 1)[1]
                break
            except (ServerDisconnectedError, TimeoutError, OSError) as error:
                closed = isinstance(error, ServerDisconnectedError) or getattr(error, "errno", None) == errno.ECONNRESET
                if retry or not closed:
                    self.tally.error(name, repr(error))
                    raise Failed(name) from None
                self.tally.retried += 1
        seconds = time.perf_counter() - started
        if status not in (expect if isinstance(expect, tuple) else (expect,)):
            self.tally.error(name, f"{method} {path}: {status} {body[:200]!r}")
            raise Failed(name)
        self.tally.add(name, seconds)
        if location and location.startswith(self.base):
            location = location[len(self.base):]
        return body, location, seconds


def http_session(timeout: float = 60.0):
    import aiohttp

    # idle connections are let go after 4 s, before the server's 5 s keep-alive closes them under a request
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False, keepalive_timeout=4.0),
                                 cookie_jar=aiohttp.DummyCookieJar(),
                                 timeout=aiohttp.ClientTimeout(total=timeout))


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


# --- the search ---------------------------------------------------------------------------------------------

def search(trial, start: int, ceiling: int, resolution: float = 0.1, budget_s: float = 600) -> tuple[int, list]:
    """The largest N for which ``trial(N)`` passes: double from ``start`` until a failure (or ``ceiling``), then
    bisect until the gap is within ``resolution`` of N, or the time ``budget_s`` is spent. ``trial`` returns a
    dict with a boolean ``passed``. Returns (largest passing N, 0 when none; every trial)."""
    began = time.monotonic()
    trials = []
    good, bad = 0, None
    n = start
    while True:
        result = trial(n)
        trials.append(result)
        if result["passed"]:
            good = n
            if n >= ceiling:
                break
            n = min(ceiling, n * 2)
        else:
            bad = n
            break
        if time.monotonic() - began > budget_s:
            break
    while bad is not None and bad - good > max(1, resolution * max(good, 1)) \
            and time.monotonic() - began < budget_s:
        n = (good + bad) // 2 if good else max(1, bad // 2)
        if good == 0 and n < 10:
            break
        result = trial(n)
        trials.append(result)
        if result["passed"]:
            good = n
        else:
            bad = n
    return good, trials


def search_database(kind: str, trial, setting, warm_up: tuple, start: int, ceiling: int, budget: float) -> dict:
    """The largest N that passes on one database: a fresh database, the bank loaded, gunicorn as shipped, one
    warm-up trial (so every worker has compiled its templates and statements), then the search.
    ``trial(app, server, n, setting, seed, quiet=False)`` runs one trial; ``warm_up`` is (n, setting) for the
    warm-up."""
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        app = bench_app(url)
        migrate_and_load(app)
        print(f"{kind}: searching from N={start}", flush=True)
        with serve(url, Path(tmp)) as server:
            trial(app, server, *warm_up, 0, quiet=True)
            seeds = iter(range(1, 1000))
            best, trials = search(lambda n: trial(app, server, n, setting, next(seeds)), start, ceiling,
                                  budget_s=budget)
        with app.app_context():
            from quizapp.models import db
            db.engine.dispose()
    passing = [t for t in trials if t["learners"] == best]
    return {"max_learners": best, "at_max": passing[0] if passing else None, "trials": trials}

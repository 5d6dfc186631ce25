"""Logging in before an exam: logins per second over HTTP against gunicorn.conf.py, what one password
check costs (argon2id at OWASP's parameters, against werkzeug's scrypt it replaces), and the workers' own
CPU time per login.

Run: .venv/bin/python -m bench.logins
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from bench import common, load

LEARNERS = 300
CONCURRENCY = int(os.environ.get("BENCH_LOGIN_CONCURRENCY", 30))
PASSWORD = "correct horse battery staple"


def cpu_per_check(check, stored: str, repeat: int = 20) -> float:
    """CPU seconds of one password check (the fastest batch of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(repeat):
            check(stored)
        best = min(best, (time.process_time() - started) / repeat)
    return best


async def log_in_all(server, emails: list[str], tally: load.Tally) -> None:
    queue = list(emails)

    async def worker(http):
        while queue:
            email = queue.pop()
            browser = load.Browser(http, server.base, "", tally)
            try:
                page, _, _ = await browser.request("login page", "GET", "/login")
                await browser.request("login", "POST", "/login", {"csrf_token": load.csrf_of(page), "email": email,
                                                                  "password": PASSWORD}, expect=302)
            except load.Failed:
                pass

    async with load.http_session() as http:
        await asyncio.gather(*(worker(http) for _ in range(CONCURRENCY)))


def main() -> dict:
    from quizapp.models import User, db, hash_password, password_matches

    loadavg, speed = load.load_average(), load.machine_speed()
    argon2_hash, scrypt_hash = hash_password(PASSWORD), generate_password_hash(PASSWORD, method="scrypt")
    argon2_ms = 1000 * cpu_per_check(lambda s: password_matches(s, PASSWORD), argon2_hash)
    scrypt_ms = 1000 * cpu_per_check(lambda s: check_password_hash(s, PASSWORD), scrypt_hash, repeat=5)
    with tempfile.TemporaryDirectory() as tmp, load.database("sqlite", Path(tmp)) as url:
        app = load.bench_app(url)
        load.migrate_and_load(app)
        ids = load.add_learners(app, LEARNERS, prefix="login")
        with app.app_context():
            db.session.execute(sa.update(User).where(User.id.in_(ids)).values(password_hash=argon2_hash))
            db.session.commit()
            emails = list(db.session.execute(sa.select(User.email).where(User.id.in_(ids))).scalars())
            db.engine.dispose()
        with load.serve(url, Path(tmp), extra_env={"QUIZAPP_THROTTLE_NAMESPACE": f"bench-{time.time_ns()}"}) \
                as server:
            tally = load.Tally()
            asyncio.run(log_in_all(server, emails[:30], tally))  # warm up
            cpu, started = server.cpu_seconds(), time.perf_counter()
            tally = load.Tally()
            asyncio.run(log_in_all(server, emails, tally))
            seconds, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
    logins = len(tally.times.get("login", []))
    figures = {
        "logins_per_second": round(logins / seconds, 1),
        "load_average_at_start": loadavg, "machine_speed_ms": speed,
        "setup": f"{LEARNERS} learners log in (login page, then the form) over {CONCURRENCY} connections at once, "
                 "gunicorn.conf.py on loopback, SQLite, the load generator on the same cores",
        "logins": logins, "errors": tally.error_count, "error_samples": tally.samples,
        "login_p50_ms": load.ms(load.percentile(tally.times.get("login", []), 50)),
        "login_p99_ms": load.ms(load.percentile(tally.times.get("login", []), 99)),
        "server_cpu_ms_per_login": round(1000 * cpu / max(logins, 1), 1),
        # what the cores would manage with nothing else running: read from the workers' own CPU time
        "logins_per_second_by_worker_cpu": round(os.cpu_count() * logins / cpu, 1) if cpu else None,
        "argon2id_check_cpu_ms": round(argon2_ms, 1),
        "argon2id_parameters": "m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet)",
        "scrypt_check_cpu_ms": round(scrypt_ms, 1),
        "scrypt_parameters": "werkzeug's default: N=32768, r=8, p=1",
        "minutes_for_2000_learners": round(2000 / (logins / seconds) / 60, 1) if logins else None,
    }
    print(f"logins: {figures['logins_per_second']}/s over HTTP ({figures['server_cpu_ms_per_login']} ms of worker "
          f"CPU each); a password check: argon2id {figures['argon2id_check_cpu_ms']} ms, scrypt "
          f"{figures['scrypt_check_cpu_ms']} ms; 2,000 learners log in within {figures['minutes_for_2000_learners']} "
          f"min")
    common.write("logins", figures)
    return figures


if __name__ == "__main__":
    main()

"""The review loop (next card, answer) under gunicorn with 2 workers and 50 concurrent learners,
against a bare Flask endpoint served the same way, in the same run; and a profile of the loop.

Load comes from locust in headless mode. Run: .venv/bin/python -m bench.serving
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from flask_migrate import upgrade

from bench import common
from bench import load as load_harness
from quizapp import create_app
from quizapp.facts import load_subject
from quizapp.generate import build_bank
from quizapp.models import ApiToken, User, db
from quizapp.store import store_subject

USERS = 50
SECONDS = int(os.environ.get("BENCH_SECONDS", 20))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))  # the machines are noisy: both legs, side by side, 3 times
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
SUBJECT = HERE.parent / "questions" / "israel-russia"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path) -> tuple[str, Path]:
    """A migrated SQLite database with the bank and 50 learners holding API tokens.

    The learners keep the default 20 new cards a day: after those, they work through their learning
    cards (each answered wrongly, so due again in a minute and served within the 20-minute look-ahead),
    which keeps the loop going for the whole run, as a real study session does.
    """
    url = f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "CLI_ONLY": True})
    tokens = folder / "tokens.txt"
    with app.app_context():
        upgrade()
        subject = load_subject(SUBJECT)
        store_subject(subject, build_bank(subject))
        lines = []
        for i in range(USERS):
            token = f"bench-token-{i:03d}-{'x' * 16}"
            user = User(email=f"bench{i}@example.org", password_hash="unused")
            db.session.add(user)
            db.session.flush()
            db.session.add(ApiToken(user_id=user.id, name="bench", digest=hashlib.sha256(token.encode()).hexdigest()))
            lines.append(token)
        db.session.commit()
        db.engine.dispose()
    tokens.write_text("\n".join(lines))
    return url, tokens


def serve(target: str, env: dict, folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # both served with the project's production settings (gunicorn.conf.py), on 2 workers
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(HERE.parent / "gunicorn.conf.py"), "-w", "2",
                                "-b", f"127.0.0.1:{port}", target],
                               cwd=folder, env={**os.environ, **env, "PYTHONPATH": str(HERE.parent)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # answering, even if with 404
        except OSError:
            time.sleep(0.1)
    return process, port


def load(locustfile: str, port: int, folder: Path, env: dict) -> dict:
    prefix = folder / Path(locustfile).stem
    subprocess.run([str(BIN / "locust"), "-f", str(HERE / locustfile), "--headless", "-u", str(USERS),
                    "-r", str(USERS), "-t", f"{SECONDS}s", "--host", f"http://127.0.0.1:{port}",
                    "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                   env={**os.environ, **env}, check=False, capture_output=True)
    with open(f"{prefix}_stats.csv") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    total = rows["Aggregated"]
    return {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "requests_per_s": round(float(total["Requests/s"]), 1),
            "p50_ms": float(total["50%"]), "p99_ms": float(total["99%"]),
            "by_name": {name: {"requests_per_s": round(float(r["Requests/s"]), 1), "p50_ms": float(r["50%"]),
                               "p99_ms": float(r["99%"])} for name, r in rows.items() if name != "Aggregated"}}


def profile(url: str) -> str:
    """Where the review loop spends its time, in-process, with pyinstrument."""
    from pyinstrument import Profiler

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "CLI_ONLY": True})
    client = app.test_client()
    headers = {"Authorization": "Bearer bench-token-000-" + "x" * 16}
    deck = "/api/v1/decks/israel-russia/all"
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(300):
        card = client.get(f"{deck}/next", headers=headers).json
        if card["done"]:
            break
        client.post(f"{deck}/answers", headers=headers, json={
            "question_id": card["question"]["id"], "token": card["token"], "response": "x"})
    profiler.stop()
    with app.app_context():
        db.engine.dispose()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def main() -> dict:
    loadavg, speed = load_harness.load_average(), load_harness.machine_speed()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, tokens = prepare(folder)
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "QUIZAPP_RATELIMIT_ENABLED": "false",
               "QUIZAPP_SESSION_COOKIE_SECURE": "false", "BENCH_TOKENS": str(tokens)}
        rounds = []
        for round_ in range(ROUNDS):
            results = {}
            for name, target, locustfile in (("bare_endpoint", "bench.bare_app:app", "locust_bare.py"),
                                             ("review_loop", "quizapp:create_app()", "locust_review.py")):
                process, port = serve(target, env, folder)
                workers = load_harness.Server(process, port)
                try:
                    time.sleep(3)  # every worker has loaded the app: its start is not the requests' cost
                    cpu = workers.cpu_seconds()
                    results[name] = load(locustfile, port, folder, env)
                    # the server's own cost, which the load generator on the same cores cannot distort
                    results[name]["server_cpu_ms_per_request"] = round(
                        1000 * (workers.cpu_seconds() - cpu) / max(results[name]["requests"], 1), 2)
                finally:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=20)
                r = results[name]
                print(f"round {round_ + 1} {name:14} {r['requests_per_s']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                      f"p99 {r['p99_ms']:6.1f} ms  ({r['requests']} requests, {r['failures']} failures)  "
                      f"server CPU {r['server_cpu_ms_per_request']} ms/request")
            results["server_cpu_ratio"] = round(results["review_loop"]["server_cpu_ms_per_request"]
                                                / results["bare_endpoint"]["server_cpu_ms_per_request"], 2)
            results["throughput_ratio"] = round(
                results["review_loop"]["requests_per_s"] / results["bare_endpoint"]["requests_per_s"], 3)
            rounds.append(results)
        text = profile(url)
    (common.RESULTS / "serving_profile.txt").write_text(text)
    # the round with the median ratio stands for the run; every round is kept
    results = sorted(rounds, key=lambda r: r["throughput_ratio"])[len(rounds) // 2]
    ratio = results["throughput_ratio"]
    figures = {
        "setup": f"gunicorn.conf.py with 2 workers on loopback, {USERS} locust users, {SECONDS} s per leg, "
                 f"{ROUNDS} rounds of both legs (the round with the median ratio reported), SQLite",
        **results,
        "load_average_at_start": loadavg, "machine_speed_ms": speed,
        "ratios_by_round": [r["throughput_ratio"] for r in rounds],
        "review_server_cpu_ms_per_request_by_round": [r["review_loop"]["server_cpu_ms_per_request"] for r in rounds],
        "bare_server_cpu_ms_per_request_by_round": [r["bare_endpoint"]["server_cpu_ms_per_request"] for r in rounds],
        "review_p99_by_round": [r["review_loop"]["p99_ms"] for r in rounds],
        "goal": "review loop >= 40% of the bare endpoint's throughput, p99 < 100 ms",
        "goal_met": ratio >= 0.4 and results["review_loop"]["p99_ms"] < 100,
    }
    print(f"ratios by round: {figures['ratios_by_round']}")
    print(f"review loop / bare endpoint throughput: {ratio:.2f} (goal >= 0.40); "
          f"review p99 {results['review_loop']['p99_ms']} ms (goal < 100 ms)")
    print("profile: bench/results/serving_profile.txt")
    common.write("serving", figures)
    return figures


if __name__ == "__main__":
    main()

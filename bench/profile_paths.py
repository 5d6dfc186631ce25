"""Where a quiz start, a quiz answer and a study card spend their time, in process (pyinstrument), with
the CPU time of each: .venv/bin/python -m bench.profile_paths [exam|study] (writes bench/results/*_profile.txt).

In process the test client's own work is counted too; the benchmarks read the server's cost from the
workers' CPU time instead. This is for finding where the time goes.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from bench import common, exam_day, load

ATTEMPT = re.compile(r"/attempts/(\d+)/1$")


def client_for(app, user_id: int, cookie: str):
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": load.USER_AGENT})
    return client


def exam(app, rounds: int = 150) -> tuple[str, dict]:
    from pyinstrument import Profiler

    code = exam_day.make_quiz(app, 1)
    ids = load.add_learners(app, rounds + 5)
    cookies = load.session_cookies(app, ids)
    clients = [client_for(app, i, cookies[i]) for i in ids]
    for c in clients[:5]:  # warm up: templates compiled, statements cached
        _start(c, code)
    profiler = Profiler(interval=0.0002)
    cpu = {}
    started = time.process_time()
    profiler.start()
    attempts = [(_start(c, code), c) for c in clients[5:]]
    cpu["start_ms"] = (time.process_time() - started) * 1000 / rounds
    started = time.process_time()
    for started_at, c in attempts:
        answer_first(c, *started_at)
    cpu["answer_ms"] = (time.process_time() - started) * 1000 / rounds
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False), cpu


def _start(client, code: str):
    page = client.get(f"/q/{code}").get_data(as_text=True)
    csrf = load.csrf_of(page)
    response = client.post(f"/q/{code}/start", data={"csrf_token": csrf, **load.then_of(page)})
    if response.status_code == 302:
        location = response.headers["Location"]
        page = client.get(location).get_data(as_text=True)
    else:
        page = response.get_data(as_text=True)
        location = exam_day.ADDRESS.search(page)[1]
    return int(ATTEMPT.search(location)[1]), page, csrf


def answer_first(client, attempt_id: int, page: str, csrf: str) -> None:
    """Answer the first question of a started attempt, and load the next question."""
    form, _ = exam_day.response_for(page)
    response = client.post(f"/attempts/{attempt_id}/1", data={"csrf_token": csrf, **form, **load.then_of(page)})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert client.get(response.headers["Location"]).status_code == 200


def study(app, cards: int = 300) -> tuple[str, dict]:
    from pyinstrument import Profiler

    from bench import study_load

    ids = load.add_learners(app, 1)
    cookie = load.session_cookies(app, ids)[ids[0]]
    client = client_for(app, ids[0], cookie)
    page = None
    for _ in range(10):
        page = study_load.study_card(client.get, client.post, page)
    profiler = Profiler(interval=0.0002)
    started = time.process_time()
    profiler.start()
    for _ in range(cards):
        page = study_load.study_card(client.get, client.post, page)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False), \
        {"card_ms": (time.process_time() - started) * 1000 / cards}


def main(argv: list[str] | None = None) -> None:
    which = (argv if argv is not None else sys.argv[1:]) or ["exam", "study"]
    with tempfile.TemporaryDirectory() as tmp, load.database("sqlite", Path(tmp)) as url:
        app = load.bench_app(url)
        load.migrate_and_load(app)
        for name in which:
            text, cpu = {"exam": exam, "study": study}[name](app)
            print(name, {k: round(v, 2) for k, v in cpu.items()}, "(in process, client included)")
            (common.RESULTS / f"{name}_profile.txt").write_text(text)


if __name__ == "__main__":
    main()

"""What replacing a worker costs the learners: gunicorn.conf.py as shipped, where every worker loads the app
itself, against QUIZAPP_PRELOAD=true, which forks each new worker from the app its arbiter loaded.

Workers are recycled every ``--max-requests`` requests (400 here, 20,000 as shipped, so that a run sees a few
dozen recycles instead of one an hour) while a few learners keep asking for their study page back to back,
each on its own kept-alive connection, so that both workers stay busy. The two settings alternate, minutes
apart. For each run: requests a second, p50, p99 and the slowest request, requests slower than 250 ms, how
many workers were started, and the workers' CPU a request (recycled workers included).

Run: .venv/bin/python -m bench.recycling [--rounds 2] [--requests 6000]
(writes bench/results/recycling.json).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench import common, load

LEARNERS = 6
SLOW = 0.25  # seconds
SETTINGS = {
    "forked from the loaded app (QUIZAPP_PRELOAD=true)": {"QUIZAPP_PRELOAD": "true"},
    "each worker loads the app (as shipped)": {},
}


async def hammer(server, cookie: str, requests: int, tally: load.Tally) -> None:
    async with load.http_session() as http:
        async def learner():
            browser = load.Browser(http, server.base, cookie, tally)
            for _ in range(requests // LEARNERS):
                await browser.request("study page", "GET", "/study/israel-russia/all")

        await asyncio.gather(*(learner() for _ in range(LEARNERS)))


def run(url: str, folder: Path, name: str, cookie: str, requests: int, max_requests: int) -> dict:
    env = {"QUIZAPP_MAX_REQUESTS": str(max_requests), **SETTINGS[name]}
    with load.serve(url, folder, extra_env=env) as server:
        tally = load.Tally()
        cpu, started = server.cpu_seconds(), time.perf_counter()
        asyncio.run(hammer(server, cookie, requests, tally))
        wall, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
        log = server.log.read_text()
    times = tally.times.get("study page", [])
    result = {
        "setting": name, "requests": len(times), "errors": tally.error_count, "error_samples": tally.samples,
        "workers_started": log.count("Booting worker"),
        "requests_per_s": round(len(times) / wall, 1),
        "p50_ms": load.ms(load.percentile(times, 50)), "p99_ms": load.ms(load.percentile(times, 99)),
        "max_ms": load.ms(max(times) if times else None),
        "slower_than_250_ms": sum(t > SLOW for t in times),
        "server_cpu_ms_per_request": round(1000 * cpu / max(len(times), 1), 2),
        "machine_speed_ms": load.machine_speed(),
    }
    print(f"  {name:40} {result['requests_per_s']:6} req/s  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms  "
          f"max {result['max_ms']} ms  >250 ms: {result['slower_than_250_ms']}  workers started "
          f"{result['workers_started']}  cpu {result['server_cpu_ms_per_request']} ms/request  errors "
          f"{result['errors']}", flush=True)
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--max-requests", type=int, default=400)
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory() as tmp, load.database("sqlite", Path(tmp)) as url:
        app = load.bench_app(url)
        load.migrate_and_load(app)
        ids = load.add_learners(app, 1)
        cookie = load.session_cookies(app, ids)[ids[0]]
        for _ in range(args.rounds):
            for name in SETTINGS:
                runs.append(run(url, Path(tmp), name, cookie, args.requests, args.max_requests))
    by_setting = {name: [r for r in runs if r["setting"] == name] for name in SETTINGS}
    forked, loading = by_setting.values()
    figures = {
        "max_ms_forked": max(r["max_ms"] or 0 for r in forked),
        "max_ms_loading": max(r["max_ms"] or 0 for r in loading),
        "setup": f"gunicorn.conf.py on SQLite, workers recycled every {args.max_requests} requests (up to a tenth "
                 f"more), {LEARNERS} learners asking for their study page back to back, {args.requests} requests a "
                 f"run, the two settings alternating",
        "runs": runs,
    }
    print(f"recycling: slowest request {figures['max_ms_forked']} ms with workers forked from the loaded app, "
          f"{figures['max_ms_loading']} ms with each worker loading it")
    common.write("recycling", figures)
    return figures


if __name__ == "__main__":
    main()

"""Two or more gunicorn settings compared at one load, alternating, so that the machine's drift from hour to hour
falls on each alike: study-load trials (bench/study_load.py's learners) at a fixed N on SQLite, a fresh server
for each trial, the settings taking turns pair after pair.

    .venv/bin/python -m bench.side_by_side --learners 1200 --pairs 3 \
        --setting shipped: --setting one_thread:QUIZAPP_THREADS=1 [--out FILE]

A setting is ``name:VAR=VALUE,VAR=VALUE`` (environment for gunicorn.conf.py; empty for the shipped one). Each
trial reports p50 and p99, cards a second, the workers' CPU a card, and how the workers shared the work: the
busiest worker's share of their CPU (0.5 is an even split between two workers). Prints one line a trial and
writes them all to ``--out`` (JSON) when given; nothing under bench/results/ is touched.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench import load, study_load

KEPT = ("p50_ms", "p99_ms", "cards_per_second", "server_cpu_ms_per_card", "errors", "client_cpu_s",
        "machine_speed_ms", "load_average_at_start")


def parse_setting(text: str) -> tuple[str, dict[str, str]]:
    """'name:VAR=VALUE,VAR=VALUE' as (name, environment); ValueError for anything else."""
    name, _, assignments = text.partition(":")
    if not name.isidentifier():
        raise ValueError(f"a setting starts with its name and a colon, e.g. one_thread:QUIZAPP_THREADS=1: {text!r}")
    env = {}
    for assignment in filter(None, assignments.split(",")):
        var, equals, value = assignment.partition("=")
        if not equals or not var:
            raise ValueError(f"{assignment!r} in {text!r} is not VAR=VALUE")
        env[var] = value
    return name, env


def busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The busiest worker's share of the CPU the workers used between two readings (by pid; a worker that is
    in only one reading is left out)."""
    used = [after[pid] - before[pid] for pid in after if pid in before]
    total = sum(used)
    return round(max(used) / total, 3) if used and total > 0 else None


def compare(settings: list[tuple[str, dict]], learners: int, pairs: int, seconds: float) -> list[dict]:
    trials, seed = [], 1000
    with tempfile.TemporaryDirectory() as tmp, load.database("sqlite", Path(tmp)) as url:
        app = load.bench_app(url)
        load.migrate_and_load(app)
        for pair in range(pairs):
            for name, env in settings:
                with load.serve(url, Path(tmp), extra_env=env) as server:
                    study_load.trial(app, server, *study_load.WARM_UP, seed, quiet=True)
                    before = server.worker_cpu()
                    result = study_load.trial(app, server, learners, seconds, seed + 1, quiet=True)
                    share = busiest_share(before, server.worker_cpu())
                seed += 2
                trial = {"setting": name, "pair": pair, "learners": learners, "passed": result["passed"],
                         **{k: result[k] for k in KEPT}, "busiest_worker_share": share}
                trials.append(trial)
                print(json.dumps(trial), flush=True)
    return trials


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1200)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--setting", action="append", default=[], help="name:VAR=VALUE,... (at least two)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    try:
        settings = [parse_setting(text) for text in args.setting]
    except ValueError as error:
        parser.error(str(error))
    if len(settings) < 2 or len({name for name, _ in settings}) != len(settings):
        parser.error("give at least two --setting, each with its own name")
    trials = compare(settings, args.learners, args.pairs, args.seconds)
    if args.out:
        args.out.write_text(json.dumps(trials, indent=1) + "\n")
    return trials


if __name__ == "__main__":
    main()

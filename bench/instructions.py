"""What a request costs in CPU instructions, counted by valgrind's callgrind: the same on a fast hour and a slow
one, so two versions of the code compare exactly where their timings drift by half.

    .venv/bin/python -m bench.instructions [--repeat K]   (writes bench/results/instructions.json)

In process, through Flask's test client, on SQLite: a bare logged-in request (login and session handling, no
page), a quiz start (the quiz page, then start, which answers with the first question), a quiz answer (with the
next question in its response) and a study card (show answer, then grade, which answers with the next card),
each after a warm-up, K times. The test client's own work is counted too; gunicorn's parsing of HTTP is not.
Needs valgrind, and a C compiler with valgrind's headers for the few lines that switch counting on and off.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import common, exam_day, load, profile_paths, study_load

SWITCH = """#include <valgrind/callgrind.h>
void count_from_here(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void count_to_here(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS; }
"""
PATHS = ("bare_request", "quiz_start", "quiz_answer", "study_card")


def prepare(folder: Path, learners: int) -> dict:
    """A database with the subject, a 16-question quiz and ``learners`` logged-in learners (built natively)."""
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    app = load.bench_app(url)
    load.migrate_and_load(app)
    code = exam_day.make_quiz(app, 1)
    ids = load.add_learners(app, learners)
    cookies = load.session_cookies(app, ids)
    return {"url": url, "code": code, "ids": ids, "cookies": {str(i): cookies[i] for i in ids}}


def measure(setup: dict, repeat: int, switch: str) -> None:
    """Run under callgrind: each path ``repeat`` times between the switch's calls, one dump a path."""
    from flask_login import login_required

    lib = ctypes.CDLL(switch)
    app = load.bench_app(setup["url"])

    @app.get("/_bench/bare")
    @login_required
    def bare():
        return "ok"

    random.seed(7)
    clients = [profile_paths.client_for(app, i, setup["cookies"][str(i)]) for i in setup["ids"]]
    code, studying = setup["code"], clients[-1]
    for client in clients[:3]:  # warm up: templates compiled, statements cached
        profile_paths._start(client, code)
    page = None
    for _ in range(8):
        page = study_load.study_card(studying.get, studying.post, page)
    for _ in range(3):
        studying.get("/_bench/bare")

    lib.count_from_here()
    for _ in range(repeat):
        assert studying.get("/_bench/bare").status_code == 200
    lib.count_to_here()
    lib.count_from_here()
    started = [(profile_paths._start(c, code), c) for c in clients[3:3 + repeat]]
    lib.count_to_here()
    lib.count_from_here()
    for started_at, client in started:
        profile_paths.answer_first(client, *started_at)
    lib.count_to_here()
    lib.count_from_here()
    for _ in range(repeat):
        page = study_load.study_card(studying.get, studying.post, page)
    lib.count_to_here()


def counted(folder: Path) -> list[int]:
    """The instructions of each dump, in the order they were written."""
    dumps = sorted((p for p in folder.glob("callgrind.out.*") if re.fullmatch(r"callgrind\.out\.\d+\.\d+", p.name)),
                   key=lambda p: int(p.name.rsplit(".", 1)[1]))
    return [int(re.search(r"^totals: (\d+)", p.read_text(), re.M)[1]) for p in dumps]


def missing_tools() -> str | None:
    if not shutil.which("valgrind"):
        return "valgrind is not installed (Debian: apt-get install valgrind)"
    if not shutil.which("cc"):
        return "no C compiler (cc) to build the counting switch"
    if not Path("/usr/include/valgrind/callgrind.h").exists():
        return "valgrind's headers are missing (/usr/include/valgrind/callgrind.h; Debian: apt-get install valgrind)"
    return None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests (or starts, answers, cards) a path")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the run under callgrind: a setup file
    parser.add_argument("--switch", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(json.loads(Path(args.measure).read_text()), args.repeat, args.switch)
        return {}
    problem = missing_tools()
    if problem:
        print(f"bench.instructions skipped: {problem}", file=sys.stderr)
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "switch.c").write_text(SWITCH)
        subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", folder / "switch.so", folder / "switch.c"], check=True)
        setup = folder / "setup.json"
        setup.write_text(json.dumps(prepare(folder, args.repeat + 4)))
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict layouts on every run
        run = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                              f"--callgrind-out-file={folder}/callgrind.out.%p", sys.executable, "-m",
                              "bench.instructions", "--repeat", str(args.repeat), "--measure", str(setup),
                              "--switch", str(folder / "switch.so")],
                             env=env, cwd=Path(__file__).resolve().parent.parent,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode:  # say why, and let `make bench` go on to the next benchmark
            tail = "\n".join([line for line in run.stderr.splitlines() if not line.startswith("==")][-15:])
            print(f"bench.instructions failed (exit {run.returncode}):\n{tail}", file=sys.stderr)
            return {}
        totals = counted(folder)
    if len(totals) != len(PATHS):
        raise RuntimeError(f"expected {len(PATHS)} counts from callgrind, found {len(totals)}")
    per = {path: round(total / args.repeat / 1e6, 2) for path, total in zip(PATHS, totals, strict=True)}
    figures = {
        "millions_of_instructions": per,
        "repeat": args.repeat,
        "setup": "In process through Flask's test client (its own work included; gunicorn's is not), on SQLite, "
                 "after a warm-up; counted by valgrind --tool=callgrind between calls that switch counting on and "
                 "off; PYTHONHASHSEED=0. bare_request: a logged-in GET answering 'ok'; quiz_start: the quiz page "
                 "and start (answering with the first question); quiz_answer: an answer answered with the next "
                 "question; study_card: show answer and grade (answered with the next card).",
    }
    print("millions of instructions:", per)
    common.write("instructions", figures)
    return figures


if __name__ == "__main__":
    main()

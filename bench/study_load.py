"""Study load: N learners studying at once through the browser's forms, one card every 8 s on average
(the study page, show the answer, grade it: the grade answers with the next card), against gunicorn
with `make serve`'s configuration. A run passes with no error and every request under 200 ms at the
99th percentile; the largest N that passes is searched for by doubling, then bisecting. The workers'
own CPU time per card is recorded beside it.

Run: .venv/bin/python -m bench.study_load [--databases sqlite,postgresql] [--start 200] [--seconds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import random
import re
import time

from bench import common, load

DECK = "/study/israel-russia/all"
SECONDS_PER_CARD = 8.0  # on average: 6 s to answer, 2 s to grade
P99 = 0.2
WARM_UP = (30, 10)  # learners, seconds: every worker has compiled its templates and statements
INPUT = re.compile(r"<input [^>]*>")
NAME = re.compile(r'name="(question_id|token|elapsed_ms|counts|response-\d+)"')
VALUE = re.compile(r'value="([^"]*)"')
CHOICE = re.compile(r'<button type="submit" name="response-0" value="([^"]*)"')
SUGGESTED = re.compile(r'id="suggested">(\w+)<')
RATINGS = {"Again": 1, "Hard": 2, "Good": 3, "Easy": 4}


def fields(page: str) -> dict:
    """The hidden fields of the page's study forms."""
    found = {}
    for tag in INPUT.findall(page):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name:
            found[name[1]] = html.unescape(value[1]) if value else ""
    return found


def answer_form(page: str) -> dict:
    """What the study page's form sends: its hidden fields and a response (a choice, a year, a word, an order)."""
    form = {"csrf_token": load.csrf_of(page), **fields(page)}
    form["elapsed_ms"] = str(random.randint(2000, 9000))
    choices = CHOICE.findall(page)
    if choices:
        form["response-0"] = html.unescape(random.choice(choices))
    elif 'data-format="year"' in page:
        form["response-0"] = str(random.randint(1947, 2018))
    elif 'data-format="order"' not in page:
        form["response-0"] = random.choice(["Soviet Union", "Israel", "arms deal"])
    if not form.get("question_id") or not form.get("token"):
        raise ValueError("no card on the study page")
    return form


def grade_form(page: str, sent: dict) -> dict:
    """What the reveal page's grade form sends: the same fields, and the suggested grade."""
    form = {"csrf_token": sent["csrf_token"], **fields(page), **load.then_of(page)}
    suggested = SUGGESTED.search(page)
    if not suggested:
        raise ValueError("no grade buttons on the answer page")
    form["rating"] = str(RATINGS[suggested[1]])
    return form


def study_card(get, post, page: str | None = None, deck: str = DECK) -> str:
    """One card through the Flask test client (for profiling), as a browser goes: the study page (unless the
    previous grade answered with it), answer, grade. Returns the page the grade answered with."""
    if page is None:
        page = get(deck).get_data(as_text=True)
    form = answer_form(page)
    reveal = post(f"{deck}/answer", data=form)
    assert reveal.status_code == 200, reveal.status_code
    graded = post(f"{deck}/review", data=grade_form(reveal.get_data(as_text=True), form))
    if graded.status_code == 302:
        return get(graded.headers["Location"]).get_data(as_text=True)
    assert graded.status_code == 200, graded.status_code
    return graded.get_data(as_text=True)


async def study(http, server, cookie: str, until: float, tally: load.Tally, cards: list) -> None:
    browser = load.Browser(http, server.base, cookie, tally)
    await asyncio.sleep(random.uniform(0, SECONDS_PER_CARD))
    try:
        page, _, _ = await browser.request("study page", "GET", DECK)
        while time.perf_counter() < until:
            await asyncio.sleep(random.uniform(3, 9))
            form = answer_form(page)
            reveal, _, _ = await browser.request("show answer", "POST", f"{DECK}/answer", form)
            await asyncio.sleep(random.uniform(1, 3))
            page, location, _ = await browser.request("grade", "POST", f"{DECK}/review", grade_form(reveal, form),
                                                      expect=(200, 302))
            cards.append(1)
            if location:  # a grade answered with a redirect to the study page
                page, _, _ = await browser.request("study page", "GET", location)
    except load.Failed:
        return
    except ValueError as error:
        tally.error("page", str(error))


def trial(app, server, n: int, seconds: float, seed: int, quiet: bool = False) -> dict:
    loadavg, speed = load.load_average(), load.machine_speed()
    ids = load.add_learners(app, n, prefix=f"study{seed}-")
    cookies = load.session_cookies(app, ids)
    random.seed(seed)
    tally, cards = load.Tally(), []

    async def run():
        async with load.http_session() as http:
            until = time.perf_counter() + seconds
            await asyncio.gather(*(study(http, server, cookies[i], until, tally, cards) for i in ids))

    cpu, client, started = server.cpu_seconds(), time.process_time(), time.perf_counter()
    asyncio.run(run())
    elapsed, cpu, client = time.perf_counter() - started, server.cpu_seconds() - cpu, time.process_time() - client
    every = [t for ts in tally.times.values() for t in ts]
    p99 = load.percentile(every, 99)
    passed = tally.error_count == 0 and p99 is not None and p99 <= P99
    result = {
        "learners": n, "passed": passed, "load_average_at_start": loadavg, "machine_speed_ms": speed,
        "seconds": round(elapsed, 1),
        "cards": len(cards), "cards_per_second": round(len(cards) / elapsed, 1),
        "errors": tally.error_count, "errors_by_page": tally.errors, "error_samples": tally.samples,
        "retried_on_closed_keep_alive": tally.retried,
        "p50_ms": load.ms(load.percentile(every, 50)), "p99_ms": load.ms(p99),
        "by_page": {name: {"count": len(ts), "p50_ms": load.ms(load.percentile(ts, 50)),
                           "p99_ms": load.ms(load.percentile(ts, 99))} for name, ts in sorted(tally.times.items())},
        "server_cpu_ms_per_card": round(1000 * cpu / len(cards), 1) if cards else None,
        "client_cpu_s": round(client, 1),
    }
    if not quiet:
        print(f"  N={n:5}: {'pass' if passed else 'FAIL'}  p99 {result['p99_ms']} ms, {result['cards_per_second']} "
              f"cards/s, errors {tally.error_count}, cpu/card {result['server_cpu_ms_per_card']} ms "
              f"(load {loadavg[0]}, machine {speed} ms)", flush=True)
        if tally.samples:
            print("    e.g. " + "; ".join(tally.samples[:3]), flush=True)
    return result


def run_database(kind: str, start: int, ceiling: int, seconds: float, budget: float) -> dict:
    return load.search_database(kind, trial, seconds, WARM_UP, start, ceiling, budget)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--start", type=int, default=200)
    parser.add_argument("--ceiling", type=int, default=6400)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--budget", type=float, default=300, help="seconds of searching per database")
    args = parser.parse_args(argv)
    loadavg, speed = load.load_average(), load.machine_speed()
    by_database = {kind: run_database(kind, args.start, args.ceiling, args.seconds, args.budget)
                   for kind in args.databases.split(",")}
    best = min(r["max_learners"] for r in by_database.values())
    figures = {
        "max_learners": best,
        "max_learners_by_database": {k: r["max_learners"] for k, r in by_database.items()},
        "goal": "max_learners >= 2000 on this 2-core machine, every request p99 < 200 ms",
        "goal_met": best >= 2000,
        "load_average_at_start": loadavg, "machine_speed_ms": speed,
        "setup": f"gunicorn.conf.py (its default workers and threads), loopback; N learners already logged in study "
                 f"the whole subject's deck through the browser's forms (study page, show answer, grade, which "
                 f"answers with the next card), one card every {SECONDS_PER_CARD:g} s on average, for "
                 f"{args.seconds:g} s; pass: 0 errors and p99 of every request <= {P99 * 1000:g} ms. Server CPU "
                 f"per card from the workers' own "
                 f"CPU time.",
        "by_database": by_database,
    }
    print(f"study load: max learners {figures['max_learners_by_database']} (goal >= 2000)")
    common.write("study_load", figures)
    return figures


if __name__ == "__main__":
    main()

"""How well the scheduler teaches, on simulated learners as varied as real ones.

Learners. Each simulated learner's memory is FSRS-6 with parameters of their own, drawn from the
spread of parameters that srs-benchmark fitted to real Anki users (``FSRS6_SPREAD`` below: the
minimum, 5th, 25th, 50th, 75th and 95th percentile and maximum of each parameter over 60 users of its
published per-user results, result/FSRS-6.jsonl). Each parameter is drawn on its own from that
distribution, so correlations between parameters are lost (an approximation), and values are moved
into the ranges that py-fsrs accepts (its decay, w20, cannot go below 0.1, where some users are).

Questions. Cards are drawn from the app's real bank by format: a typed answer or a year must be
recalled, but a multiple-choice question is easier than recall: a learner who does not recall still
picks the right choice with probability 1/choices (1/2 for true/false, 1/24 for an order of four).
A right guess is graded Good or Hard (the app suggests Good) while the memory itself lapses: the
scheduler sees a success that was not one, which the defaults, fitted on flashcards, do not expect.
Recall is drawn from the true retrievability (continuous time), the memory moves on with FSRS-6's
own rules (same-day reviews by its short-term rule), and the first sight of a card is graded from a
first-rating distribution (15% Again, 5% Hard, 70% Good, 10% Easy).

Measured, for each learner:
1. Prediction. The learner studies under the app's defaults (FSRS-6 defaults, retention 0.90);
   quizapp.fitting (the app's optimiser) is fitted on the answers of the first two thirds of the
   time, and both parameter sets predict the answers of the last third (held out), each answer as the
   app predicts it: FSRS-6's recall p plus a right guess, p + (1 - p) * floor, with the question's
   guessing floor, which the app knows from its format and choices. Log loss and RMSE over 20 bins of
   prediction; ``log_loss_ratio`` is fitted over defaults, review-weighted. Two floors beside it: the
   oracle (the learner's true parameters and floors, predicting from the log as the app does:
   ``oracle_ratio``) and the true memory (the chance of a right answer from the hidden memory, which
   lapsed after a right guess where the log shows a success: ``true_memory_ratio``), the best any
   prediction can be.
2. Teaching. A sweep of each scheduler's setting: FSRS over desired retention, with the learner's
   fitted parameters (what the app schedules with once it has fitted them) or the defaults, each with
   the app's one 10m learning step or Anki's 1m+10m; SM-2 (Wozniak 1990, with its same-day repetition
   of items graded below 4) over an interval modifier; Leitner boxes over their spacing. Each run gives
   reviews a day and cards memorised at the end (the sum of the true recall probability over the cards
   introduced, guessing excluded). ``fewer_reviews_at_equal_knowledge`` reads the app's curve (fitted
   parameters, one step) at the knowledge SM-2 reaches at its own setting (modifier 1.0); the same
   reading at every other SM-2 modifier is kept beside it.

Run: .venv/bin/python -m bench.srs_sim (BENCH_LEARNERS, BENCH_DAYS and BENCH_WORKERS change the size).
Writes bench/results/srs_sim.json and bench/results/srs_sim.png. The prediction half alone, for more
learners: .venv/bin/python -m bench.srs_sim prediction 60 (writes bench/results/srs_sim_prediction.json).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import heapq
import math
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import fsrs

from bench import common
from quizapp import fitting, scheduling
from quizapp.scheduling import Rating

LEARNERS = int(os.environ.get("BENCH_LEARNERS", 12))
DAYS = int(os.environ.get("BENCH_DAYS", 150))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
NEW_PER_DAY = 10
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SESSION_START, SESSION_HOURS = 9 / 24, 15 / 24  # study from 09:00 for up to 15 hours
SECONDS_PER_REVIEW = 12
TRAIN_SHARE = 2 / 3
RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
SM2_MODIFIERS = (0.5, 0.7, 1.0, 1.4, 2.0)
LEITNER_BASES = (1.5, 2.0, 3.0)
ANCHOR_LOG_LOSS = 0.32  # srs-benchmark: FSRS-6 fitted to each of ~10k real users

# srs-benchmark, result/FSRS-6.jsonl, users 1-60: per parameter, min, 5%, 25%, 50%, 75%, 95%, max
QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
FSRS6_SPREAD = (
    (0.01, 0.0299, 0.0822, 0.1981, 0.6277, 3.0242, 4.2763),
    (0.01, 0.103, 0.4326, 1.3744, 3.6067, 13.6026, 21.7158),
    (0.0665, 0.1729, 0.8955, 2.835, 8.0237, 45.1338, 55.5899),
    (0.1301, 0.4715, 10.5812, 16.884, 27.2958, 91.7794, 100.0),
    (6.1183, 6.5883, 6.8313, 7.0082, 7.1676, 7.5747, 8.0154),
    (0.0495, 0.0984, 0.3619, 0.5659, 0.6608, 0.9053, 1.1094),
    (1.6231, 1.9328, 2.0688, 2.2217, 2.4034, 2.7761, 3.0524),
    (0.001, 0.001, 0.001, 0.0164, 0.0476, 0.1542, 0.2495),
    (0.7888, 0.9616, 1.3159, 1.5158, 1.7471, 2.1208, 2.1864),
    (0.0, 0.0, 0.0384, 0.1401, 0.2283, 0.4678, 0.7369),
    (0.001, 0.4644, 0.8065, 1.0253, 1.2314, 1.4935, 1.5932),
    (1.4017, 1.5738, 1.7516, 1.8086, 1.8606, 1.9183, 2.0716),
    (0.0301, 0.0717, 0.0967, 0.1146, 0.1357, 0.2237, 0.2395),
    (0.0073, 0.1501, 0.2231, 0.3126, 0.3649, 0.5247, 0.6472),
    (0.7425, 1.6302, 2.1522, 2.2733, 2.3568, 2.5664, 2.7103),
    (0.0, 0.0, 0.0908, 0.2217, 0.3694, 0.5122, 0.9028),
    (1.871, 2.0706, 2.8425, 3.0181, 3.1646, 3.8431, 4.2909),
    (0.0088, 0.4031, 0.6542, 0.7866, 0.9174, 1.2807, 1.6586),
    (0.0, 0.0, 0.0564, 0.2845, 0.4286, 0.6553, 0.8513),
    (0.0, 0.0021, 0.0378, 0.129, 0.1803, 0.2615, 0.4036),
    (0.063, 0.0768, 0.1454, 0.2318, 0.3064, 0.5814, 0.6557),
)
APP_FITTED, APP_DEFAULTS = "FSRS fitted", "FSRS defaults"
ANKI_STEPS = "Anki's 1m+10m steps"
FIRST_RATINGS = ((Rating.Again, 0.15), (Rating.Hard, 0.05), (Rating.Good, 0.7), (Rating.Easy, 0.1))


def true_parameters(learner: int) -> tuple[float, ...]:
    """A learner's own FSRS-6 parameters, each drawn from the spread of real users' fitted ones."""
    rng = random.Random(f"params-{learner}")
    drawn = []
    for values in FSRS6_SPREAD:
        u = rng.random()
        i = min(bisect.bisect_right(QUANTILES, u), len(QUANTILES) - 1)
        share = (u - QUANTILES[i - 1]) / (QUANTILES[i] - QUANTILES[i - 1])
        drawn.append(values[i - 1] + share * (values[i] - values[i - 1]))
    return scheduling.bounded_parameters(drawn)


@functools.cache  # the bank is built once per process, however many learners it simulates
def guessing_floors() -> list[float]:
    """For each question of the real bank, the chance of answering it right without recalling it."""
    from quizapp.facts import load_subject
    from quizapp.generate import build_bank

    bank = build_bank(load_subject(Path(__file__).resolve().parent.parent / "questions" / "israel-russia"), 0)
    return [fitting.guessing_floor(q.format, q.choices) for q in bank]


class Memory:
    """The learner's true memory of one card: FSRS-6 with the learner's parameters, in continuous time."""

    __slots__ = ("s", "d", "last")

    def __init__(self):
        self.s = self.d = self.last = None


class Truth:
    """FSRS-6's memory model (as py-fsrs 6.3 computes it) with one learner's parameters."""

    def __init__(self, w):
        self.w = w
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1

    def recall(self, m: Memory, t: float) -> float:
        return (1 + self.factor * (t - m.last) / m.s) ** self.decay if m.last is not None else 0.0

    def _init_d(self, g: int) -> float:
        return min(10.0, max(1.0, self.w[4] - math.exp(self.w[5] * (g - 1)) + 1))

    def update(self, m: Memory, g: int, t: float) -> None:
        w = self.w
        if m.last is None:
            m.s, m.d = max(w[g - 1], 0.001), self._init_d(g)
        else:
            elapsed = t - m.last
            r = self.recall(m, t)
            if elapsed < 1:
                s = m.s * math.exp(w[17] * (g - 3 + w[18])) * m.s ** -w[19]
                m.s = max(m.s, s) if g >= 3 else s
            elif g == 1:
                m.s = min(w[11] * m.d ** -w[12] * ((m.s + 1) ** w[13] - 1) * math.exp(w[14] * (1 - r)),
                          m.s / math.exp(w[17] * w[18]))
            else:
                bonus = w[15] if g == 2 else w[16] if g == 4 else 1.0
                m.s *= 1 + math.exp(w[8]) * (11 - m.d) * m.s ** -w[9] * (math.exp(w[10] * (1 - r)) - 1) * bonus
            m.s = max(m.s, 0.001)
            delta = -w[6] * (g - 3)
            d = m.d + delta * (10 - m.d) / 9
            m.d = min(10.0, max(1.0, w[7] * self._init_d(4) + (1 - w[7]) * d))
        m.last = t


def at(t: float) -> dt.datetime:
    return START + dt.timedelta(days=t)


class Fsrs:
    """quizapp's scheduler as the app runs it (quizapp.scheduling: one 10m step) at one desired retention."""

    def __init__(self, family: str, retention: float, parameters=None):
        self.family, self.setting, self.parameters = family, retention, parameters

    def new(self, t):
        return scheduling.new_card(at(t))

    def review(self, state, rating, t):
        new = scheduling.review(state, rating, at(t), self.setting, fuzz=False, parameters=self.parameters).card
        return new, (new.due - START).total_seconds() / 86400


class AnkiStepsFsrs:
    """The same FSRS with Anki's default steps, 1m and 10m to learn and 10m to relearn (the app's before)."""

    def __init__(self, family: str, retention: float, parameters=None):
        self.family, self.setting = family, retention
        self.scheduler = fsrs.Scheduler(parameters=parameters or scheduling.DEFAULT_PARAMETERS,
                                        desired_retention=retention,
                                        learning_steps=(dt.timedelta(minutes=1), dt.timedelta(minutes=10)),
                                        relearning_steps=(dt.timedelta(minutes=10),), enable_fuzzing=False)

    def new(self, t):
        return fsrs.Card(card_id=1, due=at(t))

    def review(self, card, rating, t):
        new, _ = self.scheduler.review_card(card, fsrs.Rating(int(rating)), at(t))
        return new, (new.due - START).total_seconds() / 86400


class Sm2:
    """SuperMemo 2 as published, quality 5 Easy, 4 Good, 3 Hard, 1 Again, intervals times ``modifier``.

    State: (repetitions, easiness, interval in days, start of today's drill or None).
    """

    QUALITY = {Rating.Easy: 5, Rating.Good: 4, Rating.Hard: 3, Rating.Again: 1}
    DRILL = 10 / 1440

    def __init__(self, modifier: float):
        self.family, self.setting = "SM-2", modifier

    def new(self, t):
        return (0, 2.5, 0, None)

    def review(self, state, rating, t):
        n, ef, interval, drilled_since = state
        q = self.QUALITY[rating]
        if drilled_since is not None:  # step 7: repeat the same day until the item scores 4 or more
            if q >= 4:
                return (n, ef, interval, None), drilled_since + max(1, round(interval * self.setting))
            return state, t + self.DRILL
        if q >= 3:
            interval = 1 if n == 0 else 6 if n == 1 else round(interval * ef)
            n += 1
        else:
            n, interval = 0, 1
        ef = max(1.3, ef + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
        if q < 4:
            return (n, ef, interval, t), t + self.DRILL
        return (n, ef, interval, None), t + max(1, round(interval * self.setting))


class Leitner:
    """Seven boxes, the k-th reviewed every base**k days; a miss goes back to the first."""

    def __init__(self, base: float):
        self.family, self.setting = "Leitner", base

    def new(self, t):
        return -1

    def review(self, box, rating, t):
        box = 0 if rating == Rating.Again else min(box + 1, 6)
        return box, t + max(1, round(self.setting ** box))


@dataclass
class Run:
    reviews: int
    memorised: float
    log: list  # (card, day time, rating, guessing floor, true chance of a right answer) of every answer


def first_rating(rng: random.Random) -> Rating:
    roll, total = rng.random(), 0.0
    for rating, share in FIRST_RATINGS:
        total += share
        if roll < total:
            return rating
    return Rating.Good


def simulate(learner: int, scheduler, floors: list[float], days: int = DAYS, keep_log: bool = False) -> Run:
    """One learner under one scheduler; the learner's answers depend only on the learner and the card."""
    truth = Truth(true_parameters(learner))
    rng = random.Random(f"answers-{learner}")
    card_rng = random.Random(f"cards-{learner}")
    memories: list[Memory] = []
    guess: list[float] = []
    states: list = []
    queue: list[tuple[float, int]] = []
    log = []
    reviews = 0
    for day in range(days):
        clock = day + SESSION_START
        end = clock + SESSION_HOURS
        for _ in range(NEW_PER_DAY):
            i = len(memories)
            memories.append(Memory())
            guess.append(card_rng.choice(floors))
            states.append(scheduler.new(clock))
            heapq.heappush(queue, (clock, i))
        while queue and queue[0][0] < end:
            due, i = heapq.heappop(queue)
            clock = max(clock, due) + SECONDS_PER_REVIEW / 86400
            memory = memories[i]
            chance = None  # the true chance of a right answer (what an oracle would predict)
            if memory.last is None:
                rating = first_rating(rng)
                recalled = rating != Rating.Again
            else:
                recall = truth.recall(memory, clock)
                chance = recall + (1 - recall) * guess[i]
                recalled = rng.random() < recall
                if recalled:
                    roll = rng.random()
                    rating = Rating.Hard if roll < 0.1 else Rating.Easy if roll > 0.95 else Rating.Good
                elif rng.random() < guess[i]:  # a right guess: the app sees a success, the memory lapses
                    rating = Rating.Hard if rng.random() < 0.5 else Rating.Good
                else:
                    rating = Rating.Again
            truth.update(memory, int(rating) if recalled else 1, clock)
            states[i], next_due = scheduler.review(states[i], rating, clock)
            heapq.heappush(queue, (next_due, i))
            reviews += 1
            if keep_log:
                log.append((i, clock, int(rating), guess[i], chance))
    night = days - 1 + 23 / 24
    return Run(reviews, sum(truth.recall(m, night) for m in memories), log)


def logged(log, until: float | None = None) -> list[fitting.LoggedReview]:
    return [fitting.LoggedReview(i, at(t), r, g) for i, t, r, g, _p in log if until is None or t < until]


def prediction(learner: int, floors) -> dict:
    """Fit on the first two thirds of the learner's answers under the defaults, predict the last third.

    The app predicts each answer as FSRS-6's recall plus a right guess, p + (1 - p) * guess, with the
    question's guessing floor (1/choices) that it knows, for the defaults and the fitted parameters alike;
    the oracle does the same with the learner's true parameters (the best these predictions can be), and
    the true memory's chance (recall by the hidden memory, whose lapses after right guesses the log does
    not show, plus the floor) is the best any prediction can be.
    """
    run = simulate(learner, Fsrs(APP_DEFAULTS, 0.90), floors, keep_log=True)
    split = DAYS * TRAIN_SHARE
    fit = fitting.fit(logged(run.log, split))
    everything = fitting.training_items(logged(run.log))
    trained = len(fitting.training_items(logged(run.log, split)))
    # the items are in card order; held out are those whose answer came after the split
    held = [(item, chance) for item, (day, chance) in zip(everything, targets(run.log), strict=True) if day >= split]
    held_out = [item for item, _ in held]
    default = fitting.evaluate(None, held_out)
    fitted = fitting.evaluate(fit.parameters, held_out)
    oracle = fitting.evaluate(true_parameters(learner), held_out)
    memory = fitting.scores([chance for _, chance in held], [item.right for item in held_out])
    return {"learner": learner, "train_reviews": trained, "test_reviews": len(held_out), "adopted": fit.adopted,
            "log_loss_true_memory": memory[0], "log_loss_oracle": oracle[0], "log_loss_default": default[0],
            "log_loss_fitted": fitted[0], "rmse_true_memory": memory[1], "rmse_oracle": oracle[1],
            "rmse_default": default[1], "rmse_fitted": fitted[1],
            "parameters": fit.parameters, "reviews_per_day": run.reviews / DAYS, "memorised": run.memorised}


def targets(log) -> list[tuple[float, float]]:
    """The time and true chance of the answer each training item predicts, in the order training_items makes them."""
    by_card: dict[int, list[tuple[float, float]]] = {}
    for i, t, _r, _g, chance in log:
        by_card.setdefault(i, []).append((t, chance))
    out = []
    for answers in by_card.values():
        for (previous, _), (t, chance) in zip(answers, answers[1:], strict=False):
            if at(t).date() != at(previous).date():
                out.append((t, chance))
    return out


def learner_job(learner: int) -> dict:
    """Everything measured for one learner (one process's work)."""
    floors = guessing_floors()
    started = time.process_time()
    pred = prediction(learner, floors)
    fitted = pred["parameters"]
    schedulers = ([Fsrs(APP_FITTED, r, fitted) for r in RETENTIONS]
                  + [AnkiStepsFsrs(f"{APP_FITTED}, {ANKI_STEPS}", r, fitted) for r in RETENTIONS]
                  + [Fsrs(APP_DEFAULTS, r) for r in RETENTIONS]
                  + [AnkiStepsFsrs(f"{APP_DEFAULTS}, {ANKI_STEPS}", r) for r in RETENTIONS]
                  + [Sm2(m) for m in SM2_MODIFIERS] + [Leitner(b) for b in LEITNER_BASES])
    sweep = []
    for s in schedulers:
        run = simulate(learner, s, floors)
        sweep.append({"family": s.family, "setting": s.setting, "reviews_per_day": run.reviews / DAYS,
                      "memorised": run.memorised})
    pred.pop("parameters")
    return {"prediction": pred, "sweep": sweep, "cpu_seconds": time.process_time() - started}


def curve(runs: list[dict], family: str) -> list[dict]:
    """A scheduler's curve, averaged over learners: reviews a day and memorised at each setting."""
    settings = sorted({r["setting"] for r in runs if r["family"] == family})
    out = []
    for setting in settings:
        mine = [r for r in runs if r["family"] == family and r["setting"] == setting]
        out.append({"setting": setting, "reviews_per_day": sum(r["reviews_per_day"] for r in mine) / len(mine),
                    "memorised": sum(r["memorised"] for r in mine) / len(mine)})
    return out


def reviews_at(points: list[dict], memorised: float) -> float | None:
    """Reviews a day a curve needs to reach ``memorised`` (linear between its points; None outside them)."""
    ordered = sorted(points, key=lambda p: p["memorised"])
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a["memorised"] <= memorised <= b["memorised"]:
            share = (memorised - a["memorised"]) / ((b["memorised"] - a["memorised"]) or 1)
            return a["reviews_per_day"] + share * (b["reviews_per_day"] - a["reviews_per_day"])
    return None


def plot(curves: dict[str, list[dict]], sm2_point: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for family, points in curves.items():
        ax.plot([p["reviews_per_day"] for p in points], [p["memorised"] for p in points], marker="o",
                label=family, linestyle="--" if ANKI_STEPS in family else "-")
        for p in points:
            ax.annotate(f"{p['setting']:g}", (p["reviews_per_day"], p["memorised"]), fontsize=7,
                        textcoords="offset points", xytext=(3, -9))
    ax.axhline(sm2_point["memorised"], color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("reviews per day (mean over the simulated days)")
    ax.set_ylabel("cards memorised at the end (sum of true recall probability)")
    ax.set_title(f"Retention sweep: {LEARNERS} simulated learners, {DAYS} days, {NEW_PER_DAY} new cards a day\n"
                 "labels: desired retention (FSRS), interval modifier (SM-2), box spacing (Leitner)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def weighted(rows: list[dict], key: str) -> float:
    return sum(r[key] * r["test_reviews"] for r in rows) / sum(r["test_reviews"] for r in rows)


def loss_ratios(rows: list[dict]) -> dict[str, float]:
    """Review-weighted log loss over the defaults' of the fit, the oracle and the true memory."""
    default = weighted(rows, "log_loss_default")
    return {name: weighted(rows, f"log_loss_{name}") / default for name in ("fitted", "oracle", "true_memory")}


def main() -> dict:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(learner_job, range(LEARNERS)))
    predictions = [r["prediction"] for r in results]
    runs = [run for r in results for run in r["sweep"]]
    families = list(dict.fromkeys(run["family"] for run in runs))
    curves = {family: curve(runs, family) for family in families}
    sm2 = next(p for p in curves["SM-2"] if p["setting"] == 1.0)
    savings = {}
    for family in families:
        needed = reviews_at(curves[family], sm2["memorised"])
        savings[family] = None if needed is None else round(1 - needed / sm2["reviews_per_day"], 3)
    loss_default, loss_fitted = weighted(predictions, "log_loss_default"), weighted(predictions, "log_loss_fitted")
    rmse_default, rmse_fitted = weighted(predictions, "rmse_default"), weighted(predictions, "rmse_fitted")
    loss_oracle, loss_memory = weighted(predictions, "log_loss_oracle"), weighted(predictions, "log_loss_true_memory")
    ratios = loss_ratios(predictions)
    ratio = ratios["fitted"]
    headline = savings[APP_FITTED]
    # SM-2 at each of its own settings: how many fewer reviews the app's FSRS needs for that knowledge
    against_sm2_curve = []
    for point in curves["SM-2"]:
        needed = reviews_at(curves[APP_FITTED], point["memorised"])
        against_sm2_curve.append({"sm2_modifier": point["setting"],
                                  "sm2_reviews_per_day": round(point["reviews_per_day"], 1),
                                  "memorised": round(point["memorised"]),
                                  "fewer": None if needed is None else round(1 - needed / point["reviews_per_day"], 3)})
    plot_path = common.RESULTS / "srs_sim.png"
    common.RESULTS.mkdir(exist_ok=True)
    plot(curves, sm2, plot_path)
    figures = {
        "log_loss_ratio": round(ratio, 3),
        "oracle_ratio": round(ratios["oracle"], 3),
        "true_memory_ratio": round(ratios["true_memory"], 3),
        "fewer_reviews_at_equal_knowledge": headline,
        "goals": {"log_loss_ratio": "<= 0.90 (at least 10% lower log loss than the defaults)",
                  "fewer_reviews_at_equal_knowledge": ">= 0.25 (at least 25% fewer reviews than SM-2)"},
        "goals_met": {"log_loss_ratio": ratio <= 0.90,
                      "fewer_reviews_at_equal_knowledge": headline is not None and headline >= 0.25},
        "anchor": {"srs_benchmark_fsrs6_log_loss": ANCHOR_LOG_LOSS},
        "prediction": {"model": "FSRS-6 recall p plus a right guess, p + (1 - p) * floor, for every parameter set",
                       "log_loss_true_memory": round(loss_memory, 4), "log_loss_oracle": round(loss_oracle, 4),
                       "log_loss_default": round(loss_default, 4), "log_loss_fitted": round(loss_fitted, 4),
                       "rmse_bins": "RMSE over 20 bins of predicted probability, review-weighted",
                       "rmse_bins_default": round(rmse_default, 4), "rmse_bins_fitted": round(rmse_fitted, 4),
                       "learners_adopting_fit": sum(p["adopted"] for p in predictions),
                       "per_learner": predictions},
        "sm2_reference": {"modifier": 1.0, **{k: round(v, 2) for k, v in sm2.items() if k != "setting"}},
        "fewer_reviews_than_sm2_by_scheduler": savings,
        "fitted_fsrs_against_each_sm2_setting": against_sm2_curve,
        "curves": {f: [{k: round(v, 3) for k, v in p.items()} for p in points] for f, points in curves.items()},
        "setup": {"learners": LEARNERS, "days": DAYS, "new_per_day": NEW_PER_DAY, "workers": WORKERS,
                  "truth": "FSRS-6, per-learner parameters drawn per parameter from srs-benchmark's FSRS-6 users",
                  "guessing_floor": "1/choices for multiple choice, 1/2 true/false, 1/24 order, 0 typed and year",
                  "train_share": TRAIN_SHARE},
        "plot": str(plot_path.relative_to(common.RESULTS.parent.parent)),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in results), 1),
    }
    print(f"prediction on held-out answers ({LEARNERS} learners): log loss {loss_default:.4f} defaults -> "
          f"{loss_fitted:.4f} fitted (ratio {ratio:.3f}, goal <= 0.90; anchor: srs-benchmark FSRS-6 "
          f"{ANCHOR_LOG_LOSS}); RMSE(bins) {rmse_default:.4f} -> {rmse_fitted:.4f}")
    print(f"  oracle (true parameters and floors): {loss_oracle:.4f} (ratio {ratios['oracle']:.3f}); "
          f"true memory: {loss_memory:.4f} (ratio {ratios['true_memory']:.3f})")
    print(f"SM-2 at modifier 1.0: {sm2['reviews_per_day']:.1f} reviews/day, {sm2['memorised']:.0f} memorised")
    for family in families:
        pts = ", ".join(f"{p['setting']:g}: {p['reviews_per_day']:.1f}/{p['memorised']:.0f}" for p in curves[family])
        saving = "n/a" if savings[family] is None else f"{savings[family]:.0%}"
        print(f"  {family:30} fewer reviews at SM-2's knowledge: {saving:>5}   ({pts})")
    print("app FSRS against SM-2 at each modifier: " + ", ".join(
        f"{p['sm2_modifier']:g}: {'n/a' if p['fewer'] is None else format(p['fewer'], '.0%')}"
        for p in against_sm2_curve))
    print(f"took {figures['wall_seconds']} s ({figures['cpu_seconds']} s of CPU); plot: {plot_path}")
    common.write("srs_sim", figures)
    return figures


def prediction_job(learner: int) -> dict:
    pred = prediction(learner, guessing_floors())
    pred.pop("parameters")
    return pred


def prediction_only(learners: int) -> dict:
    """The prediction half alone, for a larger sample of learners than the whole benchmark can afford:
    the ratios over all of them and over each group of 12 (the whole benchmark's sample size)."""
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        rows = list(pool.map(prediction_job, range(learners)))

    def rounded(group: list[dict]) -> dict:
        return {name: round(value, 3) for name, value in loss_ratios(group).items()}

    figures = {"learners": learners, "ratios": rounded(rows),
               "by_group_of_12": [{"learners": f"{i}-{i + 11}", **rounded(rows[i:i + 12])}
                                  for i in range(0, learners - 11, 12)],
               "per_learner": rows}
    print(f"{learners} learners: fitted over defaults {figures['ratios']['fitted']}, oracle "
          f"{figures['ratios']['oracle']}, true memory {figures['ratios']['true_memory']}")
    for group in figures["by_group_of_12"]:
        print(f"  {group['learners']}: fitted {group['fitted']}, oracle {group['oracle']}")
    common.write("srs_sim_prediction", figures)
    return figures


if __name__ == "__main__":
    # `python -m bench.srs_sim prediction 60`: the prediction half alone, for 60 learners
    if sys.argv[1:2] == ["prediction"]:
        prediction_only(int(sys.argv[2]) if len(sys.argv) > 2 else 60)
    else:
        main()

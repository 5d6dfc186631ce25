"""Item analysis on plain data: facility and discrimination with their intervals, and flags only on evidence."""

import random

import pytest

from quizapp import analysis
from quizapp.analysis import AttemptResult, ItemResult


def attempt(**items) -> AttemptResult:
    """Items as name=(earned, possible[, answer]); names i1, i2, ... become ids 1, 2, ..."""
    return AttemptResult({int(k[1:]): ItemResult(*v) for k, v in items.items()})


def test_wilson_interval_matches_published_values():
    # Newcombe (1998), table I: 81/263 gives 0.2553-0.3662; 15/148 gives 0.0624-0.1605
    low, high = analysis.wilson_interval(81 / 263, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    low, high = analysis.wilson_interval(15 / 148, 148)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)
    assert analysis.wilson_interval(1.0, 20)[1] == 1.0 and analysis.wilson_interval(1.0, 20)[0] < 0.85
    with pytest.raises(ValueError):
        analysis.wilson_interval(0.5, 0)


def test_fisher_interval_of_a_correlation():
    low, high = analysis.fisher_interval(0.5, 28)  # z = 0.549 +- 1.96/5
    assert (round(low, 3), round(high, 3)) == (0.156, 0.736)
    assert analysis.fisher_interval(0.5, 3) is None


def test_discrimination_is_the_item_rest_correlation_with_the_item_left_out():
    # item 1 is right exactly in the attempts that do well on items 2 and 3
    attempts = [attempt(i1=(1, 1, "A"), i2=(1, 1, "x"), i3=(1, 1, "y")),
                attempt(i1=(1, 1, "A"), i2=(1, 1, "x"), i3=(0, 1, "n")),
                attempt(i1=(0, 1, "B"), i2=(0, 1, "z"), i3=(1, 1, "y")),
                attempt(i1=(0, 1, "C"), i2=(0, 1, "z"), i3=(0, 1, "n"))]
    stats = {s.item_id: s for s in analysis.analyse([1, 2, 3], attempts)}
    assert stats[1].discrimination == pytest.approx(analysis.pearson([1, 1, 0, 0], [1, 0.5, 0.5, 0]))
    assert stats[1].discrimination_interval is not None
    assert stats[1].facility == 0.5 and stats[1].attempts == 4 and stats[1].wrong_answers == {"B": 1, "C": 1}
    assert stats[3].discrimination == pytest.approx(0.0)


def test_an_item_is_counted_over_the_attempts_that_were_shown_it():
    early = [attempt(i1=(1, 1, "A")) for _ in range(5)]
    late = [attempt(i1=(1, 1, "A"), i2=(0, 2, "no")) for _ in range(3)]
    stats = {s.item_id: s for s in analysis.analyse([1, 2], early + late)}
    assert (stats[1].attempts, stats[2].attempts) == (8, 3)
    assert stats[2].facility == 0.0  # 0 of the 3 that saw it, not of 8


def miskeyed(n: int, seed: int = 1) -> list[AttemptResult]:
    """n attempts where item 1 is right exactly for the weakest ones (its key is wrong)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        ability = k / (n - 1)
        rest = {f"i{j}": (1.0 if rng.random() < ability else 0.0, 1.0, "x") for j in range(2, 12)}
        out.append(attempt(i1=(1.0 if ability < 0.3 else 0.0, 1.0, "k"), **rest))
    return out


def test_no_flag_below_the_minimum_number_of_attempts_however_bad_it_looks():
    stats = analysis.analyse([1], miskeyed(analysis.MIN_ATTEMPTS - 1))[0]
    assert stats.discrimination < 0 and stats.flags == []
    two = analysis.analyse([1], [attempt(i1=(0, 1, "B"), i2=(1, 1)), attempt(i1=(0, 1, "C"), i2=(0, 1))])[0]
    assert two.facility == 0.0 and two.flags == []  # the old analysis said "check the key" here


def test_a_miskeyed_item_is_flagged_once_there_are_enough_attempts():
    stats = analysis.analyse([1, 2], miskeyed(40))
    assert any("negative discrimination" in f for f in stats[0].flags)
    assert stats[0].discrimination_interval[1] < 0
    assert stats[0].attempts == 40


def test_easy_and_hard_flags_need_the_whole_interval_past_the_threshold():
    all_right = [attempt(i1=(1, 1, "A"), i2=(k % 2, 1, "x")) for k in range(30)]
    assert any("too easy" in f for f in analysis.analyse([1], all_right)[0].flags)
    mostly_right = [attempt(i1=(1 if k % 5 else 0, 1, "A"), i2=(k % 2, 1, "x")) for k in range(30)]  # 0.8
    assert not any("too easy" in f for f in analysis.analyse([1], mostly_right)[0].flags)
    none_right = [attempt(i1=(0, 1, "B"), i2=(k % 2, 1, "x")) for k in range(30)]
    assert any("too hard" in f for f in analysis.analyse([1], none_right)[0].flags)


def test_wrong_answers_typed_differently_are_counted_together():
    attempts = [attempt(i1=(0, 1, typed)) for typed in ("main foothold", "Main  foothold!", "a beachhead")]
    assert analysis.analyse([1], attempts)[0].wrong_answers == {"main foothold": 2, "a beachhead": 1}

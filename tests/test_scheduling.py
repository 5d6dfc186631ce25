"""The fsrs wrapper: expected interval sequences with fuzzing off, and its time-zone contract."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from quizapp import scheduling
from quizapp.scheduling import Rating, State

START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)


def test_good_good_good_again_good_sequence():
    card = scheduling.new_card(START)
    at = START
    seen = []
    for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Again, Rating.Good):
        card = scheduling.review(card, rating, at, fuzz=False, duration_ms=4000).card
        seen.append((State(card.state).name, card.step, round(card.stability, 2), card.due.isoformat()))
        at = card.due
    # one 10-minute learning step: a first Good graduates the card at once
    assert seen == [
        ("Review", None, 2.31, "2025-01-03T09:00:00+00:00"),
        ("Review", None, 10.96, "2025-01-14T09:00:00+00:00"),
        ("Review", None, 46.28, "2025-03-01T09:00:00+00:00"),
        ("Relearning", 0, 2.93, "2025-03-01T09:10:00+00:00"),
        ("Review", None, 2.93, "2025-03-04T09:10:00+00:00"),
    ]


def test_review_leaves_the_given_card_unchanged():
    card = scheduling.new_card(START)
    scheduling.review(card, Rating.Easy, START, fuzz=False)
    assert card == scheduling.new_card(START)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        scheduling.new_card(dt.datetime(2025, 1, 1, 9, 0))
    with pytest.raises(ValueError):
        scheduling.review(scheduling.new_card(START), Rating.Good, dt.datetime(2025, 1, 1, 9, 0))


def test_other_zones_are_converted_to_utc():
    jerusalem = START.astimezone(ZoneInfo("Asia/Jerusalem"))
    a = scheduling.review(scheduling.new_card(START), Rating.Good, jerusalem, fuzz=False)
    b = scheduling.review(scheduling.new_card(START), Rating.Good, START, fuzz=False)
    assert a.card == b.card and a.card.due.tzinfo == dt.UTC


def test_preview_gives_anki_style_intervals_for_a_new_card():
    preview = scheduling.preview(scheduling.new_card(START), START)
    assert {r.name: scheduling.format_interval(d) for r, d in preview.items()} == \
        {"Again": "10m", "Hard": "15m", "Good": "2d", "Easy": "8d"}


def test_higher_desired_retention_gives_shorter_intervals():
    card = scheduling.review(scheduling.new_card(START), Rating.Easy, START, fuzz=False).card
    later = card.due
    short = scheduling.preview(card, later, desired_retention=0.95)[Rating.Good]
    long = scheduling.preview(card, later, desired_retention=0.80)[Rating.Good]
    assert short < long


@pytest.mark.parametrize("delta, text", [
    (dt.timedelta(seconds=20), "1m"), (dt.timedelta(minutes=10), "10m"), (dt.timedelta(hours=5), "5h"),
    (dt.timedelta(days=3), "3d"), (dt.timedelta(days=45), "1.5mo"), (dt.timedelta(days=730), "2y"),
])
def test_format_interval(delta, text):
    assert scheduling.format_interval(delta) == text


def test_suggested_rating_and_maturity():
    assert scheduling.suggested_rating(False) is Rating.Again
    assert scheduling.suggested_rating(True) is Rating.Good
    assert scheduling.maturity(None) == "new"
    card = scheduling.review(scheduling.new_card(START), Rating.Again, START, fuzz=False).card
    assert scheduling.maturity(card) == "learning"
    young = scheduling.review(card, Rating.Good, card.due, fuzz=False).card
    assert scheduling.maturity(young) == "young"
    mature = scheduling.CardState(State.Review, None, 40.0, 5.0, START + dt.timedelta(days=30), START)
    assert scheduling.maturity(mature) == "mature"


def test_retrievability_falls_with_time():
    card = scheduling.review(scheduling.new_card(START), Rating.Easy, START, fuzz=False).card
    assert scheduling.retrievability(card, START + dt.timedelta(days=1)) > \
        scheduling.retrievability(card, START + dt.timedelta(days=30))

"""The learner's clock, the order new cards come in, kind names and answer notes, and session summaries:
the core functions on plain data, and the pages through the test client."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from quizapp import localtime
from quizapp.introduction import Item, introduction_order
from quizapp.models import Card, Question, User, db
from quizapp.presenting import answer_notes, kind_name
from tests.conftest import post_form
from tests.test_study import DECK, study

AUCKLAND, NEW_YORK = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/New_York")
UTC = dt.UTC


# The learner's clock

def test_a_study_day_starts_at_the_learners_hour_in_their_zone():
    late = dt.datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 03:30 on 3 March in Auckland
    assert localtime.study_date(late, AUCKLAND, 4) == dt.date(2026, 3, 2)
    assert localtime.study_date(late + dt.timedelta(hours=1), AUCKLAND, 4) == dt.date(2026, 3, 3)
    assert localtime.study_date(late, AUCKLAND, 0) == dt.date(2026, 3, 3)
    assert localtime.day_start(late, AUCKLAND, 4) == dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def test_a_day_across_a_daylight_saving_change_is_23_hours_long():
    # clocks go forward at 2 a.m. on 8 March: the study day of 7 March ends an hour early
    start, end = localtime.day_bounds(dt.date(2026, 3, 7), NEW_YORK, 4)
    assert end - start == dt.timedelta(hours=23)
    assert start == dt.datetime(2026, 3, 7, 9, 0, tzinfo=UTC) and end == dt.datetime(2026, 3, 8, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "words"), [
    (dt.timedelta(seconds=20), "now"),
    (dt.timedelta(minutes=10), "in 10 minutes"),
    (dt.timedelta(minutes=-1), "1 minute ago"),
    (dt.timedelta(hours=1, minutes=40), "in 2 hours"),  # 22:00 -> 23:40, the same local day
    (dt.timedelta(hours=4), "tomorrow at 02:00"),  # 02:00 the next local day, though the same UTC day
    (dt.timedelta(hours=-23), "yesterday at 23:00"),
    (dt.timedelta(days=3), "in 3 days"),
    (dt.timedelta(days=-20), "3 weeks ago"),
    (dt.timedelta(days=120), "30 Jun"),
    (dt.timedelta(days=400), "6 Apr 2027"),
])
def test_times_read_relative_in_the_learners_zone(delta, words):
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 22:00 in Auckland
    assert localtime.relative(now + delta, now, AUCKLAND) == words


def test_zone_names_are_checked_and_unknown_ones_fall_back_to_utc():
    assert localtime.is_zone("Europe/Paris") and localtime.is_zone("UTC")
    assert not any(localtime.is_zone(n) for n in ("Mars/Olympus", "", None, "../../etc/passwd", "x" * 100))
    assert localtime.zone("Nowhere/Special").key == "UTC"
    with pytest.raises(ValueError):
        localtime.study_date(dt.datetime(2026, 3, 2, 9, 0), AUCKLAND)


def test_a_streak_counts_days_in_a_row_and_waits_for_today():
    today = dt.date(2026, 3, 10)
    days = {today - dt.timedelta(days=n) for n in (1, 2, 3, 5)}
    assert localtime.streak(days, today) == 3
    assert localtime.streak(days | {today}, today) == 4
    assert localtime.streak({today - dt.timedelta(days=2)}, today) == 0


# The order new cards come in

def items(facts: int, kinds_of) -> list[Item]:
    return [Item(f"f{n}:{k}", f"f{n}", k, f"{1950 + n}", n) for n in range(facts) for k in kinds_of(n)]


def test_every_kind_is_in_the_first_twenty_even_when_only_late_facts_have_it():
    made = items(40, lambda n: ["when", "who", "cloze"] + (["order"] if n == 35 else []))
    order = introduction_order(made)
    kind = {i.id: i.kind for i in made}
    assert {kind[i] for i in order[:20]} == {"when", "who", "cloze", "order"}
    assert sorted(order) == sorted(i.id for i in made)


def test_a_pass_asks_each_fact_once_in_date_order_with_kinds_alternating():
    made = items(30, lambda n: ["when", "who", "why", "tf"])
    order = introduction_order(made)
    first_pass = order[:30]
    assert [i.split(":")[0] for i in first_pass] == [f"f{n}" for n in range(30)]
    counts = Counter(i.split(":")[1] for i in first_pass)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert len(set(order[30:60]) & set(first_pass)) == 0 and len({i.split(":")[0] for i in order[30:60]}) == 30


def test_the_real_bank_is_ordered_so_that_each_periods_first_twenty_hold_every_kind(app):
    for period_id in db.session.execute(sa.select(Question.period_id).distinct()).scalars():
        rows = db.session.execute(sa.select(Question.kind, Question.fact_id).filter_by(
            period_id=period_id, retired=False).order_by(Question.intro)).all()
        assert {k for k, _ in rows[:20]} == {k for k, _ in rows}
        assert len({f for _, f in rows[:20]}) == 20


# Words for people

def test_kinds_have_names_for_people():
    assert [kind_name(k) for k in ("when", "who", "why", "then", "tf", "cloze", "order")] == [
        "Date", "Who", "Why", "What followed", "True or false", "Fill the gap", "Order"]


def test_the_answer_page_says_the_explanation_once(bank):
    why = next(q for q in bank if q.kind == "why")
    notes = answer_notes(why.kind, why.prompt, why.answer, why.explanation)
    event = why.explanation.splitlines()[0].split(": ", 1)[1]
    assert all(event not in n.text and n.text != why.answer for n in notes)
    assert notes[0].label == "Date"
    who = next(q for q in bank if q.kind == "who" and q.date)
    assert all(n.label != "Date" for n in answer_notes(who.kind, who.prompt, who.answer, who.explanation))
    false = next(q for q in bank if q.kind == "tf" and q.answer == "False")
    first = answer_notes(false.kind, false.prompt, false.answer, false.explanation)[0]
    assert first.text.startswith("False: ")


def test_the_study_answer_page_names_the_kind_and_shows_no_event_twice(make_learner):
    from tests.test_study import answer, current_card

    _, client = make_learner()
    card = current_card(client)
    html = answer(client, card, right=True)
    question = card["question"]
    assert f'>{kind_name(question.kind)}</span>' in html
    event = question.fact.event
    assert html.count(event) <= (1 if event in question.prompt else 0)


# Pages

def test_visitors_get_the_landing_page_and_learners_their_decks(client, make_learner):
    html = client.get("/").get_data(as_text=True)
    assert 'id="sample"' in html and "Register" in html and ".apkg" in html
    assert 'id="deck-all"' not in html
    assert "1947" in client.get("/decks").get_data(as_text=True)
    _, learner = make_learner()
    assert 'id="deck-all"' in learner.get("/").get_data(as_text=True)
    assert learner.get("/try").status_code == 302


def test_a_sample_answer_is_checked_without_an_account_and_bad_forms_get_a_message(client):
    question = db.session.execute(sa.select(Question).filter_by(kind="who", format="choice")).scalars().first()
    right = post_form(client, "/try", {"question_id": question.id, "response": question.answer}, page="/")
    assert right.status_code == 200 and 'id="verdict">Right.' in right.get_data(as_text=True)
    missing = post_form(client, "/try", {"question_id": "999999999", "response": "x"}, page="/")
    assert missing.status_code == 404
    forged = client.post("/try", data={"question_id": question.id, "response": "x"})  # no CSRF token
    assert forged.status_code == 400 and "token is missing" in forged.get_data(as_text=True)
    unreadable = post_form(client, "/try", {"question_id": "many", "response": "x"}, page="/")
    assert unreadable.status_code == 302 and client.get(unreadable.location).status_code == 200
    typed = db.session.execute(sa.select(Question).filter_by(kind="cloze")).scalars().first()
    assert post_form(client, "/try", {"question_id": typed.id, "response": "x"}, page="/").status_code == 404


def test_the_clock_settings_validate_and_save(make_learner):
    user, client = make_learner()
    bad = post_form(client, "/account/clock", {"clk-time_zone": "Atlantis/Capital", "clk-day_hour": "4",
                                               "clk-daily_goal": "-2"}, page="/account")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Unknown time zone" in text and "between 1 and 2000" in text
    hour = post_form(client, "/account/clock", {"clk-time_zone": "UTC", "clk-day_hour": "31"}, page="/account")
    assert hour.status_code == 400 and "Not a valid choice" in hour.get_data(as_text=True)
    good = post_form(client, "/account/clock", {"clk-time_zone": " Asia/Tokyo ", "clk-day_hour": "5",
                                                "clk-daily_goal": ""}, page="/account")
    assert good.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.time_zone, saved.day_hour, saved.daily_goal) == ("Asia/Tokyo", 5, None)


def test_the_browser_zone_is_taken_once_and_never_overrides_a_chosen_one(make_learner):
    user, client = make_learner()
    assert post_form(client, "/account/time-zone", {"time_zone": "Nowhere/Land"}, page="/account").status_code == 400
    first = post_form(client, "/account/time-zone", {"time_zone": "Europe/Berlin"}, page="/account")
    assert first.get_json() == {"saved": True, "time_zone": "Europe/Berlin"}
    again = post_form(client, "/account/time-zone", {"time_zone": "Asia/Tokyo"}, page="/account")
    assert again.get_json()["saved"] is False
    db.session.expire_all()
    assert db.session.get(User, user.id).time_zone == "Europe/Berlin"


def test_the_new_count_is_what_today_can_show_after_burying_and_the_limit(make_learner):
    _, client = make_learner(new_per_day=100)
    facts = db.session.execute(sa.select(sa.func.count(sa.distinct(Question.fact_id))).join(
        Question.period).where(Question.retired.is_(False)).filter_by(slug="1947-1966")).scalar_one()
    assert f"{facts} new" in client.get(DECK).get_data(as_text=True)
    study(client, 3)
    assert f"{facts - 3} new" in client.get(DECK).get_data(as_text=True)
    _, limited = make_learner(new_per_day=5)
    assert "5 new" in limited.get(DECK).get_data(as_text=True)


def test_the_done_page_sums_up_the_session(make_learner, clock):
    user, client = make_learner(new_per_day=3, daily_goal=3, time_zone="Europe/London")
    study(client, None, right=lambda i: i != 0)
    html = client.get(DECK).get_data(as_text=True)
    assert 'id="done"' in html and 'id="summary-cards">3<' in html
    answered = db.session.execute(sa.select(sa.func.count()).select_from(Card).filter_by(user_id=user.id)).scalar()
    assert answered == 3
    assert "Daily goal reached" in html and "1</strong> day in a row" in html

"""The live class game over HTTP: who may present, joining, answering once and in time, and the stored attempts."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from quizapp import live
from quizapp.models import Attempt, LiveAnswer, LivePlayer, LiveSession, Question, Quiz, QuizItem, Response, db
from tests.conftest import post_form

CSRF_DATA = re.compile(r'data-poll="[^"]*" data-csrf="([^"]+)"')  # the player's screen, not the page's own


# The rules on plain data


def test_points_reward_right_and_fast_answers():
    assert live.points(1.0, 0, 20_000) == 1000
    assert live.points(1.0, 10_000, 20_000) == 750
    assert live.points(1.0, 20_000, 20_000) == 500
    assert live.points(1.0, 25_000, 20_000) == 500  # within the grace: never less than half
    assert live.points(0.0, 0, 20_000) == 0
    assert live.points(0.5, 0, 20_000, weight=2) == 1000


def test_leaderboard_shares_ranks_on_equal_points():
    board = live.leaderboard({1: 900, 2: 1500, 3: 900}, {1: "bea", 2: "al", 3: "Cy", 4: "dan"})
    assert [(s.nickname, s.points, s.rank) for s in board] == [
        ("al", 1500, 1), ("bea", 900, 2), ("Cy", 900, 2), ("dan", 0, 4)]


def test_histogram_counts_choices_in_order_and_groups_typed_answers():
    bars = live.histogram("multi", ["a", "b", "c"], ["a", "c"], [["a", "b"], ["a"], ["c"]])
    assert [(b.label, b.count, b.right) for b in bars] == [("a", 2, True), ("b", 1, False), ("c", 1, True)]
    typed = live.histogram("short", [], ["Golda Meir"], ["golda meir", "Golda  Meir!", "Ben Gurion", "Gold Meir"])
    assert [(b.label, b.count, b.right) for b in typed] == [("golda meir", 2, True), ("Ben Gurion", 1, False),
                                                            ("Gold Meir", 1, True)]


def test_phases_follow_the_server_clock_and_a_pause_moves_the_deadline():
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    r = live.Round(live.QUESTION, t0 + live.LEAD, t0 + live.LEAD + dt.timedelta(seconds=20))
    assert live.phase(r, t0) == live.READY and not live.accepts_answer(r, t0)
    assert live.phase(r, t0 + dt.timedelta(seconds=5)) == live.OPEN
    paused = live.Round(r.stored, r.opens_at, r.deadline, t0 + dt.timedelta(seconds=13))
    assert live.phase(paused, t0 + dt.timedelta(seconds=60)) == live.PAUSED
    assert live.remaining_ms(paused, t0 + dt.timedelta(seconds=60)) == (0, 10_000)
    again = live.resumed(paused, t0 + dt.timedelta(seconds=60))
    assert again.deadline == r.deadline + dt.timedelta(seconds=47)
    assert live.accepts_answer(again, again.deadline + live.GRACE)
    assert not live.accepts_answer(again, again.deadline + live.GRACE + dt.timedelta(milliseconds=1))


# The game over HTTP


@pytest.fixture
def teacher(make_learner):
    return make_learner("teacher@example.org", instructor=True)


@pytest.fixture
def quiz(teacher):
    user, _ = teacher
    bank = db.session.execute(select(Question).filter_by(format="choice").order_by(Question.id)).scalars().first()
    quiz = Quiz(owner_id=user.id, title="Live quiz", join_code="LIVE2345", max_attempts=1, shuffle_choices=True)
    quiz.items = [
        QuizItem(position=0, format="choice", prompt=bank.prompt, choices=list(bank.choices), answers=[bank.answer],
                 explanation=bank.explanation, question_id=bank.id, points=1),
        QuizItem(position=1, format="year", prompt="When did the USSR recognize Israel?", answers=["1948"], points=2),
        QuizItem(position=2, format="multi", prompt="Which were Soviet leaders?",
                 choices=["Stalin", "Ben Gurion", "Brezhnev"], answers=["Stalin", "Brezhnev"], points=1),
    ]
    db.session.add(quiz)
    db.session.commit()
    return quiz


def open_game(host, quiz, seconds=20) -> LiveSession:
    response = post_form(host, f"/live/quizzes/{quiz.id}", {"seconds": seconds})
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.execute(select(LiveSession).filter_by(quiz_id=quiz.id)).scalar_one()


def act(host, session, action):
    return post_form(host, f"/live/host/{session.id}/{action}", {}, page=f"/live/host/{session.id}",
                     headers={"Accept": "application/json"})


def join(client, session, nickname):
    return post_form(client, f"/live/{session.code}", {"code": session.code, "nickname": nickname})


def answer(client, session, item_id, *values):
    page = client.get(f"/live/{session.code}").get_data(as_text=True)
    token = CSRF_DATA.search(page).group(1)
    return client.post(f"/live/{session.code}/answer", data={"csrf_token": token, "item": item_id,
                                                             "response": list(values)})


def state(client, session, etag=None):
    return client.get(f"/live/{session.code}/state", headers={"If-None-Match": etag} if etag else {})


def test_a_full_game_scores_fast_right_answers_and_stores_attempts(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    page = host.get(f"/live/host/{session.id}").get_data(as_text=True)
    assert session.code in page and "<svg" in page and f"/live/{session.code}" in page
    ada, ada_client = make_learner("ada@example.org")
    bo, bo_client = make_learner("bo@example.org")
    assert join(ada_client, session, "Ada").status_code == 302
    assert join(bo_client, session, "Bo").status_code == 302
    lobby = host.get(f"/live/host/{session.id}/state").json
    assert lobby["phase"] == "lobby" and lobby["players"] == ["Ada", "Bo"]

    assert act(host, session, "next").status_code == 200
    first = quiz.items[0]
    assert state(ada_client, session).json["phase"] == "ready"
    assert answer(ada_client, session, first.id, first.answers[0]).status_code == 409  # not open yet
    clock.advance(seconds=3)
    question = state(ada_client, session).json
    assert question["phase"] == "open" and question["question"]["prompt"] == first.prompt
    assert question["question"]["choices"] == first.choices and question["remaining_ms"] == 20_000
    clock.advance(seconds=2)
    assert answer(ada_client, session, first.id, first.answers[0]).status_code == 200
    assert host.get(f"/live/host/{session.id}/state").json["answered"] == 1
    clock.advance(seconds=8)
    wrong = next(c for c in first.choices if c not in first.answers)
    assert answer(bo_client, session, first.id, wrong).status_code == 200
    # everyone has answered: answers close at once
    closed = host.get(f"/live/host/{session.id}/state").json
    assert closed["phase"] == "closed" and closed["answered"] == 2
    assert {b["label"]: b["count"] for b in closed["histogram"]}[wrong] == 1

    revealed = act(host, session, "reveal").json
    assert revealed["reveal"]["answers"] == first.answers and revealed["reveal"]["quote"]
    mine = state(ada_client, session).json["me"]
    assert mine["points"] == 950 and mine["score"] == 950 and mine["rank"] == 1
    board = act(host, session, "leaderboard").json["leaderboard"]
    assert [(r["nickname"], r["points"], r["rank"]) for r in board] == [("Ada", 950, 1), ("Bo", 0, 2)]

    act(host, session, "next")  # the year question, worth 2 points in the quiz
    clock.advance(seconds=3)
    second = quiz.items[1]
    assert answer(bo_client, session, second.id, "1948").status_code == 200
    clock.advance(seconds=21)
    assert answer(ada_client, session, second.id, "1948").status_code == 409  # after the deadline
    act(host, session, "reveal")
    act(host, session, "next")
    clock.advance(seconds=4)
    third = quiz.items[2]
    assert answer(ada_client, session, third.id, "Stalin", "Brezhnev").status_code == 200
    assert answer(bo_client, session, third.id, "Stalin", "Ben Gurion").status_code == 200
    final = act(host, session, "next").json  # past the last question: the game ends
    assert final["phase"] == "ended"
    assert [(r["nickname"], r["points"]) for r in final["leaderboard"]] == [("Bo", 2000), ("Ada", 1925)]

    db.session.expire_all()
    attempts = {a.user_id: a for a in db.session.execute(select(Attempt).filter_by(quiz_id=quiz.id)).scalars()}
    assert attempts[ada.id].submitted_at is not None and attempts[ada.id].score == 2
    assert attempts[bo.id].score == 2 and attempts[bo.id].max_score == 4
    ended = state(ada_client, session).json
    assert ended["phase"] == "ended" and ended["result_url"] == f"/attempts/{attempts[ada.id].id}/result"
    results = host.get(f"/teach/quizzes/{quiz.id}/results").get_data(as_text=True)
    assert "ada@example.org" in results and "bo@example.org" in results
    csv = host.get(f"/teach/quizzes/{quiz.id}/results.csv").get_data(as_text=True).splitlines()
    assert len(csv) == 3 and any(row.startswith("ada@example.org,1,") for row in csv)


def test_a_late_joiner_enters_at_the_current_question_and_a_reload_keeps_place_and_score(
        teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    join(ada, session, "Ada")
    act(host, session, "next")
    clock.advance(seconds=4)
    first = quiz.items[0]
    answer(ada, session, first.id, first.answers[0])
    act(host, session, "reveal")
    act(host, session, "next")
    clock.advance(seconds=4)
    _, cy = make_learner("cy@example.org")
    assert join(cy, session, "Cy").status_code == 302
    late = state(cy, session).json
    assert late["phase"] == "open" and late["question"]["item_id"] == quiz.items[1].id and late["me"]["score"] == 0
    assert answer(cy, session, quiz.items[1].id, "1948").status_code == 200
    again = state(ada, session).json  # a reload: the same place, the score kept
    assert again["question"]["number"] == 2 and again["me"]["score"] == 1000 - 25 and not again["me"]["answered"]
    assert join(ada, session, "Ada again").status_code == 200  # joined already: the game, unchanged
    assert db.session.execute(select(LivePlayer).filter_by(session_id=session.id, nickname="Ada")).scalar_one()


def test_an_answer_counts_once_and_only_for_the_current_question(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    _, bo = make_learner("bo@example.org")
    join(ada, session, "Ada")
    join(bo, session, "Bo")
    act(host, session, "next")
    clock.advance(seconds=3)
    first = quiz.items[0]
    assert answer(ada, session, first.id, first.choices[0]).status_code == 200
    retry = answer(ada, session, first.id, first.choices[1])
    assert retry.status_code == 409 and "already answered" in retry.json["error"]
    assert answer(ada, session, quiz.items[1].id, "1948").status_code == 409  # not the current question
    assert answer(bo, session, first.id, "not a choice").status_code == 400
    db.session.expire_all()
    assert db.session.execute(select(LiveAnswer)).scalars().all()[0].answer == first.choices[0]
    assert len(db.session.execute(select(Response)).scalars().all()) == 1


def test_pause_freezes_the_countdown_and_skip_moves_on(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    join(ada, session, "Ada")
    act(host, session, "next")
    clock.advance(seconds=8)
    assert act(host, session, "pause").json["phase"] == "paused"
    clock.advance(seconds=60)
    paused = state(ada, session).json
    assert paused["phase"] == "paused" and paused["remaining_ms"] == 15_000
    assert answer(ada, session, quiz.items[0].id, quiz.items[0].choices[0]).status_code == 409
    resumed = act(host, session, "resume").json
    assert resumed["phase"] == "open" and resumed["remaining_ms"] == 15_000
    assert act(host, session, "leaderboard").status_code == 409  # not before the reveal
    skipped = act(host, session, "skip").json
    assert skipped["question"]["number"] == 2 and skipped["phase"] == "ready"
    ended = act(host, session, "end").json
    assert ended["phase"] == "ended" and act(host, session, "next").status_code == 409


def test_a_presenter_s_double_tap_or_retry_moves_the_game_on_once(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    page = host.get(f"/live/host/{session.id}").get_data(as_text=True)
    shown = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def tap(action, version):
        return host.post(f"/live/host/{session.id}/{action}", data={"csrf_token": token, "version": version},
                         headers={"Accept": "application/json"})

    first, second = tap("next", shown), tap("next", shown)  # the same screen's button, twice
    assert first.status_code == 200 and first.json["question"]["number"] == 1
    assert second.status_code == 409 and "already moved on" in second.json["error"]
    assert host.get(f"/live/host/{session.id}/state").json["question"]["number"] == 1
    # the screen that showed the first question's version moves it on, once
    after = first.json["version"]
    assert tap("skip", after).json["question"]["number"] == 2
    assert tap("skip", after).status_code == 409
    assert host.get(f"/live/host/{session.id}/state").json["question"]["number"] == 2
    # without JavaScript the buttons post the version the page was rendered with: the one it shows now
    page = host.get(f"/live/host/{session.id}").get_data(as_text=True)
    now_shown = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    assert now_shown == host.get(f"/live/host/{session.id}/state").json["version"] != after


def test_polls_are_answered_304_until_the_game_changes(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    join(ada, session, "Ada")
    first = state(ada, session)
    assert first.status_code == 200 and first.headers["ETag"]
    assert state(ada, session, first.headers["ETag"]).status_code == 304
    act(host, session, "next")
    changed = state(ada, session, first.headers["ETag"])
    assert changed.status_code == 200 and changed.json["phase"] == "ready"
    assert changed.json["opens_in_ms"] == 3000 and changed.json["remaining_ms"] == 23_000
    clock.advance(seconds=3)  # answers open with time alone: the phone counts down to it, no new state
    assert state(ada, session, changed.headers["ETag"]).status_code == 304
    assert state(ada, session).json["phase"] == "open"
    signed_out = host.application.test_client()
    assert signed_out.get(f"/live/{session.code}/state", headers={"If-None-Match": changed.headers["ETag"]}) \
        .status_code == 401  # an ETag alone opens nothing


def test_only_the_quiz_s_owner_presents(teacher, quiz, make_learner):
    _, host = teacher
    session = open_game(host, quiz)
    _, learner = make_learner("ada@example.org")
    _, other = make_learner("other@example.org", instructor=True)
    for path in (f"/live/quizzes/{quiz.id}", f"/live/host/{session.id}", f"/live/host/{session.id}/state"):
        assert learner.get(path).status_code == 403
        assert other.get(path).status_code == 404
    token = CSRF_DATA.search(host.get(f"/live/{session.code}").get_data(as_text=True) or "") or None
    assert token is None  # the host has not joined as a player: the join form is shown
    assert post_form(other, f"/live/host/{session.id}/next", {}, page="/live/").status_code == 404
    assert post_form(learner, f"/live/host/{session.id}/next", {}, page="/live/").status_code == 403
    assert post_form(other, f"/live/quizzes/{quiz.id}", {"seconds": 20}, page="/live/").status_code == 404
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).phase == "lobby"
    anonymous = host.application.test_client()
    assert anonymous.get(f"/live/{session.code}").status_code == 302  # to the login page
    assert anonymous.get(f"/live/{session.code}/state").status_code == 401


def test_a_player_s_state_and_answers_need_their_own_place_in_the_game(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    assert state(ada, session).status_code == 404  # not joined
    assert ada.get("/live/NOSUCH/state").status_code == 404
    assert ada.get("/live/NOSUCH").status_code == 404


def test_join_form_messages(teacher, quiz, make_learner):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    _, bo = make_learner("bo@example.org")
    join(ada, session, "Ada")
    taken = join(bo, session, "ada")
    assert taken.status_code == 400 and "already has that name" in taken.get_data(as_text=True)
    unknown = post_form(bo, "/live/", {"code": "ZZZZZZ", "nickname": "Bo"})
    assert unknown.status_code == 400 and "No live game has this code" in unknown.get_data(as_text=True)
    empty = post_form(bo, "/live/", {"code": session.code, "nickname": "   "})
    assert empty.status_code == 400
    assert post_form(bo, "/live/", {"code": session.code.lower(), "nickname": "Bo"}).status_code == 302


def test_a_running_game_s_attempt_is_answered_in_the_game_not_page_by_page(teacher, quiz, make_learner):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    join(ada, session, "Ada")
    attempt = db.session.execute(select(Attempt)).scalar_one()
    response = ada.get(f"/attempts/{attempt.id}/1")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/live/{session.code}")


def test_the_quiz_page_s_start_sends_a_running_game_s_player_back_to_the_game(teacher, quiz, make_learner):
    """Resuming from the quiz's own page, even asking for the question in the response, shows no question of a
    running game outside it (its questions open when the host opens them)."""
    _, host = teacher
    session = open_game(host, quiz)
    _, ada = make_learner("ada@example.org")
    join(ada, session, "Ada")
    for then in ({"then": "question"}, {}):
        resumed = post_form(ada, f"/q/{quiz.join_code}/start", then, page=f"/q/{quiz.join_code}")
        assert resumed.status_code == 302 and resumed.headers["Location"].endswith(f"/live/{session.code}")
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 1


def test_starting_again_returns_to_the_running_game_and_an_empty_quiz_cannot_start(teacher, quiz):
    user, host = teacher
    session = open_game(host, quiz)
    again = post_form(host, f"/live/quizzes/{quiz.id}", {"seconds": 30})
    assert again.headers["Location"].endswith(f"/live/host/{session.id}")
    empty = Quiz(owner_id=user.id, title="Empty", join_code="EMPTY234")
    db.session.add(empty)
    db.session.commit()
    refused = post_form(host, f"/live/quizzes/{empty.id}", {"seconds": 20})
    assert refused.status_code == 400 and "no questions" in refused.get_data(as_text=True)
    bad = post_form(host, f"/live/quizzes/{quiz.id}", {"seconds": 2})
    assert bad.status_code == 400


def test_a_poll_from_a_session_ended_elsewhere_gets_nothing(teacher, quiz, make_learner):
    _, host = teacher
    session = open_game(host, quiz)
    ada, client = make_learner("ada@example.org")
    join(client, session, "Ada")
    assert state(client, session).status_code == 200
    ada.session_generation += 1  # "log out everywhere"
    db.session.commit()
    refused = state(client, session)
    assert refused.status_code == 404 and "question" not in refused.get_data(as_text=True)


def test_deleting_a_quiz_takes_its_live_games_with_it(teacher, quiz, make_learner, clock):
    _, host = teacher
    session = open_game(host, quiz)
    _, ada_client = make_learner("ada@example.org")
    assert join(ada_client, session, "Ada").status_code == 302
    act(host, session, "next")
    clock.advance(seconds=5)
    first = quiz.items[0]
    assert answer(ada_client, session, first.id, first.answers[0]).status_code == 200
    assert db.session.execute(select(LiveAnswer)).scalars().all()
    quiz_id, code = quiz.id, session.code
    done = post_form(host, f"/teach/quizzes/{quiz_id}/delete", {"confirm": "y"},
                     page=f"/teach/quizzes/{quiz_id}/delete")
    assert done.status_code == 302
    db.session.expire_all()
    for model in (LiveAnswer, LivePlayer, LiveSession, Attempt, Response, QuizItem):
        assert db.session.execute(select(model)).scalars().all() == [], model.__name__
    assert ada_client.get(f"/live/{code}").status_code in (302, 404)

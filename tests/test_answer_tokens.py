"""A study card's answer token: issued by the server, good for one learner, one card, one answer.

Before, the token was whatever the client sent and was global: another learner's token
silently dropped an answer (200 "duplicate", with someone else's card state), and made-up
tokens answered a card any number of times.
"""

import re

import pytest
import sqlalchemy as sa

from quizapp import answer_tokens
from quizapp.models import Question, ReviewLog, db
from quizapp.scheduling import Rating
from tests.conftest import PASSWORD, csrf_from

API_DECK = "/api/v1/decks/israel-russia/1947-1966"
PAGE_DECK = "/study/israel-russia/1947-1966"
FIELD = r'name="{}"[^>]* value="([^"]+)"'


def logs(user) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog).filter_by(user_id=user.id)).scalar()


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def bearer(api):
    def auth(user) -> dict:
        response = api.post("/api/v1/token", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return auth


def test_the_api_refuses_made_up_tokens(make_learner, api, bearer):
    user, _ = make_learner()
    auth = bearer(user)
    card = api.get(f"{API_DECK}/next", headers=auth).json
    made_up = [f"made-up-token-{i:02d}-xxxxxxxx" for i in range(5)]
    for token in made_up + ["0." + "A" * 16 + "." + "B" * 22]:
        response = api.post(f"{API_DECK}/answers", headers=auth, json={
            "question_id": card["question"]["id"], "token": token, "response": "1948"})
        assert response.status_code == 400 and "not issued to you" in response.json["message"]
    assert logs(user) == 0


def test_another_learners_token_is_refused_not_taken_for_a_duplicate(make_learner, api, bearer):
    ada, _ = make_learner()
    bob, _ = make_learner()
    ada_auth, bob_auth = bearer(ada), bearer(bob)
    ada_card = api.get(f"{API_DECK}/next", headers=ada_auth).json
    bob_card = api.get(f"{API_DECK}/next", headers=bob_auth).json
    assert ada_card["question"]["id"] == bob_card["question"]["id"]  # two new learners: the same first card
    body = {"question_id": ada_card["question"]["id"], "response": "wrong", "rating": 1}
    assert api.post(f"{API_DECK}/answers", headers=ada_auth, json={**body, "token": ada_card["token"]}) \
        .status_code == 201
    stolen = api.post(f"{API_DECK}/answers", headers=bob_auth, json={**body, "token": ada_card["token"], "rating": 4})
    assert stolen.status_code == 400 and "not issued to you" in stolen.json["message"]
    own = api.post(f"{API_DECK}/answers", headers=bob_auth, json={**body, "token": bob_card["token"], "rating": 4})
    assert own.status_code == 201 and own.json["rating"] == "Easy" and own.json["duplicate"] is False
    assert (logs(ada), logs(bob)) == (1, 1)


def test_a_token_answers_only_the_card_it_came_with(make_learner, api, bearer):
    user, _ = make_learner()
    auth = bearer(user)
    card = api.get(f"{API_DECK}/next", headers=auth).json
    other = db.session.execute(sa.select(Question.id).filter(
        Question.period_id == db.session.get(Question, card["question"]["id"]).period_id,
        Question.id != card["question"]["id"], Question.retired.is_(False)).limit(1)).scalar_one()
    response = api.post(f"{API_DECK}/answers", headers=auth, json={
        "question_id": other, "token": card["token"], "response": "x"})
    assert response.status_code == 400
    assert logs(user) == 0


def test_a_token_answers_once_and_a_second_showing_of_the_same_card_is_spent_with_it(make_learner, api, bearer,
                                                                                       clock):
    user, _ = make_learner()
    auth = bearer(user)
    first = api.get(f"{API_DECK}/next", headers=auth).json
    second = api.get(f"{API_DECK}/next", headers=auth).json  # the same card in another tab
    assert first["question"]["id"] == second["question"]["id"] and first["token"] != second["token"]
    body = {"question_id": first["question"]["id"], "response": "wrong"}
    answered = api.post(f"{API_DECK}/answers", headers=auth, json={**body, "token": first["token"]})
    assert answered.status_code == 201
    again = api.post(f"{API_DECK}/answers", headers=auth, json={**body, "token": first["token"], "rating": 4})
    assert again.status_code == 200 and again.json["duplicate"] and again.json["rating"] == answered.json["rating"]
    other_tab = api.post(f"{API_DECK}/answers", headers=auth, json={**body, "token": second["token"]})
    assert other_tab.status_code == 409 and "answered since" in other_tab.json["message"]
    assert logs(user) == 1
    clock.advance(minutes=11)  # past the 10-minute learning step
    shown_again = api.get(f"{API_DECK}/next", headers=auth).json  # due again after Again: a new token
    assert shown_again["question"]["id"] == first["question"]["id"]
    assert api.post(f"{API_DECK}/answers", headers=auth, json={**body, "token": shown_again["token"]}) \
        .status_code == 201
    assert logs(user) == 2


def shown_card(client) -> dict:
    html = client.get(PAGE_DECK).get_data(as_text=True)
    return {"csrf_token": csrf_from(html), "question_id": re.search(FIELD.format("question_id"), html).group(1),
            "token": re.search(FIELD.format("token"), html).group(1), "response-0": "no idea", "elapsed_ms": "900"}


def grade(client, form: dict, rating: Rating = Rating.Good, **changes) -> str:
    response = client.post(f"{PAGE_DECK}/review", data={**form, "rating": str(int(rating)), **changes})
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


def test_the_study_page_refuses_made_up_and_other_learners_tokens(make_learner, app):
    ada, ada_client = make_learner()
    bob, bob_client = make_learner()
    ada_form, bob_form = shown_card(ada_client), shown_card(bob_client)
    assert ada_form["question_id"] == bob_form["question_id"]
    made_up = answer_tokens.issue("not the server's secret", ada.id, int(ada_form["question_id"]), 0)
    assert "not for a card shown to you" in grade(ada_client, ada_form, token=made_up)
    assert "not for a card shown to you" in grade(ada_client, ada_form, token="a-made-up-token-0123")
    grade(ada_client, ada_form)
    assert "not for a card shown to you" in grade(bob_client, bob_form, token=ada_form["token"])
    assert (logs(ada), logs(bob)) == (1, 0)
    grade(bob_client, bob_form)
    assert (logs(ada), logs(bob)) == (1, 1)


def test_the_study_page_records_one_answer_per_showing(make_learner, clock):
    user, client = make_learner()
    tab, other_tab = shown_card(client), shown_card(client)
    assert tab["token"] != other_tab["token"]
    grade(client, tab, Rating.Again)
    assert "already recorded" in grade(client, tab, Rating.Easy)
    assert "answered since it was shown" in grade(client, other_tab, Rating.Easy)
    assert logs(user) == 1
    clock.advance(minutes=11)  # past the 10-minute learning step
    again = shown_card(client)  # due again after Again: shown with a new token
    assert again["question_id"] == tab["question_id"]
    grade(client, again)
    assert logs(user) == 2

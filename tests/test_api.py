"""The JSON API: token and session auth, the same study logic as the pages."""

import sqlalchemy as sa

from quizapp.models import Card, Question, ReviewLog, db
from tests.conftest import PASSWORD, csrf_from

DECK = "/api/v1/decks/israel-russia/1947-1966"


def token_for(client, email):
    response = client.post("/api/v1/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['token']}"}


def logs(user):
    return db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog).filter_by(user_id=user.id)).scalar()


def test_token_flow_lists_decks_serves_and_answers_cards(make_learner, app):
    user, _ = make_learner()
    api = app.test_client()
    auth = token_for(api, user.email)
    decks = api.get("/api/v1/decks", headers=auth).json["subjects"][0]["decks"]
    assert [d["id"] for d in decks][:2] == ["all", "1947-1966"] and decks[1]["new"] == 20
    card = api.get(f"{DECK}/next", headers=auth).json
    assert card["done"] is False and set(card["intervals"]) == {"Again", "Hard", "Good", "Easy"}
    question = db.session.get(Question, card["question"]["id"])
    body = {"question_id": question.id, "token": card["token"], "response": question.answer}
    first = api.post(f"{DECK}/answers", json=body, headers=auth)
    assert first.status_code == 201 and first.json["correct"] is True and first.json["rating"] == "Good"
    again = api.post(f"{DECK}/answers", json=body, headers=auth)
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert logs(user) == 1
    wrong = api.get(f"{DECK}/next", headers=auth).json
    q2 = db.session.get(Question, wrong["question"]["id"])
    response = api.post(f"{DECK}/answers", headers=auth, json={
        "question_id": q2.id, "token": wrong["token"], "response": "nonsense", "duration_ms": 1500})
    assert response.json["correct"] is False and response.json["rating"] == "Again"
    stats = api.get("/api/v1/stats", headers=auth).json
    assert stats["reviews_per_day"][-1]["reviews"] == 2
    assert api.post("/api/v1/undo", headers=auth).json["undone"] == q2.uid
    assert logs(user) == 1


def test_rating_given_by_the_client_overrides_the_suggestion(make_learner, app):
    user, _ = make_learner()
    api = app.test_client()
    auth = token_for(api, user.email)
    card = api.get(f"{DECK}/next", headers=auth).json
    response = api.post(f"{DECK}/answers", headers=auth, json={
        "question_id": card["question"]["id"], "token": card["token"], "response": "wrong", "rating": 4})
    assert response.json["suggested"] == "Again" and response.json["rating"] == "Easy"


def test_missing_or_wrong_credentials_are_401(client):
    assert client.get("/api/v1/decks").status_code == 401
    assert client.get("/api/v1/decks", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/api/v1/token", json={"email": "x@y.org", "password": "z"}).status_code == 401
    assert client.get("/api/v1/stats").json["error"] == "Unauthorized"


def test_bad_bodies_are_400_with_a_message(make_learner, app):
    user, _ = make_learner()
    api = app.test_client()
    auth = token_for(api, user.email)
    card = api.get(f"{DECK}/next", headers=auth).json
    good = {"question_id": card["question"]["id"], "token": card["token"], "response": "x"}
    for bad in ({**good, "question_id": "1"}, {**good, "token": 5}, {**good, "rating": 7},
                {**good, "response": {"a": 1}}, {**good, "duration_ms": -5}, {**good, "rating": True}):
        response = api.post(f"{DECK}/answers", headers=auth, json=bad)
        assert response.status_code == 400 and response.json["message"], bad
    assert api.post(f"{DECK}/answers", headers=auth, data="not json").status_code == 400
    assert api.post(f"{DECK}/answers", headers=auth, json={**good, "question_id": 10**9}).status_code == 404
    assert logs(user) == 0


def test_session_clients_need_the_csrf_token_to_write(make_learner):
    user, browser = make_learner()
    card = browser.get(f"{DECK}/next").json
    body = {"question_id": card["question"]["id"], "token": card["token"], "response": "x"}
    assert browser.post(f"{DECK}/answers", json=body).status_code == 400
    token = csrf_from(browser.get("/").get_data(as_text=True))
    assert browser.post(f"{DECK}/answers", json=body, headers={"X-CSRFToken": token}).status_code == 201
    assert logs(user) == 1


def test_a_token_only_reaches_its_own_learners_cards(make_learner, app):
    ada, _ = make_learner()
    bob, _ = make_learner()
    api = app.test_client()
    ada_auth, bob_auth = token_for(api, ada.email), token_for(api, bob.email)
    card = api.get(f"{DECK}/next", headers=ada_auth).json
    api.post(f"{DECK}/answers", headers=ada_auth, json={
        "question_id": card["question"]["id"], "token": card["token"], "response": "x"})
    assert api.post("/api/v1/undo", headers=bob_auth).json["undone"] is None
    assert logs(ada) == 1
    assert api.get("/api/v1/stats", headers=bob_auth).json["reviews_per_day"][-1]["reviews"] == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Card).filter_by(user_id=bob.id)).scalar() == 0

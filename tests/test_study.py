"""Self-study through the pages: accounts, the review loop, scheduling, burying, undo, stats."""

import datetime as dt
import re

import sqlalchemy as sa

from quizapp import localtime, scheduling
from quizapp.learning import card_state
from quizapp.models import Card, Period, Question, ReviewLog, User, db
from quizapp.scheduling import Rating
from tests.conftest import PASSWORD, csrf_from, log_in, post_form

DECK = "/study/israel-russia/1947-1966"
FIELD = r'name="{}"[^>]* value="([^"]+)"'


def current_card(client, deck=DECK):
    """The question shown on the study page, with its form values."""
    html = client.get(deck).get_data(as_text=True)
    if 'id="done"' in html:
        return None
    qid = int(re.search(FIELD.format("question_id"), html).group(1))
    return {"html": html, "question": db.session.get(Question, qid), "csrf": csrf_from(html),
            "token": re.search(FIELD.format("token"), html).group(1)}


def response_for(question, right: bool):
    if question.format == "order":
        answer = list(question.answer)
        return answer if right else answer[::-1]
    if right:
        return question.answer
    if question.choices:
        return next(c for c in question.choices if c != question.answer)
    return "0000" if question.format == "year" else "no idea"


def form_data(card, response):
    values = response if isinstance(response, list) else [response]
    data = {"csrf_token": card["csrf"], "question_id": card["question"].id, "token": card["token"],
            "elapsed_ms": "3200"}
    data.update({f"response-{i}": v for i, v in enumerate(values)})
    return data


def answer(client, card, right: bool, deck=DECK):
    response = client.post(f"{deck}/answer", data=form_data(card, response_for(card["question"], right)))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def grade(client, card, rating: int, right: bool = True, deck=DECK):
    data = form_data(card, response_for(card["question"], right))
    return client.post(f"{deck}/review", data={**data, "rating": str(rating)})


def study(client, n: int | None, right=lambda i: True, deck=DECK):
    """Answer n cards (None: until the deck is done); grade each with the suggested grade."""
    seen = []
    for i in range(n if n is not None else 10_000):
        card = current_card(client, deck)
        if card is None and n is None:
            break
        assert card is not None, f"ran out of cards after {i}"
        html = answer(client, card, right(i), deck)
        suggested = re.search(r'id="suggested">(\w+)<', html).group(1)
        assert grade(client, card, Rating[suggested], right(i), deck).status_code == 302
        seen.append((card["question"], suggested))
    return seen


def count(model, **filters):
    return db.session.execute(sa.select(sa.func.count()).select_from(model).filter_by(**filters)).scalar_one()


# Accounts

def test_register_confirm_log_out_and_log_in(client, mailbox):
    response = post_form(client, "/register", {"email": "Ada@Example.org", "password": PASSWORD,
                                               "confirm": PASSWORD})
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    user = db.session.execute(sa.select(User).filter_by(email="ada@example.org")).scalar_one()
    assert not user.is_instructor and user.password_hash.startswith("$argon2id$") and user.confirmed_at is None
    assert post_form(client, mailbox.link("ada@example.org"), {"password": PASSWORD}).status_code == 302
    assert "ada@example.org" in client.get("/").get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(html)}).status_code == 302
    assert client.get(DECK).status_code == 302
    assert log_in(client, "ada@example.org").status_code == 302


def test_register_rejects_bad_input_with_messages(client, make_learner):
    make_learner("taken@example.org")
    cases = [
        ({"email": "not-an-email", "password": PASSWORD, "confirm": PASSWORD}, "must have an @-sign"),
        ({"email": "new@example.org", "password": "short", "confirm": "short"}, "at least 8"),
        ({"email": "new@example.org", "password": PASSWORD, "confirm": PASSWORD + "x"}, "Passwords differ"),
        ({"email": "new@example.org", "password": "12345678", "confirm": "12345678"}, "too easy to guess"),
        ({"email": "", "password": "", "confirm": ""}, "This field is required"),
    ]
    for data, message in cases:
        response = post_form(client, "/register", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    assert count(User) == 1
    taken = post_form(client, "/register", {"email": "TAKEN@example.org", "password": PASSWORD, "confirm": PASSWORD})
    assert taken.status_code == 200 and "already exists" not in taken.get_data(as_text=True)
    assert count(User) == 1


def test_wrong_password_is_a_message_not_a_login(client, make_learner):
    make_learner("ada@example.org")
    response = log_in(client, "ada@example.org", "wrong password")
    assert response.status_code == 400 and "Wrong email or password" in response.get_data(as_text=True)
    assert client.get(DECK).status_code == 302


def test_change_password(make_learner, app):
    user, client = make_learner()
    bad = post_form(client, "/account", {"pw-current": "nope", "pw-password": "new password 1",
                                         "pw-confirm": "new password 1", "pw-submit": "1"})
    assert bad.status_code == 400 and "current password is wrong" in bad.get_data(as_text=True)
    good = post_form(client, "/account", {"pw-current": PASSWORD, "pw-password": "new password 1",
                                          "pw-confirm": "new password 1", "pw-submit": "1"})
    assert good.status_code == 302
    fresh = app.test_client()
    assert log_in(fresh, user.email, PASSWORD).status_code == 400
    assert log_in(fresh, user.email, "new password 1").status_code == 302


def test_settings_validate_and_save(make_learner):
    user, client = make_learner()
    bad = post_form(client, "/account", {"st-new_per_day": "-3", "st-desired_retention": "1.5", "st-submit": "1"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "between 0 and 500" in html and "between 0.7 and 0.99" in html
    text = post_form(client, "/account", {"st-new_per_day": "many", "st-desired_retention": "x", "st-submit": "1"})
    assert text.status_code == 400 and "Not a valid integer value" in text.get_data(as_text=True)
    assert post_form(client, "/account", {"st-new_per_day": "5", "st-desired_retention": "0.85",
                                          "st-submit": "1"}).status_code == 302
    db.session.refresh(user)
    assert (user.new_per_day, user.desired_retention) == (5, 0.85)


# The review loop

def test_home_shows_counts_per_deck_and_a_timeline(make_learner):
    _, client = make_learner()
    html = client.get("/").get_data(as_text=True)
    assert html.count('class="deck"') == 6
    assert "20 new" in html and "0 due" in html
    assert html.count('<svg class="timeline"') == 5 and "<circle" in html


def test_wrong_answer_suggests_again_and_right_suggests_good(make_learner):
    _, client = make_learner()
    card = current_card(client)
    html = answer(client, card, right=False)
    assert 'id="suggested">Again<' in html and "Not quite" in html
    assert card["question"].quote.split(" … ")[0][:40].replace("'", "&#39;") in html
    assert re.findall(r'class="interval">([^<]+)<', html) == ["10m", "15m", "2d", "8d"]
    html = answer(client, card, right=True)
    assert 'id="suggested">Good<' in html and "Right." in html


def test_the_learner_may_change_the_suggested_grade(make_learner):
    user, client = make_learner()
    card = current_card(client)
    answer(client, card, right=False)
    assert grade(client, card, Rating.Easy, right=False).status_code == 302
    log = db.session.execute(sa.select(ReviewLog).filter_by(user_id=user.id)).scalar_one()
    assert (log.rating, log.correct, log.duration_ms) == (Rating.Easy, False, 3200)


def test_studying_schedules_cards_with_fsrs_and_logs_each_review(make_learner, clock):
    user, client = make_learner()
    seen = study(client, 10, right=lambda i: i % 3 != 0)
    assert count(ReviewLog, user_id=user.id) == 10
    cards = db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars().all()
    assert len(cards) == 10
    for card in cards:
        log = db.session.execute(sa.select(ReviewLog).filter_by(card_id=card.id)).scalar_one()
        expected = scheduling.review(scheduling.new_card(clock.now), Rating(log.rating), clock.now, fuzz=False)
        assert card_state(card) == expected.card
    assert {s for _, s in seen} == {"Again", "Good"}


def test_a_review_submitted_twice_is_recorded_once(make_learner):
    user, client = make_learner()
    card = current_card(client)
    answer(client, card, right=True)
    assert grade(client, card, Rating.Good).status_code == 302
    again = grade(client, card, Rating.Good)
    assert "already recorded" in client.get(again.location).get_data(as_text=True)
    assert count(ReviewLog, user_id=user.id) == 1


def test_forged_or_expired_forms_do_not_record(make_learner):
    user, client = make_learner()
    card = current_card(client)
    data = form_data(card, "1948")
    assert client.post(f"{DECK}/review", data={**data, "rating": "9"}).status_code == 302
    assert client.post(f"{DECK}/review", data={**data, "rating": "3", "csrf_token": "x"}).status_code == 400
    assert client.post(f"{DECK}/review", data={**data, "rating": "3", "token": "short"}).status_code == 302
    assert client.post(f"{DECK}/review", data={**data, "rating": "3", "question_id": "999999"}).status_code == 404
    other_period = db.session.execute(sa.select(Question).join(Period).filter(Period.slug == "military")
                                      .order_by(Question.id).limit(1)).scalar_one()
    assert client.post(f"{DECK}/review", data={**data, "rating": "3",
                                               "question_id": other_period.id}).status_code == 404
    assert count(ReviewLog, user_id=user.id) == 0


def test_siblings_are_buried_until_tomorrow(make_learner, clock):
    user, client = make_learner()
    first = current_card(client)
    answer(client, first, right=True)
    grade(client, first, Rating.Easy)  # a review card due in days: its fact is buried only today
    fact_id = first["question"].fact_id
    today = study(client, None)
    assert today and all(q.fact_id != fact_id for q, _ in today)
    seen_facts = {}
    for q, _ in today:
        assert seen_facts.setdefault(q.fact_id, q.id) == q.id, f"sibling {q.uid} shown the same day"
    clock.advance(days=1)
    tomorrow = study(client, None)
    siblings = [q for q, _ in tomorrow if q.fact_id == fact_id]
    assert siblings and siblings[0].id != first["question"].id


def test_new_cards_per_day_is_respected(make_learner, clock):
    user, client = make_learner(new_per_day=3)
    study(client, 3)
    introduced = count(Card, user_id=user.id)
    while (card := current_card(client)) is not None:
        answer(client, card, right=True)
        grade(client, card, Rating.Easy)
    assert count(Card, user_id=user.id) == introduced == 3
    assert "0 new" in client.get("/").get_data(as_text=True)
    clock.advance(days=1)
    while (card := current_card(client)) is not None:
        answer(client, card, right=True)
        grade(client, card, Rating.Easy)
    assert count(Card, user_id=user.id) == 6


def test_coming_back_later_finds_the_cards_fsrs_scheduled(make_learner, clock):
    user, client = make_learner(new_per_day=5)
    while (card := current_card(client)) is not None:
        answer(client, card, right=True)
        grade(client, card, Rating.Good)
    done = client.get(DECK).get_data(as_text=True)
    assert 'id="done"' in done and "The next one is due" in done
    cards = db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars().all()
    assert len(cards) == 5 and all(c.state == scheduling.State.Review for c in cards)
    assert count(ReviewLog, user_id=user.id) == 5  # each: one Good graduates it (one learning step)
    first_due = min(c.due for c in cards)
    assert first_due - clock.now >= dt.timedelta(days=1)

    # the learner's study day starts at 04:00 in their zone (UTC until a browser reports another)
    day_of_first_due = localtime.day_start(first_due, localtime.zone(None), 4)
    clock.now = day_of_first_due - dt.timedelta(minutes=1)
    assert re.search(r'id="deck-1947-1966".*?>0 due<', client.get("/").get_data(as_text=True), re.S)
    clock.now = first_due + dt.timedelta(minutes=1)
    end_of_day = day_of_first_due + dt.timedelta(days=1)
    due_today = {c.question_id for c in cards if c.due < end_of_day}
    home = client.get("/").get_data(as_text=True)
    assert re.search(rf'id="deck-1947-1966".*?>{len(due_today)} due<', home, re.S)
    assert current_card(client)["question"].id in due_today


def test_undo_restores_the_card_and_removes_the_log(make_learner):
    user, client = make_learner()
    study(client, 2)
    cards_before = {c.question_id: card_state(c) for c in
                    db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars()}
    card = current_card(client)
    answer(client, card, right=True)
    grade(client, card, Rating.Good)
    html = client.get(DECK).get_data(as_text=True)
    response = client.post(f"{DECK}/undo", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    db.session.expire_all()
    assert count(ReviewLog, user_id=user.id) == 2
    after = {c.question_id: card_state(c) for c in
             db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars()}
    assert after == cards_before
    assert current_card(client)["question"].id == card["question"].id


def test_order_questions_are_answered_as_a_list(make_learner):
    user, client = make_learner()
    question = db.session.execute(sa.select(Question).join(Period).filter(
        Question.kind == "order", Question.retired.is_(False), Period.slug == "1947-1966")
        .order_by(Question.id).limit(1)).scalar_one()
    html = client.get(DECK).get_data(as_text=True)
    card = {"question": question, "csrf": csrf_from(html), "token": "t" * 20}
    page = client.post(f"{DECK}/answer", data=form_data(card, list(question.answer))).get_data(as_text=True)
    assert "Right." in page
    page = client.post(f"{DECK}/answer", data=form_data(card, list(question.answer)[::-1])).get_data(as_text=True)
    assert "Not quite" in page and 'id="suggested">Again<' in page


# Stats and isolation

def test_stats_show_the_reviews(make_learner):
    user, client = make_learner()
    study(client, 4)
    html = client.get("/stats").get_data(as_text=True)
    assert 'id="total-reviews">4<' in html and 'id="reviews-today">4<' in html
    assert html.count('class="bar-reviews"') == 30 and html.count('class="bar-due"') == 30
    assert "Recognition, rupture and the Cold War" in html


def test_one_learner_never_sees_or_changes_anothers_cards(make_learner):
    ada, ada_client = make_learner()
    bob, bob_client = make_learner()
    study(ada_client, 3)
    ada_logs = count(ReviewLog, user_id=ada.id)
    html = bob_client.get(DECK).get_data(as_text=True)
    assert bob_client.post(f"{DECK}/undo", data={"csrf_token": csrf_from(html)}).status_code == 302
    assert count(ReviewLog, user_id=ada.id) == ada_logs == 3
    assert 'id="total-reviews">0<' in bob_client.get("/stats").get_data(as_text=True)
    assert "20 new" in bob_client.get("/").get_data(as_text=True)
    study(bob_client, 1)
    assert count(Card, user_id=ada.id) == 3 and count(Card, user_id=bob.id) == 1


def test_study_pages_need_login_and_unknown_decks_are_404(client, make_learner):
    assert client.get(DECK).status_code == 302
    assert client.get("/stats").status_code == 302
    _, learner = make_learner()
    assert learner.get("/study/israel-russia/1812").status_code == 404
    assert learner.get("/study/all/all").status_code == 404


def test_the_new_question_cursor_never_skips_an_unseen_question(make_learner):
    from quizapp.models import NewCursor

    user, client = make_learner()
    study(client, 8)
    period_id = db.session.execute(sa.select(Question.period_id).filter_by(uid="stalin-dies:who")).scalar_one()
    cursor = db.session.get(NewCursor, (user.id, period_id))
    studied = {c.question_id for c in db.session.execute(sa.select(Card).filter_by(user_id=user.id)).scalars()}
    before = db.session.execute(sa.select(Question.id).where(
        Question.period_id == period_id, Question.retired.is_(False), Question.intro < cursor.position)).scalars()
    assert set(before) <= studied
    at_cursor = db.session.execute(sa.select(Question.id).where(
        Question.period_id == period_id, Question.retired.is_(False), Question.intro == cursor.position)).scalar_one()
    assert at_cursor not in studied
    newest = db.session.execute(sa.select(Card).filter_by(user_id=user.id).order_by(Card.id.desc())).scalars().first()
    newest_question, first_answer = db.session.get(Question, newest.question_id).intro, newest.reps == 1
    assert first_answer  # the clock stands still: eight answers were eight new cards
    html = client.get(DECK).get_data(as_text=True)
    client.post(f"{DECK}/undo", data={"csrf_token": csrf_from(html)})
    db.session.expire_all()
    # undoing a first answer makes its question new again, so the cursor must not stand past it
    assert db.session.get(NewCursor, (user.id, period_id)).position <= newest_question


def test_choices_come_in_a_new_order_at_each_showing(make_learner):
    _, client = make_learner()
    card = current_card(client)
    while card["question"].format not in ("choice", "order") or len(card["question"].choices) < 4:
        answer(client, card, right=True)
        grade(client, card, 3)
        card = current_card(client)
    orders = set()
    for _ in range(12):  # the same card, shown again and again before it is answered
        html = client.get(DECK).get_data(as_text=True)
        shown = re.findall(r'name="response-\d+" value="([^"]+)"', html)
        assert sorted(shown) == sorted(card["question"].choices) or card["question"].format == "order"
        orders.add(tuple(shown))
    assert len(orders) > 1


def test_a_typed_answer_counts_with_an_accepted_alternative_or_a_small_typo(make_learner):
    from quizapp import learning

    typed = db.session.execute(sa.select(Question).where(Question.format == "typed", Question.retired.is_(False))
                               ).scalars().all()
    with_alternatives = next(q for q in typed if q.accept and len(q.answer) > 5)
    assert learning.check(with_alternatives, with_alternatives.accept[0]).correct
    words = with_alternatives.answer.split()
    longest = max(words, key=len)  # one letter wrong in its longest word (short words forgive no wrong letter)
    slip = longest[:-1] + ("x" if longest[-1] != "x" else "y")
    misspelt = " ".join(slip if w is longest else w for w in words)
    assert len(longest) >= 5 and learning.check(with_alternatives, misspelt).correct
    assert not learning.check(with_alternatives, "something else entirely").correct


def test_the_answer_shows_what_else_a_typed_question_accepts(make_learner):
    from markupsafe import escape

    _, client = make_learner(new_per_day=200)
    for _ in range(200):
        card = current_card(client)
        assert card is not None, "no typed question with alternatives in the deck"
        question = card["question"]
        html = answer(client, card, right=False)
        if question.format == "typed" and question.accept:
            assert 'id="also-accepted"' in html and "Also accepted" in html
            assert all(str(escape(a)) in html for a in question.accept)
            break
        assert 'id="also-accepted"' not in html
        grade(client, card, Rating.Easy, right=False)


# One round trip a card fewer

def test_the_reveal_form_asks_for_the_next_card_and_the_grade_answers_with_it(make_learner):
    user, client = make_learner()
    card = current_card(client)
    reveal = answer(client, card, right=True)
    assert '<input type="hidden" name="then" value="card">' in reveal
    graded = client.post(f"{DECK}/review", data={**form_data(card, response_for(card["question"], True)),
                                                 "rating": "3", "then": "card"})
    assert graded.status_code == 200
    html = graded.get_data(as_text=True)
    # the next card, under the deck's own address (study.js puts it in the address bar)
    assert 'id="card"' in html and f'data-address="{DECK}"' in html
    assert int(re.search(FIELD.format("question_id"), html).group(1)) != card["question"].id
    assert count(ReviewLog, user_id=user.id) == 1
    # the same grade sent again (a reload of that response) is recognised, and answered with a card too
    again = client.post(f"{DECK}/review", data={**form_data(card, response_for(card["question"], True)),
                                                "rating": "3", "then": "card"})
    assert again.status_code == 200 and "already recorded" in again.get_data(as_text=True)
    assert count(ReviewLog, user_id=user.id) == 1


def test_the_reveal_shows_the_counts_the_question_page_showed(make_learner):
    _, client = make_learner()
    card = current_card(client)
    shown = re.search(FIELD.format("counts"), card["html"]).group(1)
    new, learning, due, answered = map(int, shown.split("."))
    data = form_data(card, response_for(card["question"], True))
    reveal = client.post(f"{DECK}/answer", data={**data, "counts": shown}).get_data(as_text=True)
    assert f"{new} new" in reveal and f"{answered} answered today" in reveal
    # an older page without them: counted afresh, alike
    assert f"{new} new" in client.post(f"{DECK}/answer", data=data).get_data(as_text=True)
    # made-up counts are no answer the page could have sent
    forged = client.post(f"{DECK}/answer", data={**data, "counts": "1.2.three.4"})
    assert forged.status_code == 302 and "could not be read" in client.get(forged.location).get_data(as_text=True)

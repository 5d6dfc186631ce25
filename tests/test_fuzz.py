"""Hypothesis throws random strings, huge inputs, wrong types and unicode at every input."""

import itertools
import shutil

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.facts import FactFileError, load_subject
from quizapp.models import Card, GradeChange, Quiz, QuizItem, Response, ReviewLog, User, db
from tests.conftest import SUBJECT_DIR, csrf_from

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "null", "[]", "{}", "<script>x</script>", "' OR 1=1 --",
                     "\x00", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "9" * 400, "a" * 5000]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
form_data = st.dictionaries(st.sampled_from([
    "email", "password", "confirm", "remember", "question_id", "token", "response-0", "response-1", "response-9",
    "elapsed_ms", "rating", "st-new_per_day", "st-desired_retention", "st-submit", "pw-current", "pw-password",
    "pw-confirm", "pw-submit", "title", "time_limit_minutes", "opens_at", "closes_at", "max_attempts",
    "feedback", "pass_mark", "format", "prompt", "choices", "answers", "points", "code", "period", "kind",
    "count", "seed", "reason", "question", "description"]), junk, max_size=12)

TAKERS = itertools.count()
STORED = (User, Card, ReviewLog, Quiz, QuizItem, Response, GradeChange)


def snapshot():
    db.session.commit()
    return {m.__tablename__: db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar() for m in STORED}


def assert_clean(response):
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[-500:]
    assert "Traceback" not in body and 'File "' not in body


@pytest.fixture
def teacher_and_quiz(make_learner):
    user, client = make_learner("fuzz-teacher@example.org", instructor=True)
    quiz = Quiz(owner_id=user.id, title="Fuzz", join_code="FUZZ2345", max_attempts=None)
    quiz.items = [QuizItem(position=0, format="year", prompt="When?", answers=["1948"], points=1)]
    db.session.add(quiz)
    db.session.commit()
    return client, quiz.id


FORM_URLS = ["/register", "/login", "/account", "/account/token", "/join",
             "/study/israel-russia/1947-1966/answer", "/study/israel-russia/1947-1966/review",
             "/study/israel-russia/all/undo", "/teach/quizzes/new", "/teach/quizzes/{quiz}/settings",
             "/teach/quizzes/{quiz}/draw", "/teach/quizzes/{quiz}/items", "/teach/quizzes/{quiz}/bank",
             "/q/FUZZ2345/start"]


@pytest.mark.parametrize("url", FORM_URLS)
def test_forms_reject_junk_without_500_or_stored_rows(teacher_and_quiz, url):
    client, quiz_id = teacher_and_quiz
    url = url.format(quiz=quiz_id)
    token = csrf_from(client.get("/account").get_data(as_text=True))

    @FUZZ
    @given(data=form_data)
    def run(data):
        before = snapshot()
        response = client.post(url, data={"csrf_token": token, **data})
        assert_clean(response)
        if response.status_code in (400, 404, 409) or "could not be read" in response.get_data(as_text=True):
            assert snapshot() == before

    run()


@FUZZ
@given(values=st.lists(junk, max_size=6))
def test_quiz_answers_reject_junk(teacher_and_quiz, make_learner, values):
    client, quiz_id = teacher_and_quiz
    quiz = db.session.get(Quiz, quiz_id)
    _, learner = make_learner(f"taker{next(TAKERS)}@example.org")
    html = learner.get(f"/q/{quiz.join_code}").get_data(as_text=True)
    start = learner.post(f"/q/{quiz.join_code}/start", data={"csrf_token": csrf_from(html)})
    assert_clean(start)
    page = learner.get(start.location)
    assert_clean(page)
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), **{f"response-{i}": v for i, v in enumerate(values)}}
    response = learner.post(start.location, data=data)
    assert_clean(response)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=True), junk),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10)


@pytest.mark.parametrize("path", ["/api/v1/token", "/api/v1/decks/israel-russia/all/answers",
                                  "/api/v1/decks/israel-russia/1947-1966/answers", "/api/v1/undo"])
def test_api_rejects_junk_json(make_learner, app, path):
    user, _ = make_learner()
    api = app.test_client()
    from tests.conftest import PASSWORD

    auth = {"Authorization": "Bearer " + api.post("/api/v1/token", json={"email": user.email,
                                                                         "password": PASSWORD}).json["token"]}

    @FUZZ
    @given(body=st.one_of(json_values, st.fixed_dictionaries({
        "question_id": json_values, "token": json_values, "response": json_values, "rating": json_values,
        "duration_ms": json_values, "email": json_values, "password": json_values})))
    def run(body):
        before = snapshot()
        response = api.post(path, json=body, headers=auth)
        assert_clean(response)
        assert response.is_json
        if response.status_code >= 400:
            assert snapshot() == before

    run()


@FUZZ
@given(path=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), min_size=1, max_size=60))
def test_random_urls_are_never_500(client, path):
    for url in (f"/bank/israel-russia/{path}", f"/study/{path}/all", f"/anki/{path}.apkg", f"/q/{path}",
                f"/api/v1/decks/{path}/all/next"):
        assert_clean(client.get(url))


@pytest.fixture(scope="module")
def fact_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "israel-russia"
    shutil.copytree(SUBJECT_DIR, folder)
    return folder


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["id", "period", "date", "actors", "event", "quote", "causes", "cloze", "tags",
                              "ask", "nonsense"]),
       value=st.one_of(junk.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"')
                                .replace("\n", "\\n") + '"'),
                       st.sampled_from(["1948", "[1, 2]", "{ a = 1 }", "true", "[", "'''", "\"\"\"x", "[[fact]]"]),
                       st.text(max_size=30)))
def test_fact_loader_reports_or_loads_never_crashes(fact_folder, field, value):
    path = fact_folder / "zz-fuzz.toml"
    path.write_text(f'[[fact]]\nid = "fuzz-fact"\nperiod = "1947-1966"\nactors = ["soviet-union"]\n'
                    f'event = "The Soviet Union acted."\nquote = "the Soviet Union recognized the State of Israel"\n'
                    f"{field} = {value}\n", encoding="utf-8")
    try:
        subject = load_subject(fact_folder)
    except FactFileError as exc:
        assert exc.problems and all(str(p).startswith(str(fact_folder)) for p in exc.problems)
    else:
        assert any(f.id == "fuzz-fact" for f in subject.facts)
    finally:
        path.unlink()


@pytest.mark.parametrize("value", ["9" * 40, "²", "١٢", "-1", "0x10"])
def test_numbers_beyond_the_database_or_not_ascii_are_refused(teacher_and_quiz, value):
    client, quiz_id = teacher_and_quiz
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert_clean(client.post(f"/teach/quizzes/{quiz_id}/bank", data={"csrf_token": token, "question": value}))
    assert_clean(client.get(f"/teach/quizzes/{quiz_id}/bank?period={value}"))
    assert client.get(f"/teach/quizzes/{'9' * 40}").status_code == 404
    assert client.get(f"/attempts/{'9' * 30}/1").status_code == 404


def test_nul_characters_are_refused_everywhere(make_learner, app):
    user, client = make_learner()
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.get("/bank/israel-russia/mil\x00itary").status_code == 400
    assert client.get("/teach/quizzes/1/bank?q=a\x00b").status_code in (400, 403)
    before = snapshot()
    assert client.post("/join", data={"csrf_token": token, "code": "AB\x00CD"}).status_code == 400
    assert client.post("/api/v1/decks/israel-russia/all/answers", json={"question_id": 1, "token": "a\x00" * 9,
                       "response": "x"}, headers={"X-CSRFToken": token}).status_code == 400
    assert snapshot() == before

"""Hypothesis throws random strings, huge inputs, wrong types and unicode at every input."""

import datetime as dt
import itertools
import shutil
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.facts import FactFileError, load_subject
from quizapp.models import Card, GradeChange, Quiz, QuizItem, Response, ReviewLog, User, db
from tests.conftest import PASSWORD, SUBJECT_DIR, csrf_from

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
# what a datetime-local input sends, so that well-formed times reach the checks behind the parsing
local_times = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)) \
    .map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))
junk = st.one_of(
    local_times,
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
    quiz = Quiz(owner_id=user.id, title="Fuzz", join_code="FUZZ2345", max_attempts=None,
                opens_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), closes_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    quiz.items = [QuizItem(position=0, format="year", prompt="When?", answers=["1948"], points=1)]
    db.session.add(quiz)
    db.session.commit()
    return client, quiz.id


FORM_URLS = ["/register", "/login", "/reset", "/account", "/account/token", "/join",
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


# strings JSON can carry and UTF-8 cannot: lone surrogates ("\\ud800"), alone or among other text
json_text = st.one_of(junk, st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
                      st.text(st.characters(categories=["Cs", "Lu", "Nd", "Cc"]), min_size=1, max_size=20))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=True), json_text),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4),
    max_leaves=10)
depths = st.one_of(st.integers(1, 3000), st.sampled_from([100_000]))
# bodies no JSON encoder writes: nesting as deep as the body allows (100,000 [ fit in it), open or closed
deep_json = st.one_of(
    depths.map(lambda n: "[" * n),
    depths.map(lambda n: "[" * n + "]" * n),
    depths.map(lambda n: '{"question_id": ' + '{"a": ' * n + "1" + "}" * n + ', "token": "x"}'),
    depths.map(lambda n: '{"response": ' + "[" * n + "]" * n + "}"),
)


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
        "duration_ms": json_values, "email": json_values, "password": json_values}), deep_json))
    def run(body):
        before = snapshot()
        if isinstance(body, str) and body.startswith(("[", "{")):
            response = api.post(path, data=body, content_type="application/json", headers=auth)
        else:
            response = api.post(path, json=body, headers=auth)
        assert_clean(response)
        assert response.is_json
        if response.status_code >= 400:
            assert snapshot() == before

    run()


def test_json_shapes_from_the_attack_run_are_400_with_a_message(make_learner, app):
    user, _ = make_learner()
    api = app.test_client()
    auth = {"Authorization": "Bearer " + api.post("/api/v1/token", json={"email": user.email,
                                                                         "password": PASSWORD}).json["token"]}
    card = api.get("/api/v1/decks/israel-russia/all/next", headers=auth).json
    before = snapshot()
    for body in ('{"email": "\\ud800", "password": "x"}', '{"question_id": 1, "token": "x", "response": "\\udfff"}',
                 f'{{"question_id": {card["question"]["id"]}, "token": "{card["token"]}", "response": ["a\\ud800b"]}}',
                 "[" * 100_000, '{"response": ' + "[" * 100_000 + "]" * 100_000 + "}"):
        for path in ("/api/v1/token", "/api/v1/decks/israel-russia/all/answers"):
            response = api.post(path, data=body, content_type="application/json", headers=auth)
            assert response.status_code == 400 and response.json["message"], (path, body[:40])
    assert snapshot() == before


@FUZZ
@given(target=st.one_of(junk, st.sampled_from(["/\r\nSet-Cookie: a=b", "/study\nX: y", "/\r", "/ok\x7f", "/\x85",
                                                "/stats"]),
                        st.text(st.characters(categories=["Cc", "Zl", "Zp"]), min_size=1, max_size=4)
                        .map(lambda t: "/" + t)))
def test_any_next_after_a_correct_login_is_followed_only_when_local_and_clean(make_learner, app, target):
    user, _ = make_learner(f"next{next(TAKERS)}@example.org")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?" + urlencode({"next": target}), data={
        "csrf_token": token, "email": user.email, "password": PASSWORD})
    assert_clean(response)
    if "\x00" in target:  # refused before anything else, as everywhere
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert not location.netloc or location.netloc == "localhost"
    assert not any(ord(c) < 0x20 for c in response.headers["Location"])


settings_forms = st.fixed_dictionaries(
    {"title": junk, "pass_mark": st.sampled_from(["0", "50", "100"]),
     "feedback": st.sampled_from(["each", "submit", "close", "never"])},
    optional={"opens_at": st.one_of(local_times, junk), "closes_at": st.one_of(local_times, junk),
              "time_limit_minutes": junk, "max_attempts": junk, "description": junk})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=settings_forms)
def test_quiz_settings_with_any_times_on_a_quiz_with_times_are_never_500(teacher_and_quiz, data):
    """The quiz opens and closes at set times; the form may leave either out or send it malformed."""
    client, quiz_id = teacher_and_quiz
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert_clean(client.post(f"/teach/quizzes/{quiz_id}/settings", data={"csrf_token": token, **data}))


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

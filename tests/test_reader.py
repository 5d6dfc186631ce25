"""The source reader and search, through the pages."""

import datetime as dt
import re

import sqlalchemy as sa

from quizapp.models import Card, Fact, Question, db
from quizapp.scheduling import State
from tests.test_study import answer, current_card


def marks(html):
    return re.findall(r'<a class="mark ([^"]*)" href="#(n\d+-[a-z0-9-]+)"', html)


def test_visitors_read_the_source_with_every_fact_marked(client, subject):
    response = client.get("/read/israel-russia")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = marks(html)
    assert len(found) > 300 and all("k-plain" in classes for classes, _ in found)
    notes = set(re.findall(r'<details class="note" id="(n\d+-[a-z0-9-]+)"', html))
    assert {target for _, target in found} <= notes  # every mark leads to a note of its paragraph
    assert {n.split("-", 1)[1] for n in notes} == {f.id for f in subject.facts}
    assert 'class="uncovered"' not in html  # only instructors see what no fact covers
    assert "Log in</a> to see how well you know each fact" in html
    # the text is the subject's own, through its data
    assert "Israeli-Soviet Relations – Historical Background" in html


def test_instructors_see_the_sentences_no_fact_covers(make_learner):
    _, teacher = make_learner(instructor=True)
    html = teacher.get("/read/israel-russia").get_data(as_text=True)
    uncovered = re.search(r'id="coverage">.*?:\s*(\d+) of (\d+) sentences', html, re.S)
    assert uncovered and 0 < int(uncovered.group(1)) < int(uncovered.group(2))
    assert html.count("(no fact quotes this sentence)") == int(uncovered.group(1))


def test_a_learner_s_marks_show_how_well_they_know_each_fact(make_learner, clock):
    user, learner = make_learner()
    html = learner.get("/read/israel-russia").get_data(as_text=True)
    targets = {target.split("-", 1)[1] for _, target in marks(html)}  # facts with a mark of their own
    first_two = []
    for q in db.session.execute(sa.select(Question).where(Question.retired.is_(False)).order_by(Question.id)).scalars():
        if q.fact.slug in targets and all(q.fact_id != f.fact_id for f in first_two):
            first_two.append(q)
        if len(first_two) == 2:
            break
    question, other = first_two
    slug = question.fact.slug
    levels = {target.split("-", 1)[1]: classes.split()[0] for classes, target in marks(html)}
    assert levels[slug] == "k-unseen"  # nothing reviewed yet
    db.session.add(Card(user_id=user.id, question_id=question.id, period_id=question.period_id,
                        fact_id=question.fact_id, state=State.Review, step=None, stability=2.0, difficulty=5.0,
                        due=clock.now, last_review=clock.now - dt.timedelta(days=20)))
    db.session.add(Card(user_id=user.id, question_id=other.id, period_id=other.period_id, fact_id=other.fact_id,
                        state=State.Review, step=None, stability=300.0, difficulty=5.0,
                        due=clock.now + dt.timedelta(days=200), last_review=clock.now - dt.timedelta(days=1)))
    db.session.commit()
    html = learner.get("/read/israel-russia").get_data(as_text=True)
    levels = {target.split("-", 1)[1]: classes.split()[0] for classes, target in marks(html)}
    assert levels[slug] == "k-weak" and levels[other.fact.slug] == "k-strong"
    assert re.search(rf'id="n\d+-{slug}".*?needs review \(\d+% recall\)', html, re.S)
    assert "; needs review)</span>" in html  # said in words for screen readers, not by colour alone


def test_read_in_context_outlines_the_question_s_quote(make_learner):
    _, learner = make_learner()
    card = current_card(learner)
    reveal = answer(learner, card, right=False)
    link = re.search(r'href="([^"]+)" id="read-in-context"', reveal).group(1).replace("&amp;", "&")
    assert link == f"/read/israel-russia?q={card['question'].id}#context"
    html = learner.get(link.split("#")[0]).get_data(as_text=True)
    assert html.count('id="context"') == 1
    context = re.search(r'<a class="mark [^"]*focus[^"]*" href="#n\d+-([a-z0-9-]+)"[^>]*id="context"', html, re.S)
    assert context and context.group(1) == card["question"].fact.slug
    assert re.search(rf'<details class="note" id="n\d+-{card["question"].fact.slug}" open>', html)


def test_every_kind_of_question_finds_its_quote_in_the_reader(client):
    for kind in ("when", "who", "why", "then", "tf", "cloze"):
        question = db.session.execute(sa.select(Question).filter_by(kind=kind, retired=False)
                                      .order_by(Question.id)).scalars().first()
        html = client.get(f"/read/israel-russia?q={question.id}").get_data(as_text=True)
        assert html.count('id="context"') == 1, kind


def test_unknown_subjects_and_questions(client):
    assert client.get("/read/nope").status_code == 404
    html = client.get("/read/israel-russia?q=99999999").get_data(as_text=True)
    assert 'id="context"' not in html
    assert client.get("/read/israel-russia?q=abc").status_code == 200


# Search

def fact_ids(html):
    return re.findall(r'href="/bank/israel-russia/[^"#]+#([a-z0-9-]+)">questions</a>', html)


def test_search_needs_an_account(client):
    response = client.get("/search?q=embassy")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_search_by_words_actor_and_year(make_learner):
    _, learner = make_learner()
    html = learner.get("/search?q=embassy+attacked").get_data(as_text=True)
    assert "soviet-embassy-attacked" in fact_ids(html)
    assert "The Soviet embassy in Israel was attacked." in html
    questions = re.findall(r'href="/bank/israel-russia/[^"#]+#q-(\d+)"', html)
    assert questions and all("embassy" in db.session.get(Question, int(q)).prompt.lower() +
                             db.session.get(Question, int(q)).explanation.lower() +
                             str(db.session.get(Question, int(q)).answer).lower() for q in questions)

    html = learner.get("/search?actor=anwar-sadat&year=1972").get_data(as_text=True)
    found = fact_ids(html)
    assert found
    for slug in found:
        fact = db.session.execute(sa.select(Fact).filter_by(slug=slug)).scalar_one()
        assert "anwar-sadat" in fact.actors and (fact.date.startswith("1972") or "/" in fact.date)


def test_a_year_inside_a_span_finds_the_fact(make_learner):
    _, learner = make_learner()
    span = db.session.execute(sa.select(Fact).where(Fact.date.like("%/%"), Fact.retired.is_(False))).scalars().first()
    first, last = map(int, span.date.split("/"))
    html = learner.get(f"/search?year={first + 1 if last > first + 1 else last}").get_data(as_text=True)
    assert span.slug in fact_ids(html)


def test_bad_search_input_gets_a_message(make_learner):
    _, learner = make_learner()
    response = learner.get("/search?year=19x7")
    assert response.status_code == 200 and "A year is four digits" in response.get_data(as_text=True)
    html = learner.get("/search?actor=nobody-at-all").get_data(as_text=True)
    assert "No actor has that name" in html
    html = learner.get("/search?q=" + "%25_" * 300).get_data(as_text=True)  # wildcards are plain text
    assert "No fact matches." in html

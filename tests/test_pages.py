"""The pages that list periods, facts and generated questions."""


def test_the_decks_page_lists_every_period(client, subject):
    html = client.get("/decks").get_data(as_text=True)
    for period in subject.periods:
        assert period.title in html


def test_period_page_lists_its_facts_and_questions(make_learner, subject):
    _, client = make_learner()
    response = client.get("/bank/israel-russia/1947-1966")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for fact in subject.facts_in("1947-1966"):
        assert fact.event.replace("'", "&#39;") in html
    assert "In which year did this happen?" in html


def test_browsing_the_bank_needs_an_account(client):
    response = client.get("/bank/israel-russia/1947-1966")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_period_is_404(make_learner):
    _, client = make_learner()
    assert client.get("/bank/israel-russia/1800-1900").status_code == 404
    assert client.get("/bank/nope/1947-1966").status_code == 404

"""Faults: a request failing mid-transaction, a locked database, a database that is down."""

import threading
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from quizapp import create_app
from quizapp.models import Card, ReviewLog, db
from tests.conftest import app_config
from tests.test_study import DECK, answer, current_card, form_data, response_for


def counts(user):
    db.session.commit()  # end this test's read snapshot, to see what the server committed
    logs = db.session.execute(sa.select(sa.func.count()).select_from(ReviewLog).filter_by(user_id=user.id)).scalar()
    cards = db.session.execute(sa.select(sa.func.count()).select_from(Card).filter_by(user_id=user.id)).scalar()
    return logs, cards


def grade_data(card):
    return {**form_data(card, response_for(card["question"], True)), "rating": "3"}


def test_a_request_failing_mid_transaction_writes_nothing(make_learner):
    user, client = make_learner()
    card = current_card(client)
    answer(client, card, right=True)

    def explode(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO review_log"):
            raise RuntimeError("disk on fire")

    # the card row is already written when the log row fails
    event.listen(db.engine, "before_cursor_execute", explode)
    try:
        response = client.post(f"{DECK}/review", data=grade_data(card))
    finally:
        event.remove(db.engine, "before_cursor_execute", explode)
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Traceback" not in html and "disk on fire" not in html
    assert counts(user) == (0, 0)
    assert client.post(f"{DECK}/review", data=grade_data(card)).status_code == 302
    assert counts(user) == (1, 1)


class Lock:
    """Hold a write lock on the database from another connection, as a long transaction would."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self):
        if self.engine.dialect.name == "sqlite":
            self.raw = self.engine.raw_connection()
            self.raw.cursor().execute("BEGIN EXCLUSIVE")
        else:
            self.conn = self.engine.connect()
            self.conn.exec_driver_sql("LOCK TABLE card, review_log IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        if self.engine.dialect.name == "sqlite":
            self.raw.cursor().execute("ROLLBACK")
            self.raw.close()
        else:
            self.conn.rollback()
            self.conn.close()


def impatient_url(url: str) -> str:
    """The same database, waiting only a moment for locks."""
    if url.startswith("postgresql"):
        return url.replace("options=-csearch_path%3D", "options=-clock_timeout%3D200%20-csearch_path%3D")
    return url


def test_a_locked_database_gives_503_and_nothing_is_lost_once_it_is_free(app, make_learner, database_url, clock):
    user, _ = make_learner()
    impatient = create_app(app_config(impatient_url(database_url), SQLITE_BUSY_TIMEOUT_MS=200, CLOCK=clock))
    from tests.conftest import IsolatedClient, log_in

    impatient.test_client_class = IsolatedClient
    client = impatient.test_client()
    log_in(client, user.email)
    card = current_card(client)
    answer(client, card, right=True)
    with Lock(db.engine):
        response = client.post(f"{DECK}/review", data=grade_data(card))
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "Nothing you sent was half-saved" in response.get_data(as_text=True)
    assert counts(user) == (0, 0)
    assert client.post(f"{DECK}/review", data=grade_data(card)).status_code == 302
    assert counts(user) == (1, 1)
    with impatient.app_context():
        db.engine.dispose()


def test_a_database_that_is_down_gives_a_503_page(tmp_path):
    for url in ("postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2",
                f"sqlite:///{tmp_path}/missing-folder/quizapp.db"):
        app = create_app(app_config(url))
        response = app.test_client().get("/")
        assert response.status_code == 503, url
        assert "Temporarily unavailable" in response.get_data(as_text=True)
        api = app.test_client().get("/api/v1/decks", headers={"Authorization": "Bearer x"})
        assert api.status_code == 503
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("clicks", [2, 6])
def test_simultaneous_double_submissions_record_once(make_learner, live_server, clicks):
    user, client = make_learner()
    card = current_card(client)
    answer(client, card, right=True)
    body = urllib.parse.urlencode(grade_data(card)).encode()
    cookie = f"session={client.get_cookie('session').value}"
    barrier = threading.Barrier(clicks)
    statuses = []

    def click():
        request = urllib.request.Request(f"{live_server.url}{DECK}/review", data=body, method="POST",
                                         headers={"Cookie": cookie})
        barrier.wait()
        with urllib.request.urlopen(request) as response:  # follows the redirect to the next card
            statuses.append(response.status)

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * clicks
    assert counts(user) == (1, 1)

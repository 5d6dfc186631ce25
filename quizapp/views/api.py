"""JSON API under /api/v1, for other clients: the same study logic as the pages.

Authentication is a bearer token (``Authorization: Bearer <token>``, issued on the
account page or by ``POST /api/v1/token``; named, listed and revoked on the account
page) or the browser session. Requests that
use the session must carry the CSRF token (``X-CSRFToken``) to change anything;
requests with a bearer token send no cookie and need none.
"""


from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import bindparam
from sqlalchemy.exc import SQLAlchemyError

from quizapp import accounts, answer_tokens, credentials, learning, stats
from quizapp.database import MAX_ID, begin_writing, writes_late
from quizapp.learning import Deck, DuplicateReview, StaleCard
from quizapp.models import Question, Subject, db
from quizapp.scheduling import Rating
from quizapp.security import csrf, sign_in_limit
from quizapp.throttling import cleared, guard

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SHOWN_QUESTION = db.select(Question.id, Question.uid, Question.kind, Question.format, Question.prompt,
                           Question.choices).where(Question.id == bindparam("id"))
csrf.exempt(bp)


def token_user() -> learning.Learner | None:
    """The caller of a bearer token, as a row of what the study logic reads (the API never changes
    the caller), found by the token's digest in one indexed statement; None if the token is unknown."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return accounts.learner_by_token(header[7:].strip())


@bp.before_request
def authenticate():
    """Resolve the caller from the token or the session; session writes must pass CSRF."""
    if request.endpoint == "api.issue_token":
        return None
    if "Authorization" in request.headers:
        g.user = token_user()
        if g.user is None:
            abort(401, "The API token is missing or wrong.")
        if accounts.token_is_stale(g.user.last_used_at, now()):
            g.touch_token = g.user.token_id
        return None
    if not current_user.is_authenticated:
        abort(401, "Log in or send 'Authorization: Bearer <token>'.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    g.user = current_user._get_current_object()
    return None


def now():
    return current_app.config["CLOCK"]()


def json_body() -> dict:
    """The request's JSON object, or 400 with a message: not JSON, nested too deeply, not an object,
    or holding a string that is not Unicode (a lone surrogate such as ``"\\ud800"``)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # what the json module raises for deep nesting, where other faults are ValueError
        abort(400, "The JSON is nested too deeply.")
    if not isinstance(data, dict):
        abort(400, "Send a JSON object with Content-Type: application/json.")
    if has_lone_surrogate(data):
        abort(400, "Strings must be Unicode text: a lone surrogate (such as \\ud800) is not.")
    return data


def has_lone_surrogate(data) -> bool:
    """Whether any string in parsed JSON, key or value, holds half of a surrogate pair (no UTF-8 for it)."""
    stack = [data]
    while stack:  # a loop, not recursion: the JSON may be as deep as the parser allows
        value = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and not credentials.is_text(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def counts_json(c: learning.DeckCounts) -> dict:
    return {"new": c.new, "learning": c.learning, "due": c.due, "reviewed_today": c.reviewed_today}


@bp.after_request
def record_token_use(response):
    """Note when a token was last used (at most once a minute each), after the call's own work."""
    token_id = g.pop("touch_token", None)
    if token_id is not None:
        try:
            db.session.commit()
            begin_writing()
            accounts.touch_token(token_id, now())
            db.session.commit()
        except SQLAlchemyError as error:  # the call itself has succeeded; the record can wait
            db.session.rollback()
            current_app.logger.warning("token use not recorded: %s", error)
    return response


@bp.post("/token")
@sign_in_limit
@writes_late  # the password check takes tens of milliseconds: other writers need not wait for it
def issue_token():
    """Exchange email and password for a new API token named ``name`` (default "API"); a token of
    the same name is replaced. Unknown addresses and wrong passwords get the same answer."""
    data = json_body()
    email, password, name = data.get("email"), data.get("password"), data.get("name", "API")
    if not credentials.is_text(email) or not credentials.is_text(password):
        abort(400, "Send 'email' and 'password' as strings.")
    try:
        name = accounts.check_token_name(name) if credentials.is_text(name) else accounts.check_token_name(None)
    except ValueError as error:
        abort(400, str(error))
    email = credentials.normalize_email(email)
    guard(email)
    user = accounts.find_user(email)
    if not accounts.verify_password(user, password):
        abort(401, "Wrong email or password.")
    cleared(email)
    if user.confirmed_at is None:
        abort(403, "Confirm your email address first: follow the link we have mailed you.")
    begin_writing()
    accounts.upgrade_hash(user, password)
    try:
        token = accounts.issue_token(user.id, name, now())
    except ValueError as error:
        abort(409, str(error))
    db.session.commit()
    return jsonify(token=token, name=name)


@bp.get("/decks")
def decks():
    """Every deck with today's counts."""
    today = learning.Today(g.user, now())
    out = []
    for subject in db.session.execute(db.select(Subject).order_by(Subject.title)).scalars():
        entries = [("all", "All periods", Deck.of(subject))] + \
            [(p.slug, p.title, Deck.of(subject, p)) for p in subject.periods]
        out.append({"subject": subject.slug, "title": subject.title, "decks": [
            {"id": slug, "title": title, **counts_json(learning.Queue(today, deck).counts()),
             "studied": (pr := learning.progress(g.user, deck)).studied, "total": pr.total}
            for slug, title, deck in entries]})
    return jsonify(subjects=out)


@bp.get("/decks/<subject_slug>/<deck_slug>/next")
def next_card(subject_slug: str, deck_slug: str):
    """The next card to study, with a token to answer it once, and the interval of each grade."""
    deck = learning.find_deck(subject_slug, deck_slug) or abort(404)
    at = now()
    queue = learning.Queue(learning.Today(g.user, at), deck)
    picked = queue.next_card()
    counts = counts_json(queue.counts())
    if picked is None:
        next_due = learning.next_due_at(g.user, deck)
        return jsonify(done=True, next_due=next_due.isoformat() if next_due else None, counts=counts)
    question = db.session.execute(SHOWN_QUESTION, {"id": picked.question_id}).one()
    token = answer_tokens.issue(current_app.config["SECRET_KEY"], g.user.id, question.id, picked.reps)
    # the key is never sent; it is read only to keep a chronology's events out of their right order
    key = db.session.execute(db.select(Question.answer).where(Question.id == question.id)).scalar_one() \
        if question.format == "order" else None
    return jsonify(done=False, token=token, counts=counts, question={
        **question._asdict(), "choices": learning.shuffled_choices(question.choices, key), "new": picked.card is None,
    }, intervals={r.name: v for r, v in learning.intervals(g.user, picked.card, at).items()})


@bp.post("/decks/<subject_slug>/<deck_slug>/answers")
@writes_late
def answer(subject_slug: str, deck_slug: str):
    """Answer a card: checked, graded (the suggested grade unless 'rating' is given) and scheduled once."""
    data = json_body()
    question_id, token = data.get("question_id"), data.get("token")
    response, rating, duration = data.get("response"), data.get("rating"), data.get("duration_ms")
    if not isinstance(question_id, int) or isinstance(question_id, bool) or not 0 < question_id <= MAX_ID:
        abort(400, "'question_id' must be a positive integer.")
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        abort(400, "'token' must be the string given with the card.")
    if response is not None and not (isinstance(response, str) and len(response) <= 2000 or
                                     isinstance(response, list) and len(response) <= 8 and
                                     all(isinstance(r, str) and len(r) <= 2000 for r in response)):
        abort(400, "'response' must be a string, or a list of strings for order questions.")
    if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 4):
        abort(400, "'rating' must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    if duration is not None and (not isinstance(duration, int) or not 0 <= duration <= 86_400_000):
        abort(400, "'duration_ms' must be a whole number of milliseconds.")
    question = learning.find_question(question_id, subject_slug, deck_slug)
    if question is None:
        abort(404, "No such question in this deck.")
    seen_reps = answer_tokens.read(current_app.config["SECRET_KEY"], token, g.user.id, question.id)
    if seen_reps is None:
        abort(400, "'token' was not issued to you with this question: take it from the card's /next.")
    result = learning.check(question, response)
    grade = Rating(rating) if rating else result.suggested
    status = 201
    begin_writing()
    try:
        recorded = learning.record_review(g.user, question, grade, now(), token, seen_reps,
                                          response=result.response, correct=result.correct, duration_ms=duration,
                                          fuzz=current_app.config["FSRS_FUZZ"])
    except DuplicateReview as dup:
        recorded, status = dup.recorded, 200
    except StaleCard:
        abort(409, "This card has been answered since this token was issued: fetch the next card.")
    # everything the answer needs is read before the commit expires it, so no second transaction
    body = jsonify(correct=result.correct, answer=question.answer, explanation=question.explanation,
                   quote=question.quote, suggested=result.suggested.name, rating=recorded.rating.name,
                   duplicate=status == 200, card={"due": recorded.card.due.isoformat(), "state": recorded.card.state})
    db.session.commit()
    return body, status


@bp.post("/undo")
def undo():
    """Take back the latest answer."""
    question = learning.undo_last(g.user)
    db.session.commit()
    return jsonify(undone=question.uid if question else None)


@bp.get("/stats")
def statistics():
    """Reviews per day, true retention, due forecast and maturity per period."""
    at = now()
    return jsonify(
        reviews_per_day=[{"date": d.isoformat(), "reviews": n} for d, n in stats.reviews_per_day(g.user, at)],
        true_retention=stats.true_retention(g.user, at),
        due_forecast=[{"date": d.isoformat(), "due": n} for d, n in stats.due_forecast(g.user, at)],
        periods=stats.maturity_by_period(g.user),
    )

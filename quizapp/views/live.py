"""Live class games: the presenter's screen for the projector and the learners' phones.

Transport is short polling with ETags: each screen asks for the game's state every second or
so and is answered 304 Not Modified while nothing it shows has changed. Under gunicorn's
gthread workers (a few threads each) a poll holds a thread for a millisecond or two, where a
Server-Sent Events stream or a WebSocket would hold one for the whole game per learner.

The presenter is the quiz's owner alone: learners get 403, other instructors 404.
"""


import segno
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from quizapp import classroom, screens
from quizapp.database import begin_writing, writes_late
from quizapp.forms import ActionForm, LiveJoinForm, LiveStartForm, parse_id
from quizapp.models import Attempt, LivePlayer, LiveSession, db
from quizapp.views.instructor import instructor_required, own_quiz
from quizapp.views.study import now

bp = Blueprint("live", __name__, url_prefix="/live")


host_required = instructor_required  # the host of a game is the quiz's instructor


def own_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None or session.quiz.owner_id != current_user.id:
        abort(404)
    return session


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def conditional(state: dict, tag: str):
    """``state`` as JSON with its ETag, or 304 when the client has it already."""
    if request.if_none_match.contains(tag):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(state)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


def join_url(session: LiveSession) -> str:
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("live.play", code=session.code)
    return base.rstrip("/") + path if base else url_for("live.play", code=session.code, _external=True)


# The presenter


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@host_required
def start(quiz_id: int):
    """Start a live game of the quiz (or go back to the one running), after choosing the time per question."""
    quiz = own_quiz(quiz_id)
    form = LiveStartForm(seconds=20)
    if form.validate_on_submit():
        try:
            session = classroom.start(quiz, current_user.id, form.seconds.data)
        except classroom.Refused as refused:
            flash(str(refused), "error")
        else:
            db.session.commit()
            return redirect(url_for("live.host", session_id=session.id))
    past = db.session.execute(db.select(LiveSession).filter_by(quiz_id=quiz.id)
                              .order_by(LiveSession.id.desc()).limit(20)).scalars().all()
    return render_template("live/start.html", quiz=quiz, form=form, running=classroom.running(quiz), past=past), \
        200 if request.method == "GET" else 400


@bp.get("/host/<int:session_id>")
@host_required
def host(session_id: int):
    """The presenter's screen for the projector: join code and QR code, roster, questions, results."""
    session = own_session(session_id)
    url = join_url(session)
    qr = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=False)
    return render_template("live/host.html", session=session, quiz=session.quiz, url=url, qr=qr,
                           form=ActionForm(), poll_ms=current_app.config.get("LIVE_HOST_POLL_MS", 500))


@bp.get("/host/<int:session_id>/state")
@host_required
def host_state(session_id: int):
    """The presenter's state as JSON; 304 while the phase, the roster and the count of answers stand."""
    session = own_session(session_id)
    state = screens.host_state(session, now())
    tag = f"h{session.id}.{session.version}.{state['phase']}.{state['player_count']}.{state['answered']}"
    return conditional(state, tag)


@bp.post("/host/<int:session_id>/<action>")
@host_required
def act(session_id: int, action: str):
    """Move the game on: next question, close answers, reveal, leaderboard, pause, resume, skip or end."""
    session = own_session(session_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form has expired; reload the page.")
    seen = request.form.get("version", type=int)  # the version the presenter's screen showed
    try:
        classroom.act(session, action, now(), seen)
    except classroom.Refused as refused:
        db.session.rollback()
        if wants_json():
            return jsonify(error=str(refused)), refused.status
        flash(str(refused), "error")
        return redirect(url_for("live.host", session_id=session_id))
    db.session.commit()
    screens.snapshots.forget(session.code)
    if wants_json():
        return jsonify(screens.host_state(session, now()))
    return redirect(url_for("live.host", session_id=session.id))


# The learners


def default_nickname() -> str:
    return current_user.email.split("@", 1)[0][:20]


def try_join(session: LiveSession, form: LiveJoinForm):
    """Join with the form's name; the response on success, else None (with the reason on the form)."""
    try:
        classroom.join(session, current_user.id, form.nickname.data, now())
        db.session.commit()
    except classroom.Refused as refused:
        db.session.rollback()
        form.nickname.errors.append(str(refused))
        return None
    except IntegrityError:  # joined twice at once: the other request made the player
        db.session.rollback()
    return redirect(url_for("live.play", code=session.code))


@bp.route("/", methods=["GET", "POST"])
@login_required
def join():
    """Enter a game's code and the name to show on the screen."""
    form = LiveJoinForm(code=request.args.get("code", ""), nickname=default_nickname())
    if form.validate_on_submit():
        session = classroom.by_code(form.code.data)
        if session is None:
            form.code.errors.append("No live game has this code.")
        else:
            done = try_join(session, form)
            if done is not None:
                return done
    return render_template("live/join.html", form=form, session=None), 200 if request.method == "GET" else 400


@bp.route("/<code>", methods=["GET", "POST"])
@login_required
def play(code: str):
    """A learner's phone: the join form first, then the game as it goes."""
    session = classroom.by_code(code)
    if session is None:
        abort(404)
    player = classroom.player_of(session, current_user.id)
    if player is None:
        form = LiveJoinForm(code=session.code, nickname=default_nickname())
        if request.method == "POST" and form.validate_on_submit():
            done = try_join(session, form)
            if done is not None:
                return done
        elif session.phase == "ended":
            flash("This game has ended.", "error")
        return render_template("live/join.html", form=form, session=session), \
            200 if request.method == "GET" else 400
    return render_template("live/play.html", session=session, player=player, form=ActionForm(),
                           poll_ms=current_app.config.get("LIVE_POLL_MS", 1000))


def joined_player(code: str) -> tuple[LiveSession, LivePlayer]:
    session = classroom.by_code(code)
    player = classroom.player_of(session, current_user.id) if session else None
    if player is None:
        abort(404)
    return session, player


@bp.get("/<code>/state")
def state(code: str):
    """The player's state as JSON; 304 while the game's version stands.

    A poll is answered from the signed session cookie and the game's snapshot (see
    screens.Snapshots): a 304 reads nothing from the database, a 200 two small rows. Changes in
    time alone (answers opening and closing) are counted down on the phone from the times it was
    given, so they cost no poll. Without a session, 401: the page reloads through the login.
    """
    arrived = now()
    snapshot = screens.snapshots.get(code)
    if snapshot is None:
        abort(404)
    account = flask_session.get("_user_id")
    if not account:
        abort(401)
    tag = f"p{snapshot.id}.{snapshot.version}.{account}"
    if request.if_none_match.contains(tag):
        return conditional({}, tag)
    player = screens.snapshot_player(snapshot.id, account)
    if player is None:
        abort(404)
    result = url_for("quizzes.result", attempt_id=player.attempt_id) if snapshot.phase == "ended" else None
    return conditional({**screens.player_state(snapshot, player, arrived), "result_url": result}, tag)


@bp.post("/<code>/answer")
@login_required
@writes_late
def answer(code: str):
    """Count the player's answer to the current question (once, and only in time).

    Everything is read and checked before the write lock is taken (SQLite's, for the whole
    database), then the game's row is read again under it and checked once more: the lock is
    held only for the few statements that write.
    """
    arrived = now()  # before waiting for the database: the wait costs the player no points
    session, player = joined_player(code)
    if not ActionForm().validate_on_submit():
        return jsonify(error="The page has expired; reload it."), 400
    item_id, values = parse_id(request.form.get("item")), request.form.getlist("response")[:12]
    try:
        classroom.check_answer(session, item_id, values, arrived)
        db.session.get(Attempt, player.attempt_id)  # read now, not under the lock
        begin_writing()
        db.session.refresh(session)  # as it stands now: the presenter may have moved on meanwhile
        item, value = classroom.check_answer(session, item_id, values, arrived)
        counted = classroom.answer(session, player, item, value, arrived)
        db.session.commit()
    except classroom.Refused as refused:
        db.session.rollback()
        return jsonify(error=str(refused)), refused.status
    except IntegrityError:  # the same answer raced in from a second request: the first one counts
        db.session.rollback()
        return jsonify(error="You have already answered this question."), 409
    screens.snapshots.forget(code)  # everyone may have answered: answers closed
    return jsonify(accepted=True, answer=counted.answer, item_id=counted.item_id)

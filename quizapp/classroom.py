"""Live class games on the database: sessions, the presenter's moves, players joining, answers counted once.

Writes through the session; never commits. What each screen shows is built in
``quizapp.screens``. Everything lives in the database, so any number of worker processes
serve one game.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import selectinload

from quizapp import attempts, grading, live
from quizapp.models import Attempt, LiveAnswer, LivePlayer, LiveSession, Quiz, QuizItem, db

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
ACTIONS = ("next", "close", "reveal", "leaderboard", "pause", "resume", "skip", "end")


class Refused(Exception):
    """An action or answer that cannot be taken now; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not db.session.execute(select(LiveSession.id).filter_by(code=code)).first():
            return code


def running(quiz: Quiz) -> LiveSession | None:
    """The quiz's live game that has not ended, if any."""
    return db.session.execute(select(LiveSession).filter_by(quiz_id=quiz.id).where(LiveSession.phase != live.ENDED)
                              .order_by(LiveSession.id.desc()).limit(1)).scalar_one_or_none()


def start(quiz: Quiz, host_id: int, seconds: int) -> LiveSession:
    """A new game of ``quiz`` in its lobby, or the one already running."""
    current = running(quiz)
    if current is not None:
        return current
    if not quiz.items:
        raise Refused(409, "This quiz has no questions yet.")
    session = LiveSession(quiz_id=quiz.id, host_id=host_id, code=new_code(), seconds=seconds,
                          item_order=[item.id for item in quiz.items], phase=live.LOBBY, position=-1, version=0)
    db.session.add(session)
    db.session.flush()
    return session


def by_code(code: str) -> LiveSession | None:
    return db.session.execute(select(LiveSession).filter_by(code=code.upper())).scalar_one_or_none()


def round_of(session: LiveSession) -> live.Round:
    return live.Round(session.phase, session.opens_at, session.deadline, session.paused_at)


def current_item(session: LiveSession) -> QuizItem | None:
    if session.phase in (live.LOBBY, live.ENDED) or not 0 <= session.position < len(session.item_order):
        return None
    return db.session.get(QuizItem, session.item_order[session.position])


def act(session: LiveSession, action: str, now: dt.datetime, seen: int | None = None) -> None:
    """Move the game on as the presenter asks; raises Refused when the action makes no sense now.

    `seen` is the game's version the presenter's screen showed when the button was pressed: the action is
    applied only if the game is still at that version (one compare-and-set in the database), so a double
    tap, a retried request or a second presenter tab cannot skip a question."""
    if action not in ACTIONS:
        raise Refused(404, "No such action.")
    if seen is not None:
        claimed = db.session.execute(
            update(LiveSession).where(LiveSession.id == session.id, LiveSession.version == seen)
            .values(version=LiveSession.version + 1).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise Refused(409, "The game had already moved on: the screen now shows where it is.")
        db.session.refresh(session)  # the version is moved on already
    phase = live.phase(round_of(session), now)
    if phase == live.ENDED:
        raise Refused(409, "This game has ended.")
    if action in ("next", "skip"):
        if action == "skip" and phase not in (live.READY, live.OPEN, live.PAUSED, live.CLOSED):
            raise Refused(409, "There is no question to skip.")
        if session.position + 1 >= len(session.item_order):
            end(session, now)
            return
        session.position += 1
        session.phase, session.paused_at = live.QUESTION, None
        session.opens_at = now + live.LEAD
        session.deadline = session.opens_at + dt.timedelta(seconds=session.seconds)
    elif action == "close":
        if phase not in (live.READY, live.OPEN, live.PAUSED):
            raise Refused(409, "No question is open.")
        stop_answers(session, now)
    elif action == "reveal":
        if phase not in (live.READY, live.OPEN, live.PAUSED, live.CLOSED):
            raise Refused(409, "There is no question to reveal.")
        stop_answers(session, now)
        session.phase = live.REVEAL
    elif action == "leaderboard":
        if phase not in (live.CLOSED, live.REVEAL):
            raise Refused(409, "Reveal the answer first.")
        session.phase = live.LEADERBOARD
    elif action == "pause":
        if phase not in (live.READY, live.OPEN):
            raise Refused(409, "Only a running question can be paused.")
        session.paused_at = now
    elif action == "resume":
        if phase != live.PAUSED:
            raise Refused(409, "The game is not paused.")
        resumed = live.resumed(round_of(session), now)
        session.opens_at, session.deadline, session.paused_at = resumed.opens_at, resumed.deadline, None
    elif action == "end":
        end(session, now)
        return
    if seen is None:
        session.version += 1


def stop_answers(session: LiveSession, now: dt.datetime) -> None:
    """Close answers now (they stay closed: a pause in progress ends with them)."""
    if session.paused_at is not None:
        session.paused_at = None
    session.opens_at = min(session.opens_at, now)
    session.deadline = min(session.deadline, now - live.GRACE)


def end(session: LiveSession, now: dt.datetime) -> None:
    """End the game and submit every player's attempt, so results, CSV and item analysis count it."""
    session.phase, session.ended_at, session.paused_at = live.ENDED, now, None
    session.version += 1
    for attempt in db.session.execute(select(Attempt).join(LivePlayer, LivePlayer.attempt_id == Attempt.id)
                                      .where(LivePlayer.session_id == session.id)
                                      .options(selectinload(Attempt.responses))).scalars():
        attempts.finish(attempt, now)


def player_of(session: LiveSession, user_id: int) -> LivePlayer | None:
    return db.session.execute(select(LivePlayer).filter_by(session_id=session.id, user_id=user_id)) \
        .scalar_one_or_none()


def join(session: LiveSession, user_id: int, nickname: str, now: dt.datetime) -> LivePlayer:
    """Enter the game (at whatever question it is on) with a new attempt; joining again changes nothing.

    A live game is an attempt of its own: the quiz's open and close times and its number of
    attempts are for learners taking it alone, not for a class the instructor is leading.
    """
    if session.phase == live.ENDED:
        raise Refused(409, "This game has ended.")
    attempts.take_turns(session.quiz_id, user_id)
    player = player_of(session, user_id)
    if player is not None:
        return player
    taken = db.session.execute(select(LivePlayer.id).filter_by(session_id=session.id).where(
        func.lower(LivePlayer.nickname) == nickname.lower())).first()
    if taken:
        raise Refused(409, "Someone in this game already has that name; choose another.")
    items = {item.id: item for item in session.quiz.items}
    order = [i for i in session.item_order if i in items]
    number = attempts.attempts_used(session.quiz, user_id) + 1
    attempt = Attempt(quiz_id=session.quiz_id, user_id=user_id, number=number, started_at=now, deadline=None,
                      layout={"order": order, "choices": {str(i): list(items[i].choices) for i in order}})
    db.session.add(attempt)
    db.session.flush()
    player = LivePlayer(session_id=session.id, user_id=user_id, attempt_id=attempt.id, nickname=nickname,
                        joined_at=now)
    db.session.add(player)
    db.session.flush()
    return player


def read_response(item: QuizItem, values: list[str]):
    """A submitted answer as stored: a list for several-answer items, else one string."""
    values = [v.strip() for v in values if v and v.strip()]
    if item.format == "multi":
        return values or None
    return values[0] if len(values) == 1 else None


def check_answer(session: LiveSession, item_id: int | None, values: list[str], now: dt.datetime):
    """The current item and the answer as stored, if an answer to ``item_id`` arriving at ``now`` counts;
    raises Refused (409 not open or too late, 400 unreadable) when it does not."""
    item = current_item(session)
    if item is None or item.id != item_id or session.phase != live.QUESTION:
        raise Refused(409, "This question is no longer open.")
    state = round_of(session)
    if not live.accepts_answer(state, now):
        reason = {live.PAUSED: "The game is paused.", live.READY: "Answers are not open yet."}
        raise Refused(409, reason.get(live.phase(state, now), "Time is up: this answer came too late."))
    value = read_response(item, values)
    if value is None or not attempts.valid_response(item, value):
        raise Refused(400, "That answer could not be read; please answer again.")
    return item, value


def answer(session: LiveSession, player: LivePlayer, item: QuizItem, value, now: dt.datetime) -> LiveAnswer:
    """Count a player's checked answer (see `check_answer`), once: a second one raises Refused (409).

    ``now`` is when the request arrived, so that waiting for the database costs no points.
    """
    attempts.take_turns(session.quiz_id, player.user_id)  # a double tap waits for the first, then finds it
    if db.session.execute(select(LiveAnswer.id).filter_by(player_id=player.id, item_id=item.id)).first():
        raise Refused(409, "You have already answered this question.")
    response = attempts.save(db.session.get(Attempt, player.attempt_id), item, value, now)
    elapsed = live.elapsed_ms(round_of(session), now)
    counted = LiveAnswer(session_id=session.id, player_id=player.id, item_id=item.id, response_id=response.id,
                         answer=value, elapsed_ms=elapsed, answered_at=now,
                         points=live.points(grading.score(item.format, item.answers, value), elapsed,
                                            session.seconds * 1000, item.points))
    db.session.add(counted)
    db.session.flush()
    if answered_count(session, item.id) >= player_count(session):  # everyone has answered: no need to wait
        stop_answers(session, now)
        session.version += 1
        db.session.flush()
    return counted


def answered_count(session: LiveSession, item_id: int) -> int:
    return db.session.execute(select(func.count()).select_from(LiveAnswer).filter_by(
        session_id=session.id, item_id=item_id)).scalar_one()


def player_count(session: LiveSession) -> int:
    return db.session.execute(select(func.count()).select_from(LivePlayer).filter_by(session_id=session.id)) \
        .scalar_one()


def totals(session: LiveSession) -> dict[int, int]:
    """Each player's game points so far."""
    return {player: int(points) for player, points in db.session.execute(
        select(LiveAnswer.player_id, func.sum(LiveAnswer.points)).where(LiveAnswer.session_id == session.id)
        .group_by(LiveAnswer.player_id))}


def nicknames(session: LiveSession) -> dict[int, str]:
    return dict(db.session.execute(select(LivePlayer.id, LivePlayer.nickname).filter_by(session_id=session.id)
                                   .order_by(LivePlayer.id)).all())


def game_code_of(attempt_id_column):
    """As a column beside an attempt: the code of the running live game it belongs to, if any."""
    return (select(LiveSession.code).join(LivePlayer, LivePlayer.session_id == LiveSession.id)
            .where(LivePlayer.attempt_id == attempt_id_column, LiveSession.phase != live.ENDED)
            .limit(1).scalar_subquery())


def game_of(attempt_id: int) -> str | None:
    """The code of the running live game that an attempt belongs to, if any: it is answered there, not page by page."""
    return db.session.execute(select(game_code_of(literal(attempt_id)))).scalar()

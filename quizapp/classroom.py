"""Live class games on the database: sessions, players, answers, and the state every screen polls.

Writes through the session; never commits. Everything a screen shows is read from the
database (or, for the part all players share, from a small per-process cache keyed by the
session's ``version``), so any number of worker processes serve one game.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import OrderedDict

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from quizapp import attempts, grading, live
from quizapp.models import Attempt, LiveAnswer, LivePlayer, LiveSession, Question, Quiz, QuizItem, User, db

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
BOARD_SIZE = 10  # players on the projector's leaderboard
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


SNAPSHOT = select(LiveSession.id, LiveSession.code, LiveSession.version, LiveSession.phase, LiveSession.position,
                  LiveSession.opens_at, LiveSession.deadline, LiveSession.paused_at, LiveSession.seconds) \
    .where(LiveSession.code == bindparam("code"))
SNAPSHOT_TTL = 0.2  # seconds a process answers polls from the snapshot it read last


class Snapshots:
    """The latest read of each game's row, per process, for at most SNAPSHOT_TTL seconds.

    Polls come every second from every phone; this turns hundreds of reads a second into a few
    per worker. A change made elsewhere shows after at most SNAPSHOT_TTL; one made in this
    process forgets the snapshot at once.
    """

    def __init__(self):
        self.rows: dict[str, tuple[float, object]] = {}
        self.lock = threading.Lock()

    def get(self, code: str):
        code = code.upper()
        with self.lock:
            hit = self.rows.get(code)
        if hit is not None and time.monotonic() - hit[0] < SNAPSHOT_TTL:
            return hit[1]
        row = db.session.execute(SNAPSHOT, {"code": code}).first()
        db.session.rollback()  # nothing else to read: end the transaction now
        with self.lock:
            if row is None:
                self.rows.pop(code, None)
            else:
                if len(self.rows) > 1000:
                    self.rows.clear()
                self.rows[code] = (time.monotonic(), row)
        return row

    def forget(self, code: str) -> None:
        with self.lock:
            self.rows.pop(code.upper(), None)


snapshots = Snapshots()
PLAYER = select(LivePlayer.id, LivePlayer.nickname, LivePlayer.attempt_id, User.session_generation) \
    .join(User, User.id == LivePlayer.user_id) \
    .where(LivePlayer.session_id == bindparam("session"), LivePlayer.user_id == bindparam("user"))
ANSWERS = select(LiveAnswer.item_id, LiveAnswer.points, LiveAnswer.answer) \
    .where(LiveAnswer.player_id == bindparam("player"))


def snapshot_player(session_id: int, account: str | None):
    """The player of a session cookie's account (``"<user id>:<session generation>"``) in a game, or None
    when the account has no place in it or the session has been ended since."""
    user_id, _, generation = (account or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit() and generation.isascii() and generation.isdigit()) \
            or len(user_id) > 18 or len(generation) > 18:
        return None
    row = db.session.execute(PLAYER, {"session": session_id, "user": int(user_id)}).first()
    if row is None or row.session_generation != int(generation):
        return None
    return row


def round_of(session: LiveSession) -> live.Round:
    return live.Round(session.phase, session.opens_at, session.deadline, session.paused_at)


def current_item(session: LiveSession) -> QuizItem | None:
    if session.phase in (live.LOBBY, live.ENDED) or not 0 <= session.position < len(session.item_order):
        return None
    return db.session.get(QuizItem, session.item_order[session.position])


def act(session: LiveSession, action: str, now: dt.datetime) -> None:
    """Move the game on as the presenter asks; raises Refused when the action makes no sense now."""
    phase = live.phase(round_of(session), now)
    if action not in ACTIONS:
        raise Refused(404, "No such action.")
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


def board(session: LiveSession, size: int | None = BOARD_SIZE) -> list[dict]:
    standings = live.leaderboard(totals(session), nicknames(session))
    return [{"rank": s.rank, "nickname": s.nickname, "points": s.points} for s in standings[:size]]


def question_of(item: QuizItem, number: int, total: int) -> dict:
    return {"item_id": item.id, "number": number, "total": total, "prompt": item.prompt, "format": item.format,
            "choices": list(item.choices)}


def reveal_of(item: QuizItem) -> dict:
    """The right answer with its explanation and, for a bank question, the source's words."""
    quote = db.session.execute(select(Question.quote).filter_by(id=item.question_id)).scalar_one_or_none() \
        if item.question_id else None
    return {"answers": list(item.answers), "explanation": item.explanation, "quote": quote or ""}


def histogram_of(session: LiveSession, item: QuizItem) -> list[dict]:
    given = db.session.execute(select(LiveAnswer.answer).filter_by(session_id=session.id, item_id=item.id)) \
        .scalars().all()
    return [{"label": b.label, "count": b.count, "right": b.right}
            for b in live.histogram(item.format, item.choices, item.answers, given)]


class SharedCache:
    """What every player is shown of one version of a game, computed once per process."""

    def __init__(self, size: int = 64):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, compute):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = compute()
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


shared = SharedCache()


def timing(session: LiveSession, now: dt.datetime) -> dict:
    opens_in, closes_in = live.remaining_ms(round_of(session), now)
    return {"opens_in_ms": opens_in, "remaining_ms": closes_in, "seconds": session.seconds}


def public_state(snapshot, phase: str) -> dict:
    """The part of the game every player sees alike, in ``phase`` (from a snapshot or the row itself)."""
    def compute():
        session = db.session.get(LiveSession, snapshot.id)
        item = current_item(session)
        state = {"phase": phase, "version": snapshot.version, "code": session.code, "question": None,
                 "reveal": None, "totals": None}
        if item is not None:
            state["question"] = question_of(item, session.position + 1, len(session.item_order))
            if phase in (live.REVEAL, live.LEADERBOARD):
                state["reveal"] = reveal_of(item)
        if phase in (live.REVEAL, live.LEADERBOARD, live.ENDED):
            state["totals"] = totals(session)
        return state

    return shared.get((snapshot.id, snapshot.code, snapshot.version, phase), compute)


def player_state(snapshot, player, now: dt.datetime) -> dict:
    """What one player's phone shows: the shared state, their answer to this question, their points and rank."""
    phase = live.phase(round_of(snapshot), now)
    public = public_state(snapshot, phase)
    rows = db.session.execute(ANSWERS, {"player": player.id}).all()
    mine = {item_id: points for item_id, points, _ in rows}
    question = public["question"]
    current = question["item_id"] if question else None
    answer = next((given for item_id, _, given in rows if item_id == current), None)
    shown = public["totals"] is not None  # points of the current question only once it is revealed
    score = sum(p for item_id, p in mine.items() if shown or item_id != current)
    state = {k: v for k, v in public.items() if k != "totals"}
    state.update(timing(snapshot, now))
    state["me"] = {"nickname": player.nickname, "score": score, "answered": current in mine, "answer": answer}
    if shown:
        others = public["totals"]
        state["me"]["rank"] = 1 + sum(1 for pid, p in others.items() if p > score and pid != player.id)
        state["me"]["players"] = max(len(others), 1)
        if current in mine:
            state["me"]["points"] = mine[current]
    return state


def host_state(session: LiveSession, now: dt.datetime) -> dict:
    """The presenter's screen: everything, with the roster and the count of answers as they come."""
    phase = live.phase(round_of(session), now)
    item = current_item(session)
    names = nicknames(session)
    state = {"phase": phase, "version": session.version, "code": session.code, "players": list(names.values()),
             "player_count": len(names), "question": None, "answered": 0, "histogram": None, "reveal": None,
             "leaderboard": None, **timing(session, now)}
    if item is not None:
        state["question"] = question_of(item, session.position + 1, len(session.item_order))
        state["answered"] = answered_count(session, item.id)
        if phase in (live.CLOSED, live.REVEAL, live.LEADERBOARD):
            state["histogram"] = histogram_of(session, item)
        if phase in (live.REVEAL, live.LEADERBOARD):
            state["reveal"] = reveal_of(item)
    if phase in (live.LEADERBOARD, live.ENDED):
        state["leaderboard"] = board(session, None if phase == live.ENDED else BOARD_SIZE)
    return state


def game_of(attempt_id: int) -> str | None:
    """The code of the running live game that an attempt belongs to, if any: it is answered there, not page by page."""
    return db.session.execute(select(LiveSession.code).join(LivePlayer, LivePlayer.session_id == LiveSession.id)
                              .where(LivePlayer.attempt_id == attempt_id, LiveSession.phase != live.ENDED)) \
        .scalar_one_or_none()

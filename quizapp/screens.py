"""What each screen of a live game shows, built from the database for the polls.

Read-only. Everything comes from the database; two small per-process caches keep the polls
cheap: the game's row for at most SNAPSHOT_TTL seconds (see `Snapshots`), and the part all
players see alike, per version of the game (see `SharedCache`). So any number of worker
processes serve one game.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict

from sqlalchemy import bindparam, select

from quizapp import live
from quizapp.classroom import answered_count, current_item, nicknames, round_of, totals
from quizapp.models import LiveAnswer, LivePlayer, LiveSession, Question, QuizItem, User, db

BOARD_SIZE = 10  # players on the projector's leaderboard

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

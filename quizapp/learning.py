"""The learner's side of the bank: deck counts, the next card, recording and undoing reviews.

Queries and writes go through the session; nothing here commits (the views do).
A study day starts at the learner's day hour (4 a.m. unless they chose another) in
their time zone. Siblings (other questions of a fact reviewed today) are buried until
the next day; a card being learned keeps coming back. New questions come in each
period's introduction order (``Question.intro``, see introduction.py).

The review loop runs these statements on every request, so they are built once,
here, as Core statements with bound parameters: each request only binds values,
and rows come back as tuples rather than ORM objects.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple, Protocol

from sqlalchemy import bindparam, func, insert, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError

from quizapp import localtime, scheduling
from quizapp.generate import check_response, unordered
from quizapp.models import Card, NewCursor, Period, Question, ReviewLog, Subject, db
from quizapp.scheduling import CardState, Rating, State

LEARN_AHEAD = dt.timedelta(minutes=20)

card_t, question_t, log_t = Card.__table__, Question.__table__, ReviewLog.__table__
period_t, subject_t, cursor_t = Period.__table__, Subject.__table__, NewCursor.__table__
STATE_COLUMNS = (card_t.c.state, card_t.c.step, card_t.c.stability, card_t.c.difficulty, card_t.c.due,
                 card_t.c.last_review)


class Learner(Protocol):
    """What the study logic reads of a learner: a :class:`User`, or a row of these columns."""

    id: int
    new_per_day: int
    desired_retention: float
    fsrs_parameters: list[float] | None  # fitted to the learner's log; None: the defaults
    time_zone: str | None
    day_hour: int


def parameters_of(user: Learner) -> scheduling.Parameters:
    """The learner's FSRS parameters as the scheduler takes them (None: the defaults)."""
    return tuple(user.fsrs_parameters) if user.fsrs_parameters else None


@dataclass(frozen=True)
class Deck:
    """A period of a subject, or every period of it (``period_id`` is None)."""

    subject_id: int
    period_id: int | None
    period_ids: tuple[int, ...]
    title: str

    @classmethod
    def of(cls, subject, period: Period | None = None) -> Deck:
        if period:
            return cls(subject.id, period.id, (period.id,), period.title)
        return cls(subject.id, None, tuple(p.id for p in subject.periods), "All periods")

    def questions(self, query):
        query = query.where(Question.subject_id == self.subject_id, Question.retired.is_(False))
        return query.where(Question.period_id == self.period_id) if self.period_id else query

    def cards(self, query, user_id: int):
        """Cards of this deck's live questions, found through the card's own columns alone,
        so that the (user, due) index serves the queue without a join."""
        return query.where(Card.user_id == user_id, Card.period_id.in_(self.period_ids), Card.retired.is_(False))


class SubjectHeading(NamedTuple):
    """What a study page shows of the deck's subject."""

    id: int
    slug: str
    title: str


_DECK_PERIODS = (select(subject_t.c.id, period_t.c.id, period_t.c.slug, period_t.c.title, subject_t.c.slug,
                        subject_t.c.title)
                 .join(period_t, period_t.c.subject_id == subject_t.c.id)
                 .where(subject_t.c.slug == bindparam("subject")).order_by(period_t.c.position, period_t.c.id))


def find_deck_of_subject(subject_slug: str, deck_slug: str) -> tuple[SubjectHeading, Deck] | None:
    """A subject's period by slug, or "all" of its periods, with the subject's heading, in one query."""
    rows = db.session.execute(_DECK_PERIODS, {"subject": subject_slug}).all()
    if not rows:
        return None
    heading = SubjectHeading(rows[0][0], rows[0][4], rows[0][5])
    if deck_slug == "all":
        return heading, Deck(rows[0][0], None, tuple(r[1] for r in rows), "All periods")
    row = next((r for r in rows if r[2] == deck_slug), None)
    return (heading, Deck(row[0], row[1], (row[1],), row[3])) if row else None


def find_deck(subject_slug: str, deck_slug: str) -> Deck | None:
    """A subject's period by slug, or "all" of its periods, in one query."""
    found = find_deck_of_subject(subject_slug, deck_slug)
    return found[1] if found else None


@dataclass(frozen=True)
class DeckCounts:
    """Today's work in a deck. Every count is bounded by today's cards, never by the deck's size."""

    new: int
    learning: int
    due: int
    reviewed_today: int

    @property
    def session_progress(self) -> float:
        """Share of today's work in this deck that is done."""
        remaining = self.new + self.learning + self.due
        done = self.reviewed_today
        return done / (done + remaining) if done + remaining else 1.0


@dataclass(frozen=True)
class Progress:
    """How much of a deck the learner has studied (counts every card: for the deck list)."""

    studied: int
    total: int


class Pick(NamedTuple):
    """The card to show next: its question, its state (None for a question never studied), and how
    many times it has been reviewed (what its answer token is bound to)."""

    question_id: int
    card: CardState | None
    reps: int = 0


def day_start(user: Learner, now: dt.datetime) -> dt.datetime:
    """When the learner's study day that ``now`` falls in began (UTC)."""
    return localtime.day_start(now, localtime.zone(user.time_zone), user.day_hour)


def card_state(card: Card) -> CardState:
    return CardState(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review)


# facts with a card reviewed today: their other questions wait until tomorrow
_BURIED = select(card_t.c.fact_id).where(
    card_t.c.user_id == bindparam("user"), card_t.c.last_review >= bindparam("day_start")).scalar_subquery()
_INTRODUCED = select(func.count()).select_from(card_t).where(
    card_t.c.user_id == bindparam("user"), card_t.c.created_at >= bindparam("day_start"))
_CURSORS = select(cursor_t.c.period_id, cursor_t.c.position).where(
    cursor_t.c.user_id == bindparam("user"), cursor_t.c.period_id.in_(bindparam("periods", expanding=True)))
# a deck's live cards, less the siblings of facts studied today (a card studied today keeps coming back)
_DECK_CARDS = (card_t.c.user_id == bindparam("user"), card_t.c.period_id.in_(bindparam("periods", expanding=True)),
               card_t.c.retired.is_(False),
               or_(card_t.c.fact_id.not_in(_BURIED), card_t.c.last_review >= bindparam("day_start")))
# a question a curator suspended leaves study until its fact is fixed; its cards and history stay
_DECK_CARDS += (card_t.c.suspended.is_(False),)
_NOT_SUSPENDED = question_t.c.suspended_at.is_(None)
LEARNING_NOW, REVIEW_TODAY, LEARNING_SOON = 1, 2, 3


def _first(rank: int, *where):
    """The deck's first card (by due date) meeting ``where``: a walk of the (user, due) index that stops at one."""
    return select(literal(rank).label("rank"), card_t.c.question_id, *STATE_COLUMNS, card_t.c.reps) \
        .where(*_DECK_CARDS, *where).order_by(card_t.c.due, card_t.c.id).limit(1).subquery()


# the candidates for the next card, in one round trip
_FIRSTS = union_all(*(select(first) for first in (
    _first(LEARNING_NOW, card_t.c.state != State.Review, card_t.c.due <= bindparam("now")),
    _first(REVIEW_TODAY, card_t.c.state == State.Review, card_t.c.due < bindparam("end_of_day")),
    _first(LEARNING_SOON, card_t.c.state != State.Review, card_t.c.due <= bindparam("soon")))))
_COUNTS = select(
    select(func.count()).where(*_DECK_CARDS, card_t.c.state != State.Review,
                               card_t.c.due < bindparam("end_of_day")).scalar_subquery(),
    select(func.count()).where(*_DECK_CARDS, card_t.c.state == State.Review,
                               card_t.c.due < bindparam("end_of_day")).scalar_subquery(),
    select(func.count()).select_from(log_t.join(card_t, log_t.c.card_id == card_t.c.id)).where(
        log_t.c.user_id == bindparam("user"), log_t.c.reviewed_at >= bindparam("day_start"),
        card_t.c.period_id.in_(bindparam("periods", expanding=True))).scalar_subquery())
_UNSEEN = (question_t.c.period_id == bindparam("period"), question_t.c.retired.is_(False),
           question_t.c.intro >= bindparam("cursor"), question_t.c.fact_id.not_in(_BURIED),
           ~select(card_t.c.id).where(card_t.c.user_id == bindparam("user"),
                                      card_t.c.question_id == question_t.c.id).exists(), _NOT_SUSPENDED)
_NEW_QUESTIONS = (select(question_t.c.id).where(*_UNSEEN)
                  .order_by(question_t.c.intro, question_t.c.id).limit(bindparam("limit")))
# how many new cards today can still show: one per fact, since the first one shown buries the rest
_NEW_FACTS = select(func.count()).select_from(
    select(question_t.c.fact_id).where(*_UNSEEN).distinct().limit(bindparam("limit")).subquery())


class Today:
    """A learner's study day at one moment: what all their decks share, looked up once."""

    def __init__(self, user: Learner, now: dt.datetime):
        self.user, self.now = user, now
        tz = localtime.zone(user.time_zone)
        self.day_start, self.end_of_day = localtime.day_bounds(localtime.study_date(now, tz, user.day_hour), tz,
                                                               user.day_hour)

    @cached_property
    def new_left(self) -> int:
        """New cards still allowed today."""
        introduced = db.session.execute(_INTRODUCED, {"user": self.user.id, "day_start": self.day_start}).scalar_one()
        return max(0, self.user.new_per_day - introduced)


class Queue:
    """One deck of a learner's day: the next card and today's counts.

    A request usually asks for both; the learner's day (new cards still allowed)
    and the deck's cursors are looked up once.
    """

    def __init__(self, today: Today, deck: Deck):
        self.today, self.deck = today, deck
        self.user, self.now = today.user, today.now
        self.params = {"user": self.user.id, "periods": list(deck.period_ids), "day_start": today.day_start,
                       "end_of_day": today.end_of_day}

    @cached_property
    def cursors(self) -> dict[int, int]:
        return dict(db.session.execute(_CURSORS, self.params).all())

    def new_question_ids(self, limit: int) -> list[int]:
        """Up to ``limit`` questions never studied, period by period in introduction order, from each cursor on."""
        found: list[int] = []
        for period_id in self.deck.period_ids:
            if len(found) >= limit:
                break
            found += db.session.execute(_NEW_QUESTIONS, {
                **self.params, "period": period_id, "cursor": self.cursors.get(period_id, 0),
                "limit": limit - len(found)}).scalars()
        return found

    def new_showable(self, limit: int) -> int:
        """How many new cards today can still show, up to ``limit``: unseen questions of facts not
        buried, one per fact."""
        found = 0
        for period_id in self.deck.period_ids:
            if found >= limit:
                break
            found += db.session.execute(_NEW_FACTS, {
                **self.params, "period": period_id, "cursor": self.cursors.get(period_id, 0),
                "limit": limit - found}).scalar_one()
        return found

    def next_card(self) -> Pick | None:
        """Learning cards due now, then reviews due today, then a new question, then learning cards due soon."""
        firsts = {row[0]: Pick(row[1], CardState(*row[2:8]), row[8]) for row in db.session.execute(
            _FIRSTS, {**self.params, "now": self.now, "soon": self.now + LEARN_AHEAD})}
        pick = firsts.get(LEARNING_NOW) or firsts.get(REVIEW_TODAY)
        if pick:
            return pick
        if self.today.new_left:
            fresh = self.new_question_ids(1)
            if fresh:
                return Pick(fresh[0], None)
        return firsts.get(LEARNING_SOON)

    def counts(self) -> DeckCounts:
        """New, learning and due counts for today, and the answers given today in this deck."""
        learning, due, reviewed_today = db.session.execute(_COUNTS, self.params).one()
        # at most new_left facts with an unseen question: what today can show, without counting the deck
        new = self.new_showable(self.today.new_left) if self.today.new_left else 0
        return DeckCounts(new=new, learning=learning, due=due, reviewed_today=reviewed_today)


def _first_unseen(start):
    """The period's first live question at or after ``start`` that the learner has no card of; past its last
    question when there is none."""
    unseen = select(func.min(question_t.c.intro)).where(
        question_t.c.period_id == bindparam("period"), question_t.c.retired.is_(False), question_t.c.intro >= start,
        ~select(card_t.c.id).where(card_t.c.user_id == bindparam("user"),
                                   card_t.c.question_id == question_t.c.id).exists()).scalar_subquery()
    past_the_end = select(func.coalesce(func.max(question_t.c.intro), 0) + 1).where(
        question_t.c.period_id == bindparam("period")).scalar_subquery()
    return func.coalesce(unseen, past_the_end)


_MOVE_CURSOR = update(cursor_t).where(cursor_t.c.user_id == bindparam("user"),
                                      cursor_t.c.period_id == bindparam("period")) \
    .values(position=_first_unseen(cursor_t.c.position))
_FIRST_CURSOR = insert(cursor_t).from_select(
    ["user_id", "period_id", "position"],
    select(bindparam("user"), bindparam("period"), _first_unseen(literal(0))))


def advance_cursor(user: Learner, question: Question) -> None:
    """After a question's first card: move the period's cursor to its first question still unseen, in one
    statement (two the first time)."""
    params = {"user": user.id, "period": question.period_id}
    if db.session.execute(_MOVE_CURSOR, params).rowcount == 0:
        db.session.execute(_FIRST_CURSOR, params)


def progress(user: Learner, deck: Deck) -> Progress:
    """Questions studied out of the deck's questions."""
    studied = db.session.execute(deck.cards(select(func.count()).select_from(Card), user.id)).scalar_one()
    total = db.session.execute(deck.questions(select(func.count()).select_from(Question))).scalar_one()
    return Progress(studied, total)


def next_due_at(user: Learner, deck: Deck) -> dt.datetime | None:
    """When the next card of the deck falls due, for the 'come back later' message."""
    return db.session.execute(deck.cards(select(func.min(Card.due)).select_from(Card), user.id)).scalar_one()


_QUESTION_OF_SUBJECT = select(Question).join(Subject, Question.subject_id == Subject.id).where(
    Question.id == bindparam("question"), Question.retired.is_(False), Subject.slug == bindparam("subject"))
_QUESTION_OF_PERIOD = _QUESTION_OF_SUBJECT.join(Period, Question.period_id == Period.id).where(
    Period.slug == bindparam("period"))


def find_question(question_id: int, subject_slug: str, deck_slug: str) -> Question | None:
    """A live question of the deck ("all" or a period slug), checked with one join."""
    if deck_slug == "all":
        return db.session.execute(_QUESTION_OF_SUBJECT, {"question": question_id, "subject": subject_slug}) \
            .scalar_one_or_none()
    return db.session.execute(_QUESTION_OF_PERIOD, {"question": question_id, "subject": subject_slug,
                                                    "period": deck_slug}).scalar_one_or_none()


def intervals(user: Learner, card: CardState | None, now: dt.datetime) -> dict[Rating, str]:
    """What each grade button would schedule, as Anki shows it ('10m', '1d', '3d', '8d')."""
    preview = scheduling.preview(card or scheduling.new_card(now), now, user.desired_retention, parameters_of(user))
    return {rating: scheduling.format_interval(delta) for rating, delta in preview.items()}


def shuffled_choices(choices: list, key: list | None = None) -> list:
    """The choices in a fresh order for each showing, so a learner remembers the answer, not its place; events
    to put in order never come already in their key's order."""
    rng = random.SystemRandom()
    return unordered(rng, choices, key) if key is not None else rng.sample(list(choices), len(choices))


@dataclass(frozen=True)
class Answer:
    """What the learner answered and what it was worth."""

    question: Question
    response: str | list[str] | None
    correct: bool | None

    @property
    def suggested(self) -> Rating:
        return scheduling.suggested_rating(self.correct)


def check(question: Question, response: str | list[str] | None) -> Answer:
    """Grade a response against the question; ``None`` (no response) is neither right nor wrong."""
    if response is None or response == "" or response == []:
        return Answer(question, None, False)
    return Answer(question, response, check_response(question.format, question.answer, response,
                                                            question.accept or ()))


@dataclass(frozen=True)
class Recorded:
    """A review as kept: the grade it was given and the card's state after it."""

    card_id: int
    rating: Rating
    card: CardState


class StaleCard(Exception):
    """The card has been answered since it was shown with this token (in another tab, say)."""


class DuplicateReview(Exception):
    """The request id was already recorded: the first recording stands."""

    def __init__(self, recorded: Recorded):
        self.recorded = recorded


_LOG_BY_REQUEST = select(log_t.c.card_id, log_t.c.rating).where(log_t.c.request_id == bindparam("request"),
                                                                 log_t.c.user_id == bindparam("user"))
_CARD_BY_ID = select(*STATE_COLUMNS).where(card_t.c.id == bindparam("card"))
_CARD_OF = select(card_t.c.id, card_t.c.reps, *STATE_COLUMNS).where(
    card_t.c.user_id == bindparam("user"), card_t.c.question_id == bindparam("question"))
# only from the state the answer saw: a second answer to the same showing changes nothing
_UPDATE_CARD = update(card_t).where(card_t.c.id == bindparam("card"), card_t.c.reps == bindparam("seen"))
_INSERT_LOG = insert(log_t)


def card_of(user: Learner, question_id: int) -> CardState | None:
    """The learner's card of a question, or None if they never studied it."""
    return pick_of(user, question_id).card


def pick_of(user: Learner, question_id: int) -> Pick:
    """A question to show again (after undo): its card's state and review count."""
    row = db.session.execute(_CARD_OF, {"user": user.id, "question": question_id}).one_or_none()
    return Pick(question_id, CardState(*row[2:]), row[1]) if row else Pick(question_id, None, 0)


def record_review(user: Learner, question: Question, rating: Rating, now: dt.datetime, request_id: str,
                  seen_reps: int, response=None, correct: bool | None = None, duration_ms: int | None = None,
                  fuzz: bool = True) -> Recorded:
    """Schedule the card with FSRS and keep the log row, once per showing of the card.

    ``seen_reps`` is how many reviews the card had when it was shown (what its answer token
    says). A repeated ``request_id`` is recognised (:class:`DuplicateReview`, with what was
    recorded); an answer to a card reviewed since it was shown is refused (:class:`StaleCard`).
    Two requests racing on the same card (a double click, two tabs) meet at the unique
    constraints or at the update of the card from the state both saw: the loser finds either
    its request id recorded or the card moved on.
    """
    args = (user, question, rating, now, request_id, seen_reps, response, correct, duration_ms, fuzz)
    try:
        return _record(*args)
    except IntegrityError:
        db.session.rollback()
    except StaleCard:
        _raise_if_recorded(user, request_id)
        raise
    _raise_if_recorded(user, request_id)
    return _record(*args)


def _raise_if_recorded(user: Learner, request_id: str) -> None:
    existing = db.session.execute(_LOG_BY_REQUEST, {"request": request_id, "user": user.id}).one_or_none()
    if existing is not None:
        card = CardState(*db.session.execute(_CARD_BY_ID, {"card": existing.card_id}).one())
        raise DuplicateReview(Recorded(existing.card_id, Rating(existing.rating), card))


def _record(user, question, rating, now, request_id, seen_reps, response, correct, duration_ms, fuzz) -> Recorded:
    row = db.session.execute(_CARD_OF, {"user": user.id, "question": question.id}).one_or_none()
    if (row[1] if row else 0) != seen_reps:
        raise StaleCard()
    if row is None:
        state, previous, reps = scheduling.new_card(now), None, 0
    else:
        card_id, reps, state = row[0], row[1], CardState(*row[2:])
        previous = {"state": state.state, "step": state.step, "stability": state.stability,
                    "difficulty": state.difficulty, "due": state.due.isoformat(),
                    "last_review": state.last_review.isoformat() if state.last_review else None, "reps": reps}
    result = scheduling.review(state, rating, now, user.desired_retention, duration_ms, fuzz, parameters_of(user))
    new = result.card
    if row is None:  # the first answer makes the card as it reviewed it (another at once meets the unique key)
        card_id = db.session.execute(insert(card_t).values(
            user_id=user.id, question_id=question.id, period_id=question.period_id, fact_id=question.fact_id,
            state=new.state, step=new.step, stability=new.stability, difficulty=new.difficulty, due=new.due,
            last_review=new.last_review, reps=1, created_at=now, retired=False)).inserted_primary_key[0]
        advance_cursor(user, question)
    else:
        updated = db.session.execute(_UPDATE_CARD, {
            "card": card_id, "seen": reps, "state": new.state, "step": new.step, "stability": new.stability,
            "difficulty": new.difficulty, "due": new.due, "last_review": new.last_review, "reps": reps + 1})
        if updated.rowcount != 1:  # another answer to this showing got there first
            raise StaleCard()
    db.session.execute(_INSERT_LOG, {"card_id": card_id, "user_id": user.id, "request_id": request_id,
                                     "rating": int(rating), "reviewed_at": result.reviewed_at,
                                     "duration_ms": duration_ms, "response": response, "correct": correct,
                                     "previous": previous})
    return Recorded(card_id, Rating(rating), new)


def undo_last(user: Learner) -> Question | None:
    """Take back the learner's latest review: the card returns to its previous state."""
    log = db.session.execute(select(ReviewLog).filter_by(user_id=user.id)
                             .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc()).limit(1)) \
        .scalar_one_or_none()
    if log is None:
        return None
    card = db.session.get(Card, log.card_id)
    question = card.question
    db.session.delete(log)
    if log.previous is None:
        db.session.delete(card)
        cursor = db.session.get(NewCursor, (user.id, question.period_id))
        if cursor is not None and cursor.position > question.intro:
            cursor.position = question.intro
    else:
        p = log.previous
        card.state, card.step, card.stability, card.difficulty = p["state"], p["step"], p["stability"], \
            p["difficulty"]
        card.due = dt.datetime.fromisoformat(p["due"])
        card.last_review = dt.datetime.fromisoformat(p["last_review"]) if p["last_review"] else None
        card.reps = p["reps"]
    db.session.flush()
    return question

"""The learner's side of the bank: deck counts, the next card, recording and undoing reviews.

Queries and writes go through the session; nothing here commits (the views do).
A study day starts at 00:00 UTC. Siblings (other questions of a fact reviewed
today) are buried until the next day; a card being learned keeps coming back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from quizapp import scheduling
from quizapp.generate import check_response
from quizapp.models import Card, NewCursor, Period, Question, ReviewLog, Subject, User, db
from quizapp.scheduling import CardState, Rating, State

LEARN_AHEAD = dt.timedelta(minutes=20)


@dataclass(frozen=True)
class Deck:
    """A period of a subject, or every period of it (``period`` is None)."""

    subject_id: int
    period: Period | None
    period_ids: tuple[int, ...]

    @classmethod
    def of(cls, subject, period: Period | None = None) -> Deck:
        return cls(subject.id, period, (period.id,) if period else tuple(p.id for p in subject.periods))

    def questions(self, query):
        query = query.where(Question.subject_id == self.subject_id, Question.retired.is_(False))
        return query.where(Question.period_id == self.period.id) if self.period else query

    def cards(self, query, user_id: int):
        """Cards of this deck's live questions, found through the card's own columns alone,
        so that the (user, due) index serves the queue without a join."""
        return query.where(Card.user_id == user_id, Card.period_id.in_(self.period_ids), Card.retired.is_(False))


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


def day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def card_state(card: Card) -> CardState:
    return CardState(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review)


def _no_card(user: User):
    return ~select(Card.id).where(Card.user_id == user.id, Card.question_id == Question.id).exists()


class Today:
    """A learner's study day at one moment: what all their decks share, looked up once."""

    def __init__(self, user: User, now: dt.datetime):
        self.user, self.now = user, now
        self.day_start = day_start(now)
        self.end_of_day = self.day_start + dt.timedelta(days=1)

    @cached_property
    def buried(self) -> set[int]:
        """Facts with a card reviewed today: their other questions wait until tomorrow."""
        return set(db.session.execute(select(Card.fact_id).where(
            Card.user_id == self.user.id, Card.last_review >= self.day_start).distinct()).scalars())

    @cached_property
    def new_left(self) -> int:
        """New cards still allowed today."""
        introduced = db.session.execute(select(func.count()).select_from(Card).where(
            Card.user_id == self.user.id, Card.created_at >= self.day_start)).scalar_one()
        return max(0, self.user.new_per_day - introduced)


class Queue:
    """One deck of a learner's day: the next card and today's counts.

    A request usually asks for both; the learner's day (buried facts, new cards still
    allowed) and the deck's cursors are looked up once.
    """

    def __init__(self, today: Today, deck: Deck):
        self.today, self.deck = today, deck
        self.user, self.now = today.user, today.now

    @cached_property
    def cursors(self) -> dict[int, int]:
        return dict(db.session.execute(select(NewCursor.period_id, NewCursor.question_id).where(
            NewCursor.user_id == self.user.id, NewCursor.period_id.in_(self.deck.period_ids))).all())

    def _cards(self):
        query = self.deck.cards(select(Card), self.user.id)
        if self.today.buried:  # a card studied today keeps coming back; its siblings wait
            query = query.where(or_(Card.fact_id.not_in(self.today.buried), Card.last_review >= self.today.day_start))
        return query

    def new_question_ids(self, limit: int, whole_rows: bool = False) -> list:
        """Up to ``limit`` questions never studied, period by period in question order, from each cursor on."""
        found: list = []
        for period_id in self.deck.period_ids:
            if len(found) >= limit:
                break
            query = select(Question if whole_rows else Question.id).where(
                Question.period_id == period_id, Question.retired.is_(False),
                Question.id >= self.cursors.get(period_id, 0), _no_card(self.user))
            if self.today.buried:
                query = query.where(Question.fact_id.not_in(self.today.buried))
            found += db.session.execute(query.order_by(Question.id).limit(limit - len(found))).scalars()
        return found

    def next_card(self) -> tuple[Question, Card | None] | None:
        """Learning cards due now, then reviews due today, then a new question, then learning cards due soon."""
        # each query walks the (user, due) index in order and stops at the first card
        cards = self._cards().options(joinedload(Card.question))
        learning = cards.where(Card.state != State.Review)
        for query in (learning.where(Card.due <= self.now),
                      cards.where(Card.state == State.Review, Card.due < self.today.end_of_day)):
            card = db.session.execute(query.order_by(Card.due, Card.id).limit(1)).scalar_one_or_none()
            if card:
                return card.question, card
        if self.today.new_left:
            fresh = self.new_question_ids(1, whole_rows=True)
            if fresh:
                return fresh[0], None
        card = db.session.execute(learning.where(Card.due <= self.now + LEARN_AHEAD)
                                  .order_by(Card.due, Card.id).limit(1)).scalar_one_or_none()
        return (card.question, card) if card else None

    def counts(self) -> DeckCounts:
        """New, learning and due counts for today, and the answers given today in this deck."""
        by_state = dict(db.session.execute(
            self._cards().with_only_columns(Card.state, func.count()).where(Card.due < self.today.end_of_day)
            .group_by(Card.state)).all())
        # at most new_left unseen questions: enough to show, without counting the deck
        new = len(self.new_question_ids(self.today.new_left)) if self.today.new_left else 0
        reviewed_today = db.session.execute(
            select(func.count()).select_from(ReviewLog).join(Card, ReviewLog.card_id == Card.id).where(
                ReviewLog.user_id == self.user.id, ReviewLog.reviewed_at >= self.today.day_start,
                Card.period_id.in_(self.deck.period_ids))).scalar_one()
        return DeckCounts(
            new=new,
            learning=by_state.get(State.Learning, 0) + by_state.get(State.Relearning, 0),
            due=by_state.get(State.Review, 0),
            reviewed_today=reviewed_today,
        )


def advance_cursor(user: User, question: Question) -> None:
    """After a question's first card: move the period's cursor to its first question still unseen."""
    cursor = db.session.get(NewCursor, (user.id, question.period_id))
    start = cursor.question_id if cursor else 0
    first = db.session.execute(select(func.min(Question.id)).where(
        Question.period_id == question.period_id, Question.retired.is_(False), Question.id >= start,
        _no_card(user))).scalar_one()
    if first is None:
        first = (db.session.execute(select(func.max(Question.id)).where(
            Question.period_id == question.period_id)).scalar_one() or 0) + 1
    if cursor is None:
        db.session.add(NewCursor(user_id=user.id, period_id=question.period_id, question_id=first))
    else:
        cursor.question_id = first


def progress(user: User, deck: Deck) -> Progress:
    """Questions studied out of the deck's questions."""
    studied = db.session.execute(deck.cards(select(func.count()).select_from(Card), user.id)).scalar_one()
    total = db.session.execute(deck.questions(select(func.count()).select_from(Question))).scalar_one()
    return Progress(studied, total)


def next_due_at(user: User, deck: Deck) -> dt.datetime | None:
    """When the next card of the deck falls due, for the 'come back later' message."""
    return db.session.execute(deck.cards(select(func.min(Card.due)).select_from(Card), user.id)).scalar_one()


def find_question(question_id: int, subject_slug: str, deck_slug: str) -> Question | None:
    """A live question of the deck ("all" or a period slug), checked with one join."""
    query = select(Question).join(Subject, Question.subject_id == Subject.id).where(
        Question.id == question_id, Question.retired.is_(False), Subject.slug == subject_slug)
    if deck_slug != "all":
        query = query.join(Period, Question.period_id == Period.id).where(Period.slug == deck_slug)
    return db.session.execute(query).scalar_one_or_none()


def intervals(user: User, card: Card | None, now: dt.datetime) -> dict[Rating, str]:
    """What each grade button would schedule, as Anki shows it ('10m', '1d', '3d', '8d')."""
    state = card_state(card) if card else scheduling.new_card(now)
    preview = scheduling.preview(state, now, user.desired_retention)
    return {rating: scheduling.format_interval(delta) for rating, delta in preview.items()}


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
    return Answer(question, response, check_response(question.format, question.answer, response))


class DuplicateReview(Exception):
    """The request id was already recorded: the first recording stands."""

    def __init__(self, log: ReviewLog):
        self.log = log


def record_review(user: User, question: Question, rating: Rating, now: dt.datetime, request_id: str,
                  response=None, correct: bool | None = None, duration_ms: int | None = None,
                  fuzz: bool = True) -> ReviewLog:
    """Schedule the card with FSRS and keep the log row; a repeated ``request_id`` is not recorded twice.

    Two requests racing on the same card (a double click, two tabs) meet at the unique
    constraints: the loser rolls back and tries once more, and then finds either its
    request id already recorded (:class:`DuplicateReview`) or the card the winner made.
    """
    args = (user, question, rating, now, request_id, response, correct, duration_ms, fuzz)
    try:
        return _record(*args)
    except IntegrityError:
        db.session.rollback()
    return _record(*args)


def _record(user, question, rating, now, request_id, response, correct, duration_ms, fuzz) -> ReviewLog:
    existing = db.session.execute(select(ReviewLog).filter_by(request_id=request_id)).scalar_one_or_none()
    if existing is not None:
        raise DuplicateReview(existing)
    card = db.session.execute(select(Card).filter_by(user_id=user.id, question_id=question.id)) \
        .scalar_one_or_none()
    if card is None:
        fresh = scheduling.new_card(now)
        card = Card(user_id=user.id, question_id=question.id, period_id=question.period_id,
                    fact_id=question.fact_id, state=fresh.state, step=fresh.step, stability=None,
                    difficulty=None, due=fresh.due, last_review=None, reps=0, created_at=now)
        previous = None
        db.session.add(card)
        db.session.flush()
        advance_cursor(user, question)
    else:
        previous = {"state": card.state, "step": card.step, "stability": card.stability,
                    "difficulty": card.difficulty, "due": card.due.isoformat(),
                    "last_review": card.last_review.isoformat() if card.last_review else None,
                    "reps": card.reps}
    result = scheduling.review(card_state(card), rating, now, user.desired_retention, duration_ms, fuzz)
    new = result.card
    card.state, card.step, card.stability, card.difficulty = new.state, new.step, new.stability, new.difficulty
    card.due, card.last_review, card.reps = new.due, new.last_review, card.reps + 1
    db.session.flush()
    log = ReviewLog(card_id=card.id, user_id=user.id, request_id=request_id, rating=int(rating),
                    reviewed_at=result.reviewed_at, duration_ms=duration_ms, response=response,
                    correct=correct, previous=previous)
    db.session.add(log)
    db.session.flush()
    return log


def undo_last(user: User) -> Question | None:
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
        if cursor is not None and cursor.question_id > question.id:
            cursor.question_id = question.id
    else:
        p = log.previous
        card.state, card.step, card.stability, card.difficulty = p["state"], p["step"], p["stability"], \
            p["difficulty"]
        card.due = dt.datetime.fromisoformat(p["due"])
        card.last_review = dt.datetime.fromisoformat(p["last_review"]) if p["last_review"] else None
        card.reps = p["reps"]
    db.session.flush()
    return question

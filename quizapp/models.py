"""SQLAlchemy models. Portable types only, so SQLite and PostgreSQL run the same schema."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, types
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(types.TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite keeps no offset, PostgreSQL gets the same values."""

    impl = types.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=dt.UTC) if value is not None else None


class Subject(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    attribution: Mapped[str] = mapped_column(String(300), default="")
    periods: Mapped[list[Period]] = relationship(back_populates="subject", order_by="Period.position")


class Period(db.Model):
    __table_args__ = (UniqueConstraint("subject_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    subject: Mapped[Subject] = relationship(back_populates="periods")


class Fact(db.Model):
    """A curated fact as loaded; retired (never deleted) when it leaves the files."""

    __table_args__ = (UniqueConstraint("subject_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    slug: Mapped[str] = mapped_column(String(120))
    date: Mapped[str] = mapped_column(String(10), default="")
    event: Mapped[str] = mapped_column(Text)
    actors: Mapped[list] = mapped_column(JSON, default=list)
    causes: Mapped[list] = mapped_column(JSON, default=list)
    consequences: Mapped[list] = mapped_column(JSON, default=list)
    quote: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    retired: Mapped[bool] = mapped_column(default=False)
    period: Mapped[Period] = relationship()


class Question(db.Model):
    """A generated question; ``uid`` is the stable ``<fact-id>:<kind>[:<n>]``."""

    __table_args__ = (UniqueConstraint("subject_id", "uid"), Index("ix_question_period_kind", "period_id", "kind"),
                      Index("ix_question_period_intro", "period_id", "intro"))
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id"))
    uid: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(12))
    prompt: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | list] = mapped_column(JSON)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    cloze: Mapped[str] = mapped_column(Text, default="")
    accept: Mapped[list] = mapped_column(JSON, default=list)  # other typed answers that count as right
    date: Mapped[str] = mapped_column(String(10), default="")
    retired: Mapped[bool] = mapped_column(default=False)
    intro: Mapped[int] = mapped_column(default=0)  # place in its period's order of new cards (introduction.py)


    # set by a curator: out of study and random quiz draws until its fact is fixed
    suspended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    fact: Mapped[Fact] = relationship()
    period: Mapped[Period] = relationship()


# Argon2id at OWASP's Password Storage Cheat Sheet minimum: 19 MiB of memory, 2 passes, 1 lane.
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """A password hash, as stored: the one place the method is chosen (argon2id, see PASSWORD_HASHER)."""
    return PASSWORD_HASHER.hash(password)


def password_matches(stored: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from: an argon2 hash, or one of werkzeug's
    (scrypt, pbkdf2) from before argon2id, until its owner next signs in (see :func:`hash_is_outdated`)."""
    if stored.startswith("$argon2"):
        try:
            return PASSWORD_HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored, password)


def hash_is_outdated(stored: str) -> bool:
    """Made by another method or with other parameters than :func:`hash_password` uses now."""
    try:
        return PASSWORD_HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_instructor: Mapped[bool] = mapped_column(default=False)
    new_per_day: Mapped[int] = mapped_column(default=20)
    desired_retention: Mapped[float] = mapped_column(default=0.9)
    fsrs_parameters: Mapped[list | None] = mapped_column(JSON)  # fitted by the optimiser; None: the defaults
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    # None from registration until the owner follows the emailed link; accounts made any other
    # way (the command line, fixtures) count as confirmed
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=now_utc)
    # part of the id that sessions and "keep me logged in" cookies carry: raising it ends them all
    session_generation: Mapped[int] = mapped_column(default=0)
    # the learner's clock (localtime.py): None until the browser tells it; the hour a study day starts
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    day_hour: Mapped[int] = mapped_column(default=4)
    daily_goal: Mapped[int | None] = mapped_column(default=None)  # answers a day; None: no goal

    def get_id(self) -> str:
        """What Flask-Login stores in the session and the remember cookie."""
        return f"{self.id}:{self.session_generation}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)


class ApiToken(db.Model):
    """A named bearer token of the JSON API; only its SHA-256 digest is kept."""

    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # the one lookup of every API call
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Card(db.Model):
    """FSRS state of one question for one learner; created on first study."""

    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_card_user_due", "user_id", "due"),  # the due queue
        Index("ix_card_user_last_review", "user_id", "last_review"),  # what was studied today (burying)
        Index("ix_card_user_created_at", "user_id", "created_at"),  # new cards introduced today
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id"))
    state: Mapped[int]
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    # its question's, copied so that queues need no join
    retired: Mapped[bool] = mapped_column(default=False)
    suspended: Mapped[bool] = mapped_column(default=False)
    question: Mapped[Question] = relationship()


class NewCursor(db.Model):
    """Where a learner's new questions of a period resume: every live question placed before it
    (``Question.intro``) has a card.

    Without it, finding the next new question walks everything already studied.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), primary_key=True)
    position: Mapped[int]


class ReviewLog(db.Model):
    """Every answer, kept so that per-learner FSRS parameters can be optimised later."""

    __table_args__ = (Index("ix_review_log_user_reviewed_at", "user_id", "reviewed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    rating: Mapped[int]
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None]
    response: Mapped[str | list | None] = mapped_column(JSON)
    correct: Mapped[bool | None]
    previous: Mapped[dict | None] = mapped_column(JSON)  # the card's state before (None: it was new), for undo


class Quiz(db.Model):
    """An instructor's quiz: items drawn from the bank or written by hand, and its rules."""

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    time_limit_minutes: Mapped[int | None]
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    max_attempts: Mapped[int | None] = mapped_column(default=1)  # None: unlimited
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_choices: Mapped[bool] = mapped_column(default=True)
    feedback: Mapped[str] = mapped_column(String(10), default="submit")  # each, submit, close, never
    pass_mark: Mapped[int] = mapped_column(default=50)  # percent
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # archived: listed apart, no new attempts
    items: Mapped[list[QuizItem]] = relationship(back_populates="quiz", order_by="QuizItem.position",
                                                 cascade="all, delete-orphan")


class QuizItem(db.Model):
    """A question as it stands in the quiz: bank questions are copied in, so reloading the bank changes no quiz."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    points: Mapped[float] = mapped_column(default=1.0)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))
    format: Mapped[str] = mapped_column(String(12))  # choice, multi, truefalse, short, year
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[list] = mapped_column(JSON, default=list)  # correct choices or accepted answers
    explanation: Mapped[str] = mapped_column(Text, default="")
    draw_seed: Mapped[int | None]  # the seed of the random draw that picked it, if any
    version: Mapped[int] = mapped_column(default=1)  # of the content above; earlier ones are QuizItemVersion rows
    quiz: Mapped[Quiz] = relationship(back_populates="items")


class Attempt(db.Model):
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    number: Mapped[int]
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    layout: Mapped[dict] = mapped_column(JSON)  # item order and each item's choice order
    score: Mapped[float | None]
    max_score: Mapped[float | None]
    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    responses: Mapped[list[Response]] = relationship(back_populates="attempt", cascade="all, delete-orphan")


class Response(db.Model):
    __table_args__ = (UniqueConstraint("attempt_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("quiz_item.id"))
    answer: Mapped[str | list | None] = mapped_column(JSON)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    auto_points: Mapped[float] = mapped_column(default=0.0)
    points: Mapped[float] = mapped_column(default=0.0)  # after any override
    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    item: Mapped[QuizItem] = relationship()


class GradeChange(db.Model):
    """An instructor's override of a response's points, kept as a record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    old_points: Mapped[float]
    new_points: Mapped[float]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)


# Per-learner FSRS (issue 15): runs of the optimiser, queued by the account page or the command
class Optimisation(db.Model):
    """One run of the FSRS optimiser for one learner: queued, then run by ``quizapp optimise``, off the request path."""

    __table_args__ = (Index("ix_optimisation_user_requested_at", "user_id", "requested_at"),
                      Index("ix_optimisation_status", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, done, failed
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviews: Mapped[int | None]  # answers on a later day than the card's previous one
    adopted: Mapped[bool] = mapped_column(default=False)  # its parameters became the learner's
    log_loss_before: Mapped[float | None]
    log_loss_after: Mapped[float | None]
    rmse_before: Mapped[float | None]
    rmse_after: Mapped[float | None]
    parameters: Mapped[list | None] = mapped_column(JSON)  # the ones in use after the run (None: the defaults)
    workload: Mapped[list | None] = mapped_column(JSON)  # [retention, reviews/day, minutes/day, memorised] rows
    message: Mapped[str] = mapped_column(Text, default="")


# Instructor editing: an attempt keeps the version of every item it was shown


class QuizItemVersion(db.Model):
    """An item's content as it stood before an edit, kept for the attempts that were shown it."""

    __table_args__ = (UniqueConstraint("item_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("quiz_item.id"))
    number: Mapped[int]
    format: Mapped[str] = mapped_column(String(12))
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float] = mapped_column(default=1.0)
    replaced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)


# Live class games (quizapp/classroom.py, quizapp/views/live.py)


class LiveSession(db.Model):
    """A quiz played live in class: the presenter moves everyone through the items together.

    ``version`` goes up with every change the players see (not with each answer), so that their
    polls can be answered 304 Not Modified from one small read.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    code: Mapped[str] = mapped_column(String(8), unique=True)
    item_order: Mapped[list] = mapped_column(JSON)  # the quiz's item ids as they stood when the game began
    seconds: Mapped[int] = mapped_column(default=20)  # to answer each question
    phase: Mapped[str] = mapped_column(String(12), default="lobby")  # lobby, question, reveal, leaderboard, ended
    position: Mapped[int] = mapped_column(default=-1)  # index into item_order; -1 in the lobby
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    quiz: Mapped[Quiz] = relationship()


class LivePlayer(db.Model):
    """A learner in a live game, with the attempt that keeps their answers."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), unique=True)
    nickname: Mapped[str] = mapped_column(String(40))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LiveAnswer(db.Model):
    """A player's one answer to one item of a live game: its game points, timed by the server."""

    __table_args__ = (UniqueConstraint("player_id", "item_id"), Index("ix_live_answer_session_item", "session_id",
                                                                      "item_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("quiz_item.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), unique=True)
    answer: Mapped[str | list | None] = mapped_column(JSON)
    elapsed_ms: Mapped[int]
    points: Mapped[int]
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# --- problem reports and curation ---


class ProblemReport(db.Model):
    """A learner's report that a question is wrong, kept with what a curator did about it.

    ``question_id`` is the bank question (also for a quiz item copied from the bank); ``quiz_item_id``
    the quiz item it was seen as, if any: an instructor's own item has no bank question.
    """

    __table_args__ = (Index("ix_problem_report_resolved_at", "resolved_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"), index=True)
    quiz_item_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # wrong-answer, two-right, unclear, typo
    comment: Mapped[str] = mapped_column(Text, default="")
    seen_in: Mapped[str] = mapped_column(String(10))  # study, quiz or bank
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[Question | None] = relationship()
    quiz_item: Mapped[QuizItem | None] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

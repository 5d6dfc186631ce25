"""Problem reports, suspended questions and the statistics a curator reads (the data side; views commit).

A suspended question leaves the study queue (its cards carry the flag, as they carry ``retired``) and
random quiz draws; its cards and review history stay. Reloading the bank lifts the suspension of a
question whose text the reload changed: its fact was fixed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, update

from quizapp import analysis, calibration, composing, scheduling
from quizapp.models import Card, ProblemReport, Question, Quiz, QuizItem, ReviewLog, db
from quizapp.scheduling import State

REASONS = {
    "wrong-answer": "The answer given as right is wrong",
    "two-right": "More than one answer is right",
    "unclear": "The question is unclear",
    "typo": "Typo or grammar",
}
PLACES = ("study", "quiz", "bank")
STATISTICS_WINDOW = dt.timedelta(days=365)


def suspend(question: Question, at: dt.datetime) -> None:
    """Take the question out of study and random draws; its cards and history are kept."""
    question.suspended_at = at
    db.session.execute(update(Card).where(Card.question_id == question.id).values(suspended=True))


def lift(question: Question) -> None:
    """Return a suspended question to study and draws."""
    question.suspended_at = None
    db.session.execute(update(Card).where(Card.question_id == question.id).values(suspended=False))


def lift_changed(question_ids: list[int]) -> None:
    """After a reload: questions whose text changed are back (their fact was fixed)."""
    if question_ids:
        db.session.execute(update(Question).where(Question.id.in_(question_ids)).values(suspended_at=None))
        db.session.execute(update(Card).where(Card.question_id.in_(question_ids)).values(suspended=False))


def visible_reports(instructor_id: int):
    """Reports an instructor may curate: every report on a bank question, and those on their own quiz items."""
    own_items = db.select(QuizItem.id).join(Quiz, QuizItem.quiz_id == Quiz.id).where(Quiz.owner_id == instructor_id)
    return db.select(ProblemReport).where(db.or_(ProblemReport.question_id.is_not(None),
                                                 ProblemReport.quiz_item_id.in_(own_items)))


@dataclass
class ReportGroup:
    """The open reports on one question (or one instructor's own quiz item)."""

    question: Question | None
    item: QuizItem | None
    reports: list[ProblemReport] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"q{self.question.id}" if self.question else f"i{self.item.id}"


def open_report_groups(instructor_id: int) -> list[ReportGroup]:
    """Open reports grouped by question, the most reported first."""
    rows = db.session.execute(visible_reports(instructor_id).where(ProblemReport.resolved_at.is_(None))
                              .order_by(ProblemReport.created_at)).scalars().all()
    groups: dict[tuple, ReportGroup] = {}
    for r in rows:
        key = ("q", r.question_id) if r.question_id else ("i", r.quiz_item_id)
        groups.setdefault(key, ReportGroup(r.question, None if r.question_id else r.quiz_item)).reports.append(r)
    return sorted(groups.values(), key=lambda g: (-len(g.reports), g.reports[0].created_at))


def resolved_reports(instructor_id: int, limit: int = 30) -> list[ProblemReport]:
    return db.session.execute(visible_reports(instructor_id).where(ProblemReport.resolved_at.is_not(None))
                              .order_by(ProblemReport.resolved_at.desc()).limit(limit)).scalars().all()


def open_report_counts(question_ids) -> dict[int, int]:
    """How many open reports each of these questions has (for the marks in bank browsers)."""
    ids = list(question_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        db.select(ProblemReport.question_id, func.count()).where(
            ProblemReport.question_id.in_(ids), ProblemReport.resolved_at.is_(None))
        .group_by(ProblemReport.question_id)).all())


def reported_question_ids():
    """A subquery of the questions with an open report: left out of random quiz draws."""
    return db.select(ProblemReport.question_id).where(ProblemReport.question_id.is_not(None),
                                                      ProblemReport.resolved_at.is_(None))


def drawable(query):
    """A query of bank questions less those suspended or with an open report (for random quiz draws)."""
    return query.where(Question.suspended_at.is_(None), Question.id.not_in(reported_question_ids()))


@dataclass
class FlaggedItem:
    quiz: Quiz
    item: QuizItem
    stats: analysis.ItemStats


def flagged_quiz_items(instructor_id: int) -> list[FlaggedItem]:
    """Items of the instructor's quizzes that item analysis flags, over their submitted attempts."""
    found = []
    quizzes = db.session.execute(db.select(Quiz).filter_by(owner_id=instructor_id).order_by(Quiz.id)).scalars()
    for quiz in quizzes:
        attempts = composing.submitted_attempts(quiz)
        if not attempts:
            continue
        data = composing.attempt_results(quiz, attempts)
        items = {i.id: i for i in quiz.items}
        for stats in analysis.analyse(list(items), data):
            if stats.flags:
                found.append(FlaggedItem(quiz, items[stats.item_id], stats))
    return found


def study_answers(now: dt.datetime) -> list[calibration.StudyAnswer]:
    """Every learner's reviews of the last year, with the recall FSRS predicted before each."""
    rows = db.session.execute(
        db.select(Card.question_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.previous,
                  ReviewLog.response, Question.format)
        .join(Card, ReviewLog.card_id == Card.id).join(Question, Card.question_id == Question.id)
        .where(ReviewLog.reviewed_at >= now - STATISTICS_WINDOW, Question.retired.is_(False)))
    answers = []
    for question_id, rating, reviewed_at, previous, response, fmt in rows:
        predicted = None
        if previous and previous.get("state") == State.Review and previous.get("stability") \
                and previous.get("last_review"):
            before = scheduling.CardState(previous["state"], previous.get("step"), previous["stability"],
                                          previous.get("difficulty"), dt.datetime.fromisoformat(previous["due"]),
                                          dt.datetime.fromisoformat(previous["last_review"]))
            predicted = scheduling.retrievability(before, reviewed_at)
        choice = response if fmt == "choice" and isinstance(response, str) else None
        answers.append(calibration.StudyAnswer(question_id, rating > 1, predicted, choice))
    return answers


@dataclass
class UnusualQuestion:
    question: Question
    stats: calibration.QuestionStats


def unusual_questions(now: dt.datetime) -> list[UnusualQuestion]:
    """Study questions whose statistics calibration flags, the most answered first."""
    answers = study_answers(now)
    ids = {a.question_id for a in answers}
    keys = dict(db.session.execute(db.select(Question.id, Question.answer).where(
        Question.id.in_(ids), Question.format == "choice")).all()) if ids else {}
    flagged = [s for s in calibration.question_stats(answers, keys).values() if s.flags]
    questions = {q.id: q for q in db.session.execute(db.select(Question).where(
        Question.id.in_([s.question_id for s in flagged]))).scalars()} if flagged else {}
    found = [UnusualQuestion(questions[s.question_id], s) for s in flagged if s.question_id in questions]
    return sorted(found, key=lambda u: -(u.stats.reviews + sum(u.stats.choices.values())))


def suspended_questions() -> list[Question]:
    return db.session.execute(db.select(Question).where(Question.suspended_at.is_not(None), Question.retired.is_(False))
                              .order_by(Question.suspended_at.desc())).scalars().all()


def report_counts_by_reason(reports: list[ProblemReport]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in reports:
        counts[r.reason] += 1
    return dict(counts)

"""What is done to a whole quiz, or to every attempt at once: duplicating, deleting, accepting an answer
for everyone. Writes through the session; never commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from quizapp import analysis, grading, versions
from quizapp.models import (
    Attempt,
    GradeChange,
    LiveAnswer,
    LivePlayer,
    LiveSession,
    ProblemReport,
    Quiz,
    QuizItem,
    QuizItemVersion,
    Response,
    db,
)
from quizapp.models import Response as QuizResponse

SETTINGS = ("description", "time_limit_minutes", "opens_at", "closes_at", "max_attempts", "shuffle_questions",
            "shuffle_choices", "feedback", "pass_mark")
ITEM_FIELDS = ("position", "points", "question_id", "format", "prompt", "choices", "answers", "explanation",
               "draw_seed")


def duplicate(quiz: Quiz, join_code: str) -> Quiz:
    """A new quiz of the same owner with the same settings and the items as they stand now, and no attempts."""
    copy = Quiz(owner_id=quiz.owner_id, join_code=join_code, title=f"{quiz.title} (copy)"[:200],
                **{name: getattr(quiz, name) for name in SETTINGS})
    copy.items = [QuizItem(**{name: _copied(getattr(item, name)) for name in ITEM_FIELDS}) for item in quiz.items]
    db.session.add(copy)
    db.session.flush()
    return copy


def _copied(value):
    return list(value) if isinstance(value, list) else value


def attempt_counts(quiz: Quiz) -> dict[str, int]:
    """How many attempts (submitted and in progress) and learners a quiz has: what deleting it takes away."""
    row = db.session.execute(select(func.count(Attempt.id), func.count(Attempt.submitted_at),
                                    func.count(func.distinct(Attempt.user_id))).where(Attempt.quiz_id == quiz.id)).one()
    return {"attempts": row[0], "submitted": row[1], "in_progress": row[0] - row[1], "learners": row[2]}


def delete(quiz: Quiz) -> None:
    """Delete a quiz with its items and their versions, its attempts, their responses and grade changes, and its
    live games; problem reports on its items are kept, detached from them."""
    attempts = select(Attempt.id).where(Attempt.quiz_id == quiz.id)
    responses = select(Response.id).where(Response.attempt_id.in_(attempts))
    items = select(QuizItem.id).where(QuizItem.quiz_id == quiz.id)
    games = select(LiveSession.id).where(LiveSession.quiz_id == quiz.id)
    for statement in (sql_delete(LiveAnswer).where(LiveAnswer.session_id.in_(games)),
                      sql_delete(LivePlayer).where(LivePlayer.session_id.in_(games)),
                      sql_delete(LiveSession).where(LiveSession.quiz_id == quiz.id),
                      # a problem report on one of its items stays for the curator, pointing at the bank question
                      update(ProblemReport).where(ProblemReport.quiz_item_id.in_(items)).values(quiz_item_id=None),
                      sql_delete(GradeChange).where(GradeChange.response_id.in_(responses)),
                      sql_delete(Response).where(Response.attempt_id.in_(attempts)),
                      sql_delete(Attempt).where(Attempt.quiz_id == quiz.id),
                      sql_delete(QuizItemVersion).where(QuizItemVersion.item_id.in_(items)),
                      sql_delete(QuizItem).where(QuizItem.quiz_id == quiz.id),
                      sql_delete(Quiz).where(Quiz.id == quiz.id)):
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expunge(quiz)  # with its loaded items: their rows are gone, nothing of them may be written back


class AlreadyAccepted(ValueError):
    """The answer counts as right already."""


def accept_for_everyone(item: QuizItem, answer: str, instructor_id: int, now: dt.datetime) -> int:
    """Add a typed answer to a short-answer item's keys, in every version attempts were shown, and regrade
    every response to it. A response that gains points is recorded as a grade change, as an override is;
    none loses any. Returns how many responses gained points.
    """
    if item.format != "short":
        raise ValueError("Only short-answer questions take typed answers.")
    answer = answer.strip()
    if grading.typed_matches(answer, item.answers):
        raise AlreadyAccepted(f"“{answer}” already counts as right.")
    item.answers = [*item.answers, answer]
    kept = versions.quiz_versions([item.id])
    for version in kept.values():
        if version.format == "short" and not grading.typed_matches(answer, version.answers):
            version.answers = [*version.answers, answer]
    reason = f"Accepted “{answer}” for everyone"
    gained = 0
    responses = db.session.execute(select(Response).where(Response.item_id == item.id)
                                   .options(selectinload(Response.attempt))).scalars().all()
    for response in responses:
        attempt = response.attempt
        number = versions.shown_numbers(attempt).get(item.id, item.version)
        shown = item if number == item.version else kept.get((item.id, number), item)
        if shown.format != "short":
            continue
        points = grading.score("short", shown.answers, response.answer) * shown.points
        if points <= response.auto_points:
            continue
        response.auto_points = points
        if points > response.points:
            db.session.add(GradeChange(response_id=response.id, instructor_id=instructor_id,
                                       old_points=response.points, new_points=points, reason=reason, changed_at=now))
            if attempt.submitted_at is not None:
                attempt.score = (attempt.score or 0.0) + points - response.points
            response.points = points
            gained += 1
    db.session.flush()
    return gained


def submitted_attempts(quiz: Quiz) -> list[Attempt]:
    """The quiz's submitted attempts with their learners (loaded in one more query, not one per attempt)."""
    return db.session.execute(db.select(Attempt).filter_by(quiz_id=quiz.id).where(Attempt.submitted_at.is_not(None))
                              .options(selectinload(Attempt.user))
                              .order_by(Attempt.submitted_at, Attempt.id)).scalars().all()


def submitted_responses(quiz: Quiz) -> dict[int, dict[int, tuple[float, object]]]:
    """Points and answer of every response of the submitted attempts, by attempt and item, as plain rows
    (a big class has tens of thousands: building ORM objects for them took most of the page's time)."""
    rows = db.session.execute(db.select(QuizResponse.attempt_id, QuizResponse.item_id, QuizResponse.points,
                                        QuizResponse.answer).join(Attempt)
                              .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None)))
    out: dict[int, dict[int, tuple[float, object]]] = {}
    for attempt_id, item_id, points, answer in rows:
        out.setdefault(attempt_id, {})[item_id] = (points, answer)
    return out


def attempt_results(quiz: Quiz, attempts: list[Attempt]) -> list[analysis.AttemptResult]:
    """Each attempt's items as it was shown them, with the points earned and the answer given."""
    items = {item.id: item for item in quiz.items}
    kept = versions.quiz_versions(items)
    responses = submitted_responses(quiz)
    made: dict = {}
    out = []
    for a in attempts:
        given = responses.get(a.id, {})
        results = {}
        for shown in versions.shown_items(a, items, kept, made):
            earned, answer = given.get(shown.id, (0.0, None))
            results[shown.id] = analysis.ItemResult(earned, shown.points, answer)
        out.append(analysis.AttemptResult(results))
    return out

"""Results of a quiz: attempts and learners' best, item analysis with its intervals, the CSV, one attempt
answer by answer, grade overrides and accepting a typed answer for everyone.

Routes are on the instructor blueprint (see ``quizapp.views.instructor``). Every attempt is read
in the versions of the items it was shown.
"""

import csv
import io
import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import analysis, composing, versions
from quizapp.composing import attempt_results, submitted_attempts, submitted_responses
from quizapp.forms import AcceptAnswerForm, OverrideForm
from quizapp.models import Attempt, GradeChange, User, db
from quizapp.models import Response as QuizResponse
from quizapp.views.instructor import bp, instructor_required, own_attempt, own_item, own_quiz
from quizapp.views.study import now


@bp.get("/quizzes/<int:quiz_id>/results")
@instructor_required
def results(quiz_id: int):
    """Attempts, scores per learner, and per-question facility, discrimination (with intervals) and wrong answers."""
    quiz = own_quiz(quiz_id)
    attempts = submitted_attempts(quiz)
    in_progress = db.session.execute(db.select(Attempt).filter_by(quiz_id=quiz.id, submitted_at=None)).scalars().all()
    item_stats = {s.item_id: s for s in analysis.analyse([i.id for i in quiz.items], attempt_results(quiz, attempts))}
    learners: dict[int, dict] = {}
    for a in attempts:
        best = learners.setdefault(a.user_id, {"user": a.user, "attempts": 0, "best": None})
        best["attempts"] += 1
        if best["best"] is None or (a.score or 0) > (best["best"].score or 0):
            best["best"] = a
    return render_template("instructor/results.html", quiz=quiz, attempts=attempts, item_stats=item_stats,
                           learners=sorted(learners.values(), key=lambda b: b["user"].email),
                           in_progress=in_progress, accept=AcceptAnswerForm(formdata=None),
                           min_attempts=analysis.MIN_ATTEMPTS)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def spreadsheet_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: one starting like a formula gets a leading apostrophe.

    An account named ``=HYPERLINK(...)`` would otherwise be a live formula on the instructor's
    computer. Plain numbers such as ``-1`` stay numbers.
    """
    text = str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


@bp.get("/quizzes/<int:quiz_id>/results.csv")
@instructor_required
def results_csv(quiz_id: int):
    """Every submitted attempt as a CSV row, with the points of each question."""
    quiz = own_quiz(quiz_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "attempt", "started_utc", "submitted_utc", "score", "max_score", "percent", "passed"]
                    + [f"Q{i}" for i in range(1, len(quiz.items) + 1)])
    responses = submitted_responses(quiz)
    for a in submitted_attempts(quiz):
        points = {item_id: given[0] for item_id, given in responses.get(a.id, {}).items()}
        percent = 100 * (a.score or 0) / a.max_score if a.max_score else 0
        writer.writerow([spreadsheet_cell(cell) for cell in [
            a.user.email, a.number, a.started_at.isoformat(), a.submitted_at.isoformat(), f"{a.score:g}",
            f"{a.max_score:g}", f"{percent:.1f}", "yes" if percent >= quiz.pass_mark else "no",
            *(f"{points.get(i.id, 0):g}" for i in quiz.items)]])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=quiz-{quiz.id}-results.csv"})


@bp.get("/attempts/<int:attempt_id>")
@instructor_required
def attempt(attempt_id: int):
    """One attempt, answer by answer in the versions it was shown, with a form to override each grade."""
    a = own_attempt(attempt_id)
    responses = {r.item_id: r for r in a.responses}
    changes = db.session.execute(db.select(GradeChange).where(GradeChange.response_id.in_(
        [r.id for r in a.responses])).order_by(GradeChange.changed_at, GradeChange.id)).scalars().all()
    return render_template("instructor/attempt.html", attempt=a, quiz=a.quiz, responses=responses,
                           items=versions.shown_items(a), changes=changes, form=OverrideForm(),
                           accept=AcceptAnswerForm(formdata=None), emails={
                               u.id: u.email for u in db.session.execute(db.select(User).where(
                                   User.id.in_({c.instructor_id for c in changes}))).scalars()})


@bp.post("/responses/<int:response_id>/override")
@instructor_required
def override(response_id: int):
    """Change the points of one answer, recording who, when, from what and why."""
    response = db.session.get(QuizResponse, response_id)
    if response is None:
        abort(404)
    a = own_attempt(response.attempt_id)
    shown = next((i for i in versions.shown_items(a) if i.id == response.item_id), None)
    most = shown.points if shown else response.item.points
    form = OverrideForm()
    if not form.validate_on_submit() or form.points.data > most:
        flash(f"Give points from 0 to {most:g} and a reason.", "error")
        return redirect(url_for("instructor.attempt", attempt_id=a.id))
    db.session.add(GradeChange(response_id=response.id, instructor_id=current_user.id, old_points=response.points,
                               new_points=form.points.data, reason=form.reason.data, changed_at=now()))
    response.points = form.points.data
    if a.submitted_at is not None:
        a.score = sum(r.points for r in a.responses)
    db.session.commit()
    flash("Grade changed.")
    return redirect(url_for("instructor.attempt", attempt_id=a.id))


def back(default: str) -> str:
    """Where a form asked to return to: a local path only."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/accept")
@instructor_required
def accept(quiz_id: int, item_id: int):
    """Accept a typed answer for everyone: add it to the item's keys and regrade every attempt."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    form = AcceptAnswerForm()
    destination = back(url_for("instructor.results", quiz_id=quiz.id))
    if not form.validate_on_submit():
        flash("Give the answer to accept (at most 200 characters).", "error")
        return redirect(destination)
    try:
        gained = composing.accept_for_everyone(item, form.answer.data, current_user.id, now())
    except ValueError as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(destination)
    db.session.commit()
    flash(f"“{form.answer.data}” now counts as right for question {item.position + 1}; "
          f"{gained} answer(s) regraded, each recorded as a grade change.")
    return redirect(destination)

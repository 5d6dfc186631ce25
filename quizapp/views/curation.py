"""Reporting a problem with a question, and the curator's view of reports, flagged items and odd statistics.

Any signed-in learner reports a question they can see: a bank question, or a quiz item of an attempt
whose answers they have been shown. The curator view and its actions are for instructors (403 to
learners); a report on an instructor's own quiz item is theirs alone (404 to others).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp import attempts, curation
from quizapp.forms import ActionForm, ReportForm, ResolveForm
from quizapp.models import Attempt, ProblemReport, Question, Quiz, QuizItem, db
from quizapp.security import is_safe_next, limiter
from quizapp.views.instructor import instructor_required
from quizapp.views.study import now

bp = Blueprint("curation", __name__)
REPORT_RATE_LIMIT = "10 per hour; 40 per day"


def reporter_key() -> str:
    """Reports are counted per account (a class shares one address), under this app's namespace."""
    who = current_user.id if current_user.is_authenticated else "anonymous"
    return f"{current_app.config['THROTTLE_NAMESPACE']}/reporter:{who}"


report_limit = limiter.shared_limit(lambda: current_app.config.get("REPORT_RATE_LIMIT", REPORT_RATE_LIMIT),
                                    scope="report", key_func=reporter_key, methods=["POST"],
                                    error_message="You have sent many reports in a short time; thank you! "
                                                  "Please wait a while before sending more.")


def live_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.retired:
        abort(404)
    return question


def back_to(form: ReportForm, fallback: str) -> str:
    target = form.next.data
    return target if is_safe_next(target) else fallback


def place() -> str:
    seen = request.args.get("from", "")
    return seen if seen in curation.PLACES else "bank"


@bp.route("/questions/<int:question_id>/report", methods=["GET", "POST"])
@login_required
@report_limit
def report_question(question_id: int):
    """Report a problem with a bank question (seen in study or the bank)."""
    question = live_question(question_id)
    form = ReportForm(next=request.args.get("next", ""))
    fallback = url_for("study.period", subject_slug=question.period.subject.slug,
                       period_slug=question.period.slug) + f"#q-{question.id}"
    if form.validate_on_submit():
        db.session.add(ProblemReport(question_id=question.id, user_id=current_user.id, reason=form.reason.data,
                                     comment=form.comment.data.strip(), seen_in=place(), created_at=now()))
        db.session.commit()
        flash("Thank you: your report was sent to the curators.")
        return redirect(back_to(form, fallback))
    return render_template("curation/report.html", form=form, prompt=question.prompt, answer=question.answer,
                           action=url_for("curation.report_question", question_id=question.id,
                                          **{"from": place()}),
                           cancel=back_to(form, fallback)), 200 if request.method == "GET" else 400


def seen_item(item_id: int) -> tuple[QuizItem, Attempt | None]:
    """A quiz item the current user may report: its quiz is theirs, or they were shown its answer."""
    item = db.session.get(QuizItem, item_id)
    if item is None:
        abort(404)
    if item.quiz.owner_id == current_user.id:
        return item, None
    for attempt in db.session.execute(db.select(Attempt).filter_by(quiz_id=item.quiz_id, user_id=current_user.id)
                                      .order_by(Attempt.number.desc())).scalars():
        if item.id in attempt.layout.get("order", []) and attempts.feedback_visible(item.quiz, attempt, now()):
            return item, attempt
    abort(404)


@bp.route("/quiz-items/<int:item_id>/report", methods=["GET", "POST"])
@login_required
@report_limit
def report_item(item_id: int):
    """Report a problem with a quiz question, from the quiz review."""
    item, attempt = seen_item(item_id)
    form = ReportForm(next=request.args.get("next", ""))
    fallback = url_for("quizzes.result", attempt_id=attempt.id) if attempt and attempt.submitted_at else \
        url_for("quizzes.landing", code=item.quiz.join_code) if attempt else \
        url_for("instructor.edit", quiz_id=item.quiz_id)
    if form.validate_on_submit():
        question = db.session.get(Question, item.question_id) if item.question_id else None
        db.session.add(ProblemReport(question_id=question.id if question and not question.retired else None,
                                     quiz_item_id=item.id, user_id=current_user.id, reason=form.reason.data,
                                     comment=form.comment.data.strip(), seen_in="quiz", created_at=now()))
        db.session.commit()
        flash("Thank you: your report was sent to the curators.")
        return redirect(back_to(form, fallback))
    return render_template("curation/report.html", form=form, prompt=item.prompt, answer=" / ".join(item.answers),
                           action=url_for("curation.report_item", item_id=item.id), cancel=back_to(form, fallback)), \
        200 if request.method == "GET" else 400


@bp.get("/curate")
@instructor_required
def index():
    """Reported questions, flagged quiz items, study questions with odd statistics, and suspended questions."""
    groups = curation.open_report_groups(current_user.id)
    flagged = curation.flagged_quiz_items(current_user.id)
    ids = {f.item.question_id for f in flagged if f.item.question_id}
    item_questions = {q.id: q for q in db.session.execute(db.select(Question).where(Question.id.in_(ids))).scalars()} \
        if ids else {}
    return render_template("curation/index.html", groups=groups, reasons=curation.REASONS, flagged=flagged,
                           item_questions=item_questions,
                           unusual=curation.unusual_questions(now()),
                           suspended=curation.suspended_questions(),
                           resolved=curation.resolved_reports(current_user.id),
                           form=ResolveForm(), action=ActionForm())


@bp.post("/curate/questions/<int:question_id>/suspend")
@instructor_required
def suspend(question_id: int):
    """Take a question out of study and random quiz draws until its fact is fixed."""
    question = live_question(question_id)
    ActionForm().validate_on_submit() or abort(400, "The form has expired; reload the page and try again.")
    if question.suspended_at is None:
        curation.suspend(question, now())
        db.session.commit()
    flash("Question suspended: it has left study and random quiz draws; cards and history are kept.")
    return redirect(url_for("curation.index") + f"#q{question.id}")


@bp.post("/curate/questions/<int:question_id>/lift")
@instructor_required
def lift(question_id: int):
    """Return a suspended question to study and draws."""
    question = live_question(question_id)
    ActionForm().validate_on_submit() or abort(400, "The form has expired; reload the page and try again.")
    curation.lift(question)
    db.session.commit()
    flash("Suspension lifted: the question is back in study and draws.")
    return redirect(url_for("curation.index"))


def resolve_reports(reports: list[ProblemReport], anchor: str):
    form = ResolveForm()
    if not form.validate_on_submit():
        flash("Say what was done before resolving the reports.", "error")
        return redirect(url_for("curation.index") + f"#{anchor}")
    at = now()
    for r in reports:
        r.resolved_at, r.resolved_by, r.resolution = at, current_user.id, form.resolution.data.strip()
    db.session.commit()
    flash(f"{len(reports)} report(s) resolved.")
    return redirect(url_for("curation.index"))


@bp.post("/curate/questions/<int:question_id>/resolve")
@instructor_required
def resolve_question(question_id: int):
    """Resolve every open report on a bank question, saying what was done."""
    question = db.session.get(Question, question_id) or abort(404)
    reports = db.session.execute(db.select(ProblemReport).filter_by(question_id=question.id, resolved_at=None)) \
        .scalars().all()
    if not reports:
        abort(404)
    return resolve_reports(reports, f"q{question.id}")


@bp.post("/curate/items/<int:item_id>/resolve")
@instructor_required
def resolve_item(item_id: int):
    """Resolve the open reports on one of the instructor's own quiz items."""
    item = db.session.get(QuizItem, item_id)
    if item is None or db.session.get(Quiz, item.quiz_id).owner_id != current_user.id:
        abort(404)
    reports = db.session.execute(db.select(ProblemReport).filter_by(quiz_item_id=item.id, question_id=None,
                                                                    resolved_at=None)).scalars().all()
    if not reports:
        abort(404)
    return resolve_reports(reports, f"i{item.id}")

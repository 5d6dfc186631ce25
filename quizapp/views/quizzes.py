"""Learners taking quizzes: join by code, answer one question per page, see the result."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp import attempts, classroom, versions
from quizapp.forms import ActionForm, JoinForm, QuizResponseForm
from quizapp.models import Attempt, Question, Quiz, Response, db
from quizapp.views.study import now

bp = Blueprint("quizzes", __name__)


def quiz_by_code(code: str) -> Quiz:
    return db.first_or_404(db.select(Quiz).filter_by(join_code=code.upper()))


def own_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    if attempt.submitted_at is None and (code := classroom.game_of(attempt.id)):
        abort(redirect(url_for("live.play", code=code)))  # a live game's attempt moves with the class
    return attempt


def is_over(attempt: Attempt) -> bool:
    """Submitted already, or its time ran out just now (then it is submitted)."""
    return attempt.submitted_at is not None or close_if_late(attempt)


def close_if_late(attempt: Attempt) -> bool:
    """Finish an attempt whose time is up; True if it was."""
    if attempt.submitted_at is None and attempts.is_late(attempt, now()):
        attempts.finish(attempt, now())
        db.session.commit()
        flash("Time is up: your attempt was submitted with the answers given in time.", "error")
        return True
    return False


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    """Enter a join code."""
    form = JoinForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        quiz = db.session.execute(db.select(Quiz).filter_by(join_code=form.code.data.upper())).scalar_one_or_none()
        if quiz:
            return redirect(url_for("quizzes.landing", code=quiz.join_code))
        form.code.errors.append("No quiz has this code.")
    return render_template("quizzes/join.html", form=form), 200 if request.method == "GET" else 400


@bp.get("/q/<code>")
@login_required
def landing(code: str):
    """The quiz's rules, the learner's attempts, and a start (or resume) button."""
    quiz = quiz_by_code(code)
    mine = db.session.execute(db.select(Attempt).filter_by(quiz_id=quiz.id, user_id=current_user.id)
                              .order_by(Attempt.number)).scalars().all()
    current = next((a for a in mine if a.submitted_at is None), None)  # as attempts.open_attempt finds it
    if current and close_if_late(current):
        current = None
    items = attempts.item_count(quiz.id)
    return render_template("quizzes/landing.html", quiz=quiz, mine=mine, current=current, form=ActionForm(),
                           item_count=items, blocked=None if current else attempts.availability(
                               quiz, current_user.id, now(), items=items, used=len(mine)))


@bp.post("/q/<code>/start")
@login_required
def start(code: str):
    """Start an attempt, or resume the unfinished one."""
    quiz = quiz_by_code(code)
    try:
        attempt = attempts.start(quiz, current_user.id, now())
    except attempts.QuizClosed as closed:
        db.session.rollback()  # ends the transaction, and with it the turn taken
        flash(str(closed), "error")
        return redirect(url_for("quizzes.landing", code=quiz.join_code))
    db.session.commit()
    return redirect(url_for("quizzes.question", attempt_id=attempt.id, n=first_unanswered(attempt)))


def first_unanswered(attempt: Attempt) -> int:
    answered = attempts.answered_ids(attempt)
    for n, item_id in enumerate(attempts.item_ids_in_order(attempt), start=1):
        if item_id not in answered:
            return n
    return len(attempt.layout["order"])


def item_at(attempt: Attempt, n: int) -> tuple[versions.ShownItem, list[int]]:
    """Item n of the attempt, and the ids of all its items in order; 404 past either end."""
    order = attempts.item_ids_in_order(attempt)
    if not 1 <= n <= len(order):
        abort(404)
    return versions.shown_item(attempt, order[n - 1]), order  # in the version the attempt was shown


@bp.route("/attempts/<int:attempt_id>/<int:n>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, n: int):
    """Show question n; save its answer (in time) and move on."""
    attempt = own_attempt(attempt_id)
    if request.method == "POST":
        attempts.take_turns(attempt.quiz_id, attempt.user_id)  # a double click must not answer twice at once
        db.session.refresh(attempt)  # as the turn finds it
    if is_over(attempt):
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    item, order = item_at(attempt, n)
    total = len(order)
    quiz = attempt.quiz
    response = db.session.execute(db.select(Response).filter_by(attempt_id=attempt.id, item_id=item.id)) \
        .scalar_one_or_none()
    locked = quiz.feedback == "each" and response is not None
    form = QuizResponseForm()
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        value = form.value(item.format) if valid else None
        if not valid or not attempts.valid_response(item, value):
            flash("That answer could not be read; please answer again.", "error")
            status = 400
        elif locked:
            flash("This answer is already graded and can no longer change.", "error")
            status = 409
        else:
            response = attempts.save(attempt, item, value, now(), response)
            attempt_id, feedback = attempt.id, quiz.feedback  # read before the commit expires them
            db.session.commit()
            if feedback != "each":
                if request.form.get("go") == "finish" or n == total:
                    return redirect(url_for("quizzes.review", attempt_id=attempt_id))
                return redirect(url_for("quizzes.question", attempt_id=attempt_id, n=n + 1))
            locked = True
    return render_template("quizzes/question.html", attempt=attempt, quiz=quiz, item=item, n=n, total=total,
                           choices=attempt.layout["choices"].get(str(item.id), item.choices), response=response,
                           locked=locked, form=form, answered=attempts.answered_ids(attempt), finish=ActionForm(),
                           order=order), status


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    """Before submitting: which questions are answered, and the submit button."""
    attempt = own_attempt(attempt_id)
    if is_over(attempt):
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    return render_template("quizzes/review.html", attempt=attempt, quiz=attempt.quiz,
                           order=attempts.items_in_order(attempt),
                           answered={r.item_id for r in attempt.responses}, form=ActionForm())


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """Submit the attempt (a second submit changes nothing)."""
    attempt = own_attempt(attempt_id)
    attempts.take_turns(attempt.quiz_id, attempt.user_id)
    db.session.refresh(attempt)
    if attempt.submitted_at is None:
        attempts.finish(attempt, now())
        db.session.commit()
    return redirect(url_for("quizzes.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """The score, and the answers with feedback when the quiz's rules allow it."""
    attempt = own_attempt(attempt_id)
    if not is_over(attempt):
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    quiz = attempt.quiz
    percent = 100 * (attempt.score or 0) / attempt.max_score if attempt.max_score else 0
    from_bank = {i.id: i.question_id for i in quiz.items if i.question_id}
    found = {q.id: q for q in db.session.execute(db.select(Question).where(
        Question.id.in_(from_bank.values()), Question.retired.is_(False))).scalars()} if from_bank else {}
    bank_questions = {item_id: found[qid] for item_id, qid in from_bank.items() if qid in found}  # by item
    return render_template("quizzes/result.html", attempt=attempt, quiz=quiz, percent=percent,
                           bank_questions=bank_questions,
                           passed=percent >= quiz.pass_mark,
                           show=attempts.feedback_visible(quiz, attempt, now()),
                           responses={r.item_id: r for r in attempt.responses},
                           order=attempts.items_in_order(attempt))

"""Learners taking quizzes: join by code, answer one question per page, see the result."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from quizapp import attempts, classroom, versions
from quizapp.database import finish_writing
from quizapp.forms import ActionForm, JoinForm, QuizResponseForm
from quizapp.models import Attempt, Question, Quiz, db
from quizapp.views.study import now

bp = Blueprint("quizzes", __name__)


_QUIZ_BY_CODE = select(Quiz).where(Quiz.join_code == bindparam("code"))
_MY_ATTEMPTS = (select(Attempt).where(Attempt.quiz_id == bindparam("quiz"), Attempt.user_id == bindparam("user"))
                .order_by(Attempt.number))


def quiz_by_code(code: str) -> Quiz:
    return db.session.execute(_QUIZ_BY_CODE, {"code": code.upper()}).scalar_one_or_none() or abort(404)


_OWN_ATTEMPT = (select(Attempt, classroom.game_code_of(Attempt.id)).options(joinedload(Attempt.quiz))
                .where(Attempt.id == bindparam("attempt")))


def own_attempt(attempt_id: int) -> Attempt:
    """The learner's own attempt, with its quiz, in one query; 404 for anyone else's."""
    row = db.session.execute(_OWN_ATTEMPT, {"attempt": attempt_id}).first()
    if row is None or row[0].user_id != current_user.id:
        abort(404)
    attempt, code = row
    if attempt.submitted_at is None and code:
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
    mine = db.session.execute(_MY_ATTEMPTS, {"quiz": quiz.id, "user": current_user.id}).scalars().all()
    current = next((a for a in mine if a.submitted_at is None), None)  # as attempts.open_attempt finds it
    if current and close_if_late(current):
        current = None
    items = attempts.item_count(quiz.id)
    return render_template("quizzes/landing.html", quiz=quiz, mine=mine, current=current,
                           item_count=items, blocked=None if current else attempts.availability(
                               quiz, current_user.id, now(), items=items, used=len(mine)))


@bp.post("/q/<code>/start")
@login_required
def start(code: str):
    """Start an attempt, or resume the unfinished one."""
    quiz = quiz_by_code(code)
    try:
        attempt, resumed, laid_out = attempts.start(quiz, current_user.id, now())
    except attempts.QuizClosed as closed:
        db.session.rollback()  # ends the transaction, and with it the turn taken
        flash(str(closed), "error")
        return redirect(url_for("quizzes.landing", code=quiz.join_code))
    if resumed:  # as the question pages would: a live game's attempt moves with the class; one out of time ends
        if code := classroom.game_of(attempt.id):
            db.session.commit()
            return redirect(url_for("live.play", code=code))
        if close_if_late(attempt):  # while the turn is still held
            return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    # a new attempt starts at its first question; a resumed one where its learner left off
    n = first_unanswered(attempt) if resumed else 1
    if request.form.get("then") == "question":  # the landing page's form: the question in this response
        finish_writing()
        # a new attempt: every item was just loaded to lay it out, and none is answered yet
        known = {} if resumed else {"order": attempt.layout["order"], "responses": {}, "items": laid_out}
        return question_page(attempt, n, **known)
    attempt_id = attempt.id
    db.session.commit()
    return redirect(url_for("quizzes.question", attempt_id=attempt_id, n=n))


def first_unanswered(attempt: Attempt) -> int:
    answered = attempts.answered_ids(attempt)
    for n, item_id in enumerate(attempts.item_ids_in_order(attempt), start=1):
        if item_id not in answered:
            return n
    return len(attempt.layout["order"])


def item_at(attempt: Attempt, n: int, order: list[int] | None = None,
            items: tuple = ()) -> tuple[versions.ShownItem, list[int]]:
    """Item n of the attempt, and the ids of all its items in order (``order`` and ``items``, where the caller
    has them); 404 past either end."""
    order = attempts.item_ids_in_order(attempt) if order is None else order
    if not 1 <= n <= len(order):
        abort(404)
    loaded = next((i for i in items if i.id == order[n - 1]), None)
    return versions.shown_item(attempt, order[n - 1], loaded), order  # in the version the attempt was shown


@bp.route("/attempts/<int:attempt_id>/<int:n>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, n: int):
    """Show question n; save its answer (in time) and move on.

    The question page's form asks for the next question in the response itself (``then=next``): one
    round trip an answer fewer than redirecting to it. Without it, the answer is a redirect there."""
    attempt = own_attempt(attempt_id)
    if request.method == "GET":
        return question_page(attempt, n)
    # a double click must not answer twice at once; where the turn was waited for, read the attempt as it finds it
    if attempts.take_turns(attempt.quiz_id, attempt.user_id):
        db.session.refresh(attempt)
    if is_over(attempt):
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    item, order = item_at(attempt, n)
    total = len(order)
    quiz = attempt.quiz
    responses = attempts.responses_of(attempt)
    response = responses.get(item.id)
    locked = quiz.feedback == "each" and response is not None
    form = QuizResponseForm()
    valid = form.validate_on_submit()
    value = form.value(item.format) if valid else None
    if not valid or not attempts.valid_response(item, value):
        flash("That answer could not be read; please answer again.", "error")
        status = 400
    elif locked:
        flash("This answer is already graded and can no longer change.", "error")
        status = 409
    else:
        responses[item.id] = response = attempts.save(attempt, item, value, now(), response, stored=responses)
        moving_on = quiz.feedback != "each"
        if moving_on and request.form.get("go") != "finish" and n < total and request.form.get("then") == "next":
            finish_writing()
            return question_page(attempt, n + 1, order=order, responses=responses)
        if moving_on:
            db.session.commit()
            if request.form.get("go") == "finish" or n == total:
                return redirect(url_for("quizzes.review", attempt_id=attempt_id))
            return redirect(url_for("quizzes.question", attempt_id=attempt_id, n=n + 1))
        finish_writing()  # the answer with its feedback, read without holding the write lock
        locked, status = True, 200
    return render_question(attempt, item, n, order, responses, locked, status)


def question_page(attempt: Attempt, n: int, order: list[int] | None = None, responses: dict | None = None,
                  items: tuple = ()):
    """Question n of the attempt as its page, or the result once the attempt is over (``order``, the ids of its
    items, ``responses``, by item, and its ``items``: where the caller has them already)."""
    if is_over(attempt):
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    item, order = item_at(attempt, n, order, items)
    responses = attempts.responses_of(attempt) if responses is None else responses
    response = responses.get(item.id)
    return render_question(attempt, item, n, order, responses, attempt.quiz.feedback == "each" and response is not None)


def render_question(attempt: Attempt, item: versions.ShownItem, n: int, order: list[int], responses: dict,
                    locked: bool, status: int = 200):
    address = url_for("quizzes.question", attempt_id=attempt.id, n=n)
    return render_template("quizzes/question.html", attempt=attempt, quiz=attempt.quiz, item=item, n=n,
                           total=len(order), choices=attempt.layout["choices"].get(str(item.id), item.choices),
                           response=responses.get(item.id), locked=locked, answered=set(responses), order=order,
                           address=address, question_base=address.rsplit("/", 1)[0]), status


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

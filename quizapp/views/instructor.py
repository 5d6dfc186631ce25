"""Instructors: the blueprint, its guards, and the list of quizzes with what is done to a whole quiz.

The pages are split by concern, all on this blueprint (so every endpoint is ``instructor.*``):
this module has the quiz list, archiving, duplicating and deleting; ``compose`` the editor
(items, bank, settings, preview, exports); ``results`` the attempts, item analysis and grading.
A module that adds pages to a quiz (a live session) imports ``instructor_required`` and
``own_quiz`` from here, and links itself from the quiz's toolbar with a template of its own,
``templates/live/_start.html`` (``templates/instructor/_nav.html`` includes it when it exists).

Every page is 403 to learners, and every quiz is looked up through its owner, so another
instructor's quiz, item, attempt or response is 404.
"""

import functools
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp import composing
from quizapp.forms import ActionForm, DeleteQuizForm
from quizapp.models import Attempt, Quiz, QuizItem, db
from quizapp.views.study import now

bp = Blueprint("instructor", __name__, url_prefix="/teach")
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def instructor_required(view):
    """Log in first; then learners get 403."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, "This page is for instructors.")
        return view(*args, **kwargs)
    return wrapped


def own_quiz(quiz_id: int) -> Quiz:
    """The current instructor's quiz, else 404."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.owner_id != current_user.id:
        abort(404)
    return quiz


def own_item(quiz: Quiz, item_id: int) -> QuizItem:
    """An item of the quiz, else 404."""
    item = db.session.get(QuizItem, item_id)
    if item is None or item.quiz_id != quiz.id:
        abort(404)
    return item


def own_attempt(attempt_id: int) -> Attempt:
    """An attempt at one of the current instructor's quizzes, else 404."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.quiz.owner_id != current_user.id:
        abort(404)
    return attempt


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(8))
        if not db.session.execute(db.select(Quiz.id).filter_by(join_code=code)).first():
            return code


@bp.get("/")
@instructor_required
def index():
    """The instructor's own quizzes; archived ones apart."""
    quizzes = db.session.execute(db.select(Quiz).filter_by(owner_id=current_user.id)
                                 .order_by(Quiz.created_at.desc(), Quiz.id.desc())).scalars().all()
    return render_template("instructor/index.html", quizzes=[q for q in quizzes if q.archived_at is None],
                           archived=[q for q in quizzes if q.archived_at is not None], action=ActionForm())


@bp.post("/quizzes/<int:quiz_id>/archive")
@instructor_required
def archive(quiz_id: int):
    """Archive a quiz (no new attempts; results kept), or bring it back."""
    quiz = own_quiz(quiz_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired; please try again.", "error")
        return redirect(url_for("instructor.index"))
    if quiz.archived_at is None:
        quiz.archived_at = now()
        flash(f"“{quiz.title}” is archived: learners can no longer start it; its results are kept.")
    else:
        quiz.archived_at = None
        flash(f"“{quiz.title}” is back among your quizzes.")
    db.session.commit()
    return redirect(url_for("instructor.index"))


@bp.post("/quizzes/<int:quiz_id>/duplicate")
@instructor_required
def duplicate(quiz_id: int):
    """Copy a quiz's settings and items (not its attempts) into a new quiz with its own join code."""
    quiz = own_quiz(quiz_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired; please try again.", "error")
        return redirect(url_for("instructor.edit", quiz_id=quiz.id))
    copy = composing.duplicate(quiz, new_join_code())
    db.session.commit()
    flash(f"This is a copy of “{quiz.title}”, with its own join code and no attempts.")
    return redirect(url_for("instructor.edit", quiz_id=copy.id))


@bp.route("/quizzes/<int:quiz_id>/delete", methods=["GET", "POST"])
@instructor_required
def delete(quiz_id: int):
    """Ask, then delete a quiz with its items, attempts and grade changes."""
    quiz = own_quiz(quiz_id)
    form = DeleteQuizForm()
    if form.validate_on_submit():
        title = quiz.title
        composing.delete(quiz)
        db.session.commit()
        flash(f"“{title}” is deleted.")
        return redirect(url_for("instructor.index"))
    counts = composing.attempt_counts(quiz)
    return render_template("instructor/delete.html", quiz=quiz, form=form, **counts), \
        200 if request.method == "GET" else 400

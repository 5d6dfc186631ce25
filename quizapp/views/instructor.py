"""Instructors: compose quizzes from the bank and their own questions, share, grade and analyse.

Every page is 403 to learners, and every quiz is looked up through its owner, so
another instructor's quiz, attempt or response is 404.
"""

import csv
import functools
import io
import random
import re
import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_
from wtforms import SelectChoice

from quizapp import analysis, curation, interchange
from quizapp.forms import (
    ActionForm,
    CustomItemForm,
    DrawForm,
    OverrideForm,
    PointsForm,
    QuizSettingsForm,
    lines,
    parse_id,
)
from quizapp.models import Attempt, GradeChange, Period, Question, Quiz, QuizItem, Subject, User, db
from quizapp.models import Response as QuizResponse
from quizapp.views.study import now

bp = Blueprint("instructor", __name__, url_prefix="/teach")
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
BANK_FORMATS = {"choice": "choice", "truefalse": "truefalse", "year": "year", "typed": "short"}


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
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.owner_id != current_user.id:
        abort(404)
    return quiz


def own_item(quiz: Quiz, item_id: int) -> QuizItem:
    item = db.session.get(QuizItem, item_id)
    if item is None or item.quiz_id != quiz.id:
        abort(404)
    return item


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(8))
        if not db.session.execute(db.select(Quiz.id).filter_by(join_code=code)).first():
            return code


def item_from_question(question: Question, position: int, seed: int | None = None) -> QuizItem:
    """Copy a bank question into a quiz, so later bank reloads leave the quiz as it was given."""
    answers = [question.answer, *(question.accept or [])]
    return QuizItem(position=position, points=1.0, question_id=question.id,
                    format=BANK_FORMATS[question.format], prompt=question.prompt,
                    choices=list(question.choices) if question.format in ("choice", "truefalse") else [],
                    answers=answers, explanation=question.explanation, draw_seed=seed)


def same_fact_items(quiz: Quiz) -> dict[int, list[int]]:
    """For each bank item, the numbers of the other items drawn from the same fact (they give each other away)."""
    ids = [i.question_id for i in quiz.items if i.question_id]
    if not ids:
        return {}
    fact_of = dict(db.session.execute(db.select(Question.id, Question.fact_id).where(Question.id.in_(ids))).all())
    by_fact: dict[int, list[QuizItem]] = {}
    for item in quiz.items:
        if item.question_id in fact_of:
            by_fact.setdefault(fact_of[item.question_id], []).append(item)
    return {item.id: [other.position + 1 for other in group if other is not item]
            for group in by_fact.values() if len(group) > 1 for item in group}


def quiz_specs(quiz: Quiz) -> list[interchange.ItemSpec]:
    return [interchange.ItemSpec(name=f"{quiz.title} — Q{i}", format=item.format, prompt=item.prompt,
                                 choices=item.choices, answers=item.answers, explanation=item.explanation,
                                 points=item.points) for i, item in enumerate(quiz.items, start=1)]


def renumber(quiz: Quiz) -> None:
    for position, item in enumerate(quiz.items):
        item.position = position


def apply_settings(quiz: Quiz, form: QuizSettingsForm) -> None:
    quiz.title, quiz.description = form.title.data, form.description.data or ""
    quiz.time_limit_minutes, quiz.max_attempts = form.time_limit_minutes.data, form.max_attempts.data
    quiz.opens_at = form.opens_at.data.replace(tzinfo=now().tzinfo) if form.opens_at.data else None
    quiz.closes_at = form.closes_at.data.replace(tzinfo=now().tzinfo) if form.closes_at.data else None
    quiz.shuffle_questions, quiz.shuffle_choices = form.shuffle_questions.data, form.shuffle_choices.data
    quiz.feedback, quiz.pass_mark = form.feedback.data, form.pass_mark.data


@bp.get("/")
@instructor_required
def index():
    """The instructor's own quizzes."""
    quizzes = db.session.execute(db.select(Quiz).filter_by(owner_id=current_user.id)
                                 .order_by(Quiz.created_at.desc())).scalars().all()
    return render_template("instructor/index.html", quizzes=quizzes)


@bp.route("/quizzes/new", methods=["GET", "POST"])
@instructor_required
def new_quiz():
    """Create a quiz with its rules; questions are added next."""
    form = QuizSettingsForm(pass_mark=50, shuffle_choices=True, max_attempts=1, feedback="submit")
    if form.validate_on_submit():
        quiz = Quiz(owner_id=current_user.id, join_code=new_join_code(), title=form.title.data)
        apply_settings(quiz, form)
        db.session.add(quiz)
        db.session.commit()
        return redirect(url_for("instructor.edit", quiz_id=quiz.id))
    return render_template("instructor/settings.html", form=form, quiz=None), 200 if request.method == "GET" else 400


@bp.route("/quizzes/<int:quiz_id>/settings", methods=["GET", "POST"])
@instructor_required
def settings(quiz_id: int):
    """Change a quiz's title and rules."""
    quiz = own_quiz(quiz_id)
    form = QuizSettingsForm(obj=quiz)
    if request.method == "GET":
        form.opens_at.data = quiz.opens_at.replace(tzinfo=None) if quiz.opens_at else None
        form.closes_at.data = quiz.closes_at.replace(tzinfo=None) if quiz.closes_at else None
    if form.validate_on_submit():
        apply_settings(quiz, form)
        db.session.commit()
        flash("Settings saved.")
        return redirect(url_for("instructor.edit", quiz_id=quiz.id))
    return render_template("instructor/settings.html", form=form, quiz=quiz), 200 if request.method == "GET" else 400


def draw_form() -> DrawForm:
    form = DrawForm()
    periods = db.session.execute(db.select(Period, Subject.title).join(Subject)
                                 .order_by(Subject.title, Period.position)).all()
    form.period.choices = [SelectChoice(str(p.id), p.title) for p, _ in periods]
    return form


def render_edit(quiz: Quiz, draw: DrawForm | None = None, custom: CustomItemForm | None = None):
    """The edit page, with a rejected form (and its messages) in place of a blank one."""
    return render_template("instructor/edit.html", quiz=quiz, draw=draw or draw_form(),
                           custom=custom or CustomItemForm(), action=ActionForm(), clashes=same_fact_items(quiz))


@bp.get("/quizzes/<int:quiz_id>")
@instructor_required
def edit(quiz_id: int):
    """The quiz's items, with the tools to add, reorder, reweigh and remove them."""
    return render_edit(own_quiz(quiz_id))


@bp.post("/quizzes/<int:quiz_id>/draw")
@instructor_required
def draw(quiz_id: int):
    """Add questions drawn at random from a period (and kind), recording the seed."""
    quiz = own_quiz(quiz_id)
    form = draw_form()
    if not form.validate_on_submit():
        return render_edit(quiz, draw=form), 400
    taken = {i.question_id for i in quiz.items if i.question_id}
    query = db.select(Question).where(Question.period_id == int(form.period.data), Question.retired.is_(False),
                                      Question.format.in_(BANK_FORMATS)).order_by(Question.id)
    if form.kind.data != "any":
        query = query.where(Question.kind == form.kind.data)
    query = curation.drawable(query)  # no suspended or reported question is drawn
    taken_facts = set(db.session.execute(db.select(Question.fact_id).where(Question.id.in_(taken))).scalars())
    pool = [q for q in db.session.execute(query).scalars() if q.id not in taken and q.fact_id not in taken_facts]
    seed = form.seed.data if form.seed.data is not None else secrets.randbelow(2**31)
    chosen = []  # one question per fact: two of one fact give each other away
    for q in random.Random(seed).sample(pool, len(pool)):
        if len(chosen) == form.count.data:
            break
        if q.fact_id not in taken_facts:
            taken_facts.add(q.fact_id)
            chosen.append(q)
    for q in chosen:
        quiz.items.append(item_from_question(q, len(quiz.items), seed))
    db.session.commit()
    if len(chosen) < form.count.data:
        flash(f"Only {len(chosen)} matching questions were left to draw (seed {seed}).", "error")
    else:
        flash(f"Drew {len(chosen)} questions (seed {seed}).")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.get("/quizzes/<int:quiz_id>/bank")
@instructor_required
def bank(quiz_id: int):
    """Search the bank by words, period and kind, to hand-pick questions."""
    quiz = own_quiz(quiz_id)
    text = request.args.get("q", "").strip()[:200]
    period, kind = request.args.get("period", ""), request.args.get("kind", "")
    query = db.select(Question).where(Question.retired.is_(False), Question.format.in_(BANK_FORMATS))
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Question.prompt.ilike(pattern), Question.explanation.ilike(pattern)))
    if parse_id(period) is not None:
        query = query.where(Question.period_id == parse_id(period))
    if kind:
        query = query.where(Question.kind == kind)
    results = db.session.execute(query.order_by(Question.id).limit(100)).scalars().all()
    taken = {i.question_id for i in quiz.items}
    return render_template("instructor/bank.html", quiz=quiz, results=results, taken=taken, text=text,
                           reported=curation.open_report_counts(q.id for q in results),
                           period=period, kind=kind, draw=draw_form(), action=ActionForm())


@bp.post("/quizzes/<int:quiz_id>/bank")
@instructor_required
def add_from_bank(quiz_id: int):
    """Add the hand-picked questions."""
    quiz = own_quiz(quiz_id)
    ActionForm().validate_on_submit()
    ids = [i for i in map(parse_id, request.form.getlist("question")) if i is not None][:100]
    taken = {i.question_id for i in quiz.items}
    added = 0
    for qid in ids:
        question = db.session.get(Question, qid)
        if question and not question.retired and question.suspended_at is None and question.format in BANK_FORMATS \
                and qid not in taken:
            quiz.items.append(item_from_question(question, len(quiz.items)))
            taken.add(qid)
            added += 1
    db.session.commit()
    flash(f"Added {added} question(s)." if added else "No question was selected.", None if added else "error")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/items")
@instructor_required
def add_custom(quiz_id: int):
    """Add the instructor's own question."""
    quiz = own_quiz(quiz_id)
    form = CustomItemForm()
    if not form.validate_on_submit():
        return render_edit(quiz, custom=form), 400
    fmt = form.format.data
    choices = lines(form.choices.data) if fmt in ("choice", "multi") else \
        ["True", "False"] if fmt == "truefalse" else []
    quiz.items.append(QuizItem(position=len(quiz.items), points=form.points.data, format=fmt,
                               prompt=form.prompt.data.strip(), choices=choices, answers=lines(form.answers.data),
                               explanation=(form.explanation.data or "").strip()))
    db.session.commit()
    flash("Question added.")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/move/<direction>")
@instructor_required
def move(quiz_id: int, item_id: int, direction: str):
    """Move an item up or down."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    items = list(quiz.items)
    i = items.index(item)
    j = i - 1 if direction == "up" else i + 1 if direction == "down" else abort(404)
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        for position, it in enumerate(items):
            it.position = position
        db.session.commit()
    return redirect(url_for("instructor.edit", quiz_id=quiz.id) + f"#item-{item.id}")


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/delete")
@instructor_required
def remove(quiz_id: int, item_id: int):
    """Remove an item (not allowed once learners have answered it)."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    if db.session.execute(db.select(QuizResponse.id).filter_by(item_id=item.id)).first():
        flash("Learners have answered this question; it can no longer be removed.", "error")
    else:
        quiz.items.remove(item)
        renumber(quiz)
        db.session.commit()
        flash("Question removed.")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/points")
@instructor_required
def set_points(quiz_id: int, item_id: int):
    """Change an item's points."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    form = PointsForm()
    if form.validate_on_submit():
        item.points = form.points.data
        db.session.commit()
        flash("Points saved.")
    else:
        flash("Points must be a number from 0.5 to 100.", "error")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id) + f"#item-{item.id}")


def submitted_attempts(quiz: Quiz) -> list[Attempt]:
    return db.session.execute(db.select(Attempt).filter_by(quiz_id=quiz.id).where(Attempt.submitted_at.is_not(None))
                              .order_by(Attempt.submitted_at)).scalars().all()


@bp.get("/quizzes/<int:quiz_id>/results")
@instructor_required
def results(quiz_id: int):
    """Attempts, scores per learner, and per-question facility, discrimination and wrong answers."""
    quiz = own_quiz(quiz_id)
    attempts = submitted_attempts(quiz)
    in_progress = db.session.execute(db.select(Attempt).filter_by(quiz_id=quiz.id, submitted_at=None)).scalars().all()
    data = [analysis.AttemptResult(
        total=(a.score or 0) / a.max_score if a.max_score else 0.0,
        items={r.item_id: (r.points / r.item.points if r.item.points else 0.0, r.answer) for r in a.responses})
        for a in attempts]
    item_stats = {s.item_id: s for s in analysis.analyse([i.id for i in quiz.items], data)}
    learners: dict[int, dict] = {}
    for a in attempts:
        best = learners.setdefault(a.user_id, {"user": a.user, "attempts": 0, "best": None})
        best["attempts"] += 1
        if best["best"] is None or (a.score or 0) > (best["best"].score or 0):
            best["best"] = a
    return render_template("instructor/results.html", quiz=quiz, attempts=attempts, item_stats=item_stats,
                           learners=sorted(learners.values(), key=lambda b: b["user"].email),
                           in_progress=in_progress)


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
    for a in submitted_attempts(quiz):
        points = {r.item_id: r.points for r in a.responses}
        percent = 100 * (a.score or 0) / a.max_score if a.max_score else 0
        writer.writerow([spreadsheet_cell(cell) for cell in [
            a.user.email, a.number, a.started_at.isoformat(), a.submitted_at.isoformat(), f"{a.score:g}",
            f"{a.max_score:g}", f"{percent:.1f}", "yes" if percent >= quiz.pass_mark else "no",
            *(f"{points.get(i.id, 0):g}" for i in quiz.items)]])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=quiz-{quiz.id}-results.csv"})


@bp.get("/quizzes/<int:quiz_id>/moodle.xml")
@instructor_required
def moodle_xml(quiz_id: int):
    """The quiz as a Moodle XML question file."""
    quiz = own_quiz(quiz_id)
    return Response(interchange.moodle_xml(f"quizapp/{quiz.title}", quiz_specs(quiz)), mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename=quiz-{quiz.id}-moodle.xml"})


@bp.get("/quizzes/<int:quiz_id>/quiz.gift")
@instructor_required
def gift(quiz_id: int):
    """The quiz in GIFT format."""
    quiz = own_quiz(quiz_id)
    return Response(interchange.gift(quiz_specs(quiz)), mimetype="text/plain",
                    headers={"Content-Disposition": f"attachment; filename=quiz-{quiz.id}.gift.txt"})


@bp.get("/quizzes/<int:quiz_id>/print")
@instructor_required
def printable(quiz_id: int):
    """A printable copy of the quiz, with an answer key on the last page."""
    return render_template("instructor/print.html", quiz=own_quiz(quiz_id))


def own_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.quiz.owner_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/attempts/<int:attempt_id>")
@instructor_required
def attempt(attempt_id: int):
    """One attempt, answer by answer, with a form to override each grade."""
    a = own_attempt(attempt_id)
    responses = {r.item_id: r for r in a.responses}
    changes = db.session.execute(db.select(GradeChange).where(GradeChange.response_id.in_(
        [r.id for r in a.responses])).order_by(GradeChange.changed_at)).scalars().all()
    return render_template("instructor/attempt.html", attempt=a, quiz=a.quiz, responses=responses,
                           changes=changes, form=OverrideForm(), emails={
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
    form = OverrideForm()
    if not form.validate_on_submit() or form.points.data > response.item.points:
        flash(f"Give points from 0 to {response.item.points:g} and a reason.", "error")
        return redirect(url_for("instructor.attempt", attempt_id=a.id))
    db.session.add(GradeChange(response_id=response.id, instructor_id=current_user.id, old_points=response.points,
                               new_points=form.points.data, reason=form.reason.data, changed_at=now()))
    response.points = form.points.data
    a.score = sum(r.points for r in a.responses)
    db.session.commit()
    flash("Grade changed.")
    return redirect(url_for("instructor.attempt", attempt_id=a.id))

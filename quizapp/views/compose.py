"""Composing a quiz: settings, the editor (draw, hand-pick, write, edit, reorder, reweigh, remove items),
a learner's-eye preview that records nothing, and the exports of the questions.

Routes are on the instructor blueprint (see ``quizapp.views.instructor``).
"""

import random
import secrets

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_
from wtforms import SelectChoice

from quizapp import curation, grading, interchange, localtime, overlap, versions
from quizapp.attempts import valid_response
from quizapp.forms import (
    ActionForm,
    CustomItemForm,
    DrawForm,
    PointsForm,
    QuizResponseForm,
    QuizSettingsForm,
    lines,
    parse_id,
)
from quizapp.models import Attempt, Period, Question, Quiz, QuizItem, Subject, db
from quizapp.views.instructor import bp, instructor_required, new_join_code, own_item, own_quiz
from quizapp.views.study import now

BANK_FORMATS = {"choice": "choice", "truefalse": "truefalse", "year": "year", "typed": "short"}


def bank_answers(question: Question) -> list[str]:
    """A bank question's key and the other answers it accepts, as a quiz item holds them."""
    return [question.answer, *(question.accept or [])]


def overlap_candidate(question: Question, number: int) -> overlap.Item:
    return overlap.Item(number, question.prompt, tuple(bank_answers(question)), BANK_FORMATS[question.format],
                        question.fact_id)


def item_from_question(question: Question, position: int, seed: int | None = None) -> QuizItem:
    """Copy a bank question into a quiz, so later bank reloads leave the quiz as it was given."""
    answers = bank_answers(question)
    return QuizItem(position=position, points=1.0, question_id=question.id,
                    format=BANK_FORMATS[question.format], prompt=question.prompt,
                    choices=list(question.choices) if question.format in ("choice", "truefalse") else [],
                    answers=answers, explanation=question.explanation, draw_seed=seed)


def facts_of(quiz: Quiz) -> dict[int, list[QuizItem]]:
    """The quiz's bank items grouped by the fact they come from."""
    ids = [i.question_id for i in quiz.items if i.question_id]
    if not ids:
        return {}
    fact_of = dict(db.session.execute(db.select(Question.id, Question.fact_id).where(Question.id.in_(ids))).all())
    by_fact: dict[int, list[QuizItem]] = {}
    for item in quiz.items:
        if item.question_id in fact_of:
            by_fact.setdefault(fact_of[item.question_id], []).append(item)
    return by_fact


def overlap_items(quiz: Quiz) -> list[overlap.Item]:
    fact_of = {item.id: fact for fact, group in facts_of(quiz).items() for item in group}
    return [overlap.Item(item.position + 1, item.prompt, tuple(item.answers), item.format, fact_of.get(item.id))
            for item in quiz.items]


def item_clashes(quiz: Quiz) -> dict[int, list[str]]:
    """For each item, why it may give away or be given away by others: same fact, same answer, or wording
    that names another item's answer."""
    by_number = overlap.clashes(overlap_items(quiz))
    return {item.id: by_number[item.position + 1] for item in quiz.items}


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
    zone = localtime.zone(current_user.time_zone)  # times are typed in the instructor's own zone
    quiz.opens_at = localtime.from_wall_clock(form.opens_at.data, zone) if form.opens_at.data else None
    quiz.closes_at = localtime.from_wall_clock(form.closes_at.data, zone) if form.closes_at.data else None
    quiz.shuffle_questions, quiz.shuffle_choices = form.shuffle_questions.data, form.shuffle_choices.data
    quiz.feedback, quiz.pass_mark = form.feedback.data, form.pass_mark.data


def item_content(form: CustomItemForm) -> dict:
    """An item's content from a validated item form."""
    fmt = form.format.data
    choices = lines(form.choices.data) if fmt in ("choice", "multi") else \
        ["True", "False"] if fmt == "truefalse" else []
    return {"format": fmt, "prompt": form.prompt.data.strip(), "choices": choices, "answers": lines(form.answers.data),
            "explanation": (form.explanation.data or "").strip(), "points": form.points.data}


def item_form(item: QuizItem) -> CustomItemForm:
    """The form that edits an item in place, filled with its content."""
    return CustomItemForm(formdata=None, prefix=f"item-{item.id}", format=item.format, prompt=item.prompt,
                          choices="\n".join(item.choices) if item.format in ("choice", "multi") else "",
                          answers="\n".join(item.answers), explanation=item.explanation, points=item.points)


def shown_to_attempts(quiz: Quiz) -> set[int]:
    """The ids of the items that some attempt has been shown."""
    layouts = db.session.execute(db.select(Attempt.layout).filter_by(quiz_id=quiz.id)).scalars()
    return {item_id for layout in layouts for item_id in layout["order"]}


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
        zone = localtime.zone(current_user.time_zone)
        form.opens_at.data = localtime.to_wall_clock(quiz.opens_at, zone) if quiz.opens_at else None
        form.closes_at.data = localtime.to_wall_clock(quiz.closes_at, zone) if quiz.closes_at else None
    if form.validate_on_submit():
        apply_settings(quiz, form)
        db.session.commit()
        flash("Settings saved.")
        return redirect(url_for("instructor.edit", quiz_id=quiz.id))
    return render_template("instructor/settings.html", form=form, quiz=quiz), 200 if request.method == "GET" else 400


def draw_form(**kwargs) -> DrawForm:
    form = DrawForm(**kwargs)
    periods = db.session.execute(db.select(Period, Subject.title).join(Subject)
                                 .order_by(Subject.title, Period.position)).all()
    form.period.choices = [SelectChoice(str(p.id), p.title) for p, _ in periods]
    return form


def render_edit(quiz: Quiz, draw: DrawForm | None = None, custom: CustomItemForm | None = None,
                editing: tuple[int, CustomItemForm] | None = None):
    """The edit page, with a rejected form (and its messages) in place of a blank one."""
    forms = {item.id: item_form(item) for item in quiz.items}
    if editing:
        forms[editing[0]] = editing[1]
    return render_template("instructor/edit.html", quiz=quiz, draw=draw or draw_form(formdata=None),
                           custom=custom or CustomItemForm(formdata=None),
                           action=ActionForm(), clashes=item_clashes(quiz), item_forms=forms,
                           editing=editing[0] if editing else None)


@bp.get("/quizzes/<int:quiz_id>")
@instructor_required
def edit(quiz_id: int):
    """The quiz's items, right answers marked, with the tools to add, edit, reorder, reweigh and remove them."""
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
    chosen = []  # one question per fact, none that shares its answer with another or names it
    present = overlap_items(quiz)
    common = overlap.commonplaces(present + [overlap_candidate(q, 0) for q in pool])
    for q in random.Random(seed).sample(pool, len(pool)):
        if len(chosen) == form.count.data:
            break
        candidate = overlap_candidate(q, len(present) + 1)
        if q.fact_id not in taken_facts and not overlap.clashes_with(candidate, present, common):
            taken_facts.add(q.fact_id)
            chosen.append(q)
            present.append(candidate)
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
    fact_items = {fact: [i.position + 1 for i in group] for fact, group in facts_of(quiz).items()}
    return render_template("instructor/bank.html", quiz=quiz, results=results, taken=taken, text=text,
                           reported=curation.open_report_counts(q.id for q in results),
                           period=period, kind=kind, draw=draw_form(), action=ActionForm(), fact_items=fact_items)


def warn_of_clashes(quiz: Quiz, added: list[QuizItem]) -> None:
    """Flash a warning for each added item that may give away, or be given away by, another item."""
    clashes = item_clashes(quiz)
    for item in added:
        if clashes.get(item.id):
            flash(f"Question {item.position + 1}: {'; '.join(clashes[item.id])}. They may give each other away.",
                  "warning")


@bp.post("/quizzes/<int:quiz_id>/bank")
@instructor_required
def add_from_bank(quiz_id: int):
    """Add the hand-picked questions, warning of any that share a fact with another item."""
    quiz = own_quiz(quiz_id)
    ActionForm().validate_on_submit()
    ids = [i for i in map(parse_id, request.form.getlist("question")) if i is not None][:100]
    taken = {i.question_id for i in quiz.items}
    added = []
    for qid in ids:
        question = db.session.get(Question, qid)
        if question and not question.retired and question.suspended_at is None and question.format in BANK_FORMATS \
                and qid not in taken:
            added.append(item_from_question(question, len(quiz.items)))
            quiz.items.append(added[-1])
            taken.add(qid)
    db.session.commit()
    flash(f"Added {len(added)} question(s)." if added else "No question was selected.", None if added else "error")
    warn_of_clashes(quiz, added)
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/items")
@instructor_required
def add_custom(quiz_id: int):
    """Add the instructor's own question."""
    quiz = own_quiz(quiz_id)
    form = CustomItemForm()
    if not form.validate_on_submit():
        return render_edit(quiz, custom=form), 400
    quiz.items.append(QuizItem(position=len(quiz.items), **item_content(form)))
    db.session.commit()
    flash("Question added.")
    warn_of_clashes(quiz, [quiz.items[-1]])
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/edit")
@instructor_required
def edit_item(quiz_id: int, item_id: int):
    """Change an item's prompt, choices, keys, explanation or points; attempts already shown it keep theirs."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    form = CustomItemForm(prefix=f"item-{item.id}")
    if not form.validate_on_submit():
        return render_edit(quiz, editing=(item.id, form)), 400
    if versions.edit(item, now(), **item_content(form)):
        db.session.commit()
        flash(f"Question {item.position + 1} saved. Attempts already started keep the version they were shown.")
    else:
        flash(f"Question {item.position + 1} is unchanged.")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id) + f"#item-{item.id}")


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
    """Remove an item (not once an attempt has been shown it: its score counts it)."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    if item.id in shown_to_attempts(quiz):
        flash("Learners have been shown this question; it can no longer be removed (edit it instead).", "error")
    else:
        quiz.items.remove(item)
        renumber(quiz)
        db.session.commit()
        flash("Question removed.")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/points")
@instructor_required
def set_points(quiz_id: int, item_id: int):
    """Change an item's points (attempts already started keep the points they were shown)."""
    quiz = own_quiz(quiz_id)
    item = own_item(quiz, item_id)
    form = PointsForm()
    if form.validate_on_submit():
        versions.edit(item, now(), points=form.points.data)
        db.session.commit()
        flash("Points saved.")
    else:
        flash("Points must be a number from 0.5 to 100.", "error")
    return redirect(url_for("instructor.edit", quiz_id=quiz.id) + f"#item-{item.id}")


@bp.route("/quizzes/<int:quiz_id>/preview/<int:n>", methods=["GET", "POST"])
@instructor_required
def preview(quiz_id: int, n: int):
    """Question n as a learner sees it; an answer is checked and shown with the key, and nothing is stored."""
    quiz = own_quiz(quiz_id)
    if not 1 <= n <= len(quiz.items):
        abort(404)
    item = versions.current(quiz.items[n - 1])
    choices = list(item.choices)
    if quiz.shuffle_choices and item.format in ("choice", "multi"):
        random.Random(secrets.randbits(32)).shuffle(choices)
    form = QuizResponseForm()
    given, share, status = None, None, 200
    if request.method == "POST":
        value = form.value(item.format) if form.validate_on_submit() else None
        if value in (None, []) or not valid_response(item, value):
            flash("That answer could not be read; please answer again.", "error")
            status = 400
        else:
            given, share = value, grading.score(item.format, item.answers, value)
    return render_template("instructor/preview.html", quiz=quiz, item=item, n=n, total=len(quiz.items),
                           choices=choices, form=form, given=given, share=share), status


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

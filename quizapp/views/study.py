"""Self-study: the decks, the review loop (answer, reveal, grade), undo and the bank pages."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import func

from quizapp import answer_tokens, charts, curation, learning, presenting, stats, summary
from quizapp.database import begin_writing, end_writing, finish_writing, writes_late
from quizapp.forms import AnswerForm, GradeForm
from quizapp.learning import Deck, DeckCounts, DuplicateReview, StaleCard
from quizapp.models import Fact, Period, Question, Subject, db
from quizapp.scheduling import Rating
from quizapp.views import home

bp = Blueprint("study", __name__)


def now():
    return current_app.config["CLOCK"]()


def resolve_deck(subject_slug: str, deck_slug: str) -> tuple[learning.SubjectHeading, Deck]:
    """A subject's period, or "all" of its periods, with the subject's heading for the page (one query);
    404 for anything else."""
    return learning.find_deck_of_subject(subject_slug, deck_slug) or abort(404)


def shown_counts(form: AnswerForm) -> DeckCounts | None:
    """The counts the question page showed, sent back with the answer: the reveal shows them again, as
    nothing is recorded before the grade."""
    value = form.counts.data
    return DeckCounts(*map(int, value.split("."))) if value else None


def timelines(subject: Subject) -> dict[int, dict]:
    """Each period's dated facts as points on a time axis."""
    facts = db.session.execute(db.select(Fact).filter_by(subject_id=subject.id, retired=False)
                               .where(Fact.date != "")).scalars().all()
    by_period: dict[int, list[Fact]] = {}
    for fact in facts:
        by_period.setdefault(fact.period_id, []).append(fact)
    return {p.id: charts.timeline([(f.date, f.event) for f in by_period.get(p.id, [])], p.start_year, p.end_year)
            for p in subject.periods}


@bp.get("/")
def index():
    """The landing page for a visitor; a learner's decks."""
    if not current_user.is_authenticated:
        return home.landing()
    return decks()


@bp.get("/decks")
def decks():
    """The decks: with today's counts and progress for a learner, and a timeline of each period."""
    subjects = db.session.execute(db.select(Subject).order_by(Subject.title)).scalars().all()
    fact_counts = dict(db.session.execute(
        db.select(Fact.period_id, func.count()).filter_by(retired=False).group_by(Fact.period_id)).all())
    question_counts = dict(db.session.execute(
        db.select(Question.period_id, func.count()).filter_by(retired=False).group_by(Question.period_id)).all())
    deck_counts, deck_progress, day = {}, {}, None
    if current_user.is_authenticated:
        day = {"goal": summary.goal(current_user, now()), "streak": summary.streak(current_user, now())}
        today = learning.Today(current_user, now())
        for s in subjects:
            for key, deck in [("all", Deck.of(s))] + [(p.slug, Deck.of(s, p)) for p in s.periods]:
                deck_counts[s.id, key] = learning.Queue(today, deck).counts()
                deck_progress[s.id, key] = learning.progress(current_user, deck)
    return render_template("study/index.html", subjects=subjects, fact_counts=fact_counts,
                           question_counts=question_counts, deck_counts=deck_counts, deck_progress=deck_progress,
                           day=day,
                           timelines={s.id: timelines(s) for s in subjects})


@bp.get("/study/<subject_slug>/<deck_slug>")
@login_required
def review(subject_slug: str, deck_slug: str):
    """Show the next card of the deck, or say when to come back."""
    return next_card_page(*resolve_deck(subject_slug, deck_slug), deck_slug)


def next_card_page(subject: learning.SubjectHeading, deck: Deck, deck_slug: str):
    """The deck's next card, or when to come back; its address is the deck's study page, wherever it is sent
    from (study.js puts that address in the address bar)."""
    at = now()
    undone = session.pop("undone_question", None)
    picked = None
    if undone:
        question = db.session.get(Question, undone)
        if question and question.subject_id == subject.id and not question.retired:
            picked = learning.pick_of(current_user, question.id)
    queue = learning.Queue(learning.Today(current_user, at), deck)
    picked = picked or queue.next_card()
    counts = queue.counts()
    address = url_for("study.review", subject_slug=subject.slug, deck_slug=deck_slug)
    if picked is None:
        return render_template("study/done.html", subject=subject, deck=deck, title=deck.title, address=address,
                               deck_slug=deck_slug, counts=counts, session=summary.last_session(current_user, deck, at),
                               streak=summary.streak(current_user, at), goal=summary.goal(current_user, at),
                               next_due=learning.next_due_at(current_user, deck))
    question, card = db.session.get(Question, picked.question_id), picked.card
    token = answer_tokens.issue(current_app.config["SECRET_KEY"], current_user.id, question.id, picked.reps)
    return render_template("study/question.html", subject=subject, deck=deck, deck_slug=deck_slug,
                           title=deck.title, question=question, card=card, token=token, counts=counts, address=address,
                           choices=learning.shuffled_choices(
                               question.choices, question.answer if question.format == "order" else None))


def question_in_deck(question_id: int, subject_slug: str, deck_slug: str) -> Question:
    return learning.find_question(question_id, subject_slug, deck_slug) or abort(404)


@bp.post("/study/<subject_slug>/<deck_slug>/answer")
@login_required
@writes_late  # it only reads (the grade writes): no write lock to wait for, and none to hold
def answer(subject_slug: str, deck_slug: str):
    """Check the response and reveal the answer with the grade FSRS suggests."""
    subject, deck = resolve_deck(subject_slug, deck_slug)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("That answer could not be read; here is the card again.", "error")
        return redirect(url_for("study.review", subject_slug=subject_slug, deck_slug=deck_slug))
    question = question_in_deck(form.question_id.data, subject_slug, deck_slug)
    result = learning.check(question, form.response_value(question.format))
    state = learning.card_of(current_user, question.id)
    at = now()
    responses = result.response if isinstance(result.response, list) else \
        [result.response] if result.response is not None else []
    return render_template("study/reveal.html", subject=subject, deck=deck, deck_slug=deck_slug,
                           title=deck.title, question=question, result=result, token=form.token.data,
                           elapsed_ms=form.elapsed_ms.data, responses=responses,
                           notes=presenting.answer_notes(question.kind, question.prompt, question.answer,
                                                         question.explanation),
                           intervals=learning.intervals(current_user, state, at), ratings=list(Rating),
                           counts=shown_counts(form) or learning.Queue(learning.Today(current_user, at), deck).counts())


@bp.post("/study/<subject_slug>/<deck_slug>/review")
@login_required
@writes_late
def grade(subject_slug: str, deck_slug: str):
    """Record the grade once (a repeated submission is recognised by its token), then show the next card.

    The reveal page's form asks for the next card in the response itself (``then=card``): one round trip
    a card fewer than redirecting to the study page. Without it, the answer is a redirect there."""
    subject, deck = resolve_deck(subject_slug, deck_slug)
    form = GradeForm()
    target = url_for("study.review", subject_slug=subject_slug, deck_slug=deck_slug)
    if not form.validate_on_submit():
        flash("Pick Again, Hard, Good or Easy to grade the card.", "error")
        return redirect(target)
    question = question_in_deck(form.question_id.data, subject_slug, deck_slug)
    seen_reps = answer_tokens.read(current_app.config["SECRET_KEY"], form.token.data, current_user.id, question.id)
    if seen_reps is None:
        flash("That answer was not for a card shown to you; here is your next card.", "error")
        return redirect(target)
    result = learning.check(question, form.response_value(question.format))
    begin_writing()
    try:
        learning.record_review(current_user, question, Rating(form.rating.data), now(), form.token.data, seen_reps,
                               response=result.response, correct=result.correct,
                               duration_ms=form.elapsed_ms.data, fuzz=current_app.config["FSRS_FUZZ"])
        finish_writing()
    except DuplicateReview:
        db.session.rollback()
        flash("That answer was already recorded.")
    except StaleCard:
        db.session.rollback()
        flash("That card was answered since it was shown (in another tab?); here is your next card.", "error")
    if request.form.get("then") == "card":
        end_writing()
        return next_card_page(subject, deck, deck_slug)
    return redirect(target)


@bp.post("/study/<subject_slug>/<deck_slug>/undo")
@login_required
def undo(subject_slug: str, deck_slug: str):
    """Take back the latest answer and show that card again."""
    resolve_deck(subject_slug, deck_slug)
    question = learning.undo_last(current_user)
    db.session.commit()
    if question is None:
        flash("There is no answer to undo.")
    else:
        session["undone_question"] = question.id
        flash("Last answer undone.")
    return redirect(url_for("study.review", subject_slug=subject_slug, deck_slug=deck_slug))


@bp.get("/stats")
@login_required
def statistics():
    """Reviews per day, true retention, the due forecast and card maturity per period, as charts."""
    at = now()
    per_day = stats.reviews_per_day(current_user, at)
    forecast = stats.due_forecast(current_user, at)
    maturity = stats.maturity_by_period(current_user)
    return render_template(
        "study/stats.html", per_day=per_day, forecast=forecast, maturity=maturity,
        retention=stats.true_retention(current_user, at),
        reviews_chart=charts.bar_chart([n for _, n in per_day], [d.strftime("%d %b") for d, _ in per_day]),
        forecast_chart=charts.bar_chart([n for _, n in forecast], [d.strftime("%d %b") for d, _ in forecast]),
        maturity_chart=charts.stacked_bars([(m["title"], [m["new"], m["learning"], m["young"], m["mature"]])
                                            for m in maturity]),
        total_reviews=sum(n for _, n in per_day))


@bp.get("/bank/<subject_slug>/<period_slug>")
@login_required
def period(subject_slug: str, period_slug: str):
    """Show one period: its facts in date order and the questions generated from each (for account holders)."""
    row = db.first_or_404(db.select(Period).join(Subject).where(
        Subject.slug == subject_slug, Period.slug == period_slug))
    facts = db.session.execute(db.select(Fact).filter_by(period_id=row.id, retired=False)).scalars().all()
    facts.sort(key=lambda f: (f.date == "", f.date))
    questions = db.session.execute(db.select(Question).filter_by(period_id=row.id, retired=False)
                                   .order_by(Question.id)).scalars().all()
    by_fact: dict[int, list[Question]] = {}
    for q in questions:
        by_fact.setdefault(q.fact_id, []).append(q)
    return render_template("study/period.html", period=row, facts=facts, by_fact=by_fact,
                           question_count=len(questions), reported=curation.open_report_counts(q.id for q in questions))

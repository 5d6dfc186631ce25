"""The front door and the learner's clock: the landing page with a sample question, times in the
learner's zone (template filters), and the account page's time zone, day start and daily goal."""

import random

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from quizapp import learning, localtime, presenting
from quizapp.forms import ClockForm, SampleAnswerForm, TimeZoneForm, parse_id
from quizapp.models import Fact, Question, Subject, db
from quizapp.views.auth import account_page

bp = Blueprint("home", __name__)
# a first question should read well without context: choices, not typing or chronology
SAMPLE_KINDS = ("who", "why", "then", "tf", "when")


def now():
    return current_app.config["CLOCK"]()


def viewer_zone():
    """The time zone of whoever is looking: the learner's, or UTC for a visitor."""
    if current_user.is_authenticated:
        return localtime.zone(current_user.time_zone)
    return localtime.zone(None)


@bp.app_template_filter("local")
def local_filter(when, with_year: bool = True) -> str:
    """'2 Mar 2026, 09:05' in the viewer's zone."""
    return localtime.absolute(when, viewer_zone(), with_year) if when else ""


@bp.app_template_filter("relative")
def relative_filter(when) -> str:
    """'in 10 minutes', 'tomorrow at 09:00' in the viewer's zone."""
    return localtime.relative(when, now(), viewer_zone()) if when else ""


@bp.app_template_filter("kind_name")
def kind_name_filter(kind: str) -> str:
    return presenting.kind_name(kind)


@bp.app_template_global("zone_label")
def zone_label() -> str:
    """'Europe/Paris' or 'UTC', for a caption such as 'times in Europe/Paris'."""
    return viewer_zone().key


@bp.app_template_global("clock_settings_form")
def clock_settings_form() -> ClockForm:
    form = ClockForm(prefix="clk", obj=current_user)
    if not form.time_zone.data:
        form.time_zone.data = ""
    return form


@bp.app_template_global("link")
def link(endpoint: str, filename: str | None = None) -> str:
    """url_for for the fixed links every page carries (the navigation, the static files): each built once
    per application root, as they never change while the app runs."""
    cache = current_app.extensions.setdefault("quizapp.links", {})
    key = (request.script_root, endpoint, filename)
    if key not in cache:
        cache[key] = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
    return cache[key]


@bp.app_template_global("time_zone_names")
def time_zone_names() -> tuple[str, ...]:
    return localtime.zone_names()


def sample_question(exclude: int | None = None) -> Question | None:
    """A question a visitor can answer on the spot: chosen anew at each visit, multiple choice."""
    where = (Question.retired.is_(False), Question.kind.in_(SAMPLE_KINDS),
             Question.format.in_(("choice", "truefalse")))
    ids = db.session.execute(select(Question.id).where(*where).order_by(Question.id)).scalars().all()
    ids = [i for i in ids if i != exclude] or ids
    if not ids:
        return None
    return db.session.get(Question, random.SystemRandom().choice(ids))


def landing(question: Question | None = None, result=None, response=None, status: int = 200,
            after: int | None = None):
    """What quizapp is for, a question to try, and the ways in."""
    subjects = db.session.execute(select(Subject).order_by(Subject.title)).scalars().all()
    counts = dict(db.session.execute(select(Question.subject_id, func.count()).where(
        Question.retired.is_(False)).group_by(Question.subject_id)).all())
    facts = dict(db.session.execute(select(Fact.subject_id, func.count()).where(
        Fact.retired.is_(False)).group_by(Fact.subject_id)).all())
    question = question or sample_question(exclude=after)
    form = SampleAnswerForm(question_id=question.id if question else None, formdata=None)
    notes = presenting.answer_notes(question.kind, question.prompt, question.answer, question.explanation) \
        if result is not None else []
    choices = learning.shuffled_choices(question.choices) if question else []
    return render_template("home/landing.html", subjects=subjects, question_counts=counts, fact_counts=facts,
                           question=question, choices=choices, form=form, result=result, response=response,
                           notes=notes), status


@bp.get("/try")
def try_question():
    """Another sample question, for a visitor (a learner goes to their decks)."""
    if current_user.is_authenticated:
        return redirect(url_for("study.index"))
    return landing(after=parse_id(request.args.get("after")))


@bp.post("/try")
def check_sample():
    """Check a visitor's answer to the sample question and show the answer page, recording nothing."""
    form = SampleAnswerForm()
    if not form.validate_on_submit():
        flash("That answer could not be read (the page may have expired); here is a question to try.", "error")
        return redirect(url_for("home.try_question"))
    question = db.session.get(Question, form.question_id.data)
    if question is None or question.retired or question.kind not in SAMPLE_KINDS:
        abort(404)
    result = learning.check(question, form.response.data or None)
    return landing(question, result, form.response.data)


@bp.post("/account/clock")
@login_required
def save_clock():
    """Save the learner's time zone, the hour their study day starts and their daily goal."""
    form = ClockForm(prefix="clk")
    if form.validate_on_submit():
        current_user.time_zone = form.time_zone.data
        current_user.day_hour = form.day_hour.data
        current_user.daily_goal = form.daily_goal.data
        db.session.commit()
        flash("Time zone, day start and daily goal saved.")
        return redirect(url_for("auth.account"))
    return account_page(400, clock_form=form)


@bp.post("/account/time-zone")
@login_required
def detect_zone():
    """The browser's time zone, sent once for an account that has none yet; a set zone is never changed."""
    form = TimeZoneForm()
    if not form.validate_on_submit():
        return {"saved": False, "errors": form.errors}, 400
    if current_user.time_zone is None:
        current_user.time_zone = form.time_zone.data
        db.session.commit()
        return {"saved": True, "time_zone": current_user.time_zone}
    return {"saved": False, "time_zone": current_user.time_zone}

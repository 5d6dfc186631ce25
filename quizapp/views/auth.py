"""Accounts: register and confirm by mail, log in and out, reset and change the password,
study settings, API tokens.

Pages that take an address answer the same whether or not it has an account, and do the
same work (a password hash, one mail), so that nobody can learn who is registered.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from quizapp import accounts, charts, credentials, fitting, mail, optimising
from quizapp.database import begin_writing, writes_late
from quizapp.forms import (
    ActionForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    SettingsForm,
    TokenForm,
)
from quizapp.models import User, db
from quizapp.security import is_safe_next, mail_limit, sign_in_limit
from quizapp.throttling import cleared, guard, throttle

bp = Blueprint("auth", __name__)


def now():
    return current_app.config["CLOCK"]()


def mail_once_allowed(to: str, template: str, **context) -> None:
    """Send a message unless ``to`` has had its share this hour (the page says the same either way)."""
    if throttle().may_mail(to):
        mail.send(to, template, **context)


def send_confirmation(user: User) -> None:
    mail_once_allowed(user.email, "confirm", link=mail.link(
        "auth.confirm", token=accounts.link_token(user, accounts.CONFIRM)))


def mailable(email: str) -> bool:
    """Whether an address that has no account may be written to (it could be registered)."""
    try:
        credentials.check_email(email)
    except ValueError:
        return False
    return True


def check_inbox(email: str, why: str):
    return render_template("auth/check_inbox.html", email=email, why=why)


@bp.route("/register", methods=["GET", "POST"])
@mail_limit
def register():
    """Register: a link to confirm the address is mailed, whether or not the address has an account."""
    form = RegisterForm()
    if form.validate_on_submit():
        email = form.email.data
        password_hash = accounts.hash_password(form.password.data)  # the same work for every address
        user = accounts.find_user(email)
        if user is None:
            user = User(email=email, password_hash=password_hash)
            db.session.add(user)
            try:
                db.session.flush()
                user.confirmed_at = None  # the column's default (an insert's None too) confirms
                db.session.commit()
            except IntegrityError:  # registered at the same moment by another request
                db.session.rollback()
                user = accounts.find_user(email)
        elif user.confirmed_at is None:  # registered again before confirming: the latest password counts
            user.password_hash = password_hash
            db.session.commit()
        if user is not None and user.confirmed_at is None:
            send_confirmation(user)
        elif user is not None:
            mail_once_allowed(email, "already_registered", login=mail.link("auth.login"),
                              reset=mail.link("auth.reset_request"))
        return check_inbox(email, "register")
    return render_template("auth/register.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@sign_in_limit
def confirm(token: str):
    """Confirm the address with the password chosen at registration, and log in."""
    user = accounts.user_from_link(token, accounts.CONFIRM, current_app.config["CONFIRM_LINK_MAX_AGE"])
    if user is None:
        return render_template("auth/link_expired.html", again=url_for("auth.register")), 400
    if user.confirmed_at is not None:
        flash("Your address is already confirmed; log in.")
        return redirect(url_for("auth.login"))
    form = ConfirmForm()
    if form.validate_on_submit():
        guard(user.email)
        if accounts.verify_password(user, form.password.data):
            cleared(user.email)
            accounts.upgrade_hash(user, form.password.data)
            user.confirmed_at = now()
            db.session.commit()
            login_user(user)
            flash("Your address is confirmed. Welcome! Pick a deck to start studying.")
            return redirect(url_for("study.index"))
        form.password.errors.append("That is not the password this address was registered with. "
                                    "If you registered twice, use the password you chose last.")
    return render_template("auth/confirm.html", form=form, email=user.email), \
        200 if request.method == "GET" else 400


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limit
@writes_late  # checking the password takes tens of milliseconds: other writers need not wait for it
def login():
    """Log in; failures are throttled per account and per address."""
    form = LoginForm()
    if form.validate_on_submit():
        guard(form.email.data)
        user = accounts.find_user(form.email.data)
        if accounts.verify_password(user, form.password.data):
            cleared(user.email)
            if accounts.hash_needs_upgrade(user):
                begin_writing()
                accounts.upgrade_hash(user, form.password.data)
                db.session.commit()
            if user.confirmed_at is None:
                send_confirmation(user)
                form.email.errors.append("Confirm your address first: follow the link we have mailed you "
                                         "(we have just sent it again).")
            else:
                login_user(user, remember=form.remember.data)
                target = request.args.get("next")
                return redirect(target if is_safe_next(target) else url_for("study.index"))
        else:
            form.password.errors.append("Wrong email or password.")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST, so that no link can log someone out): every session of the account ends."""
    accounts.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You are logged out everywhere.")
    return redirect(url_for("study.index"))


@bp.route("/reset", methods=["GET", "POST"])
@mail_limit
def reset_request():
    """Ask for a password reset link; the answer is the same for every address."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = form.email.data
        user = accounts.find_user(email)
        if user is not None:
            mail_once_allowed(email, "reset", link=mail.link(
                "auth.reset", token=accounts.link_token(user, accounts.RESET)))
        elif mailable(email):
            mail_once_allowed(email, "no_account", register=mail.link("auth.register"))
        return check_inbox(email, "reset")
    return render_template("auth/reset_request.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password through an emailed link (signed, expiring, single use)."""
    user = accounts.user_from_link(token, accounts.RESET, current_app.config["RESET_LINK_MAX_AGE"])
    if user is None:
        return render_template("auth/link_expired.html", again=url_for("auth.reset_request")), 400
    form = ResetPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        user.set_password(form.password.data)
        if user.confirmed_at is None:  # the link reached the inbox
            user.confirmed_at = now()
        accounts.end_everything(user)
        db.session.commit()
        cleared(user.email)
        login_user(user)
        flash("Your password has been reset. Every other session and every API token has been ended.")
        return redirect(url_for("study.index"))
    return render_template("auth/reset.html", form=form, email=user.email), 200 if request.method == "GET" else 400


def account_page(status: int = 200, **forms):
    forms.update(optimiser_panel(current_user))
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw", account_email=current_user.email))
    forms.setdefault("settings_form", SettingsForm(prefix="st", obj=current_user))
    forms.setdefault("token_form", TokenForm(prefix="tk"))
    forms.setdefault("new_token", None)
    return render_template("auth/account.html", tokens=accounts.tokens_of(current_user.id),
                           revoke_form=ActionForm(), **forms), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change password and study settings; list the API tokens."""
    if request.method == "GET":
        return account_page()
    if "pw-submit" in request.form:
        password_form = ChangePasswordForm(prefix="pw", account_email=current_user.email)
        if password_form.validate_on_submit():
            guard(current_user.email)
            if current_user.check_password(password_form.current.data):
                cleared(current_user.email)
                current_user.set_password(password_form.password.data)
                accounts.end_everything(current_user)
                db.session.commit()
                remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
                # this session goes on, under the new generation
                login_user(current_user._get_current_object(), remember=remembered)
                flash("Your password has been changed. Every other session and every API token has been ended.")
                return redirect(url_for("auth.account"))
            password_form.current.errors.append("The current password is wrong.")
        return account_page(400, password_form=password_form)
    settings_form = SettingsForm(prefix="st")
    if settings_form.validate_on_submit():
        current_user.new_per_day = settings_form.new_per_day.data
        current_user.desired_retention = round(settings_form.desired_retention.data, 2)
        db.session.commit()
        flash("Settings saved.")
        return redirect(url_for("auth.account"))
    return account_page(400, settings_form=settings_form)


def optimiser_panel(user) -> dict:
    """What the account page shows of the learner's FSRS fit: the last run, a waiting one, the workload chart."""
    last_run = optimising.last_finished(user.id)
    suggested = workload = None
    if last_run is not None and last_run.workload:
        suggested = fitting.suggested_retention([fitting.WorkloadPoint(*row) for row in last_run.workload])
        workload = charts.workload_chart(last_run.workload, user.desired_retention, suggested)
    return {"last_run": last_run, "pending_run": optimising.pending(user.id), "workload": workload,
            "suggested": suggested, "min_reviews": fitting.MIN_REVIEWS, "optimise_form": ActionForm()}


@bp.post("/account/optimise")
@login_required
def optimise():
    """Queue an optimiser run for the learner; ``quizapp optimise`` runs it, never this request."""
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    _run, new = optimising.enqueue(current_user.id, now())
    db.session.commit()
    flash("The optimiser will fit your parameters in the background; reload this page in a minute." if new
          else "An optimiser run is already waiting for you.")
    return redirect(url_for("auth.account", _anchor="fsrs"))


@bp.post("/account/token")
@login_required
def new_token():
    """Issue a named API token, after the password again; it is shown once (only its digest is kept)."""
    form = TokenForm(prefix="tk")
    if form.validate_on_submit():
        guard(current_user.email)
        if current_user.check_password(form.password.data):
            cleared(current_user.email)
            try:
                name = accounts.check_token_name(form.name.data)
                token = accounts.issue_token(current_user.id, name, now())
            except ValueError as error:
                form.name.errors.append(str(error))
            else:
                db.session.commit()
                return account_page(token_form=TokenForm(prefix="tk", formdata=None), new_token=token,
                                    new_token_name=name)
        else:
            form.password.errors.append("The password is wrong.")
    return account_page(400, token_form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one API token: it stops working at once."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; please try again.")
    if not accounts.revoke_token(current_user.id, token_id):
        abort(404)
    db.session.commit()
    flash("The token has been revoked.")
    return redirect(url_for("auth.account"))

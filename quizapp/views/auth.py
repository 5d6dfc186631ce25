"""Accounts: register, log in, log out, change password, settings, API token."""

import hashlib
import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from quizapp.forms import ActionForm, ChangePasswordForm, LoginForm, RegisterForm, SettingsForm
from quizapp.models import User, db
from quizapp.security import is_safe_next, limiter

bp = Blueprint("auth", __name__)


def login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a learner account and log it in."""
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(email=form.email.data)
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        login_user(user)
        flash("Welcome! Pick a deck to start studying.")
        return redirect(url_for("study.index"))
    return render_template("auth/register.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], error_message="Too many login attempts; wait a minute.")
def login():
    """Log in; failed attempts are throttled per address."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(db.select(User).filter_by(email=form.email.data)).scalar_one_or_none()
        if user is not None and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("study.index"))
        form.password.errors.append("Wrong email or password.")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST, so that no link can log someone out)."""
    logout_user()
    return redirect(url_for("study.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change password and study settings; show the API token controls."""
    password_form = ChangePasswordForm(prefix="pw")
    settings_form = SettingsForm(prefix="st", obj=current_user if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if "pw-submit" in request.form:
            if password_form.validate_on_submit():
                if current_user.check_password(password_form.current.data):
                    current_user.set_password(password_form.password.data)
                    db.session.commit()
                    flash("Your password has been changed.")
                    return redirect(url_for("auth.account"))
                password_form.current.errors.append("The current password is wrong.")
        elif settings_form.validate_on_submit():
            current_user.new_per_day = settings_form.new_per_day.data
            current_user.desired_retention = round(settings_form.desired_retention.data, 2)
            db.session.commit()
            flash("Settings saved.")
            return redirect(url_for("auth.account"))
        status = 400
    return render_template("auth/account.html", password_form=password_form, settings_form=settings_form,
                           token_form=ActionForm(), new_token=None), status


@bp.post("/account/token")
@login_required
def new_token():
    """Issue a fresh API token (shown once; only its hash is stored)."""
    form = ActionForm()
    if not form.validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("auth.account"))
    token = secrets.token_urlsafe(32)
    current_user.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
    db.session.commit()
    return render_template("auth/account.html", password_form=ChangePasswordForm(prefix="pw"),
                           settings_form=SettingsForm(prefix="st", obj=current_user), token_form=form,
                           new_token=token)

"""WTForms for every page that takes input; CSRF comes with FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    IntegerField,
    PasswordField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from quizapp.models import User, db

PASSWORD_LENGTH = Length(min=8, max=128, message="Use between 8 and 128 characters (at least 8).")
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address such as name@example.org.")


def normalized_email(value: str | None) -> str:
    return (value or "").strip().lower()


class RegisterForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254), EMAIL],
                        filters=[normalized_email])
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")])

    def validate_email(self, field):
        if db.session.execute(db.select(User.id).filter_by(email=field.data)).first():
            raise ValidationError("An account with this email already exists.")


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], filters=[normalized_email])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Keep me logged in")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])
    password = PasswordField("New password", validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("password", "Passwords differ.")])


class SettingsForm(FlaskForm):
    new_per_day = IntegerField("New cards per day", validators=[InputRequired(), NumberRange(0, 500)])
    desired_retention = FloatField("Desired retention", validators=[InputRequired(), NumberRange(0.7, 0.99)],
                                   description="The share of cards you want to still recall when they fall due "
                                               "(0.70–0.99). Higher means more reviews.")


class AnswerForm(FlaskForm):
    """A response to one question; order questions send several ``response-N`` values."""

    question_id = IntegerField(validators=[InputRequired()])
    token = StringField(validators=[DataRequired(), Length(min=16, max=64), Regexp(r"^[A-Za-z0-9_-]+$")])
    response = FieldList(StringField(validators=[Length(max=2000)]), min_entries=0, max_entries=8)
    elapsed_ms = IntegerField(validators=[Optional(), NumberRange(0, 24 * 3600 * 1000)])

    def response_value(self, fmt: str):
        values = [v for v in self.response.data if v is not None]
        if fmt == "order":
            return values
        return values[0] if values else None


class GradeForm(AnswerForm):
    rating = IntegerField(validators=[InputRequired(), NumberRange(1, 4, "Pick Again, Hard, Good or Easy.")])


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that act (log out, undo, new API token)."""

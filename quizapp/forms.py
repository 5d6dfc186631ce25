"""WTForms for every page that takes input; CSRF comes with FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
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

from quizapp import credentials, localtime
from quizapp.interchange import printable
from quizapp.presenting import kind_name


def parse_id(text: str | None) -> int | None:
    """A row id typed into a query string or form, or None: ASCII digits only, within 64 bits."""
    if text and len(text) <= 18 and text.isascii() and text.isdigit():
        return int(text)
    return None


class WholeNumberField(IntegerField):
    """An IntegerField that refuses numbers too long to be meant.

    WTForms' NumberRange calls ``math.isnan`` on the value, which overflows for integers
    beyond the float range, so such input must be refused before it gets there.
    """

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip()) > 15:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


PASSWORD_LENGTH = Length(min=credentials.MIN_PASSWORD, max=credentials.MAX_PASSWORD,
                         message="Use between 8 and 128 characters (at least 8).")


def normalized_email(value: str | None) -> str:
    return credentials.normalize_email(value or "")


def checked_email(form, field):
    """An address that can be registered: well formed, nothing invisible, one alphabet."""
    try:
        field.data = credentials.check_email(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from None


class NewPassword:
    """Refuses passwords that are easily guessed or equal to the account's address.

    The address is the form's ``email`` field, or its ``account_email`` attribute."""

    def __call__(self, form, field):
        email = form.email.data if hasattr(form, "email") else getattr(form, "account_email", "")
        try:
            credentials.check_password(field.data or "", email or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


class RegisterForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254), checked_email],
                        filters=[normalized_email])
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LENGTH, NewPassword()])
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")])


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], filters=[normalized_email])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Keep me logged in")


class NewPasswordForm(FlaskForm):
    """A new password, twice, checked against the account's own address (NewPassword reads account_email)."""

    password = PasswordField("New password", validators=[DataRequired(), PASSWORD_LENGTH, NewPassword()])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("password", "Passwords differ.")])

    def __init__(self, *args, account_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])


class ResetRequestForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], filters=[normalized_email])


class ResetPasswordForm(NewPasswordForm):
    pass


class ConfirmForm(FlaskForm):
    """Following the emailed link proves the inbox; the password proves who registered."""

    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])


class TokenForm(FlaskForm):
    """A new API token: its name, and the password again, so that a stolen session cannot mint one."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)], filters=[lambda v: (v or "").strip()],
                       description="Where it will be used, such as “phone” or “grading script”.")
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=128)])


class SettingsForm(FlaskForm):
    new_per_day = WholeNumberField("New cards per day", validators=[InputRequired(), NumberRange(0, 500)])
    desired_retention = FloatField("Desired retention", validators=[InputRequired(), NumberRange(0.7, 0.99)],
                                   description="The share of cards you want to still recall when they fall due "
                                               "(0.70–0.99). Higher means more reviews.")


class AnswerForm(FlaskForm):
    """A response to one question; order questions send several ``response-N`` values."""

    question_id = WholeNumberField(validators=[InputRequired()])
    token = StringField(validators=[DataRequired(), Length(min=16, max=64), Regexp(r"^[A-Za-z0-9_.-]+$")])
    response = FieldList(StringField(validators=[Length(max=2000)]), min_entries=0, max_entries=8)
    elapsed_ms = WholeNumberField(validators=[Optional(), NumberRange(0, 24 * 3600 * 1000)])
    # the deck's counts as the question page showed them (new.learning.due.answered), shown again on the reveal
    counts = StringField(validators=[Optional(), Regexp(r"^\d{1,7}\.\d{1,7}\.\d{1,7}\.\d{1,7}$")])

    def response_value(self, fmt: str):
        values = [v for v in self.response.data if v is not None]
        if fmt == "order":
            return values
        return values[0] if values else None


class GradeForm(AnswerForm):
    rating = WholeNumberField(validators=[InputRequired(), NumberRange(1, 4, "Pick Again, Hard, Good or Easy.")])


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that act (log out, undo, new API token)."""


def plain_text(value: str | None) -> str:
    """An instructor's text without control characters, line breaks as newlines: exports must hold it."""
    return printable(value or "")


def one_line(value: str | None) -> str:
    """A one-line instructor text: no control characters, line breaks or tabs."""
    return " ".join(plain_text(value).split())


FEEDBACK_CHOICES = [
    SelectChoice("each", "after each question"),
    SelectChoice("submit", "after submitting"),
    SelectChoice("close", "after the close time"),
    SelectChoice("never", "never"),
]


class QuizSettingsForm(FlaskForm):
    """Title and rules of a quiz. Times are the instructor's wall clock, in their time zone."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)], filters=[one_line])
    description = TextAreaField("Instructions", validators=[Optional(), Length(max=5000)], filters=[plain_text])
    time_limit_minutes = WholeNumberField("Time limit (minutes, empty for none)",
                                          validators=[Optional(), NumberRange(1, 600)])
    opens_at = DateTimeLocalField("Opens (your time zone; empty: now)", validators=[Optional()],
                                  format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField("Closes (your time zone; empty: never)", validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")
    max_attempts = WholeNumberField("Attempts allowed (empty: unlimited)", validators=[Optional(), NumberRange(1, 100)])
    shuffle_questions = BooleanField("Shuffle the questions for each attempt")
    shuffle_choices = BooleanField("Shuffle the choices for each attempt")
    feedback = SelectField("Show the answers and feedback", choices=FEEDBACK_CHOICES)
    pass_mark = WholeNumberField("Pass mark (%)", validators=[InputRequired(), NumberRange(0, 100)])

    def validate_closes_at(self, field):
        opens = self.opens_at.data
        if field.data and opens and field.data.replace(tzinfo=None) <= opens.replace(tzinfo=None):
            raise ValidationError("The quiz must close after it opens.")


class DrawForm(FlaskForm):
    """Draw questions from the bank at random; the seed is recorded on each item."""

    period = SelectField("Period", validators=[DataRequired()])
    kind = SelectField("Kind", choices=[SelectChoice("any", "any kind")] + [
        SelectChoice(v, kind_name(v)) for v in ("when", "who", "why", "then", "tf", "cloze")])
    count = WholeNumberField("How many", validators=[InputRequired(), NumberRange(1, 100)], default=10)
    seed = WholeNumberField("Seed (empty: a new random one)", validators=[Optional(), NumberRange(0, 2**31 - 1)])


ITEM_FORMATS = [SelectChoice(v, label) for v, label in (
    ("choice", "multiple choice, one right answer"), ("multi", "multiple choice, several right answers"),
    ("truefalse", "true/false"), ("short", "short answer"), ("year", "year"))]


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CustomItemForm(FlaskForm):
    """An instructor's own question."""

    format = SelectField("Type", choices=ITEM_FORMATS)
    prompt = TextAreaField("Question", validators=[DataRequired(), Length(max=2000)], filters=[plain_text])
    choices = TextAreaField("Choices, one per line (multiple choice)", validators=[Optional(), Length(max=5000)],
                            filters=[plain_text])
    answers = TextAreaField("Right answer(s), one per line: the right choices, the accepted answers, "
                            "the year, or True/False", validators=[DataRequired(), Length(max=2000)],
                            filters=[plain_text])
    explanation = TextAreaField("Explanation shown as feedback", validators=[Optional(), Length(max=5000)],
                                filters=[plain_text])
    points = FloatField("Points", validators=[InputRequired(), NumberRange(0.5, 100)], default=1.0)

    def validate_answers(self, field):
        fmt, answers, choices = self.format.data, lines(field.data), lines(self.choices.data)
        if fmt in ("choice", "multi"):
            if len(choices) < 2:
                raise ValidationError("Give at least two choices, one per line.")
            if len(set(choices)) != len(choices):
                raise ValidationError("Two choices are the same.")
            missing = [a for a in answers if a not in choices]
            if missing:
                raise ValidationError(f"Not among the choices: {missing[0]}")
            if fmt == "choice" and len(answers) != 1:
                raise ValidationError("A one-answer question needs exactly one right choice.")
            if fmt == "multi" and not 1 <= len(answers) < len(choices):
                raise ValidationError("Mark at least one choice right and at least one wrong.")
        elif fmt == "truefalse" and answers not in (["True"], ["False"]):
            raise ValidationError("Write True or False.")
        elif fmt == "year" and not (len(answers) == 1 and answers[0].isdigit() and len(answers[0]) <= 4):
            raise ValidationError("Write the year as digits, such as 1948.")


class PointsForm(FlaskForm):
    points = FloatField("Points", validators=[InputRequired(), NumberRange(0.5, 100)])


class JoinForm(FlaskForm):
    code = StringField("Join code", validators=[DataRequired(), Length(max=12), Regexp(r"^[A-Za-z0-9]+$",
                                                message="A join code has only letters and digits.")])


class QuizResponseForm(FlaskForm):
    """The answer to one quiz item; multi-answer items send several ``response-N`` values."""

    response = FieldList(StringField(validators=[Length(max=2000)]), min_entries=0, max_entries=12)

    def value(self, fmt: str):
        values = [v for v in self.response.data if v not in (None, "")]
        if fmt == "multi":
            return values
        return values[0] if values else None


class OverrideForm(FlaskForm):
    points = FloatField("Points", validators=[InputRequired(), NumberRange(0, 100)])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)], filters=[one_line])


class DeleteQuizForm(FlaskForm):
    """Deleting a quiz takes its attempts with it, so it is confirmed in so many words."""

    confirm = BooleanField("I understand that the quiz, its attempts and their grades are deleted for good",
                           validators=[DataRequired("Tick the box to confirm.")])


class AcceptAnswerForm(FlaskForm):
    """A typed answer to count as right for everyone."""

    answer = StringField("Answer", validators=[DataRequired(), Length(max=200)], filters=[one_line])


class LiveJoinForm(FlaskForm):
    """Joining a live game: its code and the name to show on the class's screen."""

    code = StringField("Game code", validators=[DataRequired(), Length(max=8), Regexp(
        r"^[A-Za-z0-9]+$", message="A game code has only letters and digits.")])
    nickname = StringField("Your name on the screen", validators=[DataRequired(), Length(max=20)],
                           filters=[one_line])


class LiveStartForm(FlaskForm):
    """Starting a live game of a quiz."""

    seconds = WholeNumberField("Seconds to answer each question", validators=[InputRequired(), NumberRange(5, 300)])


# Local time and the daily goal (account page)

def known_zone(form, field):
    field.data = (field.data or "").strip()
    if not localtime.is_zone(field.data):
        raise ValidationError("Unknown time zone: pick one from the list, such as Europe/Paris or America/New_York.")


class ClockForm(FlaskForm):
    time_zone = StringField("Time zone", validators=[DataRequired(message="Pick your time zone."), Length(max=64),
                                                     known_zone],
                            description="Every time is shown in this zone, and your study days follow it.")
    day_hour = SelectField("A new study day starts at", coerce=int,
                           choices=[SelectChoice(h, f"{h:02d}:00") for h in range(24)],
                           description="Reviews before this hour count for the day before (Anki's default: 04:00).")
    daily_goal = WholeNumberField("Daily goal (answers a day)", validators=[Optional(), NumberRange(1, 2000)],
                                  description="Leave empty for no goal.")


class TimeZoneForm(FlaskForm):
    """The zone the browser reports, sent once without asking."""

    time_zone = StringField(validators=[DataRequired(), Length(max=64), known_zone])


class SampleAnswerForm(FlaskForm):
    """A visitor's answer to the landing page's sample question."""

    question_id = WholeNumberField(validators=[InputRequired()])
    response = StringField(validators=[Length(max=500)])


# --- problem reports and curation ---

REPORT_REASONS = [
    SelectChoice("wrong-answer", "The answer given as right is wrong"),
    SelectChoice("two-right", "More than one answer is right"),
    SelectChoice("unclear", "The question is unclear"),
    SelectChoice("typo", "Typo or grammar"),
]


class ReportForm(FlaskForm):
    """A learner's report of a problem with a question."""

    reason = RadioField("What is wrong?", choices=REPORT_REASONS,
                        validators=[InputRequired("Pick what is wrong with the question.")])
    comment = TextAreaField("Tell us more", filters=[plain_text], validators=[
        DataRequired("Say in a few words what is wrong (which answer, which word)."),
        Length(min=3, max=2000, message="Write between 3 and 2,000 characters.")])
    next = StringField(validators=[Optional(), Length(max=500)])


class ResolveForm(FlaskForm):
    """A curator's resolution of the open reports on one question: what was done."""

    resolution = TextAreaField("What was done", filters=[plain_text], validators=[
        DataRequired("Say what was done (fixed the fact, no change needed, ...)."), Length(max=2000)])

"""Email addresses and passwords people may register with: normalised, checked, explained.

Plain functions over strings (no Flask): forms and the API call them and show the message
of the ``ValueError`` they raise.
"""

import unicodedata

import email_validator
from confusable_homoglyphs import categories, confusables
from zxcvbn import zxcvbn

MIN_PASSWORD = 8
MAX_PASSWORD = 128
GUESSABLE_PREFIX = 72  # zxcvbn refuses longer input (its matching grows with the length)
MIN_SCORE = 2  # zxcvbn's scores: 0 and 1 are guessed within a million tries (common words, sequences)


def is_text(value: object) -> bool:
    """A string that can be stored: encodable as UTF-8 (no lone surrogates from JSON)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalize_email(text: str) -> str:
    """The form an address is stored and looked up in: compatibility characters folded
    (full-width letters become ASCII), trimmed, in lower case. Never raises."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def _looks_latin(part: str) -> bool:
    """A label written wholly in another script whose letters all pass for ASCII ones (``асе``)."""
    letters = [c for c in part if c.isalpha()]
    if not letters or any(categories.alias(c) == "LATIN" for c in letters):
        return False
    for c in letters:
        found = confusables.is_confusable(c, greedy=True) or []
        if not any(h["c"].isascii() for entry in found for h in entry["homoglyphs"]):
            return False
    return True


def check_email(text: str) -> str:
    """The normalised address, or ``ValueError`` saying what is wrong with it.

    Refused: what is not an address (email-validator's syntax rules, without a DNS lookup),
    invisible or direction-changing characters and control characters (email-validator's
    "unsafe characters"), and a part that mixes scripts in a way that can pass for another
    address (Cyrillic ``а`` among Latin letters) or is written in another script with letters
    that all look like Latin ones.
    """
    email = normalize_email(text)
    if not is_text(email):
        raise ValueError("The email address contains characters that are not text.")
    try:
        result = email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise ValueError(str(error)) from None
    email = result.normalized.lower()
    local, _, domain = email.rpartition("@")
    for part in [local, *domain.split(".")]:
        if confusables.is_dangerous(part) or _looks_latin(part):
            raise ValueError(f"'{part}' mixes letters of different alphabets that look alike; "
                             "type the address in one alphabet.")
    return email


def check_password(password: str, email: str) -> None:
    """Raise ``ValueError`` for a password that is easily guessed: a common password or a
    variation of one (zxcvbn's lists and patterns), a keyboard or number sequence, or the
    email address itself."""
    email = normalize_email(email)
    local = email.partition("@")[0]
    if normalize_email(password) in (email, local):
        raise ValueError("Your password may not be your email address.")
    result = zxcvbn(password[:GUESSABLE_PREFIX], user_inputs=[email, local, *local.split(".")])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"]
        reason = f" ({warning.rstrip('.')})" if warning else ""
        raise ValueError(f"This password is too easy to guess{reason}. "
                         "A few unrelated words make a strong one.")

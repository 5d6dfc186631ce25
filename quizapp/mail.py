"""Mail to account holders: Flask-Mailman over SMTP to ``MAIL_SERVER``; `make run` prints it instead.

A message is a text template under ``templates/mail/`` whose first line is ``Subject: ...``.
Links in it are built on ``PUBLIC_URL`` where it is set, so that a forged Host header cannot
send someone a reset link that points elsewhere.
"""

import logging
import smtplib

from flask import Flask, current_app, render_template, request, url_for
from flask_mailman import EmailMessage, Mail

log = logging.getLogger(__name__)
mail = Mail()


def init_app(app: Flask) -> None:
    """Configure the mail backend of ``app``."""
    mail.init_app(app)
    serving = not (app.debug or app.testing or app.config.get("DEVELOPMENT") or app.config.get("CLI_ONLY"))
    if serving and not app.config.get("PUBLIC_URL"):
        app.logger.warning("PUBLIC_URL is not set: links in mail follow the request's Host header")


def link(endpoint: str, **values) -> str:
    """An absolute link to ``endpoint`` for a message."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for(endpoint, **values)


def send(to: str, template: str, **context) -> bool:
    """Send ``templates/mail/<template>.txt`` to ``to``; False (and logged) if the server refused it."""
    subject, _, body = render_template(f"mail/{template}.txt", **context).partition("\n")
    message = EmailMessage(subject.removeprefix("Subject:").strip(), body.lstrip("\n"), to=[to])
    try:
        message.send()
    except (smtplib.SMTPException, OSError, UnicodeError) as error:
        log.error("mail to %s not sent: %s", to, error)
        return False
    return True

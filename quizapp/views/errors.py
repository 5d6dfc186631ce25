"""Error pages for the whole app: a message for people, never a traceback."""

from flask import Blueprint, render_template, request
from werkzeug.exceptions import HTTPException

from quizapp.models import db

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Render 4xx/5xx as a page, or as JSON for the API, keeping headers such as ``Retry-After``."""
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if request.path.startswith("/api/"):
        return {"error": error.name, "message": error.description}, error.code, headers
    return render_template("errors/error.html", error=error), error.code, headers


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    """Log the bug, roll back, and show a plain 500 page."""
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("unhandled error")
    if request.path.startswith("/api/"):
        return {"error": "Internal Server Error", "message": "Something went wrong."}, 500
    return render_template("errors/error.html", error=None), 500

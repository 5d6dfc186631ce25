"""The baseline for the serving benchmark: a bare Flask endpoint returning a little JSON."""

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping():
    """Answer as little as an endpoint can."""
    return {"ok": True}

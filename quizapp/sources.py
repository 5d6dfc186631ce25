"""The subjects' own files (facts and source text) as the reader and search need them, read once per change.

The database holds what questions need; the quotes of every claim and the source text live only in
``questions/<subject>/``, so they are read from there, through the fact loader, and kept until a file
of the folder changes.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from quizapp import reading
from quizapp.facts import FactFileError, Subject, load_subject


@dataclass(frozen=True)
class Source:
    subject: Subject
    document: reading.Document

    @property
    def facts(self) -> dict:
        return {f.id: f for f in self.subject.facts}


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Source]] = {}


def _folder_of(slug: str) -> Path | None:
    root = Path(current_app.config["QUESTIONS_DIR"])
    for path in sorted(root.glob("*/subject.toml")):
        try:
            if tomllib.loads(path.read_text(encoding="utf-8")).get("id") == slug:
                return path.parent
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
    return None


def _stamp(folder: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file()))


def source_of(slug: str) -> Source | None:
    """The subject's facts and its source laid out for reading; None if no valid folder has this id."""
    folder = _folder_of(slug)
    if folder is None:
        return None
    stamp = _stamp(folder)
    with _lock:
        cached = _cache.get(slug)
        if cached and cached[0] == stamp:
            return cached[1]
    try:
        subject = load_subject(folder)
    except FactFileError:
        current_app.logger.exception("subject %s does not load; its reader is unavailable", slug)
        return None
    found = Source(subject, reading.read(subject.source_text, subject.facts))
    with _lock:
        _cache[slug] = (stamp, found)
    return found

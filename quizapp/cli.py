"""Command line: ``quizapp <command>`` (or ``flask --app quizapp <command>``)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from quizapp.facts import FactFileError, Subject, load_subject, load_subjects
from quizapp.generate import KINDS, build_bank


def read_subjects(path: str | None) -> list[Subject]:
    """A subject folder, or a folder of subject folders (default: the configured one)."""
    target = Path(path or current_app.config["QUESTIONS_DIR"])
    if (target / "subject.toml").is_file():
        return [load_subject(target)]
    return load_subjects(target)


def fail_with_problems(exc: FactFileError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(exc.problems)} error(s); nothing was loaded.", err=True)
    sys.exit(1)


@click.command("validate")
@click.argument("path", required=False, type=click.Path())
def validate_command(path: str | None) -> None:
    """Check fact files; print every error as file:line, fact and field."""
    try:
        subjects = read_subjects(path)
    except FactFileError as exc:
        fail_with_problems(exc)
    for s in subjects:
        click.echo(f"{s.path}: valid: {len(s.facts)} facts in {len(s.periods)} periods, "
                   f"{len(s.actors)} actors")


@click.command("bank")
@click.argument("path", required=False, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print every question as a JSON list.")
@click.option("--seed", type=int, default=None, help="Shuffle seed (default: BANK_SEED).")
def bank_command(path: str | None, as_json: bool, seed: int | None) -> None:
    """Print question counts per period and kind, or the whole bank as JSON."""
    try:
        subjects = read_subjects(path)
    except FactFileError as exc:
        fail_with_problems(exc)
    seed = current_app.config["BANK_SEED"] if seed is None else seed
    questions = [q for s in subjects for q in build_bank(s, seed)]
    if as_json:
        click.echo(json.dumps([q.to_dict() for q in questions], ensure_ascii=False, indent=1))
        return
    counts = Counter((q.period, q.kind) for q in questions)
    width = max(len(p.id) for s in subjects for p in s.periods) + 2
    click.echo("period".ljust(width) + "".join(k.rjust(7) for k in KINDS) + "  total")
    for s in subjects:
        for p in s.periods:
            row = [counts[p.id, k] for k in KINDS]
            click.echo(p.id.ljust(width) + "".join(str(n).rjust(7) for n in row) + str(sum(row)).rjust(7))
    totals = [sum(counts[p, k] for p, kk in counts if kk == k) for k in KINDS]
    click.echo("all".ljust(width) + "".join(str(n).rjust(7) for n in totals) + str(len(questions)).rjust(7))
    click.echo(f"{len(questions)} questions from {len({q.fact_id for q in questions})} facts")


@click.command("load")
@click.argument("path", required=False, type=click.Path())
def load_command(path: str | None) -> None:
    """Load (or reload) the fact files and their questions into the database."""
    from quizapp.models import db
    from quizapp.store import store_subject

    try:
        subjects = read_subjects(path)
    except FactFileError as exc:
        fail_with_problems(exc)
    seed = current_app.config["BANK_SEED"]
    for s in subjects:
        counts = store_subject(s, build_bank(s, seed))
        click.echo(f"{s.id}: {len(s.facts)} facts; questions added {counts['added']}, "
                   f"updated {counts['updated']}, unchanged {counts['unchanged']}, retired {counts['retired']}")
    db.session.commit()


def init_app(app: Flask) -> None:
    for command in (validate_command, bank_command, load_command):
        app.cli.add_command(command)


def _cli_app() -> Flask:
    from quizapp import create_app

    return create_app({"CLI_ONLY": True})


def main() -> None:
    """Entry point of the ``quizapp`` console script."""
    FlaskGroup(create_app=_cli_app, add_version_option=False)(prog_name="quizapp")

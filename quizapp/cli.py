"""Command line: ``quizapp <command>`` (or ``flask --app quizapp <command>``)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from quizapp.facts import FactFileError, Subject, load_subject, load_subjects
from quizapp.generate import KINDS, build_bank, generate
from quizapp.rules import RULES


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
@with_appcontext
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
@with_appcontext
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


@click.command("lint")
@with_appcontext
@click.argument("path", required=False, type=click.Path())
@click.option("--seed", type=int, default=None, help="Shuffle seed (default: BANK_SEED).")
@click.option("--waived", "show_waived", is_flag=True, help="Also print flags the fact files waive.")
@click.option("--rules", "list_rules", is_flag=True, help="List the rules and exit.")
def lint_command(path: str | None, seed: int | None, show_waived: bool, list_rules: bool) -> None:
    """Run every question-quality rule over the generated bank; exit 1 on any flag not waived."""
    if list_rules:
        for rule in RULES.values():
            click.echo(f"{rule.name:20} {rule.summary}")
        return
    try:
        subjects = read_subjects(path)
    except FactFileError as exc:
        fail_with_problems(exc)
    seed = current_app.config["BANK_SEED"] if seed is None else seed
    open_flags, waived, total = Counter(), Counter(), 0
    for s in subjects:
        questions, flags = generate(s, seed)
        total += len(questions)
        facts = {f.id: f for f in s.facts}
        for flag in flags:
            fact = facts[flag.question.fact_id]
            (waived if flag.waived else open_flags)[flag.rule] += 1
            if flag.waived and not show_waived:
                continue
            status = f"  (waived: {flag.waived})" if flag.waived else ""
            click.echo(f"{fact.file}:{fact.line}: {flag.rule}: {flag.question.id}: {flag.reason}{status}")
    summary = ", ".join(f"{rule} {n}" for rule, n in sorted(open_flags.items())) or "none"
    click.echo(f"{total} questions in the bank; flags: {summary}; waived: {sum(waived.values())}", err=True)
    if open_flags:
        sys.exit(1)


@click.command("load")
@with_appcontext
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


@click.command("export-anki")
@with_appcontext
@click.argument("path", required=False, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(), help="Folder to write the .apkg files to.")
@click.option("--period", "period_id", default=None, help="Export only this period.")
@click.option("--combined", is_flag=True, help="One file per subject with every period as a subdeck.")
def export_anki_command(path: str | None, out_dir: str, period_id: str | None, combined: bool) -> None:
    """Write Anki decks: one .apkg per period, or one per subject with --combined."""
    import time

    from quizapp import anki

    try:
        subjects = read_subjects(path)
    except FactFileError as exc:
        fail_with_problems(exc)
    known = [p.id for s in subjects for p in s.periods]
    if period_id is not None and period_id not in known:
        raise click.ClickException(f"unknown period '{period_id}'; known periods: {', '.join(known)}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create output folder {out}: {exc.strerror}") from exc
    timestamp = time.time()
    seed = current_app.config["BANK_SEED"]
    for s in subjects:
        questions = build_bank(s, seed)
        periods = [p for p in s.periods if period_id in (None, p.id)]
        decks = [anki.build_deck(s.id, s.title, p.id, p.title, questions) for p in periods]
        batches = [(f"{s.id}.apkg", decks)] if combined and decks else \
            [(f"{s.id}--{p.id}.apkg", [d]) for p, d in zip(periods, decks, strict=True)]
        for name, batch in batches:
            target = out / name
            try:
                anki.write_package(batch, target, timestamp)
            except OSError as exc:
                raise click.ClickException(f"cannot write {target}: {exc.strerror}") from exc
            for info in map(anki.count, batch):
                click.echo(f"{target}\t{info.name}\tnotes {info.notes}\tcards {info.cards}")


@click.command("make-instructor")
@with_appcontext
@click.argument("email")
def make_instructor_command(email: str) -> None:
    """Give an existing account the instructor role."""
    from quizapp.credentials import normalize_email
    from quizapp.models import User, db

    user = db.session.execute(db.select(User).filter_by(email=normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no account with the email {email!r}; register it first")
    user.is_instructor = True
    db.session.commit()
    click.echo(f"{user.email} is now an instructor.")


def run_queued(clock) -> int:
    """Claim and run every queued optimiser run; return how many this process ran."""
    from quizapp import optimising
    from quizapp.models import User, db

    done = 0
    for run_id in optimising.queued_ids(clock()):
        if not optimising.claim(run_id, clock()):
            continue  # another runner took it
        row = optimising.run(run_id, clock)
        email = db.session.get(User, row.user_id).email
        fit = f" (log loss {row.log_loss_before:.4f} -> {row.log_loss_after:.4f})" if row.log_loss_after else ""
        click.echo(f"{email}: {row.status}: {row.message}{fit}")
        done += 1
    return done


@click.command("optimise")
@with_appcontext
@click.option("--user", "email", default=None, help="Only this learner (a run is queued for them and run now).")
@click.option("--queued", "queued_only", is_flag=True, help="Only the runs queued from the account page.")
@click.option("--watch", is_flag=True, help="Keep running queued runs (make run and make serve start a watcher).")
@click.option("--while-pid", "while_pid", type=int, default=None,
              help="With --watch: stop when the process with this id (the web server) ends.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between looks at the queue (--watch).")
def optimise_command(email: str | None, queued_only: bool, watch: bool, while_pid: int | None,
                     interval: float) -> None:
    """Fit FSRS to learners' review logs, off the request path (for cron or a systemd timer).

    Without options: a run for every learner who has answered since their last run, then the queued ones.
    """
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from quizapp import optimising
    from quizapp.credentials import normalize_email
    from quizapp.models import User, db

    clock = current_app.config["CLOCK"]
    if email:
        user = db.session.execute(db.select(User).filter_by(email=normalize_email(email))).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"no account with the email {email!r}")
        optimising.enqueue(user.id, clock())
        db.session.commit()
    elif not (queued_only or watch):
        for user_id in optimising.learners_to_refit():
            optimising.enqueue(user_id, clock())
        db.session.commit()
    run_queued(clock)
    while watch and (while_pid is None or process_alive(while_pid)):
        time.sleep(interval)
        db.session.remove()
        try:
            run_queued(clock)
        except SQLAlchemyError as error:  # the database restarting, say: look again later
            click.echo(f"optimise: the queue could not be read ({error.__class__.__name__}); trying again", err=True)


def process_alive(pid: int) -> bool:
    """Whether a process with this id still runs (and is not a zombie waiting for its parent)."""
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def init_app(app: Flask) -> None:
    for command in (validate_command, bank_command, lint_command, load_command, export_anki_command,
                    make_instructor_command, optimise_command):
        app.cli.add_command(command)


def _cli_app() -> Flask:
    from quizapp import create_app

    return create_app({"CLI_ONLY": True})


def main() -> None:
    """Entry point of the ``quizapp`` console script."""
    FlaskGroup(create_app=_cli_app, add_version_option=False)(prog_name="quizapp")

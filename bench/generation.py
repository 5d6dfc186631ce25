"""Bank generation (real subject, and synthetic subjects of 1k and 10k facts) and Anki export
against genanki writing the same notes directly.

Run: .venv/bin/python -m bench.generation
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import genanki

from bench import common, synthetic
from quizapp import anki
from quizapp.facts import load_subject
from quizapp.generate import build_bank

SUBJECT = Path(__file__).resolve().parent.parent / "questions" / "israel-russia"


def direct_genanki(subject, bank, folder: Path) -> None:
    """The same notes written with genanki alone: the floor an exporter can reach."""
    for period in subject.periods:
        deck = genanki.Deck(anki.deck_id(subject.id, period.id), f"{subject.title}::{period.title}")
        for q in bank:
            if q.period != period.id or not anki.included(q):
                continue
            tags = [f"period::{q.period}", f"kind::{q.kind}"] + [f"actor::{a}" for a in q.actors]
            common_fields = [html.escape(q.quote), html.escape(period.title), q.date, q.fact_id]
            if q.kind == "cloze":
                fields, model = [q.cloze, html.escape(q.explanation), *common_fields], anki.CLOZE_MODEL
            else:
                answer = "<ol>" + "".join(f"<li>{html.escape(a)}</li>" for a in q.answer) + "</ol>" \
                    if q.format == "order" else html.escape(q.answer)
                choices = "<ol>" + "".join(f"<li>{html.escape(c)}</li>" for c in q.choices) + "</ol>" \
                    if q.choices else ""
                fields, model = [html.escape(q.prompt), answer, choices, html.escape(q.explanation),
                                 *common_fields], anki.QA_MODEL
            deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=genanki.guid_for(subject.id, q.id)))
        genanki.Package([deck]).write_to_file(str(folder / f"{period.id}-direct.apkg"), timestamp=1_700_000_000)


def project_export(subject, bank, folder: Path) -> None:
    for period in subject.periods:
        deck = anki.build_deck(subject.id, subject.title, period.id, period.title, bank)
        anki.write_package([deck], folder / f"{period.id}.apkg", timestamp=1_700_000_000)


def main() -> dict:
    real = load_subject(SUBJECT)
    load_s = common.best_of(lambda: load_subject(SUBJECT))
    bank = build_bank(real)
    real_s = common.best_of(lambda: build_bank(real))
    sizes = {}
    for n in (1_000, 10_000):
        s = synthetic.subject(n)
        questions = len(build_bank(s))
        sizes[n] = {"seconds": common.best_of(lambda s=s: build_bank(s), repeat=3), "questions": questions}
    growth = sizes[10_000]["seconds"] / sizes[1_000]["seconds"]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # interleave the two so that machine noise hits both alike
        ours, theirs = [], []
        for _ in range(5):
            ours.append(common.best_of(lambda: project_export(real, bank, folder), repeat=1))
            theirs.append(common.best_of(lambda: direct_genanki(real, bank, folder), repeat=1))
    export_ratio = min(ours) / min(theirs)

    figures = {
        "real_subject": {"facts": len(real.facts), "questions": len(bank), "load_seconds": round(load_s, 4),
                         "generate_seconds": round(real_s, 4)},
        "synthetic": {str(n): {"questions": v["questions"], "seconds": round(v["seconds"], 3)}
                      for n, v in sizes.items()},
        "growth_1k_to_10k": round(growth, 2),
        "growth_per_10x_facts_goal": "near linear (about 10x)",
        "anki_export": {"project_seconds": round(min(ours), 3), "genanki_direct_seconds": round(min(theirs), 3),
                        "ratio": round(export_ratio, 3), "goal": "< 1.5"},
    }
    print(f"real subject: {len(real.facts)} facts -> {len(bank)} questions; load {load_s*1000:.0f} ms, "
          f"generate {real_s*1000:.0f} ms")
    for n, v in sizes.items():
        print(f"synthetic {n:>6} facts -> {v['questions']:>6} questions in {v['seconds']:.3f} s")
    print(f"growth 1k -> 10k facts: {growth:.1f}x time for 10x facts")
    print(f"Anki export of all periods: {min(ours):.3f} s vs genanki directly {min(theirs):.3f} s "
          f"(ratio {export_ratio:.2f}, goal < 1.5)")
    common.write("generation", figures)
    return figures


if __name__ == "__main__":
    main()

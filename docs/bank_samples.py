"""Write the README's "Ten questions of each kind" section from today's bank (seed 0).

Run: .venv/bin/python docs/bank_samples.py  (rewrites the section between its heading line and "## Anki decks").
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from quizapp.facts import load_subject
from quizapp.generate import KINDS, build_bank

ROOT = Path(__file__).resolve().parent.parent
START = "Ten questions of each kind, drawn at random from today's bank (seed 0):"
END = "## Anki decks"


def line(n: int, q) -> str:
    if q.format == "order":
        return f"{n}. {q.prompt} {' / '.join(q.choices)} — *answer:* {' → '.join(q.answer)}"
    choices = f" ({' · '.join(q.choices)})" if q.choices and q.format != "truefalse" else ""
    accepted = f" (also accepted: {', '.join(q.accept)})" if q.accept else ""
    return f"{n}. {q.prompt}{choices} — *answer:* {q.answer}{accepted}"


def section(bank) -> str:
    out = [START, ""]
    for kind in KINDS:
        of_kind = [q for q in bank if q.kind == kind]
        out += [f"**{kind}** ({len(of_kind)} in the bank)", ""]
        picked = random.Random(f"readme:{kind}").sample(of_kind, min(10, len(of_kind)))
        out += [line(n, q) for n, q in enumerate(picked, start=1)] + [""]
    return "\n".join(out) + "\n"


def main() -> None:
    bank = build_bank(load_subject(ROOT / "questions" / "israel-russia"), seed=0)
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + r".*?(?=" + re.escape(END) + ")", re.S)
    readme.write_text(pattern.sub(lambda _: section(bank), text, count=1))


if __name__ == "__main__":
    main()

"""How questions read to people: kind names, and what the answer page adds to the answer (no Flask)."""

from __future__ import annotations

from dataclasses import dataclass

# what a learner or teacher reads; the internal kinds stay in ids, exports and the API
KIND_NAMES = {
    "when": "Date",
    "who": "Who",
    "why": "Why",
    "then": "What followed",
    "tf": "True or false",
    "cloze": "Fill the gap",
    "order": "Order",
}


def kind_name(kind: str) -> str:
    """'Date' for 'when', 'True or false' for 'tf'; an unknown kind as it is, capitalised."""
    return KIND_NAMES.get(kind, kind[:1].upper() + kind[1:])


@dataclass(frozen=True)
class Note:
    """One line the answer page shows under the answer: a label ('Why', 'Date') and its text."""

    label: str
    text: str


LABELS = ("Why", "What followed", "What it leads to", "Note", "The date is not in the article")


def answer_notes(kind: str, prompt: str, answer, explanation: str) -> list[Note]:
    """The explanation as the answer page shows it: said once, without the event the question already
    states, and without the line that only repeats the answer.

    An explanation reads 'DATE: EVENT', then 'Why: ...', 'What followed: ...' (or a curator's label:
    'An example: ...'), 'Note: ...' lines (a true-or-false one opens with its verdict). The event line becomes
    just its date, where the question does not state it; a chronology's lines, which are the dated answer,
    are left to the answer itself.
    """
    if kind == "order":
        return []
    answers = {a.strip() for a in answer} if isinstance(answer, list) else {str(answer).strip()}
    notes: list[Note] = []
    for n, line in enumerate(line.strip() for line in explanation.splitlines() if line.strip()):
        label, sep, text = line.partition(": ")
        curated = n > (kind == "tf") and len(label) <= 41 and not any(c.isdigit() for c in label)
        if sep and (label in LABELS or curated):  # a curator's label for a cause or consequence: "An example"
            if text.strip() not in answers:
                notes.append(Note(label, text.strip()))
        elif n == 0 and kind == "tf":
            if line.rstrip(".") not in answers:
                notes.append(Note("", line))  # "False: this happened in 1947, not in 1952."
        elif sep and len(label) <= 24 and any(c.isdigit() for c in label):
            if kind != "when" and label not in prompt and not any(label in n.text for n in notes):
                # the event line: only its date is news
                notes.append(Note("Date", label))
    return notes

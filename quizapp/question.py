"""A generated question, how a response to it is checked, and a quality rule's flag on it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from quizapp.grading import typed_matches


@dataclass(frozen=True)
class Question:
    """One question; ``answer`` is a list only for chronology (kind ``order``).

    ``meta`` carries what the quality rules need to know about how the question was built
    (the actors behind the choices, the blank's grammatical form); it is not part of the bank.
    """

    id: str
    fact_id: str
    kind: str
    period: str
    prompt: str
    answer: str | list[str]
    choices: list[str]
    explanation: str
    quote: str
    format: str  # choice, year, order, truefalse, typed
    date: str = ""
    actors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    cloze: str = ""  # Anki cloze text, {{c1::...}}, for kind "cloze"
    accept: list[str] = field(default_factory=list)  # other typed answers that count as right
    note: str = ""  # where the article is wrong or disputed
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["meta"]
        return data


def check_response(fmt: str, answer: str | list[str], response: str | list[str],
                   accept: list[str] | tuple[str, ...] = ()) -> bool:
    """Check a learner's response the way the question's format demands."""
    if fmt == "order":
        return isinstance(response, list) and list(response) == list(answer)
    if isinstance(response, list):
        return False
    if fmt == "year":
        return response.strip() == answer
    if fmt == "typed":
        return typed_matches(response, [answer, *accept])
    return response == answer


@dataclass
class Flag:
    """A question a quality rule flagged, with the rule's one-line reason."""

    rule: str
    question: Question
    reason: str
    waived: str = ""  # the curator's reason, when the fact waives the rule

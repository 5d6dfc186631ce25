"""Turn a subject's facts into a bank of questions.

Each fact yields the questions its data supports, one generator per kind
(``GENERATORS``). Every question draws its randomness from its own
``Random(f"{seed}:{question_id}")``, so the bank is byte-identical for the
same facts and seed. Every candidate question then goes through the quality
rules of :mod:`quizapp.rules`; one that a rule flags (and the fact does not
waive) is withheld from the bank and reported by ``quizapp lint``.
"""

from __future__ import annotations

from quizapp.bank import CHOICES, Bank, shuffled, stated_date, unordered
from quizapp.facts import QUESTION_KINDS, Subject
from quizapp.grading import normalize_answer
from quizapp.kinds import GENERATORS
from quizapp.question import Flag, Question, check_response
from quizapp.rules import check_bank, check_question
from quizapp.wording import BLANK

__all__ = ["KINDS", "BLANK", "CHOICES", "GENERATORS", "Question", "Flag", "Bank", "build_bank", "generate",
           "check_response", "normalize_answer", "shuffled", "stated_date", "unordered"]

KINDS = QUESTION_KINDS


def generate(subject: Subject, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> tuple[list[Question], list[Flag]]:
    """Every question the facts support and the rules pass, and every flag the rules raised."""
    bank = Bank(subject, seed)
    questions = []
    for fact in subject.facts:
        for kind in kinds:
            if kind in fact.skip:
                continue
            for question in GENERATORS[kind](fact, bank, bank.rng(f"{fact.id}:{kind}")):
                tail = question.id.split(":", 1)[1]
                if tail in fact.skip or f"{tail}:1" in fact.skip:  # "who:1": the first who-question alone
                    continue
                flags = check_question(question, fact, bank)
                bank.flags.extend(flags)
                if all(f.waived for f in flags):
                    questions.append(question)
    bank.flags.extend(check_bank(questions, bank))
    return questions, bank.flags


def build_bank(subject: Subject, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> list[Question]:
    """Every question the facts support and the quality rules pass, in fact order then kind order."""
    return generate(subject, seed, kinds)[0]

"""Question generation, with the distractor rules checked over the whole real bank."""

import dataclasses
import json
from collections import Counter

import pytest

from quizapp.facts import normalize_text
from quizapp.generate import KINDS, build_bank, normalize_answer


@pytest.fixture(scope="module")
def facts(subject):
    return {f.id: f for f in subject.facts}


def test_bank_has_every_kind_and_covers_at_least_90_facts(bank):
    assert set(Counter(q.kind for q in bank)) == set(KINDS)
    assert len({q.fact_id for q in bank}) >= 90


def test_question_ids_are_unique_and_derive_from_the_fact(bank):
    ids = [q.id for q in bank]
    assert len(ids) == len(set(ids))
    for q in bank:
        assert q.id.split(":")[:2] == [q.fact_id, q.kind]


def test_every_question_carries_explanation_and_quote(bank, subject):
    source = normalize_text(subject.source_text)
    for q in bank:
        assert q.prompt and q.explanation and q.quote
        for part in q.quote.split(" … "):
            assert normalize_text(part) in source, q.id


def test_choices_are_distinct_and_contain_the_answer_once(bank):
    for q in bank:
        if q.format in ("choice", "truefalse"):
            assert len(q.choices) == len(set(q.choices)), q.id
            assert q.choices.count(q.answer) == 1, q.id
            assert len(q.choices) >= 2


def test_who_distractors_share_the_type_and_are_not_actors_of_the_fact(bank, subject, facts):
    by_name = {a.name: a for a in subject.actors.values()}
    for q in (q for q in bank if q.kind == "who"):
        fact = facts[q.fact_id]
        answer = by_name[q.answer]
        assert answer.id == fact.who_actor
        for choice in q.choices:
            if choice != q.answer:
                assert by_name[choice].type == answer.type, q.id
                assert by_name[choice].id not in fact.actors, q.id
                shared = {n.casefold() for n in by_name[choice].names} & {n.casefold() for n in answer.names}
                assert not shared, f"{q.id}: {choice} could also be read as {q.answer} ({shared})"


def test_when_distractors_are_within_15_years_and_never_the_answer(bank, facts):
    year_questions = [q for q in bank if q.kind == "when" and q.format == "choice" and q.answer.isdigit()]
    assert year_questions
    for q in year_questions:
        assert int(q.answer) == facts[q.fact_id].date.year
        for choice in q.choices:
            assert abs(int(choice) - int(q.answer)) <= 15, q.id


def test_month_and_day_are_asked_only_at_that_precision(bank, facts):
    for q in (q for q in bank if q.kind == "when"):
        precision = facts[q.fact_id].date.precision
        if q.id.endswith(":3"):
            assert precision in ("month", "day")
        if q.id.endswith(":4"):
            assert precision == "day"


@pytest.mark.parametrize("kind, attr", [("why", "causes"), ("then", "consequences")])
def test_reason_distractors_come_from_other_facts_never_this_one(bank, facts, kind, attr):
    questions = [q for q in bank if q.kind == kind]
    assert questions
    owner = {}
    for f in facts.values():
        for text in getattr(f, attr):
            owner.setdefault(normalize_text(text), set()).add(f.id)
    for q in questions:
        fact = facts[q.fact_id]
        assert q.answer in getattr(fact, attr)
        own = {normalize_text(t) for t in fact.causes + fact.consequences}
        for choice in q.choices:
            if choice == q.answer:
                continue
            assert normalize_text(choice) not in own, q.id
            assert owner[normalize_text(choice)] - {fact.id}, q.id


def test_order_questions_have_unambiguous_chronology(bank, facts):
    questions = [q for q in bank if q.kind == "order"]
    assert questions
    by_event = {f.event: f for f in facts.values()}
    for q in questions:
        assert 3 <= len(q.answer) <= 5 and sorted(q.choices) == sorted(q.answer)
        dated = [by_event[e] for e in q.answer]
        assert len({f.period for f in dated}) == 1
        for earlier, later in zip(dated, dated[1:], strict=False):
            assert earlier.date.last_day < later.date.first_day, q.id


def test_false_statements_differ_from_the_true_one_by_a_year_or_an_actor(bank, facts):
    tf = [q for q in bank if q.kind == "tf"]
    answers = Counter(q.answer for q in tf)
    assert answers["True"] > 10 and answers["False"] > 10
    for q in tf:
        fact = facts[q.fact_id]
        if q.answer == "True":
            assert fact.event[1:] in q.prompt
        else:
            assert q.explanation.startswith("False: ")
            assert q.prompt != f"True or false? {fact.event}"


def test_cloze_blanks_a_term_of_the_event(bank, facts):
    for q in (q for q in bank if q.kind == "cloze"):
        assert "_____" in q.prompt and q.answer in facts[q.fact_id].event
        assert "{{c1::" + q.answer + "}}" in q.cloze


def test_same_facts_and_seed_give_a_byte_identical_bank(subject, bank):
    again = build_bank(subject, seed=0)
    assert json.dumps([q.to_dict() for q in again]) == json.dumps([q.to_dict() for q in bank])


def test_another_seed_reshuffles_choices(subject, bank):
    other = build_bank(subject, seed=7)
    assert [q.id for q in other] == [q.id for q in bank]
    assert sum(a.choices != b.choices for a, b in zip(bank, other, strict=True)) > len(bank) // 4


def test_adding_a_fact_leaves_other_questions_unchanged(subject, bank):
    extra = dataclasses.replace(subject.facts[0], id="zz-extra", event="The Soviet Union did something else.",
                                cloze=None)
    grown = dataclasses.replace(subject, facts=subject.facts + (extra,))
    old = {q.id: q for q in bank}
    for q in build_bank(grown, seed=0):
        if q.id in old and q.kind in ("when", "who", "tf", "cloze"):
            assert q == old[q.id]


def test_typed_answers_are_normalised():
    assert normalize_answer("  The  Red-Army! ") == normalize_answer("red army")
    assert normalize_answer("$3 billion") == "$3 billion"


def test_dated_statements_keep_names_capitalised_and_openers_lowercase(bank):
    from quizapp.generate import dated_statement

    assert dated_statement("During the war the USSR armed Syria.", "1982") == \
        "In 1982, during the war the USSR armed Syria."
    assert dated_statement("Andrei Gromyko declared support.", "1947") == "In 1947, Andrei Gromyko declared support."
    for q in (q for q in bank if q.kind == "tf"):
        opener = q.prompt.removeprefix("True or false? ").split(", ", 1)
        if opener[0].startswith("In ") and len(opener) == 2:
            assert opener[1].split(" ", 1)[0] not in {"During", "After", "The", "When", "Following"}, q.id

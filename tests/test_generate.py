"""Question generation, with the distractor rules checked over the whole real bank."""

import dataclasses
import json
import re
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


def test_who_distractors_fit_the_answer_and_are_not_actors_of_the_fact(bank, subject, facts):
    who = [q for q in bank if q.kind == "who"]
    assert len({q.meta["actor"] for q in who}) >= 25  # second actors are asked too, not only the first
    assert any(not q.id.endswith(":who") for q in who)
    for q in who:
        fact = facts[q.fact_id]
        answer = subject.actors[q.meta["actor"]]
        assert answer.id in fact.actors
        first, last = fact.date.year if fact.date else 0, fact.date.last_year if fact.date else 9999
        for aid in q.meta["choice_actors"]:
            other = subject.actors[aid]
            assert other.type == answer.type and other.shares_role(answer), q.id
            assert aid not in fact.actors, q.id
            assert not fact.date or other.active_in(first, last), q.id
            shared = {n.casefold() for n in other.names} & {n.casefold() for n in answer.names}
            assert not shared, f"{q.id}: {other.name} could also be read as {answer.name} ({shared})"


def test_when_distractors_are_near_and_never_a_valid_reading(bank, facts):
    year_questions = [q for q in bank if q.kind == "when" and q.format == "choice" and q.answer.isdigit()]
    assert year_questions
    for q in year_questions:
        fact = facts[q.fact_id]
        assert fact.askable_date is not None and int(q.answer) == fact.date.year
        for choice in q.choices:
            assert abs(int(choice) - int(q.answer)) <= 12, q.id
            assert choice == q.answer or choice not in fact.note, q.id


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
        for reason in getattr(f, attr):
            owner.setdefault(normalize_text(reason.text), set()).add(f.id)
    for q in questions:
        fact = facts[q.fact_id]
        reason = next(r for r in getattr(fact, attr) if r.text == q.answer)
        assert q.quote == reason.quote  # the question shows the article's words for this very claim
        same_side = {normalize_text(r.text) for r in getattr(fact, attr)}
        other_side = fact.consequence_texts if attr == "causes" else fact.cause_texts
        events = {normalize_text(f.event) for f in facts.values() if f.id != fact.id}
        for choice in q.choices:
            if choice == q.answer:
                continue
            assert normalize_text(choice) not in same_side, q.id  # never another right answer
            # a reason of another fact, the other side of this one (what it led to, for "why"), or another event
            # the curator's wrong answers, a reason of another fact, the other side of this one, or another event
            assert choice in reason.wrong or owner.get(normalize_text(choice), set()) - {fact.id} or \
                choice in other_side or normalize_text(choice) in events, (q.id, choice)


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
        assert q.prompt.count("_____") == 1 and q.answer.casefold() in facts[q.fact_id].event.casefold()
        words = q.answer.split()
        assert 1 <= len(words) - (words[0] in ("a", "an")) <= 3  # an article before the blank goes into it
        assert "{{c1::" + q.answer + "}}" in q.cloze


def test_same_facts_and_seed_give_a_byte_identical_bank(subject, bank):
    again = build_bank(subject, seed=0)
    assert json.dumps([q.to_dict() for q in again]) == json.dumps([q.to_dict() for q in bank])


def test_another_seed_reshuffles_choices(subject, bank):
    other = {q.id: q for q in build_bank(subject, seed=7)}
    same = [(q, other[q.id]) for q in bank if q.id in other and q.format == "choice"]
    assert len(same) > sum(q.format == "choice" for q in bank) // 2
    assert sum(a.choices != b.choices for a, b in same) > len(same) // 4


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
    from quizapp.facts import FactDate
    from quizapp.wording import dated_statement

    names = {"Andrei", "Gromyko"}
    assert dated_statement("During the war the USSR armed Syria.", FactDate(1982), names) == \
        "In 1982, during the war the USSR armed Syria."
    assert dated_statement("Andrei Gromyko declared support.", FactDate(1947), names) == \
        "In 1947, Andrei Gromyko declared support."
    assert dated_statement("According to Moscow, it was over.", FactDate(2006, 5, 17), names) == \
        "On 17 May 2006, according to Moscow, it was over."
    assert dated_statement("Talks went on.", FactDate(1970, until=1973), names) == \
        "Between 1970 and 1973, talks went on."
    for q in (q for q in bank if q.kind == "tf"):
        opener = q.prompt.removeprefix("True or false? ").split(", ", 1)
        if opener[0].startswith("In ") and len(opener) == 2:
            assert opener[1].split(" ", 1)[0] not in {"During", "After", "The", "When", "Following", "According"}, q.id
        assert not re.match(r"True or false\? In \d{1,2} ", q.prompt), q.id  # "On 17 May 1963", not "In 17 May"


def test_a_standing_condition_is_asked_why_it_is_so(subject):
    from quizapp.bank import Bank
    from quizapp.kinds import explain, standing, then_questions, why_questions
    from quizapp.wording import present_tense

    assert present_tense("Russia takes its Muslim population, estimated at over 10 percent, into account.")
    assert present_tense("In Russia it is common to view the Jewish world and Israel as one unit.")
    assert present_tense("The Russians continue to play a critical role in Iran's nuclear development.")
    assert not present_tense("A public debate arose in Israel over the country's orientation.")
    assert not present_tense("The authorities of the Soviet Union offered scholarships to Arabs.")
    assert not present_tense("Russia, by its representatives' account, made several requests to the Syrians.")
    assert not present_tense("Western sanctions were imposed on Russia.")  # a plural noun, then its verb
    assert present_tense("Israel gives American needs special consideration.")
    bank = Bank(subject, seed=1)
    fact = next(f for f in subject.facts if f.causes and f.consequences and not f.ask)
    now = dataclasses.replace(fact, date=None, event="Russia takes its Muslim population into account.")
    assert not standing(fact) and standing(now)
    assert [q.prompt for q in why_questions(now, bank, None)][0].startswith(
        "According to the article, why is this so? Russia takes")
    assert [q.prompt for q in then_questions(now, bank, None)][0].startswith(
        "According to the article, what does this lead to? Russia takes")
    assert "\nWhat it leads to: " in explain(now) and "\nWhat followed: " in explain(fact)


def test_a_labelled_reason_is_introduced_by_its_label(subject):
    from quizapp.kinds import explain

    fact = next(f for f in subject.facts if len(f.causes) == 1 and f.consequences)
    cause = dataclasses.replace(fact.causes[0], label="An example:")
    text = explain(dataclasses.replace(fact, causes=(cause,)))
    assert f"\nAn example: {cause.text}" in text and "Why:" not in text and "What followed:" in text


def test_a_context_pins_the_era_of_an_undated_statement(subject):
    from quizapp.bank import Bank, statement
    from quizapp.kinds import cloze_questions

    bank = Bank(subject, seed=1)
    fact = next(f for f in subject.facts if f.date is None and f.cloze and not f.event.startswith(f.cloze))
    assert statement(fact, bank.proper) == fact.event
    pinned = dataclasses.replace(fact, context="In the 1990s")
    assert statement(pinned, bank.proper).startswith("In the 1990s, ")
    [q] = cloze_questions(pinned, bank, None)
    assert q.prompt.startswith("Fill in the blank. In the 1990s, ") and q.answer.endswith(fact.cloze)
    dated = next(f for f in subject.facts if f.date and not f.date_source and not f.date_contested)
    assert not statement(dataclasses.replace(dated, context="In the 1990s"), bank.proper).startswith("In the 1990s")


def test_who_choices_take_the_keys_own_role_before_the_broader_fit():
    from quizapp.facts import Actor
    from quizapp.kinds import role_tiers

    key = Actor("putin", "person", "Putin", roles=("russian-leader",))
    leader = Actor("medvedev", "person", "Medvedev", roles=("russian-leader",))
    official = Actor("mironov", "person", "Mironov", roles=("russian-official",))
    other_leader = Actor("yassin", "person", "Yassin", roles=("palestinian-leader",))
    assert role_tiers(key, [other_leader, official, leader]) == [[leader], [official], [other_leader]]


def test_the_answer_page_shows_a_curators_label():
    from quizapp.presenting import answer_notes

    explanation = "Russia has an interest in arming Israel's foes.\nAn example: Hezbollah used Kornet missiles."
    notes = answer_notes("then", "What follows?", "Something else.", explanation)
    assert [(n.label, n.text) for n in notes] == [("An example", "Hezbollah used Kornet missiles.")]
    tf = "True.\nIn the USSR, Jewish doctors were accused: the Doctors' Plot.\nWhy: a reason."
    assert [n.label for n in answer_notes("tf", "True or false?", "True", tf)] == ["Why"]

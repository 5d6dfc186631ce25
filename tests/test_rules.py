"""Each question-quality rule on a small synthetic subject: the bad case caught, the good case passed."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path
from random import Random

import pytest

from quizapp.facts import FactFileError, load_subject
from quizapp.generate import BLANK, Bank, build_bank, check_response, generate
from quizapp.grading import score
from quizapp.rules import RULES, check_question

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path):
    """A private copy of the synthetic subject, to extend."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def add(folder: Path, text: str, source: str = "") -> None:
    with open(folder / "facts.toml", "a", encoding="utf-8") as f:
        f.write("\n" + text)
    if source:
        with open(folder / "source.txt", "a", encoding="utf-8") as f:
            f.write("\n" + source + "\n")


def built(folder: Path):
    subject = load_subject(folder)
    questions, flags = generate(subject, seed=0)
    return subject, {q.id: q for q in questions}, flags


def flag_of(subject, question, rule):
    """The named rule's verdict on one question."""
    bank = Bank(subject, 0)
    fact = bank.facts[question.fact_id]
    return RULES[rule].check(question, fact, bank)


@pytest.fixture(scope="module")
def clean():
    subject = load_subject(MINI)
    questions, flags = generate(subject, seed=0)
    return subject, {q.id: q for q in questions}, flags


def test_the_synthetic_subject_is_lint_clean_and_has_every_kind(clean):
    _, questions, flags = clean
    assert flags == []
    assert {q.kind for q in questions.values()} == {"when", "who", "why", "then", "order", "tf", "cloze"}


def test_one_blank(clean):
    subject, questions, _ = clean
    q = questions["trade-treaty:who"]
    assert flag_of(subject, q, "one-blank") is None
    two = dataclasses.replace(q, prompt=q.prompt.replace("Atlantis", BLANK))
    assert "2 blanks" in flag_of(subject, two, "one-blank")


def test_an_actor_named_twice_gets_no_blank(mini):
    add(mini, '''[[fact]]
id = "syldavia-twice"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "Syldavia signed a trade treaty with Atlantis, and Syldavia kept it."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    _, questions, _ = built(mini)
    assert "syldavia-twice:who" not in questions
    assert "syldavia-twice:when" in questions and "syldavia-twice:order" in questions


def test_blank_grammar_glued_blanks_names_and_articles(clean):
    subject, questions, _ = clean
    with_article = [q for q in questions.values() if q.kind == "who" and "the Ostrava Republic" in q.choices]
    assert with_article  # the article goes inside the choice, never before the blank
    for q in with_article:
        assert not q.prompt.split(BLANK)[0].endswith("the ") and flag_of(subject, q, "blank-grammar") is None
    q = with_article[0]
    for bad, why in [(f"A {BLANK}-Syldavian arms deal.", "cuts a word"),
                     (f"Trade with the {BLANK} grew.", "article"),
                     (f"Varn walked in the {BLANK} Compound.", "article"),
                     (f"Varn walked in {BLANK} Compound.", "inside a longer name")]:
        assert why in flag_of(subject, dataclasses.replace(q, prompt=bad), "blank-grammar"), bad


def test_adjective_mentions_get_adjective_choices(mini):
    add(mini, '''[[fact]]
id = "bordurian-grain"
period = "early"
date = "1925"
actors = ["syldavia"]
event = "The Syldavian grain reached the market."
quote = "In 1925, the Syldavian grain reached the market."
''', "In 1925, the Syldavian grain reached the market.")
    subject, questions, _ = built(mini)
    q = questions["bordurian-grain:who"]
    assert q.prompt.endswith(f"In 1925, the {BLANK} grain reached the market.")
    assert q.answer == "Syldavian" and all(c.endswith(("ian", "ean")) for c in q.choices), q.choices
    nouns = dataclasses.replace(q, meta={**q.meta, "choice_actors": ["ostrava", *q.meta["choice_actors"][1:]]})
    assert "no adjective form" in flag_of(subject, nouns, "blank-grammar")


def test_a_blank_never_cuts_a_compound(mini):
    add(mini, '''[[fact]]
id = "arms-deal"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "A Syldavian-Atlantean arms deal was signed."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    _, questions, _ = built(mini)
    assert not [qid for qid in questions if qid.startswith("arms-deal:who")]


def test_distractors_fit_type_era_and_role(clean):
    subject, questions, _ = clean
    # Novania exists from 1947: never a wrong answer for 1921-1944, offered after.
    early = [q for q in questions.values() if q.kind == "who" and "/" not in q.date and int(q.date[:4]) < 1947]
    assert early and all("Novania" not in q.choices for q in early)
    # a newspaper is never offered as a ruling party
    party = questions["unity-party-rejects-war:who"]
    assert "The Daily Herald" not in party.choices and "The Morning Post" not in party.choices
    # a leader of 1880-1910 is never a 1930 prime minister
    assert "Old King Ruv" not in questions["varn-visits-syldavia:who"].choices
    q = questions["borduria-recognizes-atlantis:tf"]
    bad = dataclasses.replace(q, answer="False", meta={"swap": "actor", "actor": "novania"})
    assert "did not exist" in flag_of(subject, bad, "distractor-fit")
    media = dataclasses.replace(party, meta={**party.meta, "choice_actors": ["daily-herald"]})
    assert "cannot fill the role" in flag_of(subject, media, "distractor-fit")


def test_also_true_guard(clean, mini):
    subject, questions, _ = clean
    restored = questions.get("relations-restored:tf")
    assert restored is not None
    # Carpania restored relations too: it may never be the "wrong" actor in Borduria's place
    bad = dataclasses.replace(restored, answer="False", meta={"swap": "actor", "actor": "carpania"})
    assert "also takes part" in flag_of(subject, bad, "also-true")
    # a year inside the event's own span, or one its note contests, is never wrong
    add(mini, '''[[fact]]
id = "treaty-contested"
period = "early"
date = "1925"
note = "Other sources date the treaty to 1926."
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis put a treaty on paper."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    subject2, questions2, _ = built(mini)
    # a date the note contests: asked only as what the article says, never typed or stated bare as true or
    # false, the note's year never a wrong choice, and the note shown with the answer
    assert [q for q in questions2 if q.startswith("treaty-contested:when")] == ["treaty-contested:when"]
    contested = questions2["treaty-contested:when"]
    assert contested.prompt.startswith("According to the article, in which year") and "1926" not in contested.choices
    assert "treaty-contested:tf" not in questions2
    assert "Note: Other sources date the treaty to 1926." in questions2["treaty-contested:cloze"].explanation \
        if "treaty-contested:cloze" in questions2 else questions2["treaty-contested:who"].explanation
    bad_year = dataclasses.replace(questions2["trade-treaty:when"], fact_id="treaty-contested",
                                   meta={"wrong_years": [1926]})
    assert "contested" in flag_of(subject2, bad_year, "also-true")
    # a sibling fact saying the same of the same actor: its year is no wrong answer
    add(mini, '''[[fact]]
id = "trade-treaty-again"
period = "early"
date = "1928"
actors = ["syldavia", "atlantis"]
event = "Syldavia signed a second trade treaty with Atlantis."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
date_source = "a test of the sibling guard"
ask_date = true
''')
    subject3, questions3, _ = built(mini)
    assert "1928" not in questions3["trade-treaty:when"].choices
    assert "1925" not in questions3["trade-treaty-again:when"].choices
    # typed, 1928 would be right for the like event: no typed year for either
    assert "trade-treaty:when:2" not in questions3 and "trade-treaty-again:when:2" not in questions3


def test_reason_distractors_are_never_true_of_the_event(clean):
    subject, questions, _ = clean
    q = questions["embassy-attacked:then"]
    bad = dataclasses.replace(q, choices=[q.answer, "Borduria ended relations with Atlantis.", "x", "y"])
    assert "says what this fact says" in flag_of(subject, bad, "also-true")


def test_giveaway_guard(clean):
    subject, questions, _ = clean
    when = questions["trade-treaty:when"]
    assert flag_of(subject, when, "giveaway") is None
    leaked = dataclasses.replace(when, prompt=when.prompt.replace("signed", "signed in 1925"))
    assert "contains the year" in flag_of(subject, leaked, "giveaway")
    who = questions["varn-visits-syldavia:who"]
    titled = dataclasses.replace(who, prompt=f"Who fills the blank? Prime Minister {BLANK} visited Syldavia.")
    assert "points at one choice" in flag_of(subject, titled, "giveaway")
    named = dataclasses.replace(who, prompt=f"Who fills the blank? {BLANK} visited Syldavia, as Varn wished.")
    assert "still names" in flag_of(subject, named, "giveaway")
    why = questions["varn-visits-syldavia:why"]
    echo = dataclasses.replace(why, prompt=why.prompt + " He wanted support against Borduria from Syldavia.",
                               choices=[why.answer, "Trade grew.", "A pact was formed.", "Grain was sent."])
    assert "repeats the prompt" in flag_of(subject, echo, "giveaway")


def test_titles_go_into_the_blank(mini):
    add(mini, '''[[fact]]
id = "varn-titled"
period = "early"
date = "1930-03"
actors = ["hal-varn", "syldavia"]
who_wrong = { hal-varn = ["ana-ross", "bo-lind", "mira-tal"] }  # with this fact, Varn acts in a fifth of the facts
event = "Prime Minister Hal Varn went to Syldavia."
quote = "In March 1930, Prime Minister Hal Varn of Atlantis visited Syldavia"
''')
    _, questions, _ = built(mini)
    q = questions["varn-titled:who"]
    assert q.prompt.endswith(f"{BLANK} went to Syldavia.") and "Prime Minister" not in q.prompt


def test_restated_event_and_dangling_reference(clean):
    subject, questions, _ = clean
    why = questions["varn-visits-syldavia:why"]
    assert "restates" in flag_of(subject, dataclasses.replace(why, answer="Hal Varn, Prime Minister of Atlantis, "
                                                              "visited Syldavia."), "restates-event")
    when = questions["trade-treaty:when"]
    assert "that year" in flag_of(subject, dataclasses.replace(when, prompt=when.prompt + " It rained that year."),
                                  "dangling-reference")


def test_loose_dates_are_never_asked_or_ordered(clean):
    subject, questions, _ = clean
    assert not [qid for qid in questions if qid.startswith("union-talks:when")]
    assert "union-talks:order" not in questions
    assert all("union-talks" not in q.meta.get("facts", []) for q in questions.values() if q.kind == "order")
    tf = questions["union-talks:tf"]
    assert tf.prompt.startswith("True or false? In the 1940s, ")  # a span as people write it, never one year
    order = next(q for q in questions.values() if q.kind == "order")
    bad = dataclasses.replace(order, meta={"facts": ["union-talks", *order.meta["facts"][1:]]})
    assert "no exact date" in flag_of(subject, bad, "unsupported-date")


def test_true_false_is_balanced_plausible_and_well_written(clean):
    subject, questions, _ = clean
    tf = [q for q in questions.values() if q.kind == "tf"]
    counts = Counter(q.answer for q in tf)
    assert abs(counts["True"] / len(tf) - 0.5) <= 0.05
    for q in tf:
        assert " In 9 February" not in q.prompt and "In 9 " not in q.prompt
        if q.meta.get("swap") == "year":
            fact = subject.facts[[f.id for f in subject.facts].index(q.fact_id)]
            assert 1920 <= q.meta["year"] <= 1950 and abs(q.meta["year"] - fact.date.year) <= 6
    assert questions["embassy-attacked:tf"].prompt.startswith("True or false? On 9 February 19")
    q = questions["borduria-recognizes-atlantis:tf"]
    absurd = dataclasses.replace(q, answer="False", meta={"swap": "year", "year": 1915})
    assert "outside the period" in flag_of(subject, absurd, "tf-plausible")
    before_birth = dataclasses.replace(questions["novania-summit:tf"], answer="False",
                                       meta={"swap": "year", "year": 1945})
    assert "did not exist in 1945" in flag_of(subject, before_birth, "tf-plausible")


def test_tf_balance_is_flagged_when_a_period_leans(clean):
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    tf = [dataclasses.replace(q, answer="True") for q in questions.values() if q.kind == "tf"]
    flagged = list(RULES["tf-balance"].check_bank(tf, bank))
    assert flagged and "not 50%" in flagged[0][1]


def test_order_questions_never_repeat_a_set_or_mix_overlapping_dates(clean):
    subject, questions, _ = clean
    orders = [q for q in questions.values() if q.kind == "order"]
    assert len({frozenset(q.meta["facts"]) for q in orders}) == len(orders)
    bank = Bank(subject, 0)
    assert list(RULES["order-repeat"].check_bank(orders + orders[:1], bank))
    mixed = dataclasses.replace(orders[0], meta={"facts": ["herald-calls-for-war", "unity-party-rejects-war",
                                                           "trade-treaty"]})
    assert "same time" in flag_of(subject, mixed, "order-precise")


def test_cloze_keys_are_short_whole_words_with_alternatives(clean, mini):
    subject, questions, _ = clean
    q = questions["varn-visits-syldavia:cloze"]
    assert q.answer == "Hal Varn" and "Varn" in q.accept
    assert "nobody types" in flag_of(subject, dataclasses.replace(q, answer="w x y z"), "cloze-key")
    assert flag_of(subject, dataclasses.replace(q, answer="an x y z"), "cloze-key") is None  # the blank's article
    assert "trivial" in flag_of(subject, dataclasses.replace(q, answer="the"), "cloze-key")
    add(mini, '''[[fact]]
id = "long-cloze"
period = "early"
date = "1925"
actors = ["syldavia"]
event = "Syldavia signed a long trade treaty."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
cloze = "signed a long trade"
''')
    with pytest.raises(FactFileError, match="more than 3 words"):
        load_subject(mini)


def test_typed_answers_forgive_a_typo_but_never_in_numbers():
    assert check_response("typed", "Partition Plan", "partition plna")
    assert check_response("typed", "Hal Varn", "varn", accept=["Varn"])
    assert not check_response("typed", "Partition Plan", "Marshall Plan")
    assert not check_response("typed", "nine", "none")  # short words must be exact
    assert not check_response("typed", "$3 billion", "$4 billion")
    assert not check_response("year", "1948", "1984")
    assert score("short", ["main Soviet foothold"], "main soviet fothold") == 1.0


def test_typed_numbers_must_be_exact_but_their_words_forgive_a_typo():
    assert not check_response("typed", "Alexander III", "Alexander II")  # one edit, another tsar
    assert not check_response("typed", "Alexander II", "Alexander III")
    assert not check_response("typed", "Alexander II", "Alexander I")
    assert not check_response("typed", "World War I", "World War II")
    assert not check_response("typed", "Pope John Paul II", "Pope John Paul I")
    assert not check_response("typed", "the 2nd Lebanon War", "3rd Lebanon War")
    assert not check_response("typed", "Resolution 242", "Resolution 243")
    assert not check_response("typed", "Resolution 242", "Resolution242")
    assert check_response("typed", "Alexander III", "alexandr iii")  # the letters may slip, the numeral not
    assert check_response("typed", "Alexander III", "Alexander III.")
    assert check_response("typed", "Resolution 242", "Resolutoin 242")
    assert check_response("typed", "the 2nd Lebanon War", "2nd Lebanon Wr")
    assert check_response("typed", "Civil War", "Civl War")  # letters that could spell a numeral are no numeral


def test_a_short_word_forgives_a_slip_but_never_becomes_another_word():
    assert not check_response("typed", "West Jerusalem", "East Jerusalem")  # one letter, the opposite answer
    assert not check_response("typed", "West Jerusalem", "Jerusalem", accept=["W. Jerusalem"])
    assert check_response("typed", "West Jerusalem", "Wset Jerusalem")  # letters swapped
    assert check_response("typed", "the 2nd Lebanon War", "2nd Lebanon Wr")  # a letter missing
    assert check_response("typed", "Partition Plan", "partition plna")
    assert not check_response("typed", "Partition Plan", "Partition Plat")  # a letter for another: a new word
    assert check_response("typed", "Soviet Union", "sovietunion")  # a space
    assert check_response("typed", "35%", "35 %") and check_response("typed", "35 percent", "35 per cent")
    assert not check_response("typed", "35%", "36 %")


def test_a_waiver_keeps_the_question_and_names_its_reason(mini):
    add(mini, '''[[fact]]
id = "waived-year"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis signed the Treaty of 1925."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
waive = [{ rule = "giveaway", reason = "the treaty is named after its year" }]
''')
    _, questions, flags = built(mini)
    assert "waived-year:when" in questions
    flag = next(f for f in flags if f.question.id == "waived-year:when")
    assert flag.rule == "giveaway" and flag.waived == "the treaty is named after its year"


def test_an_unwaived_flag_withholds_the_question(mini):
    add(mini, '''[[fact]]
id = "leaky-year"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis signed the Treaty of 1925."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    _, questions, flags = built(mini)
    assert "leaky-year:when" not in questions
    assert any(f.rule == "giveaway" and f.question.id == "leaky-year:when" and not f.waived for f in flags)


def test_every_rule_is_listed_once_with_a_summary():
    assert len(RULES) >= 12
    for name, rule in RULES.items():
        assert rule.name == name and rule.summary and (rule.check or rule.check_bank)


def test_check_question_reports_each_rule_by_name(clean):
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    q = questions["trade-treaty:who"]
    bad = dataclasses.replace(q, prompt=f"{BLANK} and {BLANK} signed in 1925 that year.")
    names = {f.rule for f in check_question(bad, bank.facts[q.fact_id], bank)}
    assert {"one-blank", "dangling-reference"} <= names


def test_the_bank_is_byte_identical_for_the_same_facts_and_seed():
    subject = load_subject(MINI)
    first = [q.to_dict() for q in build_bank(subject, 3)]
    assert first == [q.to_dict() for q in build_bank(subject, 3)]


def test_a_person_answer_written_unlike_its_distractors_is_a_giveaway(clean):
    subject, questions, _ = clean
    q = questions["varn-visits-syldavia:who"]
    assert flag_of(subject, q, "giveaway") is None
    odd = dataclasses.replace(q, choices=["Hal Varn", "Ross", "Lind", "Tal"])
    assert "different shape" in flag_of(subject, odd, "giveaway")


def test_a_name_opening_the_statement_keeps_its_capitals():
    from quizapp.facts import FactDate
    from quizapp.wording import dated_statement

    assert dated_statement("Defense News estimated the loss.", FactDate(2014), {"Defense News"}) == \
        "In 2014, Defense News estimated the loss."


def test_a_body_and_its_parts_are_never_each_others_distractors(clean):
    from quizapp.facts import Actor

    subject, _, _ = clean
    league = Actor("league", "state", "League", role := ("power",))
    council = Actor("league-council", "state", "League Council", roles=role, part_of="league")
    assembly = Actor("league-assembly", "state", "League Assembly", roles=role, part_of="league")
    chamber = Actor("league-chamber", "state", "League Chamber", roles=role, part_of="league-council")
    grown = dataclasses.replace(subject, actors={**subject.actors, "league": league, "league-council": council,
                                                 "league-assembly": assembly, "league-chamber": chamber})
    assert grown.related("league-council", "league") and grown.related("league-council", "league-assembly")
    assert grown.related("league-chamber", "league-assembly") and not grown.related("league", "carpania")
    bank = Bank(grown, 0)
    fact = bank.facts["trade-treaty"]
    offered = {a.id for a in bank.fitting_actors(fact, council)}
    assert not offered & {"league", "league-assembly"} and "carpania" in offered


def test_reason_distractors_never_come_from_the_same_passage(mini):
    add(mini, '''[[fact]]
id = "grain-after-visit"
period = "early"
actors = ["syldavia", "atlantis"]
event = "Syldavia sent grain to Atlantis."
quote = "Following the visit, Syldavia sent grain to Atlantis."
[[fact.causes]]
text = "Varn had asked for support against Borduria."
quote = "in order to win its support against Borduria"
link = "in order to"
''')
    subject, questions, _ = built(mini)
    bank = Bank(subject, 0)
    visit = bank.facts["varn-visits-syldavia"]
    own = bank.paragraphs_of(visit.quotes)
    for qid in ("varn-visits-syldavia:why", "varn-visits-syldavia:then"):
        if qid in questions:
            for choice in questions[qid].choices:
                if choice != questions[qid].answer and choice not in visit.cause_texts + visit.consequence_texts:
                    reason = next(r for f in subject.facts for r in f.causes + f.consequences if r.text == choice)
                    assert not bank.paragraphs_of([reason.quote]) & own, (qid, choice)


def test_a_hand_phrased_question_that_cannot_be_built_is_flagged(mini):
    add(mini, '''[[fact]]
id = "tal-hand"
period = "early"
date = "1941"
actors = ["mira-tal", "hal-varn"]
event = "Mira Tal met Hal Varn."
quote = "In 1941, Mira Tal, the foreign minister of Syldavia, met Hal Varn in the Atlantean capital."
ask.who = "Which foreign minister met Hal Varn in 1941?"
''')
    _, questions, flags = built(mini)
    assert "tal-hand:who" not in questions
    assert any(f.rule == "hand-phrased" and "ask.who of 'tal-hand'" in f.reason for f in flags)


def test_a_swapped_actor_keeps_its_article_and_a_possessive_name_its_capital(clean):
    from quizapp.facts import FactDate
    from quizapp.wording import dated_statement

    subject, questions, _ = clean
    bank = Bank(subject, 0)
    fact = dataclasses.replace(bank.facts["trade-treaty"], event="A treaty was signed by Syldavia.",
                               who_wrong={"syldavia": ("ostrava", "carpania", "borduria")})
    seen = 0
    for n in range(40):  # every falsehood that swaps in the Ostrava Republic writes its "the"
        for statement, _, meta in bank.falsehoods(fact, rng=Random(n)):
            if meta.get("actor") == "ostrava":
                assert "by the Ostrava Republic" in statement
                seen += 1
    assert seen
    assert dated_statement("Syria's envoy spoke.", FactDate(2016), {"Syria"}) == "In 2016, Syria's envoy spoke."


def test_a_leader_of_a_state_in_the_event_is_never_a_widened_wrong_answer(clean):
    from quizapp.facts import Actor

    subject, _, _ = clean
    bord_leader = Actor("bord-chief", "person", "Kar Bord", roles=("borduria-leader",), start=1920)
    syl_envoy = Actor("syl-envoy", "person", "Ina Vale", roles=("syldavia-leader",), start=1920)
    grown = dataclasses.replace(subject, actors={**subject.actors, "bord-chief": bord_leader, "syl-envoy": syl_envoy})
    bank = Bank(grown, 0)
    fact = dataclasses.replace(bank.facts["varn-visits-syldavia"], actors=("hal-varn", "syldavia"))
    offered = {a.id for a in bank.fitting_actors(fact, bank.actor("hal-varn"))}
    # the same kind of role, but tied to Syldavia, which the event names
    assert "bord-chief" in offered and "syl-envoy" not in offered


def test_a_person_tied_to_a_named_state_gets_wrong_answers_from_that_state(clean):
    from quizapp.facts import Actor

    subject, _, _ = clean
    envoy = Actor("syl-envoy", "person", "Ina Vale", roles=("syldavia-official",), start=1920)
    chief = Actor("syl-chief", "person", "Oto Berk", roles=("syldavia-leader",), start=1920)
    other = Actor("carp-chief", "person", "Lev Sand", roles=("carpania-leader",), start=1920)
    grown = dataclasses.replace(subject, actors={**subject.actors, "syl-envoy": envoy, "syl-chief": chief,
                                                 "carp-chief": other})
    bank = Bank(grown, 0)
    fact = dataclasses.replace(bank.facts["trade-treaty"], event="Ina Vale, the Syldavian envoy, signed a treaty.",
                               actors=("syl-envoy", "syldavia"))
    offered = {a.id for a in bank.fitting_actors(fact, envoy)}
    assert "syl-chief" in offered and "carp-chief" not in offered


def test_blanks_that_would_read_wrong_or_be_true_for_others_are_not_made(mini):
    add(mini, '''[[fact]]
id = "syldavia-stays-away"
period = "early"
date = "1925"
actors = ["syldavia", "carpania"]
event = "Syldavia did not attend the summit that Carpania held."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."

[[fact]]
id = "varn-era"
period = "early"
date = "1930-03"
actors = ["syldavia", "hal-varn"]
event = "Syldavia grew rich in the Hal Varn era."
quote = "In March 1930, Prime Minister Hal Varn of Atlantis visited Syldavia"

[[fact]]
id = "carpania-government"
period = "early"
date = "1925"
actors = ["syldavia", "carpania"]
event = "Syldavia praised the Carpania government and 3 million Carpania traders."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."

[[fact]]
id = "an-debt"
period = "early"
date = "1925"
actors = ["atlantis", "syldavia", "hal-varn"]
event = "Atlantis erased an Syldavian debt, as former Hal Varn had asked."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."

[[fact]]
id = "tal-appositive"
period = "early"
date = "1941"
actors = ["mira-tal", "hal-varn"]
event = "Mira Tal, the foreign minister of Syldavia, met Hal Varn."
quote = "In 1941, Mira Tal, the foreign minister of Syldavia, met Hal Varn in the Atlantean capital."
''')
    subject, questions, _ = built(mini)
    # a negative statement: other states "did not attend" either, so no who-question on the one who acted
    assert "syldavia-stays-away:who" not in questions and "syldavia-stays-away:when" in questions
    bank = Bank(subject, 0)  # and no actor swapped into it
    assert not [m for _, _, m in bank.falsehoods(bank.facts["syldavia-stays-away"]) if m["swap"] == "actor"]
    assert "varn-era:who:2" not in questions  # "the Hal Varn era": a name used as an adjective
    assert "carpania-government:who:2" not in questions  # "the Carpania government", "3 million Carpania"
    assert "tal-appositive:cloze" not in questions  # "Mira Tal, the foreign minister": the apposition tells
    assert "an-debt:who:2" not in questions and "an-debt:who:3" not in questions  # "an _____", "former _____"
    # Atlantis, in most facts, is asked only where it acts
    assert not [q for q in questions.values() if q.kind == "who" and q.meta["actor"] == "atlantis"
                and not q.id.endswith(":who")]


def test_a_cue_or_a_person_of_the_answer_in_the_prompt_gives_it_away(mini):
    with open(mini / "subject.toml", "a", encoding="utf-8") as f:
        f.write('''
[actor.oto-berk]
type = "person"
name = "Oto Berk"
role = ["syldavia-leader"]
from = 1920
''')
    text = (mini / "subject.toml").read_text()
    text = text.replace('name = "Syldavia"\n', 'name = "Syldavia"\ncues = ["Grain Board"]\n')
    (mini / "subject.toml").write_text(text)
    add(mini, '''[[fact]]
id = "berk-hosts"
period = "early"
date = "1925"
actors = ["atlantis", "syldavia", "oto-berk"]
event = "Atlantis sent envoys to Syldavia, where Oto Berk received them."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."

[[fact]]
id = "grain-board"
period = "early"
date = "1925"
actors = ["atlantis", "syldavia"]
event = "Atlantis bought wheat from Syldavia through the Grain Board."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    subject, questions, _ = built(mini)
    assert "berk-hosts:who:2" not in questions and "grain-board:who:2" not in questions
    bank = Bank(subject, 0)
    syldavia, wrong = bank.actor("syldavia"), [bank.actor("borduria"), bank.actor("carpania")]
    assert bank.pointer(f"Atlantis sent envoys to {BLANK}, where Oto Berk received them.", syldavia, wrong) == \
        "Oto Berk"
    assert bank.pointer(f"Wheat came from {BLANK} through the Grain Board.", syldavia, wrong) == "Grain Board"
    assert bank.pointer(f"Atlantis sent envoys to {BLANK}.", syldavia, wrong) is None
    q = questions["berk-hosts:cloze"] if "berk-hosts:cloze" in questions else questions["trade-treaty:cloze"]
    fact = dataclasses.replace(bank.facts[q.fact_id], note=f"Some sources doubt the {q.answer}.")
    assert "note speaks of the key" in RULES["disputed-key"].check(q, fact, bank)


def test_a_curator_names_what_is_also_true_and_what_not_to_ask(mini):
    add(mini, '''[[fact]]
id = "treaty-also"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "Syldavia signed a commercial pact with Atlantis."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
also_true = ["borduria", "carpania", "1926"]
skip = ["cloze", "when:2"]
''')
    subject, questions, _ = built(mini)
    bank = Bank(subject, 0)
    fact = bank.facts["treaty-also"]
    assert not {"borduria", "carpania"} & {a.id for a in bank.fitting_actors(fact, bank.actor("syldavia"))}
    assert 1926 not in bank.wrong_years(fact, spread=12)
    assert "treaty-also:cloze" not in questions and "treaty-also:when:2" not in questions
    assert "treaty-also:when" in questions and "1926" not in questions["treaty-also:when"].choices
    bad = dataclasses.replace(questions["treaty-also:when"], meta={"wrong_years": [1926]})
    assert "contested" in flag_of(subject, bad, "also-true")


def test_also_true_and_skip_are_checked(mini):
    add(mini, '''[[fact]]
id = "bad-keys"
period = "early"
actors = ["syldavia"]
event = "Syldavia grew."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
also_true = ["nowhere"]
skip = ["how"]
''')
    with pytest.raises(FactFileError) as info:
        load_subject(mini)
    assert {p.field for p in info.value.problems} == {"also_true", "skip"}


def test_an_actor_with_two_spans_of_existence_is_no_wrong_answer_between_them(mini):
    text = (mini / "subject.toml").read_text()
    text = text.replace('name = "Carpania"\n', 'name = "Carpania"\nactive = [[1900, 1922], [1940, 1950]]\n')
    (mini / "subject.toml").write_text(text)
    subject, questions, _ = built(mini)
    carpania = subject.actors["carpania"]
    assert carpania.active_in(1921) and not carpania.active_in(1930) and carpania.active_in(1925, 1945)
    for q in questions.values():
        if q.kind == "who" and "/" not in q.date and 1923 <= int(q.date[:4]) <= 1939:
            assert "carpania" not in q.meta["choice_actors"], q.id
    (mini / "subject.toml").write_text(text.replace("active = [[1900, 1922], [1940, 1950]]\n",
                                                    "active = [[1900, 1922]]\nfrom = 1900\n"))
    with pytest.raises(FactFileError, match="instead of from and until"):
        load_subject(mini)


def test_why_offers_what_the_event_led_to_and_then_what_caused_it(clean):
    subject, questions, _ = clean
    why, then = questions["varn-visits-syldavia:why"], questions["varn-visits-syldavia:then"]
    assert "Syldavia sent grain to Atlantis." in why.choices  # a result, so no reason why: wrong by the source
    assert "He wanted Syldavia's support against Borduria." in then.choices  # a reason, so not what followed
    assert flag_of(subject, why, "also-true") is None and flag_of(subject, then, "also-true") is None


def test_a_curators_wrong_answers_come_first(mini):
    add(mini, '''[[fact]]
id = "grain-deal"
period = "early"
actors = ["syldavia", "atlantis"]
event = "Syldavia shipped grain to Atlantis."

quote = "Following the visit, Syldavia sent grain to Atlantis."

[[fact.causes]]
text = "Hal Varn had visited Syldavia."
quote = "Following the visit, Syldavia sent grain to Atlantis."
link = "Following"
wrong = ["Atlantis had suffered a drought.", "Syldavia had a grain surplus to sell."]
''')
    _, questions, _ = built(mini)
    q = questions["grain-deal:why"]
    assert {"Atlantis had suffered a drought.", "Syldavia had a grain surplus to sell."} <= set(q.choices)
    assert len(q.choices) == 4 and q.answer == "Hal Varn had visited Syldavia."


def test_a_name_with_too_few_fair_wrong_choices_is_typed(mini):
    add(mini, '''[[fact]]
id = "tal-alone"
period = "early"
date = "1941"
actors = ["mira-tal"]
event = "Mira Tal opened the Syldavian archives."
quote = "In 1941, Mira Tal, the foreign minister of Syldavia, met Hal Varn in the Atlantean capital."
''')
    _, questions, _ = built(mini)
    q = questions["tal-alone:who"]
    assert q.format == "typed" and q.answer == "Mira Tal" and q.prompt.endswith("Type the name.")
    assert check_response(q.format, q.answer, "mira tall", q.accept)


def test_a_curator_may_have_a_who_question_typed(mini):
    add(mini, '''[[fact]]
id = "typed-treaty"
period = "early"
date = "1925"
actors = ["syldavia", "ostrava"]
event = "Syldavia signed a treaty with the Ostrava Republic."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
typed = ["who:2"]
''')
    _, questions, _ = built(mini)
    typed = questions["typed-treaty:who:2"]
    assert typed.format == "typed" and typed.choices == [] and typed.answer == "the Ostrava Republic"


def add_actor(folder: Path, text: str) -> None:
    with open(folder / "subject.toml", "a", encoding="utf-8") as f:
        f.write("\n" + text)


def test_a_curator_names_the_wrong_choices_and_the_rules_still_check_them(mini):
    add_actor(mini, '''[actor.zembla]
type = "state"
name = "Zembla"
role = ["kingdom"]
from = 1920
curated_only = true
''')
    add(mini, '''[[fact]]
id = "tal-alone"
period = "early"
date = "1941"
actors = ["mira-tal"]
event = "Mira Tal opened the Syldavian archives."
quote = "In 1941, Mira Tal, the foreign minister of Syldavia, met Hal Varn in the Atlantean capital."
who_wrong = { mira-tal = ["ana-ross", "bo-lind", "old-king"] }
''')
    subject, questions, flags = built(mini)
    # the old king's reign ended in 1910: the era check still applies to curated choices, so the question is withheld
    assert "tal-alone:who" not in questions
    [flag] = [f for f in flags if f.question.id == "tal-alone:who"]
    assert flag.rule == "distractor-fit" and "did not exist or hold its role" in flag.reason
    # the curator's choices replace a typed question, exactly as named
    q = flag.question
    king = subject.actors["old-king"].name
    assert q.format == "choice" and sorted(q.choices) == sorted(["Ana Ross", "Bo Lind", "Mira Tal", king])
    # an actor kept for curators only is never picked by the generator itself
    assert not any("Zembla" in c for q in questions.values() for c in q.choices)


def test_curated_wrong_choices_must_be_known_actors_of_the_same_type(mini):
    add(mini, '''[[fact]]
id = "bad-curation"
period = "early"
date = "1941"
actors = ["mira-tal", "syldavia"]
event = "Mira Tal opened the Syldavian archives."
quote = "In 1941, Mira Tal, the foreign minister of Syldavia, met Hal Varn in the Atlantean capital."
who_wrong.mira-tal = ["ana-ross", "bo-lind", "carpania"]
who_wrong.syldavia = ["carpania", "ostrava"]
who_wrong.hal-varn = ["a", "b", "c"]
''')
    with pytest.raises(FactFileError) as caught:
        load_subject(mini)
    text = str(caught.value)
    assert "field 'who_wrong.mira-tal': 'carpania' is a state, 'mira-tal' a person" in text
    assert "field 'who_wrong.syldavia': lists exactly 3 different actor ids" in text
    assert "field 'who_wrong.hal-varn': 'hal-varn' is not one of this fact's actors" in text


def test_who_1_skips_the_first_who_question_alone(mini):
    add(mini, '''[[fact]]
id = "two-asked"
period = "early"
date = "1925"
actors = ["syldavia", "ostrava"]
event = "Syldavia signed a treaty with the Ostrava Republic."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
typed = ["who:2"]
skip = ["who:1"]
''')
    _, questions, _ = built(mini)
    assert "two-asked:who" not in questions and "two-asked:who:2" in questions


def test_an_article_before_a_cloze_blank_goes_into_it(mini):
    add(mini, '''[[fact]]
id = "article-cloze"
period = "early"
date = "1925"
actors = ["syldavia"]
event = "Syldavia signed an accord with Atlantis."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
cloze = "accord"
cloze_accept = ["agreement"]
''')
    _, questions, _ = built(mini)
    q = questions["article-cloze:cloze"]
    assert q.prompt.endswith(f"Syldavia signed {BLANK} with Atlantis.")  # "an _____" would tell the first letter
    assert q.answer == "an accord" and q.cloze.count("{{c1::an accord}}") == 1
    for typed in ("accord", "an accord", "an agreement", "agreement"):
        assert check_response(q.format, q.answer, typed, q.accept)


def test_a_key_far_longer_than_its_wrong_choices_is_flagged(clean):
    subject, questions, _ = clean
    q = next(q for q in questions.values() if q.kind == "why" and q.format == "choice")
    short = [c for c in q.choices if c != q.answer]
    balanced = dataclasses.replace(q, answer="x" * max(map(len, short)), choices=[*short, "x" * max(map(len, short))])
    assert flag_of(subject, balanced, "length-cue") is None
    long_key = "y" * int(max(map(len, short)) * 1.3)
    assert "far longer" in flag_of(subject, dataclasses.replace(q, answer=long_key, choices=[*short, long_key]),
                                   "length-cue")


def test_keys_that_are_mostly_the_longest_choice_are_flagged_across_a_kind(clean):
    from quizapp.rules import length_balance
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    q = next(q for q in questions.values() if q.kind == "why" and q.format == "choice")
    wrong = ["aaaa", "bbbb", "cccc"]
    longest = [dataclasses.replace(q, id=f"x{i}", answer="k" * 5, choices=[*wrong, "k" * 5]) for i in range(5)]
    shortest = [dataclasses.replace(q, id=f"y{i}", answer="k" * 3, choices=[*wrong, "k" * 3]) for i in range(5)]
    assert [reason for _, reason in length_balance(longest + shortest * 2, bank)] == []  # 5 of 15: a third
    [(_, reason)] = list(length_balance(longest * 2 + shortest, bank))  # 10 of 15
    assert "10 of 15 'why' keys are the longest choice" in reason


def test_a_false_statement_swaps_in_only_an_actor_the_curator_named(clean):
    subject, _, _ = clean
    bank = Bank(subject, 0)
    fact = bank.facts["trade-treaty"]
    assert not fact.who_wrong
    for n in range(20):  # without curated wrong choices only the year may change: never an actor false on its face
        assert all(meta["swap"] == "year" for _, _, meta in bank.falsehoods(fact, rng=Random(n)))
    named = dataclasses.replace(fact, who_wrong={"syldavia": ("ostrava", "carpania", "borduria")})
    swapped = {meta.get("actor") for n in range(40) for _, _, meta in bank.falsehoods(named, rng=Random(n))}
    assert swapped - {None} <= {"ostrava", "carpania", "borduria"} and swapped - {None}


def test_true_or_false_needs_a_date_to_check_and_no_curator_note(mini):
    add(mini, '''[[fact]]
id = "undated-treaty"
period = "early"
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis drafted a treaty."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."

[[fact]]
id = "noted-treaty"
period = "early"
date = "1925"
note = "Other sources call it an armistice."
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis signed a treaty of peace."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    subject = load_subject(mini)
    bank = Bank(subject, 0)
    assert "undated-treaty" not in bank.tf_facts and "noted-treaty" not in bank.tf_facts


def test_order_choices_never_show_the_key(clean):
    from quizapp.generate import unordered
    _, questions, _ = clean
    for q in (q for q in questions.values() if q.kind == "order"):
        assert q.choices != q.answer and sorted(q.choices) == sorted(q.answer)
    for n in range(50):
        assert unordered(Random(n), ["a", "b", "c"]) != ["a", "b", "c"]



TAL_TREATY = '''[[fact]]
id = "tal-treaty"
period = "early"
date = "1941"
actors = ["mira-tal", "ostrava"]
event = "Mira Tal signed a treaty with the Ostrava Republic."
quote = "In 1941, Mira Tal, the foreign minister of Syldavia, met Hal Varn in the Atlantean capital."
'''
TAL_CHOICES = ('who_wrong = { mira-tal = ["ivo-dal", "uma-sen", "per-holm"], '
               'ostrava = ["zembla", "kuron", "moravia"] }\n')


@pytest.mark.parametrize("typed, expected", [
    ('["who:1"]', {"tal-treaty:who": "typed", "tal-treaty:who:2": "choice"}),  # the first alone, as skip reads it
    ('["who:2"]', {"tal-treaty:who": "choice", "tal-treaty:who:2": "typed"}),
    ('["who"]', {"tal-treaty:who": "typed", "tal-treaty:who:2": "typed"}),  # every who-question of the fact
    ('[]', {"tal-treaty:who": "choice", "tal-treaty:who:2": "choice"}),
])
def test_typed_takes_the_forms_skip_takes(mini, typed, expected):
    for state in ("zembla", "kuron", "moravia"):
        add_actor(mini, f'[actor.{state}]\ntype = "state"\nname = "{state.title()}"\nrole = ["power"]\n')
    for person in ("ivo-dal", "uma-sen", "per-holm"):
        add_actor(mini, f'[actor.{person}]\ntype = "person"\nname = "{person.replace("-", " ").title()}"\n'
                        'role = ["diplomat"]\n')
    add(mini, TAL_TREATY + TAL_CHOICES + f"typed = {typed}\n")
    _, questions, _ = built(mini)
    assert {qid: questions[qid].format for qid in expected} == expected


def test_typed_names_only_who_questions_the_fact_has(mini):
    add(mini, TAL_TREATY + 'typed = ["who:3"]\n')
    with pytest.raises(FactFileError, match=r"facts.toml:\d+: fact 'tal-treaty': field 'typed': 'who:3': the fact "
                                            r"has 2 actor"):
        load_subject(mini)
    for bad in ('["who:0"]', '["who:x"]', '["when"]', '["who:1:2"]'):
        folder = mini.parent / f"m{abs(hash(bad))}"
        shutil.copytree(MINI, folder)
        add(folder, TAL_TREATY + f"typed = {bad}\n")
        with pytest.raises(FactFileError, match="typed lists who-questions"):
            load_subject(folder)


def test_a_typed_main_actor_is_refused_by_the_validator_not_dropped_in_silence(mini):
    # Atlantis is in more than a fifth of the facts: typed, it would be a guess between the subject's main actors
    add(mini, '''[[fact]]
id = "atlantis-treaty"
period = "early"
date = "1925"
actors = ["atlantis", "ostrava"]
event = "Atlantis signed a treaty with the Ostrava Republic."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
typed = ["who"]
''')
    with pytest.raises(FactFileError) as caught:
        load_subject(mini)
    lines = (mini / "facts.toml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith('typed = ["who"]'))
    assert f"facts.toml:{line}: fact 'atlantis-treaty': field 'typed': 'who' would type 'atlantis' (Atlantis), " \
           "one of the subject's main actors" in str(caught.value)
    assert 'skip = ["who:1"]' in str(caught.value)
    # the curator's way: skip the main actor's question, type the other
    text = (mini / "facts.toml").read_text().replace('typed = ["who"]', 'skip = ["who:1"]\ntyped = ["who:2"]')
    (mini / "facts.toml").write_text(text)
    _, questions, _ = built(mini)
    assert "atlantis-treaty:who" not in questions and questions["atlantis-treaty:who:2"].format == "typed"


def test_a_typed_hand_phrased_who_question_is_refused(mini):
    add(mini, TAL_TREATY + 'ask.who = "Who signed the treaty with the Ostrava Republic in 1941?"\n'
                           'typed = ["who:1"]\n')
    with pytest.raises(FactFileError, match=r"field 'typed': 'who:1' would type the hand-phrased who-question"):
        load_subject(mini)


def test_who_accept_adds_right_answers_to_a_typed_who_question(mini):
    add(mini, TAL_TREATY + 'typed = ["who:2"]\n'
                           'who_accept = { ostrava = ["Ostrava", "the Republic of Ostrava", "Ostrava Republic"] }\n')
    _, questions, _ = built(mini)
    q = questions["tal-treaty:who:2"]
    assert q.answer == "the Ostrava Republic"
    assert q.accept == ["Ostrava Republic", "Ostrava", "the Republic of Ostrava"]  # "Ostrava Republic" only once
    assert check_response(q.format, q.answer, "republic of ostrava", q.accept)
    assert check_response(q.format, q.answer, "Ostrva", q.accept)  # the typo allowance holds for them too
    assert not check_response(q.format, q.answer, "Atlantis", q.accept)


def test_who_accept_must_name_an_actor_of_the_fact_and_list_answers(mini):
    add(mini, TAL_TREATY + 'who_accept = { hal-varn = ["Varn"], ostrava = "Ostrava", mira-tal = [] }\n')
    with pytest.raises(FactFileError) as caught:
        load_subject(mini)
    text = str(caught.value)
    assert "field 'who_accept.hal-varn': 'hal-varn' is not one of this fact's actors" in text
    assert "field 'who_accept.ostrava': lists the other right answers" in text
    assert "field 'who_accept.mira-tal': lists the other right answers" in text


def test_a_who_question_both_typed_and_skipped_is_refused(mini):
    add(mini, TAL_TREATY + 'typed = ["who:2"]\nskip = ["who:2"]\n')
    with pytest.raises(FactFileError, match=r"field 'typed': 'who:2' is also in skip, which wins"):
        load_subject(mini)


def test_a_cloze_sentence_that_already_holds_the_key_or_its_opposite_is_flagged(clean):
    subject, questions, _ = clean
    q = questions["northern-pact:cloze"]
    assert q.answer == "Northern Pact" and flag_of(subject, q, "cloze-echo") is None
    echo = dataclasses.replace(q, prompt=f"Fill in the blank. In 1936, the northern states Carpania and Borduria "
                                         f"formed the {BLANK}.")
    assert "northern" in flag_of(subject, echo, "cloze-echo")
    from quizapp.wording import stems
    assert stems("the Doctors' Plot") & stems("doctors") and stems("Partition Plan") & stems("the partition")
    west = dataclasses.replace(q, answer="East",
                               prompt=f"Fill in the blank. Carpania looked West, or toward the {BLANK}.")
    assert "opposite" in flag_of(subject, west, "cloze-echo")
    everyday = dataclasses.replace(q, answer="Atlantean exports",
                                   prompt=f"Fill in the blank. Atlantis taxed the {BLANK}.")
    assert flag_of(subject, everyday, "cloze-echo") is None  # the subject's everyday words give nothing away


def test_two_cloze_cards_with_one_key_or_a_cloze_repeating_a_typed_who_question_are_flagged(clean):
    from quizapp.rules import cloze_repeat
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    first, other = questions["northern-pact:cloze"], questions["trade-treaty:cloze"]
    assert list(cloze_repeat([first, other], bank)) == []
    again = dataclasses.replace(other, answer="the northern pact")
    [(flagged, reason)] = list(cloze_repeat([first, again], bank))
    assert flagged is again and "northern-pact:cloze" in reason  # the later one in fact order
    typed = dataclasses.replace(questions["northern-pact:who"], answer="Northern Pact", format="typed", choices=[])
    [(flagged, reason)] = list(cloze_repeat([typed, first], bank))
    assert flagged is first and "typed who-question" in reason


def test_chronology_never_orders_events_that_name_each_other(mini):
    add(mini, '''[[fact]]
id = "relations-cut"
period = "early"
date = "1934"
actors = ["borduria", "atlantis"]
event = "After the attack on its embassy, Borduria cut off relations with Atlantis."
quote = "In 1934, after the attack, Borduria cut off relations with Atlantis."

[[fact]]
id = "pact-protested"
period = "early"
date = "1937"
actors = ["syldavia", "carpania"]
event = "Syldavia protested against the Northern Pact."
quote = "In 1937, Syldavia protested against the Northern Pact."
''', source="In 1934, after the attack, Borduria cut off relations with Atlantis. "
              "In 1937, Syldavia protested against the Northern Pact.")
    subject, questions, flags = built(mini)
    assert not [f for f in flags if f.rule == "order-reference"]  # the generator never picks such a pair
    bank = Bank(subject, 0)
    facts = bank.facts
    assert "attack, embassy" in bank.cross_reference(facts["embassy-attacked"], facts["relations-cut"])
    assert bank.cross_reference(facts["pact-protested"], facts["northern-pact"]) == "Northern Pact"
    assert bank.cross_reference(facts["trade-treaty"], facts["embassy-attacked"]) is None
    orders = [q for q in questions.values() if q.kind == "order"]
    assert orders
    for q in orders:  # the generator picks no such pair, and the rule passes what it made
        assert {"embassy-attacked", "relations-cut"} - set(q.meta["facts"]) and \
            {"pact-protested", "northern-pact"} - set(q.meta["facts"])
        assert flag_of(subject, q, "order-reference") is None
    q = orders[0]
    bad = dataclasses.replace(q, meta={"facts": ["embassy-attacked", "relations-cut", "novania-summit"]})
    assert "name the same thing" in flag_of(subject, bad, "order-reference")


def test_a_principal_actor_among_uncurated_off_subject_choices_is_flagged(clean):
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    q = questions["trade-treaty:who"]
    assert q.meta["actor"] in bank.principal and set(q.meta["choice_actors"]) & bank.principal
    assert flag_of(subject, q, "principal-key") is None  # another principal actor among the choices
    alone = dataclasses.replace(q, meta={**q.meta, "choice_actors": ["ostrava", "carpania", "novania"]})
    assert "only principal actor" in flag_of(subject, alone, "principal-key")
    curated = dataclasses.replace(alone, meta={**alone.meta, "curated": True})
    assert flag_of(subject, curated, "principal-key") is None


def test_a_key_alone_in_its_register_is_flagged(clean):
    subject, questions, _ = clean
    q = questions["varn-visits-syldavia:why"]
    assert flag_of(subject, q, "hedge-cue") is None
    wrong = ["Atlantis wanted Syldavian grain.", "Varn sought a Syldavian bride.", "Borduria had invited him."]
    hedged = "He partly wanted Syldavia's support."
    alone = dataclasses.replace(q, answer=hedged, choices=[*wrong, hedged])
    assert "alone is hedged ('partly')" in flag_of(subject, alone, "hedge-cue")
    all_hedged = ["Atlantis perhaps wanted grain.", "Varn may have sought a bride.",
                  "Borduria had in part invited him."]
    assert flag_of(subject, dataclasses.replace(alone, choices=[*all_hedged, hedged]), "hedge-cue") is None
    able = "He could not win Syldavia's support otherwise."  # "could not" is no hedge
    assert flag_of(subject, dataclasses.replace(q, answer=able, choices=[*wrong, able]), "hedge-cue") is None
    absolute = ["Atlantis always wanted grain.", "Varn never sought a bride.", "Only Borduria had invited him."]
    plain = "He wanted Syldavia's support."
    assert "absolute" in flag_of(subject, dataclasses.replace(q, answer=plain, choices=[*absolute, plain]),
                                 "hedge-cue")


def test_a_cloze_key_naming_a_principal_actor_is_flagged(clean):
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    assert {"atlantis", "borduria", "syldavia"} <= bank.principal
    assert "union-talks:cloze" not in questions  # its only blank was Atlantis: the fact skips its cloze
    q = questions["northern-pact:cloze"]
    assert flag_of(subject, q, "principal-key") is None  # a term of the history
    for key in ("Atlantis", "Bordurian embassy", "the Syldavian prime minister"):  # a name, an adjective
        bad = dataclasses.replace(q, answer=key)
        assert "principal actor" in flag_of(subject, bad, "principal-key")
    other = dataclasses.replace(q, answer="Carpania")  # an actor of the subject, not a principal one
    assert "carpania" not in bank.principal and flag_of(subject, other, "principal-key") is None


def test_an_actor_that_is_nearly_always_the_key_is_flagged(clean):
    subject, questions, _ = clean
    bank = Bank(subject, 0)
    who = [q for q in questions.values() if q.kind == "who" and q.format == "choice"]
    assert who and not list(RULES["key-frequency"].check_bank(who, bank))  # the clean subject passes
    q = who[0]
    key, wrong = q.meta["actor"], q.meta["choice_actors"]
    # the same actor as the key of five questions and a wrong choice of one: 5 of 6 (83%)
    habit = [dataclasses.replace(q, id=f"{q.id}:{n}") for n in range(5)]
    other = dataclasses.replace(q, id=f"{q.id}:x", meta={**q.meta, "actor": wrong[0],
                                                          "choice_actors": [key, *wrong[1:]]})
    flagged = list(RULES["key-frequency"].check_bank(habit + [other], bank))
    assert len(flagged) == 1 and "key in 5 of the 6" in flagged[0][1]
    # offered also where it is wrong, in four more questions: 5 of 10 (50%) passes
    wrong_more = [dataclasses.replace(other, id=f"{q.id}:y{n}") for n in range(4)]
    assert not list(RULES["key-frequency"].check_bank(habit + [other] + wrong_more, bank))
    # offered in fewer than six questions says nothing of a habit
    assert not list(RULES["key-frequency"].check_bank(habit[:4] + [other], bank))


def test_a_frequent_key_is_offered_where_it_is_wrong(clean):
    subject, _, _ = clean
    from quizapp.kinds import with_frequent_key
    bank = Bank(subject, 0)
    people = bank.actors_by_type["person"]
    assert len(people) >= 5
    actor, *rest = people
    bank.key_use[rest[3].id] = 99  # a candidate that is the key of many facts
    fitting = [a for a in rest if actor.shares_role(a)]
    if rest[3] not in fitting or len(fitting) < 4:
        pytest.skip("the synthetic subject has too few fitting people")
    wrong = [a for a in fitting if a is not rest[3]][:3]
    chosen = with_frequent_key(bank, actor, fitting, wrong)
    assert rest[3] in chosen and len(chosen) == 3
    assert with_frequent_key(bank, actor, fitting, chosen) == chosen  # already offered: unchanged


def test_a_key_the_note_speaks_of_is_asked_as_the_article_has_it(mini, clean):
    _, before, _ = clean
    assert not before["trade-treaty:who"].prompt.count("According to the article")
    text = (mini / "facts.toml").read_text(encoding="utf-8")
    text = text.replace('cloze = "trade treaty"', 'cloze = "trade treaty"\nnote = "By other accounts the trade '
                        'treaty was signed by Borduria, not Syldavia."\nwaive = [{ rule = "disputed-key", reason = '
                        '"the note disputes the signer, which the question asks as the article has it" }]', 1)
    (mini / "facts.toml").write_text(text, encoding="utf-8")
    _, questions, _ = built(mini)
    who, cloze = questions["trade-treaty:who"], questions["trade-treaty:cloze"]
    assert "? According to the article, in 1925, _____ signed" in who.prompt
    assert cloze.prompt.startswith("Fill in the blank. According to the article, in 1925, Syldavia signed")
    assert cloze.cloze.startswith("According to the article, in 1925,")
    assert questions["varn-visits-syldavia:who"].prompt == before["varn-visits-syldavia:who"].prompt


def test_typed_lists_come_in_any_order_with_any_joiner():
    for response in ("Egypt, Syria", "Egypt & Syria", "Syria and Egypt", "syria, egypt", "Egypt/Syria",
                     "Syria & Egypt", "the Egpyt and Syria"):
        assert check_response("typed", "Egypt and Syria", response), response
    assert not check_response("typed", "Egypt and Syria", "Egypt")
    assert not check_response("typed", "Egypt and Syria", "Egypt, Syria and Jordan")
    assert not check_response("typed", "Egypt and Syria", "Egypt and Iraq")
    assert not check_response("typed", "Resolution 242", "Resolution 2/42")


def test_a_typed_number_may_be_hedged_but_stays_exact():
    for response in ("about 10 percent", "around 10 percent", "approximately 10 percent", "roughly 10%",
                     "some 10 percent", "nearly 10 percent", "almost 10 percent", "over 10 percent",
                     "more than 10 percent"):
        assert check_response("typed", "10 percent", response, accept=["10%"]), response
    assert check_response("typed", "$10 billion", "about $10 billion")
    assert not check_response("typed", "10 percent", "about 11 percent")
    assert not check_response("typed", "10 percent", "about 100 percent")
    assert not check_response("typed", "Resolution 242", "about Resolution 242")  # the key is no number
    assert not check_response("typed", "three generations", "about three generations")


def test_a_typed_word_may_differ_in_a_plural_ending():
    assert check_response("typed", "UAV", "UAVs")
    assert check_response("typed", "UAVs", "UAV")
    assert check_response("typed", "MiG 21 fighter", "MiG 21 fighters")
    assert check_response("typed", "Soviet advisor", "Soviet advisors")
    assert check_response("typed", "Arab state", "Arab states")
    assert not check_response("typed", "US", "USs")  # a plural of fewer than 4 letters


def test_a_blank_after_the_and_a_modifier_takes_bare_names_and_one_that_took_the_in_takes_the_article():
    from quizapp.facts import Actor
    from quizapp.slots import actor_slot, fill

    pact = Actor(id="pact", type="organization", name="Northern Pact", article="the")
    league = Actor(id="league", type="organization", name="Eastern League", article="the")
    guild = Actor(id="guild", type="organization", name="Guild")
    modified = actor_slot("The creation of the Syldavian-backed Northern Pact worried them.", pact, [])
    assert modified.determined and not modified.article
    assert [fill(a, modified) for a in (pact, league, guild)] == ["Northern Pact", "Eastern League", "Guild"]
    plain = actor_slot("In 1925, the Northern Pact was signed.", pact, [])
    assert plain.article and not plain.determined
    assert [fill(a, plain) for a in (pact, guild)] == ["the Northern Pact", "Guild"]
    opening = actor_slot("Guild members met in 1925.", guild, [])
    assert opening.sentence_start and [fill(a, opening) for a in (guild, league)] == ["Guild", "The Eastern League"]

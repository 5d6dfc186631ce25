"""The source laid out for reading, and study statistics against FSRS: the core, on plain data."""

import pytest

from quizapp import calibration, reading
from quizapp.calibration import StudyAnswer
from quizapp.facts import Fact, Reason

SOURCE = """A Heading Without a Stop

The embassy was attacked on February 9, 1953.  As a result of the attack, the USSR cut off
diplomatic relations with Israel. Nobody quotes this sentence at all.

“Moscow,” he said, “was angry.” The end came soon after — in 1967.
"""


def fact(id, quotes, causes=(), consequences=(), date_quote=""):
    return Fact(id=id, period="p", date=None, actors=("x",), event="E.", causes=tuple(causes),
                consequences=tuple(consequences), quotes=tuple(quotes), date_quote=date_quote)


FACTS = (
    fact("attack", ["The embassy was attacked on February 9, 1953."],
         consequences=[Reason("Relations were cut.", "As a result of the attack, the USSR cut off diplomatic relations",
                              "As a result of")]),
    fact("cutoff", ["the USSR cut off diplomatic relations with Israel."]),
    fact("angry", ["\"Moscow,\" he said, \"was angry.\""], date_quote="The end came soon after - in 1967."),
)


def test_quotes_are_found_across_line_breaks_quote_marks_and_dashes():
    quotes, missing = reading.locate(SOURCE, FACTS)
    assert missing == []
    for q in quotes:
        assert reading.normalize_text(SOURCE[q.start:q.end]) == reading.normalize_text(q.text)
    roles = {(q.fact_id, q.role, q.number) for q in quotes}
    assert roles == {("attack", "event", 1), ("attack", "consequence", 1), ("cutoff", "event", 1),
                     ("angry", "event", 1), ("angry", "date", 1)}
    assert SOURCE[next(q for q in quotes if q.role == "consequence").start:].startswith("As a result")


def test_a_quote_not_in_the_text_is_reported_not_marked():
    _, missing = reading.locate(SOURCE, (fact("ghost", ["Nothing like this is written."]),))
    assert missing == [("ghost", "Nothing like this is written.")]


def test_blocks_sentences_and_segments():
    doc = reading.read(SOURCE, FACTS)
    heading, first, second = doc.blocks
    assert heading.heading and not first.heading
    assert [len(b.sentences) for b in doc.blocks] == [1, 3, 2]
    assert first.facts == ("attack", "cutoff") and second.facts == ("angry",)
    attacked, cut, nobody = first.sentences
    assert attacked.covered and cut.covered and not nobody.covered
    # where the consequence and the cut-off fact overlap, one segment carries both quotes
    both = [s for s in cut.segments if len(s.quotes) == 2]
    assert both and "USSR cut off" in both[0].text
    assert {doc.quotes[i].fact_id for i in both[0].quotes} == {"attack", "cutoff"}
    # the segments of a sentence put together are the sentence
    text = "".join(s.text for s in cut.segments)
    assert text.startswith("As a result") and text.endswith("with Israel.")
    assert doc.coverage() == (4, 5)


def test_closing_quote_marks_stay_with_their_sentence():
    spans = reading.split_sentences("He said “no.” Then he left. (It was late.) Done")
    text = "He said “no.” Then he left. (It was late.) Done"
    assert [text[a:b] for a, b in spans] == ["He said “no.”", "Then he left.", "(It was late.)", "Done"]


def test_the_real_article_has_every_quote_located(subject):
    doc = reading.read(subject.source_text, subject.facts)
    assert doc.missing == []
    assert {q.fact_id for q in doc.quotes} == {f.id for f in subject.facts}
    covered, total = doc.coverage()
    assert 0 < covered < total


# Study statistics against FSRS

def answers(question_id, recalled, predicted=0.95, responses=None):
    return [StudyAnswer(question_id, r, predicted, responses[i] if responses else None)
            for i, r in enumerate(recalled)]


def test_a_question_failed_far_more_than_predicted_is_flagged():
    stats = calibration.question_stats(answers(1, [False] * 6 + [True] * 6), {})
    assert stats[1].flags == ["failed far more than FSRS predicts: recalled 50% of 12 reviews, predicted 95%"]
    assert stats[1].z < -2


def test_a_question_failed_far_less_than_predicted_is_flagged():
    stats = calibration.question_stats(answers(1, [True] * 20, predicted=0.7), {})
    assert stats[1].flags[0].startswith("failed far less than FSRS predicts: recalled 100% of 20")


@pytest.mark.parametrize("recalled, predicted", [
    ([True] * 11 + [False], 0.9),  # as predicted
    ([False] * 9, 0.95),  # too few reviews to say
    ([True] * 8 + [False] * 4, 0.8),  # a gap of 13 points: not far enough
])
def test_sound_questions_or_too_few_reviews_are_not_flagged(recalled, predicted):
    assert calibration.question_stats(answers(1, recalled, predicted), {})[1].flags == []


def test_first_sights_carry_no_prediction_and_do_not_count():
    stats = calibration.question_stats(answers(1, [False] * 30, predicted=None), {})
    assert stats[1].reviews == 0 and stats[1].flags == []


def test_a_wrong_choice_picked_more_often_than_the_key_is_flagged():
    picked = ["Syria", "Syria", "Egypt", "Syria", "Iraq"]
    stats = calibration.question_stats(answers(7, [False] * 5, None, picked), {7: "Egypt"})
    assert stats[7].flags == ["a wrong choice is picked more often than the key: “Syria” 3 times, the key 1 of 5"]
    even = calibration.question_stats(answers(7, [False] * 5, None, ["Syria", "Egypt"] * 2 + ["Iraq"]),
                                      {7: "Egypt"})
    assert even[7].flags == []  # as often as the key is not more often
    few = calibration.question_stats(answers(7, [False] * 4, None, ["Syria"] * 4), {7: "Egypt"})
    assert few[7].flags == []

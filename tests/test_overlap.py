"""Items of a quiz that give each other away: one fact, one answer, or wording that names another's answer."""

from quizapp.overlap import Item, clashes, clashes_with, commonplaces


def item(number, prompt, answers, fmt="choice", fact=None):
    return Item(number, prompt, tuple(answers), fmt, fact)


def test_items_of_one_fact_are_flagged_on_both_sides():
    found = clashes([item(1, "Who?", ["Stalin"], fact=7), item(2, "When?", ["1953"], "year", fact=7),
                     item(3, "Who else?", ["Nasser"], fact=8)])
    assert found == {1: ["same fact as question 2"], 2: ["same fact as question 1"], 3: []}


def test_a_shared_answer_is_flagged_but_not_a_shared_year_or_true_false_key():
    found = clashes([item(1, "Which war?", ["the Six Day War"]), item(2, "Fill in: the ___ ended it.",
                                                                      ["Six Day War", "1967 war"], "short"),
                     item(3, "True or false? A.", ["True"], "truefalse"), item(4, "True or false? B.", ["True"],
                                                                                 "truefalse"),
                     item(5, "In which year?", ["1967"], "year"), item(6, "And this one?", ["1967"], "year")])
    assert found[1] == ["same answer as question 2"] and found[2] == ["same answer as question 1"]
    assert found[3] == found[4] == found[5] == found[6] == []


def test_wording_that_names_another_item_s_answer_is_flagged_on_both_sides():
    found = clashes([item(1, "After the Six Day War, who cut off relations?", ["the Soviet Union"]),
                     item(2, "Which war broke out in June 1967?", ["Six Day War"], "short"),
                     item(3, "Who visited in 2005?", ["Putin"]), item(4, "Who met Putin's envoy?", ["Sharon"])])
    assert found[1] == ["its wording names the answer of question 2"]
    assert found[2] == ["its answer is named in question 1"]
    assert found[3] == ["its answer is named in question 4"]
    assert found[4] == ["its wording names the answer of question 3"]


def test_short_keys_and_words_inside_other_words_do_not_count():
    assert clashes([item(1, "Who joined the UN?", ["Israel"]), item(2, "Which body?", ["UN"]),
                    item(3, "What did the Israelis say?", ["No"])]) == {1: [], 2: [], 3: []}
    assert clashes([item(1, "Which Israeli city?", ["Netanya"]), item(2, "Which country?", ["Israel"])]) == \
        {1: [], 2: []}


def test_a_random_draw_skips_a_candidate_that_clashes_with_the_quiz():
    quiz = [item(1, "Who cut off relations after the Six Day War?", ["the Soviet Union"], fact=1)]
    assert clashes_with(item(2, "Which war broke out in 1967?", ["Six Day War"], "short", fact=2), quiz)
    assert clashes_with(item(2, "Which state?", ["Soviet Union"], fact=3), quiz)
    assert not clashes_with(item(2, "Who succeeded Stalin?", ["Khrushchev"], fact=4), quiz)


def test_a_key_the_quiz_mentions_everywhere_is_a_commonplace_not_a_giveaway():
    quiz = [item(1, "Which state recognized Israel first?", ["the Soviet Union"], fact=1),
            item(2, "When did Israel's ties with the USSR break?", ["1953"], "year", fact=2),
            item(3, "Who led Israel in 1948?", ["Ben Gurion"], fact=3),
            item(4, "Which state sold Israel arms in 1948?", ["Czechoslovakia"], fact=4),
            item(5, "Which state is this quiz about?", ["Israel"], fact=5)]
    found = clashes(quiz)  # four items name Israel: saying it once more gives nothing away
    assert found == {1: [], 2: [], 3: [], 4: [], 5: []}
    common = commonplaces(quiz)
    assert common == {"israel"}
    assert not clashes_with(item(6, "Who chaired Israel's first Knesset?", ["Sprinzak"], fact=6), quiz, common)
    assert clashes_with(item(6, "Who chaired Israel's first Knesset?", ["Sprinzak"], fact=6), quiz)  # no pool
    # a key that only one other item names is still given away by it
    assert clashes_with(item(6, "Who led Czechoslovakia when it sold arms?", ["Gottwald"], fact=7), quiz, common)
    assert clashes(quiz + [item(6, "Who led Czechoslovakia then?", ["Gottwald"], fact=7)])[4] == [
        "its answer is named in question 6"]

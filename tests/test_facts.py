"""The fact loader and its validator, on the real subject and on broken copies of it."""

import shutil

import pytest

from quizapp.facts import FactDate, FactFileError, load_subject, load_subjects, normalize_text
from tests.conftest import SUBJECT_DIR

MINIMAL_FACT = '''
[[fact]]
id = "{id}"
period = "{period}"
date = "{date}"
actors = [{actors}]
event = "{event}"
quote = "{quote}"
'''


@pytest.fixture
def folder(tmp_path):
    """A private copy of the real subject to break."""
    target = tmp_path / "israel-russia"
    shutil.copytree(SUBJECT_DIR, target)
    return target


def add_fact(folder, name="extra.toml", **fields):
    values = dict(id="new-fact", period="1947-1966", date="1948",
                  actors='"soviet-union"', event="The Soviet Union did something.",
                  quote="On May 17th 1948, three days after the declaration of independence, the Soviet Union "
                        "recognized the State of Israel.")
    values.update(fields)
    path = folder / name
    path.write_text(MINIMAL_FACT.format(**values), encoding="utf-8")
    return path


def problems_of(folder):
    with pytest.raises(FactFileError) as info:
        load_subject(folder)
    return info.value.problems


def test_real_subject_meets_the_coverage_floor(subject):
    periods = {p.id: len(subject.facts_in(p.id)) for p in subject.periods}
    used_actors = {a for f in subject.facts for a in f.actors}
    assert len(subject.facts) >= 90
    assert len(used_actors) >= 40
    assert sum(n >= 8 for n in periods.values()) >= 4
    assert sum(bool(f.causes) for f in subject.facts) >= 40
    assert sum(bool(f.consequences) for f in subject.facts) >= 20
    for fact in subject.facts:  # every cause and consequence with its own evidence and the article's link
        for reason in fact.causes + fact.consequences:
            assert reason.quote and reason.link.casefold() in normalize_text(reason.quote).casefold(), fact.id
    assert {a.type for a in subject.actors.values()} == {"person", "state", "organization", "group"}


def test_every_quote_of_the_real_subject_is_verbatim_in_the_source(subject):
    source = normalize_text(subject.source_text)
    for fact in subject.facts:
        for quote in fact.quotes + tuple(r.quote for r in fact.causes + fact.consequences):
            assert normalize_text(quote) in source, fact.id
        if fact.date_quote:
            assert normalize_text(fact.date_quote) in source, fact.id


def test_source_carries_its_attribution(subject):
    assert "Jerusalem Institute for Strategy and Security" in subject.source_text.splitlines()[0]
    assert "2018" in subject.attribution


def test_dates_keep_their_precision():
    assert FactDate.parse("1948").precision == "year"
    assert FactDate.parse("1948-05").display() == "May 1948"
    assert FactDate.parse("1948-05-17").display() == "17 May 1948"
    assert FactDate.parse("1953").overlaps(FactDate.parse("1953-02-09"))
    assert not FactDate.parse("1952-11").overlaps(FactDate.parse("1953-01"))
    for bad in ("1948-13", "1953-02-30", "48", "1948/05"):
        with pytest.raises(ValueError):
            FactDate.parse(bad)


def test_unknown_key_is_named_with_file_line_fact_and_field(folder):
    path = add_fact(folder)
    path.write_text(path.read_text() + 'colour = "red"\n')
    [problem] = problems_of(folder)
    assert problem.file.endswith("extra.toml")
    assert problem.line == 9
    assert (problem.fact_id, problem.field) == ("new-fact", "colour")
    assert str(problem).startswith(f"{path}:9: fact 'new-fact': field 'colour': unknown key")


def test_duplicate_id_across_files_names_the_first_definition(folder):
    add_fact(folder, name="zz.toml", id="ussr-recognizes-israel", event="The Soviet Union recognized Israel.")
    [problem] = problems_of(folder)
    assert problem.field == "id" and "duplicate id" in problem.message
    assert "facts-1947-1966.toml" in problem.message


def test_unknown_period_and_actor(folder):
    add_fact(folder, period="1900s", actors='"soviet-union", "ussr"')
    problems = problems_of(folder)
    assert {(p.field, p.fact_id) for p in problems} == {("period", "new-fact"), ("actors", "new-fact")}
    assert any("unknown actor 'ussr'" in p.message for p in problems)


@pytest.mark.parametrize("date, message", [
    ("1948-02-30", "day is out of range"),
    ("May 1948", "is not YYYY"),
    ("1975", "outside period '1947-1966'"),
    ("1949", "the year 1949 is not in the fact's quotes"),
    ("1948-06", "the month June is not in the fact's quotes"),
    ("1950/1948", "must end after it starts"),
])
def test_bad_or_out_of_period_dates(folder, date, message):
    add_fact(folder, date=date)
    [problem] = problems_of(folder)
    assert problem.field == "date" and message in problem.message
    assert problem.line == 5


def test_empty_event(folder):
    add_fact(folder, event="  ")
    problems = problems_of(folder)
    assert [p.field for p in problems] == ["event"]


def test_quote_not_in_source(folder):
    add_fact(folder, quote="Moscow and Jerusalem signed a treaty of eternal friendship.")
    [problem] = problems_of(folder)
    assert problem.field == "quote" and "not verbatim" in problem.message


def test_quote_matching_ignores_whitespace_and_quote_marks(folder):
    add_fact(folder, date="1953", quote="the Doctors' Plot   in January 1953")
    assert "new-fact" in {f.id for f in load_subject(folder).facts}


def test_first_actor_must_be_named_in_the_event(folder):
    add_fact(folder, actors='"egypt", "soviet-union"')
    [problem] = problems_of(folder)
    assert problem.field == "actors" and "'egypt'" in problem.message


def test_cloze_term_must_be_in_the_event(folder):
    path = add_fact(folder)
    path.write_text(path.read_text() + 'cloze = "Kremlin"\n')
    [problem] = problems_of(folder)
    assert problem.field == "cloze"


def test_toml_syntax_error_gives_its_line(folder):
    path = add_fact(folder)
    path.write_text(path.read_text().replace('date = "1948"', 'date = 1948-'))
    [problem] = problems_of(folder)
    assert problem.file == str(path) and problem.line == 5 and "invalid TOML" in problem.message


def test_every_error_in_every_file_is_reported_together(folder):
    add_fact(folder, name="a.toml", id="a-fact", period="nope")
    add_fact(folder, name="b.toml", id="b-fact", date="1999")
    problems = problems_of(folder)
    assert {(p.fact_id, p.field) for p in problems} == {("a-fact", "period"), ("b-fact", "date")}


def test_unknown_actor_type_in_subject(folder):
    path = folder / "subject.toml"
    text = path.read_text().replace('type = "group"\nname = "Soviet Jews"', 'type = "crowd"\nname = "Soviet Jews"')
    path.write_text(text)
    problems = problems_of(folder)
    assert any(p.field == "type" and "soviet-jews" in p.message for p in problems)


def test_load_subjects_reads_every_subject_folder(folder):
    subjects = load_subjects(folder.parent)
    assert [s.id for s in subjects] == ["israel-russia"]


def test_a_second_subject_needs_only_its_own_folder(tmp_path):
    subject_dir = tmp_path / "tiny"
    subject_dir.mkdir()
    (subject_dir / "source.txt").write_text("In 1492 Columbus sailed west. In 1498 Vasco da Gama reached India.")
    (subject_dir / "subject.toml").write_text('''
id = "tiny"
title = "Voyages"
source = "source.txt"
[[period]]
id = "age-of-sail"
title = "Age of sail"
start = 1400
end = 1600
[actor.columbus]
type = "person"
name = "Columbus"
[actor.gama]
type = "person"
name = "Vasco da Gama"
''')
    (subject_dir / "facts.toml").write_text('''
[[fact]]
id = "columbus-sails"
period = "age-of-sail"
date = "1492"
actors = ["columbus"]
event = "Columbus sailed west."
quote = "In 1492 Columbus sailed west."
''')
    subject = load_subject(subject_dir)
    assert subject.title == "Voyages" and subject.facts[0].date.year == 1492


REASON = '{{ text = "{text}", quote = "{quote}", link = "{link}" }}'
RECOGNITION = "On May 17th 1948, three days after the declaration of independence, the Soviet Union recognized " \
              "the State of Israel."


def add_reasons(path, key, *reasons):
    path.write_text(path.read_text() + f"{key} = [" + ", ".join(REASON.format(**r) for r in reasons) + "]\n")


def test_causes_and_consequences_carry_their_quote_and_link(folder):
    path = add_fact(folder)
    add_reasons(path, "causes", dict(text="Moscow wanted Israel in its bloc.", quote="the attempt by the Soviets to "
                                     "attract Israel into the Eastern Bloc", link="because"))
    [problem] = problems_of(folder)
    assert (problem.field, problem.line) == ("causes[1].link", 9)
    assert "link 'because' is not in the quote" in problem.message


def test_a_concessive_link_is_no_consequence(folder):
    path = add_fact(folder)
    add_reasons(path, "consequences", dict(text="Relations were renewed.", quote="Nonetheless, only a few months "
                                           "after the cutoff", link="Nonetheless"))
    problems = problems_of(folder)
    assert any(p.field == "consequences[1].link" and "sets a contrast" in p.message for p in problems)


def test_a_reason_needs_text_quote_and_link(folder):
    path = add_fact(folder)
    path.write_text(path.read_text() + 'causes = ["a bare string"]\nconsequences = [{ text = "x" }]\n')
    problems = {(p.field, p.message) for p in problems_of(folder)}
    assert ("causes[1]", 'must be a table { text = "...", quote = "...", link = "..." }') in problems
    assert ("consequences[1]", "needs a non-empty quote, link") in problems


def test_a_date_from_outside_the_article_says_so_and_is_not_asked(folder):
    path = add_fact(folder, date="1949")
    path.write_text(path.read_text() + 'date_source = "general knowledge: a test"\n')
    fact = next(f for f in load_subject(folder).facts if f.id == "new-fact")
    assert fact.date.year == 1949 and fact.askable_date is None
    path.write_text(path.read_text() + "ask_date = true\n")
    fact = next(f for f in load_subject(folder).facts if f.id == "new-fact")
    assert fact.askable_date == fact.date


def test_a_date_quote_backs_a_date_the_event_quote_lacks(folder):
    path = add_fact(folder, date="1953", quote="the Soviet Union recognized the State of Israel")
    path.write_text(path.read_text() + 'date_quote = "the Doctors’ Plot in January 1953"\n')
    assert "new-fact" in {f.id for f in load_subject(folder).facts}
    path.write_text(path.read_text().replace("January 1953", "January 1954"))
    [problem] = problems_of(folder)
    assert problem.field == "date_quote" and "not verbatim" in problem.message


def test_ranges_and_approximate_dates_are_never_asked():
    span = FactDate.parse("1970/1973")
    assert (span.precision, span.display(), span.iso, span.exact) == ("range", "1970–1973", "1970/1973", False)
    assert span.contains_year(1972) and not span.contains_year(1974)
    assert span.overlaps(FactDate.parse("1973-05"))
    loose = FactDate.parse("1985", approx=True)
    assert loose.display() == "about 1985" and not loose.exact


def test_a_note_and_accepted_answers_are_loaded(folder):
    path = add_fact(folder)
    path.write_text(path.read_text() + 'note = "Some say 18 May."\ncloze = "Soviet Union"\n'
                    'cloze_accept = ["USSR"]\nwaive = [{ rule = "giveaway", reason = "a test" }]\n')
    fact = next(f for f in load_subject(folder).facts if f.id == "new-fact")
    assert fact.note == "Some say 18 May." and fact.cloze_accept == ("USSR",) and fact.waived("giveaway")


def test_a_bad_waiver_and_a_long_cloze_are_named(folder):
    path = add_fact(folder, event="The Soviet Union did something quite remarkable.")
    path.write_text(path.read_text() + 'cloze = "did something quite remarkable"\nwaive = [{ rule = "giveaway" }]\n')
    fields = {p.field for p in problems_of(folder)}
    assert fields == {"cloze", "waive"}


def test_actor_forms_eras_and_roles(folder):
    subject = load_subject(folder)
    ussr = subject.actors["soviet-union"]
    assert ussr.display == "the Soviet Union" and ussr.adjective == "Soviet"
    assert ussr.active_in(1953) and not ussr.active_in(1995)
    path = folder / "subject.toml"
    path.write_text(path.read_text().replace('name = "Soviet Union"', 'name = "the Soviet Union"', 1))
    assert any(p.field == "name" and "without it" in p.message for p in problems_of(folder))


def test_a_context_phrase_is_short_and_says_only_what_the_quotes_support(folder):
    path = add_fact(folder, date="1949")
    base = path.read_text() + 'date_source = "general knowledge: a test"\n'
    path.write_text(base + 'context = "Three days after the declaration of independence"\n')
    fact = next(f for f in load_subject(folder).facts if f.id == "new-fact")
    assert fact.context == "Three days after the declaration of independence"
    for bad, message in (('"During the Suez crisis"', "not in the fact's quotes"),
                         ('"in the 1950s."', "opens with"),
                         ('"In the days after the declaration of independence, as the State of Israel was recognized"',
                          "more than")):
        path.write_text(base + f"context = {bad}\n")
        [problem] = problems_of(folder)
        assert problem.field == "context" and message in problem.message, bad
    path.write_text(base + 'context = "In the 1940s"\n')  # a decade is covered by a year of it (1948)
    assert "new-fact" in {f.id for f in load_subject(folder).facts}


def test_a_context_phrase_needs_a_fact_without_a_date_from_the_article(folder):
    path = add_fact(folder)  # dated 1948 by its quote: statements open with "In 1948"
    path.write_text(path.read_text() + 'context = "Three days after the declaration of independence"\n')
    [problem] = problems_of(folder)
    assert problem.field == "context" and "no context is used" in problem.message


def test_a_reason_label_is_a_short_heading(folder):
    quote = "On May 17th 1948, three days after the declaration of independence"
    path = add_fact(folder)
    reason = f'[[fact.causes]]\ntext = "Independence."\nquote = "{quote}"\nlink = "after"\n'
    path.write_text(path.read_text() + reason + 'label = "An example:"\n')
    fact = next(f for f in load_subject(folder).facts if f.id == "new-fact")
    assert fact.causes[0].label == "An example:"
    path.write_text(path.read_text().replace('"An example:"', '"an example"'))
    [problem] = problems_of(folder)
    assert problem.field == "causes[1].label"

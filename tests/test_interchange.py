"""Grading, item analysis, and the Moodle XML and GIFT writers on plain data."""

import re
import xml.etree.ElementTree as ET

import pytest

from quizapp import analysis, grading, interchange

ITEMS = [
    interchange.ItemSpec("Q1", "choice", "Who recognized Israel {first}?", ["USSR", "US: later", "UK"], ["USSR"],
                         "Three days = 72 hours.", 1),
    interchange.ItemSpec("Q2", "multi", "Pick <all> the right ones", ["Egypt", "Iraq", "Jordan"], ["Egypt", "Iraq"],
                         "", 2),
    interchange.ItemSpec("Q3", "truefalse", "Stalin died in 1953.", ["True", "False"], ["True"], "", 1),
    interchange.ItemSpec("Q4", "short", "Name the plan #1", [], ["Brezhnev Plan", "Brezhnev"], "", 1),
    interchange.ItemSpec("Q5", "year", "When?", [], ["1985"], "Gorbachev.", 1.5),
]

UNESCAPED_SPECIAL = re.compile(r"(?<!\\)[~=#{}]")


def split_unescaped(text: str, marks: str) -> list[tuple[str, str]]:
    """Split an answer block at unescaped answer marks: [(mark, text), ...]."""
    parts, current, mark, i = [], "", None, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current += text[i:i + 2]
            i += 2
            continue
        if ch in marks:
            if mark is not None or current.strip():
                parts.append((mark, current.strip()))
            mark, current = ch, ""
        else:
            current += ch
        i += 1
    parts.append((mark, current.strip()))
    return parts


def assert_gift_grammar(text: str, expected_questions: int) -> None:
    """Check a GIFT file against the grammar Moodle's importer reads, question by question."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    assert len(blocks) == expected_questions
    for block in blocks:
        body = "\n".join(line for line in block.splitlines() if not line.startswith("//"))
        m = re.fullmatch(r"::((?:\\.|[^:\\])+)::(\[html\])?((?:\\.|[^{}\\])+)\{((?:\\.|[^{}\\])*)\}", body, re.S)
        assert m, f"not a GIFT question: {body!r}"
        title, _, stem, answer = m.groups()
        assert not UNESCAPED_SPECIAL.search(title) and not UNESCAPED_SPECIAL.search(stem)
        answer, _, general = answer.partition("####")
        assert not UNESCAPED_SPECIAL.search(general)
        answer = answer.strip()
        if re.fullmatch(r"(TRUE|FALSE|T|F)(#.*)?", answer):
            continue
        if answer.startswith("#"):
            assert re.fullmatch(r"#-?\d+(\.\d+)?(:\d+(\.\d+)?)?", answer), answer
            continue
        options = split_unescaped(answer, "=~")
        assert options and all(mark in "=~" for mark, _ in options), answer
        for _, option in options:
            weight = re.match(r"%(-?\d+(\.\d+)?)%", option)
            if weight:
                assert -100 <= float(weight.group(1)) <= 100
                option = option[weight.end():]
            option = option.split("#")[0] if not re.search(r"\\#", option) else option
            assert option and not UNESCAPED_SPECIAL.search(option), option
        if all(mark == "=" for mark, _ in options):
            continue  # short answer
        weights = [float(re.match(r"%(-?[\d.]+)%", o).group(1)) for m_, o in options if o.startswith("%")]
        if weights:
            assert abs(sum(w for w in weights if w > 0) - 100) < 0.01


def test_gift_covers_every_kind_and_escapes_special_characters():
    text = interchange.gift(ITEMS)
    assert_gift_grammar(text, expected_questions=5)
    assert r"US\: later" in text and r"\{first\}" in text and r"Three days \= 72 hours." in text
    assert "{TRUE}" in text and "{#1985:0####Gorbachev.}" in text
    assert "~%50%Egypt ~%50%Iraq ~%-100%Jordan" in text


def test_gift_checker_rejects_broken_files():
    with pytest.raises(AssertionError):
        assert_gift_grammar("::Q::Who {won}? {=A ~B}\n", 1)
    with pytest.raises(AssertionError):
        assert_gift_grammar("::Q::Who? {=A ~B\n", 1)


def test_moodle_xml_parses_with_the_right_types_fractions_and_escaping():
    root = ET.fromstring(interchange.moodle_xml("quizapp/Test", ITEMS))
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    types = [q.get("type") for q in questions[1:]]
    assert types == ["multichoice", "multichoice", "truefalse", "shortanswer", "numerical"]
    multi = questions[2]
    assert multi.findtext("single") == "false"
    assert [a.get("fraction") for a in multi.findall("answer")] == ["50", "50", "-100"]
    assert multi.find("questiontext/text").text == "Pick &lt;all&gt; the right ones"
    assert [a.findtext("text") for a in questions[4].findall("answer")] == ["Brezhnev Plan", "Brezhnev"]
    assert questions[5].find("answer/tolerance").text == "0" and questions[5].findtext("defaultgrade") == "1.5"
    tf = {a.findtext("text"): a.get("fraction") for a in questions[3].findall("answer")}
    assert tf == {"true": "100", "false": "0"}


@pytest.mark.parametrize("fmt, answers, response, expected", [
    ("choice", ["USSR"], "USSR", 1.0), ("choice", ["USSR"], "UK", 0.0), ("choice", ["USSR"], None, 0.0),
    ("multi", ["A", "B"], ["A", "B"], 1.0), ("multi", ["A", "B"], ["A"], 0.5), ("multi", ["A", "B"], ["A", "C"], 0.0),
    ("multi", ["A", "B"], ["A", "B", "C"], 0.5), ("short", ["Andrei Gromyko", "Gromyko"], "  gromyko. ", 1.0),
    ("short", ["The Red Army"], "red army", 1.0), ("short", ["Gromyko"], "Molotov", 0.0),
    ("year", ["1948"], " 1948 ", 1.0), ("year", ["1948"], "1949", 0.0), ("year", ["1948"], "48", 0.0),
    ("truefalse", ["True"], "True", 1.0), ("truefalse", ["True"], "False", 0.0),
])
def test_grading(fmt, answers, response, expected):
    assert grading.score(fmt, answers, response) == expected


def test_item_analysis_facility_discrimination_and_wrong_answers():
    attempts = [
        analysis.AttemptResult(1.0, {1: (1.0, "A"), 2: (1.0, "X"), 3: (0.0, "C")}),
        analysis.AttemptResult(0.9, {1: (1.0, "A"), 2: (1.0, "X"), 3: (0.0, "C")}),
        analysis.AttemptResult(0.2, {1: (1.0, "A"), 2: (0.0, "Y"), 3: (1.0, "Z")}),
        analysis.AttemptResult(0.1, {1: (1.0, "A"), 2: (0.0, "Y"), 3: (1.0, "Z")}),
    ]
    stats = {s.item_id: s for s in analysis.analyse([1, 2, 3], attempts)}
    assert stats[1].facility == 1.0 and "too easy" in stats[1].flags[0]
    assert stats[2].facility == 0.5 and stats[2].discrimination == 1.0 and not stats[2].flags
    assert stats[2].wrong_answers == {"Y": 2}
    assert stats[3].discrimination == -1.0 and any("negative" in f for f in stats[3].flags)


def test_item_analysis_with_one_attempt_flags_nothing():
    stats = analysis.analyse([1], [analysis.AttemptResult(0.0, {1: (0.0, "B")})])
    assert stats[0].facility == 0.0 and stats[0].discrimination is None and stats[0].flags == []

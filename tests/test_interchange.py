"""Grading, and the Moodle XML and GIFT writers on plain data."""

import html
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp import grading, interchange

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
    assert "{TRUE}" in text and "{#1985:0 ####Gorbachev.}" in text
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


# What Moodle's GIFT importer (question/format/gift/format.php, readquestion) makes of a question,
# ported for the question types quizapp writes, so that a test can read a file as Moodle will.
GIFT_ESCAPES = {"\\:": "&&058;", "\\#": "&&035;", "\\=": "&&061;", "\\{": "&&123;", "\\}": "&&125;",
                "\\~": "&&126;", "\\n": "&&010"}
GIFT_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
PHP_SPACE = " \t\n\r\0\x0b"


def _pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in GIFT_ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def _post(text: str) -> str:
    for escaped, placeholder in GIFT_ESCAPES.items():
        text = text.replace(placeholder, escaped[1:] if escaped != "\\n" else "\n")
    return text


def _with_format(text: str, default: str) -> tuple[str, str]:
    fmt = default
    if text.startswith("[") and "]" in text:
        name = text[1:text.index("]")]
        if name in ("html", "moodle", "plain", "markdown"):
            fmt, text = name, text[text.index("]") + 1:]
    return _post(text).strip(PHP_SPACE), fmt


def _weighed(answer: str, default: float) -> tuple[float, str]:
    if GIFT_WEIGHT.match(answer):
        answer = answer[1:]
        end = answer.index("%")
        return float(answer[:end]) / 100, answer[end + 1:]
    return default, answer


def moodle_reads_gift(block: str) -> dict:
    """One question as Moodle imports it: type, name, text and format, answers with their fractions."""
    lines = [" " if line.strip(PHP_SPACE).startswith("//") else line for line in block.split("\n")]
    text = _pre("\n".join(lines).strip(PHP_SPACE))
    assert text.startswith("::"), "no name"
    text = text[2:]
    name, text = _post(text[:text.index("::")]).strip(PHP_SPACE), text[text.index("::") + 2:].strip(PHP_SPACE)
    start, finish = text.find("{"), text.find("}")
    assert 0 <= start < finish and text.endswith("}") and finish == len(text) - 1, "braces"
    answers, question = text[start + 1:finish].strip(PHP_SPACE), text[:start]
    split = answers.rfind("####")
    general = answers[split + 4:] if split >= 0 else ""
    answers = answers[:split].strip(PHP_SPACE) if split >= 0 else answers
    question, fmt = _with_format(question, "moodle")
    read = {"name": name, "text": question, "format": fmt, "feedback": _with_format(general, fmt), "answers": []}
    if answers.startswith("#"):
        read["type"] = "numerical"
        read["answers"] = [(1.0, a.strip(PHP_SPACE)) for a in answers[1:].split("=") if a.strip(PHP_SPACE)]
    elif "~" in answers:
        read["type"] = "multichoice"
        read["single"] = "=" in answers
        for answer in [a.strip(PHP_SPACE) for a in answers.replace("=", "~=").split("~")]:
            if not answer:
                continue
            weight, answer = (1.0, answer[1:]) if answer.startswith("=") else _weighed(answer, 0.0)
            read["answers"].append((weight, _with_format(answer.split("#", 1)[0].strip(PHP_SPACE), fmt)))
    elif "=" in answers and "->" in answers:
        read["type"] = "match"
    elif answers.split("#", 1)[0].strip(PHP_SPACE) in ("T", "TRUE", "F", "FALSE"):
        read["type"] = "truefalse"
        read["answers"] = [answers.split("#", 1)[0].strip(PHP_SPACE) in ("T", "TRUE")]
    else:
        read["type"] = "shortanswer"
        for answer in [a.strip(PHP_SPACE) for a in answers.split("=")]:
            if answer:
                weight, answer = _weighed(answer, 1.0)
                read["answers"].append((weight, _with_format(answer.split("#", 1)[0].strip(PHP_SPACE), fmt)[0]))
    return read


def moodle_accepts(pattern: str, response: str) -> bool:
    """Moodle's short-answer match (qtype_shortanswer::compare_string_with_wildcard, case-insensitive)."""
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(regex, response.strip(PHP_SPACE), re.IGNORECASE | re.DOTALL) is not None


def folded(text: str) -> str:
    """A text as GIFT carries it: printable, on one line."""
    return " ".join(interchange.printable(text).split())


# any character, with more of those that break files: controls, surrogates, GIFT's and HTML's own
any_text = st.text(st.one_of(st.characters(), st.characters(categories=["Cc", "Cs", "Cf", "Zl", "Zp"]),
                             st.sampled_from([*"~=#{}:\\[]%*->&<'/ \n", '"'])), max_size=30)
visible = any_text.filter(lambda t: folded(t) != "")
choice_lists = st.lists(visible, min_size=2, max_size=5, unique_by=folded)


@st.composite
def item_specs(draw) -> interchange.ItemSpec:
    fmt = draw(st.sampled_from(["choice", "multi", "truefalse", "short", "year"]))
    choices, answers = [], []
    if fmt in ("choice", "multi"):
        choices = draw(choice_lists)
        right = draw(st.integers(1, 1 if fmt == "choice" else len(choices) - 1))
        answers = choices[:right]
    elif fmt == "truefalse":
        choices, answers = ["True", "False"], [draw(st.sampled_from(["True", "False"]))]
    elif fmt == "short":
        answers = draw(st.lists(visible, min_size=1, max_size=3, unique_by=folded))
    else:
        answers = [str(draw(st.integers(1, 2026)))]
    return interchange.ItemSpec(draw(visible), fmt, draw(visible), choices, answers, draw(any_text), 1)


GIFT_TYPES = {"choice": "multichoice", "multi": "multichoice", "truefalse": "truefalse", "short": "shortanswer",
              "year": "numerical"}


@settings(max_examples=300, deadline=None)
@given(item=item_specs())
def test_moodle_reads_any_text_back_from_gift_as_written(item):
    """Whatever an instructor typed (controls, braces, markup, a leading [plain] or %50%), Moodle's
    importer reads the same question type, texts, right answers and weights back."""
    text = interchange.gift([item])
    assert_gift_grammar(text, expected_questions=1)
    read = moodle_reads_gift(text.strip())
    assert read["type"] == GIFT_TYPES[item.format]
    assert read["name"] == folded(item.name) and read["format"] == "html"
    assert html.unescape(read["text"]) == folded(item.prompt)
    assert "<" not in read["text"] and "<" not in read["feedback"][0]
    assert html.unescape(read["feedback"][0]) == folded(item.explanation) and read["feedback"][1] == "html"
    if item.format in ("choice", "multi"):
        assert read["single"] == (item.format == "choice")
        assert [(html.unescape(t), f) for _, (t, f) in read["answers"]] == [(folded(c), "html") for c in item.choices]
        assert all("<" not in t for _, (t, _) in read["answers"])
        right = {folded(c) for c in item.answers}
        assert {html.unescape(t) for w, (t, _) in read["answers"] if w > 0} == right
        assert sum(w for w, _ in read["answers"] if w > 0) == pytest.approx(1.0, abs=1e-3)
    elif item.format == "truefalse":
        assert read["answers"] == [item.answers[0] == "True"]
    elif item.format == "short":
        assert [w for w, _ in read["answers"]] == [1.0] * len(item.answers)
        for (_, pattern), answer in zip(read["answers"], item.answers, strict=True):
            assert moodle_accepts(pattern, folded(answer)), (pattern, answer)
    else:
        assert read["answers"] == [(1.0, f"{item.answers[0]}:0")]


@settings(max_examples=200, deadline=None)
@given(category=any_text, items=st.lists(item_specs(), min_size=1, max_size=3))
def test_moodle_xml_is_well_formed_for_any_text(category, items):
    root = ET.fromstring(interchange.moodle_xml(category, items))
    questions = root.findall("question")[1:]
    assert len(questions) == len(items)
    for q, item in zip(questions, items, strict=True):
        assert q.findtext("name/text") == interchange.printable(item.name)
        assert html.unescape(q.findtext("questiontext/text")) == interchange.printable(item.prompt)
        assert html.unescape(q.findtext("generalfeedback/text") or "") == interchange.printable(item.explanation)


def test_control_characters_in_a_title_leave_moodle_xml_well_formed():
    title = "Quiz\x01\x08\x0b\x1b\x7f\ufffe\ud800 one"
    item = interchange.ItemSpec(f"{title} — Q1", "short", "Name\x00 it\x0c", [], ["Gromyko\x1b"], "\x02", 1)
    root = ET.fromstring(interchange.moodle_xml(f"quizapp/{title}", [item]))
    assert root.find("question/category/text").text == "$course$/quizapp/Quiz one"
    assert root.findtext("question[@type='shortanswer']/answer/text") == "Gromyko"


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

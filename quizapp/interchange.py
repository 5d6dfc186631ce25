"""Quizzes as Moodle XML and GIFT, the two formats Moodle's question import reads.

Both are written for any text at all: characters that XML 1.0 cannot hold (and other control
characters) are dropped, and every GIFT part that Moodle reads as HTML is HTML-escaped.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemSpec:
    """A quiz item as plain data: what both formats need."""

    name: str
    format: str  # choice, multi, truefalse, short, year
    prompt: str
    choices: list[str]
    answers: list[str]
    explanation: str
    points: float


# C0 and C1 controls but tab and newlines, lone surrogates, and the two non-characters XML 1.0 excludes
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """The text without control characters, lone surrogates or non-characters; every line break a newline."""
    return UNPRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _printable(item: ItemSpec) -> ItemSpec:
    return ItemSpec(printable(item.name), item.format, printable(item.prompt), [printable(c) for c in item.choices],
                    [printable(a) for a in item.answers], printable(item.explanation), item.points)


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> None:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = html.escape(value) if fmt == "html" else value


def _points(value: float) -> str:
    return f"{value:g}"


def moodle_xml(category: str, items: list[ItemSpec]) -> bytes:
    """A Moodle XML question file (one category holding every item); well-formed whatever the texts hold."""
    quiz = ET.Element("quiz")
    cat = ET.SubElement(ET.SubElement(quiz, "question", {"type": "category"}), "category")
    ET.SubElement(cat, "text").text = f"$course$/{printable(category)}"
    kinds = {"choice": "multichoice", "multi": "multichoice", "truefalse": "truefalse",
             "short": "shortanswer", "year": "numerical"}
    for item in map(_printable, items):
        q = ET.SubElement(quiz, "question", {"type": kinds[item.format]})
        name = ET.SubElement(q, "name")
        ET.SubElement(name, "text").text = item.name
        _text(q, "questiontext", item.prompt)
        _text(q, "generalfeedback", item.explanation)
        ET.SubElement(q, "defaultgrade").text = _points(item.points)
        ET.SubElement(q, "penalty").text = "0"
        ET.SubElement(q, "hidden").text = "0"
        if item.format in ("choice", "multi"):
            ET.SubElement(q, "single").text = "true" if item.format == "choice" else "false"
            ET.SubElement(q, "shuffleanswers").text = "true"
            ET.SubElement(q, "answernumbering").text = "abc"
            right = [c for c in item.choices if c in item.answers]
            wrong = len(item.choices) - len(right)
            for choice in item.choices:
                if choice in item.answers:
                    fraction = 100 / len(right)
                else:
                    fraction = 0 if item.format == "choice" else -100 / max(wrong, 1)
                answer = ET.SubElement(q, "answer", {"fraction": f"{fraction:.5g}", "format": "html"})
                ET.SubElement(answer, "text").text = html.escape(choice)
        elif item.format == "truefalse":
            truth = item.answers[0] == "True"
            for value in ("true", "false"):
                answer = ET.SubElement(q, "answer", {"fraction": "100" if (value == "true") == truth else "0",
                                                     "format": "moodle_auto_format"})
                ET.SubElement(answer, "text").text = value
        elif item.format == "short":
            ET.SubElement(q, "usecase").text = "0"
            for accepted in item.answers:
                answer = ET.SubElement(q, "answer", {"fraction": "100", "format": "moodle_auto_format"})
                ET.SubElement(answer, "text").text = accepted
        else:
            answer = ET.SubElement(q, "answer", {"fraction": "100"})
            ET.SubElement(answer, "text").text = item.answers[0]
            ET.SubElement(answer, "tolerance").text = "0"
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)


GIFT_SPECIAL = re.compile(r"([~=#{}:\\])")
GIFT_FORMATS = re.compile(r"\[(html|moodle|plain|markdown)\]")


def gift_escape(text: str) -> str:
    """Backslash GIFT's control characters and fold newlines, so text cannot break the syntax."""
    return GIFT_SPECIAL.sub(r"\\\1", " ".join(printable(text).split()))


def gift_html(text: str) -> str:
    """A part Moodle reads as HTML (question text, choices, feedback: all take the question's [html]).

    Escaped as HTML, then for GIFT. A leading ``[`` or ``%`` becomes a character reference, so
    that the text cannot be read as a format marker (``[plain]``) or an answer weight (``%100%``).
    """
    escaped = html.escape(" ".join(printable(text).split()))
    if escaped[:1] in ("[", "%"):
        escaped = f"&#{ord(escaped[0])};{escaped[1:]}"
    return gift_escape(escaped)


def gift_plain(text: str) -> str:
    """An accepted short answer, which Moodle compares as plain text with ``*`` as a wildcard.

    A literal ``*`` is written ``\\*``. ``->`` would make Moodle take the question for a matching
    one, and GIFT has no escape for it: it becomes ``-*>``, which accepts the answer as typed
    (and, in this one case, any text between ``-`` and ``>``). A leading format marker is shielded
    by ``[plain]``, which Moodle removes.
    """
    escaped = gift_escape(text).replace("*", "\\*").replace("->", "-*>")
    return "[plain]" + escaped if GIFT_FORMATS.match(escaped) else escaped


def gift(items: list[ItemSpec]) -> str:
    """A GIFT file: one question per block, blank lines between."""
    blocks = []
    for item in map(_printable, items):
        head = f"::{gift_escape(item.name)}::[html]{gift_html(item.prompt)} "
        # a space before "####": an answer ending in an escaped "#" would otherwise run into it
        feedback = f" ####{gift_html(item.explanation)}" if item.explanation.strip() else ""
        if item.format == "choice":
            body = " ".join(("=" if c in item.answers else "~") + gift_html(c) for c in item.choices)
        elif item.format == "multi":
            right = [c for c in item.choices if c in item.answers]
            wrong = len(item.choices) - len(right)
            parts = []
            for c in item.choices:
                weight = 100 / len(right) if c in item.answers else -100 / max(wrong, 1)
                parts.append(f"~%{weight:.5g}%{gift_html(c)}")
            body = " ".join(parts)
        elif item.format == "truefalse":
            body = "TRUE" if item.answers[0] == "True" else "FALSE"
        elif item.format == "year" and item.answers[0].strip().isascii() and item.answers[0].strip().isdigit():
            body = "#" + item.answers[0].strip() + ":0"
        else:  # short answers, and a year that is not a number
            body = " ".join("=%100%" + gift_plain(a) for a in item.answers)
        blocks.append(f"// points: {_points(item.points)}\n{head}{{{body}{feedback}}}")
    return "\n\n".join(blocks) + "\n"

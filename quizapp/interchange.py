"""Quizzes as Moodle XML and GIFT, the two formats Moodle's question import reads."""

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


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> None:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = html.escape(value) if fmt == "html" else value


def _points(value: float) -> str:
    return f"{value:g}"


def moodle_xml(category: str, items: list[ItemSpec]) -> bytes:
    """A Moodle XML question file (one category holding every item)."""
    quiz = ET.Element("quiz")
    cat = ET.SubElement(ET.SubElement(quiz, "question", {"type": "category"}), "category")
    ET.SubElement(cat, "text").text = f"$course$/{category}"
    kinds = {"choice": "multichoice", "multi": "multichoice", "truefalse": "truefalse",
             "short": "shortanswer", "year": "numerical"}
    for item in items:
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


def gift_escape(text: str) -> str:
    """Backslash GIFT's control characters and fold newlines, so text cannot break the syntax."""
    return GIFT_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def gift(items: list[ItemSpec]) -> str:
    """A GIFT file: one question per block, blank lines between."""
    blocks = []
    for item in items:
        head = f"::{gift_escape(item.name)}::[html]{gift_escape(html.escape(item.prompt))} "
        feedback = f"####{gift_escape(item.explanation)}" if item.explanation else ""
        if item.format == "choice":
            body = " ".join(("=" if c in item.answers else "~") + gift_escape(c) for c in item.choices)
        elif item.format == "multi":
            right = [c for c in item.choices if c in item.answers]
            wrong = len(item.choices) - len(right)
            parts = []
            for c in item.choices:
                weight = 100 / len(right) if c in item.answers else -100 / max(wrong, 1)
                parts.append(f"~%{weight:.5g}%{gift_escape(c)}")
            body = " ".join(parts)
        elif item.format == "truefalse":
            body = "TRUE" if item.answers[0] == "True" else "FALSE"
        elif item.format == "short":
            body = " ".join("=" + gift_escape(a) for a in item.answers)
        else:
            body = "#" + item.answers[0] + ":0"
        blocks.append(f"// points: {_points(item.points)}\n{head}{{{body}{feedback}}}")
    return "\n\n".join(blocks) + "\n"

"""The core modules stay framework-free: plain data in, plain data out."""

import ast
from pathlib import Path

import pytest

CORE = ("facts.py", "subject.py", "factcheck.py", "askcheck.py", "generate.py", "question.py", "slots.py", "bank.py",
        "kinds.py", "asking.py", "who.py", "reasons.py", "rules.py", "bank_rules.py", "wording.py", "grading.py",
        "scheduling.py", "anki.py", "fitting.py", "reading.py", "calibration.py", "overlap.py")
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "wtforms", "quizapp.models", "quizapp.views")


@pytest.mark.parametrize("name", CORE)
def test_core_module_imports_no_framework(name):
    path = Path(__file__).parent.parent / "quizapp" / name
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for imported in names:
            assert not imported.startswith(FORBIDDEN), f"{name} imports {imported}"

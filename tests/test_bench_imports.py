"""The benchmarks are not run by the test suite, but every name they import from the app must exist:
a module split must not leave `make bench` broken (imports inside functions included)."""

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

BENCH = sorted((Path(__file__).resolve().parent.parent / "bench").glob("*.py"))


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.stem)
def test_every_app_name_a_benchmark_imports_exists(path):
    missing = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "quizapp":
            module = importlib.import_module(node.module)
            missing += [f"{node.module}.{alias.name} (line {node.lineno})" for alias in node.names
                        if not hasattr(module, alias.name)
                        and importlib.util.find_spec(f"{node.module}.{alias.name}") is None]
    assert not missing, f"{path.name} imports names the app no longer has: {missing}"

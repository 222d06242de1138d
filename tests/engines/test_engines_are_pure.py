"""Engines are plain Python: no module under legend50/engines may import Django."""

import ast
from pathlib import Path

ENGINES = Path(__file__).resolve().parents[2] / "legend50" / "engines"


def test_no_engine_module_imports_django():
    offenders = []
    for path in ENGINES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ENGINES)}:{node.lineno} {n}" for n in names if n.split(".")[0] == "django"
            ]
    assert not offenders, f"engines must not import django: {offenders}"


def test_the_check_itself_catches_an_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from django.db import models\n")
    tree = ast.parse(bad.read_text())
    assert any(isinstance(n, ast.ImportFrom) and n.module.startswith("django") for n in ast.walk(tree))

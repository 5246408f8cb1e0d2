"""Counts in what ttconfig says agree with their nouns: "1 reason", "2 reasons", never
"reason(s)"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ttconfig.words import plural

PACKAGE = Path(__file__).resolve().parents[1] / "ttconfig"


@pytest.mark.parametrize(("count", "noun", "said"), [
    (0, "reason", "0 reasons"),
    (1, "reason", "1 reason"),
    (2, "live object", "2 live objects"),
    (1, "TT write request", "1 TT write request"),
    (1_200, "request", "1,200 requests"),
])
def test_a_count_agrees_with_its_noun(count: int, noun: str, said: str) -> None:
    assert plural(count, noun) == said


def _said(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of `tree` that can reach a person, as (line, text): docstrings
    (a string standing alone as a statement) are not said to anyone."""
    standing = {id(node.value) for node in ast.walk(tree)
                if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in standing]


def test_no_message_hedges_a_count_with_an_s_in_brackets() -> None:
    hedged = [f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}"
              for path in sorted(PACKAGE.rglob("*.py"))
              for line, text in _said(ast.parse(path.read_text(encoding="utf-8")))
              if "(s)" in text]
    assert hedged == []


def test_the_scan_sees_f_strings_and_skips_docstrings() -> None:
    tree = ast.parse('"""a docstring(s)"""\n'
                     'def f(n):\n    """field(s)"""\n    return f"{n} reason(s)"\n')
    assert [text for _line, text in _said(tree) if "(s)" in text] == [" reason(s)"]

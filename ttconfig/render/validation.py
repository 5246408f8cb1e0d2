"""`ttconfig validate`'s report: text (what it always said), markdown (a PR comment) and
json (for tools: the counts, or every problem with its file, line and column)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ttconfig.models import DECLARED, Firm
from ttconfig.words import plural


def _counts(firm: Firm) -> dict[str, int]:
    return {spec.kind.value: len(firm.of(spec.kind)) for spec in DECLARED}


def _problem(problem: object) -> dict[str, object]:
    fields = ("file", "line", "column", "message")
    if all(hasattr(problem, name) for name in fields):
        return {name: getattr(problem, name) for name in fields}
    return {"file": None, "line": None, "column": None, "message": str(problem)}


def validation_text(folder: Path, firm: Firm | None, problems: Sequence[object],
                    output_format: str) -> str:
    """The report of one folder: valid with its counts (`firm`), or (markdown, json) its
    `problems`."""
    if output_format == "json":
        return json.dumps({"environment": str(folder), "valid": firm is not None,
                           "counts": None if firm is None else _counts(firm),
                           "problems": [_problem(p) for p in problems]}, indent=2) + "\n"
    if output_format == "markdown":
        if firm is None:
            return "\n".join([f"## `{folder}`: {plural(len(problems), 'problem')}", "",
                              *(f"- `{p}`" for p in problems), ""])
        counts = ", ".join(f"{len(firm.of(spec.kind))} {spec.title}" for spec in DECLARED)
        return f"## `{folder}`: valid\n\n{counts}\n"
    assert firm is not None, "text problems are said by the command line's main"
    counts = ", ".join(f"{len(firm.of(spec.kind))} {spec.title}" for spec in DECLARED)
    return f"{folder}: valid ({counts})\n"

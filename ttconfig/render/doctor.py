"""`ttconfig doctor`'s report: one line per check with its verdict, and the verdict of all;
as a terminal's table, a markdown table, or one json object."""

from __future__ import annotations

import json

from rich.table import Table
from rich.text import Text

from ttconfig.runs.doctor import Diagnosis, Verdict
from ttconfig.words import plural

STYLES = {Verdict.OK: "green", Verdict.WARN: "yellow", Verdict.FAIL: "bold red"}


def doctor_table(diagnosis: Diagnosis) -> Table:
    table = Table(title=f"ttconfig doctor: {diagnosis.environment} "
                        f"({diagnosis.tt_environment})", title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("detail")
    for check in diagnosis.checks:
        table.add_row(check.name, Text(check.verdict.value, style=STYLES[check.verdict]),
                      check.detail)
    return table


def doctor_summary(diagnosis: Diagnosis) -> str:
    failed = sum(c.verdict is Verdict.FAIL for c in diagnosis.checks)
    warned = sum(c.verdict is Verdict.WARN for c in diagnosis.checks)
    captured = (f" Answers captured (credentials scrubbed) in {diagnosis.captured}."
                if diagnosis.captured else "")
    if failed:
        return (f"{plural(failed, 'check')} failed, {plural(warned, 'warning')}, "
                f"{plural(diagnosis.requests, 'request')}: ttconfig is not ready for this TT "
                f"yet.{captured}")
    probed = any(c.name.startswith("write probe") for c in diagnosis.checks)
    written = "each probe write undone" if probed else "nothing written"
    return (f"Everything ttconfig needs is as expected ({plural(warned, 'warning')}, "
            f"{plural(diagnosis.requests, 'request')}, {written}).{captured}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def doctor_markdown(diagnosis: Diagnosis) -> str:
    lines = [f"## ttconfig doctor: {diagnosis.environment} ({diagnosis.tt_environment})", "",
             "| check | verdict | detail |", "|---|---|---|"]
    lines += [f"| {_cell(c.name)} | {c.verdict.value} | {_cell(c.detail)} |"
              for c in diagnosis.checks]
    return "\n".join([*lines, "", doctor_summary(diagnosis)]) + "\n"


def doctor_json(diagnosis: Diagnosis) -> str:
    data = {"environment": diagnosis.environment, "tt_environment": diagnosis.tt_environment,
            "healthy": diagnosis.healthy,
            "checks": [{"name": c.name, "verdict": c.verdict.value, "detail": c.detail}
                       for c in diagnosis.checks],
            "requests": diagnosis.requests,
            "captured": None if diagnosis.captured is None else str(diagnosis.captured),
            "summary": doctor_summary(diagnosis)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""`ttconfig doctor`'s report: one line per check with its verdict, and the verdict of all."""

from __future__ import annotations

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

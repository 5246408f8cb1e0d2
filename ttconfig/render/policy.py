"""The policy verdict of a plan, for the terminal and for a pull-request comment.

Every finding names its rule, what it found, and how it can be allowed; refusals come first,
so the reason a plan cannot be applied is the first thing read.
"""

from __future__ import annotations

from ttconfig.safety.policy import Finding, Verdict
from ttconfig.words import plural

LABELS = {"refused": "REFUSED", "overridden": "ALLOWED", "needed": "NEEDED",
          "warning": "WARNING"}
MARKDOWN_ROWS = 50
TEXT_WARNINGS = 5


def render_verdict_text(verdict: Verdict) -> str:
    """The findings as lines ('' when there are none). Warnings — things already so in TT
    that the plan leaves alone — are capped, so they never bury a refusal."""
    if not verdict.findings:
        return ""
    lines = ["Policy (environment.yaml):"]
    warnings = verdict.of("warning")
    shown = [f for f in verdict.findings if f.outcome != "warning"] + warnings[:TEXT_WARNINGS]
    for finding in shown:
        lines.append(f"  {LABELS[finding.outcome]:9} {finding.rule}: {finding.message}")
        if finding.override and finding.outcome in ("refused", "needed"):
            lines.append(f"  {'':9} allow by: {finding.override}")
    if len(warnings) > TEXT_WARNINGS:
        lines.append(f"  {'':9} … and {len(warnings) - TEXT_WARNINGS} more warnings "
                     "(--format json lists every one)")
    return "\n".join([*lines, ""]) + "\n"


def refusal_message(verdict: Verdict) -> str:
    refused = verdict.of("refused")
    rules = sorted({f.rule for f in refused})
    return (f"refused by policy ({', '.join(rules)}): {plural(len(refused), 'finding')}, listed "
            "above. Nothing was written to TT.")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(finding: Finding) -> str:
    how = finding.override if finding.outcome in ("refused", "needed") else ""
    return (f"| **{LABELS[finding.outcome]}** | {finding.rule} | {_cell(finding.message)} | "
            f"{_cell(how or '')} |")


def verdict_markdown(verdict: Verdict, *, warnings: bool = False) -> list[str]:
    """A table for the plan comment (at most MARKDOWN_ROWS rows, refusals first): what
    the plan must get past (refusals, overrides, what it needs) — or, with `warnings`,
    what is only said (values already so in TT, TT's own holds), which the comment puts
    after the changes so they do not bury them."""
    findings = [f for f in verdict.findings if (f.outcome == "warning") == warnings]
    if not findings:
        return []
    head = ("### Policy: warnings" if warnings else
            "### Policy: refused" if verdict.refused else "### Policy")
    rows = [_row(f) for f in findings[:MARKDOWN_ROWS]]
    more = len(findings) - len(rows)
    return [head, "", "| outcome | rule | finding | how to allow |", "|---|---|---|---|", *rows,
            *([f"| … | | {more} more findings in the plan artifact | |"] if more else []), ""]

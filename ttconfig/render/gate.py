"""The promotion gate's verdict as text, for the pull request's check log.

Every refusal is named with its rule; a hotfix's waived reasons are still listed, so the
PR shows what skipped the source environment and has to be brought back to its YAML.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from ttconfig.promotion.gate import GateVerdict
from ttconfig.runs.planning import Gated
from ttconfig.words import plural


def render_gate(verdict: GateVerdict, environment: str, source: str) -> str:
    lines = [f"Gate for {environment}: every change must be tried in {source} first "
             f"({plural(verdict.checked, f'{environment} change')} checked)."]
    lines += [f"  REFUSED  {r.rule}: {r.message}" for r in verdict.reasons]
    lines += [f"  WAIVED (hotfix)  {r.rule}: {r.message}" for r in verdict.waived]
    if verdict.waived:
        lines.append(f"Hotfix: the reasons above are waived; bring what skipped {source} back "
                     f"to its YAML.")
    if not verdict.refused:
        lines.append("Gate passed.")
    return "\n".join(lines) + "\n"


def render_gate_markdown(verdict: GateVerdict, environment: str, source: str) -> str:
    head = "refused" if verdict.refused else "passed"
    lines = [f"## Gate for {environment}: {head}", "",
             f"Every change must be tried in {source} first "
             f"({plural(verdict.checked, f'{environment} change')} checked).", ""]
    lines += [f"- **REFUSED** {r.rule}: {r.message}" for r in verdict.reasons]
    lines += [f"- WAIVED (hotfix) {r.rule}: {r.message}" for r in verdict.waived]
    return "\n".join(lines) + "\n"


def render_gate_json(verdict: GateVerdict, environment: str, source: str) -> str:
    return json.dumps({"environment": environment, "source": source,
                       "refused": verdict.refused, "checked": verdict.checked,
                       "reasons": [asdict(r) for r in verdict.reasons],
                       "waived": [asdict(r) for r in verdict.waived]}, indent=2) + "\n"


GATE_RENDERERS = {"text": render_gate, "markdown": render_gate_markdown,
                  "json": render_gate_json}


def gate_note(gated: Gated) -> str:
    """What `plan --out` recorded of the gate, and what apply will make of it."""
    if gated.verdict.refused:
        return (render_gate(gated.verdict, gated.environment, gated.source)
                + "The plan file records the gate's refusal: apply will refuse it.")
    how = " (hotfix)" if gated.hotfix else ""
    return f"The gate passed{how} against {gated.source}; the plan file records it."

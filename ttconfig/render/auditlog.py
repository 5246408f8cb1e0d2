"""`ttconfig audit log` as text, markdown and json: each environment's applies (their steps
and how each ended) and other events, oldest first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ttconfig.promotion.soak import OBSERVED
from ttconfig.runs.auditlog import Entry, EnvironmentLog
from ttconfig.words import plural

MARKS = {"create": "+", "delete": "-", "deactivate": "-"}


def _chain(log: EnvironmentLog) -> str:
    verdict = log.verdict
    if verdict.broken_at is not None:
        return (f"BROKEN at line {verdict.broken_at} ({verdict.reason}): only the "
                f"{verdict.records} records before it are shown")
    return "no log yet" if verdict.records == 0 else \
        f"{plural(verdict.records, 'record')}, the chain holds"


def _headline(entry: Entry) -> str:
    when = entry.time.replace("T", " ")[:19]
    if entry.event == OBSERVED:
        seen = entry.details
        if "unreadable" in seen:
            return f"{when}  {entry.actor}  drift run: {seen['unreadable']}"
        return (f"{when}  {entry.actor}  drift run: {plural(seen['seen'], 'object')} seen, "
                f"{seen['changed']} new or changed, {seen['gone']} gone")
    if entry.event != "apply":
        said = ", ".join(f"{k} {v}" for k, v in entry.details.items() if v not in (None, "", []))
        return f"{when}  {entry.actor}  {entry.event}" + (f": {said}" if said else "")
    outcomes = ", ".join(f"{n} {o}" for o, n in sorted(entry.outcomes.items()))
    commit = f", git {entry.git_commit[:12]}" if entry.git_commit else ""
    return (f"{when}  {entry.actor}  apply of plan {(entry.plan or '')[:16]}…{commit}: "
            f"{plural(len(entry.steps), 'request')} ({outcomes or 'none sent'})")


def _step_line(entry: Entry, index: int) -> str:
    step = entry.steps[index]
    mark = MARKS.get(step.operation.split(" ")[0], "~")
    listed = step.items and step.items != (step.key,) and not step.operation.startswith(
        "create")  # (a create's items are the fields it sets)
    items = f" [{', '.join(step.items)}]" if listed else ""
    return f"    {mark} {step.operation} {step.key}{items}  {step.direction}: {step.outcome}"


def render_audit_text(logs: Sequence[EnvironmentLog]) -> str:
    lines: list[str] = []
    for log in logs:
        lines += [f"{log.environment}: {log.path} ({_chain(log)})"]
        if not log.entries:
            lines.append("  nothing recorded" + (" in that time" if log.verdict.records else ""))
        for entry in log.entries:
            lines.append("  " + _headline(entry))
            lines += [_step_line(entry, i) for i in range(len(entry.steps))]
            if entry.details.get("diverged") and entry.event == "apply":
                lines.append(f"    diverged: {', '.join(entry.details['diverged'])}")
        lines.append("")
    return "\n".join(lines)


def render_audit_markdown(logs: Sequence[EnvironmentLog]) -> str:
    lines: list[str] = []
    for log in logs:
        lines += [f"## {log.environment}", "", f"`{log.path}`: {_chain(log)}", ""]
        for entry in log.entries:
            lines.append(f"- {_headline(entry)}".replace("|", "\\|"))
            lines += [f"  - {_step_line(entry, i).strip()}" for i in range(len(entry.steps))]
        lines.append("")
    return "\n".join(lines)


def _entry_data(entry: Entry) -> dict[str, Any]:
    return {"time": entry.time, "event": entry.event, "actor": entry.actor,
            "plan": entry.plan, "git_commit": entry.git_commit,
            "steps": [vars(step) | {"items": list(step.items)} for step in entry.steps],
            "details": entry.details}


def render_audit_json(logs: Sequence[EnvironmentLog]) -> str:
    return json.dumps([{"environment": log.environment, "path": str(log.path),
                        "chain": {"records": log.verdict.records,
                                  "broken_at": log.verdict.broken_at,
                                  "reason": log.verdict.reason},
                        "entries": [_entry_data(e) for e in log.entries]} for log in logs],
                      indent=2, ensure_ascii=False) + "\n"

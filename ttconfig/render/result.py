"""What an apply did, for the person or CI job that ran it.

An apply can end four ways besides success — a request failed, one went unanswered and
could not be read back, the last read-back failed, or live diverged from the YAML — and
each needs a different next step, so each is said in its own line; a step whose outcome is
unknown is never called "not applied", since it may have landed.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

from ttconfig.core.plan import Step
from ttconfig.runs.apply.applier import ApplyResult
from ttconfig.words import plural

LISTED = 20
"""Steps named in the "not applied" line; plan lists every one."""


def describe_result(result: ApplyResult, audit_path: Path) -> str:
    total = len(result.done) + len(result.remaining) + (result.unknown is not None)
    lines = [f"Applied {len(result.done)} of {plural(total, 'request')}. "
             f"Audit log: {audit_path}"]
    if result.interrupted:
        name = signal.Signals(result.signal).name if result.signal else "a signal"
        lines.append(f"Stopped by {name}: the write in flight is recorded as interrupted; "
                     "the lock is released.")
    elif result.failure is not None:
        lines.append(f"Stopped: {result.failure}")
    if result.unknown is not None:
        why = ("its outcome could not be recorded; the next apply reads it back first"
               if result.unrecorded else "TT did not answer, and reading back failed too")
        lines.append(f"Outcome unknown: {result.unknown.operation} {result.unknown.key} "
                     f"({why}: it may or may not have landed)")
    if result.remaining:
        lines.append(f"Not applied ({plural(len(result.remaining), 'request')}): "
                     + ", ".join(f"{s.operation} {s.key}" for s in result.remaining[:LISTED]))
    if result.unverified is not None and not result.interrupted:
        lines.append(f"Not verified: reading back after the last request failed "
                     f"({result.unverified}).")
    if result.failure is not None or result.unverified is not None:
        lines.append("Run plan to see exactly what remains.")
    if result.diverged:
        lines += ["Diverged (live differs from the YAML after apply; not re-applied): "
                  + ", ".join(f"{c.kind} {c.key}" for c in result.diverged)]
    return "\n".join(lines)


def result_json(outcome: str, result: ApplyResult | None, audit_path: Path,
                exit_code: int) -> str:
    """How an apply ended, for tools: each request applied or not, what diverged, what is
    unknown, and the exit code the command ends with."""
    def steps(items: list[Step]) -> list[dict[str, object]]:
        return [step.to_data() for step in items]

    data: dict[str, object] = {"outcome": outcome, "exit_code": exit_code,
                               "audit_log": str(audit_path)}
    if result is not None:
        data |= {"applied": steps(result.done), "not_applied": steps(result.remaining),
                 "failure": result.failure,
                 "diverged": [{"kind": c.kind.value, "key": str(c.key)}
                              for c in result.diverged],
                 "unknown": None if result.unknown is None else result.unknown.to_data(),
                 "unverified": result.unverified, "interrupted": result.interrupted}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

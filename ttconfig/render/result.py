"""What an apply did, for the person or CI job that ran it.

An apply can end four ways besides success — a request failed, one went unanswered and
could not be read back, the last read-back failed, or live diverged from the YAML — and
each needs a different next step, so each is said in its own line; a step whose outcome is
unknown is never called "not applied", since it may have landed. The same as text for the
person, markdown for the comment a CI job posts (each request with its requestId), and json
for tools.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Sequence
from pathlib import Path

from ttconfig.core.plan import Step
from ttconfig.render.markdown import LIMIT, MARGIN
from ttconfig.runs.apply.applier import ApplyResult
from ttconfig.runs.apply.workflow import Applied, Outcome
from ttconfig.runs.auditlog import Step as Recorded
from ttconfig.words import plural

LISTED = 20
"""Steps named in the "not applied" line; plan lists every one."""


def describe_result(result: ApplyResult, audit_path: Path) -> str:
    lines = [f"Applied {len(result.done)} of {plural(_total(result), 'request')}. "
             f"Audit log: {audit_path}", *_stopped(result)]
    if result.remaining:
        lines.append(f"Not applied ({plural(len(result.remaining), 'request')}): "
                     + ", ".join(f"{s.operation} {s.key}" for s in result.remaining[:LISTED]))
    lines += _unverified(result)
    if result.diverged:
        lines += [f"{DIVERGED}: " + ", ".join(f"{c.kind} {c.key}" for c in result.diverged)]
    return "\n".join(lines)


DIVERGED = "Diverged (live differs from the YAML after apply; not re-applied)"


def _total(result: ApplyResult) -> int:
    return len(result.done) + len(result.remaining) + (result.unknown is not None)


def _stopped(result: ApplyResult) -> list[str]:
    """Why the apply stopped, and the write whose outcome is unknown."""
    lines = []
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
    return lines


def _unverified(result: ApplyResult) -> list[str]:
    """The closing read-back that failed, and what to do when anything is left."""
    lines = []
    if result.unverified is not None and not result.interrupted:
        lines.append(f"Not verified: reading back after the last request failed "
                     f"({result.unverified}).")
    if result.failure is not None or result.unverified is not None:
        lines.append("Run plan to see exactly what remains.")
    return lines


def result_json(applied: Applied, recorded: Sequence[Recorded] = ()) -> str:
    """How an apply ended, for tools: where, each request applied or not (with its
    requestId where `recorded`, the audit log's record of this apply, has one), what
    diverged, what is unknown, and the exit code the command ends with."""
    def steps(items: list[Step]) -> list[dict[str, object]]:
        return [step.to_data() for step in items]

    data: dict[str, object] = {"environment": applied.environment,
                               "tt_environment": applied.tt_environment,
                               "outcome": applied.outcome.value,
                               "exit_code": applied.exit_code,
                               "audit_log": str(applied.audit_path)}
    result = applied.result
    if result is not None:
        data |= {"applied": steps(result.done), "not_applied": steps(result.remaining),
                 "failure": result.failure,
                 "diverged": [{"kind": c.kind.value, "key": str(c.key)}
                              for c in result.diverged],
                 "unknown": None if result.unknown is None else result.unknown.to_data(),
                 "unverified": result.unverified, "interrupted": result.interrupted,
                 "requests": [{"operation": r.operation, "kind": r.kind, "key": r.key,
                               "outcome": r.outcome, "request_id": r.request_id}
                              for r in recorded]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _ending(applied: Applied) -> str:
    """How the apply ended, in a word or two for the heading."""
    result = applied.result
    if result is None:
        return applied.outcome.value
    for said, ended in (("interrupted", result.interrupted),
                        ("outcome unknown", result.unknown is not None),
                        ("failed", result.failure is not None),
                        ("not verified", result.unverified is not None),
                        ("diverged", bool(result.diverged))):
        if ended:
            return said
    return applied.outcome.value


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(result: ApplyResult, recorded: Sequence[Recorded]) -> list[str]:
    """One row per request in the order they were sent (done, the one that stopped the
    apply, those never sent); `recorded` is the audit log's record of those begun, in the
    same order: it gives a request's requestId, and says which one TT refused."""
    rows: list[tuple[Step, str]] = [(s, "applied") for s in result.done]
    rows += [(result.unknown, "unknown")] if result.unknown is not None else []
    rows += [(s, "not applied") for s in result.remaining]
    lines = []
    for index, (step, outcome) in enumerate(rows):
        record = recorded[index] if index < len(recorded) else None
        if record is not None and (record.operation, record.key) != (step.operation,
                                                                     str(step.key)):
            record = None
        if record is not None and record.outcome in SAID.get(outcome, ()):
            outcome = record.outcome
        request = f"`{record.request_id}`" if record is not None and record.request_id else ""
        lines.append(f"| {_cell(step.operation)} | {_cell(str(step.key))} | {outcome} | "
                     f"{request} |")
    return lines


SAID = {"unknown": ("unknown", "interrupted"), "not applied": ("failed",)}
"""What the audit log may say more precisely of a request the result calls unknown (it
was interrupted) or not applied (TT refused it)."""


def result_markdown(applied: Applied, recorded: Sequence[Recorded] = (), *,
                    limit: int = LIMIT) -> str:
    """How an apply ended, as a report a CI job posts: the environment and the outcome, a
    table of the requests (each with its requestId where `recorded`, the audit log's record
    of this apply's steps, has one), why it stopped, what diverged, the exit code and the
    audit log."""
    where = f"{applied.environment} ({applied.tt_environment})"
    head = [f"## ttconfig apply: {where}: {_ending(applied)}", ""]
    tail = [f"Audit log: `{applied.audit_path}`"]
    result = applied.result
    if result is None:
        said = {Outcome.NO_CHANGES: "No changes: live TT matches the YAML",
                Outcome.DECLINED: "Nothing applied: declined"}.get(
                    applied.outcome, f"Nothing applied: {applied.outcome.value}")
        return "\n".join([*head, f"{said}; exit code {applied.exit_code}.", "", *tail]) + "\n"
    head += [f"Applied {len(result.done)} of {plural(_total(result), 'request')}; "
             f"exit code {applied.exit_code}.", ""]
    notes = [f"- {_cell(line)}" for line in [*_stopped(result), *_unverified(result)]]
    notes += [""] if notes else []
    if result.diverged:
        notes += [f"### {DIVERGED}", "",
                  *(f"- {c.kind} {_cell(str(c.key))}" for c in result.diverged), ""]
    rows = _rows(result, recorded)
    for keep in (len(rows), 500, 200, 50, 0):
        left = len(rows) - keep
        table = ["| operation | object | outcome | requestId |", "|---|---|---|---|",
                 *rows[:keep],
                 *([f"| … | {left} more requests in the json result | | |"] if left else []),
                 ""]
        text = "\n".join([*head, *table, *notes, *tail]) + "\n"
        if len(text) <= limit - MARGIN:
            break
    return text

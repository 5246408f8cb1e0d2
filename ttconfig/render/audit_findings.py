"""What the audit log tells plan, drift, apply and `audit verify` to say besides the plan:
writes an apply began and never settled (what, when, which request, what happens next), and
emergency changes the YAML does not carry yet; and `audit verify`'s report as markdown and
json (its text is the command's own lines)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ttconfig.runs.apply.applier import Recovered
from ttconfig.runs.audit import KEY_VARIABLE, Emergency, Unfinished, Verdict
from ttconfig.words import plural


def _write(write: Unfinished) -> str:
    items = f" ({', '.join(write.items)})" if write.items else ""
    request = f", requestId {write.request_id}" if write.request_id else ""
    how = {"unknown": "TT did not answer", "interrupted": "interrupted after the request "
           "went out"}.get(write.outcome or "", "no outcome recorded: the apply was killed")
    return f"{write.operation} {write.key}{items} begun {write.time}{request}: {how}"


def unfinished_text(writes: Sequence[Unfinished], audit_path: Path) -> str:
    """A warning for each unfinished write (nothing when there is none)."""
    if not writes:
        return ""
    return "\n".join([
        f"Unfinished apply: {plural(len(writes), 'write')} in {audit_path} may or may not have "
        "landed:", *(f"  {_write(w)}" for w in writes),
        "The next apply reads them back first and records whether they landed."])


def recovered_text(recovered: Sequence[Recovered]) -> str:
    """What the apply found of the writes earlier applies left unfinished."""
    return "\n".join(
        f"Recovered from an unfinished apply: {r.write.operation} {r.write.key} "
        f"({r.write.time}): {r.outcome}" + (", and this apply sends it" if r.outcome ==
                                            "not applied" else "")
        for r in recovered)


def emergency_text(found: Sequence[Emergency], *, reverts: bool) -> str:
    """Break-glass changes the YAML does not carry yet: a plan from it reverts them (and
    drift shows them), so each is named until the YAML catches up."""
    if not found:
        return ""
    what = "This plan reverts" if reverts else "Live TT carries"
    return "\n".join(
        f"{what} an emergency change not yet in the YAML: {e.kind} {e.key}, applied with "
        f"--break-glass at {e.time} by {e.actor} ({e.reason}). Carry it into the YAML."
        for e in found)


def signing_text(verdict: Verdict, *, keyed: bool) -> str:
    """What a chain that holds proves: against forgery only under a key."""
    if not keyed:
        return (f"Not signed ({KEY_VARIABLE} is not set): the chain shows the log was not "
                "damaged or edited by accident; anyone who can write the file could rewrite "
                "it and its hashes.")
    unsigned = verdict.records - verdict.signed
    before = f"; {unsigned} unsigned, from before the key, are not evidence" if unsigned else ""
    return f"{verdict.signed} records signed with {KEY_VARIABLE}: the key verifies them{before}."


NEXT = "The next apply reads them back first and records whether they landed."


def verify_markdown(file: Path, verdict: Verdict, writes: Sequence[Unfinished], *,
                    keyed: bool) -> str:
    """Whether the chain holds (or the line it breaks at), what the signing proves, and
    the writes left unfinished."""
    lines = [f"## ttconfig audit verify: `{file}`", ""]
    if verdict.broken_at is not None:
        lines.append(f"- Broken at line {verdict.broken_at}: {verdict.reason} "
                     f"({plural(verdict.records, 'record')} before it hold)")
        return "\n".join(lines) + "\n"
    lines += [f"- {plural(verdict.records, 'record')}; the chain holds "
              f"(head `{verdict.head[:16]}…`)", f"- {signing_text(verdict, keyed=keyed)}", ""]
    if writes:
        lines += [f"### Unfinished apply: {plural(len(writes), 'write')} may or may not have "
                  "landed", "", *(f"- {_write(w)}" for w in writes), "", NEXT, ""]
    return "\n".join(lines)


def verify_json(file: Path, verdict: Verdict, writes: Sequence[Unfinished], *,
                keyed: bool) -> str:
    data = {"file": str(file), "holds": verdict.broken_at is None,
            "records": verdict.records, "broken_at": verdict.broken_at,
            "reason": verdict.reason, "head": verdict.head, "signed": verdict.signed,
            "keyed": keyed,
            "unfinished": [{"kind": w.kind, "key": w.key, "operation": w.operation,
                            "items": list(w.items), "begun": w.time, "outcome": w.outcome,
                            "request_id": w.request_id, "intent": w.intent} for w in writes]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

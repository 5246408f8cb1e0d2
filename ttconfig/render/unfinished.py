"""Writes an apply began and never settled, as plan, drift, apply and `audit verify` say
them: what, when, which request, and what happens next."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ttconfig.runs.apply.applier import Recovered
from ttconfig.runs.audit import Unfinished


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
        f"Unfinished apply: {len(writes)} write(s) in {audit_path} may or may not have "
        "landed:", *(f"  {_write(w)}" for w in writes),
        "The next apply reads them back first and records whether they landed."])


def recovered_text(recovered: Sequence[Recovered]) -> str:
    """What the apply found of the writes earlier applies left unfinished."""
    return "\n".join(
        f"Recovered from an unfinished apply: {r.write.operation} {r.write.key} "
        f"({r.write.time}): {r.outcome}" + (", and this apply sends it" if r.outcome ==
                                            "not applied" else "")
        for r in recovered)

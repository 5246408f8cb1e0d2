"""`ttconfig audit log`: what was done to each environment, from its audit log.

The log holds one record per event (an intent, its outcome, a refusal, an override); this
groups an apply's records into one entry (its plan, who, when, each step and how it ended)
so a reviewer reads the environment's history as Terraform users read `terraform show` of
their runs. The chain is verified first: an edited log is said to be broken, and only the
records before the break are shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ttconfig.core.changes import ABSENT
from ttconfig.core.outside import Applied, AppliedKey, changed_outside
from ttconfig.core.plan import Plan
from ttconfig.desired.loader import load_environment
from ttconfig.errors import UsageError
from ttconfig.models.checks import fold
from ttconfig.promotion.soak import OBSERVED, ObservedRecordError, observed
from ttconfig.runs.audit import AuditBroken, verified_records, verify
from ttconfig.runs.audit import Verdict as AuditVerdict
from ttconfig.runs.paths import Layout

APPLY_EVENTS = frozenset({"intent", "outcome", "diverged"})


@dataclass(frozen=True)
class Step:
    """One write of an apply: what it did and how it ended."""

    operation: str
    kind: str
    key: str
    direction: str
    items: tuple[str, ...]
    outcome: str
    request_id: str | None


@dataclass(frozen=True)
class Entry:
    """One thing done to the environment: an apply (its steps), or a single event (a
    refusal, an override, a broken lock)."""

    time: str
    event: str
    actor: str
    plan: str | None = None
    git_commit: str | None = None
    steps: tuple[Step, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def outcomes(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for step in self.steps:
            counted[step.outcome] = counted.get(step.outcome, 0) + 1
        return counted


@dataclass(frozen=True)
class EnvironmentLog:
    environment: str
    path: Path
    verdict: AuditVerdict
    entries: tuple[Entry, ...]


def audit_history(environments_dir: Path, environments: Sequence[str], layout: Layout, *,
                  sandbox: bool, since: datetime | None) -> list[EnvironmentLog]:
    """Each environment's log (every folder's when `environments` is empty), its entries
    since `since` (all when None)."""
    names = list(environments) or sorted(
        p.parent.name for p in environments_dir.glob("*/environment.yaml"))
    if not names:
        raise UsageError(f"no environment folders in {environments_dir}")
    logs = []
    for name in names:
        folder = environments_dir / name
        if not (folder / "environment.yaml").is_file():
            raise UsageError(f"no environment {name!r} in {environments_dir}")
        path = layout.of(sandbox=sandbox).audit_file(load_environment(folder), name)
        verdict = verify(path)
        records = _records(path, verdict)
        entries = tuple(e for e in entries_of(records) if since is None or _at(e.time) >= since)
        logs.append(EnvironmentLog(name, path, verdict, entries))
    return logs


def _records(path: Path, verdict: AuditVerdict) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    upto = len(lines) if verdict.broken_at is None else verdict.broken_at - 1
    return [json.loads(line) for line in lines[:upto] if line.strip()]


def entries_of(records: Sequence[dict[str, Any]]) -> Iterator[Entry]:
    """The records grouped: consecutive records of one plan's apply are one entry."""
    index = 0
    while index < len(records):
        record = records[index]
        if record.get("event") not in APPLY_EVENTS:
            yield Entry(str(record.get("time", "")), str(record.get("event")),
                        str(record.get("actor", "")), details=_details(record))
            index += 1
            continue
        end = index
        while end < len(records) and records[end].get("event") in APPLY_EVENTS and \
                records[end].get("plan") == record.get("plan"):
            end += 1
        yield _apply(records[index:end])
        index = end


def _apply(records: Sequence[dict[str, Any]]) -> Entry:
    first = records[0]
    outcomes = {r.get("intent"): r for r in records if r.get("event") == "outcome"}
    steps = []
    for record in records:
        if record.get("event") != "intent":
            continue
        outcome = outcomes.get(record.get("hash"))
        steps.append(_step(record, outcome,
                           None if outcome is None else outcome.get("request_id")))
    diverged = [str(r.get("key")) for r in records if r.get("event") == "diverged"]
    return Entry(str(first.get("time", "")), "apply", str(first.get("actor", "")),
                 first.get("plan"), first.get("git_commit"), tuple(steps),
                 {"diverged": diverged} if diverged else {})


def recorded_steps(path: Path, intents: Sequence[str]) -> list[Step]:
    """The steps whose intent records are `intents` (an apply's, `ApplyResult.intents`), in
    that order, each as the log at `path` recorded it: its last outcome, and the requestId
    of its last request (a write read back as landed keeps the one that sent it); none
    when the log's chain does not hold (a broken log proves nothing)."""
    try:
        records = verified_records(path)
    except AuditBroken:
        return []
    wanted = set(intents)
    begun: dict[Any, dict[str, Any]] = {}
    outcomes: dict[Any, dict[str, Any]] = {}
    sent: dict[Any, str] = {}
    for record in records:
        if record.get("event") == "intent" and record.get("hash") in wanted:
            begun[record.get("hash")] = record
        elif record.get("event") == "outcome" and record.get("intent") in wanted:
            outcomes[record.get("intent")] = record
            if record.get("request_id"):
                sent[record.get("intent")] = str(record["request_id"])
    return [_step(begun[intent], outcomes.get(intent), sent.get(intent)) for intent in intents
            if intent in begun]


def _step(intent: dict[str, Any], outcome: dict[str, Any] | None,
          request_id: str | None) -> Step:
    return Step(str(intent.get("operation")), str(intent.get("kind")), str(intent.get("key")),
                str(intent.get("direction")), tuple(str(i) for i in intent.get("items") or ()),
                "no outcome recorded" if outcome is None else str(outcome.get("outcome")),
                request_id)


def last_applied(records: Sequence[dict[str, Any]]) -> dict[AppliedKey, Applied]:
    """What each applied write left each field at, the last one winning: a field counts
    when its intent's items name it (a step writes only its items)."""
    intents: dict[str, dict[str, Any]] = {}
    found: dict[AppliedKey, Applied] = {}
    for record in records:
        if record.get("event") == "intent":
            intents[str(record.get("hash"))] = record
        elif record.get("event") == "outcome" and record.get("outcome") == "applied":
            intent = intents.get(str(record.get("intent")))
            if intent is None or intent.get("kind") == "links":
                continue  # (a link request carries only its first link's change)
            items = {str(i) for i in intent.get("items") or ()}
            for field in intent.get("changes") or ():
                path = tuple(str(p) for p in field.get("path") or ())
                if _written(path, items):
                    key = (str(intent.get("kind")), fold(str(intent.get("key"))), path)
                    new = field.get("new")
                    found[key] = Applied(ABSENT if new == "(absent)" else new,
                                         str(record.get("time", "")), str(record.get("plan")))
    return found


def with_outside(plan: Plan, audit: Path) -> Plan:
    """`plan` knowing which of its fields TT changed outside ttconfig since the last apply
    (from the audit log at `audit`, only when its chain holds: a broken log proves
    nothing, and a plan, which writes nothing, still shows its changes)."""
    try:
        records = verified_records(audit)
    except AuditBroken:
        return plan
    return replace(plan, outside=changed_outside(plan, last_applied(records)))


def _written(path: tuple[str, ...], items: set[str]) -> bool:
    """Whether a step whose items are `items` wrote the field at `path`: items are a
    field's dotted path (from the object or its section) or a row's name."""
    return (".".join(path) in items or ".".join(path[1:]) in items
            or any(part in items for part in path[:-1]))


def _details(record: dict[str, Any]) -> dict[str, Any]:
    if record.get("event") == OBSERVED:  # (its fingerprints are for the gate, not for people)
        try:
            _, objects, gone = observed(record)
        except ObservedRecordError as error:
            return {"unreadable": str(error)}
        count = record.get("count", 0)
        return {"seen": count if isinstance(count, int) else 0,
                "changed": sum(len(v) for v in objects.values()),
                "gone": sum(len(v) for v in gone.values())}
    kept = {k: v for k, v in record.items()
            if k not in {"event", "time", "actor", "hash", "prev_hash", "signature", "tool",
                         "environment", "tt_environment", "target", "git_commit"}}
    return kept


def _at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def since_of(text: str | None, now: datetime) -> datetime | None:
    """`--since`: a date (2026-12-01), a time (2026-12-01T09:00, UTC unless it says), or an
    age (12h, 7d)."""
    if text is None:
        return None
    age = re.fullmatch(r"(\d+)([hd])", text)
    if age:
        amount = int(age.group(1))
        return now - (timedelta(hours=amount) if age.group(2) == "h" else timedelta(days=amount))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since {text!r}: give a date (2026-12-01), a time "
                         "(2026-12-01T09:00) or an age (12h, 7d)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

"""The promotion gate: a prod change must have been tried in UAT first.

`ttconfig gate -e prod` refuses (exit 4) a pull request whose prod plan

* changes something UAT's desired state does not also say (it skipped UAT) — unless the
  change is environment-specific (excluded in `promotion:`) or the PR is a hotfix;
* touches objects UAT live does not match yet (the change was never applied in UAT);
* carries a change UAT has held for less than `promotion.soak_hours`, or for a time nothing
  tells: UAT's audit log dates it by its last apply or by the drift runs that saw UAT
  hold it (`promotion.soak`).

Pure: the caller reads the plans, the promotion and the audit log and passes them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ttconfig.core.changes import Change, path_text
from ttconfig.core.diff import declared_links, shown_key
from ttconfig.core.plan import Plan
from ttconfig.models import DECLARED, Firm
from ttconfig.models.checks import fold
from ttconfig.models.environment import Promotion
from ttconfig.promotion.rules import Rules
from ttconfig.promotion.soak import SoakEvidence


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str


@dataclass(frozen=True)
class GateVerdict:
    reasons: tuple[Reason, ...]
    waived: tuple[Reason, ...]
    """Reasons a hotfix waives: still reported, so the PR shows what skipped UAT."""
    checked: int
    """Prod changes the gate looked at."""

    @property
    def refused(self) -> bool:
        return bool(self.reasons)


def source_key(kind: str, key: str, promotion: Promotion | Rules) -> str:
    """The UAT name of a prod object (promotion's name mappings read backwards)."""
    rules = promotion if isinstance(promotion, Rules) else Rules(promotion)
    if kind == "links":
        account, _, user = key.partition(" ↔ ")
        return f"{rules.source_name('accounts', account)} ↔ {rules.source_name('users', user)}"
    return rules.source_name(kind, key)


def excluded(kind: str, key: str, path: tuple[str, ...] | None,
             promotion: Promotion | Rules) -> bool:
    """Environment-specific: the object, or this field of it, is left out of promotion."""
    rules = promotion if isinstance(promotion, Rules) else Rules(promotion)
    return rules.excludes(kind, (key, source_key(kind, key, rules)), path)


def _index(changes: Iterable[Change]) -> dict[tuple[str, str], Change]:
    return {(c.kind, fold(c.key)): c for c in changes}


def evaluate_gate(prod: Plan, promoted: Plan, source_keys: Mapping[str, set[str]],
                  source_pending: Plan, evidence: SoakEvidence,
                  promotion: Promotion, now: datetime, *, hotfix: bool) -> GateVerdict:
    """Judge `prod` (prod desired vs prod live) against UAT.

    `promoted`: what promotion would change in prod's YAML (UAT desired vs prod desired);
    `source_keys`: folded keys per kind in UAT's desired state; `source_pending`: UAT
    desired vs UAT live; `evidence`: since when UAT has held each object (its audit log's
    applies and drift runs, and UAT live now).
    """
    rules = Rules(promotion)
    differs = _index(promoted.changes)
    pending = _index(source_pending.changes)
    reasons: list[Reason] = []
    checked = 0
    for change in prod.changes:
        uat_key = source_key(change.kind, change.key, rules)
        fields = [f for f in change.fields
                  if not excluded(change.kind, change.key, f.path, rules)]
        removal = change.action == "delete" or (change.action == "deactivate"
                                                 and bool(change.fields))
        if excluded(change.kind, change.key, None, rules) or not (fields or removal):
            continue
        checked += 1
        reasons += _unpromoted(change, uat_key, fields, differs, source_keys)
        if (change.kind, fold(uat_key)) in pending:
            reasons.append(Reason("not applied in UAT", f"{change.kind} {uat_key} differs "
                                  "between UAT's YAML and UAT live: apply it in UAT first"))
        reasons += _soak(change.kind, uat_key, evidence, promotion, now)
    if hotfix:
        return GateVerdict((), tuple(reasons), checked)
    return GateVerdict(tuple(reasons), (), checked)


def _unpromoted(change: Change, uat_key: str, fields: list[Any],
                differs: Mapping[tuple[str, str], Change],
                source_keys: Mapping[str, set[str]]) -> list[Reason]:
    kind = change.kind
    if change.action in ("delete", "deactivate"):
        if fold(uat_key) in source_keys.get(kind, set()):
            return [Reason("not in UAT", f"prod {change.action}s {kind} {change.key}, but "
                           f"UAT's YAML still has {uat_key}: remove it from UAT's YAML and "
                           "apply UAT first, or mark the PR as a hotfix")]
        return []
    if fold(uat_key) not in source_keys.get(kind, set()):
        return [Reason("not in UAT", f"prod changes {kind} {change.key}, which UAT's YAML "
                       f"does not declare (as {uat_key}): try it in UAT first, or mark the "
                       "PR as a hotfix")]
    other = differs.get((kind, fold(change.key)))
    if other is None:
        return []
    paths = {f.path for f in other.fields}
    return [Reason("not in UAT", f"prod sets {kind} {change.key} {path_text(f.path)} to "
                   f"{f.new!r}, but UAT's YAML says otherwise: promote from UAT, or mark "
                   "the PR as a hotfix") for f in fields if f.path in paths]


def _soak(kind: str, uat_key: str, evidence: SoakEvidence, promotion: Promotion,
          now: datetime) -> list[Reason]:
    if not promotion.soak_hours:
        return []
    hours = f"{promotion.soak_hours:g} h"
    held = evidence.held(kind, uat_key)
    if held.since is None:
        source = promotion.source
        return [Reason("soak", f"{held.how}: cannot tell it has soaked {hours} in UAT; "
                       f"apply it in UAT (`ttconfig apply -e {source}`) or, if UAT already "
                       f"holds it, record it (`ttconfig drift -e {source} --record`), and "
                       f"re-run the gate {hours} later; or mark the PR as a hotfix")]
    ends = held.since + timedelta(hours=promotion.soak_hours)
    if now < ends:
        return [Reason("soak", f"{kind} {uat_key} {held.how}; the {hours} soak ends "
                       f"{ends.isoformat(timespec='minutes')}: re-run the gate then, or mark "
                       "the PR as a hotfix")]
    return []


def applied_times(records: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], datetime]:
    """(kind, folded key) → the last time an audit log recorded an applied write to it.

    A link request is recorded under its account with the users as items: each link counts.
    """
    intents: dict[str, list[tuple[str, str]]] = {}
    times: dict[tuple[str, str], datetime] = {}
    for record in records:
        if record.get("event") == "intent":
            intents[str(record.get("hash"))] = _objects(record)
        elif record.get("event") == "outcome" and record.get("outcome") == "applied":
            for kind, key in intents.get(str(record.get("intent")), []):
                times[(kind, fold(key))] = datetime.fromisoformat(str(record["time"]))
    return times


def _objects(intent: Mapping[str, Any]) -> list[tuple[str, str]]:
    kind, key = str(intent.get("kind")), str(intent.get("key"))
    if kind == "links" and " ↔ " not in key:
        return [(kind, f"{key} ↔ {user}") for user in intent.get("items") or []]
    return [(kind, key)]


def declared_keys(firm: Firm) -> dict[str, set[str]]:
    """Folded keys per kind of everything a firm's YAML declares, links included."""
    keys: dict[str, set[str]] = {spec.kind: {fold(shown_key(m.key())) for m in firm.of(spec.kind)}
            for spec in DECLARED}
    wanted, _ = declared_links(firm.by_kind())
    keys["links"] = {f"{account} ↔ {user}" for account, user in wanted}
    return keys


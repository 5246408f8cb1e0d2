"""From changes to a plan: TT requests in a safe order, a summary, a checksum. Pure.

Every change becomes one or more *steps*, each one TT request (a list body holds at most
20 items). Steps run in phases:

0. create new accounts (parents first), users and groups — new objects grant nothing yet;
1. tightening: lower limits, removed permissions and links, deactivations, risk-group
   joins, higher margins;
2. neutral changes;
3. loosening: higher or unset limits, granted permissions and links, new users' access,
   risk-group leaves, lower margins;
4. delete groups and accounts (children first) once nothing refers to them.

So no state in between is looser than both the start and the end (DESIGN principle 5),
and everything a step needs exists when it runs. Within a change, fields of different
directions go in different requests for the same reason.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ttconfig.core.changes import ABSENT, Change, Direction, FieldChange, combined
from ttconfig.core.risk import is_high
from ttconfig.core.state import Key
from ttconfig.core.unmanaged import Unmanaged
from ttconfig.models.kinds import Kind, Operation

if TYPE_CHECKING:  # (core.outside and core.exposure read plans: the types only, to keep
    # the imports one-way)
    from ttconfig.core.exposure import Exposure
    from ttconfig.core.outside import Outside

MAX_ITEMS = 20
PHASE_OF_DIRECTION = {"tightening": 1, "neutral": 2, "loosening": 3}
PLAN_FORMAT = 1


@dataclass(frozen=True)
class Step:
    """One TT request: what it does to which object, and the items it carries.

    The step holds its object's typed key and, in process, the change it comes from, so
    apply never finds its way back from display text. A merged link step (one account's
    links, ≤ 20 per request) is keyed by the account and carries its first link's change.
    """

    kind: Kind
    key: Key
    op: Operation
    items: tuple[str, ...]
    direction: Direction
    phase: int
    depth: int = 0
    """Accounts: distance from the root (parents are created first, deleted last)."""
    change: Change | None = field(default=None, compare=False, repr=False)

    @property
    def operation(self) -> str:
        """What the request does, as plans and audit records say it ("create account")."""
        return self.op.text(self.kind)

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "key": str(self.key), "operation": self.operation,
                "items": list(self.items), "direction": self.direction, "phase": self.phase,
                "depth": self.depth}

    def but(self, **changes: Any) -> Step:
        """This step with some fields replaced (a later phase, fewer items)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Summary:
    by_kind: dict[str, dict[str, int]]
    loosening: int
    tightening: int
    neutral: int
    requests: int
    high: int
    """Loosening field changes marked HIGH (see `Plan.is_high`)."""


@dataclass(frozen=True)
class Plan:
    environment: str
    tt_environment: str
    changes: tuple[Change, ...]
    steps: tuple[Step, ...]
    high_percent: float = 50.0
    """A loosening by more than this % (or to "not set") is HIGH (environment policy)."""
    unmanaged: tuple[Unmanaged, ...] = field(default=(), compare=False)
    """Live objects the YAML does not name, which the plan leaves alone: shown to the
    reviewer, not part of what apply does (nor of the checksum)."""
    links: Mapping[tuple[str, ...], str] = field(default_factory=dict, compare=False)
    """(kind, key) → a link to the YAML that declares the object (a PR's file and line),
    when the plan is rendered for a pull request: shown, not part of the checksum."""
    outside: tuple[Outside, ...] = field(default=(), compare=False)
    """Fields changed in TT outside ttconfig since its last apply (`core.outside.Outside`,
    from the audit log): shown, not part of what apply does (nor of the checksum)."""
    selected: tuple[str, ...] = field(default=(), compare=False)
    """The --target/--exclude options of a partial plan, as typed: "no changes" is then
    about what they select only."""
    exposure: Exposure | None = field(default=None, compare=False)
    """What the changed position and credit limits mean for the positions and credit in
    use now (`core.exposure`), when it was read: shown and judged by the policy, not part
    of what apply does (nor of the checksum: exposure moves while the plan is reviewed)."""
    summary: Summary = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", _summarise(self))

    def is_high(self, change: FieldChange) -> bool:
        return is_high(change.path, change.old, change.new, self.high_percent)

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_data(self) -> dict[str, Any]:
        """The plan as JSON-able data (the json render and the checksum use it)."""
        return {
            "format_version": PLAN_FORMAT,
            "environment": self.environment,
            "tt_environment": self.tt_environment,
            "summary": asdict(self.summary),
            "high_loosening_percent": self.high_percent,
            "changes": [_change_data(c, self) for c in self.changes],
            "steps": [s.to_data() for s in self.steps],
        }

    def checksum(self) -> str:
        return checksum_of(self.to_data())

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Plan:
        """A plan as `to_data` wrote it (a saved plan, to show it again): keys come back
        from the text plans show (a link's two names, `Key.saved`), which is all a render
        needs; `to_data` of the result is `data` again, so its checksum is the saved one."""
        changes = tuple(Change(Kind(c["kind"]), Key.saved(Kind(c["kind"]), c["key"]),
                               c["action"], tuple(
            FieldChange(tuple(f["path"]), _unvalue(f["old"]), _unvalue(f["new"]),
                        f["direction"]) for f in c["fields"])) for c in data["changes"])
        steps = tuple(Step(Kind(s["kind"]), Key.saved(Kind(s["kind"]), s["key"]),
                           Operation.of_text(Kind(s["kind"]), s["operation"]),
                           tuple(s["items"]), s["direction"], s["phase"], s["depth"])
                      for s in data["steps"])
        return cls(data["environment"], data["tt_environment"], changes, steps,
                   data["high_loosening_percent"])


def checksum_of(data: Any) -> str:
    """The checksum of a plan's data (`Plan.to_data`, or the same read back from JSON): a
    saved plan's body is checked against its checksum with this, so what a reviewer reads
    in the file is what the checksum — which apply compares — stands for."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _value(value: Any) -> Any:
    return "(absent)" if value is ABSENT else value


def _unvalue(value: Any) -> Any:
    return ABSENT if value == "(absent)" else value


def _change_data(change: Change, plan: Plan) -> dict[str, Any]:
    return {"kind": change.kind.value, "key": str(change.key), "action": change.action,
            "direction": change.direction,
            "fields": [{"path": list(f.path), "old": _value(f.old), "new": _value(f.new),
                        "direction": f.direction, "high": plan.is_high(f)}
                       for f in change.fields]}


def _summarise(plan: Plan) -> Summary:
    by_kind: dict[str, dict[str, int]] = {}
    for change in plan.changes:
        counts = by_kind.setdefault(change.kind, {})
        counts[change.action] = counts.get(change.action, 0) + 1
    fields = [f for c in plan.changes for f in c.fields]
    directions = Counter(f.direction for f in fields)
    return Summary(by_kind, directions["loosening"], directions["tightening"],
                   directions["neutral"], len(plan.steps), sum(map(plan.is_high, fields)))


def build_plan(changes: list[Change], *, environment: str, tt_environment: str,
               parents: dict[str, str | None] | None = None,
               high_percent: float = 50.0) -> Plan:
    """Order `changes` into steps. `parents` maps account names to parent names (desired
    and live), for creating parents first and deleting children first."""
    depth = _depths(parents or {})
    steps = _moves_first(_merge_links([step for change in changes
                                       for step in _steps(change, depth)]))
    steps.sort(key=_order)
    return Plan(environment, tt_environment, tuple(changes), tuple(steps), high_percent)


def _order(step: Step) -> tuple[int, int, int]:
    """Phase first; parents created before children, children deleted before parents; a
    member leaving its risk group before it joins another."""
    leaving = 0 if step.op is Operation.REMOVE_MEMBER else 1
    if step.phase == 0:
        return (0, step.depth, leaving)
    if step.phase == 4:
        return (4, -step.depth, leaving)
    return (step.phase, 0, leaving)


def _moves_first(steps: list[Step]) -> list[Step]:
    """An account moving between risk groups must leave the old one first (TT allows one
    group per account), so its removal runs with the join, in the tightening phase."""
    joining = {item for s in steps if s.kind is Kind.RISK_GROUPS and s.op is Operation.ADD_MEMBERS
               for item in s.items}
    return [s.but(phase=1) if s.kind is Kind.RISK_GROUPS and s.op is Operation.REMOVE_MEMBER
            and s.items[0] in joining else s for s in steps]


def _merge_links(steps: list[Step]) -> list[Step]:
    """Links of one account go together, ≤ 20 per request, one request per direction."""
    others = [s for s in steps if s.op is not Operation.LINK_USER]
    groups: dict[tuple[str, Direction], list[Step]] = {}
    for step in steps:
        if step.op is Operation.LINK_USER:
            groups.setdefault((step.key.name, step.direction), []).append(step)
    merged = [batch for (account, direction), links in groups.items()
              for batch in _batches(Kind.LINKS, Key((account,)), Operation.LINK_USERS,
                                    [str(link.key.parts[1]) for link in links], direction,
                                    links[0].change)]
    return others + merged


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    def depth(name: str, seen: frozenset[str] = frozenset()) -> int:
        parent = parents.get(name)
        if parent is None or parent in seen:
            return 0
        return 1 + depth(parent, seen | {name})

    return {name: depth(name) for name in parents}


def _direction(fields: list[FieldChange]) -> Direction:
    return combined(f.direction for f in fields)


def _by_direction(fields: list[FieldChange]) -> dict[Direction, list[FieldChange]]:
    groups: dict[Direction, list[FieldChange]] = {}
    for change in fields:
        groups.setdefault(change.direction, []).append(change)
    return groups


def _batches(kind: Kind, key: Key, op: Operation, items: list[str], direction: Direction,
             change: Change | None) -> list[Step]:
    return [Step(kind, key, op, tuple(items[i:i + MAX_ITEMS]), direction,
                 PHASE_OF_DIRECTION[direction], change=change)
            for i in range(0, len(items), MAX_ITEMS)]


def _steps(change: Change, depth: dict[str, int]) -> list[Step]:
    fields = list(change.fields)
    spec = change.kind.spec
    if change.action == "delete" and change.kind is not Kind.LINKS:
        return [_step(change, Operation.DELETE, (), "neutral", 4, depth.get(change.key, 0))]
    if change.action == "deactivate":
        return [_step(change, Operation.DEACTIVATE, ("active",), "tightening", 1)] \
            if fields else []
    if change.kind is Kind.LINKS:
        return _link_steps(change)
    steps: list[Step] = []
    if change.action == "create" and spec.item_operation is None:
        # A new object carries its own fields; it grants nothing until linked or limited.
        core = tuple(".".join(f.path) for f in fields if f.path[0] in spec.core_fields)
        steps.append(_step(change, Operation.CREATE, core, "neutral", 0,
                           depth.get(change.key, 0)))
        fields = [f for f in fields if f.path[0] not in spec.core_fields]
    return steps + _update_steps(change, fields)


def _step(change: Change, op: Operation, items: tuple[str, ...], direction: Direction,
          phase: int | None = None, depth: int = 0) -> Step:
    return Step(change.kind, change.key, op, items, direction,
                PHASE_OF_DIRECTION[direction] if phase is None else phase, depth, change)


SECTION_OPERATIONS = {"risk_settings": Operation.UPDATE_RISK_SETTINGS,
                      "restrictions": Operation.UPDATE_RESTRICTIONS,
                      "exchanges": Operation.UPDATE_EXCHANGE_ACCESS}


def _update_steps(change: Change, fields: list[FieldChange]) -> list[Step]:
    spec = change.kind.spec
    if spec.item_operation is not None:
        return [_step(change, Operation.UPSERT_ITEM, (change.key,), _direction(fields))] \
            if fields else []
    steps: list[Step] = []
    core = [f for f in fields if f.path[0] in spec.core_fields]
    for direction, group in _by_direction(core).items():
        steps.append(_step(change, Operation.UPDATE, tuple(".".join(f.path) for f in group),
                           direction))
    for section, op in SECTION_OPERATIONS.items():
        part = [f for f in fields if f.path[0] == section]
        for direction, group in _by_direction(part).items():
            steps.append(_step(change, op, tuple(".".join(f.path[1:]) for f in group),
                               direction))
    steps += _limit_steps(change, [f for f in fields if f.path[0] == "limits"])
    if spec.members is not None:
        steps += _member_steps(change, [f for f in fields if f.path[0] == spec.members.field])
    return steps


def _limit_steps(change: Change, fields: list[FieldChange]) -> list[Step]:
    """Rows upserted in ≤ 20-row requests per direction; each removed row is a DELETE."""
    rows: dict[str, list[FieldChange]] = {}
    apply = [f for f in fields if f.path[1:] == ("apply",)]
    for f in fields:
        if len(f.path) >= 4:
            rows.setdefault(f.path[2], []).append(f)
    removed = [row for row, group in rows.items() if all(f.new is ABSENT for f in group)]
    upserts: dict[Direction, list[str]] = {}
    for row, group in rows.items():
        if row not in removed:
            upserts.setdefault(_direction(group), []).append(row)
    steps = []
    for f in apply:
        upserts.setdefault(f.direction, [])
    for direction, items in upserts.items():
        batched = _batches(change.kind, change.key, Operation.UPSERT_LIMIT_ROWS, items,
                           direction, change)
        steps += batched or [_step(change, Operation.UPSERT_LIMIT_ROWS, ("apply",), direction)]
    steps += [_step(change, Operation.DELETE_LIMIT_ROW, (row,), "loosening", 3)
              for row in removed]
    return steps


def _member_steps(change: Change, fields: list[FieldChange]) -> list[Step]:
    added = [f for f in fields if f.new == "member"]
    removed = [f for f in fields if f.old == "member"]
    steps: list[Step] = []
    for direction, group in _by_direction(added).items():
        steps += _batches(change.kind, change.key, Operation.ADD_MEMBERS,
                          [f.path[-1] for f in group], direction, change)
    steps += [_step(change, Operation.REMOVE_MEMBER, (f.path[-1],), f.direction)
              for f in removed]
    return steps


def _link_steps(change: Change) -> list[Step]:
    """A link is one item of its account's link request (batched at apply time per
    account); a removed link is its own DELETE."""
    direction = change.direction
    if change.action == "delete":
        return [_step(change, Operation.UNLINK_USER, (change.key,), "tightening", 1)]
    return [_step(change, Operation.LINK_USER, (change.key,), direction)]

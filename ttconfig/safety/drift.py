"""Drift: what people changed in live TT outside ttconfig, rated by the risk it added. Pure.

A plan says what apply would do to make live equal the YAML; drift reads the same
differences from live's side, because the question is no longer "what will ttconfig do?"
but "what did someone do by hand?". So every direction is the reverse of the plan's: a
limit the YAML sets to 50 and live holds at 100 was *loosened* in live, although applying
the plan would tighten it. Severity is what a risk officer triages by: a live loosening is
high, a live tightening medium, anything else low.

An object's state follows its plan action: what apply would create is missing in live,
what it would delete or deactivate (a pruned kind, or an unmanaged link of an account the
YAML manages) is extra in live, and what it would update was changed in live.

An object's severity is the highest of its fields' and of its existence's. Existing is
itself a risk for a link (it gives a user an account), so an extra link is high and a
missing one medium even with no permissions declared; any other object missing from live
is at least medium (something the YAML relies on is gone), while an extra one is rated by
its fields alone, since a bare object grants nothing until linked or limited (plan.py
creates new objects first for the same reason). A pruned user that live already holds
inactive is what apply would leave: it is no drift.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from ttconfig.core.changes import ABSENT, Action, Change, Direction, FieldChange, combined
from ttconfig.core.exposure import Annotation
from ttconfig.core.plan import Plan
from ttconfig.core.risk import direction, membership
from ttconfig.core.unmanaged import Unmanaged
from ttconfig.models.kinds import REGISTRY

Severity = Literal["high", "medium", "low"]
State = Literal["changed in live", "missing in live", "extra in live"]

DRIFT_FORMAT = 1
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
SEVERITY_OF_DIRECTION: dict[Direction, Severity] = {
    "loosening": "high", "tightening": "medium", "neutral": "low"}
STATE_OF_ACTION: dict[Action, State] = {
    "create": "missing in live", "update": "changed in live", "delete": "extra in live",
    "deactivate": "extra in live"}
MEMBER_KINDS: dict[str, str] = {spec.kind: spec.members.field for spec in REGISTRY.values()
                if spec.members is not None}
"""Kinds whose members are fields (value "member" on the side that has them)."""


def severity_of(direction: Direction) -> Severity:
    return SEVERITY_OF_DIRECTION[direction]


@dataclass(frozen=True)
class DriftField:
    """One value that differs; `direction` is desired → live (what the live edit did)."""

    path: tuple[str, ...]
    desired: Any
    live: Any
    direction: Direction
    severity: Severity = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", severity_of(self.direction))


@dataclass(frozen=True)
class DriftItem:
    """One object that differs between live and the YAML."""

    kind: str
    key: str
    state: State
    fields: tuple[DriftField, ...]
    severity: Severity = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", severity_of(self.direction))

    @property
    def direction(self) -> Direction:
        """What the live edits did to this object as a whole (see the module docstring)."""
        return combined([*(f.direction for f in self.fields), _existence(self)])


def _existence(item: DriftItem) -> Direction:
    if item.state == "missing in live":
        return "tightening"
    if item.state == "extra in live" and item.kind == "links":
        return "loosening"
    return "neutral"


@dataclass(frozen=True)
class Over:
    """Position limits live TT holds that the positions in use are over now (ttmonitor):
    not drift from the YAML, but what a reviewer of live TT must see first."""

    limits: tuple[Annotation, ...] = ()
    unknown: str | None = None
    """Why the positions could not be read (then nothing is said over or not)."""


@dataclass(frozen=True)
class Drift:
    environment: str
    tt_environment: str
    items: tuple[DriftItem, ...]
    counts: dict[Severity, int] = field(init=False)
    """Objects per severity, every severity present (0 when none)."""
    notices: tuple[str, ...] = ()
    """What is as it is in live TT for a reason of TT's own, not a change to undo (trading
    TT disabled on an account, an expired contract's row): said, never counted as drift."""
    unmanaged: tuple[Unmanaged, ...] = ()
    """Live objects the YAML does not name (an account made by hand in TT): not drift from
    the YAML, but what a reviewer of live TT must see."""
    over_limits: Over = field(default_factory=Over)

    def __post_init__(self) -> None:
        found = Counter(item.severity for item in self.items)
        object.__setattr__(self, "counts", {s: found[s] for s in SEVERITIES})

    @property
    def empty(self) -> bool:
        return not self.items

    def to_data(self) -> dict[str, Any]:
        """The drift as JSON-able data; a value that does not exist on one side is
        "(absent)" and null is "not set", as in a plan's data."""
        return {
            "format_version": DRIFT_FORMAT,
            "environment": self.environment,
            "tt_environment": self.tt_environment,
            "counts": dict(self.counts),
            "items": [_item_data(item) for item in self.items],
            "notices": list(self.notices),
            "unmanaged": {item.kind.value: list(item.names) for item in self.unmanaged},
            "over_limits": [a.to_data() for a in self.over_limits.limits],
            **({"over_limits_unknown": self.over_limits.unknown}
               if self.over_limits.unknown else {}),
        }


def _value(value: Any) -> Any:
    return "(absent)" if value is ABSENT else value


def _item_data(item: DriftItem) -> dict[str, Any]:
    return {"kind": item.kind, "key": item.key, "state": item.state,
            "direction": item.direction, "severity": item.severity,
            "fields": [{"path": list(f.path), "desired": _value(f.desired),
                        "live": _value(f.live), "direction": f.direction,
                        "severity": f.severity} for f in item.fields]}


def drift_of(plan: Plan) -> Drift:
    """The live side's view of `plan`: the same objects and fields, directions reversed."""
    items = tuple(_item(change) for change in plan.changes if not _settled(change))
    return Drift(plan.environment, plan.tt_environment, items)


def _settled(change: Change) -> bool:
    """A deactivation with nothing to change: the user is already inactive in live."""
    return change.action == "deactivate" and not change.fields


def _item(change: Change) -> DriftItem:
    return DriftItem(change.kind, change.key, STATE_OF_ACTION[change.action],
                     tuple(_field(change.kind, f) for f in change.fields))


def _field(kind: str, change: FieldChange) -> DriftField:
    return DriftField(change.path, change.new, change.old,
                      _live_direction(kind, change.path, change.new, change.old))


def _live_direction(kind: str, path: tuple[str, ...], desired: Any, live: Any) -> Direction:
    """desired → live. A member held only in live is a join made in live; `direction`
    cannot rate that from the values alone, `membership` can."""
    if len(path) == 2 and path[0] == MEMBER_KINDS.get(kind) and "member" in (desired, live):
        return membership(kind, added=live == "member")
    return direction(path, desired, live)

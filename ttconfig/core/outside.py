"""Values changed in TT outside ttconfig since ttconfig last applied them.

A plan shows live → desired; it cannot tell a value someone changed in TT's web UI since
the last apply from one that was always so. The audit log can: it holds the value each
apply wrote. Where live differs from it, the plan says so ("changed outside ttconfig
since the last apply") — as Terraform separates "objects changed outside" — and whether
the plan reverts it. Pure: a function of the plan and what the audit log says was applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ttconfig.core.changes import ABSENT, Direction
from ttconfig.core.plan import Plan
from ttconfig.core.risk import direction
from ttconfig.models.checks import fold
from ttconfig.models.kinds import Kind

AppliedKey = tuple[str, str, tuple[str, ...]]
"""(kind, folded key, field path): one value an apply wrote."""


@dataclass(frozen=True)
class Applied:
    """A value as the last apply that wrote it left it."""

    value: Any
    time: str
    plan: str


@dataclass(frozen=True)
class Outside:
    """A field live TT changed away from what ttconfig last applied."""

    kind: Kind
    key: str
    path: tuple[str, ...]
    applied: Applied
    live: Any
    desired: Any

    @property
    def reverts(self) -> bool:
        """The plan puts back what ttconfig applied."""
        return _same(self.desired, self.applied.value)

    @property
    def outside_direction(self) -> Direction:
        """Which way the change made outside ttconfig moved risk."""
        return direction(self.path, self.applied.value, self.live)


def changed_outside(plan: Plan, applied: Mapping[AppliedKey, Applied]) -> tuple[Outside, ...]:
    """The plan's fields whose live value is not what the last apply wrote."""
    found = []
    for change in plan.changes:
        for field in change.fields:
            last = applied.get((change.kind.value, fold(str(change.key)), field.path))
            if last is not None and not _same(last.value, field.old):
                found.append(Outside(change.kind, str(change.key), field.path, last,
                                     field.old, field.new))
    return tuple(found)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if a is ABSENT or b is ABSENT:
        return a is b
    return bool(a == b)

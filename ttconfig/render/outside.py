"""The "Changed in TT outside ttconfig" section of a plan: live values that are not what
ttconfig last applied (from the audit log), and what the plan does to each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ttconfig.core.changes import ABSENT, Change, FieldChange, path_text, shown
from ttconfig.core.outside import Outside
from ttconfig.core.plan import Plan
from ttconfig.models.checks import fold

TITLE = "Changed in TT outside ttconfig since its last apply"
SHOWN = 20


def _line(item: Outside) -> str:
    when = item.applied.time.replace("T", " ")[:16]
    moved = item.outside_direction
    made = f" (a {moved} made outside ttconfig)" if moved != "neutral" else ""
    if item.reverts:
        after = "; this plan reverts it" + (
            ": a tightening, which needs no approval" if moved == "loosening" else "")
    else:
        after = f"; this plan sets {shown(item.desired)}"
    return (f"{item.kind.value} {item.key} {path_text(item.path)}: ttconfig applied "
            f"{shown(item.applied.value)} ({when} UTC), TT now holds {shown(item.live)}"
            f"{made}{after}")


def field_outside(plan: Plan, change: Change, f: FieldChange) -> str | None:
    """The mark under a changed field that undoes a change made in TT outside ttconfig
    (the section says the rest), so a reviewer reading the change knows it is a revert."""
    for item in plan.outside:
        if (item.kind, fold(item.key), item.path) == (change.kind, fold(str(change.key)),
                                                       f.path):
            what = "reverts" if item.reverts else "overwrites"
            return (f"{what} a change made in TT outside ttconfig (ttconfig applied "
                    f"{shown(item.applied.value)}): see \"{TITLE}\"")
    return None


def outside_lines(found: Sequence[Outside]) -> list[str]:
    if not found:
        return []
    more = len(found) - SHOWN
    return [f"{TITLE}:", *(f"  {_line(item)}" for item in found[:SHOWN]),
            *([f"  … and {more} more (--format json lists them all)"] if more > 0 else []),
            ""]


def outside_markdown(found: Sequence[Outside]) -> list[str]:
    if not found:
        return []
    more = len(found) - SHOWN
    return [f"### {TITLE}", "", *(f"- {_line(item)}" for item in found[:SHOWN]),
            *([f"- … and {more} more in the json plan"] if more > 0 else []), ""]


def outside_data(found: Sequence[Outside]) -> list[dict[str, Any]]:
    def value(v: Any) -> Any:
        return "(absent)" if v is ABSENT else v  # (as a plan's json says it)

    return [{"kind": item.kind.value, "key": item.key, "path": list(item.path),
             "applied": value(item.applied.value), "applied_at": item.applied.time,
             "applied_by_plan": item.applied.plan, "live": value(item.live),
             "desired": value(item.desired), "reverts": item.reverts,
             "outside_direction": item.outside_direction} for item in found]

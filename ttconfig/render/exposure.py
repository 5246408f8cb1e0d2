"""A plan's exposure annotations as people read them (`core.exposure`).

One phrase per changed limit — `position +7,200 · headroom 2,800 → −2,200 · BREACH ON
APPLY` — used beside the field in text, in the risk tables' Exposure column in markdown,
and as the first section of a PR comment when an apply would breach.
"""

from __future__ import annotations

from ttconfig.core.changes import Change, FieldChange, path_text
from ttconfig.core.exposure import Annotation, Exposure
from ttconfig.core.plan import Plan
from ttconfig.safety.drift import Over
from ttconfig.words import plural

BREACH = "BREACH ON APPLY"


def amount(value: float, *, sign: bool = False) -> str:
    """12,400,000 · +7,200 · −2,200 (a true minus sign, as a risk report prints it)."""
    whole = value == int(value)
    text = f"{abs(value):,.0f}" if whole else f"{abs(value):,.2f}"
    if value < 0:
        return f"−{text}"
    return f"+{text}" if sign and value > 0 else text


def _headroom(value: float | None) -> str:
    return "no limit" if value is None else amount(value)


def _held(annotation: Annotation) -> str:
    if annotation.measure == "credit":
        return f"credit used {amount(annotation.exposure or 0)}"
    where = f" in {annotation.where}" if annotation.where else ""
    net = annotation.net or 0.0
    text = f"position {amount(net, sign=True)}{where}"
    plain = {"position": abs(net), "long": max(0.0, net), "short": max(0.0, -net)}
    if annotation.exposure is not None and annotation.exposure != plain[annotation.measure]:
        side = "" if annotation.measure == "position" else f" {annotation.measure}"
        text += f" (worst case{side} {amount(annotation.exposure)} with working orders)"
    if annotation.position_only:
        text += " (position only: TT sent no working orders)"
    return text


def phrase(annotation: Annotation) -> str:
    """What the change means for the exposure in use now, in one line."""
    if annotation.unknown is not None:
        return f"exposure unknown: {annotation.unknown}"
    if annotation.measure == "working":
        if not annotation.exposure:
            return f"no orders working on {annotation.account}"
        return (f"orders working on {annotation.account} ({annotation.where}) stay "
                "working after the unlink: cancel them in TT if they are this user's")
    parts = [_held(annotation),
             f"headroom {_headroom(annotation.before)} → {_headroom(annotation.after)}"]
    if annotation.limit_path:  # (an account joining a risk group: no limit changes)
        parts[0] = (f"with {annotation.account} joining, the group's "
                    f"{path_text(annotation.limit_path)} {_number(annotation.new)} counts "
                    f"{parts[0]}")
    if annotation.breach:
        parts.append(BREACH + (" (over its limit already)" if annotation.already_over else ""))
    elif annotation.already_over:
        parts.append("over its limit now")
    return " · ".join(parts)


def field_phrase(plan: Plan, change: Change, field: FieldChange) -> str | None:
    """The phrase of a plan's field change, if the field has an annotation (the first
    field of a change also carries the change's own: an unlink's working orders)."""
    if plan.exposure is None:
        return None
    found = plan.exposure.of(change, field.path)
    if found is None and change.fields and field is change.fields[0]:
        return change_phrase(plan, change)
    return None if found is None else phrase(found)


def change_phrase(plan: Plan, change: Change) -> str | None:
    """The phrase of a whole change (an unlink's working orders), if it has one."""
    found = None if plan.exposure is None else plan.exposure.of(change, ())
    return None if found is None else phrase(found)


def read_note(exposure: Exposure | None) -> str | None:
    """What the exposure read cost (the plan's header says it), or None when none was made."""
    if exposure is None:
        return None
    return (f"Exposure: positions and credit in use read from TT for "
            f"{plural(exposure.accounts, 'account')} the changed limits count "
            f"({plural(exposure.requests, 'request')}; --no-exposure skips it).")


def breach_lines(exposure: Exposure | None) -> list[str]:
    """The markdown section a PR comment opens with when an apply would breach."""
    if exposure is None or not exposure.breaches:
        return []
    rows = [f"| {a.kind.spec.singular} {a.key} | `{path_text(a.path)}` | "
            f"{_number(a.old)} → {_number(a.new)} | {phrase(a)} |" for a in exposure.breaches]
    return [f"### Breach on apply ({len(rows)})", "",
            "These tightenings leave a position or the credit in use over the new limit: "
            "after the apply TT accepts only orders that reduce it.", "",
            "| object | field | old → new | exposure now |", "|---|---|---|---|", *rows, ""]


def _number(value: float | None) -> str:
    return "not set" if value is None else amount(value)


def over_limit_lines(over: Over) -> list[str]:
    """Drift's section on the limits the positions in use are over now."""
    if over.unknown is not None:
        return [f"Positions could not be read, so limits already exceeded are not shown: "
                f"{over.unknown}"]
    if not over.limits:
        return []
    return [f"Over their limits now ({len(over.limits)}; TT accepts only orders that reduce "
            "these):", *(f"  {a.kind.spec.singular} {a.key} {path_text(a.path)} "
                         f"{_number(a.new)}: {_held(a)}" for a in over.limits)]

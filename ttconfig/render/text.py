"""The plan as text, Terraform-like: `+` create, `~` update, `-` delete, per object and
field, grouped by kind in a fixed order, every risk-moving field marked."""

from __future__ import annotations

from dataclasses import dataclass

from ttconfig.core.changes import ABSENT, Change, FieldChange, path_text, shown
from ttconfig.core.plan import Plan
from ttconfig.models.kinds import REGISTRY

SIGNS = {"create": "+", "update": "~", "delete": "-", "deactivate": "-"}
COLOURS = {"+": "32", "~": "33", "-": "31", "loosening": "1;31", "tightening": "1;32",
           "HIGH": "1;37;41"}
KIND_TITLES: dict[str, str] = {spec.kind: spec.title for spec in REGISTRY.values()}


@dataclass(frozen=True)
class Heading:
    """What a rendered plan compares. A plan compares live TT with the YAML and ends in TT
    writes; a promotion compares two environments' YAML and writes nothing to TT, so it
    must not read like a plan (nor promise write requests)."""

    text: str
    markdown: str
    no_changes: str
    writes: bool = True


def plan_heading(plan: Plan) -> Heading:
    where = f"{plan.environment} ({plan.tt_environment})"
    return Heading(f"Plan for {where}", f"ttconfig plan: {where}",
                   "No changes: live TT matches the YAML.")


def promotion_heading(source: str, target: str) -> Heading:
    return Heading(f"Promotion {source} → {target}: what {target}'s YAML would change to",
                   f"ttconfig promote: {source} → {target}",
                   f"No changes: {target}'s YAML already carries {source}'s desired state.",
                   writes=False)


class Paint:
    """ANSI colours by meaning, or none (off the terminal, text must stay plain)."""

    def __init__(self, colour: bool, colours: dict[str, str] | None = None) -> None:
        self.colour = colour
        self.colours = COLOURS if colours is None else colours

    def __call__(self, text: str, key: str) -> str:
        if not self.colour or key not in self.colours:
            return text
        return f"\033[{self.colours[key]}m{text}\033[0m"


def _field_line(change: FieldChange, paint: Paint, high: bool) -> str:
    path = path_text(change.path)
    mark = "" if change.direction == "neutral" else "  " + paint(change.direction.upper(),
                                                                 change.direction)
    if high:
        mark += " " + paint("HIGH", "HIGH")
    if change.old is ABSENT:
        return f"      {paint('+', '+')} {path}: {shown(change.new)}{mark}"
    if change.new is ABSENT:
        return f"      {paint('-', '-')} {path}: {shown(change.old)}{mark}"
    return f"      {paint('~', '~')} {path}: {shown(change.old)} → {shown(change.new)}{mark}"


def render_change_lines(change: Change, plan: Plan) -> list[str]:
    """One change as plain lines (the markdown render reuses them in diff blocks)."""
    return _change_lines(change, Paint(False), plan)


def _change_lines(change: Change, paint: Paint, plan: Plan) -> list[str]:
    sign = SIGNS[change.action]
    direction = "" if change.direction == "neutral" else f"  [{change.direction}]"
    head = f"  {paint(sign, sign)} {change.key}"
    action = "" if change.action in ("create", "update") else f" ({change.action})"
    return [head + action + direction] + [_field_line(f, paint, plan.is_high(f))
                                          for f in change.fields]


def render_text(plan: Plan, *, colour: bool = False, heading: Heading | None = None) -> str:
    """The whole plan; `colour` adds ANSI colours (only for a terminal)."""
    paint = Paint(colour)
    heading = heading or plan_heading(plan)
    lines = [heading.text, ""]
    if plan.empty:
        return "\n".join([*lines, heading.no_changes, ""])
    for kind, title in KIND_TITLES.items():
        changes = [c for c in plan.changes if c.kind == kind]
        if changes:
            lines.append(f"{title}:")
            for change in changes:
                lines += _change_lines(change, paint, plan)
            lines.append("")
    lines += [summary_line(plan, writes=heading.writes), f"Checksum: {plan.checksum()}", ""]
    return "\n".join(lines)


def summary_line(plan: Plan, *, writes: bool = True) -> str:
    counts = {"create": 0, "update": 0, "delete": 0, "deactivate": 0}
    for kind_counts in plan.summary.by_kind.values():
        for action, count in kind_counts.items():
            counts[action] += count
    removals = counts["delete"] + counts["deactivate"]
    s = plan.summary
    high = f" ({s.high} HIGH)" if s.high else ""
    return (f"Plan: {counts['create']} to create, {counts['update']} to update, {removals} to "
            f"delete or deactivate; {s.loosening} loosening{high} and {s.tightening} "
            f"tightening field changes"
            + (f"; apply makes {s.requests} TT write requests." if writes else "."))

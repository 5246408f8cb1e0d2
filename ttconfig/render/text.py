"""The plan as text, Terraform-like: `+` create, `~` update, `-` delete, per object and
field, grouped by kind in a fixed order, every risk-moving field marked; the policy verdict
under it.

The render is a `Styled` string: exactly these characters in a file or a pipe, coloured by
meaning (signs, LOOSENING, TIGHTENING, HIGH) only when `render.console` prints it to a
terminal that wants colour.
"""

from __future__ import annotations

from ttconfig.core.changes import ABSENT, Change, FieldChange, path_text, shown
from ttconfig.core.plan import Plan
from ttconfig.models.kinds import REGISTRY
from ttconfig.render.exposure import BREACH, field_phrase, read_note
from ttconfig.render.heading import Heading, plan_heading
from ttconfig.render.outside import field_outside, outside_lines
from ttconfig.render.policy import render_verdict_text
from ttconfig.render.styled import Piece, Styled, joined, plain, unstyled
from ttconfig.render.unmanaged import unmanaged_lines
from ttconfig.safety.policy import Verdict
from ttconfig.words import plural

SIGNS = {"create": "+", "update": "~", "delete": "-", "deactivate": "-"}
STYLES = {"+": "green", "~": "yellow", "-": "red", "loosening": "bold red",
          "tightening": "bold green", "HIGH": "bold white on red", "exposure": "dim",
          "BREACH": "bold white on red"}
"""rich styles by meaning."""
KIND_TITLES: dict[str, str] = {spec.kind: spec.title for spec in REGISTRY.values()}


def _painted(text: str, meaning: str) -> Piece:
    return (text, STYLES.get(meaning, ""))


def _mark(change: FieldChange, high: bool) -> list[Piece]:
    mark = [] if change.direction == "neutral" else [
        plain("  "), _painted(change.direction.upper(), change.direction)]
    return [*mark, plain(" "), _painted("HIGH", "HIGH")] if high else mark


def _field_line(change: FieldChange, high: bool) -> list[Piece]:
    path = path_text(change.path)
    if change.old is ABSENT:
        sign, body = "+", f"{path}: {shown(change.new)}"
    elif change.new is ABSENT:
        sign, body = "-", f"{path}: {shown(change.old)}"
    else:
        sign, body = "~", f"{path}: {shown(change.old)} → {shown(change.new)}"
    return [plain("      "), _painted(sign, sign), plain(f" {body}"), *_mark(change, high)]


def _change_lines(change: Change, plan: Plan) -> list[list[Piece]]:
    sign = SIGNS[change.action]
    direction = "" if change.direction == "neutral" else f"  [{change.direction}]"
    action = "" if change.action in ("create", "update") else f" ({change.action})"
    head = [plain("  "), _painted(sign, sign), plain(f" {change.key}{action}{direction}")]
    lines = [head]
    for f in change.fields:
        lines.append(_field_line(f, plan.is_high(f)))
        exposure = field_phrase(plan, change, f)
        if exposure is not None:
            lines.append([plain("          "), _painted(exposure, _exposure_style(exposure))])
        outside = field_outside(plan, change, f)
        if outside is not None:
            lines.append([plain(f"          {outside}")])
    return lines


def _exposure_style(phrase: str) -> str:
    return "BREACH" if BREACH in phrase else "exposure"


def diff_lines(change: Change, plan: Plan) -> list[str]:
    """One change as a ```diff block shows it on GitHub: `+`/`-` in the first column (a
    changed value is its old line and its new one), so the comment is coloured."""
    mark = "+" if change.action == "create" else "-" if change.action in (
        "delete", "deactivate") else " "
    direction = "" if change.direction == "neutral" else f"  [{change.direction}]"
    action = "" if change.action in ("create", "update") else f" ({change.action})"
    lines = [f"{mark} {change.key}{action}{direction}"]
    for field in change.fields:
        path, tag = path_text(field.path), unstyled(_mark(field, plan.is_high(field)))
        if field.old is not ABSENT:
            lines.append(f"-     {path}: {shown(field.old)}")
        if field.new is not ABSENT:
            lines.append(f"+     {path}: {shown(field.new)}{tag}")
        elif tag:
            lines[-1] += tag
        exposure = field_phrase(plan, change, field)
        if exposure is not None:
            lines.append(f"          {exposure}")
        outside = field_outside(plan, change, field)
        if outside is not None:
            lines.append(f"          {outside}")
    return lines


def _kind_lines(plan: Plan) -> list[list[Piece]]:
    lines: list[list[Piece]] = []
    for kind, title in KIND_TITLES.items():
        changes = [c for c in plan.changes if c.kind == kind]
        if changes:
            lines.append([plain(f"{title}:")])
            for change in changes:
                lines += _change_lines(change, plan)
            lines.append([])
    return lines


def render_text(plan: Plan, verdict: Verdict | None = None,
                heading: Heading | None = None) -> Styled:
    """The whole plan, then the verdict's findings when there is a verdict."""
    heading = heading or plan_heading(plan)
    lines: list[list[Piece]] = [[plain(heading.text)], []]
    if plan.empty:
        lines += [[plain(heading.no_changes)], []]
    else:
        note = read_note(plan.exposure)
        lines += [[plain(note)], []] if note else []
        lines += [*_kind_lines(plan), [plain(summary_line(plan, writes=heading.writes))],
                  [plain(f"Checksum: {plan.checksum()}")], []]
    if heading.kept:
        lines += [[plain(f"{heading.kept_title}:")],
                  *([plain(f"  {line}")] for line in heading.kept), []]
    lines += [[plain(line)] for line in (*outside_lines(plan.outside),
                                         *unmanaged_lines(plan.unmanaged, plan.environment))]
    policy = "" if verdict is None else render_verdict_text(verdict)
    return Styled([*joined(lines), plain(policy)])


def summary_line(plan: Plan, *, writes: bool = True) -> str:
    counts = {"create": 0, "update": 0, "delete": 0, "deactivate": 0}
    for kind_counts in plan.summary.by_kind.values():
        for action, count in kind_counts.items():
            counts[action] += count
    removals = counts["delete"] + counts["deactivate"]
    s = plan.summary
    high = f" ({s.high} HIGH)" if s.high else ""
    changes = "field change" if s.loosening + s.tightening == 1 else "field changes"
    return (f"Plan: {counts['create']} to create, {counts['update']} to update, {removals} to "
            f"delete or deactivate; {s.loosening} loosening{high} and {s.tightening} "
            f"tightening {changes}"
            + (f"; apply makes {plural(s.requests, 'TT write request')}." if writes else "."))

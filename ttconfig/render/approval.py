"""What `ttconfig approve` shows before it approves: the plan's checksum and every loosening
field change, read from the saved plan's body — which `read_plan_file` has checked against
that checksum, so what the approver reads is what the approval will let apply."""

from __future__ import annotations

from typing import Any

from ttconfig.core.changes import path_text, shown
from ttconfig.core.exposure import Exposure
from ttconfig.render.exposure import phrase
from ttconfig.runs.planfile import Approved


def _loosening(plan: dict[str, Any]) -> list[str]:
    return [f"  {change['kind']} {change['key']}  {path_text(tuple(field['path']))}: "
            f"{shown(field['old'])} → {shown(field['new'])}  LOOSENING"
            + ("  HIGH" if field.get("high") else "")
            for change in plan.get("changes", []) for field in change.get("fields", [])
            if field.get("direction") == "loosening"]


def _breaches(recorded: Exposure | None) -> list[str]:
    """The breaches on apply the reviewed plan showed (policy.exposure): an approval
    covers them too, so the approver reads them here."""
    if recorded is None:
        return []
    found = recorded.breaches
    return [f"Breaches on apply it approves ({len(found)}; exposure as reviewed):",
            *(f"  {a.kind.spec.singular} {a.key}  {path_text(a.path)}: {phrase(a)}"
              for a in found)] if found else []


def approval_text(approved: Approved) -> str:
    saved = approved.saved
    plan = saved.data["plan"]
    lines = [f"Plan {saved.checksum} for {saved.environment} ({plan.get('tt_environment')}), "
             f"made by {saved.data.get('created_by')} at {saved.data.get('created_at')}.",
             f"Loosening field changes it approves ({approved.loosening}):",
             *(_loosening(plan) or ["  (none)"]), *_breaches(saved.exposure),
             f"Approved plan {saved.checksum[:16]}… for {saved.environment} "
             f"({approved.loosening} loosening field changes) as "
             f"{approved.document['approved_by']}: {approved.path}"]
    return "\n".join(lines)

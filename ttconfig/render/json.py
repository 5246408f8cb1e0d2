"""The plan as JSON for machines.

Format (version 1): {"format_version": 1, "environment", "tt_environment", "checksum",
"summary": {"by_kind": {kind: {action: count}}, "loosening", "tightening", "neutral",
"requests", "high"}, "high_loosening_percent", "changes": [{"kind", "key", "action",
"direction", "fields": [{"path": [..], "old", "new", "direction", "high"}]}], "steps":
[{"kind", "key", "operation", "items", "direction", "phase", "depth"}]}. A value that does
not exist on one side is "(absent)"; null is "not set". `high` marks a loosening by more
than `high_loosening_percent` or to "not set". "unmanaged": {kind: [name, ..]}: live objects
the YAML does not name (left alone; not in the checksum). With a policy verdict: "policy":
{"refused": bool, "findings": [{"rule", "message", "outcome" (refused, overridden, needed,
warning), "override" (how to allow it, or null)}]}. A promotion (YAML against YAML, no TT
writes) starts with "promotion": {"from", "to"}. "exposure" (when it was read; not in the
checksum): {"requests", "accounts", "annotations": [{"kind", "key", "path", "measure"
(position, long, short, credit), "old", "new", "exposure", "net", "where", "position_only",
"unknown", "account" (an unlink's), "headroom_before", "headroom_after", "breach"}]}.
"""

from __future__ import annotations

import json

from ttconfig.core.plan import Plan
from ttconfig.render.heading import Heading
from ttconfig.render.outside import outside_data
from ttconfig.render.unmanaged import unmanaged_data
from ttconfig.safety.policy import Verdict


def render_json(plan: Plan, verdict: Verdict | None = None,
                heading: Heading | None = None) -> str:
    """A promotion's heading marks it first: YAML against YAML, no TT writes."""
    data = plan.to_data()
    if heading is not None and heading.promotion is not None:
        source, target = heading.promotion
        data = {"promotion": {"from": source, "to": target, "kept": list(heading.kept)},
                **data}
    data["checksum"] = plan.checksum()
    data["unmanaged"] = unmanaged_data(plan.unmanaged)
    if plan.outside:
        data["changed_outside"] = outside_data(plan.outside)
    if plan.exposure is not None:
        data["exposure"] = plan.exposure.to_data()
    if verdict is not None:
        data["policy"] = verdict.to_data()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""The plan as JSON for machines.

Format (version 1): {"format_version": 1, "environment", "tt_environment", "checksum",
"summary": {"by_kind": {kind: {action: count}}, "loosening", "tightening", "neutral",
"requests"}, "changes": [{"kind", "key", "action", "direction", "fields": [{"path": [..],
"old", "new", "direction"}]}], "steps": [{"kind", "key", "operation", "items",
"direction", "phase", "depth"}]}. A value that does not exist on one side is "(absent)";
null is "not set".
"""

from __future__ import annotations

import json

from ttconfig.plan import Plan


def render_json(plan: Plan) -> str:
    data = plan.to_data()
    data["checksum"] = plan.checksum()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

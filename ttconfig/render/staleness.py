"""Why a saved plan is stale, as the person about to apply it must read it.

When live TT moved under a reviewed plan, the message alone ("2 objects differ") does not
say whether the apply would now undo someone's change: the three-way table does, field by
field — what the plan was made from, what live is now, what the YAML wants.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ttconfig.errors import TTConfigError
from ttconfig.runs.planfile import LiveChanged
from ttconfig.safety.fingerprint import Row

HEADER = ("object", "field", "planned from", "live now", "desired")


def _cell(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)[:60]
    return str(value)


def render_three_way(rows: Sequence[Row]) -> str:
    """A plain table, columns as wide as their widest cell: object, field, planned from,
    live now, desired."""
    table = [HEADER] + [(f"{r.kind} {r.key}", r.path, _cell(r.planned_from),
                         _cell(r.live_now), _cell(r.desired)) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    lines = ["  " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths,
                                                                         strict=True)).rstrip()
             for line in table]
    return "\n".join([lines[0], "  " + "  ".join("-" * w for w in widths), *lines[1:]])


def error_text(error: TTConfigError) -> str:
    """An error's message for the terminal; live TT moving under a saved plan adds its
    three-way table under the message."""
    if isinstance(error, LiveChanged):
        return f"{error}\n{render_three_way(error.rows)}"
    return str(error)

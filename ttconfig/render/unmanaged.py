"""The "Not managed by this YAML" section of plans and drift reports: live objects of the
kinds the YAML declares that it does not name, and how to adopt or remove them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ttconfig.core.unmanaged import Unmanaged

SHOWN = 10
"""Names shown per kind in text and markdown (json lists them all)."""
TITLE = "Not managed by this YAML"


def _names(item: Unmanaged) -> str:
    more = len(item.names) - SHOWN
    return ", ".join(item.names[:SHOWN]) + (f" … and {more} more" if more > 0 else "")


def _example(found: Sequence[Unmanaged], environment: str) -> tuple[str, str]:
    first = found[0]
    return (f"ttconfig import -e {environment} --only {first.kind.value}:{first.names[0]}",
            f"policy: {{prune: {{{first.kind.value}: true}}}}")


def unmanaged_lines(found: Sequence[Unmanaged], environment: str) -> list[str]:
    """The section as text lines (none when there is nothing to say)."""
    if not found:
        return []
    adopt, prune = _example(found, environment)
    return [f"{TITLE} (left as they are in TT):",
            *(f"  {item.kind.value} ({len(item.names)}): {_names(item)}" for item in found),
            f"  To manage one, add its YAML (`{adopt}` prints it); to remove those of a kind, "
            f"set `{prune}` in environment.yaml.", ""]


def unmanaged_markdown(found: Sequence[Unmanaged], environment: str) -> list[str]:
    if not found:
        return []
    adopt, prune = _example(found, environment)
    return [f"### {TITLE}", "",
            *(f"- **{item.kind.value}** ({len(item.names)}): {_names(item)}" for item in found),
            "", f"Left as they are in TT. To manage one, add its YAML (`{adopt}` prints it); to "
            f"remove those of a kind, set `{prune}` in environment.yaml.", ""]


def unmanaged_data(found: Sequence[Unmanaged]) -> dict[str, Any]:
    return {item.kind.value: list(item.names) for item in found}

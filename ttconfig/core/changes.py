"""What a plan is made of: changes to objects, each a list of field changes with a risk
direction. Pure values, in users' words (names, not TT ids)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind

Direction = Literal["loosening", "tightening", "neutral"]
Action = Literal["create", "update", "delete", "deactivate"]


class _Absent:
    """The value of something that does not exist on one side (not the same as null)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def path_text(path: tuple[str, ...]) -> str:
    """A field path for people: limits.products["CME ES future"].max_order_qty."""
    text = ""
    for part in path:
        if any(c in part for c in ' @↔') or not part.isidentifier():
            text += f'["{part}"]'
        else:
            text += f".{part}" if text else part
    return text


def shown(value: Any) -> str:
    """A value as people read it in a plan: 5,000 · not set · (absent) · "text"."""
    if value is ABSENT:
        return "(absent)"
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if value in ("member",) else f'"{value}"'
    return f"{value:,}" if isinstance(value, int) else str(value)


def combined(directions: Iterable[Direction]) -> Direction:
    """The direction of several field changes: any loosening loosens; else any tightening
    tightens."""
    seen = set(directions)
    if "loosening" in seen:
        return "loosening"
    if "tightening" in seen:
        return "tightening"
    return "neutral"


@dataclass(frozen=True)
class FieldChange:
    """One value that changes; `path` names it inside its object in users' words, e.g.
    ("limits", "products", "CME ES future", "max_order_qty")."""

    path: tuple[str, ...]
    old: Any
    new: Any
    direction: Direction


@dataclass(frozen=True)
class Change:
    """One object created, updated, deleted or deactivated."""

    kind: Kind
    key: Key
    action: Action
    fields: tuple[FieldChange, ...]

    @property
    def direction(self) -> Direction:
        return combined(f.direction for f in self.fields)

"""Mapping between records' field names and TT's JSON keys, for flat objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ttconfig.tt.errors import UnexpectedAnswer
from ttconfig.tt.http import Json

KeyMap = Mapping[str, str]
"""record field name → TT JSON key."""


def read(keys: KeyMap, data: Json) -> dict[str, Any]:
    """Record fields from TT JSON (keys TT did not send are left out)."""
    return {field: data[key] for field, key in keys.items() if key in data}


def write(keys: KeyMap, changes: Mapping[str, Any]) -> Json:
    """TT JSON from record fields; an unknown field is a programming error."""
    unknown = sorted(set(changes) - set(keys))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    return {keys[field]: value for field, value in changes.items()}


def flags(data: Json, keys: KeyMap) -> dict[str, bool]:
    """TT's 0/1 integer flags as booleans."""
    return {field: bool(data.get(key, 0)) for field, key in keys.items()}


def single(body: Json, key: str) -> Json:
    """The one object of a single-object answer (TT wraps it in a one-element array)."""
    items = body.get(key)
    if isinstance(items, list) and len(items) == 1 and isinstance(items[0], dict):
        return items[0]
    raise UnexpectedAnswer(f"the answer lacks a one-element {key!r} array",
                           method=getattr(body, "method", "?"), path=getattr(body, "path", "?"),
                           request_id=getattr(body, "request_id", None), status=200)

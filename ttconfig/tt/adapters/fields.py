"""Mapping between records' field names and TT's JSON keys, for flat objects."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from ttconfig.tt.errors import UnexpectedAnswer
from ttconfig.tt.http import ANSWERED, Json, TTHttp
from ttconfig.words import plural

Api = TypeVar("Api", bound=type)

KeyMap = Mapping[str, str]
"""record field name → TT JSON key."""


def read(keys: KeyMap, data: Json) -> dict[str, Any]:
    """Record fields from TT JSON (keys TT did not send are left out)."""
    return {field: data[key] for field, key in keys.items() if key in data}


def write(keys: KeyMap, changes: Mapping[str, Any]) -> Json:
    """TT JSON from record fields; an unknown field is a programming error."""
    unknown = sorted(set(changes) - set(keys))
    if unknown:
        raise ValueError(f"{plural(len(unknown), 'unknown field')}: {', '.join(unknown)}")
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


def number(data: Json, key: str) -> int | float | None:
    """A numeric field (None when absent or null); text or a boolean is a shape error:
    "6000" for a limit must never be read as a number or compared as text."""
    value = data.get(key)
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{key!r} is {value!r}, not a number")


def identifier(data: Json, key: str) -> int:
    """An id field: an integer (TT may send it as digits)."""
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(f"{key!r} is {value!r}, not an id")
    return int(value)


def checked(api: Api) -> Api:
    """Every public call of an adapter class: an answer it cannot read (a key missing, a
    value of another type) is an UnexpectedAnswer naming the request and the field, never
    a KeyError or TypeError from deep inside (and never a value read wrongly)."""
    for name, call in list(vars(api).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(call):
            setattr(api, name, _checked(call))
    return api


def _checked(call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(call)
    async def reading(self: Any, *args: Any, **kwargs: Any) -> Any:
        ANSWERED.set(None)
        try:
            return await call(self, *args, **kwargs)
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            answered = ANSWERED.get()
            if answered is None:  # raised before any answer: not TT's shape
                raise
            http: TTHttp = self._http
            method, path, request_id = answered
            raise UnexpectedAnswer(http.scrub(f"TT's answer is not in the shape ttconfig "
                                              f"expects: {_detail(error)}"),
                                   method=method, path=path, request_id=request_id,
                                   status=200) from None
    return reading


def _detail(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"the field {error.args[0]!r} is missing"
    return str(error)

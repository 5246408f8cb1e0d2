"""A value that must never be shown: app keys, app secrets, access tokens."""

from __future__ import annotations

from typing import Final

MASK: Final = "********"


class Secret:
    """Holds a secret; `repr`, `str` and formatting show only a mask.

    The value is reachable only through `reveal()`, so every place that puts it on the wire
    is greppable, and nothing else (logs, errors, reprs of enclosing objects) can leak it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")

"""Fault injection: make the Nth request matching a method and path misbehave.

Actions:

- ``status``       answer `status` (with `Retry-After` when `retry_after` is set, and a
                   `Location` when `location` is set); nothing applied
- ``drop``         apply the write, then drop the connection without any response
- ``drop_before``  drop the connection before anything is applied
- ``late_commit``  answer 504 at once and apply the write `delay_seconds` later
- ``delay``        wait `delay_seconds`, then answer normally
- ``edit``         first apply `edit` as TT's web UI would (a concurrent edit), then answer

Rules are scriptable from Python (`Sandbox.faults.add`) and from the loopback-only control
endpoint (`POST /_sandbox/faults` with the same fields as JSON).
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from ttconfig.words import plural

ACTIONS = ("status", "drop", "drop_before", "late_commit", "delay", "edit")


@dataclass(frozen=True)
class Edit:
    """A write made outside the API client, as in TT's web UI."""

    method: str
    path: str
    """Full path, e.g. ``/ttaccount/ext_uat_cert/account/1001/limits``."""
    body: Any = None


@dataclass
class Fault:
    """One rule. It fires on matching requests number `nth` .. `nth + times - 1`."""

    action: str = "status"
    method: str = "*"
    path: str = "*"
    """A glob over the request path, e.g. ``/ttaccount/*/account/*/limits``."""
    nth: int = 1
    times: int = 1
    status: int = 503
    retry_after: float | None = None
    delay_seconds: float = 0.0
    message: str | None = None
    location: str | None = None
    edit: Edit | None = None
    id: int = 0
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; one of {', '.join(ACTIONS)}")
        if self.nth < 1 or self.times < 1:
            raise ValueError("nth and times must be at least 1")
        if self.action == "edit" and self.edit is None:
            raise ValueError("an edit fault needs an edit")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        known = {f for f in cls.__dataclass_fields__ if f not in ("id", "seen", "fired")}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{plural(len(unknown), 'unknown fault field')}: {', '.join(unknown)}")
        edit = data.get("edit")
        return cls(**{**data, "edit": Edit(**edit) if isinstance(edit, dict) else edit})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FaultInjector:
    """The active rules; thread-safe (tests add rules while the server answers)."""

    _rules: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def match(self, method: str, path: str) -> Fault | None:
        """Count this request against every rule it matches; the first rule that fires."""
        chosen: Fault | None = None
        with self._lock:
            for rule in self._rules:
                if rule.method not in ("*", method) or not fnmatch.fnmatchcase(path, rule.path):
                    continue
                rule.seen += 1
                if chosen is None and rule.nth <= rule.seen < rule.nth + rule.times:
                    rule.fired += 1
                    chosen = rule
        return chosen

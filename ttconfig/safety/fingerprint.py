"""Fingerprints of the live objects a plan touches, and the three-way view of a stale one.

A saved plan carries, for every object it changes, the live values of the fields the YAML
manages on it ("planned from") and their sha256. Apply re-reads them: any difference means
someone changed the object since the plan was reviewed, and apply refuses, showing per field
what the plan was made from, what live holds now, and what the YAML wants. Only managed
fields count (reliability.md #13): an edit to a field ttconfig leaves alone is not a conflict.
Pure: models in, JSON-able values out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ttconfig.core.changes import ABSENT, FieldChange
from ttconfig.core.diff import ROW_LISTS, compare, declared_links, row_name, shown_key
from ttconfig.core.digest import ABSENT_TEXT, fingerprint, plain
from ttconfig.core.plan import Plan
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.kinds import REGISTRY

LINK_LISTS: dict[str, str] = {spec.kind: spec.links.field for spec in REGISTRY.values()
              if spec.links is not None}

@dataclass(frozen=True)
class Touched:
    """One object a plan changes, as the plan found it in TT."""

    kind: str
    key: str
    planned_from: Any
    """The managed fields' live values (None: the object did not exist)."""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.planned_from)

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "fingerprint": self.fingerprint,
                "planned_from": plain(self.planned_from)}


class Objects:
    """Desired and live data by kind and folded key, links included as their own kind."""

    def __init__(self, models: Mapping[str, Sequence[Model]], *, desired: bool) -> None:
        self.data: dict[str, dict[str, dict[str, Any]]] = {
            kind: {fold(shown_key(m.key())): _without_links(kind, m.declared())
                   for m in items} for kind, items in models.items()}
        self.data["links"] = _links(models, desired=desired)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.data.get(kind, {}).get(_folded_key(key))


def _folded_key(key: str) -> str:
    if " ↔ " in key:
        account, _, user = key.partition(" ↔ ")
        return f"{fold(account)} ↔ {fold(user)}"
    return fold(key)


def _without_links(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != LINK_LISTS.get(kind)}


def _links(models: Mapping[str, Sequence[Model]], *, desired: bool,
           ) -> dict[str, dict[str, Any]]:
    if desired:
        wanted, _ = declared_links(models)
        return {f"{a} ↔ {u}": parts for (a, u), (_, _, parts) in wanted.items()}
    links = {}
    for account in models.get("accounts", ()):
        data = account.declared()
        for link in data.get("users", []):
            parts = {k: v for k, v in link.items() if k != "user"}
            links[f"{fold(data['name'])} ↔ {fold(link['user'])}"] = parts
    return links


def project(live: Any, desired: Any) -> Any:
    """The part of `live` that `desired` manages: its keys, recursively; lists whole."""
    if live is None:
        return None
    if desired is None:
        return live
    if isinstance(desired, dict):
        current = live if isinstance(live, dict) else {}
        return {k: project(current[k], v) if k in current else ABSENT
                for k, v in desired.items()}
    return live


def touched(plan: Plan, desired: Objects, live: Objects) -> list[Touched]:
    """Every object the plan changes, with the live values of its managed fields."""
    return [Touched(c.kind, c.key, project(live.get(c.kind, c.key), desired.get(c.kind, c.key)))
            for c in plan.changes]


@dataclass(frozen=True)
class Row:
    """One field of a stale object: planned from, live now, desired."""

    kind: str
    key: str
    path: str
    planned_from: Any
    live_now: Any
    desired: Any


def three_way(kind: str, key: str, planned_from: Any, live_now: Any, desired: Any,
              ) -> list[Row]:
    """The fields whose live value moved since the plan, with what the YAML wants."""
    then, now, want = plain(planned_from), plain(live_now), plain(desired)
    if then is None or now is None:
        return [Row(kind, key, "(object)", _exists(then), _exists(now), _exists(want))]
    moved: list[FieldChange] = compare(kind, now, then, ())
    return [Row(kind, key, ".".join(f.path), plain(f.old), plain(f.new),
                value_at(want, f.path)) for f in moved]


def _exists(value: Any) -> str:
    return "absent" if value is None else "exists"


def value_at(data: Any, path: Sequence[str]) -> Any:
    """The value at a diff path: dict keys, limit rows by name, group members by name."""
    current, parent = data, ""
    for part in path:
        if isinstance(current, dict):
            current = current.get(part, ABSENT_TEXT)
        elif isinstance(current, list) and parent in ROW_LISTS:
            current = next((row for row in current if isinstance(row, dict)
                            and fold(row_name(row, ROW_LISTS[parent])) == fold(part)),
                           ABSENT_TEXT)
        elif isinstance(current, list):
            current = "member" if fold(part) in {fold(str(m)) for m in current} else \
                ABSENT_TEXT
        else:
            return ABSENT_TEXT
        parent = part
    return current

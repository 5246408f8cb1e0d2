"""Desired against live, per kind by natural key: which objects and fields change.

Pure. Only what the YAML declares is compared: a key left out is not managed, and live
objects the YAML does not declare are left alone unless their kind prunes. Lists of keyed
things (limit rows, members) are compared by key, never by position. Account↔user links
are their own kind here, whichever side of the link the YAML declared them on; an
account's links are managed when the YAML declares any link of it (or an empty `users:`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ttconfig.core.changes import ABSENT, Change, FieldChange
from ttconfig.core.risk import direction, membership
from ttconfig.core.state import Key, State, key_of
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.kinds import REGISTRY, Kind
from ttconfig.models.limits import SCOPE_DEFAULTS, legs_name, scope_name

ROW_LISTS = {"products": ("market", "family", "product", "type"),
             "contracts": ("market", "family", "product", "type", "contract"),
             "inter_product": ("legs",),
             "exchanges": ("market",)}
"""Lists of keyed things compared by key: limit rows (by scope), inter-product rows (by
legs), a user's exchange access (by market)."""
MEMBER_LISTS = {(spec.kind, spec.members.field) for spec in REGISTRY.values()
                if spec.members is not None}
LINK_PARTS = ("order_permissions", "permissions")


def _data(model: Model) -> dict[str, Any]:
    return model.declared()


def shown_key(key: Any) -> str:
    if isinstance(key, tuple):
        return " ".join(str(part) for part in key if part is not None)
    return str(key)


def diff(desired: Mapping[str, Sequence[Model]], live: Mapping[str, Sequence[Model]],
         prune: Mapping[str, bool] | None = None) -> list[Change]:
    """Every change that makes live equal desired, for the kinds desired declares.

    Both sides are States (a plain mapping of kind to models is made one here), so each
    object is matched by its folded key once, in the State."""
    desired, live = State.of(desired), State.of(live)
    prune = prune or {}
    changes: list[Change] = []
    for kind in Kind:
        if kind is Kind.LINKS:
            changes += _link_changes(desired, live)
        else:
            changes += _kind_changes(kind, desired, live, prune.get(kind, False))
        if kind is Kind.RISK_GROUPS:
            changes += _leaving_undeclared(desired, live, changes)
    return changes


def _leaving_undeclared(desired: State, live: State,
                        changes: Sequence[Change]) -> list[Change]:
    """TT keeps an account in at most one risk group: an account joining a declared group
    leaves the undeclared group it is in. The plan says so (and does it first) rather than
    leave TT to refuse the join halfway through an apply."""
    declared = desired.keyed(Kind.RISK_GROUPS)
    joining = {fold(f.path[-1]) for c in changes if c.kind is Kind.RISK_GROUPS
               for f in c.fields if f.new == "member"}
    leaving = []
    for folded, group in live.keyed(Kind.RISK_GROUPS).items():
        members = _data(group).get("accounts") or []
        gone = sorted((m for m in members if fold(m) in joining), key=fold)
        if gone and folded not in declared:
            leaving.append(Change(Kind.RISK_GROUPS, key_of(group), "update", tuple(
                FieldChange(("accounts", m), "member", ABSENT, membership("risk_groups", False))
                for m in gone)))
    return leaving


def _without_links(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    links = REGISTRY[Kind(kind)].links
    drop = None if links is None else links.field
    return {k: v for k, v in data.items() if k != drop}


def _kind_changes(kind: Kind, desired: State, live: State, prune: bool) -> list[Change]:
    present = live.keyed(kind)
    changes = []
    for folded, model in desired.keyed(kind).items():
        wanted = _without_links(kind, _data(model))
        current = present.get(folded)
        if current is None:
            fields = compare(kind, wanted, ABSENT, ())
            changes.append(Change(kind, key_of(model), "create", tuple(fields)))
            continue
        fields = compare(kind, wanted, _without_links(kind, _data(current)), ())
        if fields:
            changes.append(Change(kind, key_of(model), "update", tuple(fields)))
    if prune:
        wanted_keys = desired.keyed(kind)
        changes += [_removal(kind, model) for folded, model in present.items()
                    if folded not in wanted_keys]
    return changes


def _removal(kind: str, model: Model) -> Change:
    if kind == "users":  # TT has no user delete: deactivation is the removal
        active = getattr(model, "active", True)
        off = () if active is False else (
            FieldChange(("active",), active, False, direction(("active",), active, False)),)
        return Change(Kind(kind), key_of(model), "deactivate", off)
    data = _without_links(kind, _data(model))
    return Change(Kind(kind), key_of(model), "delete",
                  tuple(_compare_removed(kind, data, ())))


def compare(kind: str, wanted: Any, current: Any, path: tuple[str, ...]) -> list[FieldChange]:
    """Field changes that make `current` equal `wanted` (only `wanted`'s keys count)."""
    if isinstance(wanted, dict):
        return [change for key, value in wanted.items()
                for change in compare(kind, value,
                                       current.get(key, ABSENT) if isinstance(current, dict)
                                       else ABSENT, (*path, key))]
    if isinstance(wanted, list) and path and path[-1] in ROW_LISTS:
        return _compare_rows(kind, wanted, current if isinstance(current, list) else [], path)
    if isinstance(wanted, list) and (kind, path[-1] if path else "") in MEMBER_LISTS:
        return _compare_members(kind, wanted, current if isinstance(current, list) else [],
                                path)
    if _same(wanted, current):
        return []
    return [FieldChange(path, current, wanted, direction(path, current, wanted))]


def _same(wanted: Any, current: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(current, bool):
        return wanted is current
    return bool(wanted == current)


def row_key(row: dict[str, Any], identity: tuple[str, ...]) -> tuple[Any, ...]:
    if identity == ("legs",):  # the same legs in any order are the same row
        return tuple(sorted(row_key(leg, ROW_LISTS["products"]) for leg in row["legs"]))
    values = (row.get(k, SCOPE_DEFAULTS.get(k)) for k in identity)
    return tuple(fold(v) if isinstance(v, str) else v for v in values)


def row_name(row: dict[str, Any], identity: tuple[str, ...]) -> str:
    if identity == ("legs",):
        return legs_name(row["legs"])
    if "product" in identity:
        return scope_name(row)
    return " ".join(str(row[k]) for k in identity)


def _compare_rows(kind: str, wanted: list[Any], current: list[Any],
                  path: tuple[str, ...]) -> list[FieldChange]:
    identity = ROW_LISTS[path[-1]]
    live_rows = {row_key(r, identity): r for r in current}
    changes: list[FieldChange] = []
    for row in wanted:
        key = row_key(row, identity)
        values = {k: v for k, v in row.items() if k not in identity}
        here = (*path, row_name(row, identity))
        existing = live_rows.pop(key, None)
        changes += compare(kind, values, ABSENT if existing is None else existing, here)
    for row in live_rows.values():
        values = {k: v for k, v in row.items() if k not in identity}
        changes += _compare_removed(kind, values, (*path, row_name(row, identity)))
    return changes


def _compare_removed(kind: str, data: Any, path: tuple[str, ...]) -> list[FieldChange]:
    """Field changes for something that disappears: every value goes to ABSENT."""
    if isinstance(data, dict):
        return [c for key, value in data.items()
                for c in _compare_removed(kind, value, (*path, key))]
    if isinstance(data, list) and path and path[-1] in ROW_LISTS:
        return _compare_rows(kind, [], data, path)
    if isinstance(data, list) and (kind, path[-1] if path else "") in MEMBER_LISTS:
        return _compare_members(kind, [], data, path)
    return [FieldChange(path, data, ABSENT, direction(path, data, ABSENT))]


def _compare_members(kind: str, wanted: Iterable[str], current: Iterable[str],
                     path: tuple[str, ...]) -> list[FieldChange]:
    want = {fold(m): m for m in wanted}
    have = {fold(m): m for m in current}
    added = [FieldChange((*path, want[k]), ABSENT, "member", membership(kind, True))
             for k in sorted(set(want) - set(have))]
    removed = [FieldChange((*path, have[k]), "member", ABSENT, membership(kind, False))
               for k in sorted(set(have) - set(want))]
    return removed + added


def declared_links(desired: Mapping[str, Sequence[Model]]) -> tuple[
        dict[tuple[str, str], tuple[str, str, dict[str, Any]]], set[str]]:
    """(account, user) → (shown account, shown user, permissions), and the accounts whose
    links the YAML manages."""
    links: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {}
    managed: set[str] = set()
    for account_model in desired.get("accounts", ()):
        data = _data(account_model)
        if "users" in data:
            managed.add(fold(data["name"]))
        for link in data.get("users", []):
            parts = {k: v for k, v in link.items() if k in LINK_PARTS}
            links[(fold(data["name"]), fold(link["user"]))] = (data["name"], link["user"], parts)
    for user_model in desired.get("users", ()):
        data = _data(user_model)
        for link in data.get("accounts", []):
            managed.add(fold(link["account"]))
            parts = {k: v for k, v in link.items() if k in LINK_PARTS}
            links[(fold(link["account"]), fold(data["email"]))] = (link["account"],
                                                                     data["email"], parts)
    return links, managed


def _link_changes(desired: State, live: State) -> list[Change]:
    wanted, managed = declared_links(desired)
    current: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {}
    for account_model in live.get("accounts", ()):
        data = _data(account_model)
        for link in data.get("users", []):
            parts = {k: v for k, v in link.items() if k in LINK_PARTS}
            current[(fold(data["name"]), fold(link["user"]))] = (data["name"], link["user"],
                                                                   parts)
    changes = []
    for key, (account, user, parts) in sorted(wanted.items()):
        shown = Key.link(account, user)
        existing = current.get(key)
        if existing is None:
            changes.append(Change(Kind.LINKS, shown, "create",
                                  tuple(compare("links", parts, ABSENT, ()))))
        elif fields := compare("links", parts, existing[2], ()):
            changes.append(Change(Kind.LINKS, shown, "update", tuple(fields)))
    for key, (account, user, parts) in sorted(current.items()):
        if key[0] in managed and key not in wanted:
            changes.append(Change(Kind.LINKS, Key.link(account, user), "delete",
                                  tuple(_compare_removed("links", parts, ()))))
    return changes

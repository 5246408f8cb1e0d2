"""The "never transiently looser" promise, checked at every state an apply passes through.

An apply is a sequence of writes; between two of them TT enforces whatever it then holds.
The promise: no risk field of any object is ever looser than the looser of its value before
the apply and its value after it. `Watch` snapshots the risk fields of one company in the
sandbox after every write (the sandbox calls it under its lock, before any other request),
and `looser_than_bounds` compares each snapshot with the bounds. Fields are named by the
models' names, so each is judged by the rule the plan uses (`core.risk.direction`).

Memberships (risk groups, account↔user links) are not among the fields: TT keeps an account
in at most one risk group, so a move between groups passes through "in none" by necessity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ttconfig.core.changes import ABSENT
from ttconfig.core.plan import Plan
from ttconfig.core.risk import direction
from ttconfig.models.checks import fold
from ttconfig.models.kinds import Kind
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.store import EnvData, WriteRecord
from ttconfig.tt.adapters.limits import (
    APPLY_LIMITS,
    CONTRACT_LIMITS,
    INTER_PRODUCT_LIMITS,
    LEGS,
    PRODUCT_LIMITS,
    RISK_LIMIT_SETTINGS,
    VALUE_KEYS,
)
from ttconfig.tt.adapters.ttaccount import (
    ACTION,
    ALGO_PARENT_LIMITS,
    AT_PERCENT,
    CREDIT_LOSS_ACTIONS,
    LOSS_ACTIONS,
    ORDER_PERMISSION_KEYS,
    ORDER_TYPE,
    PARENT_CHECKS,
    PARENT_ORDER_TYPES,
    PERMISSION_KEYS,
    RESTRICTION_KEYS,
    RISK_SETTINGS_KEYS,
)

Field = tuple[Any, ...]
"""(what, owner id, row scope or "", the model's field name)."""
Snapshot = dict[Field, Any]
_ROW_SCOPE = ("marketId", "productTypeId", "productId", "instrumentId")


def _scope(row: dict[str, Any]) -> Any:
    """A row's scope; an inter-product row's is its set of legs (any order)."""
    if LEGS in row:
        return frozenset(tuple(leg.get(k) for k in _ROW_SCOPE[:3]) for leg in row[LEGS])
    return tuple(row.get(k) for k in _ROW_SCOPE)


def _rows(what: str, owner: Any, limits: dict[str, Any]) -> Iterator[tuple[Field, Any]]:
    for table in (PRODUCT_LIMITS, CONTRACT_LIMITS, INTER_PRODUCT_LIMITS):
        for row in limits.get(table, []):
            scope = _scope(row)
            for name, key in VALUE_KEYS.items():
                yield (what, owner, scope, name), row.get(key)
    settings = limits.get(RISK_LIMIT_SETTINGS)
    if isinstance(settings, dict):
        yield (what, owner, "", "apply"), settings.get(APPLY_LIMITS)


def _mapped(what: str, owner: Any, record: dict[str, Any],
            keys: dict[str, str]) -> Iterator[tuple[Field, Any]]:
    for name, key in keys.items():
        if key in record:
            yield (what, owner, "", name), record[key]


@dataclass(frozen=True)
class Touched:
    """The objects a plan writes to, by folded name: the only ones an apply can change."""

    accounts: frozenset[str]
    users: frozenset[str]
    groups: frozenset[str]

    @classmethod
    def of(cls, plan: Plan) -> Touched:
        accounts, users, groups = set(), set(), set()
        for change in plan.changes:
            first = change.key.folded[0] or ""
            if change.kind in (Kind.ACCOUNTS, Kind.LINKS):
                accounts.add(first)
            elif change.kind is Kind.USERS:
                users.add(first)
            elif change.kind is Kind.RISK_GROUPS:
                groups.add(first)
        return cls(frozenset(accounts), frozenset(users), frozenset(groups))


def _named(table: dict[Any, Any], company: int, names: frozenset[str], key: str) -> set[Any]:
    return {i for i, r in table.items() if r["companyId"] == company and fold(r[key]) in names}


def snapshot(env: EnvData, company: int, touched: Touched) -> Snapshot:
    """Every risk field of the `touched` accounts, users and risk groups of `company`, by
    the models' names (an object the plan does not write to cannot change)."""
    accounts = _named(env.accounts, company, touched.accounts, "name")
    users = _named(env.users, company, touched.users, "email")
    groups = _named(env.risk_groups, company, touched.groups, "name")
    shot: Snapshot = {}
    for account in accounts:
        shot.update(_rows("account limits", account, env.account_limits.get(account, {})))
        settings = env.risk_settings.get(account, {})
        shot.update(_mapped("risk settings", account, settings, RISK_SETTINGS_KEYS))
        taken = {a[ACTION]: a[AT_PERCENT] for a in settings.get(CREDIT_LOSS_ACTIONS, [])}
        for name, action in LOSS_ACTIONS.items():
            shot["loss actions", account, "", name] = taken.get(action)
        checks = {c[ORDER_TYPE]: c for c in settings.get(ALGO_PARENT_LIMITS, [])}
        for order_type, wire in PARENT_ORDER_TYPES.items():
            for name, key in PARENT_CHECKS.items():
                shot["algo parent limits", account, order_type, name] = checks.get(
                    wire, {}).get(key)
        shot.update(_mapped("restrictions", account, env.restrictions.get(account, {}),
                            RESTRICTION_KEYS))
        for user, link in env.account_users.get(account, {}).items():
            shot.update(_mapped("order permissions", (account, user),
                                link.get("orderPermissions", {}), ORDER_PERMISSION_KEYS))
            shot.update(_mapped("permissions", (account, user), link.get("permissions", {}),
                                PERMISSION_KEYS))
    for user in users:
        shot.update(_rows("user limits", user, env.user_limits.get(user, {})))
        for entry in env.user_exchanges.get(user, {}).get("exchanges", []):
            shot["exchange access", user, entry["marketId"], "order_routing"] = entry.get(
                "orderRouting")
    for group in groups:
        shot.update(_rows("risk group limits", group, env.risk_group_limits.get(group, {})))
        shot["risk group credit", group, "", "credit_limit"] = env.risk_group_settings.get(
            group, {}).get("creditLimit")
    return shot


class Watch:
    """Snapshots of one company in one sandbox environment after every write."""

    def __init__(self, sandbox: Sandbox, environment: str, company: int,
                 touched: Touched) -> None:
        self.sandbox, self.environment, self.company = sandbox, environment, company
        self.touched = touched
        self.snapshots: list[tuple[int, Snapshot]] = []

    def __enter__(self) -> Watch:
        self.sandbox.store.on_write = self._taken
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sandbox.store.on_write = None

    def _taken(self, record: WriteRecord) -> None:
        if record.environment == self.environment and record.source != "ui":
            env = self.sandbox.store.env(self.environment)
            self.snapshots.append((record.seq, snapshot(env, self.company, self.touched)))


def looser_than_bounds(before: Snapshot, after: Snapshot,
                       snapshots: list[tuple[int, Snapshot]]) -> list[str]:
    """Each field of each snapshot looser than the looser of its value before and after."""
    found = []
    for seq, shot in snapshots:
        for field in before.keys() | after.keys() | shot.keys():
            old, new, now = (before.get(field, ABSENT), after.get(field, ABSENT),
                             shot.get(field, ABSENT))
            if now in (old, new):  # (no looser than one of the two: the usual case)
                continue
            name = field[-1]
            bound = new if direction((name,), old, new) == "loosening" else old
            if direction((name,), bound, now) == "loosening":
                found.append(f"after write {seq}: {field} was {_shown(now)}, looser than both "
                             f"{_shown(old)} (before) and {_shown(new)} (after)")
    return found


def _shown(value: Any) -> str:
    return "absent" if value is ABSENT else repr(value)

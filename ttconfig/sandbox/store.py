"""The sandbox's data: one firm per TT environment, persisted to a file, plus the write log.

Records are kept in TT's own JSON shapes (shared/tt-contract.md), indexed by id. Every
applied write is saved with an atomic replace (write a temporary file, fsync, rename), so a
crash never leaves a half-written state file, and a restarted sandbox serves what it served.
The write log records every write the sandbox applied, with its requestId, so tests can prove
that a change was applied exactly once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ttconfig.errors import TTConfigError
from ttconfig.files import write_private

Record = dict[str, Any]


class SandboxStateError(TTConfigError):
    """The state file exists but is not a sandbox state."""

# (JSON table name, attribute, key field) of the tables indexed by one id.
_ID_TABLES: tuple[tuple[str, str, str], ...] = (
    ("markets", "markets", "id"),
    ("productFamilies", "families", "id"),
    ("products", "products", "id"),
    ("instruments", "instruments", "id"),
    ("orderTagFields", "order_tag_fields", "fieldId"),
    ("companies", "companies", "id"),
    ("appKeys", "app_keys", "key"),
    ("accounts", "accounts", "id"),
    ("accountLimits", "account_limits", "accountId"),
    ("riskSettings", "risk_settings", "accountId"),
    ("restrictions", "restrictions", "accountId"),
    ("users", "users", "id"),
    ("userLimits", "user_limits", "userId"),
    ("userExchanges", "user_exchanges", "userId"),
    ("userGroups", "user_groups", "id"),
    ("riskGroups", "risk_groups", "id"),
    ("riskGroupLimits", "risk_group_limits", "riskGroupId"),
    ("riskGroupRiskSettings", "risk_group_settings", "riskGroupId"),
    ("orderTagDefaults", "order_tag_defaults", "id"),
    ("productMargins", "product_margins", "id"),
    ("positions", "positions", "accountId"),
    ("creditUsage", "credit_usage", "accountId"),
)

# (JSON table name, attribute, group key, member key) of the membership tables.
_MEMBER_TABLES: tuple[tuple[str, str, str, str], ...] = (
    ("userGroupUsers", "user_group_users", "userGroupId", "userId"),
    ("riskGroupAccounts", "risk_group_accounts", "riskGroupId", "accountId"),
)


@dataclass
class EnvData:
    """All data of one TT environment (every company in it, and its reference data)."""

    next_id: int
    markets: dict[Any, Record] = field(default_factory=dict)
    families: dict[Any, Record] = field(default_factory=dict)
    """Product families (ASSUMED `ttpds productfamilies`, contract §9)."""
    products: dict[Any, Record] = field(default_factory=dict)
    instruments: dict[Any, Record] = field(default_factory=dict)
    order_tag_fields: dict[Any, Record] = field(default_factory=dict)
    companies: dict[Any, Record] = field(default_factory=dict)
    app_keys: dict[Any, Record] = field(default_factory=dict)
    accounts: dict[Any, Record] = field(default_factory=dict)
    account_limits: dict[Any, Record] = field(default_factory=dict)
    risk_settings: dict[Any, Record] = field(default_factory=dict)
    restrictions: dict[Any, Record] = field(default_factory=dict)
    users: dict[Any, Record] = field(default_factory=dict)
    user_limits: dict[Any, Record] = field(default_factory=dict)
    user_exchanges: dict[Any, Record] = field(default_factory=dict)
    """A user's exchange access (ASSUMED, contract §9)."""
    user_groups: dict[Any, Record] = field(default_factory=dict)
    risk_groups: dict[Any, Record] = field(default_factory=dict)
    risk_group_limits: dict[Any, Record] = field(default_factory=dict)
    risk_group_settings: dict[Any, Record] = field(default_factory=dict)
    """A risk group's credit limit and currency (ASSUMED, contract §9)."""
    order_tag_defaults: dict[Any, Record] = field(default_factory=dict)
    product_margins: dict[Any, Record] = field(default_factory=dict)
    positions: dict[Any, Record] = field(default_factory=dict)
    """ttmonitor: an account's positions, `{accountId, instruments: [{instrumentId,
    netPosition, workingBuyQty, workingSellQty}]}` (contract §9, ASSUMED). Per instrument
    only: product and family positions are summed from these when asked."""
    credit_usage: dict[Any, Record] = field(default_factory=dict)
    """ttmonitor: the credit an account uses now, `{accountId, creditUsed}` (none stored:
    0). Its limit is not copied here: it is the account's risk settings' creditLimit."""
    account_users: dict[int, dict[int, Record]] = field(default_factory=dict)
    user_group_users: dict[int, set[int]] = field(default_factory=dict)
    risk_group_accounts: dict[int, set[int]] = field(default_factory=dict)

    def new_id(self) -> int:
        """Allocate a fresh integer id (accounts, users, groups, limit rows, ...)."""
        self.next_id += 1
        return self.next_id

    @classmethod
    def from_json(cls, data: Record) -> EnvData:
        env = cls(next_id=int(data["nextId"]))
        for name, attr, key in _ID_TABLES:
            setattr(env, attr, {row[key]: row for row in data.get(name, [])})
        for name, attr, group, member in _MEMBER_TABLES:
            table: dict[int, set[int]] = {}
            for row in data.get(name, []):
                table.setdefault(row[group], set()).add(row[member])
            setattr(env, attr, table)
        for link in data.get("accountUsers", []):
            rest = {k: v for k, v in link.items() if k not in ("accountId", "userId")}
            env.account_users.setdefault(link["accountId"], {})[link["userId"]] = rest
        return env

    def to_json(self) -> Record:
        data: Record = {"nextId": self.next_id}
        for name, attr, _key in _ID_TABLES:
            data[name] = list(getattr(self, attr).values())
        for name, attr, group, member in _MEMBER_TABLES:
            table: dict[int, set[int]] = getattr(self, attr)
            data[name] = [{group: gid, member: mid}
                          for gid, members in table.items() for mid in sorted(members)]
        data["accountUsers"] = [
            {"accountId": aid, "userId": uid, **link}
            for aid, links in self.account_users.items()
            for uid, link in links.items()
        ]
        return data


@dataclass(frozen=True)
class WriteRecord:
    """One write the sandbox applied."""

    seq: int
    time: str
    environment: str
    method: str
    path: str
    request_id: str | None
    source: str
    """"api" (a client request), "ui" (a simulated edit in TT's web UI) or "late" (a 504 whose
    write landed after the response)."""
    status: int


class SandboxStore:
    """The firms of every environment, their persistence, and the write log.

    All access goes through `lock`: the server thread and test code share the store.
    """

    def __init__(self, data: Record, path: Path | None, seed: Callable[[], Record]) -> None:
        self.lock = threading.RLock()
        self.path = path
        self._seed = seed
        self.seed_version = data.get("seed") if isinstance(data, dict) else None
        self.envs = self._index(data)
        self.write_log: list[WriteRecord] = []
        self.on_write: Callable[[WriteRecord], None] | None = None
        """Called (under the lock) after each write with its record: the state the write
        produced can be looked at before any other request changes it (proof suites)."""

    @classmethod
    def open(cls, path: Path | None, seed: Callable[[], Record],
             seed_version: str | None = None) -> SandboxStore:
        """Load the state file at `path`, or start from the seed (and save it there).

        A state saved from another seed than `seed_version` (an older ttconfig's demo firm)
        is refused rather than served: its reference data and desks are not the ones this
        ttconfig's demo YAML describes, and reseeding silently would lose edits made in it.
        """
        if path is None or not path.exists():
            store = cls(seed(), path, seed)
            store.save()
            return store
        try:
            store = cls(json.loads(path.read_text(encoding="utf-8")), path, seed)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SandboxStateError(
                f"the sandbox state file {path} cannot be used ({exc}); "
                f"`ttconfig sandbox reset --state {path}` rewrites it from the seed") from None
        if seed_version is not None and store.seed_version != seed_version:
            raise SandboxStateError(
                f"the sandbox state file {path} was made by another version of ttconfig's "
                f"demo firm; `ttconfig sandbox reset --state {path}` rewrites it from this "
                "version's (edits made in the sandbox since are lost)")
        return store

    @staticmethod
    def _index(data: Record) -> dict[str, EnvData]:
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("not a version 1 sandbox state")
        return {name: EnvData.from_json(env) for name, env in data["environments"].items()}

    def env(self, name: str) -> EnvData:
        return self.envs[name]

    def reset(self) -> None:
        """Restore the seeded firms and clear the write log."""
        with self.lock:
            seeded = self._seed()
            self.seed_version = seeded.get("seed")
            self.envs = self._index(seeded)
            self.write_log.clear()
            self.save()

    def to_json(self) -> Record:
        return {"version": 1, "seed": self.seed_version,
                "environments": {n: e.to_json() for n, e in self.envs.items()}}

    def save(self) -> None:
        """Persist atomically; a no-op for an in-memory store."""
        if self.path is None:
            return
        with self.lock:
            try:
                write_private(self.path, json.dumps(self.to_json(), separators=(",", ":")))
            except OSError as error:
                raise SandboxStateError(f"cannot write the sandbox state {self.path}: "
                                        f"{error.strerror or error}") from None

    def record_write(
        self, environment: str, method: str, path: str, request_id: str | None, *,
        source: str, status: int,
    ) -> WriteRecord:
        """Append to the write log and persist the state that the write produced."""
        with self.lock:
            record = WriteRecord(
                seq=len(self.write_log) + 1,
                time=datetime.now(UTC).isoformat(timespec="milliseconds"),
                environment=environment, method=method, path=path,
                request_id=request_id, source=source, status=status,
            )
            self.write_log.append(record)
            self.save()
            if self.on_write is not None:
                self.on_write(record)
            return record

    def writes(self) -> list[Record]:
        with self.lock:
            return [asdict(w) for w in self.write_log]

"""Apply a plan: one TT request per step, in the plan's order, with an audit trail.

Before each request an *intent* record is on disk; after it an *outcome* record. When the
client cannot know whether a write landed (`OutcomeUnknown`), apply waits for late commits,
reads the object back, and decides: applied (nothing more to send), or not applied (send
only what is still missing, once). It never resends blind. It stops at the first failure it
cannot resolve; everything before is recorded, and the next plan shows what remains.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ttconfig import __version__
from ttconfig.core.changes import ABSENT, Change
from ttconfig.core.diff import shown_key
from ttconfig.core.plan import Plan, Step
from ttconfig.core.selection import Selection
from ttconfig.live.ids import ACCOUNT_TYPE_IDS, TRADE_MODE_IDS, Ids, UnknownName, limit_row
from ttconfig.live.read import LiveFirm, Names, default_model, margin_model, read_live, scope_of
from ttconfig.models import Firm
from ttconfig.models.checks import fold
from ttconfig.runs.audit import AuditLog, actor, git_commit
from ttconfig.runs.planning import keeper, plan_from
from ttconfig.tt.client import TTClient
from ttconfig.tt.errors import OutcomeUnknown, TTError
from ttconfig.tt.records import (
    AccountUserLink,
    LimitRow,
    OrderPermissions,
    OrderTagDefault,
    Permissions,
    ProductMargin,
)

SETTLE_SECONDS = 2.0
"""Wait before reading back after an unknown outcome: a 504's write may land late."""


def audit_context(firm: Firm, environment: str, plan: Plan) -> dict[str, Any]:
    """What every audit record of this apply says about where and by whom."""
    return {"environment": environment, "tt_environment": firm.environment.tt_environment,
            "actor": actor(), "git_commit": git_commit(Path.cwd()),
            "plan": plan.checksum(), "tool": f"ttconfig {__version__}"}


@dataclass
class ApplyResult:
    done: list[Step] = field(default_factory=list)
    remaining: list[Step] = field(default_factory=list)
    """Steps not applied: the one that failed, and those never sent."""
    failure: str | None = None
    diverged: list[Change] = field(default_factory=list)
    unknown: Step | None = None
    """A step sent without an answer whose read-back failed too: never called "not
    applied", since it may have landed."""
    unverified: str | None = None
    """Why the read-back after the last step failed (every step was applied)."""

    @property
    def exit_code(self) -> int:
        return 1 if self.failure or self.diverged or self.unverified else 0


class Applier:
    """Executes one plan against one TT environment."""

    def __init__(self, tt: TTClient, firm: Firm, environment: str, live: LiveFirm,
                 audit: AuditLog, *, settle_seconds: float = SETTLE_SECONDS,
                 progress: Callable[[int, int], None] | None = None,
                 selection: Selection | None = None) -> None:
        self.tt, self.firm, self.environment, self.live = tt, firm, environment, live
        self.audit = audit
        self.ids = Ids.of(live)
        self.settle_seconds = settle_seconds
        self.progress = progress
        self.scope = scope_of(selection.chosen if selection else firm)
        self.selection = selection
        self._desired = {spec: {fold(shown_key(m.key())): m for m in getattr(firm, spec)}
                         for spec in ("accounts", "users", "user_groups", "risk_groups",
                                      "product_margins", "order_tag_defaults")}

    async def apply(self, plan: Plan) -> ApplyResult:
        result = ApplyResult()
        steps = list(plan.steps)
        try:
            await self._load_instruments()
        except TTError as error:
            result.failure, result.remaining = str(error), steps
            return result
        for index, step in enumerate(steps):
            try:
                await self._run(step, plan)
            except _Unresolved as unresolved:
                result.failure = str(unresolved.error)
                result.unknown = step
                result.remaining = steps[index + 1:]
                return result
            except TTError as error:
                result.failure = str(error)
                result.remaining = steps[index:]
                return result
            result.done.append(step)
            if self.progress is not None:
                self.progress(index + 1, len(steps))
        try:
            result.diverged = await self._verify()
        except TTError as error:  # every write went through: say so, and what is not known
            result.unverified = str(error)
        return result

    async def _load_instruments(self) -> None:
        wanted = {self.ids.product(r["market"], r["product"], r.get("type", "future"))[0]
                  for owner in (*self.firm.accounts, *self.firm.users, *self.firm.risk_groups)
                  for r in _rows(owner.declared(), "contracts")}
        have = {product for product, _ in self.ids.instruments}
        for product_id in sorted(wanted - have):
            for instrument in await self.tt.reference.instruments(product_id):
                self.ids.instruments[(product_id, fold(instrument.alias))] = instrument.id

    async def _run(self, step: Step, plan: Plan) -> None:
        change = next(c for c in plan.changes if c.kind == step.kind and (
            c.key == step.key or c.key.startswith(f"{step.key} ↔ ")))
        intent = self.audit.append("intent", plan=plan.checksum(), kind=step.kind,
                                   key=step.key, operation=step.operation,
                                   items=list(step.items), direction=step.direction,
                                   changes=_field_data(change))
        if await self._send(step, intent["hash"]) is not None:
            await self._resolve(step, plan, intent["hash"])

    async def _send(self, step: Step, intent: str, **extra: Any) -> OutcomeUnknown | None:
        """Send one step and record its outcome: None when applied, the error when there
        was no answer (unknown). A refusal is recorded as failed and raised."""
        try:
            await self._execute_named(step)
        except OutcomeUnknown as unknown:
            self.audit.append("outcome", intent=intent, outcome="unknown",
                              method=unknown.method, path=unknown.path,
                              request_id=unknown.request_id, status=unknown.status, **extra)
            return unknown
        except TTError as error:
            self.audit.append("outcome", intent=intent, outcome="failed",
                              method=error.method, path=error.path,
                              request_id=error.request_id, status=error.status,
                              message=error.message, **extra)
            raise
        self.audit.append("outcome", intent=intent, outcome="applied",
                          **self._last_request(), **extra)
        return None

    def _last_request(self) -> dict[str, Any]:
        method, path = self.tt.http.last_request or ("-", "-")
        return {"method": method, "path": path, "request_id": self.tt.http.last_request_id}

    async def _resolve(self, step: Step, plan: Plan, intent: str) -> None:
        """Read back after an unknown outcome; send only what is missing, once. When the
        read-back fails, or the one resend gets no answer either, the step stays unknown
        (_Unresolved): it may have landed, so it is never reported as not applied."""
        await asyncio.sleep(self.settle_seconds)
        try:
            self.live = await read_live(self.tt, self.scope)
            self.ids = Ids.of(self.live)
            await self._load_instruments()
        except TTError as error:
            raise _Unresolved(error) from None
        keep = keeper(self.selection, self.live)
        missing = _pending(plan_from(self.firm, self.environment, self.live, keep), step)
        if missing is None:
            self.audit.append("outcome", intent=intent, outcome="applied",
                              resolved_by="read back")
            return
        self.audit.append("outcome", intent=intent, outcome="not applied",
                          resolved_by="read back", resend=list(missing.items))
        if (again := await self._send(missing, intent, resent=True)) is not None:
            raise _Unresolved(again)

    async def _verify(self) -> list[Change]:
        """Read back and re-plan: anything left is reported as diverged, never re-applied."""
        self.live = await read_live(self.tt, self.scope)
        leftover = plan_from(self.firm, self.environment, self.live,
                             keeper(self.selection, self.live))
        for change in leftover.changes:
            self.audit.append("diverged", kind=change.kind, key=change.key)
        return list(leftover.changes)

    # --- one step, one request -------------------------------------------------------------

    async def _execute_named(self, step: Step) -> None:
        """Execute a step; a name that resolves to no TT object stops apply cleanly."""
        try:
            await self._execute(step)
        except KeyError as missing:
            raise TTError(f"{step.operation} {step.key}: {missing} does not exist in TT "
                          "(changed since the plan was made?)", method="-", path="-") from None

    async def _execute(self, step: Step) -> None:
        operation = step.operation
        if step.kind in ("accounts", "users", "risk_groups") and "limit row" in operation:
            await self._limits(step)
        elif step.kind == "accounts":
            await self._account(step)
        elif step.kind == "users":
            await self._user(step)
        elif step.kind == "links":
            await self._links(step)
        elif step.kind == "user_groups":
            await self._user_group(step)
        elif step.kind == "risk_groups":
            await self._risk_group(step)
        elif step.kind == "product_margins":
            await self._margin(step)
        elif step.kind == "order_tag_defaults":
            await self._default(step)
        else:
            raise NotImplementedError(f"no way to apply {step.kind} {operation}")

    def _want(self, kind: str, key: str) -> dict[str, Any]:
        model = self._desired[kind].get(fold(key))
        return {} if model is None else model.declared()

    async def _account(self, step: Step) -> None:
        want, accounts = self._want("accounts", step.key), self.tt.accounts
        account_id = self.ids.accounts.get(fold(step.key))
        if step.operation == "create account":
            parent = want.get("parent")
            created = await accounts.create(
                name=want["name"], account_type=ACCOUNT_TYPE_IDS[want["type"]],
                parent_id=None if parent is None else self.ids.accounts[fold(parent)],
                description=want.get("description"))
            self.ids.accounts[fold(created.name)] = created.id
        elif step.operation == "update account":
            changes = {"name": want.get("name"), "description": want.get("description")}
            if "parent" in want:
                changes["parent_id"] = (None if want["parent"] is None
                                        else self.ids.accounts[fold(want["parent"])])
            await accounts.update(_id(account_id), {k: v for k, v in changes.items()
                                                    if k == "parent_id" or v is not None})
        elif step.operation == "update risk settings":
            await accounts.update_risk_settings(_id(account_id), {
                name: want["risk_settings"][name] for name in step.items})
        elif step.operation == "update restrictions":
            await accounts.update_restrictions(_id(account_id), {
                name: want["restrictions"][name] for name in step.items})
        elif step.operation == "delete account":
            await accounts.delete(_id(account_id))

    async def _limits(self, step: Step) -> None:
        owner_id = getattr(self.ids, step.kind)[fold(step.key)]
        api: Any = {"accounts": self.tt.accounts, "users": self.tt.users,
                    "risk_groups": self.tt.risk_groups}[step.kind]
        live_rows = self._live_limits(step.kind, step.key)
        if step.operation == "delete limit row":
            (row_key,) = step.items
            row = live_rows[row_key]
            await api.delete_limit(owner_id, _id(row.id))
            return
        want = self._want(step.kind, step.key).get("limits", {})
        declared = {_row_key(r): r for r in [*_rows(want, "products"),
                                              *_rows(want, "contracts")]}
        rows = [limit_row(self.ids, declared[item], live_rows.get(item))
                for item in step.items if item in declared]
        if step.kind == "accounts" and "apply" in want:
            await api.upsert_limits(owner_id, rows, apply_limits=want["apply"])
        else:
            await api.upsert_limits(owner_id, rows)

    def _live_limits(self, kind: str, key: str) -> dict[str, LimitRow]:
        """The owner's live rows by their name in the YAML ("CME ES future [alias]")."""
        names = Names(self.live)
        sets = {"accounts": [(a.account.name, a.limits) for a in self.live.accounts],
                "users": [(u.email, u.limits) for u in self.live.users],
                "risk_groups": [(g.name, lim) for g, _, lim in self.live.risk_groups]}[kind]
        limits = next((lim for name, lim in sets if fold(name) == fold(key)), None)
        if limits is None:
            return {}
        return {" ".join(names.scope(row).values()): row
                for row in (*limits.product_limits, *limits.contract_limits)}

    async def _user(self, step: Step) -> None:
        want, users = self._want("users", step.key), self.tt.users
        user_id = self.ids.users.get(fold(step.key))
        if step.operation == "create user":
            missing = [k for k in ("first_name", "last_name", "trade_mode") if k not in want]
            if missing:
                raise UnknownName(f"creating user {step.key} needs {', '.join(missing)} "
                                  "in users.yaml")
            created = await users.create(
                email=want["email"], first_name=want["first_name"],
                last_name=want["last_name"], trade_mode=TRADE_MODE_IDS[want["trade_mode"]],
                alias=want.get("alias"), settings=want.get("settings"))
            self.ids.users[fold(created.email)] = created.id
            if want.get("active") is False:
                await users.deactivate(created.id)
        elif step.operation == "deactivate user":
            await users.deactivate(_id(user_id))
        else:
            changes: dict[str, Any] = {name.split(".")[0]: want.get(name.split(".")[0])
                                       for name in step.items}
            if "trade_mode" in changes:
                changes["trade_mode"] = TRADE_MODE_IDS[changes["trade_mode"]]
            await users.update(_id(user_id), changes)

    async def _links(self, step: Step) -> None:
        account_id = self.ids.accounts[fold(step.key.partition(" ↔ ")[0])]
        if step.operation == "unlink user":
            user = step.key.partition(" ↔ ")[2]
            await self.tt.accounts.unlink_user(account_id, self.ids.users[fold(user)])
            return
        live_links = {link.user_id: link for a in self.live.accounts
                      if a.account.id == account_id for link in a.links or []}
        declared = _declared_links(self.firm, step.key)
        links = []
        for user in step.items:
            user_id = self.ids.users[fold(user)]
            current = live_links.get(user_id)
            parts = declared.get(fold(user), {})
            links.append(AccountUserLink(
                account_id=account_id, user_id=user_id,
                order_permissions=_merged(OrderPermissions, current and
                                          current.order_permissions,
                                          parts.get("order_permissions", {})),
                permissions=_merged(Permissions, current and current.permissions,
                                    parts.get("permissions", {}))))
        await self.tt.accounts.link_users(account_id, links)

    async def _user_group(self, step: Step) -> None:
        groups, want = self.tt.user_groups, self._want("user_groups", step.key)
        group_id = self.ids.user_groups.get(fold(step.key))
        if step.operation == "create user group":
            created = await groups.create(want["name"])
            self.ids.user_groups[fold(created.name)] = created.id
        elif step.operation == "update user group":
            await groups.rename(_id(group_id), want["name"])
        elif step.operation == "add members":
            await groups.add_users(_id(group_id), [self.ids.users[fold(u)] for u in step.items])
        elif step.operation == "remove member":
            await groups.remove_user(_id(group_id), self.ids.users[fold(step.items[0])])
        elif step.operation == "delete user group":
            await groups.delete(_id(group_id))

    async def _risk_group(self, step: Step) -> None:
        groups, want = self.tt.risk_groups, self._want("risk_groups", step.key)
        group_id = self.ids.risk_groups.get(fold(step.key))
        if step.operation == "create risk group":
            created = await groups.create(want["name"], want.get("description"))
            self.ids.risk_groups[fold(created.name)] = created.id
        elif step.operation == "update risk group":
            await groups.update(_id(group_id), name=want.get("name"),
                                description=want.get("description"))
        elif step.operation == "add members":
            await groups.add_accounts(_id(group_id),
                                      [self.ids.accounts[fold(a)] for a in step.items])
        elif step.operation == "remove member":
            await groups.remove_account(_id(group_id), self.ids.accounts[fold(step.items[0])])
        elif step.operation == "delete risk group":
            await groups.delete(_id(group_id))

    async def _margin(self, step: Step) -> None:
        setup = self.tt.setup
        names = Names(self.live)
        live = {fold(shown_key(margin_model(names, m).key())): m for m in self.live.margins}
        if step.operation == "delete product margin":
            await setup.delete_product_margin(self.ids.company, _id(live[fold(step.key)].id))
            return
        want = self._want("product_margins", step.key)
        product_id, market_id, type_id = self.ids.product(want["market"], want["product"],
                                                          want.get("type", "future"))
        await setup.upsert_product_margins(self.ids.company, [ProductMargin(
            id=None, market_id=market_id, product_type_id=type_id, product_id=product_id,
            currency=want["currency"], outright_margin=want["outright_margin"],
            spread_margin=want["spread_margin"])])

    async def _default(self, step: Step) -> None:
        setup = self.tt.setup
        names = Names(self.live)
        live = {fold(shown_key(default_model(names, d).key())): d for d in self.live.defaults}
        existing = live.get(fold(step.key))
        if step.operation == "delete order tag default":
            await setup.delete_order_tag_default(_id(existing.id if existing else None))
            return
        want = self._want("order_tag_defaults", step.key)
        if existing is not None:
            await setup.update_order_tag_default(_id(existing.id), want["value"])
            return
        market_id = self.ids.market(want["market"])
        await setup.create_order_tag_defaults([OrderTagDefault(
            id=None, market_id=market_id,
            field_id=self.ids.fields[(fold(want["market"]), fold(want["field"]))],
            account_id=self.ids.accounts[fold(want["account"])] if "account" in want else None,
            user_id=self.ids.users[fold(want["user"])] if "user" in want else None,
            value=want["value"])])


def _rows(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    limits = data.get("limits") if "limits" in data else data
    rows = (limits or {}).get(name, [])
    return [r for r in rows if isinstance(r, dict)]


def _row_key(row: dict[str, Any]) -> str:
    parts = [row["market"], row["product"], row.get("type", "future")]
    if "contract" in row:
        parts.append(row["contract"])
    return " ".join(parts)


def _id(value: int | None) -> int:
    if value is None:
        raise TTError("an object the plan needs does not exist in TT (changed since the "
                      "plan was made?)", method="-", path="-")
    return value


def _merged(record: type[Any], current: Any, declared: dict[str, Any]) -> Any:
    names = record.__dataclass_fields__
    base = {name: False for name in names} if current is None else {
        name: getattr(current, name) for name in names}
    return record(**{**base, **{k: v for k, v in declared.items() if k in names}})


def _declared_links(firm: Firm, key: str) -> dict[str, dict[str, Any]]:
    account = fold(key.partition(" ↔ ")[0]) if " ↔ " in key else fold(key)
    links: dict[str, dict[str, Any]] = {}
    for model in firm.accounts:
        data = model.declared()
        if fold(data["name"]) == account:
            links.update({fold(link["user"]): link for link in data.get("users", [])})
    for user in firm.users:
        data = user.declared()
        for link in data.get("accounts", []):
            if fold(link["account"]) == account:
                links[fold(data["email"])] = link
    return links


class _Unresolved(Exception):
    """A step's outcome stays unknown: TT did not answer and could not be read back."""

    def __init__(self, error: TTError) -> None:
        super().__init__(str(error))
        self.error = error


def _field_data(change: Change) -> list[dict[str, Any]]:
    return [{"path": list(f.path), "old": "(absent)" if f.old is ABSENT else f.old,
             "new": "(absent)" if f.new is ABSENT else f.new, "direction": f.direction}
            for f in change.fields][:200]


def _pending(plan: Plan, step: Step) -> Step | None:
    """What of `step` a fresh plan still wants (None: the step is fully applied).

    Only the step's own items count. A plan may hold several steps of one operation on one
    object (tightened restrictions early, loosened ones late; batches of 20): another step's
    items still pending say nothing about this one, and sending them here would write them
    twice."""
    same = (step.kind, step.key, step.operation)
    wanted = {item for c in plan.steps if (c.kind, c.key, c.operation) == same
              for item in c.items}
    items = tuple(item for item in step.items if item in wanted)
    if not items:
        return None
    return Step(step.kind, step.key, step.operation, items, step.direction, step.phase,
                step.depth)
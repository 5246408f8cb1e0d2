"""One TT request per plan step: a writer per (kind, operation), in one table.

The protocol around a write (intent and outcome records, read-back, resend once, verify)
is `applier.py`'s; a writer only turns one step into one TT call. It finds its object by
the step's typed key in the desired `State` and names in TT through `Ids`, never by
parsing display text. Adding a kind or an operation is one writer and one table entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ttconfig.core.plan import Step
from ttconfig.core.state import Key, State
from ttconfig.live.ids import ACCOUNT_TYPE_IDS, TRADE_MODE_IDS, Ids, UnknownName, limit_row
from ttconfig.live.read import LiveFirm, Names, default_model, margin_model
from ttconfig.models import Firm, Kind, Operation
from ttconfig.models.checks import fold
from ttconfig.tt.client import TTClient
from ttconfig.tt.errors import TTError
from ttconfig.tt.records import (
    AccountUserLink,
    LimitRow,
    OrderPermissions,
    OrderTagDefault,
    Permissions,
    ProductMargin,
)


@dataclass
class Writes:
    """What every writer works with. `live` and `ids` are replaced after a read-back."""

    tt: TTClient
    firm: Firm
    desired: State
    live: LiveFirm
    ids: Ids

    def want(self, step: Step, kind: Kind | None = None) -> dict[str, Any]:
        """What the YAML declares of the step's object (only the managed fields)."""
        model = self.desired.get(kind or step.kind, step.key)
        return {} if model is None else model.declared()


Writer = Callable[[Writes, Step], Awaitable[None]]


def _id(value: int | None) -> int:
    if value is None:
        raise TTError("an object the plan needs does not exist in TT (changed since the "
                      "plan was made?)", method="-", path="-")
    return value


# --- accounts ------------------------------------------------------------------------------

async def create_account(w: Writes, step: Step) -> None:
    want = w.want(step)
    parent = want.get("parent")
    created = await w.tt.accounts.create(
        name=want["name"], account_type=ACCOUNT_TYPE_IDS[want["type"]],
        parent_id=None if parent is None else w.ids.accounts[fold(parent)],
        description=want.get("description"))
    w.ids.accounts[fold(created.name)] = created.id


async def update_account(w: Writes, step: Step) -> None:
    want = w.want(step)
    changes = {"name": want.get("name"), "description": want.get("description")}
    if "parent" in want:
        changes["parent_id"] = (None if want["parent"] is None
                                else w.ids.accounts[fold(want["parent"])])
    await w.tt.accounts.update(_account_id(w, step), {
        k: v for k, v in changes.items() if k == "parent_id" or v is not None})


async def update_risk_settings(w: Writes, step: Step) -> None:
    settings = w.want(step)["risk_settings"]
    await w.tt.accounts.update_risk_settings(_account_id(w, step), {
        name: settings[name] for name in step.items})


async def update_restrictions(w: Writes, step: Step) -> None:
    restrictions = w.want(step)["restrictions"]
    await w.tt.accounts.update_restrictions(_account_id(w, step), {
        name: restrictions[name] for name in step.items})


async def delete_account(w: Writes, step: Step) -> None:
    await w.tt.accounts.delete(_account_id(w, step))


def _account_id(w: Writes, step: Step) -> int:
    return _id(w.ids.accounts.get(fold(step.key.name)))


# --- limit rows (accounts, users, risk groups) -----------------------------------------------

def _limits_api(w: Writes, kind: Kind) -> Any:
    return {Kind.ACCOUNTS: w.tt.accounts, Kind.USERS: w.tt.users,
            Kind.RISK_GROUPS: w.tt.risk_groups}[kind]


def _owner_id(w: Writes, step: Step) -> int:
    ids: dict[str, int] = getattr(w.ids, step.kind.value)
    return ids[fold(step.key.name)]


async def upsert_limit_rows(w: Writes, step: Step) -> None:
    live_rows = _live_limits(w, step.kind, step.key)
    want = w.want(step).get("limits", {})
    declared = {_row_key(r): r for r in [*rows_of(want, "products"), *rows_of(want, "contracts")]}
    rows = [limit_row(w.ids, declared[item], live_rows.get(item))
            for item in step.items if item in declared]
    api = _limits_api(w, step.kind)
    if step.kind is Kind.ACCOUNTS and "apply" in want:
        await api.upsert_limits(_owner_id(w, step), rows, apply_limits=want["apply"])
    else:
        await api.upsert_limits(_owner_id(w, step), rows)


async def delete_limit_row(w: Writes, step: Step) -> None:
    (row_key,) = step.items
    row = _live_limits(w, step.kind, step.key)[row_key]
    await _limits_api(w, step.kind).delete_limit(_owner_id(w, step), _id(row.id))


def _live_limits(w: Writes, kind: Kind, key: Key) -> dict[str, LimitRow]:
    """The owner's live rows by their name in the YAML ("CME ES future [alias]")."""
    names = Names(w.live)
    sets = {Kind.ACCOUNTS: [(a.account.name, a.limits) for a in w.live.accounts],
            Kind.USERS: [(u.email, u.limits) for u in w.live.users],
            Kind.RISK_GROUPS: [(g.name, lim) for g, _, lim in w.live.risk_groups]}[kind]
    limits = next((lim for name, lim in sets if fold(name) == key.folded[0]), None)
    if limits is None:
        return {}
    return {" ".join(names.scope(row).values()): row
            for row in (*limits.product_limits, *limits.contract_limits)}


def rows_of(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The declared limit rows of one list ("products", "contracts") of an owner's data."""
    limits = data.get("limits") if "limits" in data else data
    rows = (limits or {}).get(name, [])
    return [r for r in rows if isinstance(r, dict)]


def _row_key(row: dict[str, Any]) -> str:
    parts = [row["market"], row["product"], row.get("type", "future")]
    if "contract" in row:
        parts.append(row["contract"])
    return " ".join(parts)


# --- users -----------------------------------------------------------------------------------

async def create_user(w: Writes, step: Step) -> None:
    want, users = w.want(step), w.tt.users
    missing = [k for k in ("first_name", "last_name", "trade_mode") if k not in want]
    if missing:
        raise UnknownName(f"creating user {step.key} needs {', '.join(missing)} "
                          "in users.yaml")
    created = await users.create(
        email=want["email"], first_name=want["first_name"], last_name=want["last_name"],
        trade_mode=TRADE_MODE_IDS[want["trade_mode"]], alias=want.get("alias"),
        settings=want.get("settings"))
    w.ids.users[fold(created.email)] = created.id
    if want.get("active") is False:
        await users.deactivate(created.id)


async def update_user(w: Writes, step: Step) -> None:
    want = w.want(step)
    fields = dict.fromkeys(item.split(".")[0] for item in step.items)
    changes: dict[str, Any] = {name: want.get(name) for name in fields}
    if "trade_mode" in changes:
        changes["trade_mode"] = TRADE_MODE_IDS[changes["trade_mode"]]
    await w.tt.users.update(_user_id(w, step), changes)


async def deactivate_user(w: Writes, step: Step) -> None:
    await w.tt.users.deactivate(_user_id(w, step))


def _user_id(w: Writes, step: Step) -> int:
    return _id(w.ids.users.get(fold(step.key.name)))


# --- account↔user links ----------------------------------------------------------------------

async def link_users(w: Writes, step: Step) -> None:
    """Link (or update) the step's users on its account, each link's permissions merged
    over what TT has (a permission the YAML leaves out stays as it is)."""
    account_id = w.ids.accounts[fold(step.key.name)]
    live_links = {link.user_id: link for a in w.live.accounts
                  if a.account.id == account_id for link in a.links or []}
    declared = _declared_links(w.firm, step.key.name)
    links = []
    for user in step.items:
        user_id = w.ids.users[fold(user)]
        current = live_links.get(user_id)
        parts = declared.get(fold(user), {})
        links.append(AccountUserLink(
            account_id=account_id, user_id=user_id,
            order_permissions=_merged(OrderPermissions, current and current.order_permissions,
                                      parts.get("order_permissions", {})),
            permissions=_merged(Permissions, current and current.permissions,
                                parts.get("permissions", {}))))
    await w.tt.accounts.link_users(account_id, links)


async def unlink_user(w: Writes, step: Step) -> None:
    account, user = step.key.parts
    await w.tt.accounts.unlink_user(w.ids.accounts[fold(str(account))],
                                    w.ids.users[fold(str(user))])


def _merged(record: type[Any], current: Any, declared: dict[str, Any]) -> Any:
    names = record.__dataclass_fields__
    base = {name: False for name in names} if current is None else {
        name: getattr(current, name) for name in names}
    return record(**{**base, **{k: v for k, v in declared.items() if k in names}})


def _declared_links(firm: Firm, account_name: str) -> dict[str, dict[str, Any]]:
    """The account's declared links by folded user, from either side of the YAML."""
    account = fold(account_name)
    links: dict[str, dict[str, Any]] = {}
    for model in firm.accounts:
        if fold(model.name) == account:
            data = model.declared()
            links.update({fold(link["user"]): link for link in data.get("users", [])})
    for user in firm.users:
        data = user.declared()
        for link in data.get("accounts", []):
            if fold(link["account"]) == account:
                links[fold(data["email"])] = link
    return links


# --- user groups and risk groups -------------------------------------------------------------

async def create_user_group(w: Writes, step: Step) -> None:
    created = await w.tt.user_groups.create(w.want(step)["name"])
    w.ids.user_groups[fold(created.name)] = created.id


async def rename_user_group(w: Writes, step: Step) -> None:
    await w.tt.user_groups.rename(_group_id(w, step), w.want(step)["name"])


async def add_group_users(w: Writes, step: Step) -> None:
    await w.tt.user_groups.add_users(_group_id(w, step),
                                     [w.ids.users[fold(u)] for u in step.items])


async def remove_group_user(w: Writes, step: Step) -> None:
    await w.tt.user_groups.remove_user(_group_id(w, step), w.ids.users[fold(step.items[0])])


async def delete_user_group(w: Writes, step: Step) -> None:
    await w.tt.user_groups.delete(_group_id(w, step))


async def create_risk_group(w: Writes, step: Step) -> None:
    want = w.want(step)
    created = await w.tt.risk_groups.create(want["name"], want.get("description"))
    w.ids.risk_groups[fold(created.name)] = created.id


async def update_risk_group(w: Writes, step: Step) -> None:
    want = w.want(step)
    await w.tt.risk_groups.update(_group_id(w, step), name=want.get("name"),
                                  description=want.get("description"))


async def add_group_accounts(w: Writes, step: Step) -> None:
    await w.tt.risk_groups.add_accounts(_group_id(w, step),
                                        [w.ids.accounts[fold(a)] for a in step.items])


async def remove_group_account(w: Writes, step: Step) -> None:
    await w.tt.risk_groups.remove_account(_group_id(w, step),
                                          w.ids.accounts[fold(step.items[0])])


async def delete_risk_group(w: Writes, step: Step) -> None:
    await w.tt.risk_groups.delete(_group_id(w, step))


def _group_id(w: Writes, step: Step) -> int:
    ids: dict[str, int] = getattr(w.ids, step.kind.value)
    return _id(ids.get(fold(step.key.name)))


# --- company items: product margins and order-tag defaults -----------------------------------

async def upsert_margin(w: Writes, step: Step) -> None:
    want = w.want(step)
    product_id, market_id, type_id = w.ids.product(want["market"], want["product"],
                                                   want.get("type", "future"))
    await w.tt.setup.upsert_product_margins(w.ids.company, [ProductMargin(
        id=None, market_id=market_id, product_type_id=type_id, product_id=product_id,
        currency=want["currency"], outright_margin=want["outright_margin"],
        spread_margin=want["spread_margin"])])


async def delete_margin(w: Writes, step: Step) -> None:
    names = Names(w.live)
    live = {Key.of(margin_model(names, m).key()).folded: m for m in w.live.margins}
    await w.tt.setup.delete_product_margin(w.ids.company, _id(live[step.key.folded].id))


async def set_default(w: Writes, step: Step) -> None:
    existing = _live_default(w, step)
    want = w.want(step)
    if existing is not None:
        await w.tt.setup.update_order_tag_default(_id(existing.id), want["value"])
        return
    await w.tt.setup.create_order_tag_defaults([OrderTagDefault(
        id=None, market_id=w.ids.market(want["market"]),
        field_id=w.ids.fields[(fold(want["market"]), fold(want["field"]))],
        account_id=w.ids.accounts[fold(want["account"])] if "account" in want else None,
        user_id=w.ids.users[fold(want["user"])] if "user" in want else None,
        value=want["value"])])


async def delete_default(w: Writes, step: Step) -> None:
    existing = _live_default(w, step)
    await w.tt.setup.delete_order_tag_default(_id(existing.id if existing else None))


def _live_default(w: Writes, step: Step) -> Any:
    names = Names(w.live)
    live = {Key.of(default_model(names, d).key()).folded: d for d in w.live.defaults}
    return live.get(step.key.folded)


WRITERS: dict[tuple[Kind, Operation], Writer] = {
    (Kind.ACCOUNTS, Operation.CREATE): create_account,
    (Kind.ACCOUNTS, Operation.UPDATE): update_account,
    (Kind.ACCOUNTS, Operation.UPDATE_RISK_SETTINGS): update_risk_settings,
    (Kind.ACCOUNTS, Operation.UPDATE_RESTRICTIONS): update_restrictions,
    (Kind.ACCOUNTS, Operation.DELETE): delete_account,
    (Kind.ACCOUNTS, Operation.UPSERT_LIMIT_ROWS): upsert_limit_rows,
    (Kind.ACCOUNTS, Operation.DELETE_LIMIT_ROW): delete_limit_row,
    (Kind.USERS, Operation.CREATE): create_user,
    (Kind.USERS, Operation.UPDATE): update_user,
    (Kind.USERS, Operation.DEACTIVATE): deactivate_user,
    (Kind.USERS, Operation.UPSERT_LIMIT_ROWS): upsert_limit_rows,
    (Kind.USERS, Operation.DELETE_LIMIT_ROW): delete_limit_row,
    (Kind.LINKS, Operation.LINK_USERS): link_users,
    (Kind.LINKS, Operation.UNLINK_USER): unlink_user,
    (Kind.USER_GROUPS, Operation.CREATE): create_user_group,
    (Kind.USER_GROUPS, Operation.UPDATE): rename_user_group,
    (Kind.USER_GROUPS, Operation.ADD_MEMBERS): add_group_users,
    (Kind.USER_GROUPS, Operation.REMOVE_MEMBER): remove_group_user,
    (Kind.USER_GROUPS, Operation.DELETE): delete_user_group,
    (Kind.RISK_GROUPS, Operation.CREATE): create_risk_group,
    (Kind.RISK_GROUPS, Operation.UPDATE): update_risk_group,
    (Kind.RISK_GROUPS, Operation.ADD_MEMBERS): add_group_accounts,
    (Kind.RISK_GROUPS, Operation.REMOVE_MEMBER): remove_group_account,
    (Kind.RISK_GROUPS, Operation.DELETE): delete_risk_group,
    (Kind.RISK_GROUPS, Operation.UPSERT_LIMIT_ROWS): upsert_limit_rows,
    (Kind.RISK_GROUPS, Operation.DELETE_LIMIT_ROW): delete_limit_row,
    (Kind.PRODUCT_MARGINS, Operation.UPSERT_ITEM): upsert_margin,
    (Kind.PRODUCT_MARGINS, Operation.DELETE): delete_margin,
    (Kind.ORDER_TAG_DEFAULTS, Operation.UPSERT_ITEM): set_default,
    (Kind.ORDER_TAG_DEFAULTS, Operation.DELETE): delete_default,
}
"""Every (kind, operation) a plan can hold, and the one TT call that carries it out."""


async def write(w: Writes, step: Step) -> None:
    """Carry out one step; a name that resolves to no TT object stops apply cleanly."""
    writer = WRITERS.get((step.kind, step.op))
    if writer is None:
        raise NotImplementedError(f"no way to apply {step.kind} {step.operation}")
    try:
        await writer(w, step)
    except KeyError as missing:
        raise TTError(f"{step.operation} {step.key}: {missing} does not exist in TT "
                      "(changed since the plan was made?)", method="-", path="-") from None

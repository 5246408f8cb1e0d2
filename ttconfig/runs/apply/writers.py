"""One TT request per plan step: a writer per (kind, operation), in one table.

The protocol around a write (intent and outcome records, read-back, resend once, verify)
is `applier.py`'s; a writer only turns one step into one TT call. It finds its object by
the step's typed key in the desired `State` and names in TT through `Ids`, never by
parsing display text. Adding a kind or an operation is one writer and one table entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from ttconfig.core.diff import row_name
from ttconfig.core.plan import Step
from ttconfig.core.state import Key, State
from ttconfig.live.ids import (
    ACCOUNT_TYPE_IDS,
    TRADE_MODE_IDS,
    TYPE_IDS,
    Ids,
    UnknownName,
    limit_row,
)
from ttconfig.live.read import LiveFirm, Names, default_model, margin_model
from ttconfig.models import Firm, Kind, Operation
from ttconfig.models.accounts import Account, RiskSettings
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.groups import RiskGroup, UserGroup
from ttconfig.models.limits import AccountLimits, InterProductLimit, Limits, ProductLimit
from ttconfig.models.permissions import Link
from ttconfig.models.setup import OrderTagDefault, ProductMargin
from ttconfig.models.users import User
from ttconfig.tt.adapters.ttaccount import AccountsApi
from ttconfig.tt.adapters.ttgroup import RiskGroupsApi
from ttconfig.tt.adapters.ttuser import UsersApi
from ttconfig.tt.client import TTClient
from ttconfig.tt.errors import TTError
from ttconfig.tt.records import (
    AccountUserLink,
    InterProductRow,
    LimitRow,
    OrderPermissions,
    Permissions,
)
from ttconfig.tt.records import ExchangeAccess as ExchangeRecord
from ttconfig.tt.records import OrderTagDefault as DefaultRecord
from ttconfig.tt.records import ProductMargin as MarginRecord


@dataclass
class Writes:
    """What every writer works with. `live` and `ids` are replaced after a read-back."""

    tt: TTClient
    firm: Firm
    desired: State
    live: LiveFirm
    ids: Ids

    def model(self, step: Step, model: type[M]) -> M:
        """The step's object as the YAML declares it."""
        found = self.desired.find(step.kind, step.key)
        if not isinstance(found, model):
            raise TTError(f"{step.operation} {step.key}: not declared in the YAML (changed "
                          "since the plan was made?)", method="-", path="-")
        return found


Writer = Callable[[Writes, Step], Awaitable[None]]
M = TypeVar("M", bound=Model)


def _id(value: int | None) -> int:
    if value is None:
        raise TTError("an object the plan needs does not exist in TT (changed since the "
                      "plan was made?)", method="-", path="-")
    return value


# --- accounts ------------------------------------------------------------------------------

async def create_account(w: Writes, step: Step) -> None:
    account = w.model(step, Account)
    created = await w.tt.accounts.create(
        name=account.name, account_type=ACCOUNT_TYPE_IDS[account.type],
        parent_id=_parent_id(w, account), description=account.description,
        order_cross_prevention=account.order_cross_prevention)
    w.ids.accounts[fold(created.name)] = created.id


async def update_account(w: Writes, step: Step) -> None:
    account = w.model(step, Account)
    changes: dict[str, str | int | None] = {
        k: v for k, v in (("name", account.name), ("description", account.description),
                          ("order_cross_prevention", account.order_cross_prevention))
        if v is not None}
    if "parent" in account.managed():
        changes["parent_id"] = _parent_id(w, account)
    await w.tt.accounts.update(_account_id(w, step), changes)


def _parent_id(w: Writes, account: Account) -> int | None:
    return None if account.parent is None else w.ids.accounts[fold(account.parent)]


async def update_risk_settings(w: Writes, step: Step) -> None:
    settings = w.model(step, Account).risk_settings or RiskSettings()
    # Items are field paths: a field's name, "credit_loss_actions.<action>", and
    # "algo_parent_limits.<order type>.<check>" for the two nested parts.
    paths = [tuple(item.split(".")) for item in step.items]
    parents = settings.algo_parent_limits
    await w.tt.accounts.update_risk_settings(
        _account_id(w, step), {p[0]: getattr(settings, p[0]) for p in paths if len(p) == 1},
        loss_actions={p[1]: getattr(settings.credit_loss_actions, p[1])
                      for p in paths if p[0] == "credit_loss_actions"},
        parent_limits={(p[1], p[2]): getattr(getattr(parents, p[1]), p[2])
                       for p in paths if p[0] == "algo_parent_limits"})


async def update_restrictions(w: Writes, step: Step) -> None:
    restrictions = w.model(step, Account).restrictions
    await w.tt.accounts.update_restrictions(_account_id(w, step), {
        name: getattr(restrictions, name) for name in step.items})


async def delete_account(w: Writes, step: Step) -> None:
    await w.tt.accounts.delete(_account_id(w, step))


def _account_id(w: Writes, step: Step) -> int:
    return _id(w.ids.accounts.get(fold(step.key.name)))


# --- limit rows (accounts, users, risk groups) -----------------------------------------------

def _limits_api(w: Writes, kind: Kind) -> AccountsApi | UsersApi | RiskGroupsApi:
    if kind is Kind.ACCOUNTS:
        return w.tt.accounts
    return w.tt.users if kind is Kind.USERS else w.tt.risk_groups


def _owner_id(w: Writes, step: Step) -> int:
    ids: dict[str, int] = getattr(w.ids, step.kind.value)
    return ids[fold(step.key.name)]


async def upsert_limit_rows(w: Writes, step: Step) -> None:
    live_rows = _live_limits(w, step.kind, step.key)
    limits = _declared_limits(w, step)
    named: list[ProductLimit | InterProductLimit] = [] if limits is None else [
        *limits.products, *limits.contracts, *limits.inter_product]
    declared = {row.name: row for row in named}
    rows = [limit_row(w.ids, declared[item].declared(), live_rows.get(fold(item)))
            for item in step.items if item in declared]
    owner = _owner_id(w, step)
    if isinstance(limits, AccountLimits) and "apply" in limits.managed():
        await w.tt.accounts.upsert_limits(owner, rows, apply_limits=limits.apply)
    else:
        await _limits_api(w, step.kind).upsert_limits(owner, rows)


async def delete_limit_row(w: Writes, step: Step) -> None:
    (row_key,) = step.items
    row = _live_limits(w, step.kind, step.key)[fold(row_key)]
    await _limits_api(w, step.kind).delete_limit(_owner_id(w, step), _id(row.id))


def _declared_limits(w: Writes, step: Step) -> Limits | None:
    owner = w.model(step, Model)
    if not isinstance(owner, Account | User | RiskGroup):
        raise TypeError(f"{step.kind} have no limit rows")
    return owner.limits


def _live_limits(w: Writes, kind: Kind, key: Key) -> dict[str, LimitRow | InterProductRow]:
    """The owner's live rows by their folded name in the YAML ("cme es future [alias]"):
    a row the YAML spells in another case is the same row, and is sent merged over it."""
    names = Names(w.live)
    sets = {Kind.ACCOUNTS: [(a.account.name, a.limits) for a in w.live.accounts],
            Kind.USERS: [(u.email, u.limits) for u in w.live.users],
            Kind.RISK_GROUPS: [(g.group.name, g.limits) for g in w.live.risk_groups]}[kind]
    limits = next((lim for name, lim in sets if fold(name) == key.folded[0]), None)
    if limits is None:
        return {}
    rows: list[LimitRow | InterProductRow] = [
        *limits.product_limits, *limits.contract_limits, *limits.inter_product_limits]
    return {fold(row_name(scope, ("legs",) if "legs" in scope else tuple(scope))): row
            for row in rows if names.modelled(row)
            for scope in (names.scope(row),)}




# --- users -----------------------------------------------------------------------------------

async def create_user(w: Writes, step: Step) -> None:
    user, users = w.model(step, User), w.tt.users
    first, last, mode = user.first_name, user.last_name, user.trade_mode
    if first is None or last is None or mode is None:
        missing = [k for k in ("first_name", "last_name", "trade_mode") if getattr(user, k) is None]
        raise UnknownName(f"creating user {step.key} needs {', '.join(missing)} "
                          "in users.yaml")
    created = await users.create(
        email=user.email, first_name=first, last_name=last,
        trade_mode=TRADE_MODE_IDS[mode], alias=user.alias,
        settings=None if user.settings is None else user.settings.declared())
    w.ids.users[fold(created.email)] = created.id
    if user.active is False:
        await users.deactivate(created.id)


async def update_user(w: Writes, step: Step) -> None:
    """The changed top-level fields, as declared (a settings block is sent as a whole)."""
    want = w.model(step, User).declared()
    fields = dict.fromkeys(item.split(".")[0] for item in step.items)
    changes: dict[str, Any] = {name: want.get(name) for name in fields}
    if "trade_mode" in changes:
        changes["trade_mode"] = TRADE_MODE_IDS[changes["trade_mode"]]
    await w.tt.users.update(_user_id(w, step), changes)


async def update_exchange_access(w: Writes, step: Step) -> None:
    """The user's exchange list as TT holds it now (read first: an earlier step of this
    apply may have changed it), with this step's items (`MARKET.field`) set as declared and
    the markets the YAML no longer lists taken out. TT replaces the list whole (ASSUMED),
    so what another step will change is sent as TT holds it."""
    user_id = _user_id(w, step)
    declared = {fold(e.market): e for e in w.model(step, User).exchanges or []}
    entries = {e.market_id: e for e in await w.tt.users.exchanges(user_id)}
    for item in step.items:
        market, _, name = item.partition(".")
        market_id = w.ids.market(market)
        wanted = declared.get(fold(market))
        if wanted is None:
            entries.pop(market_id, None)
            continue
        value: Any = getattr(wanted, name)
        if name in ("market_data", "order_routing", "non_display"):
            value = value is True  # (null: not subscribed, not routing, on screens)
        held = entries.get(market_id) or ExchangeRecord(market_id, False, None, False, None)
        changed: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value}
        entries[market_id] = replace(held, **changed)
    await w.tt.users.set_exchanges(user_id, [entries[m] for m in sorted(entries)])


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
        link = declared.get(fold(user))
        links.append(AccountUserLink(
            account_id=account_id, user_id=user_id,
            order_permissions=_merged(
                OrderPermissions, None if current is None else current.order_permissions,
                None if link is None else link.order_permissions),
            permissions=_merged(
                Permissions, None if current is None else current.permissions,
                None if link is None else link.permissions)))
    await w.tt.accounts.link_users(account_id, links)


async def unlink_user(w: Writes, step: Step) -> None:
    account, user = step.key.parts
    await w.tt.accounts.unlink_user(w.ids.accounts[fold(str(account))],
                                    w.ids.users[fold(str(user))])


R = TypeVar("R", OrderPermissions, Permissions)


def _merged(record: type[R], current: R | None, declared: Model | None) -> R:
    """TT's permissions (all off for a new link) with the ones the YAML declares over them."""
    names = [f.name for f in fields(record)]
    base = {name: False for name in names} if current is None else {
        name: getattr(current, name) for name in names}
    wanted = {} if declared is None else {
        name: getattr(declared, name) for name in declared.managed() if name in names}
    return record(**{**base, **wanted})


def _declared_links(firm: Firm, account_name: str) -> dict[str, Link]:
    """The account's declared links by folded user, from either side of the YAML."""
    account = fold(account_name)
    links: dict[str, Link] = {}
    for model in firm.accounts:
        if fold(model.name) == account:
            links.update({fold(link.user): link for link in model.users})
    for user in firm.users:
        for back in user.accounts:
            if fold(back.account) == account:
                links[fold(user.email)] = back
    return links


# --- user groups and risk groups -------------------------------------------------------------

async def create_user_group(w: Writes, step: Step) -> None:
    created = await w.tt.user_groups.create(w.model(step, UserGroup).name)
    w.ids.user_groups[fold(created.name)] = created.id


async def rename_user_group(w: Writes, step: Step) -> None:
    await w.tt.user_groups.rename(_group_id(w, step), w.model(step, UserGroup).name)


async def add_group_users(w: Writes, step: Step) -> None:
    await w.tt.user_groups.add_users(_group_id(w, step),
                                     [w.ids.users[fold(u)] for u in step.items])


async def remove_group_user(w: Writes, step: Step) -> None:
    await w.tt.user_groups.remove_user(_group_id(w, step), w.ids.users[fold(step.items[0])])


async def delete_user_group(w: Writes, step: Step) -> None:
    await w.tt.user_groups.delete(_group_id(w, step))


async def create_risk_group(w: Writes, step: Step) -> None:
    group = w.model(step, RiskGroup)
    created = await w.tt.risk_groups.create(group.name, group.description)
    w.ids.risk_groups[fold(created.name)] = created.id


async def update_risk_group(w: Writes, step: Step) -> None:
    group = w.model(step, RiskGroup)
    await w.tt.risk_groups.update(_group_id(w, step), name=group.name,
                                  description=group.description)


async def update_group_risk_settings(w: Writes, step: Step) -> None:
    settings = w.model(step, RiskGroup).risk_settings
    await w.tt.risk_groups.update_risk_settings(_group_id(w, step), {
        name: getattr(settings, name) for name in step.items})


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
    margin = w.model(step, ProductMargin)
    product_id, market_id, type_id = w.ids.product(margin.market, margin.product, margin.type)
    await w.tt.setup.upsert_product_margins(w.ids.company, [MarginRecord(
        id=None, market_id=market_id, product_type_id=type_id, product_id=product_id,
        currency=margin.currency, outright_margin=margin.outright_margin,
        spread_margin=margin.spread_margin)])


async def delete_margin(w: Writes, step: Step) -> None:
    names = Names(w.live)
    live = {Key.of(margin_model(names, m).key()).folded: m for m in w.live.margins}
    await w.tt.setup.delete_product_margin(w.ids.company, _id(live[step.key.folded].id))


async def set_default(w: Writes, step: Step) -> None:
    existing = _live_default(w, step)
    default = w.model(step, OrderTagDefault)
    if existing is not None:
        await w.tt.setup.update_order_tag_default(_id(existing.id), default.value)
        return
    product = None if default.product is None else w.ids.product(
        default.market, default.product, default.type or "future")[0]
    await w.tt.setup.create_order_tag_defaults([DefaultRecord(
        id=None, market_id=w.ids.market(default.market),
        field_id=w.ids.fields[(fold(default.market), fold(default.field))],
        account_id=None if default.account is None else w.ids.accounts[fold(default.account)],
        user_id=None if default.user is None else w.ids.users[fold(default.user)],
        value=default.value, profile=default.profile, algo_type=default.algo_type,
        algo_name=default.algo_name, product_group=default.product_group,
        product_type_id=None if default.type is None else TYPE_IDS[default.type],
        product_id=product)])


async def delete_default(w: Writes, step: Step) -> None:
    existing = _live_default(w, step)
    await w.tt.setup.delete_order_tag_default(_id(existing.id if existing else None))


def _live_default(w: Writes, step: Step) -> DefaultRecord | None:
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
    (Kind.USERS, Operation.UPDATE_EXCHANGE_ACCESS): update_exchange_access,
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
    (Kind.RISK_GROUPS, Operation.UPDATE_RISK_SETTINGS): update_group_risk_settings,
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

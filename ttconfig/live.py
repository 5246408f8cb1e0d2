"""Live TT in users' words: read a firm through the client and name everything by name.

TT speaks in ids; the YAML speaks in names (accounts by name, users by email, markets by
name, products by symbol and type, contracts by alias). `read_live` reads a whole firm;
`to_models` turns it into the same models the YAML loads, so live and desired compare
directly. (A plan will read only what the YAML manages; `import` reads everything.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ttconfig.models.accounts import Account
from ttconfig.models.groups import RiskGroup, UserGroup
from ttconfig.models.setup import OrderTagDefault, ProductMargin
from ttconfig.models.users import User
from ttconfig.tt.adapters.ttpds import PRODUCT_TYPES
from ttconfig.tt.client import TTClient
from ttconfig.tt.records import (
    Account as AccountRecord,
)
from ttconfig.tt.records import (
    AccountUserLink,
    Company,
    Instrument,
    LimitRow,
    LimitSet,
    Market,
    OrderTagField,
    Product,
    Restrictions,
    RiskSettings,
)
from ttconfig.tt.records import (
    OrderTagDefault as DefaultRecord,
)
from ttconfig.tt.records import (
    ProductMargin as MarginRecord,
)
from ttconfig.tt.records import (
    RiskGroup as RiskGroupRecord,
)
from ttconfig.tt.records import (
    User as UserRecord,
)
from ttconfig.tt.records import (
    UserGroup as UserGroupRecord,
)

ACCOUNT_TYPES = {1: "customer", 2: "house", 3: "omnibus"}
TRADE_MODES = {1: "view_only", 2: "standard", 3: "pro"}


@dataclass(frozen=True)
class LiveAccount:
    account: AccountRecord
    limits: LimitSet
    risk_settings: RiskSettings
    restrictions: Restrictions
    links: list[AccountUserLink]


@dataclass(frozen=True)
class LiveFirm:
    """Everything of one company in one environment, as TT's records."""

    company: Company
    markets: list[Market]
    products: list[Product]
    instruments: list[Instrument]
    fields: list[OrderTagField]
    accounts: list[LiveAccount]
    users: list[tuple[UserRecord, LimitSet]]
    user_groups: list[tuple[UserGroupRecord, list[int]]]
    risk_groups: list[tuple[RiskGroupRecord, list[int], LimitSet]]
    margins: list[MarginRecord]
    defaults: list[DefaultRecord]


async def _account(tt: TTClient, record: AccountRecord) -> LiveAccount:
    detail, limits, settings, restrictions, links = await asyncio.gather(
        tt.accounts.get(record.id), tt.accounts.limits(record.id),
        tt.accounts.risk_settings(record.id), tt.accounts.restrictions(record.id),
        tt.accounts.users(record.id))
    return LiveAccount(detail, limits, settings, restrictions, links)


async def read_live(tt: TTClient) -> LiveFirm:
    """Read a whole firm (reads run concurrently under the usage plan's rate)."""
    company, markets, products, fields = await asyncio.gather(
        tt.setup.company(), tt.reference.markets(), tt.reference.products(),
        tt.setup.order_tag_fields())
    accounts, users, user_groups, risk_groups, defaults = await asyncio.gather(
        tt.accounts.list(), tt.users.list(), tt.user_groups.list(), tt.risk_groups.list(),
        tt.setup.order_tag_defaults())
    live_accounts, margins, user_details, group_members, risk_details = await asyncio.gather(
        asyncio.gather(*(_account(tt, a) for a in accounts)),
        tt.setup.product_margins(company.id),
        asyncio.gather(*(_user(tt, u.id) for u in users)),
        asyncio.gather(*(tt.user_groups.users(g.id) for g in user_groups)),
        asyncio.gather(*(_risk_group(tt, g) for g in risk_groups)))
    limit_sets = [*(a.limits for a in live_accounts), *(lim for _, lim in user_details),
                  *(lim for _, _, lim in risk_details)]
    contract_products = sorted({row.scope.product_id for limits in limit_sets
                                for row in limits.contract_limits})
    instruments = await _gather_flat(tt.reference.instruments(p) for p in contract_products)
    return LiveFirm(company, markets, products, instruments, fields, list(live_accounts),
                    list(user_details), list(zip(user_groups, group_members, strict=True)),
                    list(risk_details), margins, defaults)


async def _gather_flat(calls: Any) -> list[Instrument]:
    return [item for batch in await asyncio.gather(*calls) for item in batch]


async def _user(tt: TTClient, user_id: int) -> tuple[UserRecord, LimitSet]:
    detail, limits = await asyncio.gather(tt.users.get(user_id), tt.users.limits(user_id))
    return detail, limits


async def _risk_group(tt: TTClient, group: RiskGroupRecord,
                      ) -> tuple[RiskGroupRecord, list[int], LimitSet]:
    members, limits = await asyncio.gather(tt.risk_groups.accounts(group.id),
                                           tt.risk_groups.limits(group.id))
    return group, members, limits


class Names:
    """TT ids → the names the YAML uses."""

    def __init__(self, live: LiveFirm) -> None:
        self.markets = {m.id: m.name for m in live.markets}
        self.products = {p.id: p for p in live.products}
        self.instruments = {i.id: i.alias for i in live.instruments}
        self.accounts = {a.account.id: a.account.name for a in live.accounts}
        self.users = {u.id: u.email for u, _ in live.users}
        self.fields = {f.id: f.name for f in live.fields}

    def scope(self, row: LimitRow) -> dict[str, Any]:
        product = self.products[row.scope.product_id]
        named: dict[str, Any] = {"market": self.markets[row.scope.market_id],
                                 "product": product.symbol,
                                 "type": PRODUCT_TYPES[row.scope.product_type_id]}
        if row.scope.instrument_id is not None:
            named["contract"] = self.instruments[row.scope.instrument_id]
        return named


LIMIT_VALUES = ("trading_allowed", "spread_trading_allowed", "max_order_qty", "max_position",
                "max_long_position", "max_short_position", "price_reasonability_ticks")


def _limits(names: Names, limits: LimitSet, *, account: bool) -> dict[str, Any] | None:
    def row(r: LimitRow) -> dict[str, Any]:
        return {**names.scope(r), **{f: getattr(r, f) for f in LIMIT_VALUES}}

    data: dict[str, Any] = {}
    if account and limits.apply_limits is not None:
        data["apply"] = limits.apply_limits
    if limits.product_limits:
        data["products"] = [row(r) for r in limits.product_limits]
    if limits.contract_limits:
        data["contracts"] = [row(r) for r in limits.contract_limits]
    return data or None


def _record_fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _account_model(names: Names, live: LiveAccount) -> Account:
    record = live.account
    data: dict[str, Any] = {"name": record.name, "type": ACCOUNT_TYPES[record.account_type]}
    if record.parent_id is not None:
        data["parent"] = names.accounts[record.parent_id]
    if record.description:
        data["description"] = record.description
    data["risk_settings"] = _record_fields(live.risk_settings)
    data["restrictions"] = _record_fields(live.restrictions)
    limits = _limits(names, live.limits, account=True)
    if limits is not None:
        data["limits"] = limits
    if live.links:
        data["users"] = [{"user": names.users[link.user_id],
                          "order_permissions": _record_fields(link.order_permissions),
                          "permissions": _record_fields(link.permissions)}
                         for link in sorted(live.links, key=lambda k: names.users[k.user_id])]
    return Account.model_validate(data)


def _user_model(names: Names, record: UserRecord, limits: LimitSet) -> User:
    data: dict[str, Any] = {"email": record.email, "first_name": record.first_name,
                            "last_name": record.last_name, "alias": record.alias,
                            "trade_mode": TRADE_MODES[record.trade_mode],
                            "active": record.active,
                            "settings": _record_fields(record.settings)}
    named_limits = _limits(names, limits, account=False)
    if named_limits is not None:
        data["limits"] = named_limits
    return User.model_validate(data)


def to_models(live: LiveFirm) -> dict[str, Sequence[Any]]:
    """The firm as models of every kind, ordered for a stable, reviewable file."""
    names = Names(live)
    accounts = sorted(live.accounts, key=lambda a: (a.account.parent_id is not None,
                                                    a.account.name))
    risk_groups = [RiskGroup.model_validate({
        "name": group.name, "description": group.description,
        "accounts": sorted(names.accounts[a] for a in members),
        **({"limits": lim} if (lim := _limits(names, limits, account=False)) else {}),
    }) for group, members, limits in sorted(live.risk_groups, key=lambda g: g[0].name)]
    return {
        "accounts": [_account_model(names, a) for a in accounts],
        "users": [_user_model(names, u, lim) for u, lim in sorted(live.users,
                                                                   key=lambda u: u[0].email)],
        "user_groups": [UserGroup.model_validate({
            "name": g.name, "users": sorted(names.users[u] for u in members)})
            for g, members in sorted(live.user_groups, key=lambda g: g[0].name)],
        "risk_groups": risk_groups,
        "product_margins": [_margin_model(names, m) for m in live.margins],
        "order_tag_defaults": [_default_model(names, d) for d in live.defaults],
    }


def _margin_model(names: Names, margin: MarginRecord) -> ProductMargin:
    product = names.products[margin.product_id]
    return ProductMargin.model_validate({
        "market": names.markets[margin.market_id], "product": product.symbol,
        "type": PRODUCT_TYPES[margin.product_type_id], "currency": margin.currency,
        "outright_margin": margin.outright_margin, "spread_margin": margin.spread_margin})


def _default_model(names: Names, default: DefaultRecord) -> OrderTagDefault:
    data: dict[str, Any] = {"market": names.markets[default.market_id],
                            "field": names.fields[default.field_id], "value": default.value}
    if default.account_id is not None:
        data["account"] = names.accounts[default.account_id]
    if default.user_id is not None:
        data["user"] = names.users[default.user_id]
    return OrderTagDefault.model_validate(data)

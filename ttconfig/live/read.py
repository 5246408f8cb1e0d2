"""Live TT in users' words: read a firm through the client and name everything by name.

TT speaks in ids; the YAML speaks in names (accounts by name, users by email, markets by
name, products by symbol and type, contracts by alias). `read_live` reads a whole firm;
`to_models` turns it into the same models the YAML loads, so live and desired compare
directly. (A plan will read only what the YAML manages; `import` reads everything.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from ttconfig.core.changes import Change
from ttconfig.models import Firm
from ttconfig.models.accounts import (
    Account,
    AlgoParentLimit,
    AlgoParentLimits,
    CreditLossActions,
)
from ttconfig.models.checks import fold
from ttconfig.models.groups import RiskGroup, UserGroup
from ttconfig.models.kinds import Kind
from ttconfig.models.limits import EVERY_PRODUCT, LIMIT_VALUES, unset_as_zero
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
    GroupRiskSettings,
    Instrument,
    InterProductRow,
    LimitRow,
    LimitScope,
    LimitSet,
    Market,
    OrderTagField,
    Product,
    ProductFamily,
    Restrictions,
    RiskSettings,
    UserSummary,
)
from ttconfig.tt.records import (
    ExchangeAccess as ExchangeRecord,
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

T = TypeVar("T")
ACCOUNT_TYPES = {1: "customer", 2: "house", 3: "omnibus"}
TRADE_MODES = {1: "view_only", 2: "standard", 3: "pro"}


ACCOUNT_PARTS = frozenset({"detail", "limits", "risk_settings", "restrictions", "links"})
USER_PARTS = frozenset({"detail", "limits", "exchanges"})


@dataclass(frozen=True)
class ReadScope:
    """What to read: the objects and sub-resources the YAML manages (principle 3).

    `None` for accounts or users means every one, with every part (import reads so). A part
    not read stays None in the live records and out of the live models, so it is never
    mistaken for "absent": the scope comes from the same YAML the diff compares.
    """

    accounts: Mapping[str, frozenset[str]] | None = None
    users: Mapping[str, frozenset[str]] | None = None
    groups: frozenset[str] | None = None
    margins: bool = True
    defaults: bool = True
    risk_group_members: bool = True
    """Read the members of every risk group, declared or not: an account is in at most one
    risk group, so joining a declared group may mean leaving one the YAML leaves alone."""
    contracts: frozenset[tuple[str, str, str]] = frozenset()
    """(market, symbol, type), folded, of products whose contracts the YAML names: read
    them, so the plan can tell a contract TT does not list before anything is written."""
    families: bool = True
    """Read TT's product families: the YAML names one (they are read anyway when a live
    row is a family's, to name it)."""

    def account_parts(self, name: str) -> frozenset[str]:
        return ACCOUNT_PARTS if self.accounts is None else self.accounts.get(fold(name),
                                                                             frozenset())

    def user_parts(self, email: str) -> frozenset[str]:
        return USER_PARTS if self.users is None else self.users.get(fold(email), frozenset())

    def group(self, name: str) -> bool:
        return self.groups is None or fold(name) in self.groups

    def risk_group_members_of(self, name: str) -> bool:
        return self.risk_group_members or self.group(name)

    def touched(self, changes: Iterable[Change]) -> ReadScope:
        """The part of this scope that applying `changes` wrote to: what the read-back
        after an apply reads again (never more than this scope: a part the plan did not
        read stays unread, as it was). Everything else is as the plan's read found it (a
        write changes only the object it is sent to), so re-reading it would cost a
        large firm minutes and prove nothing more."""
        accounts: dict[str, frozenset[str]] = {}
        users: dict[str, frozenset[str]] = {}
        groups: set[str] = set()
        kinds = set()
        for change in changes:
            kinds.add(change.kind)
            name = fold(change.key.name)
            if change.kind is Kind.ACCOUNTS:
                accounts[name] = accounts.get(name, frozenset()) | self.account_parts(name)
            elif change.kind is Kind.LINKS:
                accounts[name] = accounts.get(name, frozenset()) | (
                    self.account_parts(name) & {"links"})
            elif change.kind is Kind.USERS:
                users[name] = self.user_parts(name)
            elif change.kind in (Kind.USER_GROUPS, Kind.RISK_GROUPS) and self.group(name):
                groups.add(name)  # (a group the YAML leaves alone may lose a member)
        return ReadScope(
            accounts=accounts, users=users, groups=frozenset(groups),
            margins=Kind.PRODUCT_MARGINS in kinds and self.margins,
            defaults=Kind.ORDER_TAG_DEFAULTS in kinds and self.defaults,
            # joining a group may mean leaving another: every group's members again
            risk_group_members=Kind.RISK_GROUPS in kinds and self.risk_group_members)


EVERYTHING = ReadScope()


def scope_of(firm: Firm) -> ReadScope:
    """The reads a plan of `firm` needs, and no more."""
    linked = {fold(link["account"]) for u in firm.users for link in
              u.declared().get("accounts", [])}
    accounts = {}
    for account in firm.accounts:
        data = account.declared()
        parts: set[str] = {part for part in ("limits", "risk_settings", "restrictions")
                           if part in data}
        if {"description", "order_cross_prevention"} & set(data):
            parts.add("detail")
        if "users" in data or fold(account.name) in linked:
            parts.add("links")
        accounts[fold(account.name)] = frozenset(parts)
    for name in linked - set(accounts):  # accounts outside a --target that a user links to
        accounts[name] = frozenset({"links"})
    users = {}
    for user in firm.users:
        data = user.declared()
        parts = ({"detail"} if {"trade_mode", "active", "settings"} & set(data)
                 else set[str]())
        parts |= {part for part in ("limits", "exchanges") if part in data}
        users[fold(user.email)] = frozenset(parts)
    policy = firm.environment.policy
    coverage = policy.coverage.limit_row_for_traded_products or \
        policy.coverage.trading_accounts_in_a_risk_group
    if coverage:  # the coverage rules look at who can trade each account, and its group
        accounts = {name: parts | {"limits", "restrictions", "links"}
                    for name, parts in accounts.items()}
    prune = policy.prune
    owners: tuple[Account | User | RiskGroup, ...] = (
        *firm.accounts, *firm.users, *firm.risk_groups)
    contracts = frozenset((fold(row.market), fold(row.product), row.type) for owner in owners
                          if owner.limits is not None for row in owner.limits.contracts)
    families = any(row.family is not None for owner in owners if owner.limits is not None
                   for row in owner.limits.products)
    return ReadScope(
        contracts=contracts, families=families,
        accounts=None if prune.get("accounts") else accounts,
        users=None if prune.get("users") else users,
        groups=None if coverage else frozenset([*(fold(g.name) for g in firm.user_groups),
                                                *(fold(g.name) for g in firm.risk_groups)]),
        margins=bool(firm.product_margins) or bool(prune.get("product_margins")),
        defaults=bool(firm.order_tag_defaults) or bool(prune.get("order_tag_defaults")),
        risk_group_members=any("accounts" in g.declared() for g in firm.risk_groups))


@dataclass(frozen=True)
class LiveAccount:
    """An account and the parts of it that were read (None: not read)."""

    account: AccountRecord
    limits: LimitSet | None
    risk_settings: RiskSettings | None
    restrictions: Restrictions | None
    links: list[AccountUserLink] | None


@dataclass(frozen=True)
class LiveUser:
    """A user: the listing's summary, and the detail and limits when read."""

    summary: UserSummary
    detail: UserRecord | None
    limits: LimitSet | None
    exchanges: list[ExchangeRecord] | None = None

    @property
    def id(self) -> int:
        return int(self.summary.id)

    @property
    def email(self) -> str:
        return str(self.summary.email)


@dataclass(frozen=True)
class LiveRiskGroup:
    """A risk group and the parts of it that were read (None: not read)."""

    group: RiskGroupRecord
    members: list[int] | None
    limits: LimitSet | None
    risk_settings: GroupRiskSettings | None = None


@dataclass(frozen=True)
class LiveFirm:
    """One company in one environment, as TT's records: what the scope asked for."""

    company: Company
    markets: list[Market]
    products: list[Product]
    instruments: list[Instrument]
    fields: list[OrderTagField]
    accounts: list[LiveAccount]
    users: list[LiveUser]
    user_groups: list[tuple[UserGroupRecord, list[int] | None]]
    risk_groups: list[LiveRiskGroup]
    margins: list[MarginRecord]
    defaults: list[DefaultRecord]
    families: list[ProductFamily] = field(default_factory=list)
    as_of: datetime | None = None
    """TT's clock when the read ended (its answers' `Date`); None: TT sent none."""


async def _maybe(wanted: bool, call: Awaitable[T]) -> T | None:
    if not wanted:
        close = getattr(call, "close", None)
        if close is not None:
            close()
        return None
    return await call


async def _account(tt: TTClient, record: AccountRecord, parts: frozenset[str]) -> LiveAccount:
    detail, limits, settings, restrictions, links = await asyncio.gather(
        _maybe("detail" in parts, tt.accounts.get(record.id)),
        _maybe("limits" in parts, tt.accounts.limits(record.id)),
        _maybe("risk_settings" in parts, tt.accounts.risk_settings(record.id)),
        _maybe("restrictions" in parts, tt.accounts.restrictions(record.id)),
        _maybe("links" in parts, tt.accounts.users(record.id)))
    # (TT's own holds are on the listing: a detail read that lacks them keeps the listing's)
    account = record if detail is None else replace(
        detail, held_by_tt=detail.held_by_tt or record.held_by_tt)
    return LiveAccount(account, limits, settings, restrictions, links)


async def _user(tt: TTClient, summary: UserSummary, parts: frozenset[str]) -> LiveUser:
    detail, limits, exchanges = await asyncio.gather(
        _maybe("detail" in parts, tt.users.get(summary.id)),
        _maybe("limits" in parts, tt.users.limits(summary.id)),
        _maybe("exchanges" in parts, tt.users.exchanges(summary.id)))
    return LiveUser(summary, detail, limits, exchanges)


async def _risk_group(tt: TTClient, group: RiskGroupRecord, scope: ReadScope,
                      ) -> LiveRiskGroup:
    members, limits, settings = await asyncio.gather(
        _maybe(scope.risk_group_members_of(group.name), tt.risk_groups.accounts(group.id)),
        _maybe(scope.group(group.name), tt.risk_groups.limits(group.id)),
        _maybe(scope.group(group.name), tt.risk_groups.risk_settings(group.id)))
    return LiveRiskGroup(group, members, limits, settings)


Progress = Callable[[int, int], None]
"""Called with (requests done, requests expected, the listings included) while the detail
reads run."""


def detail_requests(scope: ReadScope, accounts: Sequence[AccountRecord],
                    users: Sequence[UserSummary], user_groups: Sequence[UserGroupRecord],
                    risk_groups: Sequence[RiskGroupRecord]) -> int:
    """What the reads after the listings will cost (one page per paged sub-resource)."""
    return (sum(len(scope.account_parts(a.name)) for a in accounts)
            + sum(len(scope.user_parts(u.email)) for u in users)
            + sum(1 for g in user_groups if scope.group(g.name))
            + sum(2 * int(scope.group(g.name)) + int(scope.risk_group_members_of(g.name))
                  for g in risk_groups) + int(scope.margins))


async def watch(tt: TTClient, total: int, progress: Progress, start: int) -> None:
    """Report the requests sent since `start` of the `total` expected, every 0.2 s, until
    cancelled."""
    while True:
        progress(min(total, tt.stats.requests - start), total)
        await asyncio.sleep(0.2)


async def read_live(tt: TTClient, scope: ReadScope = EVERYTHING,
                    progress: Progress | None = None, *,
                    before: LiveFirm | None = None) -> LiveFirm:
    """Read what `scope` asks for (reads run concurrently under the plan's rate).

    With `before` (an earlier read), the listings are read again and only the parts
    `scope` names; every other part of an object still listed is taken from `before`.
    """
    fresh = await _read(tt, scope, progress)
    return fresh if before is None else _merged(fresh, before, scope)


async def _read(tt: TTClient, scope: ReadScope, progress: Progress | None) -> LiveFirm:
    begun = tt.stats.requests
    company, markets, products, fields = await asyncio.gather(
        tt.setup.company(), tt.reference.markets(), tt.reference.products(),
        _listing(scope.defaults, tt.setup.order_tag_fields()))
    accounts, users, user_groups, risk_groups, defaults = await asyncio.gather(
        tt.accounts.list(), tt.users.list(), tt.user_groups.list(), tt.risk_groups.list(),
        _listing(scope.defaults, tt.setup.order_tag_defaults()))
    # the estimate counts the listings (already read: their pages, the token) and the rest
    listed = tt.stats.requests - begun
    expected = (listed + detail_requests(scope, accounts, users, user_groups, risk_groups)
                + len(scope.contracts)  # (the instruments of the products YAML contracts name)
                + int(scope.families))
    watcher = None if progress is None else asyncio.create_task(watch(
        tt, expected, progress, begun))
    try:
        details = await _details(tt, scope, company, accounts, users, user_groups, risk_groups)
    finally:
        if watcher is not None:
            watcher.cancel()
    live_accounts, margins, live_users, group_members, risk_details = details
    limit_sets = [limits for limits in (*(a.limits for a in live_accounts),
                                        *(u.limits for u in live_users),
                                        *(g.limits for g in risk_details))
                  if limits is not None]
    market_names = {m.id: fold(m.name) for m in markets}
    named = {p.id for p in products if (market_names.get(p.market_id, ""), fold(p.symbol),
                                        PRODUCT_TYPES.get(p.product_type_id, ""))
             in scope.contracts}
    contract_products = sorted(named | {row.scope.product_id for limits in limit_sets
                                        for row in limits.contract_limits
                                        if row.scope.product_id is not None})
    of_families = scope.families or any(row.scope.family_id is not None
                                        for limits in limit_sets
                                        for row in limits.product_limits)
    instruments, families = await asyncio.gather(
        _gather_flat(tt.reference.instruments(p) for p in contract_products),
        _listing(of_families, tt.reference.families()))
    return LiveFirm(company, markets, products, instruments, fields, list(live_accounts),
                    list(live_users), list(zip(user_groups, group_members, strict=True)),
                    list(risk_details), margins, defaults, families, tt.http.server_time)


async def _details(tt: TTClient, scope: ReadScope, company: Company,
                   accounts: Sequence[AccountRecord], users: Sequence[UserSummary],
                   user_groups: Sequence[UserGroupRecord],
                   risk_groups: Sequence[RiskGroupRecord]) -> Any:
    return await asyncio.gather(
        asyncio.gather(*(_account(tt, a, scope.account_parts(a.name)) for a in accounts)),
        _listing(scope.margins, tt.setup.product_margins(company.id)),
        asyncio.gather(*(_user(tt, u, scope.user_parts(u.email)) for u in users)),
        asyncio.gather(*(_maybe(scope.group(g.name), tt.user_groups.users(g.id))
                         for g in user_groups)),
        asyncio.gather(*(_risk_group(tt, g, scope) for g in risk_groups)))


def _merged(fresh: LiveFirm, before: LiveFirm, scope: ReadScope) -> LiveFirm:
    """`fresh` (the listings, and the parts `scope` read) completed from `before`. Objects
    are matched by TT id: one gone from the listing is gone; a new one is as read now."""
    accounts = {a.account.id: a for a in before.accounts}
    users = {u.id: u for u in before.users}
    user_groups = {g.id: members for g, members in before.user_groups}
    risk_groups = {g.group.id: g for g in before.risk_groups}

    def account(now: LiveAccount) -> LiveAccount:
        old = accounts.get(now.account.id)
        if old is None:
            return now
        parts = scope.account_parts(now.account.name)
        return LiveAccount(
            now.account if "detail" in parts else old.account,
            now.limits if "limits" in parts else old.limits,
            now.risk_settings if "risk_settings" in parts else old.risk_settings,
            now.restrictions if "restrictions" in parts else old.restrictions,
            now.links if "links" in parts else old.links)

    def user(now: LiveUser) -> LiveUser:
        old = users.get(now.id)
        if old is None:
            return now
        parts = scope.user_parts(now.email)
        return LiveUser(now.summary, now.detail if "detail" in parts else old.detail,
                        now.limits if "limits" in parts else old.limits,
                        now.exchanges if "exchanges" in parts else old.exchanges)

    def user_group(group: UserGroupRecord, members: list[int] | None,
                   ) -> tuple[UserGroupRecord, list[int] | None]:
        if scope.group(group.name) or group.id not in user_groups:
            return group, members
        return group, user_groups[group.id]

    def risk_group(now: LiveRiskGroup) -> LiveRiskGroup:
        old = risk_groups.get(now.group.id)
        if old is None:
            return now
        name = now.group.name
        group_read = scope.group(name)
        return LiveRiskGroup(
            now.group, now.members if scope.risk_group_members_of(name) else old.members,
            now.limits if group_read else old.limits,
            now.risk_settings if group_read else old.risk_settings)

    instruments = {i.id: i for i in (*before.instruments, *fresh.instruments)}
    return replace(
        fresh, instruments=list(instruments.values()),
        fields=fresh.fields if scope.defaults else before.fields,
        accounts=[account(a) for a in fresh.accounts],
        users=[user(u) for u in fresh.users],
        user_groups=[user_group(*g) for g in fresh.user_groups],
        risk_groups=[risk_group(g) for g in fresh.risk_groups],
        margins=fresh.margins if scope.margins else before.margins,
        defaults=fresh.defaults if scope.defaults else before.defaults)


async def read_admins(tt: TTClient, live: LiveFirm) -> frozenset[str]:
    """Folded emails of the active full admins: one detail read per user not read yet.

    Only a plan that takes admin rights away pays for this (policy.protected.min_admins).
    """
    async def admin(user: LiveUser) -> bool:
        detail = user.detail or await tt.users.get(user.id)
        return detail.active and detail.settings.full_admin

    verdicts = await asyncio.gather(*(admin(u) for u in live.users))
    return frozenset(fold(u.email) for u, yes in zip(live.users, verdicts, strict=True) if yes)


async def _listing(wanted: bool, call: Awaitable[list[T]]) -> list[T]:
    return await _maybe(wanted, call) or []


async def _gather_flat(calls: Any) -> list[Instrument]:
    return [item for batch in await asyncio.gather(*calls) for item in batch]


class Names:
    """TT ids → the names the YAML uses."""

    def __init__(self, live: LiveFirm) -> None:
        self.markets = {m.id: m.name for m in live.markets}
        self.unset_is_zero = live.company.default_limits_to_zero is True
        """TT's company holds a limit not set as 0: live rows are named so."""
        self.products = {p.id: p for p in live.products}
        self.families = {f.id: f.name for f in live.families}
        self.instruments = {i.id: i.alias for i in live.instruments}
        now = live.as_of or datetime.now(UTC)
        self.expired = {i.id for i in live.instruments
                        if i.expires is not None and i.expires <= now}
        """Contracts TT lists as expired: their rows are left alone (live.expiry)."""
        self.accounts = {a.account.id: a.account.name for a in live.accounts}
        self.users = {u.id: u.email for u in live.users}
        self.fields = {f.id: f.name for f in live.fields}

    def modelled(self, row: LimitRow | InterProductRow) -> bool:
        """A row the YAML can say: a default row of a market and product type TT lists, a
        row of a product TT lists (and of a contract TT lists when it names one), or an
        inter-product row whose legs are two or more products TT lists, each once, or the
        default row of a family TT lists."""
        if isinstance(row, InterProductRow):
            products = [leg.product_id for leg in row.legs]
            return (len(set(products)) == len(products) >= 2
                    and all(product in self.products for product in products))
        if row.scope.family_id is not None:
            return (row.scope.product_id is None and row.scope.instrument_id is None
                    and row.scope.family_id in self.families
                    and row.scope.product_type_id in PRODUCT_TYPES)
        if row.scope.product_id is None:
            return (row.scope.instrument_id is None and row.scope.market_id in self.markets
                    and row.scope.product_type_id in PRODUCT_TYPES)
        return (row.scope.product_id in self.products
                and (row.scope.instrument_id is None
                     or (row.scope.instrument_id in self.instruments
                         and row.scope.instrument_id not in self.expired)))

    def scope(self, row: LimitRow | InterProductRow) -> dict[str, Any]:
        if isinstance(row, InterProductRow):
            return {"legs": [self._product(leg) for leg in row.legs]}
        named = self._product(row.scope)
        if row.scope.family_id is not None:
            named["family"] = self.families[row.scope.family_id]
        if row.scope.instrument_id is not None:
            named["contract"] = self.instruments[row.scope.instrument_id]
        return named

    def _product(self, scope: LimitScope) -> dict[str, Any]:
        product = None if scope.product_id is None else self.products[scope.product_id]
        return {"market": self.markets[scope.market_id],
                "product": EVERY_PRODUCT if product is None else product.symbol,
                "type": PRODUCT_TYPES[scope.product_type_id]}


def _limits(names: Names, limits: LimitSet, *, account: bool) -> dict[str, Any] | None:
    def row(r: LimitRow | InterProductRow) -> dict[str, Any]:
        values = {f: getattr(r, f) for f in LIMIT_VALUES}
        return {**names.scope(r), **(unset_as_zero(values) if names.unset_is_zero else values)}

    data: dict[str, Any] = {}
    if account and limits.apply_limits is not None:
        data["apply"] = limits.apply_limits
    products = [row(r) for r in limits.product_limits if names.modelled(r)]
    contracts = [row(r) for r in limits.contract_limits if names.modelled(r)]
    inter_product = [row(r) for r in limits.inter_product_limits if names.modelled(r)]
    if products:
        data["products"] = products
    if contracts:
        data["contracts"] = contracts
    if inter_product:
        data["inter_product"] = inter_product
    return data or None


def families_of(live: LiveFirm) -> dict[tuple[str, str, str], str]:
    """(market, symbol, type) → the product's family, all folded (the families read)."""
    markets = {m.id: fold(m.name) for m in live.markets}
    families = {f.id: fold(f.name) for f in live.families}
    return {(markets.get(p.market_id, ""), fold(p.symbol),
             PRODUCT_TYPES.get(p.product_type_id, "")): families[p.family_id]
            for p in live.products if p.family_id in families}


def unmodelled(live: LiveFirm) -> list[str]:
    """Limit rows TT holds that the YAML cannot say: rows of a product, contract or family
    TT does not list, inter-product rows without two distinct legs. They are left out of
    the live models, so a plan neither shows nor touches them; this names them."""
    names = Names(live)
    owners: list[tuple[str, LimitSet | None]] = [
        *((f"account {a.account.name}", a.limits) for a in live.accounts),
        *((f"user {u.email}", u.limits) for u in live.users),
        *((f"risk group {g.group.name}", g.limits) for g in live.risk_groups)]
    said = []
    for owner, limits in owners:
        if limits is None:
            continue
        for r in (*limits.product_limits, *limits.contract_limits):
            if not names.modelled(r) and r.scope.instrument_id not in names.expired:
                said.append(f"{owner}: {_unmodelled_row(names, r)}")
        for ip in limits.inter_product_limits:
            if not names.modelled(ip):
                said.append(f"{owner}: an inter-product row (id {ip.id}) whose legs are not "
                            "two or more products TT lists")
    return said


def _unmodelled_row(names: Names, r: LimitRow) -> str:
    market = names.markets.get(r.scope.market_id, str(r.scope.market_id))
    kind = PRODUCT_TYPES.get(r.scope.product_type_id, str(r.scope.product_type_id))
    if r.scope.family_id is not None:
        what = f"a row of product family {r.scope.family_id}, which TT does not list"
    elif r.scope.product_id is not None:
        what = f"a row of product {r.scope.product_id}, which TT does not list"
    else:
        what = "a default row of a market or product type TT does not list"
    return f"{market} {kind}: {what}"


def _record_fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _risk_settings(record: RiskSettings) -> dict[str, Any]:
    """Risk settings as the model says them: every credit-loss action and parent-order
    check named, null where TT does not take or make it."""
    taken = dict(record.credit_loss_actions)
    checks = {(order_type, name): value for order_type, name, value in record.algo_parent_limits}
    return {**_record_fields(record), "credit_loss_actions": {
        name: taken.get(name) for name in CreditLossActions.model_fields},
        "algo_parent_limits": {order_type: {name: checks.get((order_type, name))
                                            for name in AlgoParentLimit.model_fields}
                               for order_type in AlgoParentLimits.model_fields}}


def _account_model(names: Names, live: LiveAccount) -> Account:
    record = live.account
    data: dict[str, Any] = {"name": record.name, "type": ACCOUNT_TYPES[record.account_type]}
    if record.parent_id is not None:
        data["parent"] = names.accounts[record.parent_id]
    if record.description:
        data["description"] = record.description
    if record.order_cross_prevention is not None:
        data["order_cross_prevention"] = record.order_cross_prevention
    if live.risk_settings is not None:
        data["risk_settings"] = _risk_settings(live.risk_settings)
    if live.restrictions is not None:
        data["restrictions"] = _record_fields(live.restrictions)
    limits = None if live.limits is None else _limits(names, live.limits, account=True)
    if limits is not None:
        data["limits"] = limits
    if live.links:
        data["users"] = [{"user": names.users[link.user_id],
                          "order_permissions": _record_fields(link.order_permissions),
                          "permissions": _record_fields(link.permissions)}
                         for link in sorted(live.links, key=lambda k: names.users[k.user_id])]
    return Account.model_validate(data)


def _user_model(names: Names, user: LiveUser) -> User:
    summary, record = user.summary, user.detail
    data: dict[str, Any] = {"email": summary.email, "first_name": summary.first_name,
                            "last_name": summary.last_name, "alias": summary.alias}
    if record is not None:
        data.update({"trade_mode": TRADE_MODES[record.trade_mode], "active": record.active,
                     "settings": _record_fields(record.settings)})
    named_limits = None if user.limits is None else _limits(names, user.limits, account=False)
    if named_limits is not None:
        data["limits"] = named_limits
    if user.exchanges is not None:
        data["exchanges"] = [{"market": names.markets.get(e.market_id, str(e.market_id)),
                              "market_data": e.market_data,
                              "product_groups": None if e.product_groups is None
                              else list(e.product_groups),
                              "order_routing": e.order_routing, "trader_id": e.trader_id,
                              "operator_id": e.operator_id,
                              "market_data_type": e.market_data_type,
                              "non_display": e.non_display}
                             for e in sorted(user.exchanges, key=lambda e: e.market_id)]
    return User.model_validate(data)


def _risk_group_model(names: Names, live: LiveRiskGroup) -> RiskGroup:
    data: dict[str, Any] = {"name": live.group.name, "description": live.group.description}
    if live.members is not None:
        data["accounts"] = sorted(names.accounts[a] for a in live.members)
    if live.risk_settings is not None:
        data["risk_settings"] = _record_fields(live.risk_settings)
    named = None if live.limits is None else _limits(names, live.limits, account=False)
    if named:
        data["limits"] = named
    return RiskGroup.model_validate(data)


def _user_group_model(names: Names, group: UserGroupRecord,
                      members: list[int] | None) -> UserGroup:
    data: dict[str, Any] = {"name": group.name}
    if members is not None:
        data["users"] = sorted(names.users[u] for u in members)
    return UserGroup.model_validate(data)


def to_models(live: LiveFirm) -> dict[str, Sequence[Any]]:
    """The firm as models of every kind, ordered for a stable, reviewable file."""
    names = Names(live)
    accounts = sorted(live.accounts, key=lambda a: (a.account.parent_id is not None,
                                                    a.account.name))
    return {
        "accounts": [_account_model(names, a) for a in accounts],
        "users": [_user_model(names, u) for u in sorted(live.users, key=lambda u: u.email)],
        "user_groups": [_user_group_model(names, g, members) for g, members in
                        sorted(live.user_groups, key=lambda g: g[0].name)],
        "risk_groups": [_risk_group_model(names, g)
                        for g in sorted(live.risk_groups, key=lambda g: g.group.name)],
        "product_margins": [margin_model(names, m) for m in live.margins],
        "order_tag_defaults": [default_model(names, d) for d in live.defaults],
    }


def margin_model(names: Names, margin: MarginRecord) -> ProductMargin:
    product = names.products[margin.product_id]
    return ProductMargin.model_validate({
        "market": names.markets[margin.market_id], "product": product.symbol,
        "type": PRODUCT_TYPES[margin.product_type_id], "currency": margin.currency,
        "outright_margin": margin.outright_margin, "spread_margin": margin.spread_margin})


def default_model(names: Names, default: DefaultRecord) -> OrderTagDefault:
    data: dict[str, Any] = {"market": names.markets[default.market_id],
                            "field": names.fields[default.field_id], "value": default.value}
    if default.account_id is not None:
        data["account"] = names.accounts[default.account_id]
    if default.user_id is not None:
        data["user"] = names.users[default.user_id]
    for name in ("profile", "algo_type", "algo_name", "product_group"):
        if getattr(default, name) is not None:
            data[name] = getattr(default, name)
    if default.product_type_id is not None:
        data["type"] = PRODUCT_TYPES.get(default.product_type_id, "future")
    if default.product_id is not None:
        product = names.products.get(default.product_id)
        data["product"] = default.product_id if product is None else product.symbol
    return OrderTagDefault.model_validate(data)

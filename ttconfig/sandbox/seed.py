"""The seeded demo firm of the sandbox: one realistic TT firm per environment.

``build_seed(env)`` returns everything the sandbox serves for one TT environment as a
JSON-able dict: the global reference data (markets, products, instruments, order-tag
fields) and the companies trading on it.

The main company is *Harbor Point Trading* (HPT), a prop firm that also clears customers,
trading CME, ICE and Eurex:

* accounts in a two-level tree: HPT-PROP over the rates, energy, equity-index and metals
  desks; HPT-ARB over the calendar and cross-market books; HPT-MM over the Eurex and ICE
  market-making books; the omnibus HPT-CUST and HPT-IB over their customers (one of them
  suspended, cancel only); plus the give-up omnibus, stand-alone house accounts (hedge,
  error, training) and a closed legacy account;
* about 50 users: the Rates, Energy and Equity Index desk groups, risk managers and
  compliance linked to the parent accounts, brokers on the customer accounts, two admins
  and the API user ``ttconfig-api`` who owns the ``ttconfig`` app key; one user is
  deactivated and one has not accepted the invitation;
* product and contract limits on accounts, users and four aggregate risk groups, with
  deliberate "not set" (``None``) values and a few zeros; order-tag fields per market and
  defaults by company, account and user; product margins.

What ttmonitor reports is seeded too: positions per contract (front months) that sit near,
under or, for one customer, over the accounts' limits, and the credit some accounts use.

*Meridian Futures* (MRDN), with two accounts, two users and one app key, exists only to
prove that the sandbox keeps companies apart.

UAT and production differ the way a real firm's environments do. Each environment
allocates its own integer ids. UAT keeps what certification left behind: the test
accounts HPT-UAT-TEST and HPT-UAT-ALGO, their test users and two exchange test products;
people loosen limits and credit in UAT to try things and set limits there that production
never got. Production has a customer account (HPT-CUST-ELM) and two traders onboarded
directly there, which UAT never saw. Products and instruments are global in TT: their ids
are equal in both.

``build_seed(env, accounts=N)`` adds generated parent/child books, with users, links,
limits, risk settings and restrictions in proportion, until the main company holds N
accounts (tests and benchmarks). The output depends only on the arguments.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import random
import re
import uuid
import zlib
from pathlib import Path
from typing import Any

from ttconfig.sandbox import seed_data
from ttconfig.sandbox.limits import ROW_DEFAULTS
from ttconfig.sandbox.seed_data import (
    ACCOUNT_LIMITS,
    APP_KEY_NAMESPACE,
    CME,
    CREDIT_USED,
    CROSS_PREVENTION,
    CUSTOMER,
    CYCLES,
    DESK_CHECKS,
    DESK_DEFAULTS,
    DESK_FAMILIES,
    DESK_PARENT_LIMITS,
    DESK_RISK_SETTINGS,
    DESK_SPREADS,
    DESK_TAGS,
    DESK_TOUCH_BANDS,
    DESKS,
    ENVIRONMENTS,
    EXCHANGE_ROLES,
    FAMILIES,
    FIELD_BY_ID,
    FIELDS,
    FIRST_EXPIRY,
    GEN_CREDIT,
    GEN_FIRST,
    GEN_KEYS,
    GEN_LAST,
    GEN_SCALES,
    GEN_STYLES,
    HOUSE,
    HPT,
    ID_BASE,
    MARGINS,
    MARKET_CURRENCY,
    MARKETS,
    MONTH_CODES,
    MONTHS,
    MRDN,
    OMNIBUS,
    OPTION,
    ORDER_KEYS,
    PERM_KEYS,
    POSITIONS,
    PRODUCTS,
    PROFILES,
    RESTRICTIONS,
    RISK_GROUPS,
    ROLES,
    SPREAD,
    STYLES,
    TABLES,
    TAG_DEFAULTS,
    TICKS,
    UAT,
    UAT_CREDIT,
    UAT_LOOSER,
    USER_GROUPS,
    USER_LIMITS,
    Account,
    Company,
    Json,
    Product,
    RiskGroup,
    User,
)
from ttconfig.sandbox.services.ttaccount import OPT_IN_KEYS
from ttconfig.sandbox.services.ttsetup import DEFAULT_SCOPE

__all__ = ["ENVIRONMENTS", "build_all", "build_seed"]

def build_seed(environment: str, *, accounts: int | None = None) -> dict[str, Any]:
    """Return the seeded data of one TT environment as a JSON-able dict.

    ``accounts=None`` gives the hand-crafted demo firm; ``accounts=N`` adds generated
    books until the main company holds N accounts (ValueError if N is below the demo's).
    """
    if environment not in ENVIRONMENTS:
        raise ValueError(f"unknown TT environment {environment!r}")
    firm = _Firm(environment)
    _add_reference(firm)
    hpt = _add_company(firm, HPT)
    _add_company(firm, MRDN)
    if accounts is not None:
        _add_generated(firm, hpt, accounts)
    _add_user_groups(firm, hpt)
    for group in RISK_GROUPS:
        _add_risk_group(firm, hpt, group)
    _add_limit_rows(firm)
    _add_tag_defaults(firm, hpt)
    _add_margins(firm, hpt)
    _add_positions(firm)
    return {"nextId": next(firm.ids), **firm.data}


SEED = hashlib.sha256(b"".join(
    Path(module).read_bytes() for module in (__file__, seed_data.__file__))).hexdigest()[:16]
"""What the seeded firms are made from (this module and its data): a state file saved from
another seed (an older ttconfig's) is not this demo firm."""


def build_all(*, accounts: int | None = None) -> dict[str, Any]:
    """Return the seeded data of every TT environment, as the sandbox stores it."""
    environments = {env: build_seed(env, accounts=accounts) for env in ENVIRONMENTS}
    return {"version": 1, "seed": SEED, "environments": environments}


class _Firm:
    """The tables of one environment under construction, and lookups into them."""

    def __init__(self, env: str) -> None:
        self.env = env
        self.ids = itertools.count(ID_BASE[env])
        self.data: dict[str, list[Json]] = {table: [] for table in TABLES}
        self.specs: dict[str, Product] = {}  # product key -> spec
        self.products: dict[str, Json] = {}  # product key -> product
        self.instruments: dict[str, list[str]] = {}  # product key -> instrument ids
        self.accounts: dict[str, Json] = {}  # name -> account
        self.account_limits: dict[str, Json] = {}  # account name -> accountLimits row
        self.users: dict[str, Json] = {}  # alias -> user
        self.user_limits: dict[str, Json] = {}  # alias -> userLimits row
        self.groups: dict[str, list[Json]] = {}  # user group name -> users

    def new_id(self) -> int:
        return next(self.ids)

    def has(self, only: str | None) -> bool:
        return only is None or only == self.env

    def credit(self, row: Account) -> int | None:
        return UAT_CREDIT.get(row.name, row.credit) if self.env == UAT else row.credit

    def looser(self, name: str) -> float:
        return UAT_LOOSER.get(name, 1.0) if self.env == UAT else 1.0


def _big_id(text: str) -> str:
    """A stable 64-bit unsigned id above 2**53, as TT gives products and instruments."""
    digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    return str(2**53 + 1 + digest % (2**64 - 2**53 - 1))


def _revision(text: str) -> int:
    return 1 + zlib.crc32(text.encode()) % 7


def _product_key(symbol: str, type_id: int) -> str:
    return symbol + {OPTION: "-O", SPREAD: "-S"}.get(type_id, "")


def _expiries(cycle: str, count: int) -> list[tuple[str, str]]:
    """The first expiries of a cycle from December 2026, as ("Dec26", "Z6")."""
    out: list[tuple[str, str]] = []
    year, month = FIRST_EXPIRY
    while len(out) < count:
        if month in CYCLES[cycle]:
            label = f"{MONTHS[month - 1]}{year % 100:02d}"
            out.append((label, f"{MONTH_CODES[month - 1]}{year % 10}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _instrument_names(spec: Product) -> list[tuple[str, str]]:
    """(alias, name) of each instrument of a product: "ES Dec26", "ESZ6"."""
    sym = spec.symbol
    if spec.type_id == SPREAD:
        pairs = itertools.pairwise(_expiries(spec.cycle, spec.listed + 1))
        return [(f"{sym} {a[0]}-{b[0]}", f"{sym}{a[1]}-{sym}{b[1]}") for a, b in pairs]
    if spec.type_id == OPTION:
        expiries = _expiries(spec.cycle, (spec.listed + 1) // 2)
        series = [
            (f"{sym} {label} {side}{spec.strike}", f"{sym}{code} {side}{spec.strike}")
            for label, code in expiries
            for side in "CP"
        ]
        return series[: spec.listed]
    expiries = _expiries(spec.cycle, spec.listed)
    return [(f"{sym} {label}", f"{sym}{code}") for label, code in expiries]


def _add_reference(firm: _Firm) -> None:
    firm.data["markets"] = [{"id": market, "name": name} for market, name in MARKETS]
    firm.data["productFamilies"] = [
        {"id": _family_id(market, name), "name": name, "marketId": market}
        for market, families in FAMILIES.items() for name, symbols in families.items()
        if any(firm.has(p.only) for p in PRODUCTS
               if p.market == market and p.symbol in symbols)]
    for spec in PRODUCTS:
        if firm.has(spec.only):
            _add_product(firm, spec)
    firm.data["orderTagFields"] = [
        {
            "fieldId": field.field_id,
            "marketId": field.market,
            "name": field.name,
            "isRequired": field.required,
            "valueTypeId": field.value_type,
            "enums": [
                {"valueEnumId": field.field_id * 100 + n, "valueEnumName": name}
                for n, name in enumerate(field.enums, start=1)
            ],
        }
        for field in FIELDS
    ]


def _family_id(market: int, name: str) -> str:
    return _big_id(f"family/{market}/{name}")


def _add_product(firm: _Firm, spec: Product) -> None:
    key = _product_key(spec.symbol, spec.type_id)
    product_id = _big_id(f"product/{spec.market}/{spec.type_id}/{spec.symbol}")
    family_id = _family_id(spec.market, next(
        name for name, symbols in FAMILIES[spec.market].items() if spec.symbol in symbols))
    firm.specs[key] = spec
    firm.products[key] = {
        "id": product_id,
        "symbol": spec.symbol,
        "name": spec.name,
        "marketId": spec.market,
        "productTypeId": spec.type_id,
        "familyId": family_id,
    }
    firm.data["products"].append(firm.products[key])
    firm.instruments[key] = []
    tick_size, tick_value = TICKS.get(spec.symbol, (0.01, 10.0))
    for alias, name in _instrument_names(spec):
        instrument_id = _big_id(f"instrument/{product_id}/{alias}")
        firm.instruments[key].append(instrument_id)
        expires = _expiration(alias)
        firm.data["instruments"].append({
            "id": instrument_id, "alias": alias, "name": name, "productId": product_id,
            "marketId": spec.market, "productTypeId": spec.type_id,
            "productSymbol": spec.symbol, "productFamilyId": family_id,
            "expirationDate": expires, "lastTradeDate": expires,
            "term": alias.removeprefix(f"{spec.symbol} ").split(" ")[0],
            "tickSize": tick_size, "tickValue": tick_value,
            "pointValue": round(tick_value / tick_size, 6)})


def _expiration(alias: str) -> int:
    """The expiration of an instrument as TT gives it, an int yyyyMMddHHmmss (contract §9):
    the third Friday of its (first) expiry month, at 13:30 (ASSUMED: the time of day)."""
    label = re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(\d\d)", alias)
    assert label is not None, alias
    month, year = MONTHS.index(label.group(1)) + 1, 2000 + int(label.group(2))
    first = datetime.date(year, month, 1)
    third_friday = 1 + (4 - first.weekday()) % 7 + 14
    return int(f"{year:04d}{month:02d}{third_friday:02d}133000")


def _add_company(firm: _Firm, spec: Company) -> int:
    """Add a company with its accounts, users, account links and app key; return its id."""
    company_id = firm.new_id()
    firm.data["companies"].append({"id": company_id, "name": spec.name, "abbrevName": spec.abbrev,
                                   # company settings (ASSUMED keys, contract §9)
                                   "defaultLimitsToZero": False, "advancedRisk": True,
                                   "marketImpact": True})
    for account in spec.accounts:
        if firm.has(account.only):
            _add_account(firm, company_id, account)
    rows = [row for row in spec.users if firm.has(row.only)]
    users = [_add_user(firm, company_id, spec.domain, row) for row in rows]
    api_user = next(user for user, row in zip(users, rows, strict=True) if row.role == "api")
    risk_user = next((user for user, row in zip(users, rows, strict=True)
                      if row.role == "risk"), None)
    company = next(c for c in firm.data["companies"] if c["id"] == company_id)
    company["liquidationUserId"] = None if risk_user is None else risk_user["id"]
    plan = spec.plans[ENVIRONMENTS.index(firm.env)]
    firm.data["appKeys"].append(
        {
            "key": str(uuid.uuid5(APP_KEY_NAMESPACE, f"{firm.env}/{spec.label}/key")),
            "secret": str(uuid.uuid5(APP_KEY_NAMESPACE, f"{firm.env}/{spec.label}/secret")),
            "companyId": company_id,
            "userId": api_user["id"],
            "usagePlan": plan,
            "label": spec.label,
        }
    )
    return company_id


def _add_account(
    firm: _Firm, company_id: int, row: Account, keys: tuple[str, ...] | None = None
) -> Json:
    """Add an account with its risk settings, restrictions and desk product limits."""
    account_id = firm.new_id()
    account = {
        "id": account_id,
        "name": row.name,
        "accountType": row.type_id,
        "companyId": company_id,
        "parentId": None if row.parent is None else firm.accounts[row.parent]["id"],
        "description": row.description,
        "revision": _revision(row.name),
        "orderCrossPrevention": CROSS_PREVENTION.get(row.profile, "notApplied"),
    }
    firm.accounts[row.name] = account
    firm.data["accounts"].append(account)
    profile = PROFILES[row.profile]
    firm.data["riskSettings"].append(
        {
            "accountId": account_id,
            "creditLimit": firm.credit(row),
            "currency": row.currency,
            "applyPnl": profile.apply_pnl,
            "applyMargin": profile.apply_margin,
            "tradeOutAllowed": profile.trade_out,
            "createSodRecords": profile.sod,
            "createSpreadSodRecords": profile.spread_sod,
            "checkCredit": profile.apply_pnl or profile.apply_margin,
            "applyToBlockCross": profile.block_cross_credit,
            "positionResetTime": profile.reset_time,
            "creditLossActions": [{"action": action, "atPercent": percent}
                                  for action, percent in profile.loss_actions],
            **{key: None for key in OPT_IN_KEYS},  # (not set unless the desk sets it)
            **dict(zip(("nearTouchTicks", "farTouchTicks"),
                       DESK_TOUCH_BANDS.get(row.desk, (None, None)), strict=True)),
            **DESK_RISK_SETTINGS.get(row.desk, {}),
            "algoParentLimits": [
                {"orderType": order_type, "maxOrderQty": qty, "priceReasonabilityTicks": ticks}
                for order_type, (qty, ticks) in DESK_PARENT_LIMITS.get(row.desk, {}).items()],
        }
    )
    restrictions = {"apply": True, "adlAlgoApprovalRequired": "adl" in profile.approvals,
                    **{name: name not in profile.denied for name in RESTRICTIONS}}
    firm.data["restrictions"].append({"accountId": account_id, **restrictions})
    keys = DESKS.get(row.desk, ()) if keys is None else keys
    limits: Json = {
        "accountId": account_id,
        "riskLimitSettings": {"applyLimits": bool(keys) or row.profile == "closed"},
        "productLimits": [],
        "contractLimits": [],
        "interProductLimits": [],
    }
    firm.account_limits[row.name] = limits
    firm.data["accountLimits"].append(limits)
    scale = row.scale * firm.looser(row.name)
    for index, key in enumerate(keys):
        style = row.style or _desk_style(index, firm.specs[key].type_id)
        checks = DESK_CHECKS.get(row.desk, {}) if index == 0 else {}
        _put_limit(limits, {**_limit(firm, key, scale, style), **checks})
    if row.desk in DESK_DEFAULTS and keys:
        market, type_id, qty = DESK_DEFAULTS[row.desk]
        _put_limit(limits, {**ROW_DEFAULTS, "id": firm.new_id(), "marketId": market,
                            "productTypeId": type_id, "productId": None, "instrumentId": None,
                            "productFamilyId": None, "maxOrderQty": qty})
    if row.desk in DESK_FAMILIES and keys:
        market, family, type_id, qty = DESK_FAMILIES[row.desk]
        _put_limit(limits, {**ROW_DEFAULTS, "id": firm.new_id(), "marketId": market,
                            "productTypeId": type_id, "productId": None, "instrumentId": None,
                            "productFamilyId": _family_id(market, family), "maxOrderQty": qty})
    if row.desk in DESK_SPREADS and keys:
        legs, qty, position = DESK_SPREADS[row.desk]
        limits["interProductLimits"].append({
            **ROW_DEFAULTS, "id": firm.new_id(), "maxOrderQty": qty, "maxPosition": position,
            "legs": [{"marketId": firm.specs[key].market,
                      "productTypeId": firm.specs[key].type_id,
                      "productId": firm.products[key]["id"]} for key in legs]})
    return account


def _desk_style(index: int, type_id: int) -> str:
    """The usual shape of a desk's limit: first products fully set, options left open."""
    if type_id == SPREAD:
        return "qty"
    if type_id == OPTION:
        return "open" if index % 2 else "pos"
    return "full" if index < 2 else "pos"


def _limit(firm: _Firm, key: str, scale: float, style: str, contract: int | None = None) -> Json:
    spec = firm.specs[key]
    qty = max(1, round(spec.base_qty * scale))
    order, position, long, short, ticks = STYLES[style]
    return {
        **ROW_DEFAULTS,
        "id": firm.new_id(),
        "marketId": spec.market,
        "productTypeId": spec.type_id,
        "productId": firm.products[key]["id"],
        "instrumentId": None if contract is None else firm.instruments[key][contract],
        "productFamilyId": None,
        "tradingAllowed": style != "block",
        "spreadTradingAllowed": style not in ("block", "flat"),
        "maxOrderQty": None if order is None else qty * order,
        "maxPosition": None if position is None else qty * position,
        "maxLongPosition": None if long is None else qty * long,
        "maxShortPosition": None if short is None else qty * short,
        "priceReasonabilityTicks": spec.ticks if ticks else None,
    }


def _put_limit(owner: Json, limit: Json) -> None:
    table = "productLimits" if limit["instrumentId"] is None else "contractLimits"
    owner[table].append(limit)


def _add_user(firm: _Firm, company_id: int, domain: str, row: User) -> Json:
    """Add a user, its account links and its user-group membership."""
    role = ROLES[row.role]
    alias = row.alias or row.login.upper() or (row.first[0] + row.last).upper()
    user = {
        "id": firm.new_id(),
        "alias": alias,
        "email": f"{row.login or f'{row.first}.{row.last}'.lower()}@{domain}",
        "firstName": row.first,
        "lastName": row.last,
        "userActive": role.active,
        "tradeMode": role.trade_mode,
        "invitationPending": role.invited,
        "companyId": company_id,
        "settings": {
            "disableTrading": role.disable_trading,
            "fullAdmin": role.full_admin,
            "viewOnlyAdmin": role.view_admin,
        },
        "revision": _revision(alias),
    }
    firm.users[alias] = user
    firm.data["users"].append(user)
    for name in row.accounts:
        firm.data["accountUsers"].append(
            {
                "accountId": firm.accounts[name]["id"],
                "userId": user["id"],
                "orderPermissions": {key: key in role.orders for key in ORDER_KEYS},
                "permissions": {key: key in role.perms for key in PERM_KEYS},
            }
        )
    if row.group:
        firm.groups.setdefault(row.group, []).append(user)
    if row.role in EXCHANGE_ROLES:  # traders see CME's prices and route there as themselves
        firm.data["userExchanges"].append({"userId": user["id"], "exchanges": [
            {"marketId": CME, "marketData": True, "productGroups": None, "orderRouting": True,
             "traderId": alias, "operatorId": alias.upper(), "marketDataType": "subscriber",
             "nonDisplay": False}]})
    return user


def _add_user_groups(firm: _Firm, company_id: int) -> None:
    for name in USER_GROUPS:
        group_id = firm.new_id()
        firm.data["userGroups"].append(
            {"id": group_id, "name": name, "companyId": company_id, "revision": _revision(name)}
        )
        firm.data["userGroupUsers"].extend(
            {"userGroupId": group_id, "userId": user["id"]} for user in firm.groups.get(name, [])
        )


def _add_risk_group(firm: _Firm, company_id: int, spec: RiskGroup) -> None:
    group_id = firm.new_id()
    firm.data["riskGroups"].append(
        {
            "id": group_id,
            "name": spec.name,
            "description": spec.description,
            "companyId": company_id,
            "revision": _revision(spec.name),
        }
    )
    firm.data["riskGroupAccounts"].extend(
        {"riskGroupId": group_id, "accountId": firm.accounts[name]["id"]} for name in spec.members
    )
    limits: Json = {"riskGroupId": group_id, "productLimits": [], "contractLimits": []}
    for index, key in enumerate(spec.keys):
        _put_limit(limits, _limit(firm, key, spec.scale, "full" if index == 0 else "pos"))
    firm.data["riskGroupLimits"].append(limits)
    firm.data["riskGroupRiskSettings"].append(
        {"riskGroupId": group_id, "creditLimit": spec.credit, "currency": "USD"})


def _user_limits(firm: _Firm, alias: str) -> Json:
    """The userLimits row of a user, created on first use."""
    if alias not in firm.user_limits:
        row: Json = {"userId": firm.users[alias]["id"], "productLimits": [], "contractLimits": []}
        firm.user_limits[alias] = row
        firm.data["userLimits"].append(row)
    return firm.user_limits[alias]


def _add_limit_rows(firm: _Firm) -> None:
    """The hand-set account and user limits beyond the desks' product lists."""
    for row in ACCOUNT_LIMITS:
        if firm.has(row.only):
            scale = row.scale * firm.looser(row.owner)
            limit = _limit(firm, row.key, scale, row.style, row.contract)
            _put_limit(firm.account_limits[row.owner], limit)
    for row in USER_LIMITS:
        if firm.has(row.only):
            limit = _limit(firm, row.key, row.scale, row.style, row.contract)
            _put_limit(_user_limits(firm, row.owner), limit)


def _add_tag_defaults(firm: _Firm, company_id: int) -> None:
    for row in TAG_DEFAULTS:
        if firm.has(row.only):
            account_id = None if row.account is None else firm.accounts[row.account]["id"]
            user_id = None if row.user is None else firm.users[row.user]["id"]
            scope: dict[str, Any] = dict(row.scope)
            if "product" in scope:  # (a symbol in the seed's data, the product's id on TT)
                key = scope.pop("product")
                scope["productId"] = firm.products[key]["id"]
            if "productTypeId" in scope:
                scope["productTypeId"] = int(scope["productTypeId"])
            _tag_default(firm, company_id, account_id, user_id, row.field_id, row.value, scope)
    for group, field_id in DESK_TAGS:
        for user in firm.groups.get(group, []):
            _tag_default(firm, company_id, None, user["id"], field_id, user["alias"])


def _tag_default(
    firm: _Firm, company_id: int, account_id: int | None, user_id: int | None, field_id: int,
    value: str, scope: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    firm.data["orderTagDefaults"].append(
        {
            "id": firm.new_id(),
            "companyId": company_id,
            "accountId": account_id,
            "userId": user_id,
            "marketId": FIELD_BY_ID[field_id].market,
            "fieldId": field_id,
            "value": value,
            **dict.fromkeys(DEFAULT_SCOPE),
            **(scope or {}),
        }
    )


def _add_margins(firm: _Firm, company_id: int) -> None:
    for key, outright, spread in MARGINS:
        product = firm.products[key]
        firm.data["productMargins"].append(
            {
                "id": firm.new_id(),
                "companyId": company_id,
                "marketId": product["marketId"],
                "productTypeId": product["productTypeId"],
                "productId": product["id"],
                "currency": MARKET_CURRENCY[product["marketId"]],
                "outrightMargin": outright,
                "spreadMargin": spread,
            }
        )


def _add_positions(firm: _Firm) -> None:
    """What ttmonitor reports of the demo accounts: their positions per contract and the
    credit they use (ASSUMED shapes, contract §9). Generated accounts hold nothing: a large
    seed stays cheap, and the demo's plans read only the demo's accounts."""
    held: dict[str, list[Json]] = {}
    for row in POSITIONS:
        if firm.has(row.only):
            held.setdefault(row.account, []).append({
                "instrumentId": firm.instruments[row.key][row.contract],
                "netPosition": row.net, "workingBuyQty": row.working_buy,
                "workingSellQty": row.working_sell})
    firm.data["positions"] = [{"accountId": firm.accounts[name]["id"], "instruments": rows}
                              for name, rows in held.items()]
    firm.data["creditUsage"] = [{"accountId": firm.accounts[name]["id"], "creditUsed": used}
                                for name, used in CREDIT_USED.items()]


# ------------------------------------------------------------------- generated books (scale)


def _add_generated(firm: _Firm, company_id: int, total: int) -> None:
    """Add parent/child books of generated accounts until the company has `total`."""
    have = sum(1 for account in firm.data["accounts"] if account["companyId"] == company_id)
    if total < have:
        raise ValueError(f"accounts={total} is below the {have} accounts of the demo firm")
    rng = random.Random(zlib.crc32(f"ttconfig-seed/{firm.env}".encode()))
    remaining, block = total - have, 0
    while remaining:
        block += 1
        size = min(remaining, rng.randint(3, 9))
        _add_book(firm, company_id, rng, block, size)
        remaining -= size


def _add_book(firm: _Firm, company_id: int, rng: random.Random, block: int, size: int) -> None:
    """One generated book: a parent, size-1 children, a supervisor and their traders."""
    omnibus = block % 3 == 0
    name = f"HPT-{'OMNI' if omnibus else 'BOOK'}-{block:04d}"
    kind, profile = ("customer omnibus", "customer") if omnibus else ("house book", "prop")
    parent = Account(name, OMNIBUS if omnibus else HOUSE, None, f"Generated {kind} {block}",
                      profile, scale=5.0, credit=rng.choice(GEN_CREDIT))  # fmt: skip
    _add_account(firm, company_id, parent, tuple(rng.sample(GEN_KEYS, 2)))
    children = [
        _add_child(firm, company_id, rng, parent, f"{name}-{n:02d}") for n in range(1, size)
    ]
    supervisor = rng.choice(("risk", "risk", "ops", "viewer"))
    _add_gen_user(firm, company_id, rng, supervisor, (name,))
    for start in range(0, len(children), 2):
        role = rng.choices(("trader", "viewer", "inactive", "invited"), (85, 9, 4, 2))[0]
        _add_gen_user(firm, company_id, rng, role, tuple(children[start : start + 2]))
    if block % 10 == 0 and children:
        group = RiskGroup(f"Book Group {block:04d}", f"Aggregate limits of {name}'s accounts",
                           tuple(children), tuple(rng.sample(GEN_KEYS, 2)), 8.0)  # fmt: skip
        _add_risk_group(firm, company_id, group)


def _add_child(
    firm: _Firm, company_id: int, rng: random.Random, parent: Account, name: str
) -> str:
    draw = rng.random()
    profile = parent.profile if draw > 0.03 else "cancel_only" if draw > 0.01 else "closed"
    type_id = CUSTOMER if parent.type_id == OMNIBUS else HOUSE
    row = Account(name, type_id, parent.name, f"Sub-account of {parent.name}", profile,
                   scale=rng.choice(GEN_SCALES), credit=rng.choice(GEN_CREDIT),
                   style=rng.choice(GEN_STYLES))  # fmt: skip
    keys = () if draw > 0.92 else tuple(rng.sample(GEN_KEYS, rng.randint(1, 4)))
    _add_account(firm, company_id, row, keys)
    if keys and rng.random() < 0.25:
        limit = _limit(firm, keys[0], row.scale / 2, "pos", rng.randrange(2))
        _put_limit(firm.account_limits[name], limit)
    return name


def _add_gen_user(
    firm: _Firm, company_id: int, rng: random.Random, role: str, accounts: tuple[str, ...]
) -> None:
    number = len(firm.users) + 1
    first, last = rng.choice(GEN_FIRST), rng.choice(GEN_LAST)
    group = rng.choice(USER_GROUPS) if role == "trader" and rng.random() < 0.6 else ""
    row = User(first, last, role, group, accounts, login=f"{first}.{last}{number}".lower(),
                alias=f"{first[0]}{last}{number}".upper())  # fmt: skip
    _add_user(firm, company_id, HPT.domain, row)
    if role == "trader" and rng.random() < 0.125:
        limit = _limit(firm, rng.choice(GEN_KEYS), rng.choice(GEN_SCALES), "qty")
        _put_limit(_user_limits(firm, row.alias), limit)

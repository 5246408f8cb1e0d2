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

import hashlib
import itertools
import random
import uuid
import zlib
from typing import Any, NamedTuple

ENVIRONMENTS: tuple[str, ...] = ("ext_uat_cert", "ext_prod_live")
UAT, PROD = ENVIRONMENTS

Json = dict[str, Any]

FUTURE, OPTION, SPREAD, STOCK, INDEX = 34, 51, 27, 48, 1  # productTypeId
CUSTOMER, HOUSE, OMNIBUS = 1, 2, 3  # accountType
CME, EUREX, ICE = 7, 28, 32  # marketId
TEXT, NUMBER, ENUM = 1, 2, 3  # order-tag field valueTypeId (ASSUMED)

_ID_BASE = {UAT: 310_001, PROD: 720_001}
_APP_KEY_NAMESPACE = uuid.UUID("5f0c9a7e-3b1d-5e4a-8c2f-6d7e8f9a0b1c")
_FIRST_EXPIRY = (2026, 12)
_TABLES = (
    "markets", "products", "instruments", "orderTagFields", "companies", "appKeys",
    "accounts", "accountLimits", "riskSettings", "restrictions", "accountUsers", "users",
    "userLimits", "userGroups", "userGroupUsers", "riskGroups", "riskGroupAccounts",
    "riskGroupLimits", "orderTagDefaults", "productMargins",
)  # fmt: skip

# --------------------------------------------------------------------------- reference data

_MARKETS: tuple[tuple[int, str], ...] = ((CME, "CME"), (EUREX, "Eurex"), (ICE, "ICE"))
_MARKET_CURRENCY = {CME: "USD", EUREX: "EUR", ICE: "USD"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_CODES = "FGHJKMNQUVXZ"
_CYCLES = {
    "Q": (3, 6, 9, 12),
    "M": tuple(range(1, 13)),
    "H": (3, 5, 7, 9, 12),
    "B": (2, 4, 6, 8, 10, 12),
}


class _Product(NamedTuple):
    market: int
    type_id: int
    symbol: str
    name: str
    cycle: str  # expiry cycle, a key of _CYCLES
    listed: int  # instruments listed
    base_qty: int  # a typical max order quantity for a desk account
    ticks: int | None  # a typical price-reasonability band
    strike: int = 0  # options only
    only: str | None = None  # None: both environments


_PRODUCTS: tuple[_Product, ...] = (
    _Product(CME, FUTURE, "ES", "E-mini S&P 500", "Q", 4, 200, 40),
    _Product(CME, FUTURE, "NQ", "E-mini Nasdaq-100", "Q", 3, 100, 60),
    _Product(CME, FUTURE, "YM", "E-mini Dow Jones ($5)", "Q", 2, 100, 50),
    _Product(CME, FUTURE, "RTY", "E-mini Russell 2000", "Q", 2, 100, 40),
    _Product(CME, FUTURE, "MES", "Micro E-mini S&P 500", "Q", 2, 1000, 40),
    _Product(CME, FUTURE, "ZN", "10-Year T-Note", "Q", 3, 1000, 20),
    _Product(CME, FUTURE, "ZB", "U.S. Treasury Bond", "Q", 3, 500, 20),
    _Product(CME, FUTURE, "ZF", "5-Year T-Note", "Q", 2, 1000, 20),
    _Product(CME, FUTURE, "ZT", "2-Year T-Note", "Q", 2, 1000, 20),
    _Product(CME, FUTURE, "SR3", "Three-Month SOFR", "Q", 4, 2000, 10),
    _Product(CME, FUTURE, "CL", "Crude Oil", "M", 4, 100, 50),
    _Product(CME, FUTURE, "NG", "Henry Hub Natural Gas", "M", 4, 100, 50),
    _Product(CME, FUTURE, "RB", "RBOB Gasoline", "M", 3, 50, 50),
    _Product(CME, FUTURE, "HO", "NY Harbor ULSD", "M", 3, 50, 50),
    _Product(CME, FUTURE, "GC", "Gold", "B", 3, 100, 40),
    _Product(CME, FUTURE, "SI", "Silver", "H", 2, 50, 40),
    _Product(CME, FUTURE, "HG", "Copper", "H", 3, 50, 40),
    _Product(CME, FUTURE, "6E", "Euro FX", "Q", 3, 500, 30),
    _Product(CME, FUTURE, "6J", "Japanese Yen", "Q", 2, 300, 30),
    _Product(CME, FUTURE, "ZC", "Corn", "H", 3, 200, 20),
    _Product(CME, FUTURE, "ZS", "Soybeans", "H", 3, 200, 20),
    _Product(CME, OPTION, "LO", "Crude Oil Options", "M", 4, 200, None, 70),
    _Product(CME, OPTION, "OZN", "10-Year T-Note Options", "Q", 4, 1000, None, 112),
    _Product(CME, OPTION, "OG", "Gold Options", "B", 2, 100, None, 4000),
    _Product(CME, SPREAD, "CL", "Crude Oil Calendar Spread", "M", 2, 200, 20),
    _Product(CME, SPREAD, "ZN", "10-Year T-Note Calendar Spread", "Q", 2, 2000, 10),
    _Product(CME, SPREAD, "ES", "E-mini S&P 500 Calendar Spread", "Q", 2, 500, 10),
    _Product(ICE, FUTURE, "BRN", "Brent Crude Futures", "M", 4, 100, 50),
    _Product(ICE, FUTURE, "G", "Low Sulphur Gasoil Futures", "M", 3, 50, 50),
    _Product(ICE, FUTURE, "T", "WTI Crude Futures", "M", 3, 100, 50),
    _Product(ICE, FUTURE, "TFM", "Dutch TTF Natural Gas Futures", "M", 3, 50, 40),
    _Product(ICE, FUTURE, "I", "Three Month Euribor Futures", "Q", 4, 2000, 10),
    _Product(ICE, FUTURE, "R", "Long Gilt Futures", "Q", 2, 500, 20),
    _Product(ICE, FUTURE, "KC", 'Coffee "C" Futures', "H", 3, 50, 30),
    _Product(ICE, FUTURE, "SB", "Sugar No. 11 Futures", "H", 3, 100, 30),
    _Product(ICE, FUTURE, "CC", "Cocoa Futures", "H", 2, 50, 30),
    _Product(ICE, FUTURE, "DX", "US Dollar Index Futures", "Q", 2, 200, 30),
    _Product(ICE, OPTION, "BRN", "Brent Crude Options", "M", 2, 100, None, 70),
    _Product(ICE, SPREAD, "BRN", "Brent Crude Calendar Spread", "M", 2, 200, 20),
    _Product(EUREX, FUTURE, "FDAX", "DAX Futures", "Q", 3, 20, 40),
    _Product(EUREX, FUTURE, "FDXM", "Mini-DAX Futures", "Q", 2, 100, 40),
    _Product(EUREX, FUTURE, "FESX", "EURO STOXX 50 Index Futures", "Q", 3, 500, 30),
    _Product(EUREX, FUTURE, "FSMI", "SMI Futures", "Q", 2, 100, 30),
    _Product(EUREX, FUTURE, "FVS", "VSTOXX Mini Futures", "M", 3, 200, 30),
    _Product(EUREX, FUTURE, "FGBL", "Euro-Bund Futures", "Q", 3, 1000, 20),
    _Product(EUREX, FUTURE, "FGBM", "Euro-Bobl Futures", "Q", 2, 1000, 20),
    _Product(EUREX, FUTURE, "FGBS", "Euro-Schatz Futures", "Q", 2, 1000, 20),
    _Product(EUREX, FUTURE, "FGBX", "Euro-Buxl Futures", "Q", 2, 200, 20),
    _Product(EUREX, OPTION, "OESX", "EURO STOXX 50 Index Options", "M", 4, 500, None, 5500),
    _Product(EUREX, OPTION, "OGBL", "Euro-Bund Options", "Q", 2, 500, None, 128),
    _Product(EUREX, SPREAD, "FGBL", "Euro-Bund Calendar Spread", "Q", 2, 2000, 10),
    _Product(CME, FUTURE, "TSTF", "UAT Test Future (CME simulation)", "Q", 2, 10, 20, only=UAT),
    _Product(EUREX, FUTURE, "FTST", "UAT Test Future (Eurex simulation)", "Q", 2, 10, 20, only=UAT),
)


class _Field(NamedTuple):
    field_id: int
    market: int
    name: str
    required: int
    value_type: int
    enums: tuple[str, ...] = ()


_FIELDS: tuple[_Field, ...] = (
    _Field(101, CME, "Operator ID", 1, TEXT),
    _Field(102, CME, "Manual Order Indicator", 1, ENUM, ("Y", "N")),
    _Field(103, CME, "Customer Type Indicator", 0, ENUM, ("1", "2", "3", "4")),
    _Field(201, ICE, "Authorized Trader", 1, TEXT),
    _Field(202, ICE, "Manual Order Indicator", 1, ENUM, ("Y", "N")),
    _Field(203, ICE, "Client ID", 0, TEXT),
    _Field(301, EUREX, "Compliance ID", 1, TEXT),
    _Field(302, EUREX, "Execution Decision", 1, NUMBER),
    _Field(303, EUREX, "Investment Decision", 0, NUMBER),
    _Field(304, EUREX, "Trading Capacity", 1, ENUM, ("DEAL", "MTCH", "AOTC")),
    _Field(305, EUREX, "Liquidity Provision", 0, ENUM, ("Y", "N")),
)
_FIELD_BY_ID = {field.field_id: field for field in _FIELDS}

# ------------------------------------------------------------------ profiles, roles, limits

_RESTRICTIONS = (
    "placeOrders", "modifyOrders", "ttApi", "ttOrderTypes", "autospreader",
    "submitBlockCross", "marketOrders", "gtcOrders", "obo", "algoSdk", "adl",
)  # fmt: skip
_ALL = frozenset(_RESTRICTIONS)


class _Profile(NamedTuple):
    """What an account may do: restrictions denied and its risk-settings flags."""

    denied: frozenset[str]
    apply_pnl: bool = True
    apply_margin: bool = True
    trade_out: bool = True
    sod: bool = True
    spread_sod: bool = False


_TRAINING_DENIED = frozenset(
    {"ttApi", "algoSdk", "adl", "obo", "marketOrders", "gtcOrders", "submitBlockCross"}
)
_PROFILES: dict[str, _Profile] = {
    "open": _Profile(frozenset()),
    "prop": _Profile(frozenset({"obo"})),
    "spreads": _Profile(frozenset({"obo"}), spread_sod=True),
    "mm": _Profile(frozenset({"obo", "marketOrders"}), spread_sod=True),
    "customer": _Profile(frozenset({"ttApi", "algoSdk", "adl"})),
    "training": _Profile(_TRAINING_DENIED),
    "cancel_only": _Profile(_ALL - {"modifyOrders"}),
    "error": _Profile(
        _ALL - {"placeOrders", "modifyOrders", "marketOrders", "ttOrderTypes"}, apply_margin=False
    ),
    "post_trade": _Profile(_ALL, apply_pnl=False, apply_margin=False, trade_out=False),
    "closed": _Profile(_ALL, apply_pnl=False, apply_margin=False, trade_out=False, sod=False),
}

_ORDER_KEYS = (
    "placeOrders", "modifyOrders", "deleteOrders", "submitBlockCrossOrders", "submitStagedOrders",
)  # fmt: skip
_PERM_KEYS = ("updatePositions", "confirmFills", "modifyClearingAccountOnFills", "viewOnly")
_TRADE = frozenset({"placeOrders", "modifyOrders", "deleteOrders"})
_BLOCKS = _TRADE | {"submitBlockCrossOrders", "submitStagedOrders"}


class _Role(NamedTuple):
    """A user's settings and the permissions of each of its account links."""

    trade_mode: int  # 1 view-only, 2 standard, 3 pro
    orders: frozenset[str]
    perms: frozenset[str] = frozenset()
    full_admin: int = 0
    view_admin: int = 0
    disable_trading: int = 0
    active: int = 1
    invited: int = 0


_ROLES: dict[str, _Role] = {
    "admin": _Role(2, _TRADE, frozenset({"updatePositions", "confirmFills"}), full_admin=1),
    "api": _Role(1, frozenset(), full_admin=1, disable_trading=1),
    "risk": _Role(
        2,
        frozenset({"deleteOrders"}),
        frozenset({"updatePositions", "confirmFills", "modifyClearingAccountOnFills"}),
        view_admin=1,
    ),
    "ops": _Role(1, frozenset(), frozenset({"confirmFills", "modifyClearingAccountOnFills"})),
    "viewer": _Role(1, frozenset(), frozenset({"viewOnly"})),
    "trader": _Role(3, _TRADE),
    "senior": _Role(3, _BLOCKS, frozenset({"confirmFills"})),
    "broker": _Role(2, _BLOCKS),
    "tester": _Role(3, frozenset(_ORDER_KEYS)),
    "inactive": _Role(3, _TRADE, active=0, disable_trading=1),
    "invited": _Role(2, _TRADE, invited=1),
}

# style -> multipliers of the row's quantity for maxOrderQty, maxPosition, maxLongPosition,
# maxShortPosition (None: not set), and whether priceReasonabilityTicks is set
_STYLES: dict[str, tuple[int | None, int | None, int | None, int | None, bool]] = {
    "full": (1, 5, 4, 3, True),
    "pos": (1, 5, None, None, True),
    "qty": (1, None, None, None, False),
    "flat": (1, 0, 0, 0, True),  # trade out only: no position may be held
    "open": (None, None, None, None, False),  # allowed, nothing set
    "block": (0, None, None, None, False),  # trading not allowed
}

# the products an account of each desk gets a product limit for, by product key
_DESKS: dict[str, tuple[str, ...]] = {
    "prop": ("ES", "ZN", "CL", "FGBL", "GC"),
    "rates": ("ZN", "ZB", "ZF", "ZT", "SR3", "ZN-S", "OZN-O", "FGBL", "FGBM", "R", "I"),
    "energy": ("CL", "NG", "RB", "HO", "CL-S", "LO-O", "BRN", "G", "T", "TFM", "BRN-S"),
    "eqidx": ("ES", "NQ", "YM", "RTY", "MES", "ES-S", "FDAX", "FESX"),
    "metals": ("GC", "SI", "HG", "OG-O"),
    "arb": ("CL-S", "ZN-S", "ES-S", "BRN-S", "FGBL-S"),
    "calendar": ("CL-S", "ZN-S", "ES-S", "BRN-S", "FGBL-S", "CL", "ZN"),
    "xmkt": ("CL", "T", "BRN", "ZN", "FGBL", "ES", "FESX"),
    "mm": ("FGBL", "BRN", "FESX"),
    "eurex_mm": ("FGBL", "FGBM", "FGBS", "FGBX", "FGBL-S", "OGBL-O", "FESX", "OESX-O", "FDAX"),
    "ice_mm": ("BRN", "G", "T", "TFM", "BRN-S", "BRN-O"),
    "customer": ("ES", "NQ", "ZN", "CL", "GC", "6E"),
    "hedge": ("6E", "6J", "DX", "ZN", "ES"),
    "error": ("ES", "NQ", "ZN", "ZB", "CL", "FGBL", "FDAX", "BRN"),
    "training": ("MES", "ES", "ZN"),
    "uat_test": ("TSTF", "FTST", "ES", "CL"),
}

# ----------------------------------------------------------------------------- the firms


class _Account(NamedTuple):
    name: str
    type_id: int
    parent: str | None
    description: str
    profile: str  # a key of _PROFILES
    desk: str = ""  # a key of _DESKS; "" = no limits, applyLimits off
    scale: float = 1.0  # of the products' base quantities
    credit: int | None = None
    currency: str = "USD"
    style: str = ""  # force one limit style on every desk product
    only: str | None = None


_HPT_ACCOUNTS: tuple[_Account, ...] = (
    _Account("HPT-PROP", HOUSE, None, "Proprietary trading: parent of the prop desks",
             "prop", "prop", 4.0, 60_000_000),
    _Account("HPT-PROP-RATES", HOUSE, "HPT-PROP", "Prop rates: Treasuries, SOFR, Bund, Gilt",
             "prop", "rates", 1.0, 15_000_000),
    _Account("HPT-PROP-ENERGY", HOUSE, "HPT-PROP", "Prop energy: WTI, Brent, gas, products",
             "prop", "energy", 1.0, 12_000_000),
    _Account("HPT-PROP-EQIDX", HOUSE, "HPT-PROP", "Prop equity index: S&P, Nasdaq, DAX, STOXX",
             "prop", "eqidx", 1.0, 20_000_000),
    _Account("HPT-PROP-METALS", HOUSE, "HPT-PROP", "Prop metals: gold, silver, copper",
             "prop", "metals", 0.5, 5_000_000),
    _Account("HPT-ARB", HOUSE, None, "Arbitrage: parent of the spread books",
             "spreads", "arb", 3.0, 30_000_000),
    _Account("HPT-ARB-CAL", HOUSE, "HPT-ARB", "Calendar-spread arbitrage",
             "spreads", "calendar", 1.0, 10_000_000),
    _Account("HPT-ARB-XMKT", HOUSE, "HPT-ARB", "Cross-market arbitrage: WTI/Brent, T-Note/Bund",
             "spreads", "xmkt", 1.0, 10_000_000),
    _Account("HPT-MM", HOUSE, None, "Market making: parent of the exchange programmes",
             "mm", "mm", 5.0, 40_000_000),
    _Account("HPT-MM-EUREX", HOUSE, "HPT-MM", "Eurex market-making programme (Bund, STOXX)",
             "mm", "eurex_mm", 2.0, 15_000_000, "EUR"),
    _Account("HPT-MM-ICE", HOUSE, "HPT-MM", "ICE Futures Europe market making (Brent, TTF)",
             "mm", "ice_mm", 1.5, 12_000_000),
    _Account("HPT-CUST", OMNIBUS, None, "Customer omnibus: parent of the customer accounts",
             "customer", "customer", 10.0),
    _Account("HPT-CUST-ALDER", CUSTOMER, "HPT-CUST", "Alder Capital LLC",
             "customer", "customer", 1.0, 2_000_000),
    _Account("HPT-CUST-BIRCH", CUSTOMER, "HPT-CUST", "Birch Street Partners LP",
             "customer", "customer", 0.5, 1_000_000),
    _Account("HPT-CUST-CEDAR", CUSTOMER, "HPT-CUST", "Cedar Ridge Family Office",
             "customer", "customer", 0.25, 500_000),
    _Account("HPT-CUST-ELM", CUSTOMER, "HPT-CUST", "Elm Grove Capital (onboarded in production)",
             "customer", "customer", 0.5, 750_000, only=PROD),
    _Account("HPT-IB", OMNIBUS, None, "Introducing-broker omnibus: Lakeside Brokerage",
             "customer", "customer", 5.0),
    _Account("HPT-IB-FALCON", CUSTOMER, "HPT-IB", "Falcon Ridge Trading (via Lakeside)",
             "customer", "customer", 0.5, 400_000),
    _Account("HPT-IB-DOGWOOD", CUSTOMER, "HPT-IB", "Dogwood Commodities: suspended pending "
             "KYC refresh, cancel only", "cancel_only", "customer", 0.25, 0),
    _Account("HPT-GIVEUP", OMNIBUS, None, "Give-up omnibus at the clearing firm: allocations",
             "post_trade"),
    _Account("HPT-HEDGE", HOUSE, None, "Treasury hedge of the firm's FX and rates exposure",
             "prop", "hedge", 1.0, 8_000_000),
    _Account("HPT-ERR", HOUSE, None, "Error account: trade-out of erroneous fills only",
             "error", "error", 0.5, 1_000_000, style="flat"),
    _Account("HPT-LEGACY-01", HOUSE, None, "Closed 2024-06-30 (former grains book); audit only",
             "closed", credit=0),
    _Account("HPT-TRAINING", HOUSE, None, "Junior trader training: small size, no algos",
             "training", "training", 0.01, 100_000),
    _Account("HPT-UAT-TEST", HOUSE, None, "UAT only: connectivity and conformance tests",
             "open", "uat_test", 0.5, only=UAT),
    _Account("HPT-UAT-ALGO", HOUSE, None, "UAT only: ADL and Algo SDK certification",
             "open", "eqidx", 0.1, only=UAT),
)  # fmt: skip

_UAT_CREDIT: dict[str, int | None] = {
    "HPT-PROP-ENERGY": 25_000_000,
    "HPT-PROP-EQIDX": None,
    "HPT-MM-EUREX": 20_000_000,
    "HPT-CUST-BIRCH": 5_000_000,
    "HPT-TRAINING": 1_000_000,
}
_UAT_LOOSER: dict[str, float] = {"HPT-PROP-RATES": 2.0, "HPT-MM-ICE": 3.0, "HPT-TRAINING": 10.0}


class _LimitRow(NamedTuple):
    owner: str  # account name or user alias
    key: str  # product key
    scale: float
    style: str
    contract: int | None = None  # index of the instrument for a contract limit
    only: str | None = None


_ACCOUNT_LIMITS: tuple[_LimitRow, ...] = (
    _LimitRow("HPT-PROP-EQIDX", "FVS", 0, "block"),
    _LimitRow("HPT-CUST-BIRCH", "NG", 0, "block"),
    _LimitRow("HPT-PROP-ENERGY", "CL", 0.5, "pos", 0),
    _LimitRow("HPT-PROP-ENERGY", "NG", 0.5, "pos", 0),
    _LimitRow("HPT-PROP-EQIDX", "ES", 1.0, "full", 0),
    _LimitRow("HPT-MM-EUREX", "FGBL", 0.2, "qty", 2),
    _LimitRow("HPT-ARB-CAL", "CL-S", 1.0, "qty", 1),
    _LimitRow("HPT-TRAINING", "ES", 0, "block", 3),
    _LimitRow("HPT-CUST-ALDER", "CL", 1.0, "flat", 0),
    _LimitRow("HPT-HEDGE", "FGBL", 1.0, "pos", only=UAT),
    _LimitRow("HPT-PROP-RATES", "FGBX", 0.5, "pos", only=UAT),
    _LimitRow("HPT-CUST-CEDAR", "ES", 1.0, "qty", 0, only=UAT),
)


class _RiskGroup(NamedTuple):
    name: str
    description: str
    members: tuple[str, ...]
    keys: tuple[str, ...]
    scale: float


_RISK_GROUPS: tuple[_RiskGroup, ...] = (
    _RiskGroup("Energy Aggregate", "Firm-wide energy exposure of prop, arb and market making",
               ("HPT-PROP-ENERGY", "HPT-ARB-CAL", "HPT-MM-ICE"), ("CL", "NG", "BRN", "G", "T"),
               3.0),
    _RiskGroup("Rates Aggregate", "Firm-wide rates exposure of prop, arb and market making",
               ("HPT-PROP-RATES", "HPT-ARB-XMKT", "HPT-MM-EUREX"),
               ("ZN", "ZB", "SR3", "FGBL", "FGBM"), 3.0),
    _RiskGroup("Equity Index Aggregate", "Equity index exposure of prop, hedge and training",
               ("HPT-PROP-EQIDX", "HPT-HEDGE", "HPT-TRAINING"), ("ES", "NQ", "FDAX", "FESX"),
               2.0),
    _RiskGroup("Customer Exposure", "Combined limits of the customer accounts",
               ("HPT-CUST-ALDER", "HPT-CUST-BIRCH", "HPT-CUST-CEDAR", "HPT-IB-FALCON"),
               ("ES", "ZN", "CL", "GC"), 2.0),
)  # fmt: skip

RATES, ENERGY, EQUITY = "Rates Desk", "Energy Desk", "Equity Index Desk"
_USER_GROUPS = (RATES, ENERGY, EQUITY)


class _User(NamedTuple):
    first: str
    last: str
    role: str  # a key of _ROLES
    group: str = ""
    accounts: tuple[str, ...] = ()
    only: str | None = None
    login: str = ""  # e-mail local part, default first.last
    alias: str = ""  # default JSMITH, or the login upper-cased


_HPT_USERS: tuple[_User, ...] = (
    _User("Margaret", "Okafor", "admin"),
    _User("Daniel", "Reyes", "admin"),
    _User("TTConfig", "Service", "api", login="ttconfig-api"),
    _User("Susan", "Whitaker", "risk", "", ("HPT-PROP", "HPT-ARB", "HPT-MM")),
    _User("Kwame", "Mensah", "risk", "", ("HPT-CUST", "HPT-IB", "HPT-GIVEUP")),
    _User("Ingrid", "Larsen", "risk", "", ("HPT-MM", "HPT-HEDGE", "HPT-ERR")),
    _User("Rosa", "Delgado", "ops", "", ("HPT-GIVEUP", "HPT-ERR", "HPT-CUST", "HPT-IB")),
    _User("Tom", "Becker", "ops", "", ("HPT-PROP", "HPT-ARB")),
    _User("Julia", "Fischer", "viewer", "", ("HPT-PROP", "HPT-ARB", "HPT-MM", "HPT-CUST")),
    _User("Linda", "Park", "viewer", "", ("HPT-CUST", "HPT-IB")),
    _User("John", "Smith", "senior", RATES, ("HPT-PROP-RATES", "HPT-ARB-XMKT")),
    _User("Emily", "Chen", "trader", RATES, ("HPT-PROP-RATES",)),
    _User("Raj", "Patel", "trader", RATES, ("HPT-PROP-RATES", "HPT-MM-EUREX")),
    _User("Lukas", "Weber", "trader", RATES, ("HPT-MM-EUREX",)),
    _User("Sophie", "Martin", "trader", RATES, ("HPT-MM-EUREX", "HPT-HEDGE")),
    _User("Oliver", "Hughes", "trader", RATES, ("HPT-PROP-RATES",)),
    _User("Hannah", "Schmidt", "viewer", RATES, ("HPT-PROP-RATES", "HPT-MM-EUREX")),
    _User("Marcus", "Bell", "inactive", RATES, ("HPT-PROP-RATES",)),
    _User("Stefan", "Keller", "senior", RATES, ("HPT-MM",)),
    _User("Michael", "Brennan", "senior", ENERGY, ("HPT-PROP-ENERGY", "HPT-ARB-CAL")),
    _User("Laura", "Novak", "trader", ENERGY, ("HPT-PROP-ENERGY",)),
    _User("Carlos", "Mendoza", "trader", ENERGY, ("HPT-PROP-ENERGY", "HPT-MM-ICE")),
    _User("Aisha", "Khan", "trader", ENERGY, ("HPT-MM-ICE",)),
    _User("Pieter", "Janssen", "trader", ENERGY, ("HPT-MM-ICE", "HPT-ARB-CAL")),
    _User("Grace", "Kim", "trader", ENERGY, ("HPT-ARB-CAL",)),
    _User("Victor", "Petrov", "trader", ENERGY, ("HPT-PROP-ENERGY", "HPT-ARB-XMKT")),
    _User("Nina", "Rossi", "viewer", ENERGY, ("HPT-PROP-ENERGY", "HPT-MM-ICE")),
    _User("David", "Goldberg", "senior", EQUITY, ("HPT-PROP-EQIDX", "HPT-HEDGE")),
    _User("Jessica", "Taylor", "trader", EQUITY, ("HPT-PROP-EQIDX",)),
    _User("Kenji", "Watanabe", "trader", EQUITY, ("HPT-PROP-EQIDX",)),
    _User("Ahmed", "Hassan", "trader", EQUITY, ("HPT-PROP-EQIDX", "HPT-PROP-METALS")),
    _User("Chloe", "Dubois", "trader", EQUITY, ("HPT-PROP-EQIDX",)),
    _User("Ryan", "Murphy", "trader", EQUITY, ("HPT-TRAINING",)),
    _User("Mia", "Johnson", "trader", EQUITY, ("HPT-TRAINING",)),
    _User("Ethan", "Brooks", "invited", EQUITY, ("HPT-TRAINING",)),
    _User("Benjamin", "Clarke", "senior", "", ("HPT-PROP-METALS",)),
    _User("Olga", "Ivanova", "trader", "", ("HPT-PROP-METALS",)),
    _User("Isabel", "Costa", "senior", "", ("HPT-ARB",)),
    _User("William", "Grant", "trader", "", ("HPT-ARB-XMKT",)),
    _User("Paul", "Turner", "trader", "", ("HPT-ERR",)),
    _User("Patricia", "Walsh", "broker", "", ("HPT-CUST-ALDER", "HPT-CUST-BIRCH")),
    _User("Samuel", "Adeyemi", "broker", "", ("HPT-IB-FALCON", "HPT-IB-DOGWOOD", "HPT-CUST-CEDAR")),
    _User("Andrew", "Foster", "trader", "", ("HPT-CUST-ALDER",)),
    _User("Megan", "Price", "trader", "", ("HPT-CUST-BIRCH",)),
    _User("Thomas", "Nguyen", "trader", "", ("HPT-CUST-CEDAR",)),
    _User("Fatima", "Haddad", "trader", "", ("HPT-IB-FALCON",)),
    _User("George", "Miller", "viewer", "", ("HPT-IB-DOGWOOD",)),
    _User("UAT", "Tester", "tester", "", ("HPT-UAT-TEST", "HPT-UAT-ALGO"), UAT, "uat-tester01"),
    _User("Algo", "Certification", "tester", EQUITY, ("HPT-UAT-ALGO",), UAT, "uat-algo-cert"),
    _User("Priya", "Raman", "trader", EQUITY, ("HPT-PROP-EQIDX",), PROD),
    _User("Henry", "Lowe", "trader", "", ("HPT-CUST-ELM",), PROD),
)

_USER_LIMITS: tuple[_LimitRow, ...] = (
    _LimitRow("RMURPHY", "ES", 0.01, "full"),
    _LimitRow("RMURPHY", "MES", 0.01, "full"),
    _LimitRow("RMURPHY", "ES", 0.005, "qty", 0),
    _LimitRow("MJOHNSON", "ES", 0.01, "full"),
    _LimitRow("EBROOKS", "ES", 0, "block"),
    _LimitRow("ECHEN", "ZN", 0.25, "pos"),
    _LimitRow("ECHEN", "ZN", 0.1, "qty", 0),
    _LimitRow("AKHAN", "BRN", 0.3, "pos"),
    _LimitRow("JTAYLOR", "NQ", 0.5, "full"),
    _LimitRow("OIVANOVA", "GC", 0.2, "qty"),
    _LimitRow("GKIM", "CL-S", 0.5, "qty"),
    _LimitRow("GKIM", "NG", 0.2, "open"),
    _LimitRow("JTAYLOR", "ES", 0.5, "pos", only=UAT),
    _LimitRow("UAT-TESTER01", "TSTF", 1.0, "open", only=UAT),
    _LimitRow("PRAMAN", "ES", 0.1, "full", only=PROD),
)


class _TagDefault(NamedTuple):
    account: str | None
    user: str | None  # alias
    field_id: int
    value: str
    only: str | None = None


_TAG_DEFAULTS: tuple[_TagDefault, ...] = (
    _TagDefault(None, None, 103, "2"),
    _TagDefault(None, None, 102, "Y"),
    _TagDefault(None, None, 304, "DEAL"),
    _TagDefault("HPT-CUST", None, 103, "4"),
    _TagDefault("HPT-IB", None, 103, "4"),
    _TagDefault("HPT-CUST", None, 304, "AOTC"),
    _TagDefault("HPT-MM-EUREX", None, 305, "Y"),
    _TagDefault("HPT-MM-EUREX", None, 302, "3104455"),
    _TagDefault("HPT-MM-ICE", None, 203, "HPTMM01"),
    _TagDefault("HPT-ARB-XMKT", None, 102, "N"),
    _TagDefault("HPT-UAT-ALGO", None, 102, "N", only=UAT),
    _TagDefault("HPT-MM-EUREX", "SMARTIN", 301, "HPT-EUREX-SM"),
    _TagDefault("HPT-MM-EUREX", "LWEBER", 301, "HPT-EUREX-LW"),
    _TagDefault(None, "ICOSTA", 101, "ICOSTA"),
)
# every member of a desk group gets its alias as the default of these text fields
_DESK_TAGS: tuple[tuple[str, int], ...] = (
    (RATES, 101), (ENERGY, 101), (ENERGY, 201), (EQUITY, 101), (EQUITY, 301),
)  # fmt: skip

# product key, outright margin, spread margin (currency follows the market)
_MARGINS: tuple[tuple[str, int | float, int | float], ...] = (
    ("ES", 15_500, 550), ("NQ", 22_000, 800), ("CL", 6_200, 900), ("NG", 3_850, 700),
    ("ZN", 2_350, 150), ("ZB", 4_600, 300), ("GC", 11_000, 600), ("6E", 2_612.5, 125.5),
    ("BRN", 6_450, 850), ("FDAX", 31_850.0, 1_200), ("FESX", 3_475.5, 160),
    ("FGBL", 2_850, 180),
)  # fmt: skip

_MRDN_ACCOUNTS: tuple[_Account, ...] = (
    _Account("MRDN-HOUSE", HOUSE, None, "Meridian house account", "prop", "customer", 0.5,
             3_000_000),
    _Account("MRDN-CLIENT-01", CUSTOMER, None, "Northwind Grain Cooperative", "customer",
             "customer", 0.2, 250_000),
)  # fmt: skip
_MRDN_USERS: tuple[_User, ...] = (
    _User("Dana", "Whitfield", "admin", "", ("MRDN-HOUSE", "MRDN-CLIENT-01")),
    _User("Meridian", "API", "api", login="mrdn-api"),
)


class _Company(NamedTuple):
    name: str
    abbrev: str
    domain: str
    label: str  # of its app key
    plans: tuple[str, str]  # usage plan of the app key in UAT, in production
    accounts: tuple[_Account, ...]
    users: tuple[_User, ...]


_HPT = _Company("Harbor Point Trading", "HPT", "harborpoint.example", "ttconfig",
                ("free", "low"), _HPT_ACCOUNTS, _HPT_USERS)  # fmt: skip
_MRDN = _Company("Meridian Futures", "MRDN", "meridianfutures.example", "meridian",
                 ("free", "low"), _MRDN_ACCOUNTS, _MRDN_USERS)  # fmt: skip

# generated books (accounts=N)
_GEN_FIRST = (
    "James", "Mary", "Robert", "Anna", "Michael", "Jennifer", "William", "Elena", "Richard",
    "Sarah", "Joseph", "Karen", "Charles", "Lucia", "Matthew", "Nadia", "Anthony", "Rachel",
    "Luca", "Sofia", "Hiroshi", "Yuki", "Arjun", "Ananya", "Mateo", "Valentina", "Lars",
    "Freya", "Chidi", "Amara", "Omar", "Leila", "Jonas", "Mei", "Diego", "Ines",
)  # fmt: skip
_GEN_LAST = (
    "Anderson", "Baker", "Campbell", "Diaz", "Evans", "Fontaine", "Garcia", "Hoffmann", "Ito",
    "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Olsen", "Perez", "Quinn", "Romano",
    "Sato", "Thompson", "Usman", "Vargas", "Wright", "Xu", "Young", "Zimmermann", "Byrne",
    "Castillo", "Novak", "Lindqvist", "Okoye", "Mehta",
)  # fmt: skip
_GEN_KEYS = tuple(p.symbol for p in _PRODUCTS if p.type_id == FUTURE and p.only is None)
_GEN_STYLES = ("full", "full", "full", "pos", "pos", "pos", "pos", "qty", "qty", "open")
_GEN_CREDIT = (None, 100_000, 250_000, 500_000, 1_000_000, 2_500_000)
_GEN_SCALES = (0.05, 0.1, 0.25, 0.5, 1.0)

# ----------------------------------------------------------------------------- building


def build_seed(environment: str, *, accounts: int | None = None) -> dict[str, Any]:
    """Return the seeded data of one TT environment as a JSON-able dict.

    ``accounts=None`` gives the hand-crafted demo firm; ``accounts=N`` adds generated
    books until the main company holds N accounts (ValueError if N is below the demo's).
    """
    if environment not in ENVIRONMENTS:
        raise ValueError(f"unknown TT environment {environment!r}")
    firm = _Firm(environment)
    _add_reference(firm)
    hpt = _add_company(firm, _HPT)
    _add_company(firm, _MRDN)
    if accounts is not None:
        _add_generated(firm, hpt, accounts)
    _add_user_groups(firm, hpt)
    for group in _RISK_GROUPS:
        _add_risk_group(firm, hpt, group)
    _add_limit_rows(firm)
    _add_tag_defaults(firm, hpt)
    _add_margins(firm, hpt)
    return {"nextId": next(firm.ids), **firm.data}


def build_all(*, accounts: int | None = None) -> dict[str, Any]:
    """Return the seeded data of every TT environment, as the sandbox stores it."""
    environments = {env: build_seed(env, accounts=accounts) for env in ENVIRONMENTS}
    return {"version": 1, "environments": environments}


class _Firm:
    """The tables of one environment under construction, and lookups into them."""

    def __init__(self, env: str) -> None:
        self.env = env
        self.ids = itertools.count(_ID_BASE[env])
        self.data: dict[str, list[Json]] = {table: [] for table in _TABLES}
        self.specs: dict[str, _Product] = {}  # product key -> spec
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

    def credit(self, row: _Account) -> int | None:
        return _UAT_CREDIT.get(row.name, row.credit) if self.env == UAT else row.credit

    def looser(self, name: str) -> float:
        return _UAT_LOOSER.get(name, 1.0) if self.env == UAT else 1.0


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
    year, month = _FIRST_EXPIRY
    while len(out) < count:
        if month in _CYCLES[cycle]:
            label = f"{_MONTHS[month - 1]}{year % 100:02d}"
            out.append((label, f"{_MONTH_CODES[month - 1]}{year % 10}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _instrument_names(spec: _Product) -> list[tuple[str, str]]:
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
    firm.data["markets"] = [{"id": market, "name": name} for market, name in _MARKETS]
    for spec in _PRODUCTS:
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
        for field in _FIELDS
    ]


def _add_product(firm: _Firm, spec: _Product) -> None:
    key = _product_key(spec.symbol, spec.type_id)
    product_id = _big_id(f"product/{spec.market}/{spec.type_id}/{spec.symbol}")
    firm.specs[key] = spec
    firm.products[key] = {
        "id": product_id,
        "symbol": spec.symbol,
        "name": spec.name,
        "marketId": spec.market,
        "productTypeId": spec.type_id,
    }
    firm.data["products"].append(firm.products[key])
    firm.instruments[key] = []
    for alias, name in _instrument_names(spec):
        instrument_id = _big_id(f"instrument/{product_id}/{alias}")
        firm.instruments[key].append(instrument_id)
        firm.data["instruments"].append(
            {"id": instrument_id, "alias": alias, "name": name, "productId": product_id}
        )


def _add_company(firm: _Firm, spec: _Company) -> int:
    """Add a company with its accounts, users, account links and app key; return its id."""
    company_id = firm.new_id()
    firm.data["companies"].append({"id": company_id, "name": spec.name, "abbrevName": spec.abbrev})
    for account in spec.accounts:
        if firm.has(account.only):
            _add_account(firm, company_id, account)
    rows = [row for row in spec.users if firm.has(row.only)]
    users = [_add_user(firm, company_id, spec.domain, row) for row in rows]
    api_user = next(user for user, row in zip(users, rows, strict=True) if row.role == "api")
    plan = spec.plans[ENVIRONMENTS.index(firm.env)]
    firm.data["appKeys"].append(
        {
            "key": str(uuid.uuid5(_APP_KEY_NAMESPACE, f"{firm.env}/{spec.label}/key")),
            "secret": str(uuid.uuid5(_APP_KEY_NAMESPACE, f"{firm.env}/{spec.label}/secret")),
            "companyId": company_id,
            "userId": api_user["id"],
            "usagePlan": plan,
            "label": spec.label,
        }
    )
    return company_id


def _add_account(
    firm: _Firm, company_id: int, row: _Account, keys: tuple[str, ...] | None = None
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
    }
    firm.accounts[row.name] = account
    firm.data["accounts"].append(account)
    profile = _PROFILES[row.profile]
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
        }
    )
    restrictions = {name: name not in profile.denied for name in _RESTRICTIONS}
    firm.data["restrictions"].append({"accountId": account_id, **restrictions})
    keys = _DESKS.get(row.desk, ()) if keys is None else keys
    limits: Json = {
        "accountId": account_id,
        "riskLimitSettings": {"applyLimits": bool(keys) or row.profile == "closed"},
        "productLimits": [],
        "contractLimits": [],
    }
    firm.account_limits[row.name] = limits
    firm.data["accountLimits"].append(limits)
    scale = row.scale * firm.looser(row.name)
    for index, key in enumerate(keys):
        style = row.style or _desk_style(index, firm.specs[key].type_id)
        _put_limit(limits, _limit(firm, key, scale, style))
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
    order, position, long, short, ticks = _STYLES[style]
    return {
        "id": firm.new_id(),
        "marketId": spec.market,
        "productTypeId": spec.type_id,
        "productId": firm.products[key]["id"],
        "instrumentId": None if contract is None else firm.instruments[key][contract],
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


def _add_user(firm: _Firm, company_id: int, domain: str, row: _User) -> Json:
    """Add a user, its account links and its user-group membership."""
    role = _ROLES[row.role]
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
                "orderPermissions": {key: key in role.orders for key in _ORDER_KEYS},
                "permissions": {key: key in role.perms for key in _PERM_KEYS},
            }
        )
    if row.group:
        firm.groups.setdefault(row.group, []).append(user)
    return user


def _add_user_groups(firm: _Firm, company_id: int) -> None:
    for name in _USER_GROUPS:
        group_id = firm.new_id()
        firm.data["userGroups"].append(
            {"id": group_id, "name": name, "companyId": company_id, "revision": _revision(name)}
        )
        firm.data["userGroupUsers"].extend(
            {"userGroupId": group_id, "userId": user["id"]} for user in firm.groups.get(name, [])
        )


def _add_risk_group(firm: _Firm, company_id: int, spec: _RiskGroup) -> None:
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


def _user_limits(firm: _Firm, alias: str) -> Json:
    """The userLimits row of a user, created on first use."""
    if alias not in firm.user_limits:
        row: Json = {"userId": firm.users[alias]["id"], "productLimits": [], "contractLimits": []}
        firm.user_limits[alias] = row
        firm.data["userLimits"].append(row)
    return firm.user_limits[alias]


def _add_limit_rows(firm: _Firm) -> None:
    """The hand-set account and user limits beyond the desks' product lists."""
    for row in _ACCOUNT_LIMITS:
        if firm.has(row.only):
            scale = row.scale * firm.looser(row.owner)
            limit = _limit(firm, row.key, scale, row.style, row.contract)
            _put_limit(firm.account_limits[row.owner], limit)
    for row in _USER_LIMITS:
        if firm.has(row.only):
            limit = _limit(firm, row.key, row.scale, row.style, row.contract)
            _put_limit(_user_limits(firm, row.owner), limit)


def _add_tag_defaults(firm: _Firm, company_id: int) -> None:
    for row in _TAG_DEFAULTS:
        if firm.has(row.only):
            account_id = None if row.account is None else firm.accounts[row.account]["id"]
            user_id = None if row.user is None else firm.users[row.user]["id"]
            _tag_default(firm, company_id, account_id, user_id, row.field_id, row.value)
    for group, field_id in _DESK_TAGS:
        for user in firm.groups.get(group, []):
            _tag_default(firm, company_id, None, user["id"], field_id, user["alias"])


def _tag_default(
    firm: _Firm, company_id: int, account_id: int | None, user_id: int | None, field_id: int,
    value: str,
) -> None:  # fmt: skip
    firm.data["orderTagDefaults"].append(
        {
            "id": firm.new_id(),
            "companyId": company_id,
            "accountId": account_id,
            "userId": user_id,
            "marketId": _FIELD_BY_ID[field_id].market,
            "fieldId": field_id,
            "value": value,
        }
    )


def _add_margins(firm: _Firm, company_id: int) -> None:
    for key, outright, spread in _MARGINS:
        product = firm.products[key]
        firm.data["productMargins"].append(
            {
                "id": firm.new_id(),
                "companyId": company_id,
                "marketId": product["marketId"],
                "productTypeId": product["productTypeId"],
                "productId": product["id"],
                "currency": _MARKET_CURRENCY[product["marketId"]],
                "outrightMargin": outright,
                "spreadMargin": spread,
            }
        )


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
    parent = _Account(name, OMNIBUS if omnibus else HOUSE, None, f"Generated {kind} {block}",
                      profile, scale=5.0, credit=rng.choice(_GEN_CREDIT))  # fmt: skip
    _add_account(firm, company_id, parent, tuple(rng.sample(_GEN_KEYS, 2)))
    children = [
        _add_child(firm, company_id, rng, parent, f"{name}-{n:02d}") for n in range(1, size)
    ]
    supervisor = rng.choice(("risk", "risk", "ops", "viewer"))
    _add_gen_user(firm, company_id, rng, supervisor, (name,))
    for start in range(0, len(children), 2):
        role = rng.choices(("trader", "viewer", "inactive", "invited"), (85, 9, 4, 2))[0]
        _add_gen_user(firm, company_id, rng, role, tuple(children[start : start + 2]))
    if block % 10 == 0 and children:
        group = _RiskGroup(f"Book Group {block:04d}", f"Aggregate limits of {name}'s accounts",
                           tuple(children), tuple(rng.sample(_GEN_KEYS, 2)), 8.0)  # fmt: skip
        _add_risk_group(firm, company_id, group)


def _add_child(
    firm: _Firm, company_id: int, rng: random.Random, parent: _Account, name: str
) -> str:
    draw = rng.random()
    profile = parent.profile if draw > 0.03 else "cancel_only" if draw > 0.01 else "closed"
    type_id = CUSTOMER if parent.type_id == OMNIBUS else HOUSE
    row = _Account(name, type_id, parent.name, f"Sub-account of {parent.name}", profile,
                   scale=rng.choice(_GEN_SCALES), credit=rng.choice(_GEN_CREDIT),
                   style=rng.choice(_GEN_STYLES))  # fmt: skip
    keys = () if draw > 0.92 else tuple(rng.sample(_GEN_KEYS, rng.randint(1, 4)))
    _add_account(firm, company_id, row, keys)
    if keys and rng.random() < 0.25:
        limit = _limit(firm, keys[0], row.scale / 2, "pos", rng.randrange(2))
        _put_limit(firm.account_limits[name], limit)
    return name


def _add_gen_user(
    firm: _Firm, company_id: int, rng: random.Random, role: str, accounts: tuple[str, ...]
) -> None:
    number = len(firm.users) + 1
    first, last = rng.choice(_GEN_FIRST), rng.choice(_GEN_LAST)
    group = rng.choice(_USER_GROUPS) if role == "trader" and rng.random() < 0.6 else ""
    row = _User(first, last, role, group, accounts, login=f"{first}.{last}{number}".lower(),
                alias=f"{first[0]}{last}{number}".upper())  # fmt: skip
    _add_user(firm, company_id, _HPT.domain, row)
    if role == "trader" and rng.random() < 0.125:
        limit = _limit(firm, rng.choice(_GEN_KEYS), rng.choice(_GEN_SCALES), "qty")
        _put_limit(_user_limits(firm, row.alias), limit)

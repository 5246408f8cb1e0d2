"""The demo firm's data: reference data, accounts, users, groups, limits, defaults, margins.

Tables only; `seed.py` turns them into the JSON the sandbox serves. See its docstring for
what the firm looks like and why UAT differs from production.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

ENVIRONMENTS: tuple[str, ...] = ("ext_uat_cert", "ext_prod_live")
UAT, PROD = ENVIRONMENTS

Json = dict[str, Any]

FUTURE, OPTION, SPREAD, STOCK, INDEX = 34, 51, 27, 48, 1  # productTypeId
CUSTOMER, HOUSE, OMNIBUS = 1, 2, 3  # accountType
CME, EUREX, ICE = 7, 28, 32  # marketId
TEXT, NUMBER, ENUM = 1, 2, 3  # order-tag field valueTypeId (ASSUMED)

ID_BASE = {UAT: 310_001, PROD: 720_001}
APP_KEY_NAMESPACE = uuid.UUID("5f0c9a7e-3b1d-5e4a-8c2f-6d7e8f9a0b1c")
FIRST_EXPIRY = (2026, 12)
TABLES = (
    "markets", "productFamilies", "products", "instruments", "orderTagFields", "companies",
    "userExchanges",
    "appKeys",
    "accounts", "accountLimits", "riskSettings", "restrictions", "accountUsers", "users",
    "userLimits", "userGroups", "userGroupUsers", "riskGroups", "riskGroupAccounts",
    "riskGroupLimits", "riskGroupRiskSettings", "orderTagDefaults", "productMargins",
    "positions", "creditUsage",
)  # fmt: skip

# --------------------------------------------------------------------------- reference data

MARKETS: tuple[tuple[int, str], ...] = ((CME, "CME"), (EUREX, "Eurex"), (ICE, "ICE"))
MARKET_CURRENCY = {CME: "USD", EUREX: "EUR", ICE: "USD"}
TICKS: dict[str, tuple[float, float]] = {
    "ES": (0.25, 12.5), "NQ": (0.25, 5.0), "ZN": (0.015625, 15.625), "ZB": (0.03125, 31.25),
    "CL": (0.01, 10.0), "NG": (0.001, 10.0), "GC": (0.1, 10.0), "6E": (0.00005, 6.25),
    "FGBL": (0.01, 10.0), "FESX": (1.0, 10.0), "B": (0.01, 10.0),
}
"""(tick size, tick value) of the products an instrument answer names; others 0.01 / 10."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_CODES = "FGHJKMNQUVXZ"
CYCLES = {
    "Q": (3, 6, 9, 12),
    "M": tuple(range(1, 13)),
    "H": (3, 5, 7, 9, 12),
    "B": (2, 4, 6, 8, 10, 12),
}


class Product(NamedTuple):
    market: int
    type_id: int
    symbol: str
    name: str
    cycle: str  # expiry cycle, a key of CYCLES
    listed: int  # instruments listed
    base_qty: int  # a typical max order quantity for a desk account
    ticks: int | None  # a typical price-reasonability band
    strike: int = 0  # options only
    only: str | None = None  # None: both environments


PRODUCTS: tuple[Product, ...] = (
    Product(CME, FUTURE, "ES", "E-mini S&P 500", "Q", 4, 200, 40),
    Product(CME, FUTURE, "NQ", "E-mini Nasdaq-100", "Q", 3, 100, 60),
    Product(CME, FUTURE, "YM", "E-mini Dow Jones ($5)", "Q", 2, 100, 50),
    Product(CME, FUTURE, "RTY", "E-mini Russell 2000", "Q", 2, 100, 40),
    Product(CME, FUTURE, "MES", "Micro E-mini S&P 500", "Q", 2, 1000, 40),
    Product(CME, FUTURE, "ZN", "10-Year T-Note", "Q", 3, 1000, 20),
    Product(CME, FUTURE, "ZB", "U.S. Treasury Bond", "Q", 3, 500, 20),
    Product(CME, FUTURE, "ZF", "5-Year T-Note", "Q", 2, 1000, 20),
    Product(CME, FUTURE, "ZT", "2-Year T-Note", "Q", 2, 1000, 20),
    Product(CME, FUTURE, "SR3", "Three-Month SOFR", "Q", 4, 2000, 10),
    Product(CME, FUTURE, "CL", "Crude Oil", "M", 4, 100, 50),
    Product(CME, FUTURE, "NG", "Henry Hub Natural Gas", "M", 4, 100, 50),
    Product(CME, FUTURE, "RB", "RBOB Gasoline", "M", 3, 50, 50),
    Product(CME, FUTURE, "HO", "NY Harbor ULSD", "M", 3, 50, 50),
    Product(CME, FUTURE, "GC", "Gold", "B", 3, 100, 40),
    Product(CME, FUTURE, "SI", "Silver", "H", 2, 50, 40),
    Product(CME, FUTURE, "HG", "Copper", "H", 3, 50, 40),
    Product(CME, FUTURE, "6E", "Euro FX", "Q", 3, 500, 30),
    Product(CME, FUTURE, "6J", "Japanese Yen", "Q", 2, 300, 30),
    Product(CME, FUTURE, "ZC", "Corn", "H", 3, 200, 20),
    Product(CME, FUTURE, "ZS", "Soybeans", "H", 3, 200, 20),
    Product(CME, OPTION, "LO", "Crude Oil Options", "M", 4, 200, None, 70),
    Product(CME, OPTION, "OZN", "10-Year T-Note Options", "Q", 4, 1000, None, 112),
    Product(CME, OPTION, "OG", "Gold Options", "B", 2, 100, None, 4000),
    Product(CME, SPREAD, "CL", "Crude Oil Calendar Spread", "M", 2, 200, 20),
    Product(CME, SPREAD, "ZN", "10-Year T-Note Calendar Spread", "Q", 2, 2000, 10),
    Product(CME, SPREAD, "ES", "E-mini S&P 500 Calendar Spread", "Q", 2, 500, 10),
    Product(ICE, FUTURE, "BRN", "Brent Crude Futures", "M", 4, 100, 50),
    Product(ICE, FUTURE, "G", "Low Sulphur Gasoil Futures", "M", 3, 50, 50),
    Product(ICE, FUTURE, "T", "WTI Crude Futures", "M", 3, 100, 50),
    Product(ICE, FUTURE, "TFM", "Dutch TTF Natural Gas Futures", "M", 3, 50, 40),
    Product(ICE, FUTURE, "I", "Three Month Euribor Futures", "Q", 4, 2000, 10),
    Product(ICE, FUTURE, "R", "Long Gilt Futures", "Q", 2, 500, 20),
    Product(ICE, FUTURE, "KC", 'Coffee "C" Futures', "H", 3, 50, 30),
    Product(ICE, FUTURE, "SB", "Sugar No. 11 Futures", "H", 3, 100, 30),
    Product(ICE, FUTURE, "CC", "Cocoa Futures", "H", 2, 50, 30),
    Product(ICE, FUTURE, "DX", "US Dollar Index Futures", "Q", 2, 200, 30),
    Product(ICE, OPTION, "BRN", "Brent Crude Options", "M", 2, 100, None, 70),
    Product(ICE, SPREAD, "BRN", "Brent Crude Calendar Spread", "M", 2, 200, 20),
    Product(EUREX, FUTURE, "FDAX", "DAX Futures", "Q", 3, 20, 40),
    Product(EUREX, FUTURE, "FDXM", "Mini-DAX Futures", "Q", 2, 100, 40),
    Product(EUREX, FUTURE, "FESX", "EURO STOXX 50 Index Futures", "Q", 3, 500, 30),
    Product(EUREX, FUTURE, "FSMI", "SMI Futures", "Q", 2, 100, 30),
    Product(EUREX, FUTURE, "FVS", "VSTOXX Mini Futures", "M", 3, 200, 30),
    Product(EUREX, FUTURE, "FGBL", "Euro-Bund Futures", "Q", 3, 1000, 20),
    Product(EUREX, FUTURE, "FGBM", "Euro-Bobl Futures", "Q", 2, 1000, 20),
    Product(EUREX, FUTURE, "FGBS", "Euro-Schatz Futures", "Q", 2, 1000, 20),
    Product(EUREX, FUTURE, "FGBX", "Euro-Buxl Futures", "Q", 2, 200, 20),
    Product(EUREX, OPTION, "OESX", "EURO STOXX 50 Index Options", "M", 4, 500, None, 5500),
    Product(EUREX, OPTION, "OGBL", "Euro-Bund Options", "Q", 2, 500, None, 128),
    Product(EUREX, SPREAD, "FGBL", "Euro-Bund Calendar Spread", "Q", 2, 2000, 10),
    Product(CME, FUTURE, "TSTF", "UAT Test Future (CME simulation)", "Q", 2, 10, 20, only=UAT),
    Product(EUREX, FUTURE, "FTST", "UAT Test Future (Eurex simulation)", "Q", 2, 10, 20, only=UAT),
)


# product families, as TT's product data groups products (ASSUMED names): market → family →
# the symbols in it (futures, options and spreads of a symbol share its family)
FAMILIES: dict[int, dict[str, tuple[str, ...]]] = {
    CME: {"Equity Index": ("ES", "NQ", "YM", "RTY", "MES"),
          "Interest Rates": ("ZN", "ZB", "ZF", "ZT", "SR3", "OZN"),
          "Energy": ("CL", "NG", "RB", "HO", "LO"), "Metals": ("GC", "SI", "HG", "OG"),
          "FX": ("6E", "6J"), "Agriculture": ("ZC", "ZS"), "Simulation": ("TSTF",)},
    ICE: {"Energy": ("BRN", "G", "T", "TFM"), "Interest Rates": ("I", "R"),
          "Softs": ("KC", "SB", "CC"), "Currency": ("DX",)},
    EUREX: {"Equity Index": ("FDAX", "FDXM", "FESX", "FSMI", "FVS", "OESX"),
            "Interest Rates": ("FGBL", "FGBM", "FGBS", "FGBX", "OGBL"),
            "Simulation": ("FTST",)},
}


class Field(NamedTuple):
    field_id: int
    market: int
    name: str
    required: int
    value_type: int
    enums: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field(101, CME, "Operator ID", 1, TEXT),
    Field(102, CME, "Manual Order Indicator", 1, ENUM, ("Y", "N")),
    Field(103, CME, "Customer Type Indicator", 0, ENUM, ("1", "2", "3", "4")),
    Field(104, CME, "TT SMP ID", 0, TEXT),
    Field(105, CME, "TT SMP Instruction", 0, ENUM,
          ("Cancel Resting", "Cancel Aggressing", "Cancel Both")),
    Field(201, ICE, "Authorized Trader", 1, TEXT),
    Field(202, ICE, "Manual Order Indicator", 1, ENUM, ("Y", "N")),
    Field(203, ICE, "Client ID", 0, TEXT),
    Field(301, EUREX, "Compliance ID", 1, TEXT),
    Field(302, EUREX, "Execution Decision", 1, NUMBER),
    Field(303, EUREX, "Investment Decision", 0, NUMBER),
    Field(304, EUREX, "Trading Capacity", 1, ENUM, ("DEAL", "MTCH", "AOTC")),
    Field(305, EUREX, "Liquidity Provision", 0, ENUM, ("Y", "N")),
)
FIELD_BY_ID = {field.field_id: field for field in FIELDS}

# ------------------------------------------------------------------ profiles, roles, limits

RESTRICTIONS = (
    "placeOrders", "modifyOrders", "ttApi", "ttOrderTypes", "autospreader",
    "submitBlockCross", "marketOrders", "gtcOrders", "obo", "algoSdk", "adl",
    "pauseResumeAlgos", "updatePositions", "rfqCross", "mobile", "aggregator", "ttIceberg",
    "ttTimeSliced", "ttTimed", "ttStop", "ttIfTouched", "ttRetry", "ttOco", "ttBracket",
    "ttTrailingLimit",
)  # fmt: skip
"""The activities an account is allowed (true) or denied; past adl ASSUMED (contract §9).
Besides them a record holds `apply` (restrictions applied) and `adlAlgoApprovalRequired`."""
ALL = frozenset(RESTRICTIONS)


class Profile(NamedTuple):
    """What an account may do: restrictions denied and its risk-settings flags."""

    denied: frozenset[str]
    apply_pnl: bool = True
    apply_margin: bool = True
    trade_out: bool = True
    sod: bool = True
    spread_sod: bool = False
    block_cross_credit: bool = False  # applyToBlockCross
    loss_actions: tuple[tuple[str, int], ...] = ()  # creditLossActions: (action, atPercent)
    reset_time: str | None = None  # positionResetTime (None: the company's)
    approvals: frozenset[str] = frozenset()  # "adl": ADL algos need an approval


# order-cross prevention by profile (ASSUMED values, contract §9); the rest "notApplied"
CROSS_PREVENTION = {"mm": "cancelResting", "spreads": "rejectNew", "customer": "rejectNew"}

# a customer's day: orders deleted at 80 % of the credit limit lost, trading disabled at
# 90 %, positions closed at 100 %
CUSTOMER_LOSS = (("deleteOrders", 80), ("disableTrading", 90), ("closePositions", 100))
TRAINING_DENIED = frozenset(
    {"ttApi", "algoSdk", "adl", "obo", "marketOrders", "gtcOrders", "submitBlockCross"}
)
PROFILES: dict[str, Profile] = {
    "open": Profile(frozenset()),
    "prop": Profile(frozenset({"obo", "mobile"}), loss_actions=(("disableTrading", 100),),
                    approvals=frozenset({"adl"})),
    "spreads": Profile(frozenset({"obo"}), spread_sod=True),
    "mm": Profile(frozenset({"obo", "marketOrders"}), spread_sod=True, reset_time="17:00"),
    "customer": Profile(frozenset({"ttApi", "algoSdk", "adl", "pauseResumeAlgos", "mobile",
                                   "ttRetry"}), block_cross_credit=True,
                        loss_actions=CUSTOMER_LOSS),
    "training": Profile(TRAINING_DENIED),
    "cancel_only": Profile(ALL - {"modifyOrders"}),
    "error": Profile(
        ALL - {"placeOrders", "modifyOrders", "marketOrders", "ttOrderTypes"}, apply_margin=False
    ),
    "post_trade": Profile(ALL, apply_pnl=False, apply_margin=False, trade_out=False),
    "closed": Profile(ALL, apply_pnl=False, apply_margin=False, trade_out=False, sod=False),
}

ORDER_KEYS = (
    "placeOrders", "modifyOrders", "deleteOrders", "submitBlockCrossOrders", "submitStagedOrders",
)  # fmt: skip
PERM_KEYS = ("updatePositions", "confirmFills", "modifyClearingAccountOnFills", "viewOnly")
TRADE = frozenset({"placeOrders", "modifyOrders", "deleteOrders"})
BLOCKS = TRADE | {"submitBlockCrossOrders", "submitStagedOrders"}


class Role(NamedTuple):
    """A user's settings and the permissions of each of its account links."""

    trade_mode: int  # 1 view-only, 2 standard, 3 pro
    orders: frozenset[str]
    perms: frozenset[str] = frozenset()
    full_admin: int = 0
    view_admin: int = 0
    disable_trading: int = 0
    active: int = 1
    invited: int = 0


ROLES: dict[str, Role] = {
    "admin": Role(2, TRADE, frozenset({"updatePositions", "confirmFills"}), full_admin=1),
    "api": Role(1, frozenset(), full_admin=1, disable_trading=1),
    "risk": Role(
        2,
        frozenset({"deleteOrders"}),
        frozenset({"updatePositions", "confirmFills", "modifyClearingAccountOnFills"}),
        view_admin=1,
    ),
    "ops": Role(1, frozenset(), frozenset({"confirmFills", "modifyClearingAccountOnFills"})),
    "viewer": Role(1, frozenset(), frozenset({"viewOnly"})),
    "trader": Role(3, TRADE),
    "senior": Role(3, BLOCKS, frozenset({"confirmFills"})),
    "broker": Role(2, BLOCKS),
    "tester": Role(3, frozenset(ORDER_KEYS)),
    "inactive": Role(3, TRADE, active=0, disable_trading=1),
    "invited": Role(2, TRADE, invited=1),
}

# style -> multipliers of the row's quantity for maxOrderQty, maxPosition, maxLongPosition,
# maxShortPosition (None: not set), and whether priceReasonabilityTicks is set
STYLES: dict[str, tuple[int | None, int | None, int | None, int | None, bool]] = {
    "full": (1, 5, 4, 3, True),
    "pos": (1, 5, None, None, True),
    "qty": (1, None, None, None, False),
    "flat": (1, 0, 0, 0, True),  # trade out only: no position may be held
    "open": (None, None, None, None, False),  # allowed, nothing set
    "block": (0, None, None, None, False),  # trading not allowed
}

# the price controls, wholesale limits and daily order caps of a desk's first product row
# (the rest of its rows keep a new row's values: no such check set)
DESK_CHECKS: dict[str, dict[str, int | float | bool]] = {
    "energy": {"priceReasonabilityPercent": 3, "nonMatchingPricePercent": 6,
               "rejectWithoutMarketData": True},
    "eqidx": {"priceReasonabilityPercent": 1.5, "priceReasonabilityAggressiveOnly": True,
              "maxOrdersPerDay": 50000},
    "rates": {"nonMatchingPriceTicks": 80, "applyWholesaleLimits": True,
              "wholesaleMaxOrderQty": 20000, "wholesalePriceReasonabilityTicks": 100,
              "priceDrift1MinTicks": 8, "priceDriftLifetimeTicks": 40},
}

# a desk's default row (productId null: every product of the market and type without a row
# of its own): (marketId, productTypeId, maxOrderQty); trading allowed, nothing else set
DESK_DEFAULTS: dict[str, tuple[int, int, int]] = {
    "energy": (ICE, FUTURE, 10), "rates": (CME, FUTURE, 50), "eqidx": (EUREX, FUTURE, 5),
}

# a desk's family row (productId null, productFamilyId set: every product of the family and
# type without a row of its own): (marketId, family name, productTypeId, maxOrderQty)
DESK_FAMILIES: dict[str, tuple[int, str, int, int]] = {
    "rates": (EUREX, "Interest Rates", FUTURE, 100),
}

# the roles whose users get exchange access (market data and order routing at CME, their
# alias as trader id; ASSUMED wire, contract §9)
EXCHANGE_ROLES = frozenset({"trader", "senior"})

# a desk's near- and far-touch bands in ticks (advanced risk, which the demo company has on)
DESK_TOUCH_BANDS: dict[str, tuple[int, int]] = {"eqidx": (10, 30)}

# a desk's other account risk settings: the market impact check (the demo company has it
# on) and algo risk caps (ASSUMED keys)
DESK_RISK_SETTINGS: dict[str, dict[str, int]] = {
    "eqidx": {"marketImpactParticipationPercent": 5, "marketImpactPriceMovementTicks": 20,
              "marketImpactCoolingOffSeconds": 300},
    "arb": {"algoMaxUpdatesPerInterval": 500, "algoMaxCancelsPerInterval": 200,
            "algoIntervalMs": 1000},
}

# a desk's algo parent-order checks per TT order type: (maxOrderQty, priceReasonabilityTicks)
DESK_PARENT_LIMITS: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "arb": {"ttIceberg": (500, 20), "ttTimeSliced": (1000, None)},
}

# a desk's inter-product (spread) limit: (product keys of its legs, maxOrderQty, maxPosition)
DESK_SPREADS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "rates": (("ZN", "ZB"), 100, 400),
}

# the products an account of each desk gets a product limit for, by product key
DESKS: dict[str, tuple[str, ...]] = {
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


class Account(NamedTuple):
    name: str
    type_id: int
    parent: str | None
    description: str
    profile: str  # a key of PROFILES
    desk: str = ""  # a key of DESKS; "" = no limits, applyLimits off
    scale: float = 1.0  # of the products' base quantities
    credit: int | None = None
    currency: str = "USD"
    style: str = ""  # force one limit style on every desk product
    only: str | None = None


HPT_ACCOUNTS: tuple[Account, ...] = (
    Account("HPT-PROP", HOUSE, None, "Proprietary trading: parent of the prop desks",
             "prop", "prop", 4.0, 60_000_000),
    Account("HPT-PROP-RATES", HOUSE, "HPT-PROP", "Prop rates: Treasuries, SOFR, Bund, Gilt",
             "prop", "rates", 1.0, 15_000_000),
    Account("HPT-PROP-ENERGY", HOUSE, "HPT-PROP", "Prop energy: WTI, Brent, gas, products",
             "prop", "energy", 1.0, 12_000_000),
    Account("HPT-PROP-EQIDX", HOUSE, "HPT-PROP", "Prop equity index: S&P, Nasdaq, DAX, STOXX",
             "prop", "eqidx", 1.0, 20_000_000),
    Account("HPT-PROP-METALS", HOUSE, "HPT-PROP", "Prop metals: gold, silver, copper",
             "prop", "metals", 0.5, 5_000_000),
    Account("HPT-ARB", HOUSE, None, "Arbitrage: parent of the spread books",
             "spreads", "arb", 3.0, 30_000_000),
    Account("HPT-ARB-CAL", HOUSE, "HPT-ARB", "Calendar-spread arbitrage",
             "spreads", "calendar", 1.0, 10_000_000),
    Account("HPT-ARB-XMKT", HOUSE, "HPT-ARB", "Cross-market arbitrage: WTI/Brent, T-Note/Bund",
             "spreads", "xmkt", 1.0, 10_000_000),
    Account("HPT-MM", HOUSE, None, "Market making: parent of the exchange programmes",
             "mm", "mm", 5.0, 40_000_000),
    Account("HPT-MM-EUREX", HOUSE, "HPT-MM", "Eurex market-making programme (Bund, STOXX)",
             "mm", "eurex_mm", 2.0, 15_000_000, "EUR"),
    Account("HPT-MM-ICE", HOUSE, "HPT-MM", "ICE Futures Europe market making (Brent, TTF)",
             "mm", "ice_mm", 1.5, 12_000_000),
    Account("HPT-CUST", OMNIBUS, None, "Customer omnibus: parent of the customer accounts",
             "customer", "customer", 10.0),
    Account("HPT-CUST-ALDER", CUSTOMER, "HPT-CUST", "Alder Capital LLC",
             "customer", "customer", 1.0, 2_000_000),
    Account("HPT-CUST-BIRCH", CUSTOMER, "HPT-CUST", "Birch Street Partners LP",
             "customer", "customer", 0.5, 1_000_000),
    Account("HPT-CUST-CEDAR", CUSTOMER, "HPT-CUST", "Cedar Ridge Family Office",
             "customer", "customer", 0.25, 500_000),
    Account("HPT-CUST-ELM", CUSTOMER, "HPT-CUST", "Elm Grove Capital (onboarded in production)",
             "customer", "customer", 0.5, 750_000, only=PROD),
    Account("HPT-IB", OMNIBUS, None, "Introducing-broker omnibus: Lakeside Brokerage",
             "customer", "customer", 5.0),
    Account("HPT-IB-FALCON", CUSTOMER, "HPT-IB", "Falcon Ridge Trading (via Lakeside)",
             "customer", "customer", 0.5, 400_000),
    Account("HPT-IB-DOGWOOD", CUSTOMER, "HPT-IB", "Dogwood Commodities: suspended pending "
             "KYC refresh, cancel only", "cancel_only", "customer", 0.25, 0),
    Account("HPT-GIVEUP", OMNIBUS, None, "Give-up omnibus at the clearing firm: allocations",
             "post_trade"),
    Account("HPT-HEDGE", HOUSE, None, "Treasury hedge of the firm's FX and rates exposure",
             "prop", "hedge", 1.0, 8_000_000),
    Account("HPT-ERR", HOUSE, None, "Error account: trade-out of erroneous fills only",
             "error", "error", 0.5, 1_000_000, style="flat"),
    Account("HPT-LEGACY-01", HOUSE, None, "Closed 2024-06-30 (former grains book); audit only",
             "closed", credit=0),
    Account("HPT-TRAINING", HOUSE, None, "Junior trader training: small size, no algos",
             "training", "training", 0.01, 100_000),
    Account("HPT-UAT-TEST", HOUSE, None, "UAT only: connectivity and conformance tests",
             "open", "uat_test", 0.5, only=UAT),
    Account("HPT-UAT-ALGO", HOUSE, None, "UAT only: ADL and Algo SDK certification",
             "open", "eqidx", 0.1, only=UAT),
)  # fmt: skip

UAT_CREDIT: dict[str, int | None] = {
    "HPT-PROP-ENERGY": 25_000_000,
    "HPT-PROP-EQIDX": None,
    "HPT-MM-EUREX": 20_000_000,
    "HPT-CUST-BIRCH": 5_000_000,
    "HPT-TRAINING": 1_000_000,
}
UAT_LOOSER: dict[str, float] = {"HPT-PROP-RATES": 2.0, "HPT-MM-ICE": 3.0, "HPT-TRAINING": 10.0}


class LimitRow(NamedTuple):
    owner: str  # account name or user alias
    key: str  # product key
    scale: float
    style: str
    contract: int | None = None  # index of the instrument for a contract limit
    only: str | None = None


ACCOUNT_LIMITS: tuple[LimitRow, ...] = (
    LimitRow("HPT-PROP-EQIDX", "FVS", 0, "block"),
    LimitRow("HPT-CUST-BIRCH", "NG", 0, "block"),
    LimitRow("HPT-PROP-ENERGY", "CL", 0.5, "pos", 0),
    LimitRow("HPT-PROP-ENERGY", "NG", 0.5, "pos", 0),
    LimitRow("HPT-PROP-EQIDX", "ES", 1.0, "full", 0),
    LimitRow("HPT-MM-EUREX", "FGBL", 0.2, "qty", 2),
    LimitRow("HPT-ARB-CAL", "CL-S", 1.0, "qty", 1),
    LimitRow("HPT-TRAINING", "ES", 0, "block", 3),
    LimitRow("HPT-CUST-ALDER", "CL", 1.0, "flat", 0),
    LimitRow("HPT-HEDGE", "FGBL", 1.0, "pos", only=UAT),
    LimitRow("HPT-PROP-RATES", "FGBX", 0.5, "pos", only=UAT),
    LimitRow("HPT-CUST-CEDAR", "ES", 1.0, "qty", 0, only=UAT),
)


class RiskGroup(NamedTuple):
    name: str
    description: str
    members: tuple[str, ...]
    keys: tuple[str, ...]
    scale: float
    credit: int | None = None  # the group's own credit limit (USD), applied to each member


RISK_GROUPS: tuple[RiskGroup, ...] = (
    RiskGroup("Energy Aggregate", "Firm-wide energy exposure of prop, arb and market making",
               ("HPT-PROP-ENERGY", "HPT-ARB-CAL", "HPT-MM-ICE"), ("CL", "NG", "BRN", "G", "T"),
               3.0, 60_000_000),
    RiskGroup("Rates Aggregate", "Firm-wide rates exposure of prop, arb and market making",
               ("HPT-PROP-RATES", "HPT-ARB-XMKT", "HPT-MM-EUREX"),
               ("ZN", "ZB", "SR3", "FGBL", "FGBM"), 3.0),
    RiskGroup("Equity Index Aggregate", "Equity index exposure of prop, hedge and training",
               ("HPT-PROP-EQIDX", "HPT-HEDGE", "HPT-TRAINING"), ("ES", "NQ", "FDAX", "FESX"),
               2.0),
    RiskGroup("Customer Exposure", "Combined limits of the customer accounts",
               ("HPT-CUST-ALDER", "HPT-CUST-BIRCH", "HPT-CUST-CEDAR", "HPT-IB-FALCON"),
               ("ES", "ZN", "CL", "GC"), 2.0, 15_000_000),
)  # fmt: skip

RATES, ENERGY, EQUITY = "Rates Desk", "Energy Desk", "Equity Index Desk"
USER_GROUPS = (RATES, ENERGY, EQUITY)


class User(NamedTuple):
    first: str
    last: str
    role: str  # a key of ROLES
    group: str = ""
    accounts: tuple[str, ...] = ()
    only: str | None = None
    login: str = ""  # e-mail local part, default first.last
    alias: str = ""  # default JSMITH, or the login upper-cased


HPT_USERS: tuple[User, ...] = (
    User("Margaret", "Okafor", "admin"),
    User("Daniel", "Reyes", "admin"),
    User("TTConfig", "Service", "api", login="ttconfig-api"),
    User("Susan", "Whitaker", "risk", "", ("HPT-PROP", "HPT-ARB", "HPT-MM")),
    User("Kwame", "Mensah", "risk", "", ("HPT-CUST", "HPT-IB", "HPT-GIVEUP")),
    User("Ingrid", "Larsen", "risk", "", ("HPT-MM", "HPT-HEDGE", "HPT-ERR")),
    User("Rosa", "Delgado", "ops", "", ("HPT-GIVEUP", "HPT-ERR", "HPT-CUST", "HPT-IB")),
    User("Tom", "Becker", "ops", "", ("HPT-PROP", "HPT-ARB")),
    User("Julia", "Fischer", "viewer", "", ("HPT-PROP", "HPT-ARB", "HPT-MM", "HPT-CUST")),
    User("Linda", "Park", "viewer", "", ("HPT-CUST", "HPT-IB")),
    User("John", "Smith", "senior", RATES, ("HPT-PROP-RATES", "HPT-ARB-XMKT")),
    User("Emily", "Chen", "trader", RATES, ("HPT-PROP-RATES",)),
    User("Raj", "Patel", "trader", RATES, ("HPT-PROP-RATES", "HPT-MM-EUREX")),
    User("Lukas", "Weber", "trader", RATES, ("HPT-MM-EUREX",)),
    User("Sophie", "Martin", "trader", RATES, ("HPT-MM-EUREX", "HPT-HEDGE")),
    User("Oliver", "Hughes", "trader", RATES, ("HPT-PROP-RATES",)),
    User("Hannah", "Schmidt", "viewer", RATES, ("HPT-PROP-RATES", "HPT-MM-EUREX")),
    User("Marcus", "Bell", "inactive", RATES, ("HPT-PROP-RATES",)),
    User("Stefan", "Keller", "senior", RATES, ("HPT-MM",)),
    User("Michael", "Brennan", "senior", ENERGY, ("HPT-PROP-ENERGY", "HPT-ARB-CAL")),
    User("Laura", "Novak", "trader", ENERGY, ("HPT-PROP-ENERGY",)),
    User("Carlos", "Mendoza", "trader", ENERGY, ("HPT-PROP-ENERGY", "HPT-MM-ICE")),
    User("Aisha", "Khan", "trader", ENERGY, ("HPT-MM-ICE",)),
    User("Pieter", "Janssen", "trader", ENERGY, ("HPT-MM-ICE", "HPT-ARB-CAL")),
    User("Grace", "Kim", "trader", ENERGY, ("HPT-ARB-CAL",)),
    User("Victor", "Petrov", "trader", ENERGY, ("HPT-PROP-ENERGY", "HPT-ARB-XMKT")),
    User("Nina", "Rossi", "viewer", ENERGY, ("HPT-PROP-ENERGY", "HPT-MM-ICE")),
    User("David", "Goldberg", "senior", EQUITY, ("HPT-PROP-EQIDX", "HPT-HEDGE")),
    User("Jessica", "Taylor", "trader", EQUITY, ("HPT-PROP-EQIDX",)),
    User("Kenji", "Watanabe", "trader", EQUITY, ("HPT-PROP-EQIDX",)),
    User("Ahmed", "Hassan", "trader", EQUITY, ("HPT-PROP-EQIDX", "HPT-PROP-METALS")),
    User("Chloe", "Dubois", "trader", EQUITY, ("HPT-PROP-EQIDX",)),
    User("Ryan", "Murphy", "trader", EQUITY, ("HPT-TRAINING",)),
    User("Mia", "Johnson", "trader", EQUITY, ("HPT-TRAINING",)),
    User("Ethan", "Brooks", "invited", EQUITY, ("HPT-TRAINING",)),
    User("Benjamin", "Clarke", "senior", "", ("HPT-PROP-METALS",)),
    User("Olga", "Ivanova", "trader", "", ("HPT-PROP-METALS",)),
    User("Isabel", "Costa", "senior", "", ("HPT-ARB",)),
    User("William", "Grant", "trader", "", ("HPT-ARB-XMKT",)),
    User("Paul", "Turner", "trader", "", ("HPT-ERR",)),
    User("Patricia", "Walsh", "broker", "", ("HPT-CUST-ALDER", "HPT-CUST-BIRCH")),
    User("Samuel", "Adeyemi", "broker", "", ("HPT-IB-FALCON", "HPT-IB-DOGWOOD", "HPT-CUST-CEDAR")),
    User("Andrew", "Foster", "trader", "", ("HPT-CUST-ALDER",)),
    User("Megan", "Price", "trader", "", ("HPT-CUST-BIRCH",)),
    User("Thomas", "Nguyen", "trader", "", ("HPT-CUST-CEDAR",)),
    User("Fatima", "Haddad", "trader", "", ("HPT-IB-FALCON",)),
    User("George", "Miller", "viewer", "", ("HPT-IB-DOGWOOD",)),
    User("UAT", "Tester", "tester", "", ("HPT-UAT-TEST", "HPT-UAT-ALGO"), UAT, "uat-tester01"),
    User("Algo", "Certification", "tester", EQUITY, ("HPT-UAT-ALGO",), UAT, "uat-algo-cert"),
    User("Priya", "Raman", "trader", EQUITY, ("HPT-PROP-EQIDX",), PROD),
    User("Henry", "Lowe", "trader", "", ("HPT-CUST-ELM",), PROD),
)

USER_LIMITS: tuple[LimitRow, ...] = (
    LimitRow("RMURPHY", "ES", 0.01, "full"),
    LimitRow("RMURPHY", "MES", 0.01, "full"),
    LimitRow("RMURPHY", "ES", 0.005, "qty", 0),
    LimitRow("MJOHNSON", "ES", 0.01, "full"),
    LimitRow("EBROOKS", "ES", 0, "block"),
    LimitRow("ECHEN", "ZN", 0.25, "pos"),
    LimitRow("ECHEN", "ZN", 0.1, "qty", 0),
    LimitRow("AKHAN", "BRN", 0.3, "pos"),
    LimitRow("JTAYLOR", "NQ", 0.5, "full"),
    LimitRow("OIVANOVA", "GC", 0.2, "qty"),
    LimitRow("GKIM", "CL-S", 0.5, "qty"),
    LimitRow("GKIM", "NG", 0.2, "open"),
    LimitRow("JTAYLOR", "ES", 0.5, "pos", only=UAT),
    LimitRow("UAT-TESTER01", "TSTF", 1.0, "open", only=UAT),
    LimitRow("PRAMAN", "ES", 0.1, "full", only=PROD),
)


class TagDefault(NamedTuple):
    account: str | None
    user: str | None  # alias
    field_id: int
    value: str
    only: str | None = None
    scope: tuple[tuple[str, str], ...] = ()  # further keys (ASSUMED): (wire key, value)


TAG_DEFAULTS: tuple[TagDefault, ...] = (
    TagDefault(None, None, 102, "N", scope=(("algoType", "ADL"),)),  # algo orders: automated
    TagDefault("HPT-PROP-EQIDX", None, 104, "HPTEQ"),  # TT self-match prevention
    TagDefault("HPT-PROP-EQIDX", None, 105, "Cancel Resting"),
    TagDefault(None, None, 103, "1", scope=(("productTypeId", "34"), ("product", "ES"))),
    TagDefault(None, None, 103, "2"),
    TagDefault(None, None, 102, "Y"),
    TagDefault(None, None, 304, "DEAL"),
    TagDefault("HPT-CUST", None, 103, "4"),
    TagDefault("HPT-IB", None, 103, "4"),
    TagDefault("HPT-CUST", None, 304, "AOTC"),
    TagDefault("HPT-MM-EUREX", None, 305, "Y"),
    TagDefault("HPT-MM-EUREX", None, 302, "3104455"),
    TagDefault("HPT-MM-ICE", None, 203, "HPTMM01"),
    TagDefault("HPT-ARB-XMKT", None, 102, "N"),
    TagDefault("HPT-UAT-ALGO", None, 102, "N", only=UAT),
    TagDefault("HPT-MM-EUREX", "SMARTIN", 301, "HPT-EUREX-SM"),
    TagDefault("HPT-MM-EUREX", "LWEBER", 301, "HPT-EUREX-LW"),
    TagDefault(None, "ICOSTA", 101, "ICOSTA"),
)
# every member of a desk group gets its alias as the default of these text fields
DESK_TAGS: tuple[tuple[str, int], ...] = (
    (RATES, 101), (ENERGY, 101), (ENERGY, 201), (EQUITY, 101), (EQUITY, 301),
)  # fmt: skip

# product key, outright margin, spread margin (currency follows the market)
MARGINS: tuple[tuple[str, int | float, int | float], ...] = (
    ("ES", 15_500, 550), ("NQ", 22_000, 800), ("CL", 6_200, 900), ("NG", 3_850, 700),
    ("ZN", 2_350, 150), ("ZB", 4_600, 300), ("GC", 11_000, 600), ("6E", 2_612.5, 125.5),
    ("BRN", 6_450, 850), ("FDAX", 31_850.0, 1_200), ("FESX", 3_475.5, 160),
    ("FGBL", 2_850, 180),
)  # fmt: skip



# ---------------------------------------------------- ttmonitor: positions and credit in use


class PositionRow(NamedTuple):
    """An account's position in one contract (ttmonitor; ASSUMED shapes, contract §9)."""

    account: str
    key: str  # product key
    net: int  # netPosition: long positive, short negative
    working_buy: int = 0  # quantity of resting buy orders
    working_sell: int = 0
    contract: int = 0  # index of the instrument: 0 is the front (first unexpired) contract
    only: str | None = None


# What the demo's plans show beside a risk change. Each is measured against the account's
# seeded product limit (maxPosition / maxShortPosition) in that environment:
POSITIONS: tuple[PositionRow, ...] = (
    # 72 % of UAT's loosened max position 10,000; 72 % of production's 5,000: cutting the
    # limit there below 3,900 would leave it under what the desk holds and works
    PositionRow("HPT-PROP-RATES", "ZN", 7_200, 300, only=UAT),
    PositionRow("HPT-PROP-RATES", "ZN", 3_600, 300, only=PROD),
    PositionRow("HPT-PROP-RATES", "ZB", -1_200),
    # 380 of max long 400 and 500 over two contracts: near them (the front's 200 of its
    # contract row's 250)
    PositionRow("HPT-PROP-ENERGY", "CL", 200, 0, 20),
    PositionRow("HPT-PROP-ENERGY", "CL", 180, contract=1),
    # over both max position 250 and max short 150: TT reports such an account, it does not
    # close it (a limit binds new orders only)
    PositionRow("HPT-CUST-CEDAR", "ES", -280),
    # modest: at most 40 % of the max position
    PositionRow("HPT-PROP", "ES", 800),  # of 4,000
    PositionRow("HPT-MM", "FGBL", -5_000),  # of 25,000
    PositionRow("HPT-HEDGE", "6E", 900),  # of 2,500
    PositionRow("HPT-MM-EUREX", "FGBL", -1_500, 200, 200),  # a calendar roll: two
    PositionRow("HPT-MM-EUREX", "FGBL", 500, contract=1),  # contracts, -1,000 of 10,000
    PositionRow("HPT-MM-EUREX", "FESX", 400, 0, 50),  # of 5,000
    PositionRow("MRDN-HOUSE", "ES", 20),  # the second company's own, of 500
)  # fmt: skip

# creditUsed by account (USD); an account not named here uses none (0). Its credit limit is
# its risk settings' (15 M for HPT-PROP-RATES; HPT-CUST-BIRCH's 1 M in production is near)
CREDIT_USED: dict[str, int] = {
    "HPT-PROP-RATES": 12_400_000,
    "HPT-CUST-BIRCH": 900_000,
    "HPT-PROP-ENERGY": 4_000_000,
    "HPT-PROP": 18_000_000,
}

MRDN_ACCOUNTS: tuple[Account, ...] = (
    Account("MRDN-HOUSE", HOUSE, None, "Meridian house account", "prop", "customer", 0.5,
             3_000_000),
    Account("MRDN-CLIENT-01", CUSTOMER, None, "Northwind Grain Cooperative", "customer",
             "customer", 0.2, 250_000),
)  # fmt: skip
MRDN_USERS: tuple[User, ...] = (
    User("Dana", "Whitfield", "admin", "", ("MRDN-HOUSE", "MRDN-CLIENT-01")),
    User("Meridian", "API", "api", login="mrdn-api"),
)


class Company(NamedTuple):
    name: str
    abbrev: str
    domain: str
    label: str  # of its app key
    plans: tuple[str, str]  # usage plan of the app key in UAT, in production
    accounts: tuple[Account, ...]
    users: tuple[User, ...]


HPT = Company("Harbor Point Trading", "HPT", "harborpoint.example", "ttconfig",
                ("free", "low"), HPT_ACCOUNTS, HPT_USERS)  # fmt: skip
MRDN = Company("Meridian Futures", "MRDN", "meridianfutures.example", "meridian",
                 ("free", "low"), MRDN_ACCOUNTS, MRDN_USERS)  # fmt: skip

# generated books (accounts=N)
GEN_FIRST = (
    "James", "Mary", "Robert", "Anna", "Michael", "Jennifer", "William", "Elena", "Richard",
    "Sarah", "Joseph", "Karen", "Charles", "Lucia", "Matthew", "Nadia", "Anthony", "Rachel",
    "Luca", "Sofia", "Hiroshi", "Yuki", "Arjun", "Ananya", "Mateo", "Valentina", "Lars",
    "Freya", "Chidi", "Amara", "Omar", "Leila", "Jonas", "Mei", "Diego", "Ines",
)  # fmt: skip
GEN_LAST = (
    "Anderson", "Baker", "Campbell", "Diaz", "Evans", "Fontaine", "Garcia", "Hoffmann", "Ito",
    "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Olsen", "Perez", "Quinn", "Romano",
    "Sato", "Thompson", "Usman", "Vargas", "Wright", "Xu", "Young", "Zimmermann", "Byrne",
    "Castillo", "Novak", "Lindqvist", "Okoye", "Mehta",
)  # fmt: skip
GEN_KEYS = tuple(p.symbol for p in PRODUCTS if p.type_id == FUTURE and p.only is None)
GEN_STYLES = ("full", "full", "full", "pos", "pos", "pos", "pos", "qty", "qty", "open")
GEN_CREDIT = (None, 100_000, 250_000, 500_000, 1_000_000, 2_500_000)
GEN_SCALES = (0.05, 0.1, 0.25, 0.5, 1.0)

# ----------------------------------------------------------------------------- building

"""Random desired and live states for the proof suites, drawn around the demo prod firm.

The desired side is a slice of `environments/prod` (six accounts and the users, groups,
margins and order-tag defaults around them, so a plan reads ~50 requests, not ~250) with
random edits: limit values and rows, restrictions, credit, link permissions, unlinks, user
limits, margins, risk-group moves. The live side is the sandbox's seeded prod firm with
random edits made the way TT's web UI would, straight into the sandbox's store. Both come
from one `random.Random`, so a failing draw is reproduced by its seed.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

from ttconfig.models import Firm
from ttconfig.models.accounts import AlgoParentLimit, AlgoParentLimits
from ttconfig.models.checks import fold
from ttconfig.models.limits import EVERY_PRODUCT, LIMIT_VALUES, NEW_ROW
from ttconfig.runs.planning import load
from ttconfig.sandbox.server import Sandbox
from ttconfig.tt.adapters.limits import VALUE_KEYS
from ttconfig.tt.adapters.ttaccount import (
    ACTION,
    ALGO_PARENT_LIMITS,
    AT_PERCENT,
    CREDIT_LOSS_ACTIONS,
    CROSS_PREVENTION,
    CROSS_PREVENTION_MODES,
    LOSS_ACTIONS,
    ORDER_TYPE,
    PARENT_CHECKS,
    PARENT_ORDER_TYPES,
)

ROOT = Path(__file__).resolve().parents[2]
PROD = load(ROOT / "environments" / "prod")
TT_ENVIRONMENT = "ext_prod_live"
ACCOUNTS = ("HPT-PROP-ENERGY", "HPT-PROP-RATES", "HPT-PROP-EQIDX", "HPT-MM-ICE", "HPT-HEDGE",
            "HPT-TRAINING")
USERS = ("carlos.mendoza@harborpoint.example", "nina.rossi@harborpoint.example",
         "john.smith@harborpoint.example", "emily.chen@harborpoint.example",
         "david.goldberg@harborpoint.example", "mia.johnson@harborpoint.example",
         "aisha.khan@harborpoint.example")
RISK_GROUPS = ("Energy Aggregate", "Equity Index Aggregate", "Rates Aggregate")
USER_GROUPS = ("Energy Desk",)
LIMIT_FIELDS = LIMIT_VALUES
"""Every value a limit row says: quantities, flags, price controls in ticks and percent."""
Data = dict[str, list[dict[str, Any]]]


def _declared(kind: str) -> list[dict[str, Any]]:
    return [m.declared() for m in getattr(PROD, kind)]


def _base() -> Data:
    accounts = {fold(a) for a in ACCOUNTS}
    users = {fold(u) for u in USERS}
    defaults = [d for d in _declared("order_tag_defaults")
                if fold(d.get("account") or ACCOUNTS[0]) in accounts
                and fold(d.get("user") or USERS[0]) in users]
    return {
        "accounts": [a for a in _declared("accounts") if fold(a["name"]) in accounts],
        "users": [u for u in _declared("users") if fold(u["email"]) in users],
        "user_groups": [g for g in _declared("user_groups") if g["name"] in USER_GROUPS],
        "risk_groups": [g for g in _declared("risk_groups") if g["name"] in RISK_GROUPS],
        "product_margins": _declared("product_margins"),
        "order_tag_defaults": defaults,
    }


BASE = _base()
SCOPES = sorted({(r["market"], r["product"], r["type"]) for a in BASE["accounts"]
                 for r in a.get("limits", {}).get("products", [])})


def quantity(rng: random.Random) -> int | None:
    """A limit value: "not set" sometimes, zero sometimes, else anything up to 100,000."""
    roll = rng.random()
    return None if roll < 0.15 else 0 if roll < 0.2 else rng.randint(1, 100_000)


def row_value(rng: random.Random, name: str) -> Any:
    """A value for the limit-row field `name`: a flag, a percent (0 to 100, often with
    decimals) or a quantity, each sometimes "not set"."""
    if isinstance(NEW_ROW[name], bool):
        return rng.random() < 0.5
    if name.endswith("_percent"):
        roll = rng.random()
        return None if roll < 0.15 else 0 if roll < 0.2 else round(rng.uniform(0, 100), 2)
    return quantity(rng)


def firm_of(data: Data) -> Firm:
    return Firm.model_validate({"environment": PROD.environment.model_dump(), **data})


def desired(rng: random.Random, edits: tuple[int, int] = (1, 6)) -> Firm:
    """The slice with a random number of random edits."""
    data = copy.deepcopy(BASE)
    for _ in range(rng.randint(*edits)):
        EDITS[rng.choice(sorted(EDITS))](rng, data)
    return firm_of(data)


# --- desired-side edits -----------------------------------------------------------------

def _rows(account: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = account.setdefault("limits", {}).setdefault("products", [])
    return rows


def _value(rng: random.Random, data: Data) -> None:
    rows = _rows(rng.choice(data["accounts"]))
    if rows:
        name = rng.choice(LIMIT_FIELDS)
        rng.choice(rows)[name] = row_value(rng, name)


def _add_row(rng: random.Random, data: Data) -> None:
    rows = _rows(rng.choice(data["accounts"]))
    free = [s for s in SCOPES if s not in {(r["market"], r["product"], r["type"])
                                           for r in rows}]
    if free:
        market, product, kind = rng.choice(free)
        rows.append({"market": market, "product": product, "type": kind,
                     "max_order_qty": quantity(rng)})


def _remove_row(rng: random.Random, data: Data) -> None:
    rows = _rows(rng.choice(data["accounts"]))
    if rows:
        rows.remove(rng.choice(rows))


def _restriction(rng: random.Random, data: Data) -> None:
    restrictions = rng.choice(data["accounts"])["restrictions"]
    name = rng.choice(sorted(restrictions))
    restrictions[name] = not restrictions[name]


OPT_IN_SETTINGS = ("near_touch_ticks", "far_touch_ticks", "market_impact_price_movement_ticks",
                   "market_impact_cooling_off_seconds", "algo_max_updates_per_interval",
                   "algo_max_cancels_per_interval", "algo_interval_ms")
"""Account risk settings drawn like limits (the prod company has both opt-ins on)."""


def _credit(rng: random.Random, data: Data) -> None:
    settings = rng.choice(data["accounts"])["risk_settings"]
    roll = rng.random()
    if roll < 0.4:
        settings["credit_limit"] = quantity(rng)
    elif roll < 0.55:
        settings[rng.choice(OPT_IN_SETTINGS)] = quantity(rng)
    elif roll < 0.6:
        settings["market_impact_participation_percent"] = rng.choice(
            [None, round(rng.uniform(0, 100), 2)])
    elif roll < 0.7:
        settings["check_credit"] = not settings.get("check_credit", False)
    elif roll < 0.8:
        checks = settings.setdefault("algo_parent_limits", {}).setdefault(
            rng.choice(sorted(AlgoParentLimits.model_fields)), {})
        checks[rng.choice(sorted(AlgoParentLimit.model_fields))] = quantity(rng)
    else:
        action = rng.choice(sorted(LOSS_ACTIONS))
        settings.setdefault("credit_loss_actions", {})[action] = rng.choice(
            [None, rng.randint(1, 100)])


def _permission(rng: random.Random, data: Data) -> None:
    links = rng.choice(data["accounts"]).get("users", [])
    if links:
        permissions = rng.choice(links)["order_permissions"]
        name = rng.choice(sorted(permissions))
        permissions[name] = not permissions[name]


def _unlink(rng: random.Random, data: Data) -> None:
    links = rng.choice(data["accounts"]).get("users", [])
    if links:
        links.remove(rng.choice(links))


def _user_limit(rng: random.Random, data: Data) -> None:
    rows = [r for u in data["users"] for r in u.get("limits", {}).get("products", [])]
    if rows:
        name = rng.choice(LIMIT_FIELDS)
        rng.choice(rows)[name] = row_value(rng, name)


def _margin(rng: random.Random, data: Data) -> None:
    rng.choice(data["product_margins"])["outright_margin"] = rng.randint(0, 50_000)


def _cross_prevention(rng: random.Random, data: Data) -> None:
    rng.choice(data["accounts"])["order_cross_prevention"] = rng.choice(
        sorted(CROSS_PREVENTION_MODES))


EXCHANGE_MARKETS = ("CME", "ICE", "Eurex")


def _exchange(rng: random.Random, data: Data) -> None:
    """A user's exchange access: an identity, a switch, the market-data kind, an exchange
    added or dropped."""
    user = rng.choice(data["users"])
    entries = user.setdefault("exchanges", [])
    roll = rng.random()
    if roll < 0.25 or not entries:
        held = {fold(e["market"]) for e in entries}
        free = [m for m in EXCHANGE_MARKETS if fold(m) not in held]
        if free:
            entries.append({"market": rng.choice(free), "market_data": rng.random() < 0.7,
                            "order_routing": rng.random() < 0.5,
                            "trader_id": rng.choice([None, f"T{rng.randint(1, 999)}"])})
        return
    entry = rng.choice(entries)
    if roll < 0.35:
        entries.remove(entry)
    elif roll < 0.6:
        entry[rng.choice(["order_routing", "market_data", "non_display"])] = rng.choice(
            [True, False])
    elif roll < 0.8:
        entry[rng.choice(["trader_id", "operator_id"])] = rng.choice(
            [None, f"X{rng.randint(1, 999)}"])
    else:
        entry["market_data_type"] = rng.choice([None, "subscriber", "sdk_client", "fix_and_sdk"])


TAG_SCOPES = ({"algo_type": "TT Iceberg"}, {"algo_type": "ADL", "algo_name": "HPT-Sweep"},
              {"profile": "Desk A"}, {"product_group": "Equity"},
              {"product": "ES", "type": "future"}, {"account": "HPT-PROP-EQIDX"})
"""Order-tag default keys past market and field, as TT keys them (the scope)."""


def _tag_key(default: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fold(str(default.get(k))) for k in (
        "market", "field", "account", "user", "profile", "algo_type", "algo_name",
        "product_group", "type", "product"))


def _tag_default(rng: random.Random, data: Data) -> None:
    """An order-tag default's value changed, or a default added under a TT key."""
    defaults = data["order_tag_defaults"]
    if defaults and rng.random() < 0.5:
        rng.choice(defaults)["value"] = rng.choice(["1", "2", "4", "Y", "N"])
        return
    added = {"market": "CME", "field": "Customer Type Indicator",
             "value": str(rng.randint(1, 4)), **rng.choice(TAG_SCOPES)}
    if _tag_key(added) not in {_tag_key(d) for d in defaults}:
        defaults.append(added)


def _group_credit(rng: random.Random, data: Data) -> None:
    group = rng.choice(data["risk_groups"])
    group.setdefault("risk_settings", {})["credit_limit"] = quantity(rng)


def _move(rng: random.Random, data: Data) -> None:
    groups = data["risk_groups"]
    source = rng.choice([g for g in groups if g.get("accounts")])
    target = rng.choice([g for g in groups if g is not source])
    member = rng.choice(source["accounts"])
    source["accounts"].remove(member)
    target.setdefault("accounts", []).append(member)


def _spread(rng: random.Random, data: Data) -> None:
    """Change, add or remove an inter-product row (legs: two products the slice has rows
    for, in either order)."""
    rows: list[dict[str, Any]] = rng.choice(data["accounts"]).setdefault(
        "limits", {}).setdefault("inter_product", [])
    roll = rng.random()
    if rows and roll < 0.5:
        name = rng.choice(LIMIT_FIELDS)
        rng.choice(rows)[name] = row_value(rng, name)
    elif rows and roll < 0.7:
        rows.remove(rng.choice(rows))
    else:
        taken = {frozenset((leg["market"], leg["product"], leg.get("type", "future"))
                           for leg in r["legs"]) for r in rows}
        pair = rng.sample([s for s in SCOPES if s[1] != EVERY_PRODUCT], 2)
        if frozenset(pair) not in taken:
            rows.append({"legs": [{"market": m, "product": p, "type": t} for m, p, t in pair],
                         "max_position": quantity(rng)})


EDITS = {"value": _value, "spread": _spread, "add row": _add_row, "remove row": _remove_row,
         "restriction": _restriction, "credit": _credit, "permission": _permission,
         "unlink": _unlink, "user limit": _user_limit, "margin": _margin, "move": _move,
         "group credit": _group_credit, "cross prevention": _cross_prevention,
         "exchange": _exchange, "tag default": _tag_default}


# --- live-side edits, as TT's web UI would make them -------------------------------------

def scramble_live(sandbox: Sandbox, rng: random.Random, count: int,
                  kinds: tuple[str, ...] | None = None) -> list[str]:
    """Make `count` random edits (of `kinds`, default any) to the slice's live objects in
    the sandbox; what they were, each naming its account in brackets."""
    made = []
    store = sandbox.store
    with store.lock:
        env = store.env(TT_ENVIRONMENT)
        ids = {fold(a["name"]): a["id"] for a in env.accounts.values()}
        for _ in range(count):
            edit = rng.choice(sorted(kinds or LIVE_EDITS))
            name = rng.choice(ACCOUNTS)
            made.append(f"{edit} [{name}]: {LIVE_EDITS[edit](rng, env, ids[fold(name)])}")
        store.save()
    return made


def _live_limit(rng: random.Random, env: Any, account: int) -> str:
    rows = env.account_limits[account]["productLimits"]
    if not rows:
        return "no rows"
    row = rng.choice(rows)
    field = rng.choice(LIMIT_FIELDS)
    name = VALUE_KEYS[field]
    row[name] = row_value(rng, field)
    return f"account {account} row {row['id']} {name}={row[name]}"


def _live_row_gone(rng: random.Random, env: Any, account: int) -> str:
    rows = env.account_limits[account]["productLimits"]
    if not rows:
        return "no rows"
    row = rows.pop(rng.randrange(len(rows)))
    return f"account {account} row {row['id']} removed"


def _live_restriction(rng: random.Random, env: Any, account: int) -> str:
    restrictions = env.restrictions[account]
    name = rng.choice(sorted(k for k in restrictions if k != "accountId"))
    restrictions[name] = not restrictions[name]
    return f"account {account} {name}={restrictions[name]}"


def _live_credit(rng: random.Random, env: Any, account: int) -> str:
    settings = env.risk_settings[account]
    roll = rng.random()
    if roll < 0.5:
        settings["creditLimit"] = quantity(rng)
        return f"account {account} creditLimit={settings['creditLimit']}"
    if roll < 0.7:
        settings["checkCredit"] = not settings["checkCredit"]
        return f"account {account} checkCredit={settings['checkCredit']}"
    if roll < 0.8:
        types = rng.sample(sorted(PARENT_ORDER_TYPES.values()), rng.randint(0, 3))
        settings[ALGO_PARENT_LIMITS] = [
            {ORDER_TYPE: t, **{key: quantity(rng) for key in PARENT_CHECKS.values()
                               if rng.random() < 0.7}} for t in types]
        return f"account {account} {ALGO_PARENT_LIMITS}={settings[ALGO_PARENT_LIMITS]}"
    actions = rng.sample(sorted(LOSS_ACTIONS.values()), rng.randint(0, 3))
    settings[CREDIT_LOSS_ACTIONS] = [{ACTION: a, AT_PERCENT: rng.randint(1, 100)}
                                     for a in actions]
    return f"account {account} {CREDIT_LOSS_ACTIONS}={settings[CREDIT_LOSS_ACTIONS]}"


def _live_unlink(rng: random.Random, env: Any, account: int) -> str:
    links = env.account_users.get(account, {})
    if not links:
        return "no links"
    user = rng.choice(sorted(links))
    del links[user]
    return f"account {account} unlinked user {user}"


def _live_permission(rng: random.Random, env: Any, account: int) -> str:
    links = env.account_users.get(account, {})
    if not links:
        return "no links"
    user = rng.choice(sorted(links))
    permissions = links[user]["orderPermissions"]
    name = rng.choice(sorted(permissions))
    permissions[name] = not permissions[name]
    return f"account {account} user {user} {name}={permissions[name]}"


def _live_margin(rng: random.Random, env: Any, _account: int) -> str:
    margin = rng.choice(sorted(env.product_margins.values(), key=lambda m: m["id"]))
    margin["outrightMargin"] = rng.randint(0, 50_000)
    return f"margin {margin['id']} outrightMargin={margin['outrightMargin']}"


def _live_exchange(rng: random.Random, env: Any, _account: int) -> str:
    """A slice user's exchange access changed in TT's Setup: routing switched, an identity
    changed, or an exchange's entry dropped."""
    email = fold(rng.choice(USERS))
    user = next(u for u, r in env.users.items() if fold(r["email"]) == email)
    entries = env.user_exchanges.setdefault(user, {"userId": user, "exchanges": []})
    if not entries["exchanges"]:
        market = next(m for m, r in env.markets.items() if r["name"] == "CME")
        entries["exchanges"].append({"marketId": market, "marketData": True,
                                     "productGroups": None, "orderRouting": True,
                                     "traderId": None, "operatorId": None,
                                     "marketDataType": None, "nonDisplay": False})
        return f"user {user} exchanges: CME added, routing"
    entry = rng.choice(entries["exchanges"])
    roll = rng.random()
    if roll < 0.2:
        entries["exchanges"].remove(entry)
        return f"user {user} exchanges: market {entry['marketId']} dropped"
    key = "orderRouting" if roll < 0.6 else "operatorId"
    entry[key] = (not entry.get(key)) if key == "orderRouting" else f"UI{rng.randint(1, 99)}"
    return f"user {user} exchanges: market {entry['marketId']} {key}={entry[key]}"


def _live_group_credit(rng: random.Random, env: Any, account: int) -> str:
    company = env.accounts[account]["companyId"]
    group = rng.choice(sorted(g for g, r in env.risk_groups.items()
                              if r["companyId"] == company))
    settings = env.risk_group_settings[group]
    settings["creditLimit"] = quantity(rng)
    return f"risk group {group} creditLimit={settings['creditLimit']}"


def _live_cross_prevention(rng: random.Random, env: Any, account: int) -> str:
    mode = rng.choice(sorted(CROSS_PREVENTION_MODES.values()))
    env.accounts[account][CROSS_PREVENTION] = mode
    return f"account {account} {CROSS_PREVENTION}={mode}"


def _live_move(rng: random.Random, env: Any, account: int) -> str:
    company = env.accounts[account]["companyId"]
    groups = sorted(g for g, r in env.risk_groups.items() if r["companyId"] == company)
    for members in env.risk_group_accounts.values():
        members.discard(account)
    group = rng.choice(groups)
    env.risk_group_accounts.setdefault(group, set()).add(account)
    return f"account {account} moved to risk group {group}"


LIVE_EDITS = {"limit": _live_limit, "row gone": _live_row_gone,
              "restriction": _live_restriction, "credit": _live_credit,
              "unlink": _live_unlink, "permission": _live_permission, "margin": _live_margin,
              "move": _live_move, "group credit": _live_group_credit,
              "cross prevention": _live_cross_prevention, "exchange": _live_exchange}

"""Benchmark: validate a large firm's YAML (default 5,000 users, 2,000 accounts, 50,000
limit rows), as `ttconfig validate` does, and print where the time goes.

    python benchmarks/validate_firm.py --users 5000 --accounts 2000 --rows 50000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

from ttconfig.core.diff import diff
from ttconfig.core.plan import build_plan
from ttconfig.desired import yaml12
from ttconfig.desired.loader import load_firm
from ttconfig.models.accounts import Account
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text

ENVIRONMENT = """\
tt_environment: ext_prod_live
company: Harbor Point Trading
credentials:
  app_key_env: TT_PROD_APP_KEY
  app_secret_env: TT_PROD_APP_SECRET
usage_plan: high
company_settings: {advanced_risk: true}
"""
PRODUCTS = [("CME", s) for s in ("ES", "NQ", "ZN", "ZB", "CL", "NG", "GC", "6E", "SR3", "RTY")]
PRODUCTS += [("Eurex", s) for s in ("FDAX", "FESX", "FGBL", "FGBM", "FGBS")]
PRODUCTS += [("ICE", s) for s in ("BRN", "G", "T", "TFM", "SB")]


def accounts_yaml(accounts: int, rows: int, users: int) -> str:
    per_account = rows // accounts
    lines = []
    for i in range(accounts):
        lines += [f"- name: HPT-BOOK-{i:05d}", "  type: house",
                  f"  parent: HPT-BOOK-{i - i % 10:05d}" if i % 10 else "  description: a desk",
                  "  risk_settings: {credit_limit: 1000000, currency: USD, check_credit: true,",
                  "                  credit_loss_actions: {delete_orders_at_percent: 80},",
                  "                  near_touch_ticks: 10,",
                  "                  algo_parent_limits: {tt_iceberg: {max_order_qty: 500}}}",
                  "  limits:", "    apply: true", "    products:",
                  "      - {market: CME, type: future, max_order_qty: 5}",
                  "      - {market: CME, family: Energy, type: option, max_order_qty: 20}"]
        for j in range(per_account):
            market, product = PRODUCTS[j % len(PRODUCTS)]
            kind = ("future", "option", "spread")[j // len(PRODUCTS)]
            lines += [f"      - market: {market}", f"        product: {product}",
                      f"        type: {kind}", f"        max_order_qty: {10 + j}",
                      f"        max_position: {100 + j}", "        max_long_position: null",
                      "        trading_allowed: true", "        price_reasonability_percent: 2.5",
                      "        price_drift_1min_ticks: 8"]
        lines += ["    inter_product:",
                  "      - {legs: [{market: CME, product: ZN}, {market: CME, product: ZB}],",
                  "         max_position: 400}"]
        lines += ["  users:", f"    - user: trader{i % users:05d}@harborpoint.example",
                  "      order_permissions: {place_orders: true, modify_orders: true}"]
    return "\n".join(lines) + "\n"


def users_yaml(users: int) -> str:
    return "".join(f"- email: trader{i:05d}@harborpoint.example\n  first_name: Trader\n"
                   f"  last_name: Number{i}\n  trade_mode: standard\n  active: true\n"
                   f"  exchanges:\n    - {{market: CME, market_data: true, order_routing: true,"
                   f" trader_id: T{i:05d}, operator_id: OP{i:05d}}}\n"
                   for i in range(users))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prod"
        folder.mkdir()
        (folder / "environment.yaml").write_text(ENVIRONMENT)
        accounts = accounts_yaml(args.accounts, args.rows, args.users)
        (folder / "accounts.yaml").write_text(accounts)
        (folder / "users.yaml").write_text(users_yaml(args.users))
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))]
        started = time.perf_counter()
        for text in texts:
            yaml12.parse(text)
        parse_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)
        libyaml_seconds = time.perf_counter() - started
        tracemalloc.start()
        started = time.perf_counter()
        firm = load_firm(folder)
        total = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        started = time.perf_counter()
        load_firm(folder)
        untraced = time.perf_counter() - started
    rows = sum(len(a.limits.products) for a in firm.accounts if a.limits)
    desired = firm.by_kind()
    live = dict(desired)
    live["accounts"] = [_loosened(a) if i % 4 == 0 else a
                        for i, a in enumerate(firm.accounts)]
    started = time.perf_counter()
    changes = diff(desired, live)
    plan = build_plan(changes, environment="prod", tt_environment="ext_prod_live")
    planned = time.perf_counter()
    texts = [render_text(plan), render_markdown(plan), render_json(plan)]
    rendered = time.perf_counter()
    print(f"firm: {len(firm.users)} users, {len(firm.accounts)} accounts, {rows} limit rows; "
          f"YAML {size:.1f} MiB")
    print(f"parse the files (libyaml)  {parse_seconds:.2f} s  (ttconfig's event reader; "
          f"PyYAML's CSafeLoader: {libyaml_seconds:.2f} s)")
    print(f"validate (load_firm)       {untraced:.2f} s  (target ≤ 5 s)")
    print(f"peak memory (traced run)   {peak:.0f} MiB  (traced run: {total:.2f} s)")
    print(f"diff + plan                {planned - started:.2f} s  ({len(changes)} changes, "
          f"{plan.summary.requests} requests)")
    print(f"render text/markdown/json  {rendered - planned:.2f} s  (markdown "
          f"{len(texts[1]):,} chars)")
    compute = untraced + rendered - started
    print(f"local compute in all       {compute:.2f} s  (target ≤ 5 s; "
          f"{compute / parse_seconds:.2f}× the bare parse of the same files)")


def _loosened(account: Account) -> Account:
    """The account as live might have it: its first row's max_order_qty one higher."""
    data = account.declared()
    row = data["limits"]["products"][0]
    row["max_order_qty"] = row["max_order_qty"] + 1
    return Account.model_validate(data)


if __name__ == "__main__":
    main()

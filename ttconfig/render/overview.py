"""`ttconfig inspect`'s summary: the firm's accounts as a table, and one line saying what
the read cost against what the usage plan allows — the figures a user checks credentials,
plan and speed by before the first plan."""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table

from ttconfig.live.overview import Overview
from ttconfig.live.read import ACCOUNT_TYPES
from ttconfig.words import plural

NUMERIC = ("limit rows", "users", "credit limit")
UNWRAPPED = ("account", "parent", "credit limit")
"""Names and amounts are never broken over lines: a wrapped name reads as two accounts."""


def accounts_table(overview: Overview) -> Table:
    names = {view.account.id: view.account.name for view in overview.accounts}
    table = Table(title=f"{overview.company.name} ({overview.company.abbrev_name}): accounts")
    for column in ("account", "type", "parent", "limit rows", "credit limit", "users",
                   "can place orders"):
        table.add_column(column, justify="right" if column in NUMERIC else "left",
                         no_wrap=column in UNWRAPPED)
    for view in sorted(overview.accounts, key=lambda v: v.account.name):
        account, settings = view.account, view.risk_settings
        credit = "not set" if settings.credit_limit is None else (
            f"{settings.credit_limit:,} {settings.currency}")
        rows = len(view.limits.product_limits) + len(view.limits.contract_limits)
        table.add_row(account.name, ACCOUNT_TYPES.get(account.account_type, "?"),
                      names.get(account.parent_id or -1, ""), str(rows), credit,
                      str(len(view.users)), "yes" if view.restrictions.place_orders else "no")
    return table


def _rows(overview: Overview) -> list[dict[str, Any]]:
    names = {view.account.id: view.account.name for view in overview.accounts}
    return [{"account": v.account.name, "type": ACCOUNT_TYPES.get(v.account.account_type, "?"),
             "parent": names.get(v.account.parent_id or -1),
             "limit_rows": len(v.limits.product_limits) + len(v.limits.contract_limits),
             "credit_limit": v.risk_settings.credit_limit, "currency": v.risk_settings.currency,
             "users": len(v.users), "can_place_orders": v.restrictions.place_orders}
            for v in sorted(overview.accounts, key=lambda v: v.account.name)]


def overview_json(overview: Overview, requests_per_second: float) -> str:
    """The summary for tools: each account's row, the counts, and what the read cost."""
    return json.dumps({
        "company": overview.company.name, "accounts": _rows(overview),
        "counts": {"users": len(overview.users), "user_groups": len(overview.user_groups),
                   "risk_groups": len(overview.risk_groups),
                   "product_margins": overview.product_margins,
                   "order_tag_defaults": overview.order_tag_defaults},
        "read": {"requests": overview.requests, "seconds": round(overview.seconds, 3),
                 "floor_seconds": round(overview.requests / requests_per_second, 3),
                 "rate_limited": overview.rate_limited, "retries": overview.retries},
    }, indent=2) + "\n"


def _credit(row: dict[str, Any]) -> str:
    amount = row["credit_limit"]
    return "not set" if amount is None else f"{amount:,} {row['currency']}"


def overview_markdown(overview: Overview, requests_per_second: float) -> str:
    head = "| account | type | parent | limit rows | credit limit | users | can place orders |"
    rows = [f"| {r['account']} | {r['type']} | {r['parent'] or ''} | {r['limit_rows']} | "
            f"{_credit(r)} | {r['users']} | {'yes' if r['can_place_orders'] else 'no'} |"
            for r in _rows(overview)]
    return "\n".join([f"## {overview.company.name}: accounts", "", head,
                      "|---|---|---|---:|---:|---:|---|", *rows, "",
                      summary_line(overview, requests_per_second), ""])


def summary_line(overview: Overview, requests_per_second: float) -> str:
    limit_rows = sum(len(v.limits.product_limits) + len(v.limits.contract_limits)
                     for v in overview.accounts)
    floor = overview.requests / requests_per_second
    return (f"Read {plural(len(overview.accounts), 'account')} "
            f"({plural(limit_rows, 'limit row')}), {plural(len(overview.users), 'user')}, "
            f"{plural(len(overview.user_groups), 'user group')}, "
            f"{plural(len(overview.risk_groups), 'risk group')}, "
            f"{plural(overview.product_margins, 'product margin')}, "
            f"{plural(overview.order_tag_defaults, 'order-tag default')} with "
            f"{plural(overview.requests, 'request')} in {overview.seconds:.1f} s "
            f"(the plan's rate allows no less than {floor:.1f} s; "
            f"{overview.rate_limited} answered 429, {overview.retries} retried).")

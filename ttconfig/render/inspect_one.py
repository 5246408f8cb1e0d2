"""`ttconfig inspect account|user`: one object as live TT holds it (as the YAML would say it,
so it can be compared or pasted), and what governs it from elsewhere."""

from __future__ import annotations

import json

from ttconfig.core.changes import shown
from ttconfig.desired.writer import yaml_of
from ttconfig.models.base import as_imported
from ttconfig.models.limits import ProductLimit
from ttconfig.models.permissions import UserLink
from ttconfig.runs.inspect_one import AccountView, UserView


def _indented(text: str) -> list[str]:
    return ["    " + line for line in text.rstrip("\n").splitlines()]


def _granted(link: UserLink) -> str:
    data = link.declared()
    allowed = [name for part in ("order_permissions", "permissions")
               for name, value in (data.get(part) or {}).items() if value is True]
    return ", ".join(allowed) if allowed else "nothing granted"


def account_text(view: AccountView, where: str) -> str:
    account = view.account
    lines = [f"Account {account.name} in {where}, as live TT holds it"]
    if view.ancestors:
        lines.append("  parents: " + " → ".join(a.name for a in view.ancestors)
                     + " (their restrictions apply to this account too)")
    if view.denied_by:
        lines.append("  denied by a parent although this account allows it: " + ", ".join(
            f"{name} ({parent})" for name, parent in sorted(view.denied_by.items())))
    if view.group is not None:
        lines.append(f"  risk group: {view.group.name} (its rows limit its accounts' combined "
                     "positions, beside this account's own)")
    else:
        lines.append("  risk group: none")
    lines += _effective_lines(view)
    lines += ["", *_indented(yaml_of([type(account).model_validate(as_imported(account))]))]
    if view.group is not None and view.group.limits is not None:
        group = type(view.group).model_validate(
            {"name": view.group.name, "limits": view.group.limits.declared()})
        lines += ["", f"  risk group {view.group.name}'s rows:",
                  *_indented(yaml_of([group]))]
    return "\n".join(lines) + "\n"


GOVERNING = ("trading_allowed", "max_order_qty", "max_position", "max_long_position",
             "max_short_position")
"""The fields `inspect` shows of a governing row (the YAML below has the rest)."""


def _row(row: ProductLimit | None) -> str:
    if row is None:
        return "no row"
    which = ("own row" if not row.is_default else
             f"the {row.family} family row" if row.family else "the default row")
    data = row.declared()
    said = [f"{name} {shown(data[name])}" for name in GOVERNING if data.get(name) is not None]
    return f"{which} ({', '.join(said)})" if said else which


def _effective_lines(view: AccountView) -> list[str]:
    if not view.limits:
        return []
    group = f"risk group {view.group.name}" if view.group is not None else None
    return ["  effective limits (an order meets the account's governing row and its risk "
            "group's; in each, the most specific row that matches governs):",
            *(f"    {e.product}: account: {_row(e.account_row)}"
              + (f"; {group}: {_row(e.group_row)}" if group else "") for e in view.limits)]


def _effective_data(view: AccountView) -> list[dict[str, object]]:
    def row(found: ProductLimit | None) -> object:
        return None if found is None else found.declared()

    return [{"product": e.product, "account_row": row(e.account_row),
             "risk_group_row": row(e.group_row)} for e in view.limits]


def user_text(view: UserView, where: str) -> str:
    user = view.user
    lines = [f"User {user.email} in {where}, as live TT holds it"]
    if view.links:
        lines.append("  may trade on: " + "; ".join(
            f"{account} ({_granted(link)})" for account, link in view.links))
    else:
        lines.append("  may trade on: no account (linked to none)")
    for account, denied in view.restricted.items():
        if denied:
            lines.append(f"  restricted on {account} (for whoever trades it): " + ", ".join(
                f"{name} ({by})" for name, by in sorted(denied.items())))
    lines += ["", *_indented(yaml_of([type(user).model_validate(as_imported(user))]))]
    return "\n".join(lines) + "\n"


def view_json(view: AccountView | UserView) -> str:
    """One account or user for tools: the object as the YAML says it, and what governs it."""
    if isinstance(view, AccountView):
        data: dict[str, object] = {
            "account": as_imported(view.account),
            "parents": [a.name for a in view.ancestors], "denied_by_parent": view.denied_by,
            "risk_group": None if view.group is None else view.group.declared(),
            "effective_limits": _effective_data(view)}
    else:
        data = {"user": as_imported(view.user),
                "accounts": [{"account": account, **link.declared(),
                              "restricted": dict(view.restricted.get(account, {}))}
                             for account, link in view.links]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

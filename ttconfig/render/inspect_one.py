"""`ttconfig inspect account|user`: one object as live TT holds it (as the YAML would say it,
so it can be compared or pasted), and what governs it from elsewhere."""

from __future__ import annotations

import json

from ttconfig.desired.writer import yaml_of
from ttconfig.models.base import as_imported
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
    lines += ["", *_indented(yaml_of([type(account).model_validate(as_imported(account))]))]
    if view.group is not None and view.group.limits is not None:
        group = type(view.group).model_validate(
            {"name": view.group.name, "limits": view.group.limits.declared()})
        lines += ["", f"  risk group {view.group.name}'s rows:",
                  *_indented(yaml_of([group]))]
    return "\n".join(lines) + "\n"


def user_text(view: UserView, where: str) -> str:
    user = view.user
    lines = [f"User {user.email} in {where}, as live TT holds it"]
    if view.links:
        lines.append("  may trade on: " + "; ".join(
            f"{account} ({_granted(link)})" for account, link in view.links))
    else:
        lines.append("  may trade on: no account (linked to none)")
    lines += ["", *_indented(yaml_of([type(user).model_validate(as_imported(user))]))]
    return "\n".join(lines) + "\n"


def view_json(view: AccountView | UserView) -> str:
    """One account or user for tools: the object as the YAML says it, and what governs it."""
    if isinstance(view, AccountView):
        data: dict[str, object] = {
            "account": as_imported(view.account),
            "parents": [a.name for a in view.ancestors], "denied_by_parent": view.denied_by,
            "risk_group": None if view.group is None else view.group.declared()}
    else:
        data = {"user": as_imported(view.user),
                "accounts": [{"account": account, **link.declared()}
                             for account, link in view.links]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

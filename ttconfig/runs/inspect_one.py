"""`ttconfig inspect account NAME` / `inspect user EMAIL`: one object's live setup, and what
governs it from elsewhere (its parents' restrictions and its risk group's rows for an
account; every account it may trade and how, for a user).

It reads the listings, then only what the object needs: an account and its ancestors, the
risk groups' members and its own group's rows; a user, its detail, rows and exchanges, and
the links of every account (TT lists links per account, so a user's accounts cost one
request per account).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ttconfig.errors import UsageError
from ttconfig.live.read import ACCOUNT_PARTS, USER_PARTS, ReadScope, read_live, to_models
from ttconfig.models.accounts import Account, Restrictions
from ttconfig.models.base import Risk
from ttconfig.models.checks import fold
from ttconfig.models.groups import RiskGroup
from ttconfig.models.limits import ProductLimit
from ttconfig.models.permissions import UserLink
from ttconfig.models.users import User
from ttconfig.runs.explain import Asked, governing
from ttconfig.runs.importer import declared
from ttconfig.runs.planning import Reach
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig
from ttconfig.tt.records import Account as AccountRecord


@dataclass(frozen=True)
class AccountView:
    account: Account
    ancestors: tuple[Account, ...]
    """Parent first, then its parent, …: their restrictions apply to this account."""
    group: RiskGroup | None
    denied_by: Mapping[str, str] = field(default_factory=dict)
    """Each activity an ancestor denies (restriction → the ancestor), though this allows."""
    limits: tuple[Effective, ...] = ()
    """The rows that govern each product the account's or its group's rows name."""


@dataclass(frozen=True)
class Effective:
    """What limits orders in one product on the account: in the account's rows and in its
    risk group's, the row that governs (the most specific that matches; None: none does).
    `product` is a product ("CME ZN future"), a family's products or a market's others."""

    product: str
    account_row: ProductLimit | None
    group_row: ProductLimit | None


def effective_limits(account: Account, group: RiskGroup | None) -> list[Effective]:
    """For each product a row of the account or its group names, then each family and
    each market's other products of a type, the rows that govern orders there."""
    group_limits = None if group is None else group.limits
    rows = [*(account.limits.products if account.limits else ()),
            *(group_limits.products if group_limits else ())]
    asked: dict[tuple[str, ...], tuple[Asked, str]] = {}
    for row in rows:
        if not row.is_default:
            ask, shown = Asked(row.market, row.product, row.type), \
                f"{row.market} {row.product} {row.type}"
        elif row.family is not None:
            ask = Asked(row.market, "", row.type, family=row.family)
            shown = f"{row.market} {row.family} {row.type}s (the family's other products)"
        else:
            ask, shown = Asked(row.market, "", row.type), \
                f"{row.market} {row.type}s (any other product)"
        asked.setdefault((fold(shown),), (ask, shown))
    return [Effective(shown, governing(account.limits, ask), governing(group_limits, ask))
            for ask, shown in asked.values()]


@dataclass(frozen=True)
class UserView:
    user: User
    links: tuple[tuple[str, UserLink], ...]
    """(account, the link's permissions) for every account the user is linked to."""
    restricted: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per linked account, what its restrictions deny there (restriction → the account or
    the ancestor that denies it): TT applies them to whoever trades the account."""


def restricted_on(account: Account, ancestors: tuple[Account, ...]) -> dict[str, str]:
    """What an account's own restrictions and its ancestors' deny (→ who denies it)."""
    own = account.restrictions.declared() if account.restrictions else {}
    denied = {} if own.get("apply") is False else {
        name: account.name for name in ALLOWANCES if own.get(name) is False}
    return {**denied, **{name: by for name, by in effective_denials(account, ancestors).items()
                         if name not in denied}}


ALLOWANCES = tuple(name for name, info in Restrictions.model_fields.items()
                   if Risk.GRANT in info.metadata)
"""The restrictions that allow an activity (`false` denies it); not `apply` nor an
approval an activity needs (`adl_algo_approval_required`: `false` requires none)."""


def effective_denials(account: Account, ancestors: tuple[Account, ...]) -> dict[str, str]:
    """Restrictions the account allows that an ancestor denies (TT applies a parent's
    restrictions to its children)."""
    own = account.restrictions.declared() if account.restrictions else {}
    denied: dict[str, str] = {}
    for ancestor in ancestors:
        theirs = ancestor.restrictions.declared() if ancestor.restrictions else {}
        for name in ALLOWANCES:
            if name in denied:
                continue
            if theirs.get(name) is False and own.get(name) is not False:
                denied[name] = ancestor.name
    return denied


async def read_account(config: ClientConfig, name: str) -> AccountView:
    async with TTClient(config) as tt:
        listed = await tt.accounts.list()
        by_name = {fold(a.name): a for a in listed}
        record = by_name.get(fold(name))
        if record is None:
            raise UsageError(f"no account {name!r} in TT ({config.environment})")
        chain = _chains(listed, [record.name])[record.name]
        scope = ReadScope(accounts=dict.fromkeys((fold(n) for n in chain), ACCOUNT_PARTS),
                          users={}, groups=None, margins=False, defaults=False,
                          risk_group_members=True, families=True)
        models = to_models(await read_live(tt, scope))
    accounts = {fold(str(a.key())): a for a in models["accounts"] if isinstance(a, Account)}
    account = accounts[fold(record.name)]
    ancestors = tuple(accounts[fold(n)] for n in chain[1:] if fold(n) in accounts)
    group = next((g for g in models["risk_groups"] if isinstance(g, RiskGroup)
                  and any(fold(m) == fold(record.name) for m in g.accounts)), None)
    return AccountView(account, ancestors, group, effective_denials(account, ancestors),
                       tuple(effective_limits(account, group)))


async def read_user(config: ClientConfig, email: str) -> UserView:
    async with TTClient(config) as tt:
        users, accounts = await asyncio.gather(tt.users.list(), tt.accounts.list())
        if not any(fold(u.email) == fold(email) for u in users):
            raise UsageError(f"no user {email!r} in TT ({config.environment})")
        scope = ReadScope(accounts=dict.fromkeys((fold(a.name) for a in accounts),
                                                 frozenset({"links"})),
                          users={fold(email): USER_PARTS}, groups=frozenset(),
                          margins=False, defaults=False, risk_group_members=False,
                          families=True)
        models = to_models(await read_live(tt, scope))
        user = next(u for u in models["users"] if isinstance(u, User)
                    and fold(u.email) == fold(email))
        links = tuple((a.name, link) for a in models["accounts"] if isinstance(a, Account)
                      for link in a.users if fold(link.user) == fold(email))
        chains = _chains(accounts, [name for name, _ in links])
        scope = ReadScope(accounts=dict.fromkeys({fold(n) for c in chains.values() for n in c},
                                                 frozenset({"restrictions"})),
                          users={}, groups=frozenset(), margins=False, defaults=False,
                          risk_group_members=False, families=False)
        read = {fold(str(a.key())): a for a in to_models(await read_live(tt, scope))["accounts"]
                if isinstance(a, Account)}
    restricted = {name: restricted_on(read[fold(name)], tuple(
        read[fold(n)] for n in chain[1:] if fold(n) in read))
        for name, chain in chains.items() if fold(name) in read}
    return UserView(user, links, restricted)


def _chains(listed: Sequence[AccountRecord], names: Sequence[str]) -> dict[str, list[str]]:
    """Each named account and its ancestors, nearest first (from TT's account listing)."""
    by_id = {a.id: a for a in listed}
    by_name = {fold(a.name): a for a in listed}
    chains = {}
    for name in names:
        record = by_name.get(fold(name))
        chain, parent = [name], None if record is None else record.parent_id
        while parent is not None and parent in by_id and len(chain) < 50:
            chain.append(by_id[parent].name)
            parent = by_id[parent].parent_id
        chains[name] = chain
    return chains


def inspect_one(folder: Path, environment: str, reach: Reach, what: str, name: str,
                ) -> AccountView | UserView:
    """Read one account or user (`what`) of the environment's TT."""
    with reach.connect(reach.options.target(environment, declared(folder))) as config:
        if what == "account":
            return asyncio.run(read_account(config, name))
        return asyncio.run(read_user(config, name))

"""`ttconfig doctor --write-probe SCRATCH`: one write of each kind, made and undone.

The write endpoints are where the contract is least sure (§9: every write is ASSUMED), so
before production a firm proves them on UAT, on an account it set aside for it: a limit
row, a restriction, a link to its scratch user, an order-tag default — each written, read
back, undone and read back again. Only the account named as scratch in environment.yaml,
and never in a production TT environment: the refusals come before anything is read.
A probe that fails says what it left behind, so nothing is left unsaid on the account.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from ttconfig.errors import UsageError
from ttconfig.models.checks import fold
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.models.limits import NEW_ROW
from ttconfig.tt import wire
from ttconfig.tt.client import TTClient
from ttconfig.tt.errors import RateLimitedError, TTError
from ttconfig.tt.records import (
    AccountUserLink,
    LimitRow,
    LimitScope,
    OrderPermissions,
    OrderTagDefault,
    Permissions,
)

PRODUCTION = "ext_prod_live"
Probe = Callable[[TTClient, int], Awaitable[str]]


def check_probe(config: EnvironmentConfig, account: str) -> None:
    """Refuse a probe where it may not run (before anything is read)."""
    if config.tt_environment == PRODUCTION:
        raise UsageError("--write-probe writes to TT: never in a production TT environment "
                         f"({PRODUCTION}); probe UAT, which speaks the same wire")
    scratch = config.scratch
    if scratch is None or fold(scratch.account) != fold(account):
        raise UsageError(f"--write-probe {account}: not the scratch account of environment.yaml "
                         "(scratch: {account: NAME, user: EMAIL}): the probe writes only to "
                         "an account set aside for it")


class ProbeFailed(Exception):
    """A probe's read-back did not show what it wrote or undid."""


Outcome = tuple[str, str | None, str]
"""(the kind of write, None or what failed, what the probe did)."""


async def probe_all(tt: TTClient, config: EnvironmentConfig) -> list[Outcome]:
    """(write, None or what failed, what it did) for each kind of write."""
    assert config.scratch is not None
    accounts = {fold(a.name): a.id for a in await tt.accounts.list()}
    account_id = accounts.get(fold(config.scratch.account))
    if account_id is None:
        raise UsageError(f"the scratch account {config.scratch.account} is not in TT")
    results: list[Outcome] = []
    probes: list[tuple[str, Probe]] = [("limit row", _limit_row),
                                       ("restriction", _restriction),
                                       ("order-tag default", _order_tag_default)]
    if config.scratch.user is not None:
        email = fold(config.scratch.user)

        async def link(tt: TTClient, account: int) -> str:
            return await _link(tt, account, email)
        probes.append(("account↔user link", link))
    for name, probe in probes:
        try:
            results.append((name, None, await probe(tt, account_id)))
        except (TTError, ProbeFailed) as error:
            results.append((name, str(error), ""))
    return results


async def _limit_row(tt: TTClient, account: int) -> str:
    """A product row the account does not have (max order qty 1), then deleted."""
    before = await tt.accounts.limits(account)
    taken = {r.scope.product_id for r in before.product_limits}
    product = next((p for p in await tt.reference.products() if p.id not in taken), None)
    if product is None:
        raise ProbeFailed("every product already has a row on the scratch account")
    values: dict[str, Any] = {**NEW_ROW, "spread_trading_allowed": False,
                              "max_order_qty": 1, "max_position": 1}
    row = LimitRow(scope=LimitScope(product.market_id, product.product_type_id, product.id),
                   **values)
    written = await tt.accounts.upsert_limits(account, [row])
    made = next((r for r in (await tt.accounts.limits(account)).product_limits
                 if r.scope.product_id == product.id), None)
    if made is None or made.max_order_qty != 1 or made.id is None:
        raise ProbeFailed(f"the row for {product.symbol} did not read back as written "
                          f"(answered {written})")
    await tt.accounts.delete_limit(account, made.id)
    if any(r.scope.product_id == product.id
           for r in (await tt.accounts.limits(account)).product_limits):
        raise ProbeFailed(f"the row for {product.symbol} is still there after its delete")
    return f"wrote, read back and deleted a {product.symbol} row"


async def _restriction(tt: TTClient, account: int) -> str:
    """GTC orders flipped, then put back."""
    before = (await tt.accounts.restrictions(account)).gtc_orders
    await tt.accounts.update_restrictions(account, {"gtc_orders": not before})
    if (await tt.accounts.restrictions(account)).gtc_orders is before:
        raise ProbeFailed("gtc_orders did not read back as written")
    await tt.accounts.update_restrictions(account, {"gtc_orders": before})
    if (await tt.accounts.restrictions(account)).gtc_orders is not before:
        raise ProbeFailed(f"gtc_orders was left at {not before}: set it back to {before}")
    return f"flipped gtc_orders and put it back ({before})"


async def _order_tag_default(tt: TTClient, account: int) -> str:
    """A default for a field the account has none for, then deleted."""
    defaults = await tt.setup.order_tag_defaults()
    used = {d.field_id for d in defaults if d.account_id == account}
    field = next((f for f in await tt.setup.order_tag_fields() if f.id not in used), None)
    if field is None:
        raise ProbeFailed("the scratch account has a default for every order-tag field")
    value = field.enums[0][1] if field.enums else "PROBE"
    made = await tt.setup.create_order_tag_defaults([OrderTagDefault(
        None, account, None, field.market_id, field.id, value)])
    found = [d for d in await tt.setup.order_tag_defaults()
             if d.account_id == account and d.field_id == field.id]
    if not found or found[0].id is None:
        raise ProbeFailed(f"the {field.name} default did not read back (answered {made})")
    await tt.setup.delete_order_tag_default(found[0].id)
    if any(d.account_id == account and d.field_id == field.id
           for d in await tt.setup.order_tag_defaults()):
        raise ProbeFailed(f"the {field.name} default is still there after its delete")
    return f"wrote, read back and deleted a {field.name} default"


async def _link(tt: TTClient, account: int, email: str) -> str:
    """The scratch user linked with view-only rights, then unlinked (or, when already
    linked, its permissions changed and put back)."""
    user = next((u for u in await tt.users.list() if fold(u.email) == email), None)
    if user is None:
        raise ProbeFailed(f"the scratch user {email} is not in TT")
    links = {link.user_id: link for link in await tt.accounts.users(account)}
    if user.id in links:
        before = links[user.id]
        flipped = replace(before, permissions=replace(
            before.permissions, view_only=not before.permissions.view_only))
        await tt.accounts.link_users(account, [flipped])
        after = {k.user_id: k for k in await tt.accounts.users(account)}[user.id]
        await tt.accounts.link_users(account, [before])
        if after.permissions.view_only is before.permissions.view_only:
            raise ProbeFailed("the link's permissions did not read back as written")
        return "changed the scratch user's link permissions and put them back"
    view_only = AccountUserLink(
        account_id=account, user_id=user.id,
        order_permissions=OrderPermissions(False, False, False, False, False),
        permissions=Permissions(False, False, False, True))
    await tt.accounts.link_users(account, [view_only])
    if user.id not in {k.user_id for k in await tt.accounts.users(account)}:
        raise ProbeFailed("the link did not read back")
    await tt.accounts.unlink_user(account, user.id)
    if user.id in {k.user_id for k in await tt.accounts.users(account)}:
        raise ProbeFailed("the scratch user is still linked after the unlink")
    return "linked the scratch user (view only), read it back, unlinked it"


UAT = "ext_uat_cert"
PROBE_SECONDS = 3.0


def check_rate_probe(config: EnvironmentConfig) -> None:
    """The rate probe provokes 429s: UAT only, never production's key."""
    if config.tt_environment != UAT:
        raise UsageError(f"--probe-rate sends requests until TT throttles them: UAT only "
                         f"({UAT}), never {config.tt_environment}")


@dataclass(frozen=True)
class RateTried:
    plan: str
    rate: float
    sent: int
    throttled: int


async def probe_rate(make: Callable[[str], TTClient], declared: str) -> list[RateTried]:
    """Send cheap reads at the declared plan's rate, then at the next plan's, each for a
    few seconds: 429s at the declared rate mean the key's real plan is lower; none at the
    next one mean it is at least that one. Costs a few hundred requests of UAT's quota."""
    order = list(wire.USAGE_PLANS)
    tried: list[RateTried] = []
    for plan in order[order.index(declared):order.index(declared) + 2]:
        rate = wire.USAGE_PLANS[plan][0]
        async with make(plan) as tt:
            answers = await asyncio.gather(*(tt.reference.markets()
                                             for _ in range(int(rate * PROBE_SECONDS))),
                                           return_exceptions=True)
        failed = [a for a in answers if isinstance(a, BaseException)
                  and not isinstance(a, RateLimitedError)]
        if failed:
            raise failed[0]
        tried.append(RateTried(plan, rate, len(answers),
                               sum(isinstance(a, RateLimitedError) for a in answers)))
        if tried[-1].throttled:
            break
        await asyncio.sleep(PROBE_SECONDS)  # the bucket refills before the next rate
    return tried

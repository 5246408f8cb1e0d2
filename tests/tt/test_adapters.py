"""Round trips of every TT adapter method against the sandbox, over real loopback HTTP.

Each test drives the client (`TTClient`) the way the apply layer does, then reads the result
back through the client, and, for writes, checks the sandbox's write log: how many writes
landed and on which paths. Seeded objects of the demo firm "Harbor Point Trading" are found
by name or alias through the client, never by hard-coded ids.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.conftest import RawTT
from ttconfig.models.limits import NEW_ROW
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.services.ttaccount import RISK_SETTINGS_DEFAULTS
from ttconfig.tt.adapters.limits import AnyRow
from ttconfig.tt.adapters.ttaccount import parent_limits_body, risk_settings_from_json
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import WireProfile
from ttconfig.tt.errors import ConflictError, NotFoundError, RequestRejected, TTError
from ttconfig.tt.records import (
    Account,
    AccountUserLink,
    Instrument,
    LimitRow,
    LimitScope,
    OrderPermissions,
    OrderTagDefault,
    OrderTagField,
    Permissions,
    Product,
    ProductMargin,
    UserSummary,
)

ClientFactory = Callable[..., TTClient]
UAT, PROD = "ext_uat_cert", "ext_prod_live"
FUTURE, OPTION, SPREAD = 34, 51, 27
REQUEST_ID = re.compile(r"^[A-Za-z0-9_.]+-[A-Za-z0-9_.]+--[0-9a-f-]{36}$")

# --------------------------------------------------------------------------------- helpers


def url_path(service: str, endpoint: str, environment: str = UAT) -> str:
    """A TT path as the sandbox's write log and the client's errors show it."""
    return f"/{service}/{environment}/{endpoint}"


def writes_since(sandbox: Sandbox, mark: int) -> list[tuple[str, str]]:
    """(method, path) of the writes the sandbox applied after the first `mark` ones."""
    return [(w["method"], w["path"]) for w in sandbox.writes()[mark:]]


def by_name(accounts: Iterable[Account], name: str) -> Account:
    matches = [a for a in accounts if a.name == name]
    assert len(matches) == 1, f"expected one account named {name!r}, found {len(matches)}"
    return matches[0]


async def account_named(tt: TTClient, name: str) -> Account:
    return by_name(await tt.accounts.list(), name)


def children(accounts: Iterable[Account], parent: Account) -> set[str]:
    return {a.name for a in accounts if a.parent_id == parent.id}


def descendants(accounts: list[Account], roots: set[int]) -> set[int]:
    """`roots` and every account below them."""
    found = set(roots)
    grew = True
    while grew:
        below = {a.id for a in accounts if a.parent_id in found}
        grew = not below <= found
        found |= below
    return found


async def user_by_alias(tt: TTClient, alias: str) -> UserSummary:
    matches = [u for u in await tt.users.list() if u.alias == alias]
    assert len(matches) == 1, f"expected one user with alias {alias!r}, found {len(matches)}"
    return matches[0]


async def aliases_by_id(tt: TTClient) -> dict[int, str]:
    return {u.id: u.alias for u in await tt.users.list()}


async def product(tt: TTClient, symbol: str, market: str, type_id: int = FUTURE) -> Product:
    market_ids = {m.name: m.id for m in await tt.reference.markets()}
    matches = [p for p in await tt.reference.products(market_id=market_ids[market],
                                                      product_type_id=type_id)
               if p.symbol == symbol]
    assert len(matches) == 1, f"expected one {market} product {symbol!r} of type {type_id}"
    return matches[0]


def limit_row(prod: Product, instrument: Instrument | None = None, *, qty: int | None = None,
              position: int | None = None, long: int | None = None, short: int | None = None,
              ticks: int | None = None, trading: bool = True,
              spreads: bool = True, **more: Any) -> LimitRow:
    """A limit row not yet written (no id) on a product, or on one of its contracts (the
    values not given are TT's for a new row)."""
    scope = LimitScope(market_id=prod.market_id, product_type_id=prod.product_type_id,
                       product_id=prod.id,
                       instrument_id=None if instrument is None else instrument.id)
    values: dict[str, Any] = {
        **NEW_ROW, "trading_allowed": trading, "spread_trading_allowed": spreads,
        "max_order_qty": qty, "max_position": position, "max_long_position": long,
        "max_short_position": short, "price_reasonability_ticks": ticks, **more}
    return LimitRow(scope=scope, **values)


def field_named(fields: Iterable[OrderTagField], market_id: int, name: str) -> OrderTagField:
    matches = [f for f in fields if (f.market_id, f.name) == (market_id, name)]
    assert len(matches) == 1, f"expected one order-tag field {name!r} in market {market_id}"
    return matches[0]


def unwritten(rows: Iterable[AnyRow]) -> set[AnyRow]:
    """Rows without TT's ids, to compare what was sent with what was read."""
    return {replace(r, id=None) for r in rows}


def permissions(*, trade: bool, view_only: bool) -> tuple[OrderPermissions, Permissions]:
    orders = OrderPermissions(place_orders=trade, modify_orders=trade, delete_orders=trade,
                              submit_block_cross_orders=False, submit_staged_orders=False)
    perms = Permissions(update_positions=False, confirm_fills=not view_only,
                        modify_clearing_account_on_fills=False, view_only=view_only)
    return orders, perms


def assert_names_request(error: TTError, method: str, path: str, status: int) -> None:
    """A typed error carries, and its message shows, the request that failed."""
    assert (error.method, error.path, error.status) == (method, path, status)
    assert error.request_id is not None
    assert REQUEST_ID.match(error.request_id)
    text = str(error)
    for part in (method, path, error.request_id, f"HTTP {status}"):
        assert part in text, f"{part!r} missing from {text!r}"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Real HTTP, keeping the JSON body of every POST the client sends."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.posts: list[tuple[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.headers.get("content-type") == "application/json":
            self.posts.append((request.url.path, json.loads(request.content)))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


# -------------------------------------------------------------------------------- accounts


def test_account_list_and_get_read_the_seeded_tree(make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            company = await tt.setup.company()
            accounts = await tt.accounts.list()
            prop = by_name(accounts, "HPT-PROP")
            detail = await tt.accounts.get(prop.id)

        assert len({a.id for a in accounts}) == len(accounts)
        assert {a.company_id for a in accounts} == {company.id}
        assert not any(a.name.startswith("MRDN") for a in accounts)
        assert (prop.parent_id, prop.account_type) == (None, 2)
        assert children(accounts, prop) == {
            "HPT-PROP-RATES", "HPT-PROP-ENERGY", "HPT-PROP-EQIDX", "HPT-PROP-METALS"}
        assert by_name(accounts, "HPT-CUST").account_type == 3
        assert by_name(accounts, "HPT-CUST-ALDER").account_type == 1
        # The listing has no description; the single read has it, and otherwise agrees.
        assert all(a.description is None for a in accounts)
        assert detail == replace(prop, description="Proprietary trading: parent of the prop desks",
                             order_cross_prevention="not_applied")

    asyncio.run(scenario())


def test_mine_only_lists_the_api_users_accounts_and_their_descendants(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            api = await user_by_alias(tt, "TTCONFIG-API")
            accounts = await tt.accounts.list()
            arb, hedge = by_name(accounts, "HPT-ARB"), by_name(accounts, "HPT-HEDGE")
            before = await tt.accounts.list(mine_only=True)
            linked_before = {link.account_id for link in await tt.users.accounts(api.id)}
            mark = len(sandbox.writes())
            orders, perms = permissions(trade=False, view_only=True)
            for account in (arb, hedge):
                await tt.accounts.link_users(account.id, [AccountUserLink(
                    account_id=account.id, user_id=api.id, order_permissions=orders,
                    permissions=perms)])
            after = await tt.accounts.list(mine_only=True)
            everything = await tt.accounts.list()
            linked_after = {link.account_id for link in await tt.users.accounts(api.id)}

        assert {a.id for a in before} == descendants(accounts, linked_before)
        assert linked_after == linked_before | {arb.id, hedge.id}
        assert {a.id for a in after} == descendants(accounts, linked_after)
        assert {a.name for a in after} >= {"HPT-ARB", "HPT-ARB-CAL", "HPT-ARB-XMKT", "HPT-HEDGE"}
        assert set(after) < set(everything)  # the same records, not just the same ids
        assert writes_since(sandbox, mark) == [
            ("POST", url_path("ttaccount", f"account/{arb.id}/users")),
            ("POST", url_path("ttaccount", f"account/{hedge.id}/users")),
        ]

    asyncio.run(scenario())


def test_account_create_update_and_delete(sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            company = await tt.setup.company()
            prop = await account_named(tt, "HPT-PROP")
            mark = len(sandbox.writes())
            parent = await tt.accounts.create(name="HPT-RT-DESK", account_type=2,
                                              description="Round-trip parent")
            child = await tt.accounts.create(name="HPT-RT-BOOK", account_type=1,
                                             parent_id=parent.id)
            assert await tt.accounts.get(parent.id) == parent
            assert await tt.accounts.get(child.id) == child
            listed = await tt.accounts.list()
            renamed = await tt.accounts.update(child.id, {"name": "HPT-RT-BOOK-2",
                                                          "description": "renamed book"})
            assert await tt.accounts.get(child.id) == renamed
            moved = await tt.accounts.update(child.id, {"parent_id": prop.id})
            assert await tt.accounts.get(child.id) == moved
            under_prop = children(await tt.accounts.list(), prop)
            top = await tt.accounts.update(child.id, {"parent_id": None})
            assert await tt.accounts.get(child.id) == top
            await tt.accounts.delete(child.id)
            await tt.accounts.delete(parent.id)
            remaining = {a.id for a in await tt.accounts.list()}
            with pytest.raises(NotFoundError):
                await tt.accounts.get(child.id)

        assert (parent.name, parent.account_type, parent.parent_id, parent.company_id,
                parent.description) == ("HPT-RT-DESK", 2, None, company.id, "Round-trip parent")
        assert (child.name, child.account_type, child.parent_id) == ("HPT-RT-BOOK", 1, parent.id)
        assert by_name(listed, "HPT-RT-BOOK") == replace(child, description=None,
                                                     order_cross_prevention=None)
        assert (renamed.id, renamed.name, renamed.description, renamed.parent_id) == (
            child.id, "HPT-RT-BOOK-2", "renamed book", parent.id)
        assert renamed.revision == child.revision + 1
        assert (moved.name, moved.parent_id, moved.revision) == (
            "HPT-RT-BOOK-2", prop.id, renamed.revision + 1)
        assert "HPT-RT-BOOK-2" in under_prop
        assert (top.parent_id, top.revision) == (None, moved.revision + 1)
        assert not {parent.id, child.id} & remaining
        account = url_path("ttaccount", "account")
        assert writes_since(sandbox, mark) == [
            ("POST", account), ("POST", account),
            *[("POST", f"{account}/{child.id}")] * 3,
            ("DELETE", f"{account}/{child.id}"), ("DELETE", f"{account}/{parent.id}"),
        ]

    asyncio.run(scenario())


def test_account_limits_read_the_seeded_rows(make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            energy = await account_named(tt, "HPT-PROP-ENERGY")
            giveup = await account_named(tt, "HPT-GIVEUP")
            seeded = await tt.accounts.limits(energy.id)
            empty = await tt.accounts.limits(giveup.id)
            cl = await product(tt, "CL", "CME")
            cl_contracts = {i.id for i in await tt.reference.instruments(cl.id)}

        rows = [*seeded.product_limits, *seeded.contract_limits]
        assert seeded.apply_limits is True
        assert len(seeded.product_limits) == 12
        (default,) = [r for r in seeded.product_limits if r.scope.product_id is None]
        assert (default.scope.market_id, default.max_order_qty) == (32, 10)  # ICE futures
        assert seeded.contract_limits
        assert all(isinstance(r.id, int) for r in rows)
        assert len({r.id for r in rows}) == len(rows)
        assert all(r.scope.instrument_id is None for r in seeded.product_limits)
        checked = [r for r in seeded.product_limits if r.price_reasonability_percent]
        assert [(r.scope.product_id, r.price_reasonability_percent, r.non_matching_price_percent,
                 r.reject_without_market_data) for r in checked] == [(cl.id, 3, 6, True)]
        cl_rows = [r for r in seeded.contract_limits if r.scope.product_id == cl.id]
        assert len(cl_rows) == 1
        assert cl_rows[0].scope.instrument_id in cl_contracts
        # "pos" rows leave long/short "not set" (None), which is not 0.
        assert cl_rows[0].max_long_position is None
        assert cl_rows[0].max_position
        assert (empty.product_limits, empty.contract_limits, empty.apply_limits) == (
            (), (), False)

    asyncio.run(scenario())


def test_account_limits_upsert_update_apply_and_delete(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            es, cl = await product(tt, "ES", "CME"), await product(tt, "CL", "CME")
            es_contract = (await tt.reference.instruments(es.id))[0]
            account = await tt.accounts.create(name="HPT-RT-LIMITS", account_type=2)
            mark = len(sandbox.writes())
            sent = [
                limit_row(es, qty=0, position=None, ticks=40, spreads=False,
                          price_reasonability_percent=2.5, non_matching_price_percent=0,
                          price_reasonability_aggressive_only=True,
                          reject_without_market_data=True, apply_wholesale_limits=True,
                          wholesale_max_order_qty=100, max_orders_per_day=9000),
                limit_row(cl, qty=None, position=0, long=0, short=0, trading=False),
                limit_row(es, es_contract, qty=5, position=10, long=None, short=7),
            ]
            written = await tt.accounts.upsert_limits(account.id, sent, apply_limits=False)
            first = await tt.accounts.limits(account.id)
            es_more = replace(sent[0], max_order_qty=25)
            updated = await tt.accounts.upsert_limits(account.id, [es_more])
            second = await tt.accounts.limits(account.id)
            assert await tt.accounts.upsert_limits(account.id, []) == []  # nothing to send
            assert await tt.accounts.upsert_limits(account.id, [], apply_limits=True) == []
            third = await tt.accounts.limits(account.id)
            contract_id = first.contract_limits[0].id
            assert contract_id is not None
            await tt.accounts.delete_limit(account.id, contract_id)
            fourth = await tt.accounts.limits(account.id)
            revision = (await tt.accounts.get(account.id)).revision

        assert unwritten(written) == set(sent)
        assert all(isinstance(r.id, int) for r in written)
        assert {*first.product_limits, *first.contract_limits} == set(written)
        assert first.apply_limits is False
        es_row = next(r for r in first.product_limits if r.scope.product_id == es.id)
        cl_row = next(r for r in first.product_limits if r.scope.product_id == cl.id)
        assert (es_row.max_order_qty, es_row.max_position) == (0, None)
        assert (cl_row.max_order_qty, cl_row.max_position, cl_row.trading_allowed) == (
            None, 0, False)
        assert first.contract_limits[0].scope.instrument_id == es_contract.id
        # An upsert by scope keeps the row's id, changes only it, and leaves applyLimits.
        assert updated == [replace(es_more, id=es_row.id)]
        assert {*second.product_limits, *second.contract_limits} == (
            set(written) - {es_row}) | set(updated)
        assert second.apply_limits is False
        assert third.apply_limits is True
        assert third.product_limits == second.product_limits
        assert fourth.contract_limits == ()
        assert fourth.product_limits == second.product_limits
        assert revision == account.revision + 4
        limits = url_path("ttaccount", f"account/{account.id}/limits")
        assert writes_since(sandbox, mark) == [
            ("POST", limits), ("POST", limits), ("POST", limits),
            ("DELETE", f"{limits}/{contract_id}"),
        ]

    asyncio.run(scenario())


def test_an_upsert_of_45_rows_is_three_posts_of_at_most_20(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    transport = RecordingTransport()

    async def scenario() -> None:
        async with make_client(transport=transport) as tt:
            products = await tt.reference.products(product_type_id=FUTURE)
            contracts = [i for p in products[:4] for i in await tt.reference.instruments(p.id)]
            by_id = {p.id: p for p in products}
            rows = [limit_row(p, qty=n, position=None if n % 3 else 0)
                    for n, p in enumerate(products[:33])]
            rows += [limit_row(by_id[i.product_id], i, qty=n) for n, i in enumerate(contracts[:12])]
            rows.sort(key=lambda r: r.max_order_qty or 0)  # interleave product and contract rows
            assert len(rows) == 45
            assert len(set(rows)) == 45
            account = await tt.accounts.create(name="HPT-RT-BULK", account_type=2)
            mark, posted = len(sandbox.writes()), len(transport.posts)
            written = await tt.accounts.upsert_limits(account.id, rows, apply_limits=False)
            read = await tt.accounts.limits(account.id)
            bodies = [body for _path, body in transport.posts[posted:]]

        path = url_path("ttaccount", f"account/{account.id}/limits")
        assert writes_since(sandbox, mark) == [("POST", path)] * 3
        counts = [len(b.get("productLimits", [])) + len(b.get("contractLimits", []))
                  for b in bodies]
        assert counts == [20, 20, 5]  # TT takes at most 20 items a POST
        assert ["riskLimitSettings" in b for b in bodies] == [True, False, False]
        assert len(written) == 45
        assert unwritten(written) == set(rows)
        assert all(isinstance(r.id, int) for r in written)
        assert len({r.id for r in written}) == 45
        assert {*read.product_limits, *read.contract_limits} == set(written)
        assert read.apply_limits is False

    asyncio.run(scenario())


def test_risk_settings_and_restrictions_change_only_what_is_sent(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            metals = await account_named(tt, "HPT-PROP-METALS")
            revision = (await tt.accounts.get(metals.id)).revision
            settings = await tt.accounts.risk_settings(metals.id)
            restrictions = await tt.accounts.restrictions(metals.id)
            mark = len(sandbox.writes())
            zero = await tt.accounts.update_risk_settings(
                metals.id, {"credit_limit": 0, "apply_margin": not settings.apply_margin})
            zero_read = await tt.accounts.risk_settings(metals.id)
            unset = await tt.accounts.update_risk_settings(metals.id, {"credit_limit": None})
            unset_read = await tt.accounts.risk_settings(metals.id)
            changed = await tt.accounts.update_restrictions(
                metals.id, {"obo": not restrictions.obo, "market_orders": False})
            changed_read = await tt.accounts.restrictions(metals.id)
            revision_after = (await tt.accounts.get(metals.id)).revision

        assert settings.credit_limit == 5_000_000
        assert settings.currency == "USD"
        expected = replace(settings, credit_limit=0, apply_margin=not settings.apply_margin)
        assert zero == zero_read == expected
        assert unset == unset_read == replace(expected, credit_limit=None)
        assert changed == changed_read == replace(restrictions, obo=not restrictions.obo,
                                                  market_orders=False)
        assert revision_after == revision + 3
        base = url_path("ttaccount", f"account/{metals.id}")
        assert writes_since(sandbox, mark) == [
            ("POST", f"{base}/risksettings"), ("POST", f"{base}/risksettings"),
            ("POST", f"{base}/restrictions"),
        ]

    asyncio.run(scenario())


PROFILES = [pytest.param(WireProfile(), id="profile-A"),
            pytest.param(WireProfile(links="accountusers", users="usersprovision"),
                         id="profile-B")]
"""The write paths the contract is unsure of (§9): the client must work with either, against
a sandbox serving that one only."""


def _serving(sandbox: Sandbox, profile: WireProfile) -> None:
    sandbox.settings.links_profile, sandbox.settings.users_profile = (
        profile.links, profile.users)


@pytest.mark.parametrize("profile", PROFILES)
def test_account_user_links_link_update_and_unlink(
        sandbox: Sandbox, make_client: ClientFactory, profile: WireProfile) -> None:
    _serving(sandbox, profile)

    async def scenario() -> None:
        async with make_client(profile=profile) as tt:
            metals = await account_named(tt, "HPT-PROP-METALS")
            aliases = await aliases_by_id(tt)
            ids = {alias: uid for uid, alias in aliases.items()}
            before = await tt.accounts.users(metals.id)
            clarke_side = await tt.users.accounts(ids["BCLARKE"])
            mark = len(sandbox.writes())
            orders, perms = permissions(trade=True, view_only=False)
            new = AccountUserLink(account_id=metals.id, user_id=ids["KWATANABE"],
                                  order_permissions=orders, permissions=perms)
            await tt.accounts.link_users(metals.id, [new])
            linked = await tt.accounts.users(metals.id)
            watanabe_side = await tt.users.accounts(ids["KWATANABE"])
            orders, perms = permissions(trade=False, view_only=True)
            ivanova = next(link for link in before if link.user_alias == "OIVANOVA")
            demoted = replace(ivanova, order_permissions=orders, permissions=perms)
            await tt.accounts.link_users(metals.id, [demoted])
            after_update = await tt.accounts.users(metals.id)
            await tt.accounts.unlink_user(metals.id, ids["KWATANABE"])
            after_unlink = await tt.accounts.users(metals.id)
            watanabe_after = await tt.users.accounts(ids["KWATANABE"])

        assert {link.user_alias for link in before} == {"BCLARKE", "OIVANOVA", "AHASSAN"}
        assert all(aliases[link.user_id] == link.user_alias for link in before)
        clarke = next(link for link in before if link.user_alias == "BCLARKE")
        clarke_metals = next(link for link in clarke_side if link.account_id == metals.id)
        assert clarke_metals.account_name == "HPT-PROP-METALS"
        assert (clarke_metals.order_permissions, clarke_metals.permissions) == (
            clarke.order_permissions, clarke.permissions)
        assert replace(next(link for link in linked if link.user_id == new.user_id),
                       user_alias=None) == new
        assert [link.account_name for link in watanabe_side
                if link.account_id == metals.id] == ["HPT-PROP-METALS"]
        assert sorted(after_update, key=lambda link: link.user_id) == sorted(
            [demoted if link.user_id == ivanova.user_id else link for link in linked],
            key=lambda link: link.user_id)
        assert after_unlink == [link for link in after_update if link.user_id != new.user_id]
        assert metals.id not in {link.account_id for link in watanabe_after}
        if profile.links == "accountusers":
            link = url_path("ttaccount", "accountusers")
            unlink = url_path("ttaccount", f"accountuser/{metals.id}/{new.user_id}")
        else:
            link = url_path("ttaccount", f"account/{metals.id}/users")
            unlink = f"{link}/{new.user_id}"
        assert writes_since(sandbox, mark) == [("POST", link), ("POST", link), ("DELETE", unlink)]

    asyncio.run(scenario())


# ----------------------------------------------------------------------------------- users


def test_user_reads_match_the_seeded_firm(make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            company = await tt.setup.company()
            summary = await user_by_alias(tt, "JSMITH")
            smith = await tt.users.get(summary.id)
            bell = await tt.users.get((await user_by_alias(tt, "MBELL")).id)
            brooks = await tt.users.get((await user_by_alias(tt, "EBROOKS")).id)
            api = await tt.users.get((await user_by_alias(tt, "TTCONFIG-API")).id)
            links = await tt.users.accounts(summary.id)
            listed = await tt.users.list()

        assert len(listed) >= 45
        assert len({u.id for u in listed}) == len(listed)
        assert not any(u.email.endswith("meridianfutures.example") for u in listed)
        assert (smith.id, smith.email, smith.first_name, smith.last_name, smith.alias) == (
            summary.id, summary.email, summary.first_name, summary.last_name, summary.alias)
        assert (summary.first_name, summary.last_name) == ("John", "Smith")
        assert (smith.active, smith.trade_mode, smith.invitation_pending, smith.company_id) == (
            True, 3, False, company.id)
        assert (bell.active, bell.settings.disable_trading) == (False, True)
        assert brooks.invitation_pending is True
        assert (api.settings.full_admin, api.trade_mode) == (True, 1)
        assert {link.account_name for link in links} == {"HPT-PROP-RATES", "HPT-ARB-XMKT"}
        assert all(link.user_id == summary.id for link in links)
        assert all(link.order_permissions.submit_block_cross_orders for link in links)

    asyncio.run(scenario())


@pytest.mark.parametrize("profile", PROFILES)
def test_user_create_update_and_deactivate(sandbox: Sandbox, make_client: ClientFactory,
                                           profile: WireProfile) -> None:
    _serving(sandbox, profile)

    async def scenario() -> None:
        async with make_client(profile=profile) as tt:
            company = await tt.setup.company()
            mark = len(sandbox.writes())
            created = await tt.users.create(
                email="nora.tester@harborpoint.example", first_name="Nora", last_name="Tester",
                trade_mode=2, alias="NTESTER", settings={"view_only_admin": True})
            read = await tt.users.get(created.id)
            listed = await tt.users.list()
            updated = await tt.users.update(created.id, {
                "last_name": "Tester-Hale", "trade_mode": 3, "settings": {"full_admin": True}})
            read_updated = await tt.users.get(created.id)
            gone = await tt.users.deactivate(created.id)
            read_gone = await tt.users.get(created.id)
            still_listed = {u.id for u in await tt.users.list()}

        assert (created.email, created.first_name, created.last_name, created.alias,
                created.trade_mode, created.company_id) == (
            "nora.tester@harborpoint.example", "Nora", "Tester", "NTESTER", 2, company.id)
        assert (created.invitation_pending, created.active) == (True, True)
        assert (created.settings.view_only_admin, created.settings.full_admin) == (True, False)
        assert read == created
        assert UserSummary(id=created.id, email=created.email, first_name="Nora",
                           last_name="Tester", alias="NTESTER") in listed
        # A partial settings change sets its flag and keeps the others.
        settings = replace(created.settings, full_admin=True)
        assert updated == read_updated == replace(created, last_name="Tester-Hale", trade_mode=3,
                                                  settings=settings,
                                                  revision=created.revision + 1)
        assert gone == read_gone == replace(updated, active=False, revision=updated.revision + 1)
        assert created.id in still_listed  # TT has no user delete: the user stays, inactive
        assert writes_since(sandbox, mark) == [
            ("POST", url_path("ttid", "usersprovision") if profile.users == "usersprovision"
             else url_path("ttuser", "user")),
            ("POST", url_path("ttuser", f"user/{created.id}")),
            ("POST", url_path("ttuser", f"user/{created.id}")),
        ]

    asyncio.run(scenario())


def test_user_limits_upsert_by_scope_and_delete(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            murphy = await user_by_alias(tt, "RMURPHY")
            es, zn = await product(tt, "ES", "CME"), await product(tt, "ZN", "CME")
            seeded = await tt.users.limits(murphy.id)
            es_row = next(r for r in seeded.product_limits if r.scope.product_id == es.id)
            mark = len(sandbox.writes())
            new = limit_row(zn, qty=0, position=None)
            written = await tt.users.upsert_limits(
                murphy.id, [replace(es_row, id=None, max_order_qty=3), new])
            read = await tt.users.limits(murphy.id)
            zn_id = next(r.id for r in written
                         if isinstance(r, LimitRow) and r.scope.product_id == zn.id)
            assert zn_id is not None
            await tt.users.delete_limit(murphy.id, zn_id)
            final = await tt.users.limits(murphy.id)

        assert {r.scope.product_id for r in seeded.product_limits} >= {es.id}
        assert len(seeded.contract_limits) == 1
        assert seeded.contract_limits[0].scope.product_id == es.id
        assert seeded.apply_limits is None  # only accounts carry applyLimits
        assert written == [replace(es_row, max_order_qty=3), replace(new, id=zn_id)]
        assert set(read.product_limits) == (set(seeded.product_limits) - {es_row}) | set(written)
        assert read.contract_limits == seeded.contract_limits
        assert zn_id not in {r.id for r in final.product_limits}
        assert len(final.product_limits) == len(seeded.product_limits)
        limits = url_path("ttuser", f"user/{murphy.id}/limits")
        assert writes_since(sandbox, mark) == [("POST", limits), ("DELETE", f"{limits}/{zn_id}")]

    asyncio.run(scenario())


# ---------------------------------------------------------------------------------- groups


def test_risk_group_reads_match_the_seeded_groups(make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            groups = await tt.risk_groups.list()
            energy = next(g for g in groups if g.name == "Energy Aggregate")
            detail = await tt.risk_groups.get(energy.id)
            members = await tt.risk_groups.accounts(energy.id)
            limits = await tt.risk_groups.limits(energy.id)
            names = {a.id: a.name for a in await tt.accounts.list()}
            symbols = {p.id: p.symbol for p in await tt.reference.products()}

        assert {g.name for g in groups} == {"Energy Aggregate", "Rates Aggregate",
                                            "Equity Index Aggregate", "Customer Exposure"}
        assert detail == energy
        assert energy.description.startswith("Firm-wide energy")
        assert {names[a] for a in members} == {"HPT-PROP-ENERGY", "HPT-ARB-CAL", "HPT-MM-ICE"}
        assert [symbols[str(r.scope.product_id)] for r in limits.product_limits] == [
            "CL", "NG", "BRN", "G", "T"]
        assert limits.contract_limits == ()
        assert limits.apply_limits is None

    asyncio.run(scenario())


def test_risk_group_lifecycle(sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            metals = await account_named(tt, "HPT-PROP-METALS")
            gc = await product(tt, "GC", "CME")
            mark = len(sandbox.writes())
            group = await tt.risk_groups.create("Metals Aggregate", "Gold and silver")
            assert await tt.risk_groups.get(group.id) == group
            updated = await tt.risk_groups.update(group.id, name="Metals & Mining Aggregate",
                                                  description="All metals")
            assert await tt.risk_groups.get(group.id) == updated
            await tt.risk_groups.add_accounts(group.id, [metals.id])
            members = await tt.risk_groups.accounts(group.id)
            row = limit_row(gc, qty=50, position=250, long=None, short=0)
            written = await tt.risk_groups.upsert_limits(group.id, [row])
            read = await tt.risk_groups.limits(group.id)
            assert written[0].id is not None
            await tt.risk_groups.delete_limit(group.id, written[0].id)
            emptied = await tt.risk_groups.limits(group.id)
            await tt.risk_groups.remove_account(group.id, metals.id)
            members_after = await tt.risk_groups.accounts(group.id)
            await tt.risk_groups.delete(group.id)
            remaining = {g.id for g in await tt.risk_groups.list()}
            with pytest.raises(NotFoundError):
                await tt.risk_groups.get(group.id)

        assert (group.name, group.description) == ("Metals Aggregate", "Gold and silver")
        assert (updated.name, updated.description, updated.revision) == (
            "Metals & Mining Aggregate", "All metals", group.revision + 1)
        assert members == [metals.id]
        assert members_after == []
        assert written == [replace(row, id=written[0].id)]
        assert read.product_limits == tuple(written)
        assert read.contract_limits == ()
        assert emptied.product_limits == ()
        assert group.id not in remaining
        base = url_path("ttgroup", f"riskgroup/{group.id}")
        assert writes_since(sandbox, mark) == [
            ("POST", url_path("ttgroup", "riskgroup")), ("POST", base),
            ("POST", f"{base}/accounts"), ("POST", f"{base}/limits"),
            ("DELETE", f"{base}/limits/{written[0].id}"),
            ("DELETE", f"{base}/accounts/{metals.id}"), ("DELETE", base),
        ]

    asyncio.run(scenario())


def test_user_group_lifecycle(sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            groups = await tt.user_groups.list()
            rates = next(g for g in groups if g.name == "Rates Desk")
            aliases = await aliases_by_id(tt)
            ids = {alias: uid for uid, alias in aliases.items()}
            rates_members = await tt.user_groups.users(rates.id)
            mark = len(sandbox.writes())
            group = await tt.user_groups.create("Metals Desk")
            renamed = await tt.user_groups.rename(group.id, "Metals & Mining Desk")
            listed = await tt.user_groups.list()
            await tt.user_groups.add_users(group.id, [ids["BCLARKE"], ids["OIVANOVA"]])
            both = await tt.user_groups.users(group.id)
            await tt.user_groups.remove_user(group.id, ids["OIVANOVA"])
            one = await tt.user_groups.users(group.id)
            with pytest.raises(ConflictError):
                await tt.user_groups.delete(group.id)  # it still has a user
            await tt.user_groups.remove_user(group.id, ids["BCLARKE"])
            await tt.user_groups.delete(group.id)
            remaining = {g.id for g in await tt.user_groups.list()}

        assert {g.name for g in groups} == {"Rates Desk", "Energy Desk", "Equity Index Desk"}
        assert {aliases[u] for u in rates_members} == {
            "JSMITH", "ECHEN", "RPATEL", "LWEBER", "SMARTIN", "OHUGHES", "HSCHMIDT", "MBELL",
            "SKELLER"}
        assert group.name == "Metals Desk"
        assert (renamed.id, renamed.name, renamed.revision) == (
            group.id, "Metals & Mining Desk", group.revision + 1)
        assert renamed in listed
        assert sorted(both) == sorted([ids["BCLARKE"], ids["OIVANOVA"]])
        assert one == [ids["BCLARKE"]]
        assert group.id not in remaining
        assert rates.id in remaining
        base = url_path("ttgroup", f"usergroup/{group.id}")
        assert writes_since(sandbox, mark) == [
            ("POST", url_path("ttgroup", "usergroup")), ("POST", base),
            ("POST", f"{base}/users"), ("DELETE", f"{base}/users/{ids['OIVANOVA']}"),
            ("DELETE", f"{base}/users/{ids['BCLARKE']}"), ("DELETE", base),
        ]

    asyncio.run(scenario())


# ----------------------------------------------------------------------------------- setup


def test_company_and_order_tag_fields(raw: RawTT, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            company = await tt.setup.company()
            fields = await tt.setup.order_tag_fields()
            markets = {m.name: m.id for m in await tt.reference.markets()}

        wire = raw.get("ttsetup", "ordertagdefaults/fields").json()["fields"]
        assert (company.name, company.abbrev_name) == ("Harbor Point Trading", "HPT")
        assert [(f.id, f.market_id, f.name, f.is_required, f.value_type_id) for f in fields] == [
            (w["fieldId"], w["marketId"], w["name"], bool(w["isRequired"]), w["valueTypeId"])
            for w in wire]
        assert [f.enums for f in fields] == [
            tuple((e["valueEnumId"], e["valueEnumName"]) for e in w["enums"]) for w in wire]
        assert {f.market_id for f in fields} == set(markets.values())
        manual = field_named(fields, markets["CME"], "Manual Order Indicator")
        assert manual.is_required is True
        assert [name for _id, name in manual.enums] == ["Y", "N"]
        client_id = field_named(fields, markets["ICE"], "Client ID")
        assert (client_id.is_required, client_id.enums) == (False, ())

    asyncio.run(scenario())


def test_order_tag_defaults_create_update_delete(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            metals = await account_named(tt, "HPT-PROP-METALS")
            clarke = await user_by_alias(tt, "BCLARKE")
            markets = {m.name: m.id for m in await tt.reference.markets()}
            fields = await tt.setup.order_tag_fields()
            operator = field_named(fields, markets["CME"], "Operator ID")
            trader = field_named(fields, markets["ICE"], "Authorized Trader")
            seeded = await tt.setup.order_tag_defaults()
            mark = len(sandbox.writes())
            new = [
                OrderTagDefault(id=None, account_id=metals.id, user_id=None,
                                market_id=operator.market_id, field_id=operator.id,
                                value="HPT-METALS"),
                OrderTagDefault(id=None, account_id=None, user_id=clarke.id,
                                market_id=trader.market_id, field_id=trader.id, value="BCLARKE"),
            ]
            created = await tt.setup.create_order_tag_defaults(new)
            after_create = await tt.setup.order_tag_defaults()
            assert created[0].id is not None
            assert created[1].id is not None
            updated = await tt.setup.update_order_tag_default(created[0].id, "HPT-METALS-2")
            after_update = await tt.setup.order_tag_defaults()
            await tt.setup.delete_order_tag_default(created[1].id)
            after_delete = await tt.setup.order_tag_defaults()

        names = {f.id: f.name for f in fields}
        company_wide = {(names[d.field_id], d.value) for d in seeded
                        if d.account_id is None and d.user_id is None
                        and d.algo_type is None and d.product_id is None}
        assert company_wide == {("Customer Type Indicator", "2"), ("Manual Order Indicator", "Y"),
                                ("Trading Capacity", "DEAL")}
        assert [replace(d, id=None) for d in created] == new
        assert after_create == [*seeded, *created]
        assert updated == replace(created[0], value="HPT-METALS-2")
        assert after_update == [*seeded, updated, created[1]]
        assert after_delete == [*seeded, updated]
        assert writes_since(sandbox, mark) == [
            ("POST", url_path("ttsetup", "ordertagdefaults")),
            ("POST", url_path("ttsetup", f"ordertagdefaults/{created[0].id}")),
            ("DELETE", url_path("ttsetup", f"ordertagdefaults/{created[1].id}")),
        ]

    asyncio.run(scenario())


def test_product_margins_upsert_by_product_and_delete(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            company = await tt.setup.company()
            es, ym = await product(tt, "ES", "CME"), await product(tt, "YM", "CME")
            euro = await product(tt, "6E", "CME")
            seeded = await tt.setup.product_margins(company.id)
            es_margin = next(m for m in seeded if m.product_id == es.id)
            mark = len(sandbox.writes())
            ym_margin = ProductMargin(id=None, market_id=ym.market_id,
                                      product_type_id=ym.product_type_id, product_id=ym.id,
                                      currency="USD", outright_margin=9_900,
                                      spread_margin=412.5)
            es_raised = replace(es_margin, outright_margin=16_250.5)
            written = await tt.setup.upsert_product_margins(company.id, [es_raised, ym_margin])
            read = await tt.setup.product_margins(company.id)
            ym_id = written[1].id
            assert ym_id is not None
            await tt.setup.delete_product_margin(company.id, ym_id)
            final = await tt.setup.product_margins(company.id)

        assert len(seeded) == 12
        assert ym.id not in {m.product_id for m in seeded}
        assert (es_margin.currency, es_margin.outright_margin, es_margin.spread_margin) == (
            "USD", 15_500, 550)
        euro_margin = next(m for m in seeded if m.product_id == euro.id)
        assert (euro_margin.outright_margin, euro_margin.spread_margin) == (2_612.5, 125.5)
        assert written == [es_raised, replace(ym_margin, id=ym_id)]  # ES keeps its id
        assert read == [es_raised if m.id == es_margin.id else m for m in seeded] + [written[1]]
        assert final == [es_raised if m.id == es_margin.id else m for m in seeded]
        margins = url_path("ttsetup", f"company/productmargin/{company.id}")
        assert writes_since(sandbox, mark) == [("POST", margins), ("DELETE", f"{margins}/{ym_id}")]

    asyncio.run(scenario())


# ------------------------------------------------------------------------------- reference


def test_reference_data_keeps_big_ids_exactly(raw: RawTT, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            markets = await tt.reference.markets()
            ids = {m.name: m.id for m in markets}
            every = await tt.reference.products()
            eurex = await tt.reference.products(market_id=ids["Eurex"])
            cme_options = await tt.reference.products(market_id=ids["CME"],
                                                      product_type_id=OPTION)
            spreads = await tt.reference.products(product_type_id=SPREAD)
            es = next(p for p in every if (p.symbol, p.product_type_id) == ("ES", FUTURE))
            es_contracts = await tt.reference.instruments(es.id)

        wire_markets = raw.get("ttpds", "markets").json()["markets"]
        wire_products = raw.get("ttpds", "products").json()["products"]
        wire_es = raw.get("ttpds", "instruments", productId=es.id).json()["instruments"]
        assert [(m.id, m.name) for m in markets] == [(m["id"], m["name"]) for m in wire_markets]
        assert set(ids) == {"CME", "Eurex", "ICE"}
        assert [p.id for p in every] == [p["id"] for p in wire_products]
        assert all(isinstance(p.id, str) and int(p.id) > 2**53 for p in every)
        assert eurex
        assert {p.market_id for p in eurex} == {ids["Eurex"]}
        assert {p.symbol for p in eurex} >= {"FGBL", "FDAX", "OESX"}
        assert {p.symbol for p in cme_options} == {"LO", "OZN", "OG"}
        assert {p.product_type_id for p in cme_options} == {OPTION}
        assert spreads
        assert {p.product_type_id for p in spreads} == {SPREAD}
        assert set(eurex) | set(cme_options) | set(spreads) <= set(every)
        assert es.name == "E-mini S&P 500"
        assert es.market_id == ids["CME"]
        assert [(i.id, i.alias, i.name) for i in es_contracts] == [
            (i["id"], i["alias"], i["name"]) for i in wire_es]
        assert {i.alias for i in es_contracts} == {"ES Dec26", "ES Mar27", "ES Jun27", "ES Sep27"}
        assert all(i.product_id == es.id and int(i.id) > 2**53 for i in es_contracts)

    asyncio.run(scenario())


# ---------------------------------------------------------------------------------- errors


def test_refusals_are_typed_errors_that_name_the_request(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            accounts = await tt.accounts.list()
            prop = by_name(accounts, "HPT-PROP")
            es = await product(tt, "ES", "CME")
            unknown = max(a.id for a in accounts) + 1_000_000
            mark = len(sandbox.writes())
            with pytest.raises(ConflictError) as duplicate:
                await tt.accounts.create(name="HPT-PROP", account_type=2)
            with pytest.raises(ConflictError) as has_children:
                await tt.accounts.delete(prop.id)
            with pytest.raises(NotFoundError) as missing:
                await tt.accounts.get(unknown)
            bogus = replace(es, id="18446744073709551557")
            with pytest.raises(RequestRejected) as bad_row:
                await tt.accounts.upsert_limits(prop.id, [limit_row(bogus, qty=1)])
            children_after = children(await tt.accounts.list(), prop)
            limits_after = await tt.accounts.limits(prop.id)

        assert_names_request(duplicate.value, "POST", url_path("ttaccount", "account"), 409)
        assert_names_request(has_children.value, "DELETE",
                             url_path("ttaccount", f"account/{prop.id}"), 409)
        assert_names_request(missing.value, "GET",
                             url_path("ttaccount", f"account/{unknown}"), 404)
        assert_names_request(bad_row.value, "POST",
                             url_path("ttaccount", f"account/{prop.id}/limits"), 400)
        assert "18446744073709551557" in str(bad_row.value)
        assert writes_since(sandbox, mark) == []  # refused writes change nothing
        assert children_after == children(accounts, prop)
        assert bogus.id not in {r.scope.product_id for r in limits_after.product_limits}

    asyncio.run(scenario())


def test_another_companys_key_cannot_read_a_harbor_point_account(
        make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            prop = await account_named(tt, "HPT-PROP")
        async with make_client(label="meridian") as meridian:
            company = await meridian.setup.company()
            theirs = await meridian.accounts.list()
            with pytest.raises(NotFoundError) as refused:
                await meridian.accounts.get(prop.id)

        assert company.name == "Meridian Futures"
        assert {a.name for a in theirs} == {"MRDN-HOUSE", "MRDN-CLIENT-01"}
        assert prop.id not in {a.id for a in theirs}
        assert refused.value.status == 404

    asyncio.run(scenario())


# ---------------------------------------------------------------------------------- paging


async def every_listing(tt: TTClient, names: dict[str, int], option: Product) -> dict[str, object]:
    """What the paged listings return, for seeded owners with several items (ids in `names`)."""
    return {
        "accounts": await tt.accounts.list(),
        "account users": await tt.accounts.users(names["HPT-PROP-RATES"]),
        "users": await tt.users.list(),
        "user accounts": await tt.users.accounts(names["RDELGADO"]),
        "risk groups": await tt.risk_groups.list(),
        "risk group accounts": await tt.risk_groups.accounts(names["Customer Exposure"]),
        "user group users": await tt.user_groups.users(names["Rates Desk"]),
        "order tag fields": await tt.setup.order_tag_fields(),
        "product margins": await tt.setup.product_margins(names["company"]),
        "products": await tt.reference.products(market_id=names["CME"]),
        "instruments": await tt.reference.instruments(option.id),
    }


def test_every_paged_listing_reads_all_pages(sandbox: Sandbox,
                                             make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as tt:
            names = {a.name: a.id for a in await tt.accounts.list()}
            names |= {u.alias: u.id for u in await tt.users.list()}
            names |= {g.name: g.id for g in await tt.risk_groups.list()}
            names |= {g.name: g.id for g in await tt.user_groups.list()}
            names |= {m.name: m.id for m in await tt.reference.markets()}
            names["company"] = (await tt.setup.company()).id
            oesx = await product(tt, "OESX", "Eurex", OPTION)
            start = tt.stats.requests
            whole = await every_listing(tt, names, oesx)
            single_pages = tt.stats.requests - start
            sandbox.settings.page_size = 4
            paged = await every_listing(tt, names, oesx)
            pages = tt.stats.requests - start - single_pages

        assert single_pages == len(whole)
        assert pages > 3 * single_pages  # the small pages really were pages
        for name, items in whole.items():
            assert paged[name] == items, name

    asyncio.run(scenario())


# ---------------------------------------------------------------------------- environments


def test_uat_and_production_are_separate(sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> None:
        async with make_client() as uat, make_client(environment=PROD) as prod:
            prod_before = await prod.accounts.list()
            mark = len(sandbox.writes())
            created = await uat.accounts.create(name="HPT-UAT-ONLY", account_type=2)
            renamed = await uat.accounts.update(
                by_name(await uat.accounts.list(), "HPT-HEDGE").id, {"description": "UAT edit"})
            prod_after = await prod.accounts.list()
            prod_hedge = await prod.accounts.get(by_name(prod_after, "HPT-HEDGE").id)
            uat_names = {a.name for a in await uat.accounts.list()}
            with pytest.raises(NotFoundError):
                await prod.accounts.get(created.id)

        assert "HPT-UAT-ONLY" in uat_names
        assert prod_after == prod_before
        assert prod_hedge.description != renamed.description == "UAT edit"
        # Each environment has its own firm: production's customer ELM never reached UAT.
        assert "HPT-CUST-ELM" in {a.name for a in prod_after}
        assert "HPT-CUST-ELM" not in uat_names
        assert [(w["environment"], w["method"]) for w in sandbox.writes()[mark:]] == [
            (UAT, "POST"), (UAT, "POST")]

    asyncio.run(scenario())



def test_algo_parent_limits_are_read_per_order_type_and_a_type_ttconfig_cannot_say_refused(
) -> None:
    settings = risk_settings_from_json({**RISK_SETTINGS_DEFAULTS, "algoParentLimits": [
        {"orderType": "ttTimeSliced", "maxOrderQty": 1000, "priceReasonabilityTicks": None},
        {"orderType": "ttIceberg", "priceReasonabilityTicks": 20, "maxOrderQty": 500}]})
    assert settings.algo_parent_limits == (
        ("tt_iceberg", "max_order_qty", 500), ("tt_iceberg", "price_reasonability_ticks", 20),
        ("tt_time_sliced", "max_order_qty", 1000))
    assert parent_limits_body(settings.algo_parent_limits) == [
        {"orderType": "ttIceberg", "maxOrderQty": 500, "priceReasonabilityTicks": 20},
        {"orderType": "ttTimeSliced", "maxOrderQty": 1000}]
    with pytest.raises(ValueError, match="'ttSniper', not a TT order type"):
        risk_settings_from_json({**RISK_SETTINGS_DEFAULTS,
                                 "algoParentLimits": [{"orderType": "ttSniper"}]})
    with pytest.raises(ValueError, match="'maxOrderQty' is '5', not a number"):
        risk_settings_from_json({**RISK_SETTINGS_DEFAULTS, "algoParentLimits": [
            {"orderType": "ttIceberg", "maxOrderQty": "5"}]})

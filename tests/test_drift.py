"""Drift: the plan read from live's side. A live loosening is HIGH whatever apply would do
about it (tests/render/test_drift.py: and the renders put it first); end to end, a UI edit
in the sandbox shows up as exactly one drifted object."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROD
from tests.seeded import FAST, fast_client
from ttconfig.core.changes import ABSENT, Action, Change, Direction, FieldChange
from ttconfig.core.plan import build_plan
from ttconfig.core.risk import direction
from ttconfig.core.state import Key
from ttconfig.live.read import LiveFirm, read_live, scope_of
from ttconfig.models import Firm
from ttconfig.models.kinds import Kind
from ttconfig.render.drift import render_drift_text
from ttconfig.runs.planning import load, plan_from
from ttconfig.safety.drift import Drift, DriftField, DriftItem, drift_of
from ttconfig.sandbox.server import Sandbox

ROOT = Path(__file__).parent.parent
ES = ("limits", "products", "CME ES future", "max_order_qty")


def planned(path: tuple[str, ...], old: Any, new: Any) -> FieldChange:
    """A field change as the plan has it: old is live, new is desired."""
    return FieldChange(path, old, new, direction(path, old, new))


def change(*fields: FieldChange, kind: str = "accounts", key: str = "HPT-A",
           action: Action = "update") -> Change:
    return Change(Kind(kind), Key.of(key), action, fields)


def drift(*changes: Change) -> Drift:
    return drift_of(build_plan(list(changes), environment="uat",
                               tt_environment="ext_uat_cert"))


def only_field(result: Drift) -> DriftField:
    (item,) = result.items
    (field,) = item.fields
    return field


# ------------------------------------------------------------------------- directions


@pytest.mark.parametrize(("desired", "live", "expected", "severity"), [
    (50, 100, "loosening", "high"),
    (100, 50, "tightening", "medium"),
    (50, ABSENT, "loosening", "high"),
    (None, 100, "tightening", "medium"),
    (50, None, "loosening", "high"),
])
def test_limits_are_rated_from_desired_to_live(desired: Any, live: Any, expected: Direction,
                                               severity: str) -> None:
    field = only_field(drift(change(planned(ES, live, desired))))
    assert (field.desired, field.live, field.direction, field.severity) == (
        desired, live, expected, severity)


def test_a_live_loosening_is_high_although_the_plan_would_tighten_it() -> None:
    plan_field = planned(ES, 100, 50)
    assert plan_field.direction == "tightening"
    result = drift(change(plan_field))
    (item,) = result.items
    assert (item.kind, item.key, item.state, item.severity) == (
        "accounts", "HPT-A", "changed in live", "high")
    assert result.counts == {"high": 1, "medium": 0, "low": 0}


def test_a_permission_granted_in_live_is_high_and_one_revoked_medium() -> None:
    path = ("restrictions", "market_orders")
    assert only_field(drift(change(planned(path, True, False)))).severity == "high"
    assert only_field(drift(change(planned(path, False, True)))).severity == "medium"


def test_a_neutral_difference_is_low() -> None:
    field = only_field(drift(change(planned(("description",), "by hand", "Prop desk"))))
    assert (field.direction, field.severity) == ("neutral", "low")


def test_an_account_that_left_its_risk_group_in_live_is_high() -> None:
    left = FieldChange(("accounts", "HPT-A"), ABSENT, "member", "tightening")
    joined = FieldChange(("accounts", "HPT-B"), "member", ABSENT, "loosening")
    result = drift(change(left, joined, kind="risk_groups", key="Customer Exposure"))
    (item,) = result.items
    assert [(f.path[-1], f.desired, f.live, f.direction, f.severity) for f in item.fields] == [
        ("HPT-A", "member", ABSENT, "loosening", "high"),
        ("HPT-B", ABSENT, "member", "tightening", "medium"),
    ]
    assert item.severity == "high"


def test_user_group_membership_stays_neutral() -> None:
    member = FieldChange(("users", "ann@x.example"), "member", ABSENT, "neutral")
    assert only_field(drift(change(member, kind="user_groups", key="Desk"))).severity == "low"


# ------------------------------------------------------------------------------ states


def test_an_object_missing_in_live_is_at_least_medium_and_rated_by_its_fields() -> None:
    fields = (planned(("name",), ABSENT, "HPT-NEW"), planned(("type",), ABSENT, "house"))
    (item,) = drift(change(*fields, key="HPT-NEW", action="create")).items
    assert (item.state, item.severity) == ("missing in live", "medium")
    assert {(f.live, f.severity) for f in item.fields} == {(ABSENT, "low")}
    margin = planned(("outright_margin",), ABSENT, 1000)
    (item,) = drift(change(margin, kind="product_margins", key="CME ES future",
                           action="create")).items
    assert (item.fields[0].direction, item.severity) == ("loosening", "high"), \
        "no margin in live is the lowest margin"


def test_objects_extra_in_live() -> None:
    user = Change(Kind.USERS, Key.of("ann@x.example"), "deactivate",
                  (planned(("active",), True, False),))
    account = change(planned(("name",), "HPT-OLD", ABSENT), key="HPT-OLD", action="delete")
    result = drift(user, account)
    assert [(i.kind, i.state, i.severity) for i in result.items] == [
        ("users", "extra in live", "high"), ("accounts", "extra in live", "low")]
    assert result.counts == {"high": 1, "medium": 0, "low": 1}


def test_links_follow_the_same_rules_and_existing_is_itself_a_grant() -> None:
    place = ("order_permissions", "place_orders")
    result = drift(
        Change(Kind.LINKS, Key.link("HPT-A", "ann@x.example"), "delete", ()),
        Change(Kind.LINKS, Key.link("HPT-A", "bob@x.example"), "create",
               (planned(place, ABSENT, True),)),
        Change(Kind.LINKS, Key.link("HPT-B", "ann@x.example"), "update",
               (planned(place, False, True),)))
    assert [(i.key, i.state, i.severity) for i in result.items] == [
        ("HPT-A ↔ ann@x.example", "extra in live", "high"),
        ("HPT-A ↔ bob@x.example", "missing in live", "medium"),
        ("HPT-B ↔ ann@x.example", "changed in live", "medium"),
    ]


def test_an_inactive_user_apply_would_deactivate_is_no_drift() -> None:
    assert drift(Change(Kind.USERS, Key.of("ann@x.example"), "deactivate", ())).empty


def test_an_empty_plan_is_no_drift() -> None:
    result = drift()
    assert result.empty
    assert result.counts == {"high": 0, "medium": 0, "low": 0}


def test_severity_cannot_disagree_with_direction() -> None:
    item = DriftItem("accounts", "A", "changed in live",
                     (DriftField(ES, 50, 100, "loosening"),))
    assert (item.fields[0].severity, item.severity) == ("high", "high")


# -------------------------------------------------------------------------- end to end


@pytest.fixture
def fast_sandbox() -> Iterator[Sandbox]:
    """A sandbox at a rate far above TT's: these tests read the whole prod firm twice."""
    with Sandbox(settings=FAST) as running:
        yield running


def read(sandbox: Sandbox, firm: Firm) -> LiveFirm:
    async def run() -> LiveFirm:
        async with fast_client(sandbox, PROD) as tt:
            return await read_live(tt, scope_of(firm))

    return asyncio.run(run())


def test_a_limit_raised_in_the_tt_ui_is_high_drift(fast_sandbox: Sandbox) -> None:
    firm = load(ROOT / "environments" / "prod")
    assert drift_of(plan_from(firm, "prod", read(fast_sandbox, firm))).empty, \
        "environments/prod is the sandbox's prod seed"

    env = fast_sandbox.store.env(PROD)
    account = next(a["id"] for a in env.accounts.values() if a["name"] == "HPT-ARB")
    row = next(r for r in env.account_limits[account]["productLimits"]
               if r["maxOrderQty"] is not None)
    before = row["maxOrderQty"]
    scope = {k: row[k] for k in ("marketId", "productTypeId", "productId")}
    fast_sandbox.edit("POST", f"/ttaccount/{PROD}/account/{account}/limits",
                      {"productLimits": [{**scope, "maxOrderQty": before * 10}]})

    result = drift_of(plan_from(firm, "prod", read(fast_sandbox, firm)))
    (item,) = result.items
    (field,) = item.fields
    assert (item.kind, item.key, item.state, item.severity) == (
        "accounts", "HPT-ARB", "changed in live", "high")
    assert (field.path[0], field.path[-1]) == ("limits", "max_order_qty")
    assert (field.desired, field.live, field.direction) == (before, before * 10, "loosening")
    assert result.counts == {"high": 1, "medium": 0, "low": 0}
    assert "[HIGH: live loosening]" in render_drift_text(result)

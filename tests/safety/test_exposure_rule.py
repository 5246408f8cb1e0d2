"""policy.exposure: a tightening below the exposure in use is held for an approval (or only
warned of); a de-risking change is never held; an unknown exposure never holds anything."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from ttconfig.core.diff import diff
from ttconfig.core.exposure import Book, Holding, annotate
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.state import State
from ttconfig.models import Kind
from ttconfig.models.accounts import Account
from ttconfig.models.environment import Policy
from ttconfig.safety.policy import Approval, Facts, Overrides, Stage, Verdict, evaluate

ZN = ("cme", "zn", "future")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def _account(max_position: int) -> Account:
    return Account.model_validate({"name": "HPT-PROP-RATES", "type": "house", "limits": {
        "products": [{"market": "CME", "product": "ZN", "max_position": max_position}]}})


def _plan(new: int, book: Book, old: int = 10_000) -> Plan:
    desired = State({Kind.ACCOUNTS: [_account(new)]})
    live = State({Kind.ACCOUNTS: [_account(old)]})
    plan = build_plan(diff(desired, live, {}), environment="prod",
                      tt_environment="ext_prod_live")
    return replace(plan, exposure=annotate(plan, desired, live, book))


LONG_7200 = Book(products={"hpt-prop-rates": {ZN: Holding(7200, 0, 0)}})


NO_OVERRIDES = Overrides()


def _judge(plan: Plan, exposure: dict[str, Any], *, stage: Stage = "apply",
           overrides: Overrides = NO_OVERRIDES) -> Verdict:
    policy = Policy.model_validate({"exposure": exposure})
    facts = Facts({}, {}, NOW, exposure=plan.exposure)
    return evaluate(plan, policy, facts, overrides, stage=stage)


def _exposure(verdict: Verdict) -> list[tuple[str, str]]:
    return [(f.outcome, f.message) for f in verdict.findings if f.rule == "exposure"]


def test_a_breach_on_apply_needs_an_approval_at_plan_and_is_refused_without_one() -> None:
    plan = _plan(5000, LONG_7200)
    [(outcome, message)] = _exposure(_judge(plan, {"on_breach": "approve"}, stage="plan"))
    assert outcome == "needed"
    assert "account HPT-PROP-RATES" in message
    assert "7,200" in message
    assert "BREACH ON APPLY" in message
    assert _exposure(_judge(plan, {"on_breach": "approve"}))[0][0] == "refused"


@pytest.mark.parametrize("overrides", [
    Overrides(allow_breach=True),
    Overrides(approval=Approval("PLAN", "risk.officer@harborpoint.example", "2026-12-07")),
], ids=["--allow-breach", "approval"])
def test_an_approval_or_allow_breach_lets_it_through_and_says_so(overrides: Overrides,
                                                                    ) -> None:
    plan = _plan(5000, LONG_7200)
    if overrides.approval is not None:
        overrides = replace(overrides, approval=replace(overrides.approval,
                                                        plan=plan.checksum()))
    [(outcome, _)] = _exposure(_judge(plan, {"on_breach": "approve"}, overrides=overrides))
    assert outcome == "overridden"


def test_an_approval_of_another_plan_does_not_count() -> None:
    plan = _plan(5000, LONG_7200)
    other = Approval("0" * 64, "risk.officer@harborpoint.example", "2026-12-07")
    [(outcome, _)] = _exposure(_judge(plan, {"on_breach": "approve"},
                                      overrides=Overrides(approval=other)))
    assert outcome == "refused"


def test_warn_only_warns() -> None:
    [(outcome, _)] = _exposure(_judge(_plan(5000, LONG_7200), {"on_breach": "warn"}))
    assert outcome == "warning"


@pytest.mark.parametrize(("new", "overrides"), [(0, Overrides()),
                                                (5000, Overrides(break_glass=True))],
                         ids=["a limit of 0", "--break-glass"])
def test_a_de_risking_change_is_never_held(new: int, overrides: Overrides) -> None:
    verdict = _judge(_plan(new, LONG_7200), {"on_breach": "approve"}, overrides=overrides)
    assert not verdict.refused
    assert [outcome for outcome, _ in _exposure(verdict)] == ["warning"]


def test_a_thin_headroom_warns_under_min_headroom_percent() -> None:
    thin = _plan(8000, LONG_7200)  # 800 of 8,000 = 10 %
    assert [o for o, _ in _exposure(_judge(thin, {"min_headroom_percent": 15}))] == ["warning"]
    assert _exposure(_judge(thin, {"min_headroom_percent": 5})) == []


def test_an_unknown_exposure_warns_and_never_holds_a_tightening() -> None:
    plan = _plan(5000, Book(unknown={"hpt-prop-rates": "TT request GET … failed (HTTP 503)"}))
    verdict = _judge(plan, {"on_breach": "approve"})
    assert not verdict.refused
    [(outcome, message)] = _exposure(verdict)
    assert outcome == "warning"
    assert "exposure unknown" in message
    assert "HTTP 503" in message


def test_exposure_is_not_part_of_the_plans_checksum() -> None:
    assert _plan(5000, LONG_7200).checksum() == _plan(5000, Book()).checksum()

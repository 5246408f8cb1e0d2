"""The promotion gate as a pure function: each reason, each waiver, the audit log's times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ttconfig.core.changes import ABSENT, Change, FieldChange
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.state import Key
from ttconfig.models.environment import Promotion
from ttconfig.models.kinds import Kind
from ttconfig.promotion.gate import applied_times, evaluate_gate, excluded, source_key
from ttconfig.promotion.soak import Observations, SoakEvidence

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ROW = ("limits", "products", "CME CL future", "max_order_qty")


def plan(*changes: Change) -> Plan:
    return build_plan(list(changes), environment="prod", tt_environment="ext_prod_live")


def limit(key: str, old: Any, new: Any, path: tuple[str, ...] = ROW) -> Change:
    return Change(Kind.ACCOUNTS, Key.of(key), "update",
                  (FieldChange(path, old, new, "tightening"),))


def promotion(**data: Any) -> Promotion:
    return Promotion.model_validate(data)


def gate(prod: Plan, *, promoted: Plan | None = None, keys: dict[str, set[str]] | None = None,
         pending: Plan | None = None, applied: dict[tuple[str, str], datetime] | None = None,
         evidence: SoakEvidence | None = None, rules: Promotion | None = None,
         hotfix: bool = False) -> list[tuple[str, str]]:
    verdict = evaluate_gate(prod, promoted or plan(), keys or {"accounts": {"hpt-arb"}},
                            pending or plan(), evidence or SoakEvidence(applied or {}),
                            rules or promotion(), NOW, hotfix=hotfix)
    return [(r.rule, r.message) for r in (verdict.waived if hotfix else verdict.reasons)]


def test_a_prod_change_uat_also_declares_passes() -> None:
    assert gate(plan(limit("HPT-ARB", 100, 50))) == []


def test_a_prod_value_uat_does_not_share_is_refused() -> None:
    promoted = plan(limit("HPT-ARB", 50, 80))  # UAT's YAML says 80 where prod says 50
    reasons = gate(plan(limit("HPT-ARB", 100, 50)), promoted=promoted)
    assert [rule for rule, _ in reasons] == ["not in UAT"]
    assert 'limits.products["CME CL future"].max_order_qty to 50' in reasons[0][1]


def test_an_object_uat_never_declared_is_refused() -> None:
    reasons = gate(plan(limit("HPT-NEW", ABSENT, 50)), keys={"accounts": {"hpt-arb"}})
    assert reasons[0][0] == "not in UAT"
    assert "HPT-NEW" in reasons[0][1]


def test_a_change_uat_has_not_applied_is_refused() -> None:
    reasons = gate(plan(limit("HPT-ARB", 100, 50)), pending=plan(limit("HPT-ARB", 100, 50)))
    assert reasons == [("not applied in UAT", "accounts HPT-ARB differs between UAT's YAML "
                        "and UAT live: apply it in UAT first")]


def test_soak_time_counts_from_uats_apply() -> None:
    rules = promotion(soak_hours=24)
    fresh = {("accounts", "hpt-arb"): NOW - timedelta(hours=3)}
    soaked = {("accounts", "hpt-arb"): NOW - timedelta(hours=25)}
    assert [r for r, _ in gate(plan(limit("HPT-ARB", 100, 50)), applied=fresh,
                               rules=rules)] == ["soak"]
    assert gate(plan(limit("HPT-ARB", 100, 50)), applied=soaked, rules=rules) == []
    never = gate(plan(limit("HPT-ARB", 100, 50)), rules=rules)
    assert "no apply" in never[0][1]


def test_environment_specific_fields_and_objects_are_not_judged() -> None:
    rules = promotion(exclude=[{"kind": "accounts", "field": "risk_settings.credit_limit"},
                               {"kind": "accounts", "name": "HPT-PROD-*"}])
    credit = limit("HPT-ARB", 1, 2, ("risk_settings", "credit_limit"))
    prod_only = limit("HPT-PROD-ONLY", ABSENT, 5)
    assert gate(plan(credit, prod_only), keys={"accounts": set()}, rules=rules) == []
    assert excluded("accounts", "hpt-prod-x", None, rules)
    assert not excluded("accounts", "HPT-ARB", ("limits",), rules)


def test_name_mappings_read_backwards() -> None:
    rules = promotion(names=[{"kind": "accounts", "uat": "UAT-*", "prod": "HPT-*"},
                             {"kind": "users", "uat": "*@uat.example", "prod": "*@prod.example"}])
    assert source_key("accounts", "HPT-ARB", rules) == "UAT-ARB"
    assert source_key("links", "HPT-ARB ↔ ann@prod.example", rules) == "UAT-ARB ↔ ann@uat.example"
    assert source_key("accounts", "OTHER", rules) == "OTHER"
    assert gate(plan(limit("HPT-ARB", 100, 50)), keys={"accounts": {"uat-arb"}},
                rules=rules) == []


def test_a_hotfix_refuses_nothing_but_reports_what_skipped_uat() -> None:
    prod = plan(limit("HPT-NEW", ABSENT, 50))
    verdict = evaluate_gate(prod, plan(), {}, plan(), SoakEvidence(), promotion(), NOW,
                            hotfix=True)
    assert not verdict.refused
    assert [r.rule for r in verdict.waived] == ["not in UAT"]


def test_deleting_in_prod_what_uat_still_has_is_refused() -> None:
    delete = Change(Kind.ACCOUNTS, Key.of("HPT-ARB"), "delete", ())
    assert [r for r, _ in gate(plan(delete))] == ["not in UAT"]
    assert gate(plan(delete), keys={"accounts": set()}) == []


def test_applied_times_read_intents_and_outcomes() -> None:
    records: list[dict[str, Any]] = [
        {"event": "intent", "hash": "a", "kind": "accounts", "key": "HPT-ARB"},
        {"event": "outcome", "intent": "a", "outcome": "applied",
         "time": "2026-11-20T10:00:00.000+00:00"},
        {"event": "intent", "hash": "b", "kind": "links", "key": "HPT-ARB",
         "items": ["ann@x.example"]},
        {"event": "outcome", "intent": "b", "outcome": "applied",
         "time": "2026-11-20T11:00:00.000+00:00"},
        {"event": "intent", "hash": "c", "kind": "accounts", "key": "HPT-MM"},
        {"event": "outcome", "intent": "c", "outcome": "failed",
         "time": "2026-11-20T12:00:00.000+00:00"},
    ]
    times = applied_times(records)
    assert times[("accounts", "hpt-arb")].hour == 10
    assert times[("links", "hpt-arb ↔ ann@x.example")].hour == 11
    assert ("accounts", "hpt-mm") not in times


def test_every_refusal_ends_with_what_would_satisfy_it() -> None:
    """A reviewer reading a refused gate must know the way through, not only the rule."""
    rules = promotion(soak_hours=24)
    fresh = {("accounts", "hpt-arb"): NOW - timedelta(hours=3)}
    reasons = [
        *gate(plan(limit("HPT-ARB", 100, 50)), rules=rules),
        *gate(plan(limit("HPT-ARB", 100, 50)), applied=fresh, rules=rules),
        *gate(plan(Change(Kind.ACCOUNTS, Key.of("HPT-ARB"), "delete", ()))),
        *gate(plan(limit("HPT-NEW", 100, 50))),
        *gate(plan(limit("HPT-ARB", 100, 50)), pending=plan(limit("HPT-ARB", 100, 50))),
    ]
    remedies = ("apply it in UAT", "re-run the gate", "mark the PR as a hotfix",
                "try it in UAT first", "promote from UAT")
    assert len(reasons) == 5
    for rule, message in reasons:
        assert any(remedy in message for remedy in remedies), (rule, message)
    assert reasons[0][1].endswith(
        "apply it in UAT (`ttconfig apply -e uat`) or, if UAT already holds it, record it "
        "(`ttconfig drift -e uat --record`), and re-run the gate 24 h later; or mark the PR as a "
        "hotfix")


def test_an_object_drift_saw_unchanged_for_the_soak_passes_without_an_apply() -> None:
    """UAT has held HPT-ARB since before any apply: drift's records are the evidence."""
    rules = promotion(soak_hours=24)
    seen = {("accounts", "hpt-arb"): ("HPT-ARB", "f" * 16)}
    records = [{"event": "observed", "time": (NOW - timedelta(hours=h)).isoformat(),
                "objects": {"accounts": {"HPT-ARB": "f" * 16}} if h == 30 else {}}
               for h in (30, 6)]
    old = SoakEvidence({}, Observations.of(records), seen)
    assert gate(plan(limit("HPT-ARB", 100, 50)), evidence=old, rules=rules) == []
    young = SoakEvidence({}, Observations.of(records[1:] and [
        {**records[0], "time": (NOW - timedelta(hours=6)).isoformat()}]), seen)
    (reason,) = gate(plan(limit("HPT-ARB", 100, 50)), evidence=young, rules=rules)
    assert reason == ("soak", "accounts HPT-ARB is unchanged in UAT since the drift run of "
                      "2026-11-21T06:00+00:00, the first to see it; the 24 h soak ends "
                      "2026-11-22T06:00+00:00: re-run the gate then, or mark the PR as a hotfix")

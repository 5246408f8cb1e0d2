"""Soak evidence: drift runs' records replayed, and since when UAT has held an object."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.promotion.soak import (
    OBSERVED,
    Observations,
    ObservedRecordError,
    SoakEvidence,
    observe,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ANN = "ann.lee@harborpoint.example"


def account(name: str, credit: int, *users: str) -> Account:
    return Account.model_validate({
        "name": name, "type": "house", "risk_settings": {"credit_limit": credit},
        "users": [{"user": u, "order_permissions": {"place_orders": True}} for u in users]})


def live(*accounts: Account) -> dict[str, Sequence[Model]]:
    return {"accounts": list(accounts)}


def ran(hours_ago: float, before: Observations, models: dict[str, Sequence[Model]],
        records: list[dict[str, Any]]) -> Observations:
    """One drift run `hours_ago`: its record appended to `records`, replayed."""
    time = (NOW - timedelta(hours=hours_ago)).isoformat(timespec="milliseconds")
    records.append({"event": OBSERVED, "time": time,
                    **before.record(observe(models), models.keys())})
    return Observations.of(records)


def test_a_link_is_fingerprinted_apart_from_its_account() -> None:
    alone, linked = observe(live(account("HPT-ARB", 100))), observe(live(account(
        "HPT-ARB", 100, ANN)))
    assert alone[("accounts", "hpt-arb")] == linked[("accounts", "hpt-arb")]
    assert linked[("links", f"hpt-arb ↔ {ANN}")][0] == f"HPT-ARB ↔ {ANN}"
    assert observe(live(account("HPT-ARB", 200)))[("accounts", "hpt-arb")] != \
        alone[("accounts", "hpt-arb")]


def test_a_run_records_only_what_changed_since_the_records_before_it() -> None:
    records: list[dict[str, Any]] = []
    first = ran(50, Observations(), live(account("HPT-ARB", 100, ANN), account("HPT-MM", 5)),
                records)
    assert set(records[0]["objects"]["accounts"]) == {"HPT-ARB", "HPT-MM"}
    assert records[0]["count"] == 3
    quiet = ran(40, first, live(account("HPT-ARB", 100, ANN), account("HPT-MM", 5)), records)
    assert (records[1]["objects"], records[1]["gone"]) == ({}, {})
    ran(30, quiet, live(account("HPT-ARB", 200)), records)
    assert records[2]["objects"] == {"accounts": {"HPT-ARB": observe(live(account(
        "HPT-ARB", 200)))[("accounts", "hpt-arb")][1]}}
    assert records[2]["gone"] == {"accounts": ["HPT-MM"], "links": [f"HPT-ARB ↔ {ANN}"]}


def test_a_kind_the_run_did_not_read_is_not_gone() -> None:
    records: list[dict[str, Any]] = []
    first = ran(5, Observations(), live(account("HPT-ARB", 100)), records)
    assert first.record({}, ["users"])["gone"] == {}


def held(evidence: SoakEvidence) -> tuple[datetime | None, str]:
    found = evidence.held("accounts", "HPT-ARB")
    return found.since, found.how


def test_an_object_uat_held_before_any_apply_has_soaked_since_the_first_run_that_saw_it(
        ) -> None:
    records: list[dict[str, Any]] = []
    models = live(account("HPT-ARB", 100))
    seen = ran(30, Observations(), models, records)
    seen = ran(20, seen, models, records)
    since, how = held(SoakEvidence({}, seen, observe(models)))
    assert since == NOW - timedelta(hours=30)
    assert how == ("is unchanged in UAT since the drift run of 2026-12-06T06:00+00:00, the "
                   "first to see it")


def test_nothing_recorded_says_which_command_would_record_it() -> None:
    since, how = held(SoakEvidence(source="meridian-uat"))
    assert since is None
    assert how == ("UAT's audit log has no apply of accounts HPT-ARB, and no drift run of "
                   "meridian-uat is recorded there (`ttconfig drift -e meridian-uat --record` "
                   "records what UAT holds)")


def test_a_change_drift_saw_after_the_last_apply_restarts_the_soak() -> None:
    records: list[dict[str, Any]] = []
    applied = {("accounts", "hpt-arb"): NOW - timedelta(hours=100)}
    seen = ran(50, Observations(), live(account("HPT-ARB", 100)), records)
    changed = live(account("HPT-ARB", 300))  # loosened by hand in TT's web UI
    seen = ran(3, seen, changed, records)
    since, how = held(SoakEvidence(applied, seen, observe(changed)))
    assert since == NOW - timedelta(hours=3)
    assert how.startswith("changed in UAT before the drift run of 2026-12-07T09:00")


def test_an_apply_after_the_change_drift_saw_counts_from_the_apply() -> None:
    records: list[dict[str, Any]] = []
    seen = ran(50, Observations(), live(account("HPT-ARB", 100)), records)
    now = live(account("HPT-ARB", 300))
    seen = ran(30, seen, now, records)
    applied = {("accounts", "hpt-arb"): NOW - timedelta(hours=10)}
    assert held(SoakEvidence(applied, seen, observe(now)))[0] == NOW - timedelta(hours=10)


def test_a_change_since_the_last_run_is_dated_only_by_a_later_apply() -> None:
    records: list[dict[str, Any]] = []
    seen = ran(50, Observations(), live(account("HPT-ARB", 100)), records)
    now = observe(live(account("HPT-ARB", 300)))
    since, how = held(SoakEvidence({}, seen, now))
    assert since is None
    assert how == ("accounts HPT-ARB changed in UAT after the last drift run "
                   "(2026-12-05T10:00+00:00), and not by an apply UAT's audit log records")
    later = {("accounts", "hpt-arb"): NOW - timedelta(hours=2)}
    assert held(SoakEvidence(later, seen, now))[0] == NOW - timedelta(hours=2)
    earlier = {("accounts", "hpt-arb"): NOW - timedelta(hours=60)}
    assert held(SoakEvidence(earlier, seen, now))[0] is None


def test_an_apply_alone_dates_the_object_as_before() -> None:
    applied = {("accounts", "hpt-arb"): NOW - timedelta(hours=25)}
    assert held(SoakEvidence(applied)) == (NOW - timedelta(hours=25),
                                           "was applied in UAT at 2026-12-06T11:00+00:00")


def test_an_object_gone_and_made_again_since_the_last_run_cannot_be_dated() -> None:
    records: list[dict[str, Any]] = []
    seen = ran(50, Observations(), live(account("HPT-ARB", 100)), records)
    seen = ran(40, seen, live(), records)
    since, how = held(SoakEvidence({}, seen, observe(live(account("HPT-ARB", 100)))))
    assert since is None
    assert "none of the 2 drift runs recorded there saw it as it is now" in how


def test_an_observed_record_not_in_ttconfigs_shape_is_refused_by_name() -> None:
    """An unsigned log anyone can rewrite and reseal: a record of the wrong shape must end
    the gate with a message naming it, not a traceback, and count as no evidence."""
    bad = {"event": OBSERVED, "time": "2026-12-07T09:00:00+00:00", "objects": ["x"]}
    with pytest.raises(ObservedRecordError, match="observed record of '2026-12-07T09:00:00"):
        Observations.of([bad])
    with pytest.raises(ObservedRecordError, match="KeyError"):
        Observations.of([{"event": OBSERVED, "objects": {}}])

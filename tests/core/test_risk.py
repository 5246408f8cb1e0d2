"""Risk direction of every kind of field change (DESIGN principle 4)."""

from __future__ import annotations

from typing import Any

import pytest

from ttconfig.core.changes import ABSENT
from ttconfig.core.risk import LIMITS, direction, membership, percent_change


@pytest.mark.parametrize("field", sorted(LIMITS))
@pytest.mark.parametrize(("old", "new", "expected"), [
    (100, 200, "loosening"), (200, 100, "tightening"), (100, 100, "neutral"),
    (100, None, "loosening"), (None, 100, "tightening"), (None, None, "neutral"),
    (0, None, "loosening"), (None, 0, "tightening"), (0, 1, "loosening"),
    (ABSENT, 5, "tightening"), (5, ABSENT, "loosening"), (ABSENT, None, "neutral"),
])
def test_every_limit_field_not_set_is_the_loosest(field: str, old: Any, new: Any,
                                                  expected: str) -> None:
    """Quantities, ticks and percents alike (price bands, wholesale, orders per day)."""
    assert direction(("limits", "products", "CME ES future", field), old, new) == expected


@pytest.mark.parametrize(("old", "new", "expected"), [
    (1000, 500, "loosening"), (500, 1000, "tightening"), (ABSENT, 1200, "tightening"),
    (1200, ABSENT, "loosening"), (0.5, 0.5, "neutral"),
])
def test_a_lower_margin_loosens(old: Any, new: Any, expected: str) -> None:
    assert direction(("outright_margin",), old, new) == expected


@pytest.mark.parametrize(("field", "old", "new", "expected"), [
    ("trading_allowed", False, True, "loosening"),
    ("place_orders", True, False, "tightening"),
    ("place_orders", ABSENT, True, "loosening"),
    ("place_orders", ABSENT, False, "neutral"),
    ("full_admin", False, True, "loosening"),
    ("active", True, False, "tightening"),
    ("view_only", False, True, "tightening"),
    ("disable_trading", True, False, "loosening"),
    ("apply", True, False, "loosening"),
    ("apply_margin", False, True, "tightening"),
    ("price_reasonability_aggressive_only", False, True, "loosening"),  # passive unchecked
    ("reject_without_market_data", False, True, "tightening"),
    ("apply_wholesale_limits", True, False, "loosening"),
    ("check_credit", False, True, "tightening"),
    ("adl_algo_approval_required", False, True, "tightening"),
    ("tt_iceberg", False, True, "loosening"),
    ("apply_to_block_cross", True, False, "loosening"),
    ("position_reset_time", "17:00", "16:00", "neutral"),
    ("order_cross_prevention", "not_applied", "reject_new", "tightening"),
    ("order_cross_prevention", "cancel_resting", "not_applied", "loosening"),
    ("order_cross_prevention", "reject_new", "position_transfer", "neutral"),
    ("order_cross_prevention", ABSENT, "cancel_resting", "tightening"),
    ("trade_mode", "standard", "pro", "loosening"),
    ("trade_mode", "standard", "view_only", "tightening"),
    ("description", "a", "b", "neutral"),
    ("currency", "USD", "EUR", "neutral"),
])
def test_grants_and_controls(field: str, old: Any, new: Any, expected: str) -> None:
    assert direction(("x", field), old, new) == expected


def test_joining_a_risk_group_tightens_and_user_groups_are_neutral() -> None:
    assert membership("risk_groups", added=True) == "tightening"
    assert membership("risk_groups", added=False) == "loosening"
    assert membership("user_groups", added=True) == "neutral"


@pytest.mark.parametrize(("old", "new", "expected"), [
    (100, 150, 50.0), (200, 100, -50.0), (0, 5, None), (None, 5, None), (5, None, None),
    (True, False, None),
])
def test_percent_change(old: Any, new: Any, expected: float | None) -> None:
    assert percent_change(old, new) == expected

"""A plan that went stale because live TT moved is shown with its evidence: the three-way
table under the message, one row per field, columns as wide as their widest cell."""

from __future__ import annotations

from ttconfig.errors import StalePlanError, UsageError
from ttconfig.render.staleness import error_text, render_three_way
from ttconfig.runs.planfile import LiveChanged
from ttconfig.safety.fingerprint import Row

ROWS = [Row("accounts", "HPT-ARB", "limits.products[\"CME ES future\"].max_order_qty", 50, 500,
            50),
        Row("accounts", "HPT-ARB", "risk_settings.trading_allowed", True, False, None),
        Row("risk_groups", "Energy", "accounts", ["HPT-ARB"], ["HPT-ARB", "HPT-MM"],
            ["HPT-ARB"])]


def test_the_table_lines_up_and_spells_values_as_a_plan_does() -> None:
    assert render_three_way(ROWS) == "\n".join([
        "  object              field                                           planned from"
        "  live now               desired",
        "  ------------------  ----------------------------------------------  ------------"
        "  ---------------------  -----------",
        "  accounts HPT-ARB    limits.products[\"CME ES future\"].max_order_qty  50          "
        "  500                    50",
        "  accounts HPT-ARB    risk_settings.trading_allowed                   true        "
        "  false                  not set",
        "  risk_groups Energy  accounts                                        [\"HPT-ARB\"] "
        "  [\"HPT-ARB\", \"HPT-MM\"]  [\"HPT-ARB\"]"])


def test_live_moving_under_a_plan_shows_the_table_under_the_message() -> None:
    error = LiveChanged("live TT changed since plan.json was made: 2 objects the plan "
                        "touches differ. Make a new plan and review it.", ROWS)
    assert isinstance(error, StalePlanError)
    assert str(error).count("\n") == 0, "the audit log keeps the message, not the table"
    assert error_text(error) == f"{error}\n{render_three_way(ROWS)}"


def test_any_other_error_is_its_message() -> None:
    assert error_text(StalePlanError("plan.json was edited")) == "plan.json was edited"
    assert error_text(UsageError("no environment folder x")) == "no environment folder x"

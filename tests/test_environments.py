"""The demo environments: valid, editor-ready, and the sandbox's firm plus UAT's pending
changes, exactly (so the quick-start plan has real work to show)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.seeded import read_seeded
from ttconfig.core.diff import diff
from ttconfig.desired.loader import load_firm
from ttconfig.desired.writer import plain
from ttconfig.live.read import to_models
from ttconfig.models import DECLARED, Firm
from ttconfig.models.accounts import Account
from ttconfig.runs.importer import imported_models

ROOT = Path(__file__).parent.parent
ENVIRONMENTS = ROOT / "environments"


def live_models(environment: str) -> dict[str, list[dict[str, Any]]]:
    """The sandbox's seeded firm, read through the client and written as import writes it."""
    models = imported_models(read_seeded(environment))
    return {kind: [plain(m) for m in items] for kind, items in models.items()}


def desired(folder: str) -> dict[str, list[dict[str, Any]]]:
    firm: Firm = load_firm(ENVIRONMENTS / folder)
    return {spec.kind: [plain(m) for m in firm.of(spec.kind)] for spec in DECLARED}


def by_key(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


@pytest.mark.parametrize("folder", ["uat", "prod"])
def test_every_file_validates_and_starts_with_its_modeline(folder: str) -> None:
    load_firm(ENVIRONMENTS / folder)
    for path in sorted((ENVIRONMENTS / folder).glob("*.yaml")):
        schema = path.name.removesuffix(".yaml") + ".schema.json"
        assert path.read_text().splitlines()[0] == (
            f"# yaml-language-server: $schema=../../schemas/{schema}"), path


def test_prod_is_the_sandbox_firm_exactly() -> None:
    assert desired("prod") == live_models("ext_prod_live")


def _row(account: dict[str, Any], product: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in account["limits"]["products"]
                               if (r["market"], r["product"], r["type"]) ==
                               ("CME", product, "future"))
    return row


def _link(account: dict[str, Any], user: str) -> dict[str, Any]:
    link: dict[str, Any] = next(u for u in account["users"] if u["user"] == user)
    return link


def test_uat_is_the_sandbox_firm_plus_five_pending_changes() -> None:
    live, want = live_models("ext_uat_cert"), desired("uat")
    accounts = by_key(live["accounts"], "name")
    _row(accounts["HPT-PROP-ENERGY"], "CL")["max_order_qty"] = 50          # tightened
    _row(accounts["HPT-PROP-RATES"], "ZN")["max_position"] = 15000         # loosened
    john = _link(accounts["HPT-PROP-RATES"], "john.smith@harborpoint.example")
    john["order_permissions"]["submit_staged_orders"] = False             # permission removed
    assert want["accounts"] == live["accounts"]
    new_user = by_key(want["users"], "email").pop("noah.berg@harborpoint.example")
    assert new_user["accounts"][0]["account"] == "HPT-PROP-RATES"         # a new user, linked
    assert [u for u in want["users"] if u["email"] != new_user["email"]] == live["users"]
    new_margin = want["product_margins"][-1]
    assert (new_margin["market"], new_margin["product"]) == ("CME", "SR3")  # a new margin
    assert want["product_margins"][:-1] == live["product_margins"]
    for kind in ("user_groups", "risk_groups", "order_tag_defaults"):
        assert want[kind] == live[kind]


def test_the_uat_plan_is_exactly_the_five_pending_changes() -> None:
    live = to_models(read_seeded("ext_uat_cert"))
    firm = load_firm(ENVIRONMENTS / "uat")
    changes = diff(firm.by_kind(), live)
    assert [(c.kind, c.action, c.key, c.direction) for c in changes] == [
        ("accounts", "update", "HPT-PROP-ENERGY", "tightening"),
        ("accounts", "update", "HPT-PROP-RATES", "loosening"),
        ("users", "create", "noah.berg@harborpoint.example", "loosening"),
        ("links", "update", "HPT-PROP-RATES ↔ john.smith@harborpoint.example", "tightening"),
        ("links", "create", "HPT-PROP-RATES ↔ noah.berg@harborpoint.example", "loosening"),
        ("product_margins", "create", "CME SR3 future", "tightening"),
    ]


def test_the_readme_desk_baseline_is_a_valid_account() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\n", readme.index("A desk's baseline")) + len("```yaml\n")
    block = readme[start:readme.index("```", start)]
    (account,) = YAML(typ="safe").load(block)
    model = Account.model_validate(account)
    assert model.limits is not None
    assert model.limits.products[0].is_default

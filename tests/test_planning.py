"""`ttconfig plan` end to end against the sandbox: the demo's pending changes, exactly.

The text and json renders of the demo plan are golden files: the output users and
machines rely on. Regenerate them deliberately with TTCONFIG_REGENERATE=1.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.seeded import plan_against_seed
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text
from ttconfig.runs.planning import Planned, load

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"


def planned(folder: str, tt_environment: str) -> Planned:
    return plan_against_seed(load(ROOT / "environments" / folder), folder, tt_environment)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("TTCONFIG_REGENERATE") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def uat() -> Planned:
    return planned("uat", "ext_uat_cert")


def test_the_demo_plan_as_text(uat: Planned) -> None:
    golden("plan-uat.txt", render_text(uat.plan))


def test_the_demo_plan_as_json(uat: Planned) -> None:
    text = render_json(uat.plan)
    golden("plan-uat.json", text)
    data = json.loads(text)
    assert data["format_version"] == 1
    assert data["checksum"] == uat.plan.checksum()
    assert data["summary"]["requests"] == 6


def test_the_demo_plan_as_markdown(uat: Planned) -> None:
    text = render_markdown(uat.plan)
    golden("plan-uat.md", text)
    assert text.index("### Loosening") < text.index("### Tightening") < text.index("<details>")
    assert "| HPT-PROP-RATES | `limits.products[\"CME ZN future\"].max_position` | 10,000 → " \
           "15,000 | +50.0% |" in text


def test_colour_only_when_asked(uat: Planned) -> None:
    assert "\033[" not in render_text(uat.plan)
    assert "\033[1;31mLOOSENING\033[0m" in render_text(uat.plan, colour=True)


def test_prod_matches_its_yaml() -> None:
    result = planned("prod", "ext_prod_live")
    assert result.plan.empty
    assert "No changes" in render_text(result.plan)


def test_a_plan_reads_only_what_the_yaml_manages(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    folder.mkdir()
    shutil.copy(ROOT / "environments" / "uat" / "environment.yaml", folder)
    (folder / "accounts.yaml").write_text(
        "- name: HPT-PROP\n  type: house\n  risk_settings: {credit_limit: 60000000}\n"
        "- name: HPT-HEDGE\n  type: house\n  risk_settings: {credit_limit: 1}\n")
    result = plan_against_seed(load(folder), "small", "ext_uat_cert")
    assert [(c.key, c.action) for c in result.plan.changes] == [("HPT-HEDGE", "update")]
    # token, company check, company, markets, products, 4 listings, 2 risk settings
    assert result.requests == 11

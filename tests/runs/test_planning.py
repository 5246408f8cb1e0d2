"""`ttconfig plan` end to end against the sandbox: the demo's pending changes, exactly.

The renders of the demo plan are golden files (tests/render/test_golden.py); here the CLI
must print the text one byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.seeded import plan_against_seed
from ttconfig.render.text import render_text
from ttconfig.runs.planning import Planned, load

ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).parents[1] / "golden"


def planned(folder: str, tt_environment: str) -> Planned:
    return plan_against_seed(load(ROOT / "environments" / folder), folder, tt_environment)


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
    # token, company check, company, markets, products, 4 listings, 2 risk settings, and
    # the credit in use of the one account whose credit limit changes (ttmonitor)
    assert result.requests == 12
    assert result.plan.exposure is not None
    assert result.plan.exposure.requests == 1

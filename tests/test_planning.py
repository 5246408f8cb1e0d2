"""`ttconfig plan` end to end against the sandbox: the demo's pending changes, exactly.

The renders of the demo plan are golden files (tests/render/test_golden.py); here the CLI
must print the text one byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.seeded import plan_against_seed
from ttconfig.render.text import render_text
from ttconfig.runs.planning import Planned, load

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"


def planned(folder: str, tt_environment: str) -> Planned:
    return plan_against_seed(load(ROOT / "environments" / folder), folder, tt_environment)


def test_prod_matches_its_yaml() -> None:
    result = planned("prod", "ext_prod_live")
    assert result.plan.empty
    assert "No changes" in render_text(result.plan)


def run_plan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ttconfig", "plan", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=180, check=False)


def test_detailed_exitcode_is_2_when_there_are_changes(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    result = run_plan(tmp_path, "-e", "uat", "--sandbox", "--usage-plan", "high",
                      "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    assert result.stdout == (GOLDEN / "plan-uat.txt").read_text(encoding="utf-8")
    assert result.stderr.index("Reading live TT: 194 requests after the listings") < \
        result.stderr.index("Read live TT with 211 requests")


def test_another_companys_key_is_refused_before_reading_the_firm(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    environment = tmp_path / "environments" / "prod" / "environment.yaml"
    environment.write_text(environment.read_text().replace("Harbor Point Trading",
                                                           "Meridian Futures"))
    result = run_plan(tmp_path, "-e", "prod", "--sandbox")
    assert result.returncode == 1
    assert "belongs to company 'Harbor Point Trading'" in result.stderr
    assert "Traceback" not in result.stderr


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

"""`ttconfig sandbox`: reset, serve's credentials file, and a state file that cannot be used."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from tests.cli.harness import TTConfig
from ttconfig.cli.sandbox import write_credentials
from ttconfig.render.sandbox import serve_banner
from ttconfig.runs.paths import credentials_file
from ttconfig.sandbox.server import Sandbox


def test_sandbox_reset_restores_the_seed(ttconfig: TTConfig, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sandbox = Sandbox(state_path=state)
    sandbox.edit("POST", "/ttaccount/ext_uat_cert/account", {"name": "HPT-EXTRA",
                                                              "accountType": 2})
    assert "HPT-EXTRA" in state.read_text()
    result = ttconfig("sandbox", "reset", "--state", str(state))
    assert result.exit_code == 0
    assert "reset to the seed" in result.output
    assert "HPT-EXTRA" not in state.read_text()
    assert json.loads(state.read_text())["version"] == 1


def test_serve_hands_its_keys_over_in_an_owner_only_file_never_in_the_banner(
        tmp_path: Path) -> None:
    sandbox = Sandbox(state_path=tmp_path / "s.json", port=8787)
    credentials = write_credentials(sandbox, credentials_file(tmp_path / "s.json"))
    banner = serve_banner(sandbox, credentials)
    assert credentials == tmp_path / "s.credentials.env"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert "http://127.0.0.1:8787" in banner
    assert f". {credentials}" in banner
    for environment in ("ext_uat_cert", "ext_prod_live"):
        for key in sandbox.app_keys(environment):
            assert key["label"] in banner
            assert key["key"] not in banner
            assert key["secret"] not in banner
    # Sourced as the banner says, the file gives ttconfig's own variables (compared inside
    # the shell: the values are never printed, here either).
    uat_key, uat_secret = sandbox.credentials("ext_uat_cert")
    meridian_key, _ = sandbox.credentials("ext_prod_live", "meridian")
    check = ('. "$FILE" && [ "$TT_UAT_APP_KEY" = "$KEY" ] && [ "$TT_UAT_APP_SECRET" = "$SECRET" ]'
             ' && [ "$TT_PROD_MERIDIAN_APP_KEY" = "$MERIDIAN" ]')
    sourced = subprocess.run(["bash", "--noprofile", "--norc", "-c", check], check=False,
                             env={"FILE": str(credentials), "KEY": uat_key, "SECRET": uat_secret,
                                  "MERIDIAN": meridian_key, "PATH": os.environ["PATH"]})
    assert sourced.returncode == 0


def test_a_state_file_that_cannot_be_written_is_a_clear_error(ttconfig: TTConfig,
                                                              tmp_path: Path) -> None:
    (tmp_path / ".ttconfig").write_text("")  # a file where the state's folder should be
    for args in (["inspect", "--sandbox"],
                 ["sandbox", "serve", "--state", ".ttconfig/sandbox-state.json"]):
        result = ttconfig(*args)
        assert result.exit_code == 1, result.stderr
        assert "cannot write the sandbox state" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_broken_state_file_is_a_clear_error_that_reset_repairs(ttconfig: TTConfig,
                                                                  tmp_path: Path) -> None:
    state = tmp_path / ".ttconfig" / "sandbox-state.json"
    state.parent.mkdir()
    state.write_text("{not json")
    result = ttconfig("inspect", "--sandbox")
    assert result.exit_code == 1
    assert "cannot be used" in result.stderr
    assert "ttconfig sandbox reset" in result.stderr
    assert "Traceback" not in result.stderr
    repaired = ttconfig("sandbox", "reset", "--state", str(state))
    assert repaired.exit_code == 0, repaired.stderr
    assert json.loads(state.read_text())["version"] == 1


def test_a_state_file_from_another_seed_is_refused_by_name_until_reset(
        ttconfig: TTConfig, tmp_path: Path) -> None:
    """A state saved by an older ttconfig holds an older demo firm (other desks, other
    reference data): served as is, the demo YAML would plan against the wrong firm."""
    state = tmp_path / ".ttconfig" / "sandbox-state.json"
    assert ttconfig("sandbox", "reset", "--state", str(state)).exit_code == 0
    saved = json.loads(state.read_text())
    state.write_text(json.dumps({**saved, "seed": "an-older-seed"}))
    result = ttconfig("inspect", "--sandbox")
    assert result.exit_code == 1
    assert "made by another version of ttconfig's demo firm" in result.stderr
    assert "ttconfig sandbox reset" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(state.read_text())["seed"] == "an-older-seed", "nothing is lost"
    assert ttconfig("sandbox", "reset", "--state", str(state)).exit_code == 0
    assert ttconfig("inspect", "--sandbox").exit_code == 0

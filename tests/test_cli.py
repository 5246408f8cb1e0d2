"""The command line: what users type, what they see, and the exit codes CI relies on."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ttconfig.cli import _credentials_file, _write_credentials, cli
from ttconfig.render.sandbox import serve_banner as _serve_banner
from ttconfig.sandbox.server import Sandbox


def ttconfig(*args: str, cwd: Path, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a child process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TT_")}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "ttconfig", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


def test_inspect_reads_the_sandbox_firm(tmp_path: Path) -> None:
    result = ttconfig("inspect", "--sandbox", "--usage-plan", "high", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Harbor Point Trading (HPT): accounts" in result.stdout
    assert "HPT-PROP-ENERGY" in result.stdout
    assert "Read 25 accounts" in result.stdout
    assert "0 answered 429" in result.stdout
    assert (tmp_path / ".ttconfig" / "sandbox-state.json").exists()


def test_inspect_of_prod_reads_prod(tmp_path: Path) -> None:
    result = ttconfig("inspect", "--sandbox", "-e", "prod", "--usage-plan", "high",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "HPT-CUST-ELM" in result.stdout
    assert "HPT-UAT-TEST" not in result.stdout


def test_missing_credentials_is_a_usage_error_naming_the_variables(tmp_path: Path) -> None:
    result = ttconfig("inspect", "-e", "prod", cwd=tmp_path)
    assert result.returncode == 64
    assert "TT_PROD_APP_KEY and TT_PROD_APP_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_tt_refusal_exits_1_with_the_request_and_no_secret(tmp_path: Path,
                                                             canary: str) -> None:
    wrong = f"{canary}-wrong"  # the session's canary: tests/canary.py searches for it too
    with Sandbox() as sandbox:
        key, _secret = sandbox.credentials("ext_uat_cert")
        result = ttconfig("inspect", "--base-url", sandbox.base_url, cwd=tmp_path,
                          env={"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": wrong})
    assert result.returncode == 1
    assert "POST /ttid/ext_uat_cert/token failed (HTTP 401" in result.stderr
    assert "Traceback" not in result.stderr
    for text in (result.stdout, result.stderr):
        assert key not in text
        assert wrong not in text


def test_unknown_options_are_usage_errors(tmp_path: Path) -> None:
    result = ttconfig("inspect", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 64
    assert "No such option" in result.stderr


def test_sandbox_reset_restores_the_seed(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sandbox = Sandbox(state_path=state)
    sandbox.edit("POST", "/ttaccount/ext_uat_cert/account", {"name": "HPT-EXTRA",
                                                              "accountType": 2})
    assert "HPT-EXTRA" in state.read_text()
    result = CliRunner().invoke(cli, ["sandbox", "reset", "--state", str(state)])
    assert result.exit_code == 0
    assert "reset to the seed" in result.output
    assert "HPT-EXTRA" not in state.read_text()
    assert json.loads(state.read_text())["version"] == 1


def test_serve_hands_its_keys_over_in_an_owner_only_file_never_in_the_banner(
        tmp_path: Path) -> None:
    sandbox = Sandbox(state_path=tmp_path / "s.json", port=8787)
    credentials = _write_credentials(sandbox, _credentials_file(tmp_path / "s.json"))
    banner = _serve_banner(sandbox, credentials)
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


@pytest.mark.parametrize("args", [["--help"], ["sandbox", "--help"],
                                  ["sandbox", "serve", "--help"]])
def test_help_is_available(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_a_state_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".ttconfig").write_text("")  # a file where the state's folder should be
    for args in (["inspect", "--sandbox"],
                 ["sandbox", "serve", "--state", ".ttconfig/sandbox-state.json"]):
        result = ttconfig(*args, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "cannot write the sandbox state" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_broken_state_file_is_a_clear_error_that_reset_repairs(tmp_path: Path) -> None:
    state = tmp_path / ".ttconfig" / "sandbox-state.json"
    state.parent.mkdir()
    state.write_text("{not json")
    result = ttconfig("inspect", "--sandbox", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot be used" in result.stderr
    assert "ttconfig sandbox reset" in result.stderr
    assert "Traceback" not in result.stderr
    repaired = ttconfig("sandbox", "reset", "--state", str(state), cwd=tmp_path)
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(state.read_text())["version"] == 1

"""The secrets canary itself (tests/canary.py): that every credential carries it, and that
its search finds a planted one in each kind of artefact, so its "0 hits" means something."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.canary import CanaryPlugin, Scanner, new_canary
from tests.conftest import RawTT
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import CANARY_VARIABLE, SandboxSettings

ROOT = Path(__file__).resolve().parents[1]


# --- every credential carries the session's canary -----------------------------------------

def test_every_credential_the_sandbox_issues_starts_with_the_canary(raw: RawTT,
                                                                    canary: str) -> None:
    assert os.environ[CANARY_VARIABLE] == canary  # what child processes inherit
    for environment in ("ext_uat_cert", "ext_prod_live"):
        for key in raw.sandbox.app_keys(environment):
            assert key["key"].startswith(f"{canary}-")
            assert key["secret"].startswith(f"{canary}-")
    assert raw.token().startswith(f"{canary}-")


def test_without_a_canary_the_sandbox_issues_plain_credentials() -> None:
    with Sandbox(settings=SandboxSettings(credential_canary="")) as sandbox:
        key, secret = sandbox.credentials("ext_uat_cert")
        raw = RawTT(sandbox)
        try:
            assert "canary" not in key + secret + raw.token()
        finally:
            raw.close()


def test_a_sandbox_in_a_child_process_issues_canary_credentials(tmp_path: Path,
                                                               canary: str) -> None:
    state = tmp_path / "state.json"
    reset = subprocess.run([sys.executable, "-m", "ttconfig", "sandbox", "reset", "--state",
                            str(state)], capture_output=True, text=True, check=False)
    assert reset.returncode == 0, reset.stderr
    keys = json.loads(state.read_text())["environments"]["ext_prod_live"]["appKeys"]
    assert keys
    assert all(k["key"].startswith(canary) and k["secret"].startswith(canary) for k in keys)


# --- the search --------------------------------------------------------------------------

def test_a_hit_names_its_artefact_and_line_and_never_shows_the_credential() -> None:
    scanner = Scanner(new_canary())
    secret = f"{scanner.canary}-2b7e1516"
    hits = scanner.scan("plan.json", f'{{"plan": 1,\n "note": "sent {secret} to TT"}}\n')
    assert [(h.artefact, h.line) for h in hits] == [("plan.json", 2)]
    assert "sent [redacted] to TT" in hits[0].context
    assert scanner.canary[:12] not in str(hits[0])
    assert "2b7e1516" not in str(hits[0])
    assert (scanner.artefacts, len(scanner.hits)) == (1, 1)
    assert scanner.scan("clean.txt", "nothing to see") == []
    assert scanner.artefacts == 2


@pytest.mark.parametrize("shift", [0, 1, 2])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_a_credential_in_base64_is_found_at_every_alignment(shift: int, encode: object) -> None:
    scanner = Scanner(new_canary())
    assert callable(encode)
    basic = encode(f"{'k' * shift}{scanner.canary}-secret".encode())  # an HTTP Basic header
    assert scanner.scan("log", b"Authorization: Basic " + basic)


def test_a_context_cut_through_a_credential_shows_none_of_it() -> None:
    scanner = Scanner(new_canary())
    hits = scanner.scan("log", f"{'x' * 50}{scanner.canary}{'y' * 50}")
    assert hits
    assert all(set(h.context) <= set("[redacted]…") for h in hits)


def test_the_sandbox_state_file_may_hold_its_keys_but_nothing_else(tmp_path: Path) -> None:
    scanner = Scanner(new_canary())
    sandbox = Sandbox(state_path=tmp_path / "state.json",
                      settings=SandboxSettings(credential_canary=scanner.canary))
    assert scanner.canary in (tmp_path / "state.json").read_text()
    assert scanner.scan_tree(tmp_path, "t") == []  # the appKeys table, TT's own store
    key, _ = sandbox.credentials("ext_uat_cert")
    sandbox.edit("POST", "/ttaccount/ext_uat_cert/account", {"name": key, "accountType": 2})
    assert [h.artefact for h in scanner.scan_tree(tmp_path, "t")] == ["t/state.json"]


def test_the_serve_credentials_file_may_hold_keys_only_while_owner_only(tmp_path: Path) -> None:
    scanner = Scanner(new_canary())
    path = tmp_path / "state.credentials.env"
    path.write_text(f"# for the sandbox\nexport TT_UAT_APP_KEY={scanner.canary}-k\n")
    path.chmod(0o600)
    assert scanner.scan_file(path, "env") == []
    path.chmod(0o644)
    assert scanner.scan_file(path, "env")
    path.chmod(0o600)
    path.write_text(f"# key {scanner.canary}-k\nexport TT_UAT_APP_KEY={scanner.canary}-k\n")
    assert [h.line for h in scanner.scan_file(path, "env")] == [1]


# --- the collectors ----------------------------------------------------------------------

def test_child_output_cli_output_exceptions_and_temporary_files_are_collected(
        canary_plugin: CanaryPlugin) -> None:
    """A probe canary, not the session's: planted here, it must not fail the session."""

    @click.command()
    def leaky() -> None:
        click.echo(f"token {probe.canary}-t")
        click.echo(f"secret {probe.canary}-s", err=True)

    with canary_plugin.also_into(Scanner(new_canary())) as probe:
        code = f"import sys; print('{probe.canary}'); print('{probe.canary}', file=sys.stderr)"
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
        CliRunner().invoke(leaky)
        with pytest.raises(ValueError, match="bad"):
            raise ValueError(f"bad secret {probe.canary}-e")
        with tempfile.TemporaryDirectory() as directory:
            (Path(directory) / "audit.jsonl").write_text(f'{{"token": "{probe.canary}"}}')
    artefacts = {hit.artefact.split(": ", 1)[1].split(" `")[0] for hit in probe.hits}
    assert artefacts == {"stdout of", "stderr of", "CliRunner stdout", "CliRunner stderr",
                         "ValueError caught by pytest.raises", "TemporaryDirectory/audit.jsonl"}
    assert all(h.artefact.startswith("tests/test_canary.py::") for h in probe.hits)
    assert canary_plugin.session.canary != probe.canary


INNER_TESTS = '''
import os
from pathlib import Path

def test_prints_a_token(canary):
    print("Authorization: Bearer", canary + "-token")

def test_writes_a_plan_file(tmp_path, canary):
    (tmp_path / ".ttconfig").mkdir()
    (tmp_path / ".ttconfig" / "plan.json").write_text('{"secret": "%s-s"}' % canary)
    Path(os.environ["SEEN"]).write_text(canary)

def test_fails_naming_a_key(canary):
    assert canary + "-key" == "another key"

def test_clean():
    print("nothing secret")
'''


NO_HYPOTHESIS = ("-p", "no:hypothesispytest")
"""Inner sessions run no Hypothesis tests; its plugin cost each ~0.9 s of CPU (it imports
Hypothesis for its summary), in a suite that starts several."""


def _inner_session(tmp_path: Path, tests: str, *args: str,
                   ) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `tests` as a whole pytest session with the canary plugin, in a child process;
    its result and the canary it drew."""
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pytest.ini").write_text("[pytest]\n")
    (inner / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        pytest_plugins = ["tests.canary"]
    """))
    (inner / "test_leaks.py").write_text(tests)
    seen = tmp_path / "seen"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *NO_HYPOTHESIS,
         f"--basetemp={tmp_path / 'basetemp'}", *args],
        cwd=inner, env={**os.environ, "SEEN": str(seen)}, capture_output=True, text=True,
        timeout=120, check=False)
    return result, seen.read_text() if seen.exists() else ""


def _summary_and_leaks(stdout: str) -> tuple[str, list[str]]:
    summary = next(line for line in stdout.splitlines() if line.startswith("secrets canary"))
    return summary, [line for line in stdout.splitlines() if line.startswith("  LEAK ")]


def test_a_session_that_leaks_fails_and_says_where_without_the_secret(tmp_path: Path) -> None:
    """A whole pytest session with the plugin, in a child process: its tests leak, it fails."""
    result, inner_canary = _inner_session(tmp_path, INNER_TESTS, "-p", "no:xdist",
                                          f"--junitxml={tmp_path / 'junit.xml'}")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 3 passed" in result.stdout
    summary, leaks = _summary_and_leaks(result.stdout)
    assert summary.endswith(f" {len(leaks)} hits")  # every hit listed (fewer than 20)
    assert any("test_prints_a_token [call] Captured stdout call" in line for line in leaks)
    assert any("basetemp/test_writes_a_plan_file0/.ttconfig/plan.json" in line for line in leaks)
    assert any("test_fails_naming_a_key [call] failed report" in line for line in leaks)
    assert any("JUnit XML" in line for line in leaks)
    assert not any("test_clean" in line for line in leaks)
    assert inner_canary.startswith("canary-")
    assert not any(inner_canary in line for line in [summary, *leaks])


WORKER_TESTS = '''
import os
import subprocess
import sys
from pathlib import Path

import pytest

LEAK = os.environ.get("LEAK") == "1"

@pytest.mark.parametrize("n", range(4))
def test_writes_a_plan_file(tmp_path, canary, n):
    Path(os.environ["SEEN"]).write_text(canary)
    secret = canary + "-s" if LEAK and n == 3 else "a checksum"
    (tmp_path / "plan.json").write_text('{"secret": "%s"}' % secret)

@pytest.mark.parametrize("n", range(4))
def test_runs_a_child(n):
    said = "$TTCONFIG_SANDBOX_CANARY-t" if LEAK and n == 3 else "fine"
    code = "import os; print(os.path.expandvars(%r))" % said
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
'''


@pytest.mark.parametrize("leak", [False, True], ids=["clean", "leak"])
def test_under_xdist_a_leak_found_on_a_worker_fails_the_run(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            leak: bool) -> None:
    """Under xdist the artefacts of passing tests (a tmp_path file, a child's output) are
    searched on their worker; its hits reach the controller, which fails the run, and its
    figures add up there. The clean run shows the same collectors pass when nothing leaks."""
    monkeypatch.setenv("LEAK", "1" if leak else "0")
    result, inner_canary = _inner_session(tmp_path, WORKER_TESTS, "-n", "2", "-rN")
    assert "8 passed" in result.stdout, result.stdout
    summary, leaks = _summary_and_leaks(result.stdout)
    artefacts = int(summary.split(": ", 1)[1].split(" artefacts", 1)[0])
    assert "(this process and 2 xdist workers)" in summary
    assert artefacts >= 8  # four plan files and four children's stdout, searched on workers
    assert not any(inner_canary in line for line in [summary, *leaks])
    if not leak:
        assert result.returncode == 0, result.stdout
        assert summary.endswith(" 0 hits")
        assert not leaks
        return
    assert result.returncode == 1, result.stdout
    assert summary.endswith(" 2 hits")
    assert any(line.startswith("  LEAK [gw") and "basetemp/test_writes_a_plan_file_3_0/plan.json"
               in line for line in leaks), leaks
    assert any(line.startswith("  LEAK [gw") and "test_runs_a_child[3]: stdout of `python -c"
               in line for line in leaks), leaks

"""The real console entry point in a child process: what README's quick start prints, a TT
error and Ctrl-C, each with its exit code and no traceback. Everything else runs in-process
(see conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import UAT_LOG
from ttconfig.sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


def popen(*args: str, cwd: Path, env: dict[str, str] | None = None,
          ) -> subprocess.Popen[str]:
    """`python -m ttconfig ARGS`, with no TT credentials but those in `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TT_")} | (env or {})
    return subprocess.Popen([sys.executable, "-m", "ttconfig", *args], cwd=cwd, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ttconfig(*args: str, cwd: Path, env: dict[str, str] | None = None,
             ) -> tuple[int, str, str]:
    child = popen(*args, cwd=cwd, env=env)
    stdout, stderr = child.communicate(timeout=120)
    return child.returncode, stdout, stderr


def test_the_quick_start_plan_prints_the_golden_plan_and_exits_2(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    code, stdout, stderr = ttconfig("plan", "-e", "uat", "--sandbox", "--usage-plan", "high",
                                    "--detailed-exitcode", cwd=tmp_path)
    assert code == 2, stderr
    assert stdout == (GOLDEN / "plan-uat.txt").read_text(encoding="utf-8")
    # the estimate counts the listings too: within 1 % of what the read then took (265),
    # and the plan's header counts the exposure read that follows it (1 request)
    assert stderr.index("Reading live TT (uat): 263 requests, the listings included") < \
        stderr.index("Read live TT with 266 requests")
    assert "(1 request; --no-exposure skips it)" in stdout


def test_a_tt_refusal_exits_1_with_the_request_and_no_secret(tmp_path: Path,
                                                             canary: str) -> None:
    # In a child process: the cancelled requests of a failed read leave nothing behind.
    wrong = f"{canary}-wrong"  # the session's canary: tests/canary.py searches for it too
    with Sandbox() as sandbox:
        key, _secret = sandbox.credentials("ext_uat_cert")
        code, stdout, stderr = ttconfig("inspect", "--base-url", sandbox.base_url, cwd=tmp_path,
                                        env={"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": wrong})
    assert code == 1
    assert "POST /ttid/ext_uat_cert/token failed (HTTP 401" in stderr
    assert "Traceback" not in stderr
    for text in (stdout, stderr):
        assert key not in text
        assert wrong not in text


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C on a sandbox that is serving (it answers its health check) ends it with 130."""
    child = popen("sandbox", "serve", "--port", "0", "--state", "state.json", cwd=tmp_path)
    try:
        assert child.stdout is not None
        banner = child.stdout.readline()
        assert banner.startswith("TT sandbox on http://127.0.0.1"), banner
        _wait_until_serving(banner.split()[3])
        child.send_signal(signal.SIGINT)
        _stdout, stderr = child.communicate(timeout=60)
    finally:
        child.kill()  # never leave a server behind, whatever failed above
        child.wait()
    assert child.returncode == 130, stderr
    assert "Interrupted." in stderr
    assert "Traceback" not in stderr


def _wait_until_serving(base_url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base_url}/_sandbox/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def test_sigterm_mid_apply_records_the_write_in_flight_unlocks_and_exits_143(
        tmp_path: Path) -> None:
    """What CI runners and `timeout` send: the apply used to vanish (exit 143, no summary, the
    lock kept, an intent without its outcome). Now it ends as a failure does."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    child = popen("apply", "-e", "uat", "--sandbox", "--usage-plan", "high",
                  "--auto-approve", cwd=tmp_path)
    audit = tmp_path / ".ttconfig" / "sandbox" / "audit" / UAT_LOG
    try:
        deadline = time.monotonic() + 60
        while not (audit.exists() and '"outcome":"applied"' in audit.read_text()):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGTERM)  # TT's 1 s pause after each write: mid-apply
        stdout, stderr = child.communicate(timeout=60)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "Stopped by SIGTERM" in stdout
    assert "Applied 1 of 6 requests" in stdout
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    intents = [r["hash"] for r in records if r["event"] == "intent"]
    outcomes = {r["intent"]: r["outcome"] for r in records if r["event"] == "outcome"}
    assert set(intents) == set(outcomes), "every intent has its outcome"
    assert list(outcomes.values()) == ["applied", "interrupted"]
    locks = tmp_path / ".ttconfig" / "sandbox" / "locks"
    assert not list(locks.glob("*.lock")), "lock released"

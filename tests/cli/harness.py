"""Whole commands in-process: click's runner, through the same `main` a user's run goes
through, with a faster way to TT (a quicker sandbox and a client tuned to it).

Only the speed differs from a user's run: options, the credentials' lookup, the state file,
the lock, the audit log and the exit codes are the real ones. `tests/cli/test_smoke.py`
keeps a few runs of the real console entry point in a child process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from click.testing import CliRunner, Result

from ttconfig.cli import cli
from ttconfig.runs.connection import Connector
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES, SandboxSettings, UsagePlan
from ttconfig.tt import wire
from ttconfig.tt.config import ClientConfig, RetryPolicy

ROOT = Path(__file__).resolve().parents[2]
PAUSE = 0.05
"""Seconds between writes, on both sides (TT's is 1 s)."""
SANDBOX_RATE = 1000
CLIENT_RATE = 500
"""Requests per second: the client stays well under the sandbox's limit, as with TT."""


def fast_settings(usage_plan_override: str | None = None) -> SandboxSettings:
    """Sandbox settings with TT's rules at test speed: every usage plan allows 1,000
    requests a second and a million a day; writes pause 50 ms."""
    plans = {name: UsagePlan(SANDBOX_RATE, 10**6) for name in USAGE_PLAN_NAMES}
    return SandboxSettings(usage_plans=plans, usage_plan_override=usage_plan_override,
                           post_pause_seconds=PAUSE, strict=True)


def fast_client(config: ClientConfig) -> ClientConfig:
    """`config` tuned to `fast_settings`: its rate, its write pause, short retry waits."""
    return replace(config, rate_safety=CLIENT_RATE / wire.USAGE_PLANS[config.usage_plan][0],
                   post_pause_seconds=PAUSE,
                   retry=RetryPolicy(base_seconds=0.01, cap_seconds=0.05))


@dataclass(frozen=True)
class TTConfig:
    """`ttconfig ARGS` run in-process in the current directory.

    `environ` is all the credentials a command can find: nothing leaks in from the
    session's environment (a child process running the real command gets the same).
    """

    environ: Mapping[str, str]

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        connector = Connector(environ=self.environ, sandbox_settings=fast_settings,
                              tune=fast_client)
        # catch_exceptions=False: an error main does not map fails the test with its
        # traceback, as a user would have seen it.
        return CliRunner().invoke(cli, list(args), obj=connector, input=stdin,
                                  catch_exceptions=False)


def output(result: Result) -> str:
    """What the user saw, both streams, for assertion messages."""
    return result.stdout + result.stderr


def uat_desk(sandbox: Sandbox) -> tuple[TTConfig, tuple[str, ...]]:
    """`ttconfig` holding the sandbox's UAT credentials, and the options that send a
    command for the demo's uat folder to it."""
    key, secret = sandbox.credentials("ext_uat_cert")
    return (TTConfig({"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret}),
            ("-e", "uat", "--base-url", sandbox.base_url, "--usage-plan", "high"))

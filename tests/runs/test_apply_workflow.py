"""apply_environment without a terminal: what it shows, asks and audits, through callbacks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli.harness import ROOT, fast_client, fast_settings
from tests.conftest import UAT_LOG
from ttconfig.core.plan import Plan
from ttconfig.runs.apply.workflow import (
    ApplyRequest,
    Conversation,
    Outcome,
    WriteProgress,
    apply_environment,
)
from ttconfig.runs.connection import ConnectionOptions, Connector
from ttconfig.runs.paths import Layout
from ttconfig.runs.planning import Reach
from ttconfig.safety.policy import Verdict
from ttconfig.sandbox.server import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=fast_settings(usage_plan_override="high")) as running:
        yield running


def reach(sandbox: Sandbox) -> Reach:
    key, secret = sandbox.credentials("ext_uat_cert")
    connector = Connector(environ={"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret},
                          tune=fast_client)
    return Reach(ConnectionOptions(base_url=sandbox.base_url, usage_plan="high"), connector)


def request(tmp_path: Path) -> ApplyRequest:
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    return ApplyRequest(tmp_path / "environments", environment="uat",
                        layout=Layout(tmp_path / "audit", tmp_path / "locks"))


def writes(sandbox: Sandbox) -> list[object]:
    return [w for w in sandbox.writes() if w["source"] != "ui"]


def test_a_declined_apply_shows_the_plan_asks_once_and_writes_nothing(
        sandbox: Sandbox, tmp_path: Path) -> None:
    shown: list[tuple[Plan, Verdict]] = []
    asked: list[Plan] = []

    def decline(plan: Plan) -> bool:
        asked.append(plan)
        return False

    conversation = Conversation(show=lambda plan, verdict: shown.append((plan, verdict)),
                                confirm=decline)
    applied = apply_environment(request(tmp_path), reach(sandbox), conversation)
    assert (applied.outcome, applied.result, applied.exit_code) == (Outcome.DECLINED, None, 1)
    assert [plan.summary.requests for plan, _ in shown] == [6]
    assert asked == [shown[0][0]]
    assert writes(sandbox) == []
    assert not (tmp_path / "audit" / UAT_LOG).exists()
    assert not (tmp_path / "locks" / UAT_LOG.replace(".jsonl", ".lock")).exists()


def test_a_confirmed_apply_writes_and_reports_each_request(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    progress: list[int] = []

    @contextmanager
    def writing(plan: Plan) -> Iterator[WriteProgress]:
        yield lambda done, total: progress.append(done)

    conversation = Conversation(confirm=lambda plan: True, writing=writing)
    applied = apply_environment(request(tmp_path), reach(sandbox), conversation)
    assert (applied.outcome, applied.exit_code) == (Outcome.APPLIED, 0)
    assert applied.result is not None
    assert len(applied.result.done) == 6
    assert progress == [1, 2, 3, 4, 5, 6]
    assert len(writes(sandbox)) == 6
    assert applied.audit_path == tmp_path / "audit" / UAT_LOG

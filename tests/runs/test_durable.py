"""The audit branch: logs kept in the firm's repository, appended to only, read back by a
fresh runner. Real git repositories: a bare "origin" and two clones (two CI runners)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import UAT_LOG
from ttconfig.cli import cli
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.runs.audit import AuditLog, verify
from ttconfig.runs.durable import AuditBranchError, Branch, publish_logs, restore_logs
from ttconfig.runs.paths import AUDIT_DIR, Layout

UAT = EnvironmentConfig.model_validate({
    "tt_environment": "ext_uat_cert", "company": "Harbor Point Trading", "usage_plan": "high",
    "credentials": {"app_key_env": "TT_UAT_APP_KEY", "app_secret_env": "TT_UAT_APP_SECRET"}})


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def runners(tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one origin, each with a commit on main and no identity configured."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    clones = []
    for name in ("a", "b"):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(origin), str(clone))
        clones.append(clone)
    seed = clones[0]
    (seed / "README").write_text("firm\n")
    git(seed, "add", "README")
    git(seed, "-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "first")
    git(seed, "push", "-q", "origin", "HEAD")
    git(clones[1], "pull", "-q", "origin", git(seed, "branch", "--show-current"))
    return clones[0], clones[1]


def appended(repo: Path, count: int) -> Path:
    log = AuditLog(repo / AUDIT_DIR / UAT_LOG, {"environment": "uat"})
    for i in range(count):
        log.append("intent", change=i)
    return log.path


def test_a_fresh_runner_reads_the_log_another_runner_published(
        runners: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = runners
    appended(a, 3)
    assert publish_logs(a / AUDIT_DIR, "apply", push=True, branch=Branch(a)) is not None
    git(b, "fetch", "-q", "origin", "ttconfig-audit")
    monkeypatch.chdir(b)
    said = CliRunner().invoke(cli, ["audit", "restore"], catch_exceptions=False)
    assert f"restored {AUDIT_DIR / UAT_LOG} from the ttconfig-audit branch" in said.stdout
    assert verify(b / AUDIT_DIR / UAT_LOG).records == 3
    # b applies in its turn and publishes; a, behind, is brought up to date by any command
    appended(b, 2)
    published = CliRunner().invoke(cli, ["audit", "publish", "--push"], catch_exceptions=False)
    assert "and pushed it to origin" in published.stdout, published.output
    git(a, "fetch", "-q", "origin", "ttconfig-audit")
    monkeypatch.chdir(a)
    assert Layout().audit_file(UAT) == AUDIT_DIR / UAT_LOG
    assert verify(a / AUDIT_DIR / UAT_LOG).records == 5
    # the branch holds one commit per publish, each the one before plus records
    assert git(a, "rev-list", "--count", "origin/ttconfig-audit") == "2"


def test_a_deleted_or_cut_log_comes_back_from_the_branch(
        runners: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a, _ = runners
    path = appended(a, 4)
    publish_logs(a / AUDIT_DIR, "apply", push=False, branch=Branch(a))
    kept = path.read_bytes()
    path.write_bytes(kept[:kept.index(b"\n") + 1])  # cut to its first record
    path.with_name(f"{path.name}.head").unlink()
    monkeypatch.chdir(a)
    Layout().audit_file(UAT)
    assert path.read_bytes() == kept
    assert verify(path).broken_at is None
    path.unlink()
    Layout().audit_file(UAT, "uat")
    assert path.read_bytes() == kept


def test_publishing_appends_only_and_touches_nothing_of_the_users(
        runners: tuple[Path, Path]) -> None:
    a, _ = runners
    path = appended(a, 2)
    publish_logs(a / AUDIT_DIR, "apply", push=False, branch=Branch(a))
    (a / "staged.txt").write_text("mine\n")
    git(a, "add", "staged.txt")
    before = git(a, "status", "--porcelain")
    lines = path.read_text().splitlines()
    record = json.loads(lines[0]) | {"change": 99}
    path.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n")  # a record edited
    tip = git(a, "rev-parse", "ttconfig-audit")
    with pytest.raises(AuditBranchError, match="does not start with the records"):
        publish_logs(a / AUDIT_DIR, "apply", push=False, branch=Branch(a))
    with pytest.raises(AuditBranchError, match="disagree in a record they both hold"):
        restore_logs(a / AUDIT_DIR, Branch(a))
    assert git(a, "rev-parse", "ttconfig-audit") == tip
    assert git(a, "status", "--porcelain") == before
    assert git(a, "show", f"ttconfig-audit:{UAT_LOG}").splitlines() == lines


def test_without_an_audit_branch_or_git_nothing_changes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not a repository
    path = appended(tmp_path, 1)
    assert Layout().audit_file(UAT) == AUDIT_DIR / UAT_LOG
    assert restore_logs(AUDIT_DIR) == []
    assert verify(path).records == 1

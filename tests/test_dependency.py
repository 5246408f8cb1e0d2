"""ttconfig as a dependency of a firm's own repository ([K] 6): the GitHub Action at the
root, the reusable workflows (.github/workflows/, tests/test_workflows.py runs their steps),
the pre-commit hook, and the example firm repository that uses them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.harness import TTConfig
from tests.test_workflows import REUSABLE, WORKFLOWS, actionlint, call_inputs, load, triggers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "firm-repo"


def lint(cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(actionlint()), "-no-color", "-oneline", *files], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_example_firm_repositorys_workflows_pass_actionlint() -> None:
    files = [str(p.relative_to(EXAMPLE)) for p in (EXAMPLE / ".github" / "workflows").glob(
        "*.yml")]
    assert files
    result = lint(EXAMPLE, *files)
    assert result.returncode == 0, result.stdout + result.stderr


def example_calls() -> list[tuple[str, str, dict[str, Any]]]:
    """(example workflow, reusable workflow it calls, the calling job) for every job of the
    example firm repository that calls one of ttconfig's workflows."""
    calls = []
    for path in sorted((EXAMPLE / ".github" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in workflow["jobs"].values():
            if "/.github/workflows/" in str(job.get("uses", "")):
                calls.append((path.name, str(job["uses"]), job))
    return calls


def test_the_example_calls_each_reusable_workflow_at_one_pinned_version() -> None:
    """plan, apply, drift and promote, each at a tag, with ttconfig-ref that same tag and
    ttconfig-repository the repository the workflow comes from: one version of both."""
    called = []
    for example, uses, job in example_calls():
        pinned = re.fullmatch(r"(your-org/ttconfig)/\.github/workflows/(\w+)\.yml@(v[\d.]+)", uses)
        assert pinned is not None, f"{example}: {uses}"
        repository, name, ref = pinned.groups()
        called.append(name)
        assert job["with"]["ttconfig-ref"] == ref, example
        assert job["with"]["ttconfig-repository"] == repository, example
        assert job["secrets"] == "inherit", f"{example}: the TT secrets are looked up by name"
    assert sorted(called) == sorted(REUSABLE)


def test_the_examples_give_only_inputs_the_workflows_declare() -> None:
    """actionlint cannot read a remote reusable workflow: the example's calls are checked
    against the workflows of this repository, the ones a tag of it would hold. Every `with:`
    key is a declared input (its value a string, as declared), every required one given."""
    for example, uses, job in example_calls():
        name = uses.split("/.github/workflows/")[1].split(".yml@")[0]
        declared = call_inputs(name)
        given = job.get("with", {})
        assert set(given) <= set(declared), f"{example}: {set(given) - set(declared)}"
        required = {key for key, spec in declared.items() if spec.get("required")}
        assert required <= set(given), f"{example}: {required - set(given)}"
        for key, value in given.items():
            assert isinstance(value, str), f"{example}: {key} is not a string"
            if key in {"environments", "promotions"}:
                assert json.loads(value), f"{example}: {key} is not JSON"


def test_the_example_triggers_are_the_workflows_own() -> None:
    """The firm's caller runs on what ttconfig's workflow runs on itself here."""
    for example, uses, _ in example_calls():
        name = uses.split("/.github/workflows/")[1].split(".yml@")[0]
        workflow = yaml.safe_load((EXAMPLE / ".github" / "workflows" / example).read_text())
        own = {key: value for key, value in triggers(load(name)).items() if key != "workflow_call"}
        assert set(triggers(workflow)) == set(own), example
        for key in ("push", "pull_request", "workflow_run"):
            if key in own:
                assert triggers(workflow)[key] == own[key], f"{example}: {key}"


def test_actionlint_checks_a_local_call_against_the_workflows_inputs(tmp_path: Path) -> None:
    """A copy of plan.yml called as `./.github/workflows/plan.yml`, as a firm's workflow
    calls it: actionlint checks the call against the declared inputs (and refuses one the
    workflow does not have)."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=60)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(WORKFLOWS / "plan.yml", workflows / "plan.yml")
    call = ("name: t\non: pull_request\npermissions: {}\njobs:\n  plan:\n"
            "    permissions: {contents: read, pull-requests: write}\n"
            "    uses: ./.github/workflows/plan.yml\n    with:\n"
            "      ttconfig-repository: your-org/ttconfig\n      {input}: v0.1.0\n"
            "    secrets: inherit\n")
    (workflows / "good.yml").write_text(call.replace("{input}", "ttconfig-ref"))
    good = lint(tmp_path, ".github/workflows/good.yml", ".github/workflows/plan.yml")
    assert good.returncode == 0, good.stdout + good.stderr
    (workflows / "bad.yml").write_text(call.replace("{input}", "ttconfig-rev"))
    refused = lint(tmp_path, ".github/workflows/bad.yml")
    assert refused.returncode != 0
    assert 'input "ttconfig-rev" is not defined' in refused.stdout
    # … and the permissions its jobs ask for, which the calling job must grant.
    (workflows / "bad.yml").write_text(call.replace("{input}", "ttconfig-ref").replace(
        ", pull-requests: write", ""))
    refused = lint(tmp_path, ".github/workflows/bad.yml")
    assert refused.returncode != 0
    assert '"pull-requests: write"' in refused.stdout


def test_the_examples_calls_pass_actionlint_against_this_repositorys_workflows(
        tmp_path: Path) -> None:
    """The example's callers, their remote `uses:` made local to copies of this repository's
    workflows: actionlint then checks each call's inputs and permissions for real."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=60)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for name in REUSABLE:
        shutil.copy(WORKFLOWS / f"{name}.yml", workflows / f"ttconfig-{name}.yml")
    callers = []
    for example, uses, _ in example_calls():
        name = uses.split("/.github/workflows/")[1].split(".yml@")[0]
        text = (EXAMPLE / ".github" / "workflows" / example).read_text(encoding="utf-8")
        assert text.count(uses) == 1
        local = f"./.github/workflows/ttconfig-{name}.yml"
        (workflows / example).write_text(text.replace(uses, local))
        callers.append(f".github/workflows/{example}")
    result = lint(tmp_path, *callers)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reads_the_actions_inputs_as_a_caller_uses_them(tmp_path: Path) -> None:
    """A local copy of action.yml, used as a firm's workflow uses it: actionlint checks the
    call against the action's declared inputs (and refuses an input it does not have)."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=60)
    action = tmp_path / ".github" / "actions" / "ttconfig"  # (actionlint finds the repo root)
    action.mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", action / "action.yml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir()
    use = ("name: t\non: push\npermissions: {contents: read}\njobs:\n  t:\n"
           "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n"
           "      - uses: ./.github/actions/ttconfig\n        with:\n          {inputs}\n")
    (workflows / "good.yml").write_text(use.replace("{inputs}", "args: validate -e uat"))
    assert lint(tmp_path, ".github/workflows/good.yml").returncode == 0
    (workflows / "bad.yml").write_text(use.replace("{inputs}", "argz: validate -e uat"))
    refused = lint(tmp_path, ".github/workflows/bad.yml")
    assert refused.returncode != 0
    assert "argz" in refused.stdout


def test_the_actions_run_step_passes_the_words_and_reports_the_exit_code(
        tmp_path: Path) -> None:
    """The composite step under bash as GitHub runs it, with a stand-in ttconfig: the
    arguments are split into words, never evaluated, and the exit code is an output."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "run"]
    stand_in = tmp_path / "bin" / "ttconfig"
    stand_in.parent.mkdir()
    stand_in.write_text("#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$WORDS\"\nexit 2\n")
    stand_in.chmod(0o755)
    output, words = tmp_path / "output", tmp_path / "words"
    environ = {**os.environ, "PATH": f"{stand_in.parent}:{os.environ['PATH']}",
               "GITHUB_OUTPUT": str(output), "WORDS": str(words),
               "TTCONFIG_ARGS": "plan -e prod --format markdown $(touch pwned)"}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           step["run"]], cwd=tmp_path, env=environ, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert output.read_text() == "exit-code=2\n"
    assert words.read_text().splitlines() == ["plan", "-e", "prod", "--format", "markdown",
                                              "$(touch", "pwned)"]
    assert not (tmp_path / "pwned").exists()


def test_the_pre_commit_hook_checks_the_environments_a_commit_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = tmp_path
    shutil.copytree(ROOT / "environments", demo / "environments")
    monkeypatch.chdir(demo)
    ttconfig = TTConfig(environ={})
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["pass_filenames"]) == (
        "ttconfig-validate", "ttconfig validate", True)
    files = re.compile(hook["files"])
    assert files.search("environments/uat/accounts.yaml")
    assert not files.search("README.md")
    assert not files.search("environments/uat/notes/x.yaml")
    changed = ["environments/uat/accounts.yaml", "environments/prod/users.yaml"]
    valid = ttconfig(*hook["entry"].split()[1:], *changed)
    assert valid.exit_code == 0, valid.stderr
    assert [line.split(":")[0] for line in valid.stdout.splitlines()] == [
        "environments/uat", "environments/prod"]
    accounts = demo / "environments" / "uat" / "accounts.yaml"
    accounts.write_text(accounts.read_text() + "- name: HPT-NO-TYPE\n")
    invalid = ttconfig(*hook["entry"].split()[1:], *changed)
    assert invalid.exit_code == 3
    assert "environments/uat/accounts.yaml:" in invalid.stderr
    assert "missing required key 'type'" in invalid.stderr


FAST_MAIN = """
import os, sys
sys.path.append(sys.argv.pop(1))  # the source tree, after the wheel: for the test harness only
import ttconfig
from ttconfig.cli import cli
from ttconfig.runs.connection import Connector
from tests.cli.harness import fast_client, fast_settings
assert ttconfig.__file__.startswith(os.environ["PYTHONPATH"]), ttconfig.__file__
cli.main(sys.argv[1:], prog_name="ttconfig",
         obj=Connector(sandbox_settings=fast_settings, tune=fast_client))
"""
"""The wheel's `ttconfig` command at the in-process tests' speed (tests/cli/harness.py: a
quicker `--sandbox` and a client tuned to it; everything else as a user's run goes). At TT's
own rates the import and the plan sleep ~25 s between their ~560 requests."""


def test_the_wheel_works_outside_the_source_tree(tmp_path: Path) -> None:
    """`pip wheel .` builds a package that runs from anywhere: the sandbox's seed data and
    everything else it needs are inside it (init, import and plan, from a folder that is
    not this repository, with the wheel first on the path).

    Built without build isolation, with the setuptools the dev extra installs (what
    pyproject's build-system requires): an isolated build first installs setuptools into a
    new environment, ~4 s of a test that proves the wheel's contents, not pip's isolation.
    `init` runs through the real entry point; import and plan through the same `main` at
    test speed (`FAST_MAIN`)."""
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("ttconfig-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    environ = {**os.environ, "PYTHONPATH": str(site)}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=work, env=environ, capture_output=True, text=True,
                              timeout=300, check=False)

    def ttconfig(*args: str) -> subprocess.CompletedProcess[str]:
        return run(sys.executable, "-m", "ttconfig", *args)

    def fast(*args: str) -> subprocess.CompletedProcess[str]:
        return run(sys.executable, "-c", FAST_MAIN, str(ROOT), *args)

    where = subprocess.run([sys.executable, "-c", "import ttconfig; print(ttconfig.__file__)"],
                           cwd=work, env=environ, capture_output=True, text=True, timeout=60,
                           check=True)
    assert where.stdout.startswith(str(site)), where.stdout
    assert ttconfig("init", "uat", "--tt-environment", "ext_uat_cert", "--company",
                    "Harbor Point Trading", "--usage-plan", "high").returncode == 0
    imported = fast("import", "-e", "uat", "--sandbox", "--usage-plan", "high")
    assert imported.returncode == 0, imported.stderr
    planned = fast("plan", "-e", "uat", "--sandbox", "--usage-plan", "high",
                   "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "No changes" in planned.stdout

"""The GitHub workflows of the review-and-promotion path (.github/workflows/).

actionlint checks them as GitHub would read them; the rest checks what users rely on, by
reading each workflow and by running its steps: the shell steps under bash as GitHub runs
them (`bash --noprofile --norc -eo pipefail`) with a stand-in `ttconfig` that exits with
the code under test, and the github-script steps under node with a recording stand-in for
GitHub's API.

plan, apply, drift and promote are also reusable (`workflow_call`): a firm's repository calls
them at a pinned ref of ttconfig (examples/firm-repo/; tests/test_dependency.py checks its
calls against the inputs declared here).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ttconfig.runs.connection import credential_variables

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("apply", "ci", "drift", "nightly", "plan", "promote")
REUSABLE = ("apply", "drift", "plan", "promote")
"""The workflows a firm's repository calls (`workflow_call`)."""
DEFAULT_PROMOTIONS = '{"prod":"uat"}'
"""`promotions` when the caller gives none, and in this repository's own runs."""
PINNED = {"actions/checkout": "v5", "actions/setup-python": "v6",
          "actions/upload-artifact": "v6", "actions/download-artifact": "v7",
          "actions/github-script": "v8"}
"""One major version per action: the first of each that runs on Node 24 (GitHub removed
Node 20 from its runners in September 2026, and actionlint reports the older majors)."""

Workflow = dict[Any, Any]  # the key `on` is read as True
Job = dict[str, Any]
Step = dict[str, Any]


def load(name: str) -> Workflow:
    data = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name}.yml is not a mapping"
    return data


def triggers(workflow: Workflow) -> dict[str, Any]:
    """The `on:` mapping (PyYAML reads the key `on` as the boolean true, as YAML 1.1 says)."""
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict)
    return value


def jobs(workflow: Workflow) -> dict[str, Job]:
    value = workflow["jobs"]
    assert isinstance(value, dict)
    return value


def steps(job: Job) -> list[Step]:
    value = job.get("steps", [])
    assert isinstance(value, list)
    return value


def call_inputs(name: str) -> dict[str, dict[str, Any]]:
    """The inputs a reusable workflow declares (`on.workflow_call.inputs`)."""
    call = triggers(load(name))["workflow_call"]
    assert isinstance(call, dict)
    inputs = call.get("inputs", {})
    assert isinstance(inputs, dict)
    return inputs


def install_steps() -> list[tuple[str, str, Step]]:
    return [(name, job_id, step) for name, job_id, step in every_step()
            if name in REUSABLE and step.get("name") == "Install ttconfig"]


def every_step() -> Iterator[tuple[str, str, Step]]:
    for name in NAMES:
        for job_id, job in jobs(load(name)).items():
            for step in steps(job):
                yield name, job_id, step


def named(job: Job, name: str) -> Step:
    found = [step for step in steps(job) if step.get("name") == name]
    assert len(found) == 1, f"no single step named {name!r}"
    return found[0]


def running(job: Job, command: str) -> Step:
    found = [step for step in steps(job) if command in str(step.get("run", ""))]
    assert len(found) == 1, f"no single step runs {command!r}"
    return found[0]


def script_of(job: Job, step_name: str) -> str:
    script = named(job, step_name)["with"]["script"]
    assert isinstance(script, str)
    return script


def actionlint() -> Path:
    """The actionlint of this Python environment: a dev dependency, so never skipped."""
    beside = Path(sys.executable).parent
    found = shutil.which("actionlint", path=str(beside))
    if found is None:
        pytest.fail(f"actionlint is not installed next to {sys.executable} (looked in {beside}). "
                    "It is a dev dependency: pip install -e '.[dev]'")
    return Path(found)


# --- lint ---------------------------------------------------------------------------------


def test_the_workflows_are_these() -> None:
    assert sorted(path.stem for path in WORKFLOWS.glob("*.y*ml")) == sorted(NAMES)


def test_actionlint_finds_nothing() -> None:
    files = sorted(str(path.relative_to(ROOT)) for path in WORKFLOWS.glob("*.yml"))
    result = subprocess.run([str(actionlint()), "-no-color", "-oneline", *files], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


# --- what every workflow promises --------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_workflow_declares_its_permissions(name: str) -> None:
    workflow = load(name)
    assert "permissions" in workflow, f"{name}.yml: no top-level permissions"
    for job_id, job in jobs(workflow).items():
        for scope in (workflow["permissions"], job.get("permissions", {})):
            assert scope != "write-all", f"{name}.yml {job_id}: write-all"
            if isinstance(scope, dict):
                assert set(scope.values()) <= {"read", "write", "none"}


def test_secrets_reach_steps_only_through_env() -> None:
    for name, job_id, step in every_step():
        script = str(step.get("run", ""))
        where = f"{name}.yml {job_id} {step.get('name', script[:40])!r}"
        # No expression at all in a script: values come in as environment variables, so
        # neither a secret nor a PR's text is ever pasted into shell source.
        assert "${{" not in script, f"{where}: an expression inside run:"
        # ttconfig reads the credentials itself: a script has no reason to name them.
        assert not re.search(r"TT_(UAT|PROD)_APP_(KEY|SECRET)", script), where


def test_credentials_come_from_secrets_of_the_same_name() -> None:
    """No step names a TT credential: each job's step "TT credentials" looks the secrets up
    by the variable names the step "Name the TT credentials" computed, and hands each value
    on under the name it was looked up by (the steps themselves run below)."""
    looked_up = 0
    for name, job_id, step in every_step():
        env = {str(k): str(v) for k, v in step.get("env", {}).items()}
        assert not [v for v in env if re.fullmatch(r"TT_\w+_APP_(KEY|SECRET)", v)], (
            f"{name}.yml {job_id}: a TT credential named in a step")
        if step.get("name") != "TT credentials":
            continue
        items = {variable[:-len("_NAME")] for variable in env if variable.endswith("_NAME")}
        assert items >= {"KEY", "SECRET"}
        assert set(env) == {f"{item}_{part}" for item in items for part in ("NAME", "VALUE")}
        for item in items:
            output = re.fullmatch(r"\$\{\{ steps\.names\.outputs\.([\w-]+) \}\}",
                                  env[f"{item}_NAME"])
            assert output is not None, f"{name}.yml {job_id}: {item}_NAME"
            assert env[f"{item}_VALUE"] == f"${{{{ secrets[steps.names.outputs.{output[1]}] }}}}"
            looked_up += 1
    assert looked_up == 4 + 2 + 2 + 2  # plan (and its source's), drift, apply's two jobs


def test_every_job_that_reads_tt_is_handed_its_credentials_first() -> None:
    reads = re.compile(r"ttconfig (plan|gate|drift|apply) ")
    jobs_reading = 0
    for name in REUSABLE:
        for job_id, job in jobs(load(name)).items():
            names = [str(step.get("name", "")) for step in steps(job)]
            reading = [i for i, step in enumerate(steps(job))
                       if reads.search(str(step.get("run", "")) + " ")]
            if not reading:
                continue
            jobs_reading += 1
            assert names.index("Name the TT credentials") < names.index("TT credentials") < min(
                reading), f"{name}.yml {job_id}"
    assert jobs_reading == 4  # plan, drift, and apply's two


def test_actions_are_pinned_to_one_major_each() -> None:
    for name, job_id, step in every_step():
        if "uses" in step:
            action, _, version = str(step["uses"]).partition("@")
            assert PINNED.get(action) == version, f"{name}.yml {job_id}: {step['uses']}"


def test_ci_runs_what_ci_run_runs() -> None:
    runs = [shlex.split(str(step.get("run", ""))) for step in steps(jobs(load("ci"))["checks"])]
    for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] in {"ruff", "mypy", "lint-imports", "pytest"}:
            assert any(set(words) <= set(run) for run in runs), f"ci.yml does not run {line!r}"
    assert set(triggers(load("ci"))) == {"push", "pull_request"}


def test_nightly_runs_the_proof_suites_at_ten_times_cis_counts_on_a_new_seed() -> None:
    workflow = load("nightly")
    proof = jobs(workflow)["proof"]
    counts = {name: int(proof["env"][name]) for name in
              ("TTCONFIG_FAULTS", "TTCONFIG_CONVERGENCE", "TTCONFIG_FUZZ")}
    assert counts["TTCONFIG_FAULTS"] >= 10 * 200
    assert counts["TTCONFIG_CONVERGENCE"] >= 10 * 500
    assert counts["TTCONFIG_FUZZ"] >= 10 * 5000
    assert "github.run_id" in proof["env"]["TTCONFIG_SEED"]
    assert any("tests/proof" in str(step.get("run", "")) for step in steps(proof))
    scale = " ".join(str(step.get("run", "")) for step in steps(jobs(workflow)["scale"]))
    assert "benchmarks/scale.py" in scale
    assert "GITHUB_STEP_SUMMARY" in scale
    assert "schedule" in triggers(workflow)


# --- reusable: called from a firm's repository ---------------------------------------------


ORIGINAL_TRIGGERS = {"apply": {"push"}, "drift": {"schedule", "workflow_dispatch"},
                     "plan": {"pull_request"}, "promote": {"workflow_run", "workflow_dispatch"}}


@pytest.mark.parametrize("name", REUSABLE)
def test_the_reusable_workflows_are_callable_and_keep_their_own_triggers(name: str) -> None:
    """Callable with the ttconfig version to install; this repository's own runs, with the
    triggers they had, stay as they were (they give no inputs: the defaults below)."""
    workflow = load(name)
    assert set(triggers(workflow)) == ORIGINAL_TRIGGERS[name] | {"workflow_call"}
    inputs = call_inputs(name)
    for key in ("ttconfig-ref", "ttconfig-repository"):
        assert inputs[key]["type"] == "string"
        assert inputs[key]["default"] == ""
        assert inputs[key]["description"]
    for key, spec in inputs.items():
        assert spec["type"] == "string", f"{name}.yml {key}"
        assert not spec.get("required", False), f"{name}.yml {key}: required"
    assert workflow["env"]["TTCONFIG_REF"] == "${{ inputs.ttconfig-ref }}"
    assert workflow["env"]["TTCONFIG_REPOSITORY"] == "${{ inputs.ttconfig-repository }}"
    if "promotions" in inputs:
        # The input's default and the fallback of runs with no inputs are the same.
        assert inputs["promotions"]["default"] == DEFAULT_PROMOTIONS
        text = (WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8")
        fallbacks = re.findall(r"inputs\.promotions \|\| '([^']*)'", text)
        assert set(fallbacks) == {DEFAULT_PROMOTIONS}
    if "environments" in inputs and inputs["environments"]["default"]:
        text = (WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8")
        fallbacks = re.findall(r"inputs\.environments \|\| '([^']*)'", text)
        assert set(fallbacks) == {inputs["environments"]["default"]}


def test_every_job_installs_ttconfig_with_the_same_step() -> None:
    """One install script for every job that runs ttconfig (the test below runs it), fed
    only through the workflow's environment."""
    found = install_steps()
    command = re.compile(r"(^|\s)ttconfig (plan|gate|drift|apply|validate|audit|promote|approve) ")
    jobs_running = {(name, job_id) for name, job_id, step in every_step()
                    if name in REUSABLE and command.search(str(step.get("run", "")))}
    assert {(name, job_id) for name, job_id, _ in found} == jobs_running
    assert len(jobs_running) == 5  # plan, drift, apply's two, promote
    assert len({str(step["run"]) for _, _, step in found}) == 1
    assert all("env" not in step for _, _, step in found)


def run_install(tmp_path: Path, ref: str, repository: str, checkout_is_ttconfig: bool = False,
                ) -> tuple[subprocess.CompletedProcess[str], list[str] | None]:
    """The install step under bash, with a stand-in `python` that records its arguments."""
    (_, _, step), *_ = install_steps()
    work = tmp_path / "work"
    work.mkdir()
    if checkout_is_ttconfig:
        (work / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    stand_in = tmp_path / "bin" / "python"
    stand_in.parent.mkdir()
    stand_in.write_text('#!/bin/bash\nprintf \'%s\\n\' "$@" > "$ARGS"\n')
    stand_in.chmod(0o755)
    args = tmp_path / "args"
    environ = {"PATH": f"{stand_in.parent}{os.pathsep}{os.environ['PATH']}",
               "HOME": str(tmp_path), "ARGS": str(args),
               "GITHUB_SERVER_URL": "https://github.com",
               "TTCONFIG_REF": ref, "TTCONFIG_REPOSITORY": repository}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                             str(step["run"])], cwd=work, env=environ, capture_output=True,
                            text=True, timeout=60, check=False)
    return result, args.read_text().splitlines() if args.exists() else None


@pytest.mark.parametrize(("ref", "url"), [
    ("v0.1.0", "git+https://github.com/your-org/ttconfig@v0.1.0"),
    ("release/1.2", "git+https://github.com/your-org/ttconfig@release/1.2"),
    ("0123456789abcdef0123456789abcdef01234567",
     "git+https://github.com/your-org/ttconfig@0123456789abcdef0123456789abcdef01234567")])
def test_a_caller_gets_ttconfig_at_the_ref_it_pins(tmp_path: Path, ref: str, url: str) -> None:
    """Called from a firm's repository the checkout is the firm's YAML: ttconfig comes from
    its repository at the ref, by pip."""
    result, args = run_install(tmp_path, ref, "your-org/ttconfig")
    assert result.returncode == 0, result.stdout + result.stderr
    assert args == ["-m", "pip", "install", url]


def test_this_repository_installs_its_checkout(tmp_path: Path) -> None:
    result, args = run_install(tmp_path, "", "", checkout_is_ttconfig=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert args == ["-m", "pip", "install", "-e", "."]


def test_a_caller_that_pins_no_ttconfig_is_told_so(tmp_path: Path) -> None:
    result, args = run_install(tmp_path, "", "")
    assert result.returncode == 1
    assert args is None
    assert "::error title=ttconfig-ref::" in result.stdout
    assert "ttconfig-ref" in result.stdout.split("::", 2)[2]


@pytest.mark.parametrize(("ref", "repository", "refused"), [
    ("v1$(touch pwned)", "your-org/ttconfig", "ttconfig-ref"),
    ("v1;touch pwned", "your-org/ttconfig", "ttconfig-ref"),
    ("`touch pwned`", "your-org/ttconfig", "ttconfig-ref"),
    ("--index-url=https://evil.example", "your-org/ttconfig", "ttconfig-ref"),
    ("v1#egg=other", "your-org/ttconfig", "ttconfig-ref"),
    ("../../x", "your-org/ttconfig", "ttconfig-ref"),
    ("", "your-org/ttconfig", "ttconfig-ref"),
    ("v0.1.0", "your-org/ttconfig$(touch pwned)", "ttconfig-repository"),
    ("v0.1.0", "evil.example/x/y", "ttconfig-repository"),
    ("v0.1.0", "", "ttconfig-repository")])
def test_a_ref_is_never_evaluated_and_must_look_like_one(
        tmp_path: Path, ref: str, repository: str, refused: str) -> None:
    result, args = run_install(tmp_path, ref, repository)
    assert result.returncode == 1
    assert args is None  # pip never ran
    assert f"::error title={refused}::" in result.stdout
    assert not list(tmp_path.rglob("pwned"))


CREDENTIAL_NAMES = ["uat", "prod", "meridian-uat", "Desk_2--prod", "-edge-"]


@pytest.mark.parametrize("env", CREDENTIAL_NAMES)
def test_the_credentials_are_named_as_ttconfig_reads_them(tmp_path: Path, env: str) -> None:
    """The names the workflows compute are ttconfig's own (credential_variables), for any
    environment folder: meridian-uat → TT_MERIDIAN_UAT_APP_KEY (no secret name holds a -)."""
    named_steps = [step for name, _, step in every_step() if step.get("name")
                   == "Name the TT credentials"]
    assert len(named_steps) == 4
    assert len({str(step["run"]) for step in named_steps}) == 1
    result, outputs = run_step(named_steps[0], tmp_path, {"TT_ENV": env})
    assert result.returncode == 0, result.stdout + result.stderr
    key, secret = credential_variables(env)
    assert (outputs["key"], outputs["secret"]) == (key, secret)
    assert outputs["variables"].split() == [key, secret]
    assert outputs["source"] == ""
    assert "source-key" not in outputs
    result, outputs = run_step(named_steps[0], tmp_path, {"TT_ENV": "prod",
                                                          "PROMOTION_SOURCE": env})
    assert (outputs["source"], outputs["source-key"], outputs["source-secret"]) == (
        env, key, secret)
    assert outputs["variables"].split() == [*credential_variables("prod"), key, secret]


@pytest.mark.parametrize(("env", "source"), [("uat$(touch pwned)", ""), ("prod", "../uat"),
                                             ("", "")])
def test_a_name_that_is_no_folders_is_refused(tmp_path: Path, env: str, source: str) -> None:
    (_, _, step), *_ = [s for s in every_step() if s[2].get("name") == "Name the TT credentials"]
    result, outputs = run_step(step, tmp_path, {"TT_ENV": env, "PROMOTION_SOURCE": source})
    assert result.returncode == 1
    assert "::error title=ttconfig credentials::" in result.stdout
    assert outputs == {}
    assert not (tmp_path / "pwned").exists()


def credentials_step() -> Step:
    found = [step for name, _, step in every_step() if step.get("name") == "TT credentials"]
    assert len({str(step["run"]) for step in found}) == 1
    return named(plan_job(), "TT credentials")


def test_the_credentials_reach_the_job_masked_and_under_ttconfigs_names(tmp_path: Path) -> None:
    """For meridian-prod, promoted from meridian-uat: exactly its two secrets and its
    source's land in $GITHUB_ENV, each masked first, and no value is ever printed but in
    its ::add-mask:: command (whitespace around a value, a copy-paste's, is dropped)."""
    values = {"TT_MERIDIAN_PROD_APP_KEY": "prod-key-9f2c", "TT_MERIDIAN_PROD_APP_SECRET":
              "prod-secret-77aa\n", "TT_MERIDIAN_UAT_APP_KEY": "uat-key-31d0",
              "TT_MERIDIAN_UAT_APP_SECRET": "uat-secret-e4b1"}
    env = {"KEY_NAME": "TT_MERIDIAN_PROD_APP_KEY", "SECRET_NAME": "TT_MERIDIAN_PROD_APP_SECRET",
           "SOURCE_KEY_NAME": "TT_MERIDIAN_UAT_APP_KEY",
           "SOURCE_SECRET_NAME": "TT_MERIDIAN_UAT_APP_SECRET"}
    env |= {item.replace("_NAME", "_VALUE"): values[name] for item, name in env.items()}
    github_env = tmp_path / "github-env"
    result, _ = run_step(credentials_step(), tmp_path, {**env, "GITHUB_ENV": str(github_env)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert github_env.read_text().splitlines() == [
        f"{name}={value.strip()}" for name, value in values.items()]
    masks = [line for line in result.stdout.splitlines() if line.startswith("::add-mask::")]
    assert masks == [f"::add-mask::{value.strip()}" for value in values.values()]
    unmasked = "\n".join(line for line in result.stdout.splitlines() if line not in masks)
    for value in values.values():
        assert value.strip() not in unmasked + result.stderr


def test_a_job_without_its_secrets_fails_saying_which(tmp_path: Path) -> None:
    """A missing secret (or a caller without `secrets: inherit`) is an ::error:: naming it;
    a value with whitespace inside (it could add lines to $GITHUB_ENV) is refused; nothing
    reaches $GITHUB_ENV."""
    github_env = tmp_path / "github-env"
    env = {"GITHUB_ENV": str(github_env), "KEY_NAME": "TT_MERIDIAN_UAT_APP_KEY",
           "KEY_VALUE": "uat-key-31d0", "SECRET_NAME": "TT_MERIDIAN_UAT_APP_SECRET",
           "SECRET_VALUE": ""}
    result, _ = run_step(credentials_step(), tmp_path, env)
    assert result.returncode == 1
    assert ("::error title=ttconfig credentials::secret TT_MERIDIAN_UAT_APP_SECRET is not set"
            in result.stdout)
    assert "secrets: inherit" in result.stdout
    assert not github_env.exists()
    injected = {**env, "SECRET_VALUE": "s3cret\nLD_PRELOAD=/tmp/x.so"}
    result, _ = run_step(credentials_step(), tmp_path, injected)
    assert result.returncode == 1
    assert "TT_MERIDIAN_UAT_APP_SECRET has whitespace inside it" in result.stdout
    assert "LD_PRELOAD" not in result.stdout
    assert not github_env.exists()


def test_plan_plans_only_the_environments_the_caller_names(tmp_path: Path) -> None:
    base, head = environments_repo(tmp_path)
    step = named(jobs(load("plan"))["environments"], "Find the environment folders the PR changes")
    assert step["env"]["ENVIRONMENTS"] == "${{ inputs.environments }}"
    assert call_inputs("plan")["environments"]["default"] == ""  # every folder it changes
    for wanted, planned in (('["uat"]', '["uat"]'), ('["uat", "prod"]', '["prod","uat"]'),
                            ('["meridian-uat"]', "[]")):
        result, outputs = run_step(step, tmp_path, {"BASE_SHA": base, "HEAD_SHA": head,
                                                    "ENVIRONMENTS": wanted})
        assert result.returncode == 0, result.stderr
        assert outputs["envs"] == planned
    result, outputs = run_step(step, tmp_path, {"BASE_SHA": base, "HEAD_SHA": head,
                                                "ENVIRONMENTS": "uat,prod"})
    assert result.returncode == 1
    assert "::error title=environments::" in result.stdout


# --- apply -------------------------------------------------------------------------------


def test_every_apply_holds_its_environment_and_is_never_cancelled() -> None:
    applying = 0
    for name in NAMES:
        for job_id, job in jobs(load(name)).items():
            for step in steps(job):
                script = str(step.get("run", ""))
                if "ttconfig apply" not in script:
                    continue
                applying += 1
                assert '"plan-$TT_ENV.json"' in script, f"{name}.yml {job_id}"
                assert job["env"]["TT_ENV"] == "${{ matrix.env }}"
                concurrency = job.get("concurrency")
                assert isinstance(concurrency, dict), f"{name}.yml {job_id}: no concurrency"
                assert concurrency["group"] == "ttconfig-apply-${{ matrix.env }}"
                assert concurrency["cancel-in-progress"] is False
    assert applying == 2


def test_apply_runs_on_main_uat_first_then_prod_in_the_production_environment() -> None:
    """`first` applies the environments nothing is promoted to, `promoted` (after them) the
    others in the protected GitHub environment: by default uat, then prod in `production`
    (test_apply_finds_the_reviewed_plans_and_orders_them runs the sorting)."""
    workflow = load("apply")
    assert triggers(workflow)["push"] == {"branches": ["main"], "paths": ["environments/**"]}
    first, promoted = jobs(workflow)["first"], jobs(workflow)["promoted"]
    assert running(first, "ttconfig apply")["run"] == 'ttconfig apply "plan-$TT_ENV.json"'
    assert "ttconfig apply" in running(promoted, "ttconfig apply")["run"]
    assert promoted["environment"] == "${{ inputs.production-environment || 'production' }}"
    assert call_inputs("apply")["production-environment"]["default"] == "production"
    assert "environment" not in first
    assert "first" in promoted["needs"]
    assert "needs.first.result == 'success'" in promoted["if"]
    for job_id, job in (("first", first), ("promoted", promoted)):
        include = job["strategy"]["matrix"]["include"]
        assert include == f"${{{{ fromJSON(needs.reviewed.outputs.{job_id}) }}}}"
        assert job["strategy"]["fail-fast"] is False


def test_apply_downloads_the_plan_reviewed_on_the_merged_pr() -> None:
    workflow = load("apply")
    reviewed = jobs(workflow)["reviewed"]
    find = script_of(reviewed, "Find the merged PR and its reviewed plans")
    assert "listPullRequestsAssociatedWithCommit" in find
    assert "`plan-${env}-${pr.number}-${pr.head.sha}`" in find
    # No other workflow's artifact is trusted: plan.yml's, or the caller's that calls it.
    assert "run.path.split('@')[0] === process.env.PLAN_WORKFLOW" in find
    plan_workflow = named(reviewed, "Find the merged PR and its reviewed plans")["env"][
        "PLAN_WORKFLOW"]
    assert plan_workflow == "${{ inputs.plan-workflow || '.github/workflows/plan.yml' }}"
    assert call_inputs("apply")["plan-workflow"]["default"] == ".github/workflows/plan.yml"
    for job_id in ("first", "promoted"):
        download = named(jobs(workflow)[job_id], "Download the reviewed plan")["with"]
        assert download["run-id"] == "${{ matrix.run-id }}"
        assert download["name"] == "${{ matrix.artifact }}"


def test_apply_keeps_the_audit_logs_on_the_audit_branch_even_when_apply_fails() -> None:
    for job_id in ("first", "promoted"):
        job = jobs(load("apply"))[job_id]
        names = [step.get("name") for step in steps(job)]
        fetch, restore = names.index("Fetch the audit branch"), names.index(
            "Restore and verify the audit logs")
        assert fetch < restore < names.index("Apply the reviewed plan")
        assert "ttconfig audit restore" in named(job, "Restore and verify the audit logs")["run"]
        publish = named(job, "Publish the audit log to the audit branch")
        assert publish["if"] == "always()"
        assert publish["run"] == "ttconfig audit publish --push"
        assert job["permissions"]["contents"] == "write"
        upload = named(job, "Upload this run's audit records")
        assert upload["if"] == "always()"
        assert upload["with"]["path"] == ".ttconfig/audit/*.jsonl"
        assert upload["with"]["include-hidden-files"] is True  # .ttconfig is a hidden folder
        assert upload["with"]["name"] == "audit-log-${{ matrix.env }}"


def test_the_prod_gate_and_drift_read_the_audit_branch_never_the_prs_files() -> None:
    fetch = named(plan_job(), "Fetch the audit branch (promotion gate)")["run"]
    assert fetch.splitlines()[0] == "rm -rf .ttconfig"
    assert "refs/remotes/origin/ttconfig-audit" in fetch
    assert "refs/remotes/origin/ttconfig-audit" in named(drift_job(), "Fetch the audit branch")[
        "run"]


# --- plan --------------------------------------------------------------------------------


def plan_job() -> Job:
    return jobs(load("plan"))["plan"]


def test_plan_runs_on_pull_requests_that_touch_environments() -> None:
    workflow = load("plan")
    assert triggers(workflow)["pull_request"]["paths"] == ["environments/**"]
    assert "hotfix" in jobs(workflow)["environments"]["if"]


def test_plan_records_refusals_and_changes_without_failing_the_step(tmp_path: Path) -> None:
    step = named(plan_job(), "Plan")
    for code in (0, 2, 4, 5):
        result, outputs = run_step(step, tmp_path, {"TT_ENV": "prod"}, exit_code=code)
        assert result.returncode == 0, result.stderr
        assert outputs["exitcode"] == str(code)
    called = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()[-1]
    assert called == ("plan -e prod --format markdown --detailed-exitcode "
                      "--out plan-prod.json")


@pytest.mark.parametrize(("env", "hotfix", "expected"), [
    ("prod", "true", "plan -e prod --format markdown --detailed-exitcode --out plan-prod.json "
                     "--hotfix"),
    ("uat", "true", "plan -e uat --format markdown --detailed-exitcode --out plan-uat.json")])
def test_the_prod_plan_file_records_the_gate_read_with_uats_key(
        tmp_path: Path, env: str, hotfix: str, expected: str) -> None:
    job = plan_job()
    step = named(job, "Plan")
    assert step["env"]["PROMOTION_SOURCE"] == "${{ steps.names.outputs.source }}"
    assert step["env"]["TTCONFIG_AUDIT_KEY"] == "${{ secrets.TTCONFIG_AUDIT_KEY }}"
    # prod is promoted from uat: its job is handed UAT's credentials too (the gate reads UAT).
    names = named(job, "Name the TT credentials")
    assert names["env"]["PROMOTION_SOURCE"] == "${{ fromJSON(env.PROMOTIONS)[matrix.env] }}"
    source = json.loads(DEFAULT_PROMOTIONS).get(env, "")
    _, outputs = run_step(names, tmp_path, {"TT_ENV": env, "PROMOTION_SOURCE": source})
    expected_names = [f"TT_{env.upper()}_APP_KEY", f"TT_{env.upper()}_APP_SECRET"]
    if env == "prod":
        expected_names += ["TT_UAT_APP_KEY", "TT_UAT_APP_SECRET"]
    assert outputs["variables"].split() == expected_names
    run_step(step, tmp_path, {"TT_ENV": env, "HOTFIX": hotfix, "PROMOTION_SOURCE": source},
             exit_code=2)
    assert (tmp_path / "calls").read_text(encoding="utf-8").strip() == expected


@pytest.mark.parametrize(("hotfix", "expected"), [("true", "gate -e prod --hotfix"),
                                                  ("false", "gate -e prod")])
def test_plan_runs_the_gate_for_prod(tmp_path: Path, hotfix: str, expected: str) -> None:
    """For every environment promoted from another: prod, by the default `promotions`."""
    step = named(plan_job(), "Promotion gate")
    assert step["if"] == ("steps.names.outputs.source != '' "
                          "&& steps.validate.outputs.exitcode == '0'")
    assert step["env"]["HOTFIX"] == ("${{ contains(github.event.pull_request.labels.*.name, "
                                     "'hotfix') }}")
    assert json.loads(DEFAULT_PROMOTIONS) == {"prod": "uat"}
    result, outputs = run_step(step, tmp_path, {"TT_ENV": "prod", "HOTFIX": hotfix},
                               exit_code=4)
    assert result.returncode == 0, result.stderr
    assert outputs["exitcode"] == "4"
    assert (tmp_path / "calls").read_text(encoding="utf-8").strip() == expected


@pytest.mark.parametrize(("env", "validate", "plan", "gate", "fails"), [
    ("uat", "0", "0", "", False),
    ("uat", "0", "2", "", False),      # --detailed-exitcode: changes are not a failure
    ("uat", "0", "4", "", True),       # refused by the policy
    ("uat", "0", "5", "", True),
    ("uat", "3", "", "", True),        # invalid YAML: plan did not run
    ("prod", "0", "2", "0", False),
    ("prod", "0", "2", "4", True),     # the gate refused
    ("prod", "0", "0", "", True),      # the gate did not run
])
def test_plan_fails_the_job_on_refusals_after_the_comment(
        tmp_path: Path, env: str, validate: str, plan: str, gate: str, fails: bool) -> None:
    job = plan_job()
    names = [step.get("name") for step in steps(job)]
    fail = "Fail on an invalid config, a refusal or an error"
    assert names.index("Post or update the plan comment") < names.index(fail)
    assert named(job, "Post or update the plan comment")["if"] == "${{ !cancelled() }}"
    result, _ = run_step(named(job, fail), tmp_path, {
        "TT_ENV": env, "VALIDATE_EXIT": validate, "PLAN_EXIT": plan, "GATE_EXIT": gate,
        "PROMOTION_SOURCE": "uat" if env == "prod" else ""})
    assert (result.returncode != 0) == fails, result.stdout


def test_plan_uploads_only_a_plan_that_may_be_applied() -> None:
    upload = named(plan_job(), "Upload the reviewed plan")
    assert upload["with"]["name"] == ("plan-${{ matrix.env }}"
                                      "-${{ github.event.pull_request.number }}"
                                      "-${{ github.event.pull_request.head.sha }}")
    condition = " ".join(upload["if"].split())
    assert "steps.plan.outputs.exitcode == '0' || steps.plan.outputs.exitcode == '2'" in condition
    assert "steps.names.outputs.source == '' || steps.gate.outputs.exitcode == '0'" in condition


def environments_repo(tmp_path: Path) -> tuple[str, str]:
    """A git repository whose second commit changes prod and uat, deletes old and touches a
    file outside environments/: its two commits."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True,
                              text=True, env={**os.environ, "GIT_AUTHOR_NAME": "t",
                                              "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                                              "GIT_COMMITTER_EMAIL": "t@t"}).stdout.strip()

    for env in ("uat", "prod", "old"):
        (tmp_path / "environments" / env).mkdir(parents=True)
        (tmp_path / "environments" / env / "environment.yaml").write_text("a: 1\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD")
    (tmp_path / "environments" / "prod" / "accounts.yaml").write_text("[]\n")
    (tmp_path / "environments" / "uat" / "environment.yaml").write_text("a: 2\n")
    shutil.rmtree(tmp_path / "environments" / "old")
    (tmp_path / "README.md").write_text("not an environment\n")
    git("add", "-A")
    git("commit", "-q", "-m", "change")
    return base, git("rev-parse", "HEAD")


def test_plan_finds_the_environments_a_pull_request_changes(tmp_path: Path) -> None:
    base, head = environments_repo(tmp_path)
    step = named(jobs(load("plan"))["environments"], "Find the environment folders the PR changes")
    result, outputs = run_step(step, tmp_path, {"BASE_SHA": base, "HEAD_SHA": head})
    assert result.returncode == 0, result.stderr
    assert outputs["envs"] == '["prod","uat"]'


# --- drift -------------------------------------------------------------------------------


def drift_job() -> Job:
    return jobs(load("drift"))["drift"]


def test_drift_runs_on_a_schedule_for_uat_and_prod() -> None:
    workflow = load("drift")
    assert "schedule" in triggers(workflow)
    assert "workflow_dispatch" in triggers(workflow)
    # One job per environment: the caller's `environments`, or uat and prod.
    matrix = drift_job()["strategy"]["matrix"]["env"]
    assert matrix == "${{ fromJSON(inputs.environments || '[\"uat\",\"prod\"]') }}"
    assert json.loads(call_inputs("drift")["environments"]["default"]) == ["uat", "prod"]
    assert drift_job()["concurrency"]["group"] == "ttconfig-drift-${{ matrix.env }}"


@pytest.mark.parametrize(("code", "fails"), [(0, False), (2, False), (1, True), (3, True)])
def test_drift_treats_exit_2_as_drift_and_other_codes_as_errors(
        tmp_path: Path, code: int, fails: bool) -> None:
    job = drift_job()
    result, outputs = run_step(named(job, "Drift"), tmp_path, {"TT_ENV": "prod"}, exit_code=code)
    assert result.returncode == 0, result.stderr
    assert outputs["exitcode"] == str(code)
    called = (tmp_path / "calls").read_text(encoding="utf-8").strip()
    assert called == "drift -e prod --record --format markdown"  # (the gate's soak evidence)
    issue = named(job, "Open, update or close the drift issue")
    assert issue["if"] == ("steps.drift.outputs.exitcode == '0' || "
                           "steps.drift.outputs.exitcode == '2'")
    result, _ = run_step(named(job, "Fail on an error"), tmp_path,
                         {"TT_ENV": "prod", "DRIFT_EXIT": str(code)})
    assert (result.returncode != 0) == fails


@pytest.mark.parametrize("pushed", [0, 1])
def test_drift_appends_its_record_to_the_audit_branch_and_a_lost_race_only_warns(
        tmp_path: Path, pushed: int) -> None:
    """The recorded run reaches the audit branch, where the next gate reads it; a push that
    loses a race with an apply's leaves the job green (the next run records again)."""
    job = drift_job()
    assert "permissions" not in job
    assert load("drift")["permissions"]["contents"] == "write"
    publish = named(job, "Publish the audit log to the audit branch")
    assert publish["if"] == named(job, "Open, update or close the drift issue")["if"]
    assert publish["env"]["TTCONFIG_AUDIT_KEY"] == "${{ secrets.TTCONFIG_AUDIT_KEY }}"
    result, _ = run_step(publish, tmp_path, {"TT_ENV": "uat"}, exit_code=pushed)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calls").read_text(encoding="utf-8").strip() == "audit publish --push"
    assert ("::warning title=ttconfig drift uat::" in result.stdout) == bool(pushed)


# --- promote -----------------------------------------------------------------------------


def test_promote_follows_a_successful_apply_on_main() -> None:
    workflow = load("promote")
    assert triggers(workflow)["workflow_run"] == {"workflows": [load("apply")["name"]],
                                                  "types": ["completed"], "branches": ["main"]}
    assert "workflow_dispatch" in triggers(workflow)
    assert workflow["permissions"] == {}
    promotions, job = jobs(workflow)["promotions"], jobs(workflow)["promote"]
    assert "permissions" not in promotions  # it reads only its input
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "github.event.workflow_run.conclusion == 'success'" in promotions["if"]
    assert job["needs"] == "promotions"
    assert job["env"]["BRANCH"] == "ttconfig/promote-${{ matrix.from }}-to-${{ matrix.to }}"
    assert (job["env"]["FROM"], job["env"]["TO"]) == ("${{ matrix.from }}", "${{ matrix.to }}")
    assert job["concurrency"] == {"group": "ttconfig-promote-${{ matrix.to }}",
                                  "cancel-in-progress": False}
    scripts = "\n".join(str(step.get("run", "")) for step in steps(job))
    assert 'ttconfig promote --from "$FROM" --to "$TO" --format markdown' in scripts
    assert 'ttconfig promote --from "$FROM" --to "$TO" --write' in scripts
    assert 'git status --porcelain "environments/$TO"' in scripts
    assert "gh pr edit" in scripts
    assert "gh pr create" in scripts


@pytest.mark.parametrize(("promotions", "pairs"), [
    (DEFAULT_PROMOTIONS, [{"from": "uat", "to": "prod"}]),
    ('{"meridian-prod": "meridian-uat", "harbor-prod": "harbor-uat"}',
     [{"from": "meridian-uat", "to": "meridian-prod"},
      {"from": "harbor-uat", "to": "harbor-prod"}]),
    ("{}", [])])
def test_promote_opens_one_pr_per_promotion(tmp_path: Path, promotions: str,
                                            pairs: list[dict[str, str]]) -> None:
    workflow = load("promote")
    step = named(jobs(workflow)["promotions"], "One job per promotion")
    assert step["env"]["PROMOTIONS"] == f"${{{{ inputs.promotions || '{DEFAULT_PROMOTIONS}' }}}}"
    result, outputs = run_step(step, tmp_path, {"PROMOTIONS": promotions})
    assert result.returncode == 0, result.stderr
    assert json.loads(outputs["pairs"]) == pairs
    assert jobs(workflow)["promote"]["if"] == "needs.promotions.outputs.pairs != '[]'"
    for bad in ('["prod"]', '{"prod": "u at"}', '{"prod": "uat$(touch pwned)"}'):
        result, outputs = run_step(step, tmp_path, {"PROMOTIONS": bad})
        assert result.returncode != 0
        assert "::error title=promotions::" in result.stderr
        assert "pairs" not in outputs
    assert not (tmp_path / "pwned").exists()


def test_promote_proposes_the_pairs_environments(tmp_path: Path) -> None:
    job = jobs(load("promote"))["promote"]
    env = {"FROM": "meridian-uat", "TO": "meridian-prod"}
    result, _ = run_step(named(job, "What promoting would change"), tmp_path, env, exit_code=2)
    assert result.returncode == 0, result.stderr
    result, outputs = run_step(named(job, "Promote"), tmp_path, env, exit_code=0)
    assert result.returncode == 0, result.stderr
    assert outputs["changed"] == "false"  # the stand-in changes no file
    assert (tmp_path / "calls").read_text(encoding="utf-8").splitlines() == [
        "promote --from meridian-uat --to meridian-prod --format markdown",
        "promote --from meridian-uat --to meridian-prod --write"]


# --- the github-script steps, run under node ----------------------------------------------


def test_the_plan_comment_is_created_once_per_environment(tmp_path: Path) -> None:
    (tmp_path / "plan-prod.md").write_text("## ttconfig plan: prod (ext_prod_live)\n\nPlan: 1\n")
    (tmp_path / "gate.txt").write_text("gate: UAT has the change; soaked 30 h of 24 h\n")
    env = {"TT_ENV": "prod", "VALIDATE_EXIT": "0", "PLAN_EXIT": "2", "GATE_EXIT": "0",
           "HOTFIX": "false", "HEAD_SHA": "0123456789abcdef", "PROMOTION_SOURCE": "uat"}
    others = [{"id": 1, "user": {"type": "Bot"}, "body": "<!-- ttconfig-plan:uat -->\nuat"},
              {"id": 2, "user": {"type": "User"}, "body": "<!-- ttconfig-plan:prod --> quoted"}]
    calls = run_script(plan_comment(), tmp_path, env, {"comments": others})
    writes = [call for call in calls if call[0] in {"createComment", "updateComment"}]
    assert [call[0] for call in writes] == ["createComment"]
    body = writes[0][1]["body"]
    assert body.startswith("<!-- ttconfig-plan:prod -->")
    assert "## ttconfig plan: prod (ext_prod_live)" in body
    assert "### Promotion gate: passed" in body
    assert "artifact `plan-prod-7-0123456789abcdef`" in body

    mine = {"id": 3, "user": {"type": "Bot"}, "body": body}
    calls = run_script(plan_comment(), tmp_path, env, {"comments": [*others, mine]})
    writes = [call for call in calls if call[0] in {"createComment", "updateComment"}]
    assert [(call[0], call[1]["comment_id"]) for call in writes] == [("updateComment", 3)]


def test_a_refused_plan_comment_says_why_and_shows_no_secret(tmp_path: Path) -> None:
    (tmp_path / "plan-prod.md").write_text("## ttconfig plan: prod\n\nREFUSED bounds\n")
    (tmp_path / "plan-stderr.txt").write_text("Error: refused by policy; key s3cr3t-k3y\n")
    # The job's credentials are in the step's environment (the step "TT credentials" put
    # them there); REDACT names them.
    env = {"TT_ENV": "prod", "VALIDATE_EXIT": "0", "PLAN_EXIT": "4", "GATE_EXIT": "4",
           "HOTFIX": "true", "HEAD_SHA": "0123456789abcdef", "PROMOTION_SOURCE": "uat",
           "REDACT": "TT_PROD_APP_KEY TT_PROD_APP_SECRET", "TT_PROD_APP_SECRET": "s3cr3t-k3y"}
    step = named(plan_job(), "Post or update the plan comment")
    assert step["env"]["REDACT"] == "${{ steps.names.outputs.variables }}"
    calls = run_script(plan_comment(), tmp_path, env, {"comments": []})
    body = next(call[1]["body"] for call in calls if call[0] == "createComment")
    assert "blocked" in body
    assert "REFUSED bounds" in body
    assert "### Plan: refused by a safety policy (exit 4)" in body
    assert "### Promotion gate: refused (hotfix: soak time skipped)" in body
    assert "s3cr3t-k3y" not in body
    assert "artifact `" not in body


def test_drift_opens_updates_and_closes_one_issue_per_environment(tmp_path: Path) -> None:
    script = script_of(drift_job(), "Open, update or close the drift issue")
    (tmp_path / "drift.md").write_text("## Drift: prod\n\nHIGH live loosening\n")
    drift = {"TT_ENV": "prod", "DRIFT_EXIT": "2"}
    calls = run_script(script, tmp_path, drift, {"issues": [], "labels": []})
    assert [call[0] for call in calls] == ["listForRepo", "getLabel", "createLabel", "create"]
    assert calls[0][1]["labels"] == "drift"
    created = calls[-1][1]
    assert (created["title"], created["labels"]) == ("ttconfig drift: prod", ["drift"])

    other = {"number": 4, "title": "ttconfig drift: uat", "body": ""}
    issue = {"number": 5, "title": "ttconfig drift: prod", "body": created["body"]}
    calls = run_script(script, tmp_path, drift, {"issues": [other, issue], "labels": ["drift"]})
    assert [(call[0], call[1].get("issue_number")) for call in calls[1:]] == [("update", 5)]

    calls = run_script(script, tmp_path, {"TT_ENV": "prod", "DRIFT_EXIT": "0"},
                       {"issues": [other, issue]})
    assert [(call[0], call[1].get("issue_number"), call[1].get("state")) for call in calls[1:]] \
        == [("createComment", 5, None), ("update", 5, "closed")]

    calls = run_script(script, tmp_path, {"TT_ENV": "prod", "DRIFT_EXIT": "0"}, {"issues": [other]})
    assert [call[0] for call in calls] == ["listForRepo"]


def test_apply_finds_the_reviewed_plans_and_orders_them(tmp_path: Path) -> None:
    """The reviewed plan of each environment the push changes, from the plan workflow's
    pull_request run for the PR's head only; promoted environments to `promoted` (after
    `first`), environments the caller does not apply reported, not applied."""
    script = script_of(jobs(load("apply"))["reviewed"], "Find the merged PR and its reviewed plans")
    head = "0123456789abcdef"
    pr = {"number": 7, "merged_at": "2026-05-04T10:00:00Z", "base": {"ref": "main"},
          "merge_commit_sha": "f" * 40, "head": {"sha": head}}

    def artifact(run_id: int, created: str) -> dict[str, Any]:
        return {"workflow_run": {"id": run_id}, "created_at": created, "expired": False}

    def run(run_id: int, path: str, event: str = "pull_request") -> dict[str, Any]:
        return {"id": run_id, "path": path, "event": event, "head_sha": head,
                "html_url": f"https://github.example/runs/{run_id}"}

    state: dict[str, Any] = {"pulls": [pr], "artifacts": {
        f"plan-meridian-uat-7-{head}": [artifact(11, "2026-05-04T09:00:00Z")],
        f"plan-meridian-prod-7-{head}": [artifact(12, "2026-05-04T09:00:00Z"),
                                         artifact(13, "2026-05-04T09:30:00Z"),
                                         artifact(14, "2026-05-04T09:40:00Z")]},
        "runs": {"11": run(11, ".github/workflows/plan.yml@refs/pull/7/merge"),
                 "12": run(12, ".github/workflows/plan.yml"),
                 "13": run(13, ".github/workflows/other.yml"),  # newer, not the plan workflow
                 "14": run(14, ".github/workflows/plan.yml", event="push")}}
    env = {"ENVS": '["meridian-prod","meridian-uat","sandbox"]',
           "ENVIRONMENTS": '["meridian-uat","meridian-prod"]',
           "PROMOTIONS": '{"meridian-prod": "meridian-uat"}',
           "PLAN_WORKFLOW": ".github/workflows/plan.yml"}
    _, outcome = run_script_and_core(script, tmp_path, env, state)
    outputs = {name: value for kind, name, value, *_ in
               [o for o in outcome if o[0] == "setOutput"] for _ in [kind]}
    assert outputs["pr"] == "7"
    assert json.loads(outputs["first"]) == [
        {"env": "meridian-uat", "run-id": "11", "artifact": f"plan-meridian-uat-7-{head}"}]
    assert json.loads(outputs["promoted"]) == [
        {"env": "meridian-prod", "run-id": "12", "artifact": f"plan-meridian-prod-7-{head}"}]
    assert [o[1] for o in outcome if o[0] == "warning"] == [
        "environments/sandbox changed: this workflow applies only meridian-uat, meridian-prod"]
    assert not [o for o in outcome if o[0] == "setFailed"]

    # By default (and in this repository): uat first, then prod.
    state["artifacts"] = {f"plan-{env}-7-{head}": [artifact(21, "2026-05-04T09:00:00Z")]
                          for env in ("uat", "prod")}
    state["runs"] = {"21": run(21, ".github/workflows/plan.yml")}
    env = {"ENVS": '["prod","uat"]', "ENVIRONMENTS": '["uat","prod"]',
           "PROMOTIONS": DEFAULT_PROMOTIONS, "PLAN_WORKFLOW": ".github/workflows/plan.yml"}
    _, outcome = run_script_and_core(script, tmp_path, env, state)
    outputs = {o[1]: o[2] for o in outcome if o[0] == "setOutput"}
    assert [job["env"] for job in json.loads(outputs["first"])] == ["uat"]
    assert [job["env"] for job in json.loads(outputs["promoted"])] == ["prod"]

    # A changed environment without a reviewed plan: nothing is applied.
    del state["artifacts"][f"plan-prod-7-{head}"]
    _, outcome = run_script_and_core(script, tmp_path, env, state)
    (failed,) = [o[1] for o in outcome if o[0] == "setFailed"]
    assert failed.startswith("PR #7 changes prod but has no reviewed plan")


# --- harness -----------------------------------------------------------------------------


STUB = """#!/usr/bin/env bash
echo "$*" >> "$STUB_CALLS"
echo "ttconfig stand-in: $*"
exit "${STUB_EXIT:-0}"
"""


def run_step(step: Step, tmp_path: Path, env: dict[str, str], exit_code: int = 0,
             ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run a step's shell script as GitHub does, `ttconfig` exiting with `exit_code`."""
    stub = tmp_path / "bin" / "ttconfig"
    stub.parent.mkdir(exist_ok=True)
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    script = tmp_path / "step.sh"
    script.write_text(str(step["run"]), encoding="utf-8")
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    environ = {"PATH": f"{stub.parent}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
               "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
               "STUB_CALLS": str(tmp_path / "calls"), "STUB_EXIT": str(exit_code), **env}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            cwd=tmp_path, env=environ, capture_output=True, text=True,
                            timeout=60, check=False)
    lines = output.read_text(encoding="utf-8").splitlines()
    return result, dict(line.split("=", 1) for line in lines if "=" in line)


def plan_comment() -> str:
    return script_of(plan_job(), "Post or update the plan comment")


NODE_HARNESS = """
const fs = require('fs');
const [scriptFile, stateFile] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const calls = [];
const answers = {
  listComments: () => state.comments || [],
  listForRepo: () => state.issues || [],
  listPullRequestsAssociatedWithCommit: () => state.pulls || [],
  listArtifactsForRepo: (p) => (state.artifacts || {})[p.name] || [],
  getWorkflowRun: (p) => (state.runs || {})[String(p.run_id)],
  getLabel: (p) => {
    if ((state.labels || []).includes(p.name)) return { name: p.name };
    throw Object.assign(new Error('Not Found'), { status: 404 });
  },
  create: () => ({ number: 99 }),
};
const method = (name) => async (params) => {
  calls.push([name, params]);
  return { data: (answers[name] || (() => ({})))(params) };
};
const api = new Proxy({}, { get: (_, name) => method(name) });
const github = {
  paginate: async (fn, params) => (await fn(params)).data,
  rest: { issues: api, actions: api, repos: api },
};
const context = { repo: { owner: 'harbor', repo: 'risk' }, issue: { number: 7 }, runId: 42,
                  serverUrl: 'https://github.example', sha: 'f'.repeat(40) };
const outcome = [];
const core = new Proxy({}, { get: (_, name) => (...args) => { outcome.push([name, ...args]); } });
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptFile, 'utf8'))(
  require, github, context, core,
).then(() => console.log(JSON.stringify({ calls, outcome })),
       (e) => { console.error(e); process.exit(1); });
"""


def run_script(script: str, tmp_path: Path, env: dict[str, str], state: dict[str, Any],
               ) -> list[tuple[str, dict[str, Any]]]:
    """Run a github-script step under node; return the API calls it made, in order."""
    return run_script_and_core(script, tmp_path, env, state)[0]


def run_script_and_core(script: str, tmp_path: Path, env: dict[str, str], state: dict[str, Any],
                        ) -> tuple[list[tuple[str, dict[str, Any]]], list[list[Any]]]:
    """Run a github-script step under node: the API calls it made and what it told `core`
    (outputs, warnings, failures), each in order."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: github-script steps are JavaScript")
    (tmp_path / "harness.js").write_text(NODE_HARNESS, encoding="utf-8")
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    result = subprocess.run([node, "harness.js", "script.js", "state.json"], cwd=tmp_path,
                            env={"PATH": os.environ["PATH"], **env}, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    ran = json.loads(result.stdout)
    return [(name, params) for name, params in ran["calls"]], ran["outcome"]

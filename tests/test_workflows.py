"""The GitHub workflows of the review-and-promotion path (.github/workflows/).

actionlint checks them as GitHub would read them; the rest checks what users rely on, by
reading each workflow and by running its steps: the shell steps under bash as GitHub runs
them (`bash --noprofile --norc -eo pipefail`) with a stand-in `ttconfig` that exits with
the code under test, and the github-script steps under node with a recording stand-in for
GitHub's API.
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

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("apply", "ci", "drift", "nightly", "plan", "promote")
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
    for name, job_id, step in every_step():
        for variable, value in step.get("env", {}).items():
            if re.fullmatch(r"TT_(UAT|PROD)_APP_(KEY|SECRET)", variable):
                assert f"secrets.{variable}" in str(value), f"{name}.yml {job_id}: {variable}"


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


# --- apply -------------------------------------------------------------------------------


def test_every_apply_holds_its_environment_and_is_never_cancelled() -> None:
    applying = 0
    for name in NAMES:
        for job_id, job in jobs(load(name)).items():
            for step in steps(job):
                script = str(step.get("run", ""))
                match = re.search(r"plan-(\w+)\.json", script)
                if "ttconfig apply" not in script or match is None:
                    continue
                applying += 1
                concurrency = job.get("concurrency")
                assert isinstance(concurrency, dict), f"{name}.yml {job_id}: no concurrency"
                assert concurrency["group"] == f"ttconfig-apply-{match[1]}"
                assert concurrency["cancel-in-progress"] is False
    assert applying == 2


def test_apply_runs_on_main_uat_first_then_prod_in_the_production_environment() -> None:
    workflow = load("apply")
    assert triggers(workflow)["push"] == {"branches": ["main"], "paths": ["environments/**"]}
    uat, prod = jobs(workflow)["uat"], jobs(workflow)["prod"]
    assert "ttconfig apply plan-uat.json" in running(uat, "ttconfig apply")["run"]
    assert "plan-prod.json" in running(prod, "ttconfig apply")["run"]
    assert prod["environment"] == "production"
    assert "environment" not in uat
    assert "uat" in prod["needs"]
    assert "needs.uat.result == 'success'" in prod["if"]


def test_apply_downloads_the_plan_reviewed_on_the_merged_pr() -> None:
    workflow = load("apply")
    find = script_of(jobs(workflow)["reviewed"], "Find the merged PR and its reviewed plans")
    assert "listPullRequestsAssociatedWithCommit" in find
    assert "`plan-${env}-${pr.number}-${pr.head.sha}`" in find
    assert "'.github/workflows/plan.yml'" in find  # no other workflow's artifact is trusted
    for env in ("uat", "prod"):
        download = named(jobs(workflow)[env], "Download the reviewed plan")["with"]
        assert download["run-id"] == f"${{{{ needs.reviewed.outputs.{env}-run-id }}}}"
        assert download["name"] == f"${{{{ needs.reviewed.outputs.{env}-artifact }}}}"


def test_apply_keeps_the_audit_logs_on_the_audit_branch_even_when_apply_fails() -> None:
    for env in ("uat", "prod"):
        job = jobs(load("apply"))[env]
        names = [step.get("name") for step in steps(job)]
        fetch, restore = names.index("Fetch the audit branch"), names.index(
            "Restore and verify the audit logs")
        assert fetch < restore < names.index(f"Apply plan-{env}.json")
        assert "ttconfig audit restore" in named(job, "Restore and verify the audit logs")["run"]
        publish = named(job, "Publish the audit log to the audit branch")
        assert publish["if"] == "always()"
        assert publish["run"] == "ttconfig audit publish --push"
        assert job["permissions"]["contents"] == "write"
        upload = named(job, "Upload this run's audit records")
        assert upload["if"] == "always()"
        assert upload["with"]["path"] == ".ttconfig/audit/*.jsonl"
        assert upload["with"]["include-hidden-files"] is True  # .ttconfig is a hidden folder


def test_the_prod_gate_and_drift_read_the_audit_branch_never_the_prs_files() -> None:
    fetch = named(plan_job(), "Fetch the audit branch (prod gate)")["run"]
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
    step = named(plan_job(), "Plan")
    assert step["env"]["TT_UAT_APP_KEY"] == "${{ secrets.TT_UAT_APP_KEY }}"  # the gate reads UAT
    assert step["env"]["TTCONFIG_AUDIT_KEY"] == "${{ secrets.TTCONFIG_AUDIT_KEY }}"
    run_step(step, tmp_path, {"TT_ENV": env, "HOTFIX": hotfix}, exit_code=2)
    assert (tmp_path / "calls").read_text(encoding="utf-8").strip() == expected


@pytest.mark.parametrize(("hotfix", "expected"), [("true", "gate -e prod --hotfix"),
                                                  ("false", "gate -e prod")])
def test_plan_runs_the_gate_for_prod(tmp_path: Path, hotfix: str, expected: str) -> None:
    step = named(plan_job(), "Gate (prod)")
    assert step["if"] == "matrix.env == 'prod' && steps.validate.outputs.exitcode == '0'"
    assert step["env"]["HOTFIX"] == ("${{ contains(github.event.pull_request.labels.*.name, "
                                     "'hotfix') }}")
    result, outputs = run_step(step, tmp_path, {"HOTFIX": hotfix}, exit_code=4)
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
        "TT_ENV": env, "VALIDATE_EXIT": validate, "PLAN_EXIT": plan, "GATE_EXIT": gate})
    assert (result.returncode != 0) == fails, result.stdout


def test_plan_uploads_only_a_plan_that_may_be_applied() -> None:
    upload = named(plan_job(), "Upload the reviewed plan")
    assert upload["with"]["name"] == ("plan-${{ matrix.env }}"
                                      "-${{ github.event.pull_request.number }}"
                                      "-${{ github.event.pull_request.head.sha }}")
    condition = " ".join(upload["if"].split())
    assert "steps.plan.outputs.exitcode == '0' || steps.plan.outputs.exitcode == '2'" in condition
    assert "matrix.env != 'prod' || steps.gate.outputs.exitcode == '0'" in condition


def test_plan_finds_the_environments_a_pull_request_changes(tmp_path: Path) -> None:
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
    step = named(jobs(load("plan"))["environments"], "Find the environment folders the PR changes")
    result, outputs = run_step(step, tmp_path, {"BASE_SHA": base,
                                                "HEAD_SHA": git("rev-parse", "HEAD")})
    assert result.returncode == 0, result.stderr
    assert outputs["envs"] == '["prod","uat"]'


# --- drift -------------------------------------------------------------------------------


def drift_job() -> Job:
    return jobs(load("drift"))["drift"]


def test_drift_runs_on_a_schedule_for_uat_and_prod() -> None:
    workflow = load("drift")
    assert "schedule" in triggers(workflow)
    assert "workflow_dispatch" in triggers(workflow)
    assert drift_job()["strategy"]["matrix"]["env"] == ["uat", "prod"]


@pytest.mark.parametrize(("code", "fails"), [(0, False), (2, False), (1, True), (3, True)])
def test_drift_treats_exit_2_as_drift_and_other_codes_as_errors(
        tmp_path: Path, code: int, fails: bool) -> None:
    job = drift_job()
    result, outputs = run_step(named(job, "Drift"), tmp_path, {"TT_ENV": "prod"}, exit_code=code)
    assert result.returncode == 0, result.stderr
    assert outputs["exitcode"] == str(code)
    called = (tmp_path / "calls").read_text(encoding="utf-8").strip()
    assert called == "drift -e prod --format markdown"
    issue = named(job, "Open, update or close the drift issue")
    assert issue["if"] == ("steps.drift.outputs.exitcode == '0' || "
                           "steps.drift.outputs.exitcode == '2'")
    result, _ = run_step(named(job, "Fail on an error"), tmp_path,
                         {"TT_ENV": "prod", "DRIFT_EXIT": str(code)})
    assert (result.returncode != 0) == fails


# --- promote -----------------------------------------------------------------------------


def test_promote_follows_a_successful_apply_on_main() -> None:
    workflow = load("promote")
    assert triggers(workflow)["workflow_run"] == {"workflows": [load("apply")["name"]],
                                                  "types": ["completed"], "branches": ["main"]}
    assert "workflow_dispatch" in triggers(workflow)
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    job = jobs(workflow)["promote"]
    assert "github.event.workflow_run.conclusion == 'success'" in job["if"]
    assert job["env"]["BRANCH"] == "ttconfig/promote-uat-to-prod"
    scripts = "\n".join(str(step.get("run", "")) for step in steps(job))
    assert "ttconfig promote --from uat --to prod --format markdown" in scripts
    assert "ttconfig promote --from uat --to prod --write" in scripts
    assert "git status --porcelain environments/prod" in scripts
    assert "gh pr edit" in scripts
    assert "gh pr create" in scripts


# --- the github-script steps, run under node ----------------------------------------------


def test_the_plan_comment_is_created_once_per_environment(tmp_path: Path) -> None:
    (tmp_path / "plan-prod.md").write_text("## ttconfig plan: prod (ext_prod_live)\n\nPlan: 1\n")
    (tmp_path / "gate.txt").write_text("gate: UAT has the change; soaked 30 h of 24 h\n")
    env = {"TT_ENV": "prod", "VALIDATE_EXIT": "0", "PLAN_EXIT": "2", "GATE_EXIT": "0",
           "HOTFIX": "false", "HEAD_SHA": "0123456789abcdef"}
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
    env = {"TT_ENV": "prod", "VALIDATE_EXIT": "0", "PLAN_EXIT": "4", "GATE_EXIT": "4",
           "HOTFIX": "true", "HEAD_SHA": "0123456789abcdef", "REDACT_4": "s3cr3t-k3y"}
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
const core = new Proxy({}, { get: () => () => {} });
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptFile, 'utf8'))(
  require, github, context, core,
).then(() => console.log(JSON.stringify(calls)), (e) => { console.error(e); process.exit(1); });
"""


def run_script(script: str, tmp_path: Path, env: dict[str, str], state: dict[str, Any],
               ) -> list[tuple[str, dict[str, Any]]]:
    """Run a github-script step under node; return the API calls it made, in order."""
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
    return [(name, params) for name, params in json.loads(result.stdout)]

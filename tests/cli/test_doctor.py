"""`ttconfig doctor` ([I] 4): read-only checks of a TT before it is trusted. It passes on the
sandbox; against a TT whose answers differ (a loopback server replaying the sandbox's own
captured answers, changed) it names each difference and exits 1."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import TTConfig, fast_settings, output
from tests.tt.hostile import KEY, SECRET, TOKEN, Answer, HostileServer, Request, ok
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.tt.shapes import EXPECTED, expected_for, template


def test_doctor_passes_on_the_sandbox_reads_every_endpoint_and_writes_nothing(
        demo: Path, ttconfig: TTConfig) -> None:
    result = ttconfig("doctor", "-e", "uat", "--sandbox", "--usage-plan", "high",
                      "--capture", "capture")
    shown = output(result)
    assert result.exit_code == 0, shown
    for line in ("credentials", "token", "company", "usage plan",
                 *expected_for("account-users")):
        assert any(row.startswith(f"│ {line} ") and " ok " in row
                   for row in result.stdout.splitlines()), (line, shown)
    assert "Everything ttconfig needs is as expected" in result.stdout
    assert "nothing written" in result.stdout
    captured = sorted(p.name for p in (demo / "capture").iterdir())
    assert len(captured) == len(expected_for("account-users")) == len(EXPECTED) - 1
    token = json.loads((demo / "capture" / "ttid_env_token.json").read_text())
    assert token["answer"]["access_token"] == "[redacted]"
    kept = sorted(p.name for p in (demo / ".ttconfig" / "sandbox" / "audit").iterdir())
    assert [name.split("-")[0] for name in kept] == ["quota"], kept  # its requests, no log


def test_doctor_reports_as_json_and_markdown_too(demo: Path, ttconfig: TTConfig) -> None:
    target = ("doctor", "-e", "uat", "--sandbox", "--usage-plan", "high")
    as_json = ttconfig(*target, "--format", "json")
    assert as_json.exit_code == 0, output(as_json)
    data = json.loads(as_json.stdout)
    assert (data["environment"], data["tt_environment"], data["healthy"]) == (
        "uat", "ext_uat_cert", True)
    checks = {check["name"]: check for check in data["checks"]}
    assert {"credentials", "token", "company", "usage plan",
            *expected_for("account-users")} <= set(checks)
    assert {check["verdict"] for check in data["checks"]} <= {"ok", "warn"}
    assert checks["credentials"]["verdict"] == "ok"
    assert checks["credentials"]["detail"]
    assert (data["requests"] > 0, data["captured"]) == (True, None)
    assert data["summary"].startswith("Everything ttconfig needs is as expected")
    markdown = ttconfig(*target, "--format", "markdown")
    assert markdown.exit_code == 0, output(markdown)
    lines = markdown.stdout.splitlines()
    assert lines[0] == "## ttconfig doctor: uat (ext_uat_cert)"
    assert "| check | verdict | detail |" in lines
    assert any(line.startswith("| credentials | ok | ") for line in lines), lines
    assert lines[-1].startswith("Everything ttconfig needs is as expected")


def test_an_unhealthy_doctor_exits_1_in_every_format(demo: Path) -> None:
    for fmt in ("json", "markdown"):
        result = TTConfig({})("doctor", "-e", "prod", "--format", fmt)
        assert result.exit_code == 1, output(result)
    data = json.loads(TTConfig({})("doctor", "-e", "prod", "--format", "json").stdout)
    assert data["healthy"] is False
    (credentials,) = [c for c in data["checks"] if c["name"] == "credentials"]
    assert credentials["verdict"] == "FAIL"
    assert "TT_PROD_APP_KEY and TT_PROD_APP_SECRET" in credentials["detail"]
    assert "ttconfig is not ready for this TT yet" in data["summary"]


def _replaying(answers: dict[str, dict[str, Any]]) -> Any:
    def behaviour(request: Request) -> Answer:
        path = urllib.parse.urlsplit(request.target).path
        body = answers.get(template(path))
        return ok(body) if body is not None else Answer(404, {}, [b'{"status": "Failed"}'])
    return behaviour


def test_doctor_names_each_difference_from_what_ttconfig_expects(
        demo: Path, ttconfig: TTConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one line per check, for reading the table here
    assert ttconfig("doctor", "-e", "uat", "--sandbox", "--usage-plan", "high",
                    "--capture", "capture").exit_code == 0
    answers = {}
    for file in (demo / "capture").iterdir():
        captured = json.loads(file.read_text())
        answers[captured["request"].split(" ", 1)[1]] = {
            k: v for k, v in captured["answer"].items() if k != "status"}
    answers["/ttpds/{env}/markets"]["markets"][0]["timeZone"] = "America/Chicago"  # unknown
    restrictions = answers["/ttaccount/{env}/account/{id}/restrictions"]["restrictions"][0]
    restrictions["placeOrders"] = "yes"  # a type ttconfig does not read as a flag
    del answers["/ttuser/{env}/user/{id}"]["user"][0]["settings"]  # missing
    limits = answers["/ttaccount/{env}/account/{id}/limits"]["accountLimits"][0]["riskLimits"]
    limits["productLimits"].append({**limits["productLimits"][0], "productId": None,
                                    "productFamilyId": 12})

    with HostileServer(_replaying(answers)) as server:
        result = TTConfig({"TT_UAT_APP_KEY": KEY, "TT_UAT_APP_SECRET": SECRET})(
            "doctor", "-e", "uat", "--base-url", server.base_url, "--usage-plan", "high")
    shown = output(result)
    assert result.exit_code == 1, shown
    rows = " ".join(line.strip("│ ") for line in result.stdout.splitlines())
    rows = " ".join(rows.split())
    assert "/ttpds/{env}/markets │ warn │ as expected, and keys ttconfig does not read: " \
           "markets[].timeZone" in rows, rows
    assert "restrictions[].placeOrders: str, not bool" in rows
    assert "FAIL" in rows
    assert "user[].settings: missing" in rows
    assert "ttconfig is not ready for this TT yet" in rows
    for secret in (KEY, SECRET, TOKEN):
        assert secret not in shown


def test_doctor_without_credentials_says_which_are_missing(demo: Path) -> None:
    result = TTConfig({})("doctor", "-e", "prod")
    assert result.exit_code == 1, output(result)
    assert "credentials" in result.stdout
    assert "set TT_PROD_APP_KEY and TT_PROD_APP_SECRET" in " ".join(result.stdout.split())


def test_doctor_with_the_other_wire_profile_names_what_this_tt_does_not_serve(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A TT serving links as `account/{id}/users` (profile A), tried with profile B before
    environment.yaml is changed: the link read fails, by name; everything else holds."""
    monkeypatch.setenv("COLUMNS", "300")
    with Sandbox(settings=fast_settings("high")) as sandbox:
        key, secret = sandbox.credentials("ext_uat_cert")
        result = TTConfig({"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret})(
            "doctor", "-e", "uat", "--base-url", sandbox.base_url, "--usage-plan", "high",
            "--profile", "links=accountusers")
    assert result.exit_code == 1, output(result)
    failed = [" ".join(line.split()) for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(failed) == 1, failed
    assert failed[0].startswith("│ /ttaccount/{env}/accountusers │ FAIL │")
    assert "HTTP 404" in failed[0]
    assert "/ttaccount/{env}/account/{id}/users" not in result.stdout  # (profile A's read)


SCRATCH = "scratch: {account: HPT-UAT-TEST, user: uat-tester01@harborpoint.example}\n"


def _scratch_state(sandbox: Sandbox) -> Any:
    """What the probe may touch on the scratch account, without revisions (a write bumps
    them, and undoing it bumps them again)."""
    env = sandbox.store.envs["ext_uat_cert"]
    account = next(a["id"] for a in env.accounts.values() if a["name"] == "HPT-UAT-TEST")
    limits = env.account_limits[account]
    return (sorted(json.dumps(r, sort_keys=True) for table in ("productLimits",
                                                               "contractLimits")
                   for r in limits[table]),
            {k: v for k, v in env.restrictions[account].items() if k != "revision"},
            sorted(env.account_users.get(account, {})),
            sorted(json.dumps({k: v for k, v in d.items() if k != "id"}, sort_keys=True)
                   for d in env.order_tag_defaults.values() if d.get("accountId") == account))


@pytest.mark.parametrize("profile", ["links=account-users", "links=accountusers"])
def test_the_write_probe_writes_and_undoes_one_write_of_each_kind(
        demo: Path, monkeypatch: pytest.MonkeyPatch, profile: str) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    environment = demo / "environments" / "uat" / "environment.yaml"
    environment.write_text(environment.read_text() + SCRATCH)
    settings = fast_settings("high")
    settings.links_profile = profile.partition("=")[2]
    with Sandbox(settings=settings) as sandbox:
        before = _scratch_state(sandbox)
        key, secret = sandbox.credentials("ext_uat_cert")
        result = TTConfig({"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret})(
            "doctor", "-e", "uat", "--base-url", sandbox.base_url, "--usage-plan", "high",
            "--profile", profile, "--write-probe", "hpt-uat-test")
        written = [w for w in sandbox.writes() if w["source"] != "ui"]
        assert _scratch_state(sandbox) == before, "every probe write undone"
    assert result.exit_code == 0, output(result)
    probes = [" ".join(line.split()) for line in result.stdout.splitlines()
              if "write probe" in line]
    assert [p.split(" │ ")[1] for p in probes] == ["ok"] * 4, probes
    assert len(written) == 2 + 2 + 2 + 2  # each kind: one write, one undo
    assert "each probe write undone" in result.stdout


def test_the_write_probe_refuses_production_and_any_other_account(demo: Path) -> None:
    for folder in ("uat", "prod"):
        environment = demo / "environments" / folder / "environment.yaml"
        environment.write_text(environment.read_text() + SCRATCH)
    cases = [("prod", "HPT-UAT-TEST", "never in a production TT environment"),
             ("uat", "HPT-PROP", "--write-probe HPT-PROP: not the scratch account")]
    for folder, account, said in cases:
        result = TTConfig({})("doctor", "-e", folder, "--sandbox", "--write-probe", account)
        assert result.exit_code == 64, output(result)
        assert said in result.stderr
    assert not (demo / ".ttconfig").exists(), "refused before anything was read"


def test_the_rate_probe_finds_a_key_whose_real_plan_is_lower_than_declared(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    # the key's real plan: medium, 10 requests a second; environment.yaml declares high
    with Sandbox(settings=SandboxSettings(usage_plan_override="medium")) as sandbox:
        key, secret = sandbox.credentials("ext_uat_cert")
        result = TTConfig({"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret})(
            "doctor", "-e", "uat", "--base-url", sandbox.base_url, "--probe-rate")
    assert result.exit_code == 1, output(result)
    row = next(" ".join(line.split()) for line in result.stdout.splitlines()
               if "usage plan (probed)" in line)
    assert "│ FAIL │ high (25/s):" in row
    assert "the key's real plan is lower than the declared 'high'" in row
    refused = TTConfig({})("doctor", "-e", "prod", "--sandbox", "--probe-rate")
    assert refused.exit_code == 64
    assert "UAT only (ext_uat_cert), never ext_prod_live" in refused.stderr


def test_a_capture_folder_that_cannot_be_made_is_a_usage_error(demo: Path,
                                                               ttconfig: TTConfig) -> None:
    (demo / "a-file").write_text("")
    result = ttconfig("doctor", "-e", "uat", "--sandbox", "--usage-plan", "high",
                      "--capture", "a-file/capture")
    assert result.exit_code == 64, output(result)
    assert "--capture a-file/capture:" in result.stderr
    assert "Traceback" not in output(result)

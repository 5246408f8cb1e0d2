"""plan and apply through the command line, on the demo firm (safety: test_safety.py)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.cli.harness import TTConfig, output
from tests.conftest import UAT_LOG
from ttconfig.runs.audit import AuditLog, verify
from ttconfig.runs.lock import EnvironmentLock
from ttconfig.runs.planfile import _canonical


def test_plan_apply_plan(demo: Path, ttconfig: TTConfig) -> None:
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    assert ttconfig("plan", "--detailed-exitcode", *target).exit_code == 2
    applied = ttconfig("apply", "--auto-approve", *target)
    assert applied.exit_code == 0, applied.stderr
    assert "Applied 6 of 6 requests" in applied.stdout
    assert "Verifying: reading back what the apply wrote to…" in applied.stderr, \
        "the closing read-back is labelled while it runs"
    after = ttconfig("plan", "--detailed-exitcode", *target)
    assert after.exit_code == 0, after.stdout
    assert "No changes" in after.stdout
    assert verify(demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG).records == 12


def test_a_wire_profile_in_environment_yaml_is_what_client_and_sandbox_speak(
        demo: Path, ttconfig: TTConfig) -> None:
    """One line of environment.yaml switches the link endpoints; a rehearsal's sandbox serves
    the same profile, so the demo's link changes go through `accountusers` and converge."""
    environment = demo / "environments" / "uat" / "environment.yaml"
    environment.write_text(environment.read_text() + "wire_profile: {links: accountusers}\n")
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    applied = ttconfig("apply", "--auto-approve", *target)
    assert applied.exit_code == 0, output(applied)
    records = [json.loads(line) for line in
               (demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG).read_text().splitlines()]
    paths = {r["path"] for r in records if r["event"] == "outcome"}
    assert "/ttaccount/ext_uat_cert/accountusers" in paths, paths
    assert not any(p.endswith("/users") for p in paths), paths
    assert ttconfig("plan", "--detailed-exitcode", *target).exit_code == 0


def test_another_companys_key_is_refused_before_reading_the_firm(demo: Path,
                                                                  ttconfig: TTConfig) -> None:
    environment = demo / "environments" / "prod" / "environment.yaml"
    environment.write_text(environment.read_text().replace("Harbor Point Trading",
                                                           "Meridian Futures"))
    result = ttconfig("plan", "-e", "prod", "--sandbox")
    assert result.exit_code == 1, output(result)
    assert "belongs to company 'Harbor Point Trading'" in result.stderr
    assert "Traceback" not in result.stderr


def test_apply_without_a_terminal_asks_for_auto_approve_and_writes_nothing(
        demo: Path, ttconfig: TTConfig) -> None:
    result = ttconfig("apply", "-e", "uat", "--sandbox", "--usage-plan", "high")
    assert result.exit_code == 64
    assert "without a terminal pass --auto-approve" in result.stderr
    assert not (demo / ".ttconfig" / "sandbox" / "audit").exists()


def test_a_target_with_a_typo_exits_64_naming_it_not_no_changes(demo: Path,
                                                                  ttconfig: TTConfig) -> None:
    for command in (("plan",), ("apply", "--auto-approve")):
        result = ttconfig(*command, "-e", "uat", "--sandbox", "--usage-plan", "high",
                          "--target", "accounts:HPT-PROP-ENRGY")
        assert result.exit_code == 64, output(result)
        assert "--target accounts:HPT-PROP-ENRGY: no accounts by that name" in result.stderr
        assert "did you mean HPT-PROP-ENERGY" in result.stderr
        assert "No changes" not in result.stdout
        assert "Traceback" not in result.stderr
    assert not (demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG).exists()


def test_links_star_applies_only_the_links_and_leaves_the_rest_for_later(
        demo: Path, ttconfig: TTConfig) -> None:
    """`--target links:*`, as the kind vocabulary promises: one TT request for the one link
    whose user exists; the limits and the new user stay planned for the next run."""
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    waits = ttconfig("plan", *target, "--target", "links:*noah*")
    assert waits.exit_code == 0, output(waits)
    assert "No changes in what --target 'links:*noah*' selects: live TT matches the YAML " \
        "there." in waits.stdout
    assert "--target users:noah.berg@harborpoint.example to write it too" in waits.stdout
    applied = ttconfig("apply", "--auto-approve", *target, "--target", "links:*")
    assert applied.exit_code == 0, output(applied)
    assert "Applied 1 of 1 request." in applied.stdout, applied.stdout
    rest = ttconfig("plan", *target, "--format", "json")
    assert sorted((c["kind"], c["key"]) for c in json.loads(rest.stdout)["changes"]) == [
        ("accounts", "HPT-PROP-ENERGY"), ("accounts", "HPT-PROP-RATES"),
        ("links", "HPT-PROP-RATES ↔ noah.berg@harborpoint.example"),
        ("product_margins", "CME SR3 future"), ("users", "noah.berg@harborpoint.example")]


def test_a_product_tt_does_not_list_is_refused_at_its_line_before_any_write(
        demo: Path, ttconfig: TTConfig) -> None:
    """It used to pass validate and plan, then stop apply half-way with no summary."""
    accounts = demo / "environments" / "uat" / "accounts.yaml"
    text = accounts.read_text()
    at = text.index("product: ZN", text.index("- name: HPT-PROP-RATES"))
    accounts.write_text(text[:at] + "product: ZNN" + text[at + len("product: ZN"):])
    line = text.count("\n", 0, at) + 1
    column = at - text.rindex("\n", 0, at)
    for command in (("plan",), ("apply", "--auto-approve")):
        result = ttconfig(*command, "-e", "uat", "--sandbox", "--usage-plan", "high")
        assert result.exit_code == 3, output(result)
        assert (f"environments/uat/accounts.yaml:{line}:{column}: CME has no future product "
                "'ZNN'; did you mean ZN?") in result.stderr
        assert "Traceback" not in result.stderr
    assert not (demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG).exists()


def test_a_folder_pointed_at_another_folders_tt_environment_writes_nothing(
        demo: Path, ttconfig: TTConfig) -> None:
    """uat/environment.yaml edited to production's TT environment made 28 writes to
    production under UAT's policy, lock and audit log. Now both folders refuse to run."""
    uat = demo / "environments" / "uat" / "environment.yaml"
    text = uat.read_text()
    uat.write_text(text.replace("tt_environment: ext_uat_cert", "tt_environment: ext_prod_live")
                   .replace("TT_UAT_", "TT_PROD_"))
    line = text[:text.index("tt_environment:")].count("\n") + 1
    for command in (("validate",), ("plan", "--sandbox"),
                    ("apply", "--sandbox", "--auto-approve")):
        result = ttconfig(*command, "-e", "uat")
        assert result.exit_code == 3, output(result)
        assert (f"environments/uat/environment.yaml:{line}:1: ext_prod_live for Harbor Point "
                "Trading is also the environment of environments/prod/environment.yaml"
                ) in result.stderr
        assert "Traceback" not in result.stderr
    refused = ttconfig("plan", "-e", "prod", "--sandbox")
    assert refused.exit_code == 3, output(refused)
    assert "is also the environment of environments/uat/environment.yaml" in refused.stderr
    assert not (demo / ".ttconfig" / "sandbox" / "audit").exists() or not any(
        (demo / ".ttconfig" / "sandbox" / "audit").iterdir())


def test_apply_refuses_to_append_to_an_audit_log_that_does_not_verify(
        demo: Path, ttconfig: TTConfig) -> None:
    path = demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG
    log = AuditLog(path, {"environment": "uat"})
    for event in ("intent", "outcome", "intent", "outcome"):
        log.append(event)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2]))  # the last apply's records cut off
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    result = ttconfig("apply", "--auto-approve", *target)
    assert result.exit_code == 1, output(result)
    assert f"{UAT_LOG}:3: the audit log's chain is broken (the log has 2 records, but its " \
           "head says 4" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text() == "".join(lines[:2])
    assert ttconfig("plan", "--detailed-exitcode", *target).exit_code == 2, "nothing written"


def test_a_write_killed_before_its_outcome_is_reported_then_recovered(
        demo: Path, ttconfig: TTConfig) -> None:
    """kill -9 after a write landed and before its outcome was recorded: plan, drift and
    audit verify say so; the next apply settles it from its fresh read (the gate counts a
    recovered write as applied) and applies the rest."""
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    first = ttconfig("apply", "--auto-approve", *target, "--target", "accounts:HPT-PROP-ENERGY")
    assert first.exit_code == 0, output(first)
    path = demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG
    intent = next(r for r in map(json.loads, path.read_text().splitlines())
                  if r["event"] == "intent")
    path.unlink()
    Path(f"{path}.head").unlink()
    log = AuditLog(path, {})
    log.append("intent", **{k: v for k, v in intent.items()
                            if k not in ("time", "event", "prev_hash", "hash")})
    said = (f"Unfinished apply: 1 write in .ttconfig/sandbox/audit/{UAT_LOG} may or may not "
            "have landed")
    what = "upsert limit rows HPT-PROP-ENERGY"
    for command in (("plan", *target), ("drift", "--record", *target)):
        result = ttconfig(*command)
        assert said in result.stderr, output(result)
        assert what in result.stderr
        assert "no outcome recorded: the apply was killed" in result.stderr
    verified = ttconfig("audit", "verify", str(path))
    assert said.replace(f".ttconfig/sandbox/audit/{UAT_LOG}", str(path)) in verified.stdout
    applied = ttconfig("apply", "--auto-approve", *target)
    assert applied.exit_code == 0, output(applied)
    assert f"Recovered from an unfinished apply: {what}" in applied.stderr
    assert "Applied 5 of 5 requests" in applied.stdout
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["event"] for r in records[:3]] == ["intent", "observed", "outcome"]  # (drift's)
    assert (records[2]["intent"], records[2]["outcome"]) == (records[0]["hash"], "applied")
    assert records[2]["recovered_by"] == "read back before the next apply"
    after = ttconfig("plan", *target)
    assert "Unfinished apply" not in after.stderr


def test_a_sandbox_plan_file_applies_only_to_the_sandbox_and_its_audit_lives_apart(
        demo: Path, ttconfig: TTConfig) -> None:
    """`plan --out` under --sandbox printed `ttconfig apply plan.json`, which goes to real
    TT when credentials are set; and rehearsals logged to UAT's real audit log."""
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    saved = ttconfig("plan", *target, "--out", "plan.json")
    assert saved.exit_code == 0, output(saved)
    assert "Apply exactly this with: ttconfig apply plan.json --sandbox" in saved.stderr
    assert json.loads((demo / "plan.json").read_text())["target"] == "sandbox"
    for elsewhere in ((), ("--base-url", "https://tt.example")):
        refused = ttconfig("apply", "plan.json", *elsewhere)
        assert refused.exit_code == 5, output(refused)
        assert "plan.json was planned against sandbox; this apply would go to" in refused.stderr
    applied = ttconfig("apply", "plan.json", "--sandbox", "--usage-plan", "high")
    assert applied.exit_code == 0, output(applied)
    sandbox_log = demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG
    assert {json.loads(line)["target"] for line in sandbox_log.read_text().splitlines()} == {
        "sandbox"}
    assert not (demo / ".ttconfig" / "audit").exists(), "real TT's audit log untouched"


def test_a_rehearsals_lock_says_how_to_break_it_and_unlock_sandbox_does(
        demo: Path, ttconfig: TTConfig) -> None:
    locks = demo / ".ttconfig" / "sandbox" / "locks"
    holder = EnvironmentLock(locks, UAT_LOG.removesuffix(".jsonl")).acquire(plan=None)
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    held = ttconfig("apply", "--auto-approve", *target)
    assert held.exit_code == 5, output(held)
    assert f"ttconfig unlock -e uat --sandbox --id {holder.id}" in held.stderr
    assert ttconfig("unlock", "-e", "uat", "--id", holder.id).exit_code == 64  # (real TT's)
    broken = ttconfig("unlock", "-e", "uat", "--sandbox", "--id", holder.id)
    assert broken.exit_code == 0, output(broken)
    assert ttconfig("apply", "--auto-approve", *target).exit_code == 0


def test_show_renders_a_saved_plan_as_it_was_planned_and_refuses_an_edited_one(
        demo: Path, ttconfig: TTConfig) -> None:
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    planned = {fmt: ttconfig("plan", *target, "--format", fmt).stdout
               for fmt in ("text", "markdown")}
    saved = ttconfig("plan", *target, "--out", "plan.json")
    assert saved.exit_code == 0, output(saved)
    for fmt, text in planned.items():
        shown = ttconfig("show", "plan.json", "--format", fmt)
        assert shown.exit_code == 0, output(shown)
        assert shown.stdout == text, fmt
    assert "plan.json: planned " in ttconfig("show", "plan.json").stderr
    document = json.loads((demo / "plan.json").read_text())
    data = json.loads(ttconfig("show", "plan.json", "--format", "json").stdout)
    assert data["checksum"] == document["checksum"]
    assert data["changes"] == document["plan"]["changes"]

    document["tool"] = "ttconfig 0.0.9"  # an older ttconfig's plan: shown, not applied
    body = {k: v for k, v in document.items() if k != "file_checksum"}
    document["file_checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
    (demo / "old.json").write_text(json.dumps(document))
    assert ttconfig("show", "old.json").stdout == planned["text"]
    assert ttconfig("apply", "old.json", *target).exit_code == 5

    document["plan"]["changes"][0]["fields"][0]["new"] = 999_999
    body = {k: v for k, v in document.items() if k != "file_checksum"}
    document["file_checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
    (demo / "edited.json").write_text(json.dumps(document))
    edited = ttconfig("show", "edited.json")
    assert edited.exit_code == 5
    assert "does not match its checksum" in edited.stderr


def test_apply_reports_how_it_ended_as_json(demo: Path, ttconfig: TTConfig) -> None:
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    for output_format in ("json", "markdown"):  # (a report with no plan shown: refused)
        blind = ttconfig("apply", *target, "--format", output_format)
        assert blind.exit_code == 64
        assert "shows no plan to confirm" in blind.stderr
    applied = ttconfig("apply", *target, "--auto-approve", "--format", "json")
    assert applied.exit_code == 0, output(applied)
    result = json.loads(applied.stdout)
    assert (result["outcome"], result["exit_code"], result["failure"]) == ("applied", 0, None)
    assert [s["operation"] for s in result["applied"]][:1] == ["create user"]
    assert (len(result["applied"]), result["not_applied"], result["diverged"]) == (6, [], [])
    assert (result["environment"], result["tt_environment"]) == ("uat", "ext_uat_cert")
    audited = {r["request_id"] for r in map(json.loads, (demo / result["audit_log"]).read_text(
        ).splitlines()) if r.get("event") == "outcome"}
    assert [r["outcome"] for r in result["requests"]] == ["applied"] * 6
    assert all(r["request_id"] for r in result["requests"])
    assert {r["request_id"] for r in result["requests"]} <= audited, "as the audit log has them"
    again = json.loads(ttconfig("apply", *target, "--auto-approve", "--format", "json").stdout)
    assert (again["outcome"], again["exit_code"]) == ("no changes", 0)
    assert "applied" not in again


def test_apply_reports_how_it_ended_as_markdown_for_a_ci_job(
        demo: Path, ttconfig: TTConfig) -> None:
    """The report a CI job posts: environment and outcome, each request with its requestId
    from the audit log, the exit code and where the audit log is."""
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    applied = ttconfig("apply", *target, "--auto-approve", "--format", "markdown")
    assert applied.exit_code == 0, output(applied)
    lines = applied.stdout.splitlines()
    assert lines[0] == "## ttconfig apply: uat (ext_uat_cert): applied"
    assert "Applied 6 of 6 requests; exit code 0." in lines
    assert "| operation | object | outcome | requestId |" in lines
    rows = [line for line in lines if line.startswith("| ") and " | applied | " in line]
    assert len(rows) == 6, applied.stdout
    assert rows[0].startswith("| create user | noah.berg@harborpoint.example | applied | `")
    records = [json.loads(line) for line in
               (demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG).read_text().splitlines()]
    sent = [r["request_id"] for r in records if r["event"] == "outcome"]
    assert [row.split(" | ")[3].strip("` |") for row in rows] == sent
    assert f"Audit log: `.ttconfig/sandbox/audit/{UAT_LOG}`" in lines
    again = ttconfig("apply", *target, "--auto-approve", "--format", "markdown")
    assert again.exit_code == 0, output(again)
    assert again.stdout.splitlines()[:3] == [
        "## ttconfig apply: uat (ext_uat_cert): no changes", "",
        "No changes: live TT matches the YAML; exit code 0."]
    assert "| operation |" not in again.stdout


def test_in_a_pull_request_the_comment_links_each_object_to_its_yaml_line(
        demo: Path, ttconfig: TTConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high", "--format", "markdown"]
    assert "](https://" not in ttconfig("plan", *target).stdout, "no links off GitHub"
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com",
                        "GITHUB_REPOSITORY": "hpt/risk-config", "GITHUB_SHA": "merge1",
                        "TTCONFIG_LINK_SHA": "head2"}.items():
        monkeypatch.setenv(name, value)
    text = ttconfig("plan", *target).stdout
    accounts = (demo / "environments" / "uat" / "accounts.yaml").read_text().splitlines()
    rates = accounts.index("- name: HPT-PROP-RATES")
    zn = next(i for i in range(rates, len(accounts)) if accounts[i].strip() == "product: ZN")
    line = next(i for i in range(zn, len(accounts))
                if accounts[i].strip().startswith("max_position:")) + 1
    blob = "https://github.com/hpt/risk-config/blob/head2/environments/uat"
    assert (f"| [HPT-PROP-RATES]({blob}/accounts.yaml#L{line}) | "
            '`limits.products["CME ZN future"].max_position` |') in text, "the field's line"
    users = (demo / "environments" / "uat" / "users.yaml").read_text().splitlines()
    noah = users.index("- email: noah.berg@harborpoint.example") + 1
    found = re.search(rf"\| \[noah\.berg@harborpoint\.example\]\({blob}/users\.yaml#L(\d+)\)",
                      text)
    assert found is not None
    assert int(found.group(1)) == noah, "a new user: its block's first line"
    link = next(row for row in text.splitlines() if "| new link |" in row)
    assert link.startswith("| [HPT-PROP-RATES ↔ noah.berg@harborpoint.example]"
                           f"({blob}/"), "a link row links to where it is declared"

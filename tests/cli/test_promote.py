"""`ttconfig promote` and `ttconfig gate` as users and CI run them, on the demo firm."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import time
from pathlib import Path

from tests.cli.harness import TTConfig, output


def test_promote_writes_only_the_promoted_values_and_then_has_nothing_left(
        demo: Path, ttconfig: TTConfig) -> None:
    cwd = demo
    before = (cwd / "environments/prod/accounts.yaml").read_text().splitlines()
    shown = ttconfig("promote", "--from", "uat", "--to", "prod", "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert '"key": "HPT-PROP-ENERGY"' in shown.stdout
    assert json.loads(shown.stdout)["promotion"] == {"from": "uat", "to": "prod", "kept": []}
    text = ttconfig("promote", "--from", "uat", "--to", "prod").stdout
    assert text.startswith("Promotion uat → prod: what prod's YAML would change to\n")
    assert "write requests" not in text, "a promotion writes YAML, not TT"
    written = ttconfig("promote", "--from", "uat", "--to", "prod", "--write")
    assert written.exit_code == 0, written.stderr
    assert "wrote environments/prod/accounts.yaml" in written.stderr
    after = (cwd / "environments/prod/accounts.yaml").read_text().splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert sorted(changed) == sorted([
        "-        max_order_qty: 100", "+        max_order_qty: 50",
        "-        max_position: 5000", "+        max_position: 15000",
        "-        submit_staged_orders: true", "+        submit_staged_orders: false"]), changed
    assert after[0].startswith("# yaml-language-server:")
    again = ttconfig("promote", "--from", "uat", "--to", "prod")
    assert "No changes: prod's YAML already carries uat's desired state." in again.stdout
    assert ttconfig("validate", "-e", "prod").exit_code == 0


def test_promote_from_another_source_than_declared_is_a_usage_error(
        demo: Path, ttconfig: TTConfig) -> None:
    result = ttconfig("promote", "--from", "prod", "--to", "prod")
    assert result.exit_code == 64
    assert "promotes from 'uat'" in result.stderr


def _edit(path: Path, after: str, old: str, new: str) -> None:
    """Replace the first `old` line after the line `after` (one object's field)."""
    lines = path.read_text().splitlines(keepends=True)
    start = lines.index(after + "\n")
    at = next(i for i in range(start, len(lines)) if lines[i].strip() == old)
    lines[at] = lines[at].replace(old, new)
    path.write_text("".join(lines))


def test_the_gate_through_a_promotion_apply_in_uat_soak_then_a_change_that_skipped_uat(
        demo: Path, ttconfig: TTConfig) -> None:
    cwd = demo
    target = ["--sandbox", "--usage-plan", "high"]
    ttconfig("promote", "--from", "uat", "--to", "prod", "--write")
    refused = ttconfig("gate", "-e", "prod", *target)
    assert refused.exit_code == 4, output(refused)
    assert "not applied in UAT: accounts HPT-PROP-ENERGY" in refused.stdout
    assert "soak: UAT's audit log has no apply" in refused.stdout
    assert "the gate refused prod: 12 reasons, listed above" in refused.stderr
    estimates = [line.split(":")[0] for line in refused.stderr.splitlines()
                 if "requests, the listings included" in line]
    assert estimates == ["Reading live TT (prod)", "Reading live TT (uat)"], refused.stderr
    hotfix = ttconfig("gate", "-e", "prod", "--hotfix", *target)
    assert hotfix.exit_code == 0, output(hotfix)
    assert "WAIVED (hotfix)" in hotfix.stdout
    assert "Gate passed." in hotfix.stdout
    as_json = ttconfig("gate", "-e", "prod", "--format", "json", *target)
    assert as_json.exit_code == 4
    verdict = json.loads(as_json.stdout)
    assert (verdict["refused"], verdict["source"]) == (True, "uat")
    assert {"rule": "not applied in UAT",
            "message": "accounts HPT-PROP-ENERGY differs between UAT's YAML and UAT live: "
                       "apply it in UAT first"} in verdict["reasons"]
    assert ttconfig("gate", "-e", "prod", "--hotfix", "--format", "markdown",
                    *target).stdout.startswith("## Gate for prod: passed")

    applied = ttconfig("apply", "-e", "uat", "--auto-approve", *target)
    assert applied.exit_code == 0, output(applied)

    soaking = ttconfig("gate", "-e", "prod", *target)
    assert soaking.exit_code == 4, output(soaking)
    assert "not applied in UAT" not in soaking.stdout
    assert "soak: accounts HPT-PROP-ENERGY was applied in UAT at" in soaking.stdout
    assert "the 24 h soak ends" in soaking.stdout

    prod = cwd / "environments/prod"
    _edit(prod / "environment.yaml", "promotion:", "soak_hours: 24", "soak_hours: 0")
    assert ttconfig("gate", "-e", "prod", *target).exit_code == 0

    # A prod-only restriction change skipped UAT; a credit limit is prod's own (excluded).
    _edit(prod / "accounts.yaml", "- name: HPT-PROP-EQIDX", "market_orders: true",
          "market_orders: false")
    _edit(prod / "accounts.yaml", "- name: HPT-PROP-EQIDX", "credit_limit: 20000000",
          "credit_limit: 25000000")
    skipped = ttconfig("gate", "-e", "prod", *target)
    assert skipped.exit_code == 4, output(skipped)
    refusals = [line for line in skipped.stdout.splitlines() if "REFUSED" in line]
    assert refusals == [
        "  REFUSED  not in UAT: prod sets accounts HPT-PROP-EQIDX restrictions.market_orders "
        "to False, but UAT's YAML says otherwise: promote from UAT, or mark the PR as a "
        "hotfix"], skipped.stdout
    assert "the gate refused prod: 1 reason, listed above" in skipped.stderr


def test_a_prod_plan_file_records_the_gate_and_apply_refuses_what_it_refused(
        demo: Path, ttconfig: TTConfig) -> None:
    target = ["--sandbox", "--usage-plan", "high"]
    prod = demo / "environments/prod"
    _edit(prod / "accounts.yaml", "- name: HPT-PROP-EQIDX", "market_orders: true",
          "market_orders: false")  # a prod-only tightening: it skipped UAT
    made = ttconfig("plan", "-e", "prod", "--out", "plan.json", *target)
    assert made.exit_code == 0, output(made)
    assert "The plan file records the gate's refusal: apply will refuse it." in made.stderr
    gate = json.loads((demo / "plan.json").read_text())["gate"]
    assert (gate["passed"], gate["hotfix"], gate["source"]) == (False, False, "uat")
    assert any("HPT-PROP-EQIDX restrictions.market_orders" in r for r in gate["refused"])
    refused = ttconfig("apply", "plan.json", *target)
    assert refused.exit_code == 4, output(refused)
    assert "the gate refused this plan when it was made (prod sets accounts HPT-PROP-EQIDX" \
        in refused.stderr
    assert not (demo / ".ttconfig/sandbox/audit/ext_prod_live.harbor-point-trading.jsonl"
                ).exists(), "nothing written, nothing to audit"

    # a plan file without the gate's verdict (an older ttconfig's, or one edited) is refused
    document = json.loads((demo / "plan.json").read_text())
    del document["gate"], document["file_checksum"]
    document["file_checksum"] = hashlib.sha256(json.dumps(  # resealed, as anyone can
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    (demo / "bare.json").write_text(json.dumps(document))
    bare = ttconfig("apply", "bare.json", *target)
    assert bare.exit_code == 4, output(bare)
    assert "records no gate verdict, and prod promotes from uat" in bare.stderr

    hotfix = ttconfig("plan", "-e", "prod", "--out", "plan.json", "--hotfix", *target)
    assert "The gate passed (hotfix) against uat; the plan file records it." in hotfix.stderr
    applied = ttconfig("apply", "plan.json", *target)
    assert applied.exit_code == 0, output(applied)
    assert "Applied 1 of 1 request." in applied.stdout



def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_a_value_prod_tightened_after_the_last_promotion_is_kept_unless_taken(
        demo: Path, ttconfig: TTConfig) -> None:
    """An emergency tightening in prod (CL max order qty 50 → 20) must survive the next
    promotion from UAT, which still says 50: prod is ahead. --take-uat takes UAT's."""
    _git(demo, "init", "-q", "-b", "main")
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@x.example", "add", "environments")
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@x.example", "commit", "-qm", "start")
    first = ttconfig("promote", "--from", "uat", "--to", "prod")
    assert "cannot be told" in first.stderr, "no promotion in the history yet"
    typo = ttconfig("promote", "--from", "uat", "--to", "prod", "--take-uat",
                    "accounts:HPT-PROP-ENRGY")
    assert typo.exit_code == 64, "a --take-uat that names nothing must not pass"
    assert "prod is ahead on nothing it names (ahead: nothing)" in typo.stderr
    assert ttconfig("promote", "--from", "uat", "--to", "prod", "--write").exit_code == 0
    environment = (demo / "environments" / "prod" / "environment.yaml").read_text()
    assert environment.splitlines()[1].startswith("# ttconfig promote --write from uat at ")
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@x.example", "commit", "-qam",
         "promote uat")
    accounts = demo / "environments" / "prod" / "accounts.yaml"
    text = accounts.read_text()
    energy = text.index("- name: HPT-PROP-ENERGY")
    cl = text.index("max_order_qty: 50", text.index("product: CL", energy))
    accounts.write_text(text[:cl] + "max_order_qty: 20" + text[cl + len("max_order_qty: 50"):])
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@x.example", "commit", "-qam",
         "emergency: CL max order qty 20")

    cl_path = ("limits", "products", "CME CL future", "max_order_qty")
    said = ('accounts HPT-PROP-ENERGY: prod keeps limits.products["CME CL future"] '
            "max_order_qty 20 (uat has 50); prod is ahead: changed in prod after the last "
            "promotion, commit ")
    kept = ttconfig("promote", "--from", "uat", "--to", "prod", "--format", "json")
    assert kept.exit_code == 0, output(kept)
    data = json.loads(kept.stdout)
    assert ("HPT-PROP-ENERGY", cl_path) not in {
        (c["key"], tuple(f["path"])) for c in data["changes"] for f in c["fields"]}
    (line,) = data["promotion"]["kept"]
    assert line.startswith(said), line
    assert line.endswith("`--take-uat accounts:HPT-PROP-ENERGY` takes it")
    assert "judged against the last promotion, commit" in kept.stderr
    markdown = ttconfig("promote", "--from", "uat", "--to", "prod", "--format", "markdown")
    assert "### Kept in prod: prod is ahead (tightened there since the last promotion)" in \
        markdown.stdout  # (the promotion PR's body)
    assert f"- {said}" in markdown.stdout

    # The next promotion (UAT moved on elsewhere) keeps it too: the value it kept is still
    # ahead of what that promotion would have made prod, not "unchanged since".
    _edit(demo / "environments" / "uat" / "accounts.yaml", "- name: HPT-PROP-ENERGY",
          "gtc_orders: true", "gtc_orders: false")
    again = ttconfig("promote", "--from", "uat", "--to", "prod", "--write")
    assert again.exit_code == 0, output(again)
    assert "marked " in again.stderr
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@x.example", "commit", "-qam",
         "promote uat: no GTC orders")
    later = json.loads(ttconfig("promote", "--from", "uat", "--to", "prod", "--format",
                                "json").stdout)
    assert later["changes"] == []
    assert [k[:len(said)] for k in later["promotion"]["kept"]] == [said]
    idle = ttconfig("promote", "--from", "uat", "--to", "prod", "--write")
    assert "nothing to write" in idle.stderr
    assert "marked " not in idle.stderr  # (no mark alone: it would open an empty PR)

    taken = ttconfig("promote", "--from", "uat", "--to", "prod", "--format", "json",
                     "--take-uat", "accounts:HPT-PROP-ENERGY")
    fields = [f for c in json.loads(taken.stdout)["changes"] if c["key"] == "HPT-PROP-ENERGY"
              for f in c["fields"] if tuple(f["path"]) == cl_path]
    assert [(f["old"], f["new"], f["direction"]) for f in fields] == [(20, 50, "loosening")]


def test_drift_runs_are_the_soak_evidence_for_what_uat_held_before_any_apply(
        demo: Path, ttconfig: TTConfig) -> None:
    """UAT has held most of what promotion carries since before any apply: the gate
    refused it forever ("no apply"). A drift run records what UAT holds; once that has been
    unchanged for the soak, the gate lets it through with no apply in UAT."""
    target = ["--sandbox", "--usage-plan", "high"]
    _edit(demo / "environments/prod/environment.yaml", "promotion:", "soak_hours: 24",
          "soak_hours: 0.0005")  # 1.8 s: the soak passes during the test
    ttconfig("promote", "--from", "uat", "--to", "prod", "--write")
    never = ttconfig("gate", "-e", "prod", *target)
    assert never.exit_code == 4, output(never)
    assert ("soak: UAT's audit log has no apply of accounts HPT-PROP-RATES, and no drift run "
            "of uat is recorded there") in never.stdout
    assert "if UAT already holds it, record it (`ttconfig drift -e uat --record`)" in never.stdout

    drift = ttconfig("drift", "-e", "uat", "--record", *target)
    assert drift.exit_code == 2, output(drift)  # (UAT's demo YAML is ahead of UAT live)
    recorded = [line for line in drift.stderr.splitlines() if line.startswith("Recorded")]
    assert len(recorded) == 1, drift.stderr
    assert "for the promotion gate's soak" in recorded[0]
    time.sleep(2)

    soaked = ttconfig("gate", "-e", "prod", *target).stdout
    held = [line for line in soaked.splitlines() if "soak:" in line]
    assert held, soaked  # (what UAT live lacks cannot have soaked there)
    assert all(line.endswith("and UAT live does not hold it: cannot tell it has soaked "
                             "0.0005 h in UAT; apply it in UAT (`ttconfig apply -e uat`) or, "
                             "if UAT already holds it, record it (`ttconfig drift -e uat "
                             "--record`), and re-run the gate 0.0005 h later; or mark the PR "
                             "as a hotfix") for line in held), soaked
    assert "HPT-PROP-RATES, and" not in soaked
    again = ttconfig("drift", "-e", "uat", *target)  # (a desk's run: not recorded)
    assert "Recorded" not in again.stderr
    log = ttconfig("audit", "log", "-e", "uat", "--sandbox")
    runs = [line for line in log.stdout.splitlines() if "drift run:" in line]
    assert len(runs) == 1, output(log)
    assert re.search(r"drift run: \d+ objects seen, \d+ new or changed, 0 gone$", runs[0])


def test_a_drift_run_that_cannot_record_still_reports_and_says_why(
        demo: Path, ttconfig: TTConfig) -> None:
    """Recording is drift's by-product: an audit log that does not verify gets nothing
    appended, and the drift report and its exit code are as without --record."""
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    first = ttconfig("drift", "--record", *target)
    assert first.exit_code == 2, output(first)
    log = demo / ".ttconfig/sandbox/audit/ext_uat_cert.harbor-point-trading.jsonl"
    log.write_text(log.read_text().replace('"count":', '"count":1', 1))  # an edited record
    edited = log.read_text()
    drift = ttconfig("drift", "--record", *target)
    assert drift.exit_code == 2, output(drift)
    assert drift.stdout == first.stdout
    assert ("Warning: Recorded nothing for the promotion gate's soak: "
            f"{log.relative_to(demo)}:1: the audit log's chain is broken") in drift.stderr
    assert log.read_text() == edited

"""The audit log: records chained by hash, fsynced one by one; verify names the first
broken record; never a secret."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ttconfig.cli import cli
from ttconfig.core.changes import ABSENT
from ttconfig.promotion.gate import applied_times
from ttconfig.runs.audit import (
    GENESIS,
    AuditBroken,
    AuditLog,
    actor,
    head_file,
    record_hash,
    unfinished,
    verified_records,
    verify,
)

CONTEXT = {"environment": "uat", "tt_environment": "ext_uat_cert", "plan": "ab" * 32}


def filled(path: Path, count: int = 4) -> AuditLog:
    log = AuditLog(path, CONTEXT)
    for i in range(count):
        log.append("intent" if i % 2 == 0 else "outcome", change=i, kind="accounts",
                   key="HPT-PROP", method="POST", path="/ttaccount/ext_uat_cert/account/1",
                   before={"max_order_qty": 10}, after={"max_order_qty": ABSENT})
    return log


def test_records_chain_and_verify(tmp_path: Path) -> None:
    path = tmp_path / "audit" / "uat.jsonl"
    filled(path)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(records))
    assert records[1]["after"] == {"max_order_qty": "(absent)"}
    assert records[0]["environment"] == "uat"
    verdict = verify(path)
    assert (verdict.records, verdict.broken_at) == (4, None)
    assert verdict.head == records[-1]["hash"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_new_log_object_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "uat.jsonl"
    filled(path, 2)
    filled(path, 2)
    assert verify(path).broken_at is None
    assert verify(path).records == 4


@pytest.mark.parametrize(("tamper", "line", "reason"), [
    ("edit", 3, "does not match its hash"),
    ("remove", 3, "prev_hash"),
    ("swap", 2, "prev_hash"),
    ("garbage", 2, "not a JSON record"),
])
def test_verify_names_the_first_broken_record(tmp_path: Path, tamper: str, line: int,
                                              reason: str) -> None:
    path = tmp_path / "uat.jsonl"
    filled(path)
    lines = path.read_text().splitlines()
    if tamper == "edit":
        lines[2] = lines[2].replace('"max_order_qty":10', '"max_order_qty":1000')
    elif tamper == "remove":
        del lines[2]
    elif tamper == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    else:
        lines[1] = "{not json"
    path.write_text("\n".join(lines) + "\n")
    verdict = verify(path)
    assert verdict.broken_at == line
    assert reason in verdict.reason


def test_the_cli_says_whether_the_chain_holds(tmp_path: Path) -> None:
    path = tmp_path / "uat.jsonl"
    filled(path)
    ok = CliRunner().invoke(cli, ["audit", "verify", str(path)], catch_exceptions=False)
    assert ok.exit_code == 0
    assert "4 records; the chain holds" in ok.stdout
    path.write_text(path.read_text().replace('"HPT-PROP"', '"HPT-OTHER"', 1))
    broken = CliRunner().invoke(cli, ["audit", "verify", str(path)], catch_exceptions=False)
    assert broken.exit_code == 1
    assert f"{path}:1: broken" in broken.stderr


def test_actor_prefers_the_ci_actor() -> None:
    assert actor({"GITHUB_ACTOR": "octo"}) == "octo (CI)"
    assert actor({}) != ""


def test_records_cut_off_the_end_are_found_by_the_head(tmp_path: Path) -> None:
    """A chain cut short still links: the head kept beside the log says how long it was."""
    path = tmp_path / "uat.jsonl"
    filled(path)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2]))
    verdict = verify(path)
    assert verdict.broken_at == 3
    assert "the log has 2 records, but its head says 4" in verdict.reason
    with pytest.raises(AuditBroken, match=r"uat\.jsonl:3: the audit log's chain is broken"):
        AuditLog(path, CONTEXT).verified()


def test_a_deleted_log_is_found_by_its_head(tmp_path: Path) -> None:
    path = tmp_path / "uat.jsonl"
    filled(path)
    path.unlink()
    verdict = verify(path)
    assert (verdict.broken_at, verdict.reason) == (
        1, "the log is missing, but its head says 4 records")
    with pytest.raises(AuditBroken):
        verified_records(path)


def test_a_cut_off_last_line_is_named_and_nothing_is_appended_after_it(tmp_path: Path) -> None:
    """An apply killed while writing a record leaves half a line: named, no traceback."""
    path = tmp_path / "uat.jsonl"
    filled(path)
    text = path.read_text()
    path.write_text(text[:-40])
    verdict = verify(path)
    assert (verdict.broken_at, verdict.reason) == (4, "not a JSON record (its last line is "
                                                      "cut off)")
    with pytest.raises(AuditBroken, match=r"uat\.jsonl:4: the audit log's last record is "
                                          r"not a record"):
        AuditLog(path, CONTEXT).append("intent")
    assert path.read_text() == text[:-40]


def test_a_log_without_a_head_still_verifies_and_gets_one(tmp_path: Path) -> None:
    """Logs written before heads existed: the chain alone, until the next record."""
    path = tmp_path / "uat.jsonl"
    filled(path)
    head_file(path).unlink()
    assert verify(path).broken_at is None
    AuditLog(path, CONTEXT).verified().append("intent")
    assert json.loads(head_file(path).read_text())["records"] == 5
    assert verify(path).broken_at is None


def test_unfinished_writes_are_those_no_outcome_settled() -> None:
    def intent(name: str) -> dict[str, Any]:
        return {"event": "intent", "hash": name, "time": "t", "kind": "accounts", "key": name,
                "operation": "update account", "items": []}

    def outcome(name: str, what: str, **extra: Any) -> dict[str, Any]:
        return {"event": "outcome", "intent": name, "outcome": what, **extra}

    records = [intent("killed"),
               intent("lost"), outcome("lost", "unknown", request_id="r1"),
               intent("resolved"), outcome("resolved", "unknown"),
               outcome("resolved", "applied", resolved_by="read back"),
               intent("stopped-before-sending"), outcome("stopped-before-sending",
                                                         "interrupted", sent=False),
               intent("stopped-after-sending"), outcome("stopped-after-sending",
                                                        "interrupted", sent=True),
               intent("refused"), outcome("refused", "failed")]
    found = unfinished(records)
    assert [(u.key, u.outcome, u.request_id) for u in found] == [
        ("killed", None, None), ("lost", "unknown", "r1"),
        ("stopped-after-sending", "interrupted", None)]


# --- signed with TTCONFIG_AUDIT_KEY ---------------------------------------------------------

KEY = "audit-key-7f3a9c"


def _rehashed(path: Path, edit: Callable[[dict[str, Any]], None], *, keep_signed: bool) -> None:
    """What a forger without the key can do: edit records and recompute every sha256 link
    (and the head), as `record_hash` does."""
    previous, records = GENESIS, []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        edit(record)
        if not keep_signed:
            record.pop("signed", None)
        record["prev_hash"] = previous
        record["hash"] = previous = record_hash(record)
        records.append(record)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    head_file(path).write_text(json.dumps({"records": len(records), "hash": previous}))


def test_with_a_key_records_are_signed_and_verify_only_under_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "uat.jsonl"
    monkeypatch.setenv("TTCONFIG_AUDIT_KEY", KEY)
    filled(path)
    assert KEY not in path.read_text()
    assert KEY not in head_file(path).read_text()
    assert all(json.loads(line)["signed"] == "hmac-sha256"
               for line in path.read_text().splitlines())
    assert (verify(path).broken_at, verify(path).signed) == (None, 4)
    assert "another key" in verify(path, b"another-key").reason
    monkeypatch.delenv("TTCONFIG_AUDIT_KEY")
    unkeyed = verify(path)
    assert unkeyed.broken_at == 1
    assert "TTCONFIG_AUDIT_KEY is not set" in unkeyed.reason
    with pytest.raises(AuditBroken):  # and nothing unsigned is appended after signed records
        AuditLog(path, CONTEXT).verified()


@pytest.mark.parametrize("keep_signed", [True, False])
def test_a_forger_without_the_key_cannot_make_an_apply_the_gate_counts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_signed: bool) -> None:
    path = tmp_path / "uat.jsonl"
    monkeypatch.setenv("TTCONFIG_AUDIT_KEY", KEY)
    log = AuditLog(path, CONTEXT)
    intent = log.append("intent", kind="accounts", key="HPT-PROP", operation="update")
    log.append("outcome", intent=intent["hash"], outcome="failed")
    assert applied_times(verified_records(path, evidence=True)) == {}

    def applied(record: dict[str, Any]) -> None:
        if record["event"] == "outcome":
            record["outcome"] = "applied"
            record["intent"] = None  # re-pointed below, once the intent's hash is known

    _rehashed(path, applied, keep_signed=keep_signed)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    _rehashed(path, lambda r: r.update(intent=records[0]["hash"]) if r["event"] == "outcome"
              else None, keep_signed=keep_signed)
    monkeypatch.delenv("TTCONFIG_AUDIT_KEY")  # without the key, sha256 is all there is ...
    if not keep_signed:
        assert applied_times(verified_records(path, evidence=True)) != {}
    monkeypatch.setenv("TTCONFIG_AUDIT_KEY", KEY)  # ... with it, the forgery counts for nothing
    if keep_signed:
        assert "does not verify under TTCONFIG_AUDIT_KEY" in verify(path).reason
        with pytest.raises(AuditBroken):
            verified_records(path, evidence=True)
    else:
        assert verify(path).signed == 0
        assert applied_times(verified_records(path, evidence=True)) == {}


def test_the_cli_reports_the_chain_as_json_and_markdown_too(tmp_path: Path) -> None:
    path = tmp_path / "uat.jsonl"
    filled(path)  # (its outcomes name no intent: both writes are unfinished)

    def verified(fmt: str) -> Any:
        return CliRunner().invoke(cli, ["audit", "verify", str(path), "--format", fmt],
                                  catch_exceptions=False)

    holds = verified("json")
    assert holds.exit_code == 0, holds.output
    data = json.loads(holds.stdout)
    assert (data["file"], data["holds"], data["records"], data["broken_at"]) == (
        str(path), True, 4, None)
    assert (data["head"], data["signed"], data["keyed"]) == (verify(path).head, 0, False)
    assert [(w["kind"], w["key"]) for w in data["unfinished"]] == [("accounts", "HPT-PROP")] * 2
    markdown = verified("markdown")
    assert markdown.exit_code == 0
    lines = markdown.stdout.splitlines()
    assert lines[0] == f"## ttconfig audit verify: `{path}`"
    assert "- 4 records; the chain holds" in " ".join(lines)
    assert any(line.startswith("### Unfinished apply: 2 write") for line in lines), lines
    path.write_text(path.read_text().replace('"HPT-PROP"', '"HPT-OTHER"', 1))
    broken = verified("json")
    assert broken.exit_code == 1
    data = json.loads(broken.stdout)
    assert (data["holds"], data["broken_at"], data["records"]) == (False, 1, 0)
    assert "edited" in data["reason"]
    assert data["unfinished"] == []
    markdown = verified("markdown")
    assert markdown.exit_code == 1
    assert markdown.stdout.startswith(f"## ttconfig audit verify: `{path}`\n")
    assert "broken at line 1" in markdown.stdout.lower()


def test_the_cli_says_what_the_chain_proves_with_and_without_a_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "uat.jsonl"
    filled(path, 2)
    plain = CliRunner().invoke(cli, ["audit", "verify", str(path)], catch_exceptions=False)
    assert "Not signed (TTCONFIG_AUDIT_KEY is not set)" in plain.stdout
    assert "not damaged or edited by accident" in plain.stdout
    monkeypatch.setenv("TTCONFIG_AUDIT_KEY", KEY)
    filled(path, 3)
    keyed = CliRunner().invoke(cli, ["audit", "verify", str(path)], catch_exceptions=False)
    assert keyed.exit_code == 0, keyed.output
    assert "3 records signed with TTCONFIG_AUDIT_KEY" in keyed.stdout
    assert "2 unsigned, from before the key, are not evidence" in keyed.stdout
    assert KEY not in keyed.output

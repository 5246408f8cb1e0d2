"""`ttconfig audit log`: an environment's history from its audit log, chain checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import TTConfig, output
from tests.conftest import UAT_LOG
from ttconfig.errors import UsageError
from ttconfig.runs.auditlog import entries_of, last_applied, since_of

TARGET = ("-e", "uat", "--sandbox", "--usage-plan", "high")


def test_an_apply_is_one_entry_with_each_request_and_how_it_ended(
        demo: Path, ttconfig: TTConfig) -> None:
    planned = json.loads(ttconfig("plan", *TARGET, "--format", "json").stdout)
    assert ttconfig("apply", "--auto-approve", *TARGET).exit_code == 0
    shown = ttconfig("audit", "log", "-e", "uat", "--sandbox")
    assert shown.exit_code == 0, output(shown)
    lines = shown.stdout.splitlines()
    assert lines[0] == (f"uat: .ttconfig/sandbox/audit/{UAT_LOG} "
                        "(12 records, the chain holds)")
    assert f" apply of plan {planned['checksum'][:16]}…" in lines[1]
    assert lines[1].endswith(": 6 requests (6 applied)")
    assert "    + create user noah.berg@harborpoint.example  neutral: applied" in lines
    assert ("    ~ upsert limit rows HPT-PROP-ENERGY [CME CL future]  tightening: applied"
            in lines)
    data = json.loads(ttconfig("audit", "log", "-e", "uat", "--sandbox", "--format",
                               "json").stdout)
    (entry,) = data[0]["entries"]
    assert [s["outcome"] for s in entry["steps"]] == ["applied"] * 6
    assert entry["plan"] == planned["checksum"]
    assert ttconfig("audit", "log", "-e", "uat", "--sandbox", "--since",
                    "2099-01-01").stdout.splitlines()[1] == "  nothing recorded in that time"
    markdown = ttconfig("audit", "log", "-e", "uat", "--sandbox", "--format", "markdown")
    assert markdown.stdout.startswith("## uat\n")


def test_a_broken_log_shows_what_holds_says_where_it_breaks_and_exits_1(
        demo: Path, ttconfig: TTConfig) -> None:
    assert ttconfig("apply", "--auto-approve", *TARGET).exit_code == 0
    log = demo / ".ttconfig" / "sandbox" / "audit" / UAT_LOG
    lines = log.read_text().splitlines()
    assert '"outcome":"applied"' in lines[3]
    lines[3] = lines[3].replace('"outcome":"applied"', '"outcome":"failed"')
    log.write_text("\n".join(lines) + "\n")
    shown = ttconfig("audit", "log", "-e", "uat", "--sandbox")
    assert shown.exit_code == 1
    assert "BROKEN at line 4" in shown.stdout
    assert ": 2 requests (" in shown.stdout, "only the records before the break"


def test_records_group_into_applies_and_single_events() -> None:
    records: list[dict[str, Any]] = [
        {"event": "refused", "time": "t1", "actor": "ann", "reason": "policy"},
        {"event": "intent", "time": "t2", "actor": "bob", "plan": "p1", "hash": "h1",
         "operation": "update account", "kind": "accounts", "key": "A", "direction": "neutral",
         "items": ["description"]},
        {"event": "outcome", "time": "t3", "actor": "bob", "plan": "p1", "intent": "h1",
         "outcome": "unknown"},
        {"event": "outcome", "time": "t4", "actor": "bob", "plan": "p1", "intent": "h1",
         "outcome": "applied", "request_id": "r1"},
        {"event": "intent", "time": "t5", "actor": "bob", "plan": "p1", "hash": "h2",
         "operation": "delete account", "kind": "accounts", "key": "B", "direction": "neutral"},
        {"event": "intent", "time": "t6", "actor": "bob", "plan": "p2", "hash": "h3",
         "operation": "delete account", "kind": "accounts", "key": "C", "direction": "neutral"},
    ]
    refused, first, second = entries_of(records)
    assert (refused.event, refused.details) == ("refused", {"reason": "policy"})
    assert [(s.key, s.outcome, s.request_id) for s in first.steps] == [
        ("A", "applied", "r1"), ("B", "no outcome recorded", None)]
    assert (second.plan, len(second.steps)) == ("p2", 1)


def test_a_drift_run_is_one_line_and_a_record_not_in_ttconfigs_shape_says_so() -> None:
    """An unsigned log anyone can rewrite and reseal: `audit log` shows it, never a
    traceback."""
    run, bad = entries_of([
        {"event": "observed", "time": "2026-12-07T09:00:00+00:00", "actor": "ci", "count": 3,
         "objects": {"accounts": {"A": "f" * 16, "B": "e" * 16}}, "gone": {"users": ["u"]}},
        {"event": "observed", "time": "2026-12-07T15:00:00+00:00", "actor": "ci",
         "objects": ["x"]}])
    assert run.details == {"seen": 3, "changed": 2, "gone": 1}
    assert bad.details["unreadable"].startswith("the audit log's observed record of "
                                                "'2026-12-07T15:00:00+00:00' is "
                                                "not one ttconfig writes")


def test_since_takes_a_date_a_time_or_an_age() -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert since_of("7d", now) == now - timedelta(days=7)
    assert since_of("12h", now) == now - timedelta(hours=12)
    assert since_of("2026-12-01", now) == datetime(2026, 12, 1, tzinfo=UTC)
    assert since_of(None, now) is None
    with pytest.raises(UsageError, match="give a date"):
        since_of("last week", now)


def test_what_was_last_applied_counts_only_the_fields_each_step_wrote() -> None:
    """A change split into a tightening and a loosening step: only the step that was
    applied wrote its items; the later of two applies wins."""
    changes = [{"path": ["limits", "products", "CME ES future", "max_order_qty"],
                "old": 10, "new": 5},
               {"path": ["limits", "products", "CME NQ future", "max_position"],
                "old": 10, "new": 50},
               {"path": ["risk_settings", "credit_limit"], "old": 1, "new": 2}]
    records: list[dict[str, Any]] = [
        {"event": "intent", "hash": "a", "kind": "accounts", "key": "HPT-A", "plan": "p",
         "items": ["CME ES future"], "changes": changes},
        {"event": "outcome", "intent": "a", "outcome": "applied", "time": "t1", "plan": "p"},
        {"event": "intent", "hash": "b", "kind": "accounts", "key": "HPT-A", "plan": "p",
         "items": ["CME NQ future"], "changes": changes},
        {"event": "outcome", "intent": "b", "outcome": "failed", "time": "t2", "plan": "p"},
        {"event": "intent", "hash": "c", "kind": "accounts", "key": "hpt-a", "plan": "q",
         "items": ["credit_limit"], "changes": changes},
        {"event": "outcome", "intent": "c", "outcome": "applied", "time": "t3", "plan": "q"},
    ]
    applied = last_applied(records)
    assert {key[2][-1]: (value.value, value.time) for key, value in applied.items()} == {
        "max_order_qty": (5, "t1"), "credit_limit": (2, "t3")}
    assert all(key[:2] == ("accounts", "hpt-a") for key in applied)

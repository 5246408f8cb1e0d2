"""Counts in the messages read as counts: "1 finding", "2 findings", never "finding(s)"."""

from __future__ import annotations

from pathlib import Path

from ttconfig.render.audit_findings import unfinished_text
from ttconfig.render.doctor import doctor_summary
from ttconfig.render.policy import refusal_message
from ttconfig.runs.audit import Unfinished
from ttconfig.runs.doctor import Diagnosis
from ttconfig.runs.doctor import Verdict as Checked
from ttconfig.runs.observed import Recorded
from ttconfig.safety.policy import Finding, Verdict


def test_a_policy_refusal_counts_its_findings() -> None:
    one = Finding("lockout", "the plan leaves 0 active full admins in TT", "refused")
    assert "): 1 finding, listed above." in refusal_message(Verdict((one,)))
    assert "): 2 findings, listed above." in refusal_message(Verdict((one, one)))


def test_doctor_counts_its_checks_and_warnings() -> None:
    failed = Diagnosis("uat", "ext_uat_cert", requests=12)
    failed.add("credentials", Checked.FAIL, "401")
    failed.add("usage plan", Checked.WARN, "slow")
    assert doctor_summary(failed).startswith("1 check failed, 1 warning, 12 requests: ")
    fine = Diagnosis("uat", "ext_uat_cert", requests=1)
    fine.add("a", Checked.WARN, "")
    fine.add("b", Checked.WARN, "")
    assert "as expected (2 warnings, 1 request, nothing written)" in doctor_summary(fine)


def test_an_unfinished_write_is_one_write() -> None:
    write = Unfinished("i1", "2026-01-01T00:00:00Z", "accounts", "HPT-ARB", "update", (),
                       None, None)
    assert unfinished_text([write], Path("audit.jsonl")).startswith(
        "Unfinished apply: 1 write in audit.jsonl may or may not have landed:")


def test_drift_record_counts_live_objects() -> None:
    said = Recorded(Path("audit.jsonl"), objects=1, changed=0).describe()
    assert said.startswith("Recorded 1 live object in audit.jsonl")

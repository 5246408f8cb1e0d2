"""How an apply ended, as the markdown report a CI job posts: the outcome in the heading,
one row per request (with its requestId when the audit log recorded one), what is left to
do, what diverged, the exit code and the audit log."""

from __future__ import annotations

from pathlib import Path

from ttconfig.core.changes import Change, FieldChange
from ttconfig.core.plan import Step
from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind, Operation
from ttconfig.render.result import describe_result, result_markdown
from ttconfig.runs.apply.applier import ApplyResult
from ttconfig.runs.apply.workflow import Applied, Outcome
from ttconfig.runs.auditlog import Step as Recorded

AUDIT = Path(".ttconfig/audit/ext_prod_live.hpt.jsonl")
CREATE = Step(Kind.ACCOUNTS, Key.of("HPT-NEW"), Operation.CREATE, (), "neutral", 1)
RISK = Step(Kind.ACCOUNTS, Key.of("HPT-ARB"), Operation.UPDATE_RISK_SETTINGS,
            ("risk_settings",), "tightening", 2)
LIMITS = Step(Kind.ACCOUNTS, Key.of("HPT-ARB"), Operation.UPSERT_LIMIT_ROWS,
              ("CME ES future",), "loosening", 3)


def recorded(step: Step, outcome: str, request_id: str | None) -> Recorded:
    return Recorded(step.operation, step.kind.value, str(step.key), step.direction,
                    step.items, outcome, request_id)


def applied(result: ApplyResult | None, outcome: Outcome = Outcome.APPLIED) -> Applied:
    return Applied(outcome, AUDIT, None, result, environment="prod",
                   tt_environment="ext_prod_live")


def test_a_stopped_apply_names_each_request_its_outcome_and_requestid() -> None:
    result = ApplyResult(done=[CREATE], remaining=[RISK, LIMITS],
                         failure="TT request POST /risk failed (400): a | b",
                         diverged=[Change(Kind.ACCOUNTS, Key.of("HPT-NEW"), "update",
                                          (FieldChange(("risk", "x"), 1, 2, "loosening"),))])
    text = result_markdown(applied(result), [recorded(CREATE, "applied", "hpt--1"),
                                             recorded(RISK, "failed", "hpt--2")])
    lines = text.splitlines()
    assert lines[0] == "## ttconfig apply: prod (ext_prod_live): failed"
    assert "Applied 1 of 3 requests; exit code 1." in lines
    assert "| operation | object | outcome | requestId |" in lines
    assert "| create account | HPT-NEW | applied | `hpt--1` |" in lines
    assert "| update risk settings | HPT-ARB | failed | `hpt--2` |" in lines
    assert "| upsert limit rows | HPT-ARB | not applied |  |" in lines, "never sent"
    assert "- Stopped: TT request POST /risk failed (400): a \\| b" in lines
    assert "- Run plan to see exactly what remains." in lines
    assert "### Diverged (live differs from the YAML after apply; not re-applied)" in lines
    assert "- accounts HPT-NEW" in lines
    assert lines[-1] == f"Audit log: `{AUDIT}`"


def test_an_unknown_outcome_is_never_called_not_applied() -> None:
    result = ApplyResult(done=[CREATE], remaining=[LIMITS], unknown=RISK,
                         failure="TT did not answer")
    lines = result_markdown(applied(result), []).splitlines()
    assert lines[0] == "## ttconfig apply: prod (ext_prod_live): outcome unknown"
    assert "| update risk settings | HPT-ARB | unknown |  |" in lines
    assert any(line.startswith("- Outcome unknown: update risk settings HPT-ARB")
               for line in lines)


def test_without_writes_the_report_says_how_it_ended() -> None:
    lines = result_markdown(applied(None, Outcome.NO_CHANGES), []).splitlines()
    assert lines == ["## ttconfig apply: prod (ext_prod_live): no changes", "",
                     "No changes: live TT matches the YAML; exit code 0.", "",
                     f"Audit log: `{AUDIT}`"]


def test_the_text_is_unchanged() -> None:
    result = ApplyResult(done=[CREATE], remaining=[RISK], failure="refused")
    assert describe_result(result, AUDIT).splitlines() == [
        f"Applied 1 of 2 requests. Audit log: {AUDIT}", "Stopped: refused",
        "Not applied (1 request): update risk settings HPT-ARB",
        "Run plan to see exactly what remains."]

"""Expired contracts: a plan warns at the row's line and leaves it out; `tidy` removes it.

The sandbox's clock is moved past the demo's first expiry (its Dec26 contracts expire on
2026-12-18), as TT's clock moves past it on a real desk.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.cli.harness import TTConfig, fast_settings, output
from ttconfig.sandbox.server import Sandbox

UAT = "ext_uat_cert"
AFTER_THE_ROLL = date(2026, 12, 21)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A sandbox at test speed whose clock the test moves (a fresh one: its own day)."""
    with Sandbox(settings=fast_settings("high")) as running:
        yield running


def desk(sandbox: Sandbox) -> TTConfig:
    key, secret = sandbox.credentials(UAT)
    return TTConfig({"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret})


def tt(sandbox: Sandbox) -> tuple[str, ...]:
    return ("--base-url", sandbox.base_url, "--usage-plan", "high")


def row_lines(text: str, contract: str) -> list[int]:
    """The 1-based line where each contract row naming `contract` starts."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        if line.strip() == f"contract: {contract}":
            start = number
            while not lines[start].lstrip().startswith("- "):
                start -= 1
            found.append(start + 1)
    return found


def test_the_sandbox_dates_its_answers_by_its_clock(sandbox: Sandbox) -> None:
    """A stock client sees one Date header, on the sandbox's day."""
    sandbox.settings.today = AFTER_THE_ROLL
    answer = httpx.get(f"{sandbox.base_url}/ttpds/{UAT}/markets")
    assert answer.headers.get_list("date")[0].startswith("Mon, 21 Dec 2026 ")
    assert len(answer.headers.get_list("date")) == 1


def test_an_expired_contract_row_is_a_warning_at_its_line_and_is_not_written(
        demo: Path, sandbox: Sandbox) -> None:
    sandbox.settings.today = AFTER_THE_ROLL
    accounts = (demo / "environments" / "uat" / "accounts.yaml").read_text()
    planned = desk(sandbox)("plan", "-e", "uat", *tt(sandbox))
    assert planned.exit_code == 0, output(planned)
    for line in row_lines(accounts, "CL Dec26"):
        assert (f"expired: environments/uat/accounts.yaml:{line}:" in
                " ".join(planned.stdout.split())), planned.stdout
    assert "the contract row CME CL future CL Dec26 is for a contract that expired on " \
           "2026-12-18: it is not written; `ttconfig tidy -e uat` removes it" in \
           " ".join(planned.stdout.split())
    assert "Dec26" not in planned.stdout.split("Policy")[0], "no change names a Dec26 row"
    applied = desk(sandbox)("apply", "-e", "uat", "--auto-approve", *tt(sandbox))
    assert applied.exit_code == 0, output(applied)
    assert not any("contractLimits" in str(w) for w in sandbox.writes()), \
        "no contract row is written"


def test_tidy_removes_exactly_the_expired_rows_and_the_next_plan_has_no_warning(
        demo: Path, sandbox: Sandbox) -> None:
    sandbox.settings.today = AFTER_THE_ROLL
    folder = demo / "environments" / "uat"
    before = {name: (folder / name).read_text() for name in ("accounts.yaml", "users.yaml")}
    dry = desk(sandbox)("tidy", "-e", "uat", "--dry-run", *tt(sandbox))
    assert dry.exit_code == 0, output(dry)
    assert dry.stdout.splitlines()[-1] == "would remove 7 expired contract rows from 2 files"
    assert re.search(r"^Reading live TT \(uat\): \d+ requests, the listings included",
                     dry.stderr, re.MULTILINE), "a read as long as a plan's says its cost"
    assert {name: (folder / name).read_text() for name in before} == before

    done = desk(sandbox)("tidy", "-e", "uat", *tt(sandbox))
    assert done.exit_code == 0, output(done)
    assert done.stdout.splitlines()[-1] == "removed 7 expired contract rows from 2 files"
    assert "environments/uat/users.yaml:" in done.stdout
    for name, text in before.items():
        after = (folder / name).read_text()
        diff = [d for d in difflib.unified_diff(text.splitlines(), after.splitlines(),
                                                lineterm="", n=0)
                if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        removed = [d for d in diff if d.startswith("-")]
        added = [d for d in diff if d.startswith("+")]
        assert all("Dec26" not in d for d in added)
        assert sum("contract: " in d for d in removed) == sum(
            "Dec26" in d for d in removed), "only Dec26 rows are removed"
        assert all(d[1:].strip() == "contracts: []" for d in added), added
        assert "# pending:" in after or name == "users.yaml", "comments are kept"
    again = desk(sandbox)("plan", "-e", "uat", *tt(sandbox))
    assert again.exit_code == 0, output(again)
    assert "expired:" not in again.stdout
    nothing = desk(sandbox)("tidy", "-e", "uat", *tt(sandbox))
    assert nothing.stdout.splitlines()[-1] == "removed 0 expired contract rows"


def test_a_contract_tt_no_longer_lists_is_expired_only_when_its_month_is_past(
        demo: Path, sandbox: Sandbox) -> None:
    """TT may drop an expired instrument from its listing: its alias's month tells it
    from a typo. The same unlisted alias before its month ends is the unknown-name error."""
    env = sandbox.store.env(UAT)
    for key in [k for k, i in env.instruments.items() if i["alias"] == "CL Dec26"]:
        del env.instruments[key]
    sandbox.settings.today = AFTER_THE_ROLL
    early = desk(sandbox)("plan", "-e", "uat", *tt(sandbox))
    assert early.exit_code == 3, output(early)
    assert "has no contract 'CL Dec26'" in early.stderr
    sandbox.settings.today = date(2027, 1, 4)
    late = desk(sandbox)("plan", "-e", "uat", *tt(sandbox))
    assert late.exit_code == 0, output(late)
    flat = " ".join(late.stdout.split())
    assert "the contract row CME CL future CL Dec26 is for a contract that TT no longer " \
           "lists (its alias names Dec 2026, past)" in flat

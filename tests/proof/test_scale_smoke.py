"""The scale benchmark (issue [F]) as a CI smoke run, and its invariants as pure checks.

CI runs `benchmarks/scale.py --quick` (100 accounts, high plan) in a child process and
checks what its report says: exit 0, a row per reader, no 429s, no reader below the minimum,
apply's POSTs exactly Σ ⌈rows ÷ 20⌉ and an empty plan after apply. Timings are printed, never
asserted. The nightly workflow sets TTCONFIG_SCALE_ACCOUNTS (e.g. "100,1000,5000") to run
every usage plan at those sizes instead.

The pure tests prove the invariants can fail: a benchmark whose checks cannot fail would
print "all hold" whatever happened.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.scale import (
    ApplyRun,
    Minimum,
    ReadRun,
    SizeFigures,
    Timing,
    problems,
    tighten,
)

ROOT = Path(__file__).resolve().parents[2]
NIGHTLY = os.environ.get("TTCONFIG_SCALE_ACCOUNTS")
"""Firm sizes for the nightly run (all four usage plans); unset in CI: the quick run."""
ARGS = ["--accounts", NIGHTLY] if NIGHTLY else ["--quick"]
SIZES = [int(n) for n in NIGHTLY.split(",")] if NIGHTLY else [100]
PLANS = ["free", "low", "medium", "high"] if NIGHTLY else ["high"]
COMMAND = [sys.executable, "benchmarks/scale.py", *ARGS]


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def number(cell: str) -> int:
    return int(cell.replace(",", "").replace("*", ""))


def table_rows(report: str, heading: str) -> list[list[str]]:
    """The body rows of the first markdown table after `heading`."""
    lines = report.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = list(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))
    return [cells(line) for line in table[2:]]  # after the header and its rule


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The benchmark's run, made once per test run: under xdist the first worker to need it
    runs it (the others wait on a lock) and leaves its result where the others read it."""
    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent  # the run's basetemp, above every worker's own
    result = shared / "scale-smoke.json"
    with (shared / "scale-smoke.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            done = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True,
                                  timeout=3 * 3600 if NIGHTLY else 110, check=False)
            result.write_text(json.dumps([done.returncode, done.stdout, done.stderr]))
    code, stdout, stderr = json.loads(result.read_text())
    return subprocess.CompletedProcess(COMMAND, code, stdout, stderr)


@pytest.mark.timeout(4 * 3600 if NIGHTLY else 120)
def test_the_benchmark_runs_and_every_invariant_holds(
        run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Invariants: all hold." in run.stdout
    assert "FAILED" not in run.stdout


def _reads(report: str) -> list[list[str]]:
    return table_rows(report, "**Plan: the read")


def test_every_size_has_a_row_per_usage_plan_and_a_naive_row(
        run: subprocess.CompletedProcess[str]) -> None:
    rows = _reads(run.stdout)
    seen = Counter((number(r[0]), r[1], r[2].split(" ")[0]) for r in rows)
    for size in SIZES:
        for plan in PLANS:
            assert seen[(size, "ttconfig plan", plan)] == 1, rows
        assert seen[(size, "naive: 1 at a time, 333 ms apart", "any")] == 1, rows


def test_no_reader_is_throttled_or_below_the_minimum(
        run: subprocess.CompletedProcess[str]) -> None:
    for row in _reads(run.stdout):
        requests, minimum = number(row[4]), number(row[5])
        assert row[7] == "0 / 0", row  # 429s / retries
        assert requests >= minimum > 0, row


def test_apply_sends_what_tt_allows_and_leaves_nothing_to_do(
        run: subprocess.CompletedProcess[str]) -> None:
    rows = table_rows(run.stdout, "**Apply**")
    assert [number(r[0]) for r in rows] == SIZES
    for row in rows:
        posts, per_account, all_rows = number(row[3]), number(row[4]), number(row[5])
        assert number(row[1]) > 0, row
        assert posts == per_account >= all_rows, row
        assert row[10] == "0 / 0", row
        assert row[11] == "empty", row


def test_the_report_names_its_command_machine_and_scale(
        run: subprocess.CompletedProcess[str]) -> None:
    assert re.search(r"^Command: `python benchmarks/scale\.py .+`", run.stdout, re.MULTILINE)
    assert re.search(r"^Machine: \d+ cores", run.stdout, re.MULTILINE)
    assert "time-scaled" in run.stdout


# --- the invariants themselves -------------------------------------------------------------


def _figures(*, requests: int = 700, statuses: Counter[int] | None = None, posts: int = 2,
             leftover: int = 0, stray: int = 0) -> SizeFigures:
    read = ReadRun("ttconfig", "high", 12.0, requests, statuses or Counter({200: requests}), 0,
                   wall=3.0, floor=requests / 25)
    naive = ReadRun("naive", "any", 25.0, 700, Counter({200: 700}), 0, wall=20.0, floor=254.0)
    apply = ApplyRun(rows=30, owners=1, posts=posts, stray_posts=stray, minimum_posts=2,
                     plan_requests=2, k=25.0, wall=0.1, latency_ms=30.0,
                     statuses=Counter({200: posts}), retries=0, failure=None,
                     leftover=leftover)
    return SizeFigures(accounts=100, planned_rows=30, tightened={"HPT-BOOK-0001": 30},
                       minimum=Minimum(10, 400, 90, 99, 90, 100, 10, 20),
                       reads=[read], naive=naive, apply=apply)


def test_sound_figures_raise_no_problem() -> None:
    assert problems(_figures()) == []


@pytest.mark.parametrize(("figures", "words"), [
    (_figures(requests=600), "below the minimum"),
    (_figures(statuses=Counter({200: 699, 429: 1})), "not 200"),
    (_figures(posts=3), "3 POSTs sent"),
    (_figures(stray=1), "POSTs to something else"),
    (_figures(leftover=2), "2 changes left after apply"),
])
def test_each_broken_invariant_is_reported(figures: SizeFigures, words: str) -> None:
    assert any(words in problem for problem in problems(figures)), problems(figures)


def test_a_read_faster_than_the_scaled_rate_is_reported() -> None:
    figures = _figures()
    figures.reads = [ReadRun("ttconfig", "high", 12.0, 700, Counter({200: 700}), 0, wall=1.0,
                             floor=28.0)]  # 700 requests in 1 s: the plan allows 25 × 12 × 2
    assert any("beat the scaled rate" in p for p in problems(figures))


def test_tighten_skips_rows_that_would_not_tighten_and_stops_at_the_count() -> None:
    rows: list[dict[str, Any]] = [{"max_order_qty": q} for q in (None, 0, 1, 50, 60)]
    small: list[dict[str, Any]] = [{"max_order_qty": 9}]
    accounts = [{"name": "small", "limits": {"products": small}},
                {"name": "big", "limits": {"products": rows}}]
    assert tighten(accounts, 2) == {"big": 2}
    assert [r["max_order_qty"] for r in rows] == [1, 0, 1, 1, 60]
    assert small == [{"max_order_qty": 9}]


def test_time_scaling_speeds_rates_and_shortens_waits_alike() -> None:
    settings = Timing(k=20.0, latency_ms=30.0).sandbox_settings("free", 3.0)
    assert settings["usage_plans"]["free"]["requests_per_second"] == 60.0
    assert settings["latency_ms"] == pytest.approx(1.5)
    assert settings["post_pause_seconds"] == pytest.approx(0.05)
    assert Timing(k=20.0, latency_ms=30.0).retry().base_seconds == pytest.approx(0.025)

"""The proof suites' totals: each suite runs as chunks of seeds, and their sums are checked.

A suite is split into chunks (parametrized seed ranges) so pytest-xdist spreads it over every
core. Each chunk asserts its own part (its pairs converge, its faults fire, its inputs give
only configuration errors) and records its counts with `record()`. The counts travel in the
test report's `user_properties`, which xdist sends from each worker to the controller, so
this plugin (registered by tests/conftest.py) sums them wherever the chunks ran. Once every
chunk of a suite has passed, it checks what only the whole suite can show (at least 200
faults fired, every fault kind among them, every fuzz family drawn); a shortfall fails the
run. The terminal summary gives each suite's totals, as the single loop printed them.

It also draws the YAML fuzzer's seed once per run, before xdist starts its workers (which
inherit the environment), so every chunk mutates with the same seed and a failure replays.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

PROPERTY = "ttconfig-proof"
Recorder = Callable[[str, int, Mapping[str, int], Mapping[str, int]], None]
"""`proof_record(suite, chunks, counts, require)`: see `record()`."""
FUZZ_SEED = "TTCONFIG_FUZZ_SEED"


def chunks(total: int, size: int) -> list[range]:
    """0..total-1 as consecutive ranges of at most `size` (the last one may be shorter)."""
    return [range(start, min(start + size, total)) for start in range(0, total, size)]


def chunk_id(part: range) -> str:
    return f"{part.start}-{part.stop - 1}"


def record(node: pytest.Item, suite: str, chunks: int, counts: Mapping[str, int],
           require: Mapping[str, int]) -> None:
    """Report one chunk's `counts`; once all `chunks` of `suite` passed, each summed count
    named in `require` must reach its minimum."""
    node.user_properties.append((PROPERTY, {
        "suite": suite, "chunks": chunks, "counts": dict(counts), "require": dict(require)}))


@dataclass
class Suite:
    """What the passed chunks of one suite add up to."""

    chunks: int
    passed: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    require: dict[str, int] = field(default_factory=dict)

    def figures(self) -> str:
        """The sums, those named "group: member" gathered per group (a long group briefly)."""
        plain = [f"{key} {value:,}" for key, value in self.counts.items() if ": " not in key]
        groups: dict[str, dict[str, int]] = {}
        for key, value in self.counts.items():
            if ": " in key:
                group, member = key.split(": ", 1)
                groups.setdefault(group, {})[member] = value
        for group, members in groups.items():
            shown = (", ".join(f"{m} {v:,}" for m, v in members.items()) if len(members) <= 10
                     else f"{len(members)} of them, each ≥ {min(members.values()):,}")
            plain.append(f"{group} ({shown})")
        return ", ".join(plain)

    def shortfalls(self) -> list[str]:
        return [f"{name}: {self.counts[name]:,} < {minimum:,}"
                for name, minimum in sorted(self.require.items())
                if self.counts[name] < minimum]


class ProofTotals:
    """The plugin: sums chunk counts from every report and checks them at the end."""

    def __init__(self) -> None:
        self.suites: dict[str, Suite] = {}
        self.failures: list[str] = []

    def add(self, properties: Sequence[tuple[str, Any]]) -> None:
        for name, value in properties:
            if name != PROPERTY:
                continue
            suite = self.suites.setdefault(value["suite"], Suite(int(value["chunks"])))
            suite.passed += 1
            suite.counts.update(value["counts"])
            suite.require = {**suite.require, **value["require"]}

    def check(self) -> list[str]:
        """Every shortfall of a suite whose chunks all passed."""
        return [f"{name}: {problem}" for name, suite in sorted(self.suites.items())
                if suite.passed == suite.chunks for problem in suite.shortfalls()]

    # --- hooks ---------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        if not hasattr(config, "workerinput"):  # a plain session or the xdist controller
            os.environ.setdefault(FUZZ_SEED, str(random.SystemRandom().randrange(2**32)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.passed:
            self.add(report.user_properties)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(session.config, "workerinput"):
            return  # the controller sums and checks
        self.failures = self.check()
        if self.failures and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for name, suite in sorted(self.suites.items()):
            figures = suite.figures()
            whole = ("" if suite.passed == suite.chunks else
                     "; not every chunk passed or ran, so the suite's totals are not checked")
            terminalreporter.write_line(
                f"proof: {name}: {suite.passed} of {suite.chunks} chunks passed: {figures}{whole}")
        for failure in self.failures:
            terminalreporter.write_line(f"  PROOF SHORT {failure}", red=True, bold=True)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ProofTotals(), "ttconfig-proof-totals")


@pytest.fixture
def proof_record(request: pytest.FixtureRequest) -> Recorder:
    """`record()` for the running chunk."""
    item = request.node
    assert isinstance(item, pytest.Item)

    def recorder(suite: str, chunks: int, counts: Mapping[str, int],
                 require: Mapping[str, int]) -> None:
        record(item, suite, chunks, counts, require)

    return recorder

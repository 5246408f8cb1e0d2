"""One fast sandbox and client for the proof suites, and the workers that run them.

The sandbox runs TT's rules (paging, batching, pacing, tokens) with the clock turned up: a
high usage plan of thousands of requests per second and a short POST pause, so hundreds of
plan/apply rounds fit in a CI run. The client is the real one, over real HTTP.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from tests.proof.firms import TT_ENVIRONMENT
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings, UsagePlan
from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.secret import Secret

PAUSE = 0.002
T = TypeVar("T")


def count(variable: str, default: int) -> int:
    """A suite's size: the CI default, or more from the environment (the nightly run)."""
    return int(os.environ.get(variable, default))


def worker_processes() -> int:
    """Processes a chunk fans out to: `TTCONFIG_PROOF_WORKERS`, else one under pytest-xdist
    (its workers already use every core: more would only fight over them), else one per
    core."""
    if "TTCONFIG_PROOF_WORKERS" in os.environ:
        return count("TTCONFIG_PROOF_WORKERS", 1)
    if "PYTEST_XDIST_WORKER" in os.environ:
        return 1
    return os.cpu_count() or 1


def in_workers(work: Callable[[Sequence[int]], T], rounds: range) -> list[T]:
    """Run `rounds` split over worker processes (`worker_processes()`), each with its own
    sandbox: the client and the sandbox share one interpreter lock, so processes are what
    use a second core."""
    workers = max(1, min(len(rounds), worker_processes()))
    shares = [rounds[w::workers] for w in range(workers)]
    if workers == 1:
        return [work(shares[0])]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(work, shares))


def fast_sandbox() -> Sandbox:
    settings = SandboxSettings(usage_plans={"high": UsagePlan(5000, 10**9)},
                               usage_plan_override="high", post_pause_seconds=PAUSE,
                               burst_seconds=10, strict=True)
    return Sandbox(settings=settings)


def client_config(sandbox: Sandbox, base_url: str | None = None,
                  retry: RetryPolicy | None = None) -> ClientConfig:
    key, secret = sandbox.credentials(TT_ENVIRONMENT)
    return ClientConfig(environment=TT_ENVIRONMENT, base_url=base_url or sandbox.base_url,
                        usage_plan="high", rate_safety=150.0, post_pause_seconds=PAUSE,
                        max_in_flight=2,
                        credentials=Credentials(Secret(key), Secret(secret)),
                        retry=retry or RetryPolicy(base_seconds=0.005, cap_seconds=0.05,
                                                   max_retry_after_seconds=0.1))


def api_writes(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Writes a client made (not web-UI edits); a late commit counts as the client's."""
    return [w for w in sandbox.writes() if w["source"] != "ui"]

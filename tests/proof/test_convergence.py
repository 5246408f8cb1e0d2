"""Convergence: random desired/live pairs converge in one apply.

Each round resets the sandbox's prod firm, edits it at random as TT's web UI would (the
live side), draws a random desired slice of the demo firm, and applies. Then: the apply
reports no failure and no divergence; no risk field was ever looser, after any of its
writes, than the looser of its value before and after the apply (tests/proof/never_looser.py);
it wrote exactly the plan's requests; live as it then
holds it (the plan's read, with what it wrote to read again) plans nothing; and a second apply,
of that empty plan, writes nothing. (A write changes only the object it is sent to, and the
writes are exactly the planned ones, so what was not read again is as the plan found it.)
`TTCONFIG_CONVERGENCE` sets the number of pairs (CI: 500); `TTCONFIG_SEED` replays a run.
The client talks to the sandbox's ASGI app in process (`httpx.ASGITransport`): every rule of
the gateway and the services, without the sockets (the fault suite proves the wire).
Every CHECK-th pair also compares that live with a full read.
The pairs run as chunks of CHUNK (pair i always draws from seed + i), so pytest-xdist spreads
them over every core; tests/proof/totals.py sums the chunks' figures.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from tests.proof.firms import TT_ENVIRONMENT, desired, scramble_live
from tests.proof.harness import (
    api_writes,
    client_config,
    count,
    fast_sandbox,
    in_workers,
)
from tests.proof.never_looser import Touched, Watch, looser_than_bounds, snapshot
from tests.proof.totals import Recorder, chunk_id, chunks
from ttconfig.live.read import read_live, scope_of, to_models
from ttconfig.runs.apply.applier import Applier
from ttconfig.runs.audit import AuditLog
from ttconfig.runs.planning import plan_from
from ttconfig.sandbox.server import Sandbox
from ttconfig.tt.client import TTClient

PAIRS = count("TTCONFIG_CONVERGENCE", 500)
SEED = count("TTCONFIG_SEED", 20261121)
CHUNK = 25
CHECK = 5
"""Pairs per test: ~10 s on one core, far from the timeout even on a busy machine."""


async def _pair(sandbox: Sandbox, tt: TTClient, index: int, folder: Path,
                totals: Counter[str]) -> list[str]:
    rng = random.Random(SEED + index)
    sandbox.reset()
    edits = scramble_live(sandbox, rng, rng.randint(0, 6))
    firm = desired(rng)
    live = await read_live(tt, scope_of(firm))
    plan = plan_from(firm, "prod", live)
    applier = Applier(tt, firm, "prod", live, AuditLog(folder / f"{index}.jsonl", {}),
                      settle_seconds=0.0)
    env = sandbox.store.env(TT_ENVIRONMENT)
    company = next(c for c, r in env.companies.items() if r["name"] == live.company.name)
    touched = Touched.of(plan)
    with sandbox.store.lock:
        before = snapshot(env, company, touched)
    with Watch(sandbox, TT_ENVIRONMENT, company, touched) as watch:
        result = await applier.apply(plan)
    with sandbox.store.lock:
        looser = looser_than_bounds(before, snapshot(env, company, touched), watch.snapshots)
    written = len(api_writes(sandbox))
    # The apply's last act was reading back what it wrote to: plan from live as it holds it.
    after = plan_from(firm, "prod", applier.live)
    second = await Applier(tt, firm, "prod", applier.live,
                           AuditLog(folder / f"{index}-2.jsonl", {}),
                           settle_seconds=0.0).apply(after)
    requests = plan.summary.requests
    # Every CHECK-th pair also reads everything again: live as the applier holds it (its
    # read, completed by the read-back) must be exactly what a full read finds.
    held_is_live = index % CHECK or to_models(applier.live) == to_models(
        await read_live(tt, scope_of(firm)))
    totals.update({"requests": requests, "in sync": plan.empty,
                   "live edits": len(edits)})
    found = [
        *([f"apply failed: {result.failure}"] if result.failure else []),
        *(["transiently looser: " + "; ".join(looser[:5])] if looser else []),
        *([f"{len(watch.snapshots)} states watched for {written} writes"]
          if len(watch.snapshots) != written else []),
        *([f"diverged: {[c.key for c in result.diverged]}"] if result.diverged else []),
        *([f"{written} writes for {requests} planned requests"] if written != requests else []),
        *([f"next plan not empty: {[c.key for c in after.changes]}"] if not after.empty
          else []),
        *([] if held_is_live else ["live as the apply holds it differs from a full read"]),
        *([f"second apply wrote {len(api_writes(sandbox)) - written} times"]
          if len(api_writes(sandbox)) != written or second.failure or second.diverged
          else []),
    ]
    return [f"pair {index} (TTCONFIG_SEED={SEED}; live edits {edits}): " + "; ".join(found)
            ] if found else []


def _pairs(indexes: Sequence[int]) -> tuple[list[str], Counter[str]]:
    """One worker's share of the pairs, against its own sandbox."""
    problems: list[str] = []
    totals: Counter[str] = Counter()
    with fast_sandbox() as sandbox, tempfile.TemporaryDirectory() as folder:

        async def run() -> None:
            # In process, through the sandbox's own ASGI app: the same gateway and services
            # without sockets, which cost half a pair's CPU (the wire itself is the fault
            # suite's subject, over real HTTP).
            async with TTClient(client_config(sandbox),
                                transport=httpx.ASGITransport(app=sandbox.app)) as tt:
                for index in indexes:
                    problems.extend(await _pair(sandbox, tt, index, Path(folder), totals))

        asyncio.run(run())
    return problems, totals


@pytest.mark.timeout(240)
@pytest.mark.parametrize("pairs", chunks(PAIRS, CHUNK), ids=chunk_id)
def test_random_desired_live_pairs_converge_in_one_apply(pairs: range,
                                                         proof_record: Recorder) -> None:
    started = time.perf_counter()
    problems: list[str] = []
    totals: Counter[str] = Counter()
    for found, counted in in_workers(_pairs, pairs):
        problems += found
        totals.update(counted)
    proof_record("convergence", len(chunks(PAIRS, CHUNK)),
                 {"pairs": len(pairs), "failed": len(problems), **totals}, {"pairs": PAIRS})
    summary = (f"convergence: pairs {chunk_id(pairs)} of {PAIRS} random desired/live pairs "
               f"({totals['live edits']} live edits), {totals['requests']} write requests "
               f"planned, {totals['in sync']} already in sync, {len(problems)} failed, "
               f"{time.perf_counter() - started:.1f} s")
    print(summary)
    assert not problems, summary + "\n" + "\n".join(problems[:20])

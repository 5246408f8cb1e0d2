"""Benchmark: the client's peak memory and time against each hostile TT ([I] 2).

Each server (tests/tt/hostile.py) runs on loopback; each case runs in its own process, so
its peak resident memory (ru_maxrss) is its own. The client has its default caps (64 MiB
per answer, 2,000 pages per listing), except the trickle's deadline, shortened from 120 s
so the run takes seconds (`--deadline`). Goal: every case ends in a clear error, under
300 MiB.

    python -m benchmarks.hostile
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import time
from collections.abc import Callable

from tests.tt.hostile import (
    Answer,
    Behaviour,
    HostileServer,
    endless_json,
    endless_pages,
    gzip_bomb,
    trickle,
)
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import RetryPolicy
from ttconfig.tt.errors import TTError

CASES: dict[str, Callable[[], Behaviour]] = {
    "gzip bomb (1 MiB on the wire, 1 GiB inflated)": lambda: _always(gzip_bomb(2**30)),
    "endless JSON body": lambda: lambda r: endless_json(),
    "endless listing (a fresh nextPageKey each page)": endless_pages,
    "trickle (a byte every 0.5 s)": lambda: lambda r: trickle(0.5),
}


def _always(answer: Answer) -> Behaviour:
    """The same answer to every request, made before the server starts (a bomb takes
    seconds to compress)."""
    return lambda request: answer


def _case(name: str, deadline: float, out: multiprocessing.SimpleQueue) -> None:  # type: ignore[type-arg]
    behaviour = CASES[name]()
    with HostileServer(behaviour) as server:
        config = server.config(request_deadline_seconds=deadline,
                               retry=RetryPolicy(max_attempts=2, base_seconds=0.05))

        async def read() -> str:
            async with TTClient(config) as tt:
                try:
                    await tt.accounts.list()
                except TTError as error:
                    return f"{type(error).__name__}: {error.message}"
            return "no error (!)"

        started = time.perf_counter()
        said = asyncio.run(read())
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((name, seconds, peak, len(server.requests), said))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=3.0,
                        help="the request deadline for the trickle (default 3 s)")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    print(f"{'case':50} {'time':>8} {'peak RSS':>10} {'requests':>9}  ends with")
    for name in CASES:
        out = context.SimpleQueue()
        process = context.Process(target=_case, args=(name, args.deadline, out))
        process.start()
        process.join(600)
        if process.exitcode != 0 or out.empty():
            print(f"{name:50} the case's process ended with exit code {process.exitcode}")
            continue
        case, seconds, peak, requests, said = out.get()
        print(f"{case:50} {seconds:7.1f}s {peak:7.0f} MiB {requests:9}  {said[:90]}")


if __name__ == "__main__":
    main()

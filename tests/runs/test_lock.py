"""The environment lock: one apply per environment, a refused second apply names the first."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from ttconfig.errors import TTConfigError, UsageError
from ttconfig.runs.audit import actor
from ttconfig.runs.lock import EnvironmentLock, LockHeld, LockInfo, UnlockRefused

PLAN = "3f2a9c1b0d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4"


@pytest.fixture
def locks(tmp_path: Path) -> Path:
    return tmp_path / ".ttconfig" / "locks"


def test_acquire_writes_holder_and_release_removes_it(locks: Path) -> None:
    lock = EnvironmentLock(locks, "prod")
    info = lock.acquire(plan=PLAN)

    assert lock.path == locks / "prod.lock"
    assert stat.S_IMODE(lock.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(locks.stat().st_mode) == 0o700
    assert (info.environment, info.pid, info.host, info.who, info.plan, info.operation) == (
        "prod", os.getpid(), socket.gethostname(), actor(), PLAN, "apply")
    assert len(info.id) == 32
    assert int(info.id, 16) >= 0
    assert info.created_at.endswith("+00:00")
    assert "." not in info.created_at
    written = json.loads(lock.path.read_text())
    assert written == {"id": info.id, "environment": "prod", "who": info.who,
                       "host": info.host, "pid": info.pid, "created_at": info.created_at,
                       "plan": PLAN, "operation": "apply"}
    assert lock.holder() == info

    lock.release(info)

    assert not lock.path.exists()
    assert lock.holder() is None
    assert lock.acquire(plan=None).plan is None


def test_second_acquire_is_refused_with_the_first_holder(locks: Path) -> None:
    first = EnvironmentLock(locks, "prod").acquire(plan=PLAN)

    with pytest.raises(LockHeld) as refused:
        EnvironmentLock(locks, "prod").acquire(plan=None)

    error = refused.value
    assert error.exit_code == 5
    assert isinstance(error, TTConfigError)
    assert (error.info.id, error.info.who, error.info.pid) == (first.id, first.who, first.pid)
    message = str(error)
    assert message.startswith("environment prod is locked by ")
    assert f"{first.who} on host {first.host} (pid {first.pid}) since {first.created_at}" in message
    assert PLAN[:12] in message
    assert PLAN not in message
    assert f"process {first.pid} is still running" in message
    assert message.endswith(
        f"If that apply is gone, break the lock with: ttconfig unlock -e prod --id {first.id}")
    assert EnvironmentLock(locks, "prod").holder() == first


def test_release_leaves_a_lock_it_does_not_hold(locks: Path) -> None:
    lock = EnvironmentLock(locks, "prod")
    mine = lock.acquire(plan=PLAN)
    lock.break_lock(mine.id)
    theirs = lock.acquire(plan=None)

    lock.release(mine)

    assert lock.holder() == theirs
    lock.release(replace(theirs, id="0" * 32))
    assert lock.holder() == theirs
    lock.release(theirs)
    assert lock.holder() is None
    lock.release(theirs)  # releasing a lock already gone is quiet


def test_break_lock_needs_the_holders_id(locks: Path) -> None:
    lock = EnvironmentLock(locks, "prod")
    held = lock.acquire(plan=PLAN)

    with pytest.raises(UnlockRefused) as refused:
        lock.break_lock("f" * 32)

    assert isinstance(refused.value, UsageError)
    assert refused.value.exit_code == 64
    assert refused.value.holder == held
    assert f"lock id {'f' * 32} does not match" in str(refused.value)
    assert held.id in str(refused.value)
    assert held.who in str(refused.value)
    assert lock.holder() == held

    assert lock.break_lock(held.id) == held
    assert not lock.path.exists()


def test_break_lock_without_a_lock_says_so(locks: Path) -> None:
    with pytest.raises(UnlockRefused, match="environment uat is not locked") as refused:
        EnvironmentLock(locks, "uat").break_lock("a" * 32)
    assert refused.value.holder is None


@pytest.mark.parametrize("content", [b"", b"{\"id\": \"abc\"", b"not json\n", b"[1, 2]",
                                     b"{\"id\": 1}"])
def test_a_corrupt_lock_file_is_held_and_can_be_broken_by_its_id(
        locks: Path, content: bytes) -> None:
    locks.mkdir(parents=True)
    (locks / "prod.lock").write_bytes(content)
    an_hour_ago = time.time() - 3600
    os.utime(locks / "prod.lock", (an_hour_ago, an_hour_ago))
    lock = EnvironmentLock(locks, "prod")

    with pytest.raises(LockHeld) as refused:
        lock.acquire(plan=PLAN)

    info = refused.value.info
    assert info.problem is not None
    assert info.id.startswith("unreadable-")
    message = str(refused.value)
    assert "an unreadable lock file" in message
    assert str(lock.path) in message
    assert f"last written {info.created_at}" in message
    assert abs(datetime.fromisoformat(info.created_at).timestamp() - an_hour_ago) < 2
    assert message.endswith(f"If no apply is running, break the lock with: "
                            f"ttconfig unlock -e prod --id {info.id}")
    assert lock.path.read_bytes() == content
    assert lock.holder() == info

    with pytest.raises(UnlockRefused):
        lock.break_lock("unreadable-0000000000000000")
    assert lock.break_lock(info.id) == info
    assert lock.acquire(plan=PLAN).plan == PLAN


def test_a_lock_file_caught_between_creation_and_writing_is_read_once_written(
        locks: Path) -> None:
    writer = EnvironmentLock(locks, "prod")
    info = writer.acquire(plan=PLAN)
    written = writer.path.read_bytes()
    writer.path.write_bytes(b"")  # as a racer sees it right after the creator's O_EXCL open
    filler = threading.Timer(0.05, writer.path.write_bytes, args=(written,))
    filler.start()

    try:
        holder = EnvironmentLock(locks, "prod").holder()
    finally:
        filler.join()

    assert holder == info


def test_a_lock_of_another_environment_is_not_taken_as_this_one(locks: Path) -> None:
    uat = EnvironmentLock(locks, "uat")
    uat.acquire(plan=PLAN)
    locks.joinpath("prod.lock").write_bytes(uat.path.read_bytes())

    holder = EnvironmentLock(locks, "prod").holder()

    assert holder is not None
    assert holder.problem is not None


def _apply_under_lock(lock: EnvironmentLock, failure: BaseException) -> None:
    with lock.held(plan=PLAN) as info:
        assert lock.holder() == info
        raise failure


def test_the_context_manager_releases_when_the_block_fails(locks: Path) -> None:
    lock = EnvironmentLock(locks, "prod")

    with pytest.raises(RuntimeError, match="apply failed"):
        _apply_under_lock(lock, RuntimeError("apply failed"))
    assert lock.holder() is None

    with pytest.raises(KeyboardInterrupt):
        _apply_under_lock(lock, KeyboardInterrupt())
    assert lock.holder() is None


def test_environments_lock_independently(locks: Path) -> None:
    uat = EnvironmentLock(locks, "uat").acquire(plan=PLAN)
    prod = EnvironmentLock(locks, "prod").acquire(plan=PLAN)

    assert sorted(p.name for p in locks.iterdir()) == ["prod.lock", "uat.lock"]
    assert EnvironmentLock(locks, "uat").holder() == uat
    assert EnvironmentLock(locks, "prod").holder() == prod
    EnvironmentLock(locks, "uat").release(uat)
    assert EnvironmentLock(locks, "prod").holder() == prod


@pytest.mark.parametrize("name", ["", "../prod", "a/b", ".hidden", "prod lock"])
def test_an_environment_name_cannot_leave_the_lock_directory(locks: Path, name: str) -> None:
    with pytest.raises(UsageError, match="not an environment name"):
        EnvironmentLock(locks, name)


def test_a_lock_of_a_dead_process_on_this_host_is_stale_but_held(locks: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = EnvironmentLock(locks, "prod")
    info = lock.acquire(plan=PLAN)
    lock.path.write_text(json.dumps({**json.loads(lock.path.read_text()), "pid": dead.pid}))

    with pytest.raises(LockHeld) as refused:
        lock.acquire(plan=PLAN)

    assert refused.value.info.pid == dead.pid
    assert f"process {dead.pid} is not running: the lock looks stale" in str(refused.value)
    assert lock.path.exists()
    assert lock.holder() == replace(info, pid=dead.pid)


def test_liveness_is_not_judged_for_another_host() -> None:
    info = LockInfo(id="a" * 32, environment="prod", who="ci (CI)", host="not-" +
                    socket.gethostname(), pid=999_999_999, created_at="2024-05-01T12:00:00+00:00",
                    plan=None, operation="apply")

    described = info.describe()

    assert "running" not in described
    assert "plan not yet known" in described
    assert "days ago" in described


ROUNDS = 20
RACERS = 8


def _race(directory: str, outcomes: str, racer: int, barrier: Barrier) -> None:
    """One racer: at each round, all try to take prod's lock at once, then the winner lets go."""
    lock = EnvironmentLock(Path(directory), "prod")
    for round_ in range(ROUNDS):
        barrier.wait(timeout=30)
        info: LockInfo | None = None
        try:
            info = lock.acquire(plan=f"round {round_}")
            outcome = f"acquired {info.id}"
        except LockHeld as exc:
            outcome = f"held {exc.info.id}"
        except Exception as exc:
            outcome = f"error {exc!r}"
        Path(outcomes, f"{round_}-{racer}").write_text(outcome)
        barrier.wait(timeout=30)  # nobody releases before every racer has tried
        if info is not None:
            lock.release(info)


def test_racing_processes_take_the_lock_exactly_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(RACERS)
    directory = tmp_path / "locks"  # created by the racers themselves, racing too
    outcomes = tmp_path / "outcomes"
    outcomes.mkdir()
    racers = [context.Process(target=_race, args=(str(directory), str(outcomes), n, barrier))
              for n in range(RACERS)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert [racer.exitcode for racer in racers] == [0] * RACERS

    for round_ in range(ROUNDS):
        results = [Path(outcomes, f"{round_}-{n}").read_text() for n in range(RACERS)]
        winners = [r.split()[1] for r in results if r.startswith("acquired ")]
        assert len(winners) == 1, results
        assert sorted(results) == sorted([f"acquired {winners[0]}"]
                                         + [f"held {winners[0]}"] * (RACERS - 1)), results
    assert not (directory / "prod.lock").exists()

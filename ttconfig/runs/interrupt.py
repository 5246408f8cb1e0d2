"""Signals end an apply the way a failure does: recorded, unlocked, summarised.

Without this, SIGTERM (what CI runners and `timeout` send before they kill) ended ttconfig
at once: no outcome for the write in flight, the lock kept, nothing printed. Under
`Signals.run`, SIGTERM cancels the running task as Ctrl-C does; the applier records the
in-flight write as interrupted and returns its result, the lock is released on the way out,
and the command exits 128 + the signal (130, 143).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
HANDLED = (signal.SIGTERM,)
"""SIGINT stays asyncio's: it cancels the task the same way, and a second Ctrl-C still
raises at once (at a confirmation prompt, where the loop is not running)."""


class Interrupted(BaseException):
    """A signal stopped a run before it had anything to report (exit 128 + signal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


@dataclass
class Signals:
    received: int | None = None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`asyncio.run(work)`, where SIGTERM cancels it (and is remembered) instead of
        killing the process; a cancellation `work` does not absorb raises Interrupted."""
        try:
            return asyncio.run(self._watched(work))
        except (asyncio.CancelledError, KeyboardInterrupt):
            if self.received is None:
                raise
            raise Interrupted(self.received) from None

    async def _watched(self, work: Coroutine[Any, Any, T]) -> T:
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        installed = []
        for signum in HANDLED:
            try:
                loop.add_signal_handler(signum, self._stop, signum, task)
                installed.append(signum)
            except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
                pass
        try:
            return await work
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    def _stop(self, signum: int, task: asyncio.Task[Any]) -> None:
        if self.received is None:
            self.received = signum
            task.cancel()

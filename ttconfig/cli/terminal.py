"""The terminal side of a run: progress bars on stderr, and the confirmation prompt.

Workflows take these as callbacks (`Reach.reading`, `Conversation`), so what a run decides
never depends on whether a person is watching; bars are drawn only on a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import Progress as ProgressBar

from ttconfig.core.plan import Plan
from ttconfig.live.read import Progress
from ttconfig.render.console import colour_enabled
from ttconfig.tt.config import ClientConfig

err = Console(stderr=True)


def note(text: str) -> None:
    """Say something a person running the command may like to know (what a read cost,
    what promote left out) on stderr; `-q` silences it. Warnings and errors are not
    notes."""
    if not err.quiet:
        click.echo(text, err=True)


def colour() -> bool:
    """Colour on stdout: off with the group's --no-color, NO_COLOR or off a terminal."""
    return colour_enabled(bool(click.get_current_context().find_root().params.get("no_color")))


VERIFYING = "verifying: reading back what the apply wrote to"
"""What apply is doing after its last write (labelled: it takes a read's time)."""
EVERY_SECONDS = 10.0
"""Off a terminal (CI), a long read or apply says how far it got this often."""


class ProgressLines:
    """Progress as a line every EVERY_SECONDS when no bar can be drawn (a CI log), so a
    long run is never silent for minutes."""

    def __init__(self, what: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.what, self.clock = what, clock
        self.last = clock()

    def __call__(self, done: int, total: int) -> None:
        if err.is_terminal or err.quiet or self.clock() - self.last < EVERY_SECONDS:
            return
        self.last = self.clock()
        share = f" ({done / total:.0%})" if total else ""
        click.echo(f"{self.what}: {done:,} of {total:,} requests{share}", err=True)


@contextmanager
def reading(config: ClientConfig, environment: str) -> Iterator[Progress]:
    """Say what the read of `environment` will cost, then show its progress (a bar on a
    terminal, a line every EVERY_SECONDS elsewhere); both name the environment, as gate
    reads two."""
    said = False
    what = f"Reading live TT ({environment})"
    lines = ProgressLines(what)
    with ProgressBar(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(f"reading live TT ({environment})", total=None)

        def progress(done: int, total: int) -> None:
            nonlocal said
            if not said:
                said = True
                err.print(f"{what}: {total:,} requests, the listings included "
                          f"(≥ {total / config.requests_per_second:.0f} s at the "
                          f"{config.usage_plan} plan).", highlight=False, soft_wrap=True)
            bar.update(task, completed=done, total=total)
            lines(done, total)

        yield progress


@contextmanager
def writing(plan: Plan) -> Iterator[Progress]:
    """apply's bar: requests sent, each followed by TT's write pause."""
    lines = ProgressLines("Applying")
    with ProgressBar(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("applying (1 s pause after each write)",
                            total=plan.summary.requests)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done)
            lines(done, total)
            if done == total:  # the last write: the applier reads back what it wrote to
                bar.update(task, description=VERIFYING)
                if not err.is_terminal:
                    note(f"{VERIFYING[0].upper()}{VERIFYING[1:]}…")

        yield progress


def confirm(plan: Plan) -> bool:
    """Ask before writing to TT (Ctrl-C or end of input aborts: exit 130)."""
    return click.confirm(f"Apply these changes to {plan.tt_environment}?")

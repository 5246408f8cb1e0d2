"""Where renders meet the terminal, and the one place that decides colour.

Colour is for a person at a terminal. rich decides what a terminal is — NO_COLOR (any
non-empty value, no-color.org), FORCE_COLOR and TTY_COMPATIBLE, TERM=dumb, whether stdout
is a tty — and `--no-color` overrides it; then a render is printed either as its exact
string (a file, a pipe, a CI log, or colour turned off) or through rich with its styles.
rich never wraps, crops, highlights or reads markup in a render: a plan line is as long as
its values, and `[HIGH]` is text, not a tag.
"""

from __future__ import annotations

import sys

from rich.console import Console

from ttconfig.render.styled import Styled


def colour_enabled(no_color: bool = False) -> bool:
    """Whether stdout gets colour; `no_color` is the command line's `--no-color`."""
    probe = Console()
    return not (no_color or probe.no_color or probe.color_system is None)


def console(*, colour: bool) -> Console:
    """stdout through rich for renderables (tables) and the lines around them; without
    colour it emits no escape codes at all — not even bold, which rich's own NO_COLOR mode
    keeps. Tables fit the terminal; a line of text is never wrapped (a grep finds it whole),
    and strings are TT's names, never markup: `[abc]` in an account name is text."""
    if colour:
        return Console(force_terminal=True, soft_wrap=True, highlight=False, markup=False,
                       emoji=False)
    return Console(color_system=None, soft_wrap=True, highlight=False, markup=False,
                   emoji=False)


def show(output: str, *, colour: bool) -> None:
    """Print a render as it is; with colour, a `Styled` render in its styles."""
    if colour and isinstance(output, Styled):
        console(colour=True).print(output.rich(), end="")
        return
    sys.stdout.write(output)
    sys.stdout.flush()

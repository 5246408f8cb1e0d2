"""The `ttconfig` command line: the group, and the one place errors become exit codes.

The commands live beside this module, one module per part of the work (`plan`: the plan →
apply loop; `promote`: UAT → prod; `setup`: validate, schema, import, inspect, audit;
`sandbox`), each parsing options, calling one workflow of `ttconfig.runs` and rendering
what it returns. Exit codes (shared/DESIGN.md): 0 success, 1 error, 2 changes or drift,
3 invalid configuration, 4 refused by policy, 5 stale plan, 64 usage, 130 interrupt
(Ctrl-C), 143 terminated (SIGTERM).

`cli.main()` maps errors to exit codes itself, so click's test runner goes through exactly
what a user's run goes through; tests pass a faster `Connector` as the context object.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from ttconfig import __version__
from ttconfig.cli import plan, promote, sandbox, setup
from ttconfig.cli.terminal import err
from ttconfig.desired.loader import Problem
from ttconfig.errors import ConfigError, TTConfigError, UsageError
from ttconfig.render.staleness import error_text
from ttconfig.runs.interrupt import Interrupted

USAGE_EXIT = 64
INTERRUPTED_EXIT = 130
GLOBAL_FLAGS = frozenset({"-v", "--verbose", "-q", "--quiet", "--no-color"})
"""The group's flags, which every command also takes after its name."""


def hoisted(group: click.Group, args: Sequence[str]) -> list[str]:
    """`args` with the group's flags that follow the command moved before it, so that
    `ttconfig plan -e uat -v` means `ttconfig -v plan -e uat` (as Terraform and git users
    expect). A token that is the value of the option before it stays where it is."""
    args = list(args)
    index = next((i for i, token in enumerate(args) if token in group.commands), None)
    if index is None:
        return args
    takes_value = _value_options(group.commands[args[index]])
    moved, kept = [], args[:index + 1]
    previous = None
    for token in args[index + 1:]:
        if token in GLOBAL_FLAGS and previous not in takes_value and "--" not in kept:
            moved.append(token)
        else:
            kept.append(token)
        previous = token
    return moved + kept


def _value_options(command: click.Command) -> set[str]:
    """The option names of `command` (and its subcommands) that take a value."""
    names = {name for param in command.params if isinstance(param, click.Option)
             and not param.is_flag and not param.count
             for name in (*param.opts, *param.secondary_opts)}
    for sub in getattr(command, "commands", {}).values():
        names |= _value_options(sub)
    return names


class Commands(click.Group):
    """The `ttconfig` group: its `main` never shows a user a traceback for a known error."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> NoReturn:
        """Run the command and exit with its code (standalone_mode is always on)."""
        args = hoisted(self, sys.argv[1:] if args is None else args)
        try:
            code = _run(super().main, args, prog_name, complete_var,
                        windows_expand_args=windows_expand_args, **extra)
        except (click.exceptions.Abort, KeyboardInterrupt):
            err.print("Interrupted.")
            sys.exit(INTERRUPTED_EXIT)
        except Interrupted as stop:  # a signal before there was anything to report
            err.print("Terminated." if stop.signum == signal.SIGTERM else "Interrupted.")
            sys.exit(stop.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(USAGE_EXIT if isinstance(exc, click.UsageError) else exc.exit_code)
        except ConfigError as exc:
            _print_problems(exc)
            sys.exit(exc.exit_code)
        except TTConfigError as exc:
            err.print(f"Error: {error_text(exc)}", markup=False, highlight=False,
                      soft_wrap=True)
            sys.exit(USAGE_EXIT if isinstance(exc, UsageError) else exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _run(main: Any, *args: Any, **options: Any) -> Any:
    """The group's own main; whatever ends it, -q no longer silences what is said next
    (quiet hides notes, never the error that ends a run)."""
    try:
        return main(*args, standalone_mode=False, **options)
    finally:
        err.quiet = False


def _print_problems(error: ConfigError) -> None:
    """Every problem on its own line, and as annotations when running in GitHub Actions."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in error.problems:
            if isinstance(problem, Problem):
                print(problem.annotation())


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ttconfig")
@click.option("-v", "--verbose", is_flag=True, help="Log every TT request (never secrets).")
@click.option("-q", "--quiet", is_flag=True,
              help="Say only results, warnings and errors (no progress, no notes).")
@click.option("--no-color", is_flag=True,
              help="No colour, even on a terminal (as NO_COLOR=1 does).")
def cli(verbose: bool, quiet: bool, no_color: bool) -> None:
    """Risk configuration as code for the Trading Technologies platform.

    The flags above work before or after the command (`ttconfig plan -e uat -q`).

    \b
    Examples:
      ttconfig plan -e uat --sandbox
      ttconfig init prod --tt-environment ext_prod_live --company "Harbor Point Trading"
      ttconfig COMMAND -h
    """
    err.no_color = no_color or os.environ.get("NO_COLOR", "") != ""  # progress bars too
    err.quiet = quiet
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s",
                            stream=sys.stderr)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        logging.getLogger("ttconfig.tt").setLevel(logging.NOTSET)
        return
    logging.getLogger("ttconfig.tt").setLevel(logging.WARNING)  # each request: -v only
    if not any(isinstance(h, _Said) for h in _NOTICES.handlers):
        _NOTICES.addHandler(_Said(logging.INFO))
    _NOTICES.setLevel(logging.WARNING if quiet else logging.INFO)


_NOTICES = logging.getLogger("ttconfig")


class _Said(logging.Handler):
    """What the package logs as a notice (an audit log moved to its new name, the day's
    spend of the TT quota) is said on stderr like every other line a command says (-v logs
    it with everything else)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(record.getMessage(), err=True)


for _command in (*plan.COMMANDS, *promote.COMMANDS, *setup.COMMANDS, *sandbox.COMMANDS):
    cli.add_command(_command)


def main() -> NoReturn:
    """Entry point (the `ttconfig` console script and `python -m ttconfig`)."""
    cli.main()

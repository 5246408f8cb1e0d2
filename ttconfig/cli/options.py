"""The options several commands share, each declared once, and what they gather into.

A command takes `connection: ConnectionOptions` instead of four parameters, `selection:
SelectionOptions` instead of two, and so on: `gathered` declares the click options and
hands the command one frozen dataclass built from them. Defaults of `.ttconfig/` paths come
from `runs.paths`, so a help text and the code that writes there cannot disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from ttconfig.render.formats import Format
from ttconfig.runs.apply.workflow import OverrideOptions
from ttconfig.runs.connection import Connect, ConnectionOptions, Connector
from ttconfig.runs.paths import AUDIT_DIR, LOCK_DIR, Layout
from ttconfig.runs.planning import Reach, Reading, SelectionOptions
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES
from ttconfig.tt import wire

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

ENVIRONMENTS_DIR = click.option(
    "--environments-dir", type=click.Path(path_type=Path, file_okay=False),
    default=Path("environments"), show_default=True,
    help="The folder holding one folder per environment.")


def format_option(*, help: str) -> Decorator:
    """`--format text|markdown|json` (`render.formats.Format`), with what it formats said."""
    return click.option("--format", "output_format", default=Format.TEXT.value,
                        show_default=True, type=click.Choice([f.value for f in Format]),
                        help=help)


FORMAT = format_option(help="text for a terminal, markdown for a PR comment, json for tools.")
SANDBOX = click.option("--sandbox", is_flag=True,
                       help="Use the built-in TT sandbox (in-process, on loopback; state under "
                            ".ttconfig/); no credentials needed.")
BASE_URL = click.option("--base-url", default=wire.BASE_URL, show_default=True,
                        help="TT's base URL (credentials from TT_<ENV>_APP_KEY/_APP_SECRET).")
USAGE_PLAN = click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default=None,
                          help="The app key's TT usage plan (sets the request rate).")
COMPANY_NAME = click.option("--company-name", envvar="TTCONFIG_COMPANY", default=None,
                            help="Company name used in requestIds.")
TARGETS = click.option("--target", "targets", multiple=True, metavar="KIND:NAME",
                       help="Only these objects (globs allowed; repeatable); "
                       "`links:GLOB` names account↔user links by key, account or user.")
EXCLUDES = click.option("--exclude", "excludes", multiple=True, metavar="KIND:NAME",
                        help="Leave these objects out (globs allowed; repeatable).")
AUDIT = click.option("--audit-dir", type=click.Path(path_type=Path, file_okay=False),
                     default=AUDIT_DIR, show_default=True,
                     help="Where the audit logs are (one per TT environment and company).")
LOCKS = click.option("--lock-dir", type=click.Path(path_type=Path, file_okay=False),
                     default=LOCK_DIR, show_default=True,
                     help="Where the locks are that keep one apply per environment.")


PROFILE_CHOICES = {"links": ("account-users", "accountusers"),
                   "users": ("ttuser", "usersprovision")}
PROFILE_HELP = "; ".join(f"{k}={'|'.join(v)}" for k, v in PROFILE_CHOICES.items())


def _profile_switches(ctx: click.Context, param: click.Parameter,
                      given: tuple[str, ...]) -> dict[str, str]:
    """`links=accountusers` and the like → {"links": "accountusers"}."""
    chosen = {}
    for item in given:
        switch, _, choice = item.partition("=")
        if choice not in PROFILE_CHOICES.get(switch, ()):
            raise click.BadParameter(f"{item!r}: one of {PROFILE_HELP}", ctx, param)
        chosen[switch] = choice
    return chosen


def profile(*, help: str) -> Decorator:
    """`--profile SWITCH=CHOICE`: wire-profile switches (contract §9), as a dict."""
    return click.option("--profile", "profile", multiple=True, metavar="SWITCH=CHOICE",
                        callback=_profile_switches, help=help)


def environment(*, default: str | None = None, required: bool = False,
                help: str = "The environment folder: environments/<ENV>/.") -> Decorator:
    """`-e/--env`: an environment folder's name, the user's own (`uat`, `meridian-prod`):
    which TT environment it is, its environment.yaml says. A name with no folder is
    refused where the folder is read, naming the folders there are."""
    return click.option("-e", "--env", "environment", default=default, required=required,
                        metavar="ENV", show_default=default is not None, help=help)


def gathered(name: str, build: Callable[..., object],
             options: Mapping[str, Decorator]) -> Callable[[F], F]:
    """Declare `options` on a command and pass it `name=build(**their values)` instead.

    Each key of `options` is the option's parameter name and the dataclass field it fills.
    """

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def gathering(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = build(**{field: kwargs.pop(field) for field in options})
            return command(*args, **kwargs)

        wrapped: Callable[..., Any] = gathering
        for option in reversed(list(options.values())):
            wrapped = option(wrapped)
        return cast(F, wrapped)

    return decorate


def connection(*, company: bool = True) -> Callable[[F], F]:
    """`--sandbox`, `--base-url`, `--usage-plan` (and `--company-name`) → `connection`."""
    options = {"sandbox": SANDBOX, "base_url": BASE_URL, "usage_plan": USAGE_PLAN}
    if company:
        options["company_name"] = COMPANY_NAME
    return gathered("connection", ConnectionOptions, options)


selection = gathered("selection", SelectionOptions, {"targets": TARGETS, "excludes": EXCLUDES})
"""`--target` and `--exclude` → `selection`."""

layout = gathered("layout", Layout, {"audit_dir": AUDIT, "lock_dir": LOCKS})
"""`--audit-dir` and `--lock-dir` → `layout`."""

overrides = gathered("overrides", OverrideOptions, {
    "force": click.option("--force", is_flag=True,
                          help="Go past the change thresholds (audited)."),
    "allow_loosening": click.option(
        "--allow-loosening", is_flag=True,
        help="Apply loosening changes where the policy requires approval (audited)."),
    "approval_file": click.option(
        "--approval", "approval_file",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="An approval written by `ttconfig approve` for this plan's checksum."),
    "outside_window": click.option(
        "--allow-outside-window", "outside_window", is_flag=True,
        help="Apply loosening outside the change windows (audited)."),
    "reason": click.option("--reason", default="",
                           help="Why; recorded in the audit log with overrides."),
    "allow_breach": click.option(
        "--allow-breach", is_flag=True,
        help="Apply a tightening below the positions or credit in use now where the "
             "policy requires approval (policy.exposure; audited)."),
})
"""apply's safety overrides → `overrides`."""


NO_EXPOSURE = click.option(
    "--no-exposure", "no_exposure", is_flag=True,
    help="Do not read the positions and credit in use (ttmonitor) for the changed limits.")


def reach(options: ConnectionOptions, reading: Reading, *, exposure: bool = True) -> Reach:
    """How this run gets to TT: the options given, the way in found on click's context
    object (tests put a faster one there; users get the real one), progress as `reading`,
    and whether plans read the exposure their changed limits count."""
    return Reach(options, _connector(), reading, exposure)


def _connector() -> Connect:
    found = click.get_current_context().find_object(Connector)
    return found if found is not None else Connector()

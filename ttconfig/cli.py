"""The `ttconfig` command line: parse, build collaborators, call one core function, exit.

`main` is the only place that turns errors into exit codes (shared/DESIGN.md): 0 success,
1 error, 3 invalid configuration, 4 refused by policy, 5 stale plan, 64 usage, 130 interrupt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress as ProgressBar

from ttconfig import __version__
from ttconfig.apply import Applier, audit_context, describe_result
from ttconfig.audit import AuditLog, verify
from ttconfig.connection import SANDBOX_STATE, Target, connect
from ttconfig.errors import ConfigError, TTConfigError, UsageError
from ttconfig.importer import write_environment
from ttconfig.live import LiveFirm, Progress, read_live
from ttconfig.loader import Problem, load_firm
from ttconfig.models import KINDS, Firm
from ttconfig.overview import Overview, accounts_table, read_overview, summary_line
from ttconfig.planning import Planned, load, make_plan
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES, SandboxSettings
from ttconfig.schema import SCHEMA_DIR, write_schemas
from ttconfig.targets import Selection, select
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig

USAGE_EXIT = 64
INTERRUPTED_EXIT = 130

err = Console(stderr=True)


@click.group()
@click.version_option(__version__, prog_name="ttconfig")
@click.option("-v", "--verbose", is_flag=True, help="Log every TT request (never secrets).")
def cli(verbose: bool) -> None:
    """Risk configuration as code for the Trading Technologies platform."""
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s",
                            stream=sys.stderr)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)


def _target_options(command: click.decorators.FC) -> click.decorators.FC:
    decorators = (
        click.option("-e", "--env", "environment", default="uat", show_default=True,
                     type=click.Choice(["uat", "prod"]), help="The environment to talk to."),
        click.option("--sandbox", is_flag=True,
                     help="Use the built-in TT sandbox (in-process, on loopback; state under "
                          ".ttconfig/); no credentials needed."),
        click.option("--base-url", default="https://ttrestapi.trade.tt", show_default=True,
                     help="TT's base URL (credentials from TT_<ENV>_APP_KEY/_APP_SECRET)."),
        click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default=None,
                     help="The app key's TT usage plan (sets the request rate)."),
        click.option("--company-name", envvar="TTCONFIG_COMPANY", default=None,
                     help="Company name used in requestIds."),
    )
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _selection_options(command: click.decorators.FC) -> click.decorators.FC:
    decorators = (
        click.option("--environments-dir", type=click.Path(path_type=Path, file_okay=False),
                     default=Path("environments"), show_default=True),
        click.option("--target", "targets", multiple=True, metavar="KIND:NAME",
                     help="Only these objects (globs allowed; repeatable)."),
        click.option("--exclude", "excludes", multiple=True, metavar="KIND:NAME",
                     help="Leave these objects out (globs allowed; repeatable)."),
    )
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@cli.command()
@click.option("-e", "--env", "environment", required=True,
              help="The environment folder: environments/<ENV>/.")
@click.option("--environments-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("environments"), show_default=True)
def validate(environment: str, environments_dir: Path) -> None:
    """Check an environment's YAML (types, keys, references) without contacting TT."""
    folder = environments_dir / environment
    if not folder.is_dir():
        raise UsageError(f"no environment folder {folder}")
    firm = load_firm(folder)
    counts = ", ".join(f"{len(getattr(firm, spec.name))} {spec.name.replace('_', ' ')}"
                       for spec in KINDS)
    click.echo(f"{folder}: valid ({counts})")


@cli.command()
@_target_options
@_selection_options
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when the plan has changes (0 when it has none).")
def plan(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
         company_name: str | None, environments_dir: Path, targets: tuple[str, ...],
         excludes: tuple[str, ...], output_format: str, detailed_exitcode: bool) -> int:
    """Show what apply would change in TT to match the YAML (reads only)."""
    firm = load(environments_dir / environment)
    selection = select(firm, targets, excludes)
    target = _target_of(firm, environment, sandbox, base_url, usage_plan, company_name)
    with connect(target, os.environ) as client_config:
        planned = asyncio.run(_plan(firm, environment, client_config, selection))
    if output_format == "json":
        click.echo(render_json(planned.plan), nl=False)
    elif output_format == "markdown":
        click.echo(render_markdown(planned.plan), nl=False)
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_text(planned.plan, colour=colour), nl=False)
        click.echo(f"Read live TT with {planned.requests} requests.", err=True)
    return 2 if detailed_exitcode and not planned.plan.empty else 0


@cli.command()
@_target_options
@_selection_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking (for CI).")
@click.option("--audit-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path(".ttconfig") / "audit", show_default=True)
def apply(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
          company_name: str | None, environments_dir: Path, targets: tuple[str, ...],
          excludes: tuple[str, ...], auto_approve: bool, audit_dir: Path) -> int:
    """Plan, confirm, and apply the changes to TT, with an audit log."""
    firm = load(environments_dir / environment)
    selection = select(firm, targets, excludes)
    if not auto_approve and not sys.stdin.isatty():
        raise UsageError("apply asks for confirmation; without a terminal pass --auto-approve")
    target = _target_of(firm, environment, sandbox, base_url, usage_plan, company_name)
    with connect(target, os.environ) as client_config:
        result = asyncio.run(_apply(firm, environment, client_config, auto_approve,
                                    audit_dir / f"{environment}.jsonl", selection))
    return result


async def _apply(firm: Firm, environment: str, config: ClientConfig, auto_approve: bool,
                 audit_path: Path, selection: Selection | None) -> int:
    async with TTClient(config) as tt:
        with _reading(config) as progress:
            planned = await make_plan(firm, environment, tt, selection, progress)
        plan = planned.plan
        if plan.empty:
            click.echo("No changes: live TT matches the YAML.")
            return 0
        click.echo(render_text(plan, colour=sys.stdout.isatty()), nl=False)
        if not auto_approve and not click.confirm(f"Apply these changes to "
                                                  f"{plan.tt_environment}?"):
            click.echo("Nothing applied.")
            return 0
        audit = AuditLog(audit_path, audit_context(firm, environment, plan))
        with ProgressBar(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("applying (1 s pause after each write)",
                                total=plan.summary.requests)
            applier = Applier(tt, planned.firm, environment, planned.live, audit,
                              selection=selection,
                              progress=lambda done, total: bar.update(task, completed=done))
            result = await applier.apply(plan)
    click.echo(describe_result(result, audit_path))
    return result.exit_code


def _target_of(firm: Firm, environment: str, sandbox: bool, base_url: str,
               usage_plan: str | None, company_name: str | None) -> Target:
    config = firm.environment
    return Target(environment, sandbox=sandbox, base_url=base_url,
                  usage_plan=usage_plan or config.usage_plan,
                  company_name=company_name or config.company, app_name=config.app_name,
                  declared_tt_environment=config.tt_environment,
                  credential_names=(config.credentials.app_key_env,
                                    config.credentials.app_secret_env))


async def _plan(firm: Firm, environment: str, config: ClientConfig,
                selection: Selection | None) -> Planned:
    async with TTClient(config) as tt:
        with _reading(config) as progress:
            return await make_plan(firm, environment, tt, selection, progress)


@contextmanager
def _reading(config: ClientConfig) -> Iterator[Progress]:
    """Say what the read will cost, then show its progress (a bar only on a terminal)."""
    said = False
    with ProgressBar(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("reading live TT", total=None)

        def progress(done: int, total: int) -> None:
            nonlocal said
            if not said:
                said = True
                err.print(f"Reading live TT: {total} requests after the listings "
                          f"(≥ {total / config.requests_per_second:.0f} s at the "
                          f"{config.usage_plan} plan).", highlight=False)
            bar.update(task, completed=done, total=total)

        yield progress


@cli.command()
@click.option("--out", "directory", type=click.Path(path_type=Path, file_okay=False),
              default=SCHEMA_DIR, show_default=True)
def schema(directory: Path) -> None:
    """Write the JSON Schemas of the YAML files (editors validate as you type)."""
    for path in write_schemas(directory):
        click.echo(f"wrote {path}")


@cli.command("import")
@_target_options
@click.option("--environments-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("environments"), show_default=True)
def import_(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
            company_name: str | None, environments_dir: Path) -> None:
    """Write environments/<ENV>/ from live TT (existing files are updated in place)."""
    target = Target(environment, sandbox=sandbox, base_url=base_url, usage_plan=usage_plan,
                    company_name=company_name)
    with connect(target, os.environ) as config:
        live = asyncio.run(_read_live(config))
    folder = environments_dir / environment
    for path in write_environment(folder, live, target, config):
        click.echo(f"wrote {path}")


async def _read_live(config: ClientConfig) -> LiveFirm:
    async with TTClient(config) as tt:
        return await read_live(tt)


@cli.command()
@_target_options
def inspect(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
            company_name: str | None) -> None:
    """Read the live risk setup and summarise it (checks credentials, plan and speed)."""
    target = Target(environment, sandbox=sandbox, base_url=base_url, usage_plan=usage_plan,
                    company_name=company_name)
    with connect(target, os.environ) as config:
        overview = asyncio.run(_inspect(config))
    out = Console()
    out.print(accounts_table(overview))
    out.print(summary_line(overview, config.requests_per_second))


async def _inspect(config: ClientConfig) -> Overview:
    async with TTClient(config) as tt:
        with ProgressBar(console=err, transient=True) as progress:
            task = progress.add_task("reading accounts", total=None)
            return await read_overview(
                tt, lambda done, total: progress.update(task, completed=done, total=total))


@cli.group()
def audit() -> None:
    """The audit log of applies."""


@audit.command("verify")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def audit_verify(file: Path) -> int:
    """Check an audit log's hash chain; name the first broken record."""
    verdict = verify(file)
    if verdict.broken_at is None:
        click.echo(f"{file}: {verdict.records} records; the chain holds "
                   f"(head {verdict.head[:16]}…)")
        return 0
    click.echo(f"{file}:{verdict.broken_at}: broken: {verdict.reason} "
               f"({verdict.records} records before it hold)", err=True)
    return 1


@cli.group()
def sandbox() -> None:
    """The built-in TT sandbox: a local TT to rehearse against, no credentials needed."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option("--state", "state_path", type=click.Path(path_type=Path), default=SANDBOX_STATE,
              show_default=True, help="State file (created from the seed when missing).")
@click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default=None,
              help="Give every app key this usage plan (default: as seeded).")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Simulated round-trip time added to every response.")
@click.option("--post-pause", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds a POST must wait after the previous POST's acknowledgement.")
@click.option("--page-size", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--token-lifetime", type=click.FloatRange(min=1), default=3600.0,
              show_default=True, help="Seconds until an access token expires.")
@click.option("--redirect-gets", is_flag=True, help="Answer every GET first with a 303.")
def serve(host: str, port: int, state_path: Path, usage_plan: str | None, latency_ms: float,
          post_pause: float, page_size: int, token_lifetime: float, redirect_gets: bool) -> None:
    """Serve the sandbox in the foreground until interrupted.

    Every other limit (rates, quotas, the 413 threshold, ...) can be changed while it runs
    through the loopback-only control endpoint, POST /_sandbox/settings.
    """
    settings = SandboxSettings(usage_plan_override=usage_plan, latency_ms=latency_ms,
                               post_pause_seconds=post_pause, page_size=page_size,
                               token_lifetime_seconds=token_lifetime,
                               redirect_gets=redirect_gets)
    server = Sandbox(state_path=state_path, settings=settings, host=host, port=port)
    click.echo(_serve_banner(server))
    try:
        server.serve_forever()
    except OSError as exc:
        raise TTConfigError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def _serve_banner(server: Sandbox) -> str:
    lines = [f"TT sandbox on {server.base_url} (state: {server.store.path})", "",
             "Seeded app keys (sandbox only; not secrets):"]
    for environment in sorted(server.store.envs):
        for key in server.app_keys(environment):
            plan = server.settings.usage_plan_override or key["usagePlan"]
            lines.append(f"  {environment:14} {key['label']:9} plan {plan:6} key {key['key']}  "
                         f"secret {key['secret']}")
    lines += ["", "Try it: see README.md, section 'Sandbox'. Control endpoint: "
              f"{server.base_url}/_sandbox/health", ""]
    return "\n".join(lines)


@sandbox.command()
@click.option("--state", "state_path", type=click.Path(path_type=Path), default=SANDBOX_STATE,
              show_default=True)
def reset(state_path: Path) -> None:
    """Restore the sandbox's seeded firms (the state file is rewritten).

    A sandbox that is running keeps its own copy: reset it with POST /_sandbox/reset.
    """
    state_path.unlink(missing_ok=True)
    Sandbox(state_path=state_path)
    click.echo(f"Sandbox state reset to the seed: {state_path}")


def _print_problems(error: ConfigError) -> None:
    """Every problem on its own line, and as annotations when running in GitHub Actions."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in error.problems:
            if isinstance(problem, Problem):
                print(problem.annotation())


def main() -> None:
    """Entry point: run the command, map errors to exit codes, never show a user a traceback."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("Interrupted.")
        sys.exit(INTERRUPTED_EXIT)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(INTERRUPTED_EXIT)
    except click.ClickException as exc:
        exc.show()
        sys.exit(USAGE_EXIT if isinstance(exc, click.UsageError) else exc.exit_code)
    except UsageError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False)
        sys.exit(USAGE_EXIT)
    except ConfigError as exc:
        _print_problems(exc)
        sys.exit(exc.exit_code)
    except TTConfigError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)

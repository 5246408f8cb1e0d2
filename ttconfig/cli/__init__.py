"""The `ttconfig` command line: parse, build collaborators, call one core function, exit.

`main` is the only place that turns errors into exit codes (shared/DESIGN.md): 0 success,
1 error, 3 invalid configuration, 4 refused by policy, 5 stale plan, 64 usage, 130 interrupt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress as ProgressBar

from ttconfig import __version__
from ttconfig.core.plan import Plan
from ttconfig.core.selection import Selection, select
from ttconfig.desired.loader import Problem, load_firm
from ttconfig.desired.schema import SCHEMA_DIR, write_schemas
from ttconfig.errors import (
    ConfigError,
    PolicyRefusal,
    StalePlanError,
    TTConfigError,
    UsageError,
)
from ttconfig.live.overview import Overview, read_overview
from ttconfig.live.read import LiveFirm, Progress, read_live
from ttconfig.models import DECLARED, Firm
from ttconfig.promotion.gate import applied_times, declared_keys, evaluate_gate
from ttconfig.promotion.promote import promote as promote_firm
from ttconfig.promotion.promote import write_promotion
from ttconfig.render.console import colour_enabled, console, show
from ttconfig.render.formats import DRIFT_RENDERERS, PLAN_RENDERERS, Format
from ttconfig.render.gate import render_gate
from ttconfig.render.heading import Heading, promotion_heading
from ttconfig.render.overview import accounts_table, summary_line
from ttconfig.render.policy import refusal_message
from ttconfig.render.result import describe_result
from ttconfig.render.sandbox import serve_banner
from ttconfig.render.staleness import error_text
from ttconfig.render.text import render_text
from ttconfig.runs.apply.applier import Applier, ApplyResult, audit_context
from ttconfig.runs.audit import AuditLog, actor, git_commit, verify
from ttconfig.runs.connection import (
    SANDBOX_STATE,
    Target,
    connect,
    sandbox_key_variables,
)
from ttconfig.runs.importer import write_environment
from ttconfig.runs.lock import LOCK_DIR, EnvironmentLock
from ttconfig.runs.planfile import (
    SavedPlan,
    approval_document,
    check_desired,
    check_live,
    firm_matches,
    plan_document,
    read_approval,
    read_plan_file,
    write_plan_file,
)
from ttconfig.runs.planning import Planned, load, make_plan
from ttconfig.safety.drift import drift_of
from ttconfig.safety.policy import Overrides, Verdict, evaluate
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES, SandboxSettings
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig

USAGE_EXIT = 64
INTERRUPTED_EXIT = 130

err = Console(stderr=True)


@click.group()
@click.version_option(__version__, prog_name="ttconfig")
@click.option("-v", "--verbose", is_flag=True, help="Log every TT request (never secrets).")
@click.option("--no-color", is_flag=True,
              help="No colour, even on a terminal (as NO_COLOR=1 does).")
def cli(verbose: bool, no_color: bool) -> None:
    """Risk configuration as code for the Trading Technologies platform."""
    err.no_color = no_color or os.environ.get("NO_COLOR", "") != ""  # progress bars too
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
    counts = ", ".join(f"{len(firm.of(spec.kind))} {spec.title}" for spec in DECLARED)
    click.echo(f"{folder}: valid ({counts})")


OUTPUT_FORMAT = click.option("--format", "output_format", default="text", show_default=True,
                             type=click.Choice(["text", "markdown", "json"]))


def _now() -> datetime:
    return datetime.now(UTC)


@cli.command()
@_target_options
@_selection_options
@OUTPUT_FORMAT
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when the plan has changes (0 when it has none).")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Save the plan for `ttconfig apply PLAN.json` (refused if stale).")
@click.option("--force", is_flag=True,
              help="Plan past the change thresholds (apply must be given --force too).")
def plan(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
         company_name: str | None, environments_dir: Path, targets: tuple[str, ...],
         excludes: tuple[str, ...], output_format: str, detailed_exitcode: bool,
         out: Path | None, force: bool) -> int:
    """Show what apply would change in TT to match the YAML (reads only).

    The environment's safety policy judges the plan: a refusal exits 4 (and --out saves
    nothing); what apply will need (an approval, a change window) is listed.
    """
    folder = environments_dir / environment
    firm = load(folder)
    selection = select(firm, targets, excludes)
    target = _target_of(firm, environment, sandbox, base_url, usage_plan, company_name)
    with connect(target, os.environ) as client_config:
        planned = asyncio.run(_plan(firm, environment, client_config, selection))
    verdict = evaluate(planned.plan, firm.environment.policy, planned.facts(_now()),
                       Overrides(force=force), stage="plan")
    _show(planned.plan, verdict, output_format)
    if output_format == "text":
        click.echo(f"Read live TT with {planned.requests} requests.", err=True)
    if verdict.refused:
        raise PolicyRefusal(refusal_message(verdict)
                            + (f" No plan file written to {out}." if out else ""))
    if out is not None:
        write_plan_file(out, plan_document(planned, folder, verdict,
                                           git_commit=git_commit(Path.cwd()),
                                           created_by=actor(), targets=targets,
                                           excludes=excludes))
        click.echo(f"Saved the plan to {out} (checksum {planned.plan.checksum()[:16]}…). "
                   f"Apply exactly this with: ttconfig apply {out}", err=True)
    return 2 if detailed_exitcode and not planned.plan.empty else 0


def _show(plan: Plan, verdict: Verdict | None, output_format: str,
          heading: Heading | None = None) -> None:
    """A plan (or promotion) in the --format asked for: the one place a renderer is picked."""
    show(PLAN_RENDERERS[Format(output_format)](plan, verdict, heading), colour=_colour())


def _colour() -> bool:
    """Colour on stdout: off with the group's --no-color, NO_COLOR or off a terminal."""
    return colour_enabled(bool(click.get_current_context().find_root().params.get("no_color")))


@cli.command()
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-e", "--env", "environment", default=None, type=click.Choice(["uat", "prod"]),
              help="The environment (default: the plan file's, else uat).")
@click.option("--sandbox", is_flag=True, help="Use the built-in TT sandbox.")
@click.option("--base-url", default="https://ttrestapi.trade.tt", show_default=True)
@click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default=None)
@click.option("--company-name", envvar="TTCONFIG_COMPANY", default=None)
@_selection_options
@click.option("--auto-approve", is_flag=True,
              help="Apply without asking (for CI). A saved plan never asks: it was reviewed.")
@click.option("--force", is_flag=True, help="Go past the change thresholds (audited).")
@click.option("--allow-loosening", is_flag=True,
              help="Apply loosening changes where the policy requires approval (audited).")
@click.option("--approval", "approval_file", type=click.Path(path_type=Path, dir_okay=False,
                                                              exists=True),
              help="An approval written by `ttconfig approve` for this plan's checksum.")
@click.option("--allow-outside-window", is_flag=True,
              help="Apply loosening outside the change windows (audited).")
@click.option("--reason", default="", help="Why; recorded in the audit log with overrides.")
@click.option("--audit-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path(".ttconfig") / "audit", show_default=True)
@click.option("--lock-dir", type=click.Path(path_type=Path, file_okay=False),
              default=LOCK_DIR, show_default=True)
def apply(plan_file: Path | None, environment: str | None, sandbox: bool, base_url: str,
          usage_plan: str | None, company_name: str | None, environments_dir: Path,
          targets: tuple[str, ...], excludes: tuple[str, ...], auto_approve: bool,
          force: bool, allow_loosening: bool, approval_file: Path | None,
          allow_outside_window: bool, reason: str, audit_dir: Path, lock_dir: Path) -> int:
    """Apply a saved plan (refused if stale), or plan, confirm and apply; with an audit log.

    One apply per environment at a time; the environment's safety policy is enforced, and
    every override is written to the audit log.
    """
    saved = read_plan_file(plan_file) if plan_file is not None else None
    if saved is not None:
        if targets or excludes:
            raise UsageError("a saved plan keeps the --target/--exclude it was made with")
        environment = environment or saved.environment
        targets, excludes = saved.targets, saved.excludes
    environment = environment or "uat"
    folder = environments_dir / environment
    firm = load(folder)
    if saved is not None:
        firm_matches(saved, firm, environment)
        check_desired(saved, folder)
    elif not auto_approve and not sys.stdin.isatty():
        raise UsageError("apply asks for confirmation; without a terminal pass --auto-approve")
    selection = select(firm, targets, excludes)
    overrides = Overrides(force=force, allow_loosening=allow_loosening,
                          approval=read_approval(approval_file) if approval_file else None,
                          outside_window=allow_outside_window, reason=reason)
    target = _target_of(firm, environment, sandbox, base_url, usage_plan, company_name)
    run = _Run(firm, environment, selection, saved, overrides,
               auto_approve or saved is not None, audit_dir / f"{environment}.jsonl")
    with EnvironmentLock(lock_dir, environment).held(
            plan=saved.checksum if saved else None), connect(target, os.environ) as config:
        return asyncio.run(run.apply(config))


@dataclass(frozen=True)
class _Run:
    """One apply: what to apply, what was allowed, where the audit goes."""

    firm: Firm
    environment: str
    selection: Selection | None
    saved: SavedPlan | None
    overrides: Overrides
    approved: bool
    audit_path: Path

    async def apply(self, config: ClientConfig) -> int:
        async with TTClient(config) as tt:
            with _reading(config) as progress:
                planned = await make_plan(self.firm, self.environment, tt, self.selection,
                                          progress)
            plan = planned.plan
            audit = AuditLog(self.audit_path, audit_context(self.firm, self.environment, plan))
            if self.saved is not None:
                self._check_fresh(planned, audit)
            verdict = evaluate(plan, self.firm.environment.policy, planned.facts(_now()),
                               self.overrides, stage="apply")
            if plan.empty:
                click.echo("No changes: live TT matches the YAML.")
                return 0
            show(render_text(plan, verdict), colour=_colour())
            if verdict.refused:
                audit.append("refused", reason="policy", findings=[
                    asdict(f) for f in verdict.of("refused")])
                raise PolicyRefusal(refusal_message(verdict))
            if not self.approved and not click.confirm(
                    f"Apply these changes to {plan.tt_environment}?"):
                click.echo("Nothing applied.")
                return 0
            if verdict.of("overridden"):
                audit.append("overrides", reason=self.overrides.reason,
                             force=self.overrides.force,
                             allow_loosening=self.overrides.allow_loosening,
                             outside_window=self.overrides.outside_window,
                             approval=None if self.overrides.approval is None
                             else asdict(self.overrides.approval),
                             findings=[asdict(f) for f in verdict.of("overridden")])
            result = await self._write(tt, planned, audit)
        click.echo(describe_result(result, self.audit_path))
        return result.exit_code

    def _check_fresh(self, planned: Planned, audit: AuditLog) -> None:
        assert self.saved is not None
        try:
            check_live(self.saved, planned)
        except StalePlanError as stale:
            audit.append("refused", reason="stale plan", plan_file=str(self.saved.path),
                         reviewed=self.saved.checksum, message=str(stale).splitlines()[0])
            raise

    async def _write(self, tt: TTClient, planned: Planned, audit: AuditLog) -> ApplyResult:
        plan = planned.plan
        with ProgressBar(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("applying (1 s pause after each write)",
                                total=plan.summary.requests)
            applier = Applier(tt, planned.firm, self.environment, planned.live, audit,
                              selection=self.selection,
                              progress=lambda done, total: bar.update(task, completed=done))
            return await applier.apply(plan)


@cli.command()
@click.argument("plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--by", "approved_by", default=None, help="Who approves (default: you / the CI "
              "actor).")
@click.option("--reason", default="", help="Why; kept in the approval and the audit log.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write it (default: PLAN.approval.json beside the plan).")
def approve(plan_file: Path, approved_by: str | None, reason: str, out: Path | None) -> None:
    """Approve a saved plan's loosening: an approval bound to that plan's checksum.

    `ttconfig apply PLAN.json --approval FILE` accepts it only for exactly that plan.
    """
    saved = read_plan_file(plan_file)
    document = approval_document(saved, approved_by or actor(), reason)
    target = out or plan_file.with_suffix(".approval.json")
    try:
        target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the approval to {target}: {error.strerror}") from None
    loosening = saved.data["plan"]["summary"]["loosening"]
    click.echo(f"Approved plan {saved.checksum[:16]}… for {saved.environment} "
               f"({loosening} loosening field changes) as {document['approved_by']}: {target}")


@cli.command()
@click.option("-e", "--env", "environment", required=True, type=click.Choice(["uat", "prod"]))
@click.option("--id", "lock_id", required=True, help="The lock's id, as the refusal shows it.")
@click.option("--lock-dir", type=click.Path(path_type=Path, file_okay=False),
              default=LOCK_DIR, show_default=True)
@click.option("--audit-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path(".ttconfig") / "audit", show_default=True)
def unlock(environment: str, lock_id: str, lock_dir: Path, audit_dir: Path) -> None:
    """Break an environment's lock left by an apply that is gone (name its id)."""
    holder = EnvironmentLock(lock_dir, environment).break_lock(lock_id)
    audit = AuditLog(audit_dir / f"{environment}.jsonl",
                     {"environment": environment, "actor": actor()})
    audit.append("unlock", lock=asdict(holder))
    click.echo(f"Broke the lock on {environment} held by {holder.describe()}")


@cli.command()
@_target_options
@click.option("--environments-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("environments"), show_default=True)
@OUTPUT_FORMAT
def drift(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
          company_name: str | None, environments_dir: Path, output_format: str) -> int:
    """Report live changes made outside ttconfig; exit 2 when there are any.

    Severity is the direction of the live change: a live loosening is high, a live
    tightening medium, anything else low. Run it on main, where the YAML is what was applied.
    """
    firm = load(environments_dir / environment)
    target = _target_of(firm, environment, sandbox, base_url, usage_plan, company_name)
    with connect(target, os.environ) as client_config:
        planned = asyncio.run(_plan(firm, environment, client_config, None))
    report = drift_of(planned.plan)
    show(DRIFT_RENDERERS[Format(output_format)](report), colour=_colour())
    return 0 if report.empty else 2


@cli.command()
@click.option("--from", "source", default="uat", show_default=True,
              help="The environment whose desired state is promoted.")
@click.option("--to", "target", default="prod", show_default=True,
              help="The environment whose YAML would change.")
@click.option("--environments-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("environments"), show_default=True)
@OUTPUT_FORMAT
@click.option("--write", is_flag=True, help="Update the target's YAML in place (comments, key "
              "order and formatting kept).")
def promote(source: str, target: str, environments_dir: Path, output_format: str,
            write: bool) -> None:
    """What the target's YAML would change to carry the source's desired state over.

    Objects and fields declared environment-specific in the target's environment.yaml
    (`promotion:`) are left out. Reads YAML only; no TT access.
    """
    source_firm = load(environments_dir / source)
    target_firm = load(environments_dir / target)
    if source != target_firm.environment.promotion.source:
        raise UsageError(f"environments/{target}/environment.yaml promotes from "
                         f"{target_firm.environment.promotion.source!r}, not {source!r}")
    promoted = promote_firm(source_firm, target_firm, environment=target)
    _show(promoted.plan, None, output_format, promotion_heading(source, target))
    for line in promoted.skipped:
        click.echo(f"left out: {line}", err=True)
    if write:
        for path in write_promotion(environments_dir / target, promoted):
            click.echo(f"wrote {path}", err=True)


@cli.command()
@click.option("-e", "--env", "environment", default="prod", show_default=True,
              type=click.Choice(["uat", "prod"]), help="The environment the PR changes.")
@click.option("--sandbox", is_flag=True, help="Use the built-in TT sandbox.")
@click.option("--base-url", default="https://ttrestapi.trade.tt", show_default=True)
@click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default=None)
@click.option("--environments-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("environments"), show_default=True)
@click.option("--hotfix", is_flag=True,
              help="The PR is a hotfix (a label): report what skipped UAT, refuse nothing.")
@click.option("--source-audit", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="The source environment's audit log (default: "
              ".ttconfig/audit/<source>.jsonl).")
def gate(environment: str, sandbox: bool, base_url: str, usage_plan: str | None,
         environments_dir: Path, hotfix: bool, source_audit: Path | None) -> int:
    """Refuse (exit 4) prod changes that were not tried in UAT first, each reason named."""
    target_firm = load(environments_dir / environment)
    promotion = target_firm.environment.promotion
    source = promotion.source
    source_firm = load(environments_dir / source)
    audit_path = source_audit or Path(".ttconfig") / "audit" / f"{source}.jsonl"
    applied = applied_times(_audit_records(audit_path))
    plans = []
    for name, firm in ((environment, target_firm), (source, source_firm)):
        env_target = _target_of(firm, name, sandbox, base_url, usage_plan, None)
        with connect(env_target, os.environ) as client_config:
            plans.append(asyncio.run(_plan(firm, name, client_config, None)).plan)
    verdict = evaluate_gate(plans[0], promote_firm(source_firm, target_firm).plan,
                            declared_keys(source_firm), plans[1], applied, promotion, _now(),
                            hotfix=hotfix)
    click.echo(render_gate(verdict, environment, source), nl=False)
    if verdict.refused:
        raise PolicyRefusal(f"the gate refused {environment}: {len(verdict.reasons)} "
                            f"reason(s), listed above")
    return 0


def _audit_records(path: Path) -> list[dict[str, object]]:
    """The source's audit log, only if its hash chain holds (an edited log proves nothing)."""
    if not path.exists():
        return []
    verdict = verify(path)
    if verdict.broken_at is not None:
        raise TTConfigError(f"{path}:{verdict.broken_at}: the audit log's chain is broken "
                            f"({verdict.reason}); the gate cannot trust its apply times")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


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
    out = console(colour=_colour())
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
    click.echo(serve_banner(server, _write_credentials(server, _credentials_file(state_path))))
    try:
        server.serve_forever()
    except OSError as exc:
        raise TTConfigError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def _credentials_file(state_path: Path) -> Path:
    """Where `sandbox serve` leaves its app keys: next to its state file."""
    return state_path.with_suffix(".credentials.env")


def _write_credentials(server: Sandbox, path: Path) -> Path:
    """Write the seeded app keys as `export` lines to `path`, readable by the owner only.

    Credentials are never printed, not even the sandbox's: a terminal is scrolled back,
    logged and pasted. The file is created 0600 (mkstemp) and renamed into place, so no
    moment exists when another user could read it.
    """
    lines = [f"# App keys of the TT sandbox on {server.base_url}. Load them with: . {path}"]
    for environment in sorted(server.store.envs):
        for key in server.app_keys(environment):
            key_var, secret_var = sandbox_key_variables(environment, key["label"])
            lines += [f"export {key_var}={shlex.quote(key['key'])}",
                      f"export {secret_var}={shlex.quote(key['secret'])}"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise UsageError(f"cannot write the sandbox's credentials to {path}: "
                         f"{error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


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
        err.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(USAGE_EXIT)
    except ConfigError as exc:
        _print_problems(exc)
        sys.exit(exc.exit_code)
    except TTConfigError as exc:
        err.print(f"Error: {error_text(exc)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)

"""The commands of the plan → review → apply loop: plan, apply, approve, unlock, drift.

Each parses its options, calls one workflow (`runs.planning`, `runs.apply.workflow`,
`runs.planfile`) and renders what it returns; the exit code is the command's return value
or, for refusals and errors, the exception `main` maps.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from ttconfig.cli import options, terminal
from ttconfig.core.plan import Plan
from ttconfig.errors import PolicyRefusal, UsageError
from ttconfig.models.checks import fold
from ttconfig.render.approval import approval_text
from ttconfig.render.audit_findings import emergency_text, recovered_text, unfinished_text
from ttconfig.render.console import show
from ttconfig.render.formats import DRIFT_RENDERERS, PLAN_RENDERERS, Format
from ttconfig.render.gate import gate_note
from ttconfig.render.heading import Heading
from ttconfig.render.policy import refusal_message
from ttconfig.render.result import describe_result, result_json, result_markdown
from ttconfig.render.text import render_text
from ttconfig.runs.apply.workflow import (
    Applied,
    ApplyRequest,
    Conversation,
    Outcome,
    OverrideOptions,
    apply_environment,
    unlock_environment,
)
from ttconfig.runs.audit import notes_of
from ttconfig.runs.auditlog import recorded_steps, with_outside
from ttconfig.runs.connection import ConnectionOptions
from ttconfig.runs.paths import Layout
from ttconfig.runs.planfile import approve_plan, save_plan, show_plan_file
from ttconfig.runs.planning import (
    Judged,
    Planned,
    Reach,
    SelectionOptions,
    drift_environment,
    gate_environment,
    plan_environment,
    yaml_lines,
)
from ttconfig.safety.policy import Overrides, Verdict


@click.command()
@options.environment(default="uat", help="The environment to talk to.")
@options.connection()
@options.ENVIRONMENTS_DIR
@options.selection
@options.FORMAT
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when the plan has changes (0 when it has none).")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Save the plan for `ttconfig apply PLAN.json` (refused if stale).")
@click.option("--force", is_flag=True,
              help="Plan past the change thresholds (apply must be given --force too).")
@click.option("--hotfix", is_flag=True,
              help="With --out for an environment with `promotion:`: the gate reports what "
                   "skipped the source environment and refuses nothing.")
@options.layout
@options.NO_EXPOSURE
def plan(environment: str, connection: ConnectionOptions, environments_dir: Path,
         selection: SelectionOptions, output_format: str, detailed_exitcode: bool,
         out: Path | None, force: bool, hotfix: bool, layout: Layout, no_exposure: bool) -> int:
    """Show what apply would change in TT to match the YAML (reads only).

    The environment's safety policy judges the plan: a refusal exits 4 (and --out saves
    nothing); what apply will need (an approval, a change window) is listed. For an
    environment with `promotion:`, --out also runs the gate and records its verdict: apply
    refuses a plan the gate refused.

    \b
    Examples:
      ttconfig plan -e uat --sandbox
      ttconfig plan -e prod --out plan.json --format markdown > comment.md
      ttconfig plan -e prod --target 'accounts:HPT-PROP-*' --detailed-exitcode
    """
    folder = environments_dir / environment
    reach = options.reach(connection, terminal.reading, exposure=not no_exposure)
    judged = plan_environment(folder, environment, reach, selection, Overrides(force=force))
    planned, verdict = judged.planned, judged.verdict
    audit = layout.of(sandbox=connection.sandbox).audit_file(planned.firm.environment,
                                                             environment)
    shown = with_outside(planned.plan, audit)
    if output_format == "markdown":
        shown = replace(shown, links=_pull_request_links(planned))
    show_plan(shown, verdict, output_format)
    if output_format == "text":
        terminal.note(f"Read live TT with {planned.requests} requests.")
    _say_notes(audit, {(c.kind.value, fold(str(c.key))) for c in planned.plan.changes},
               reverts=True)
    if verdict.refused:
        raise PolicyRefusal(refusal_message(verdict)
                            + (f" No plan file written to {out}." if out else ""))
    if out is not None:
        _save(out, judged, environments_dir, environment, reach, selection, hotfix)
    return 2 if detailed_exitcode and not planned.plan.empty else 0


def _save(out: Path, judged: Judged, environments_dir: Path, environment: str, reach: Reach,
          selection: SelectionOptions, hotfix: bool) -> None:
    """`plan --out`: the plan file, with the gate's verdict where the environment promotes."""
    planned = judged.planned
    gated = (gate_environment(environments_dir, environment, reach, hotfix=hotfix)
             if "promotion" in planned.firm.environment.model_fields_set else None)
    save_plan(out, judged, environments_dir / environment, selection, reach.options.where,
              gated)
    click.echo(f"Saved the plan to {out} (checksum {planned.plan.checksum()[:16]}…). "
               f"Apply exactly this with: ttconfig apply {out}{reach.options.flags}", err=True)
    if gated is not None:
        click.echo(gate_note(gated), err=True)


def show_plan(plan: Plan, verdict: Verdict | None, output_format: str,
              heading: Heading | None = None) -> None:
    """A plan (or promotion) in the --format asked for: the one place a renderer is picked."""
    show(PLAN_RENDERERS[Format(output_format)](plan, verdict, heading), colour=terminal.colour())


@click.command()
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@options.environment(help="The environment (default: the plan file's, else uat).")
@options.connection()
@options.ENVIRONMENTS_DIR
@options.selection
@click.option("--auto-approve", is_flag=True,
              help="Apply without asking (for CI). A saved plan never asks: it was reviewed.")
@options.overrides
@options.layout
@click.option("--break-glass", is_flag=True,
              help="An emergency tightening of the --target objects, with --reason: only "
                   "tightening, no saved plan needed, audited as break-glass.")
@options.format_option(help="How the apply ended (each request's outcome, what diverged, "
                       "the exit code): markdown, a report for CI to post (with requestIds); "
                       "json, one object; both need a saved plan or --auto-approve.")
@options.NO_EXPOSURE
def apply(plan_file: Path | None, environment: str | None, connection: ConnectionOptions,
          environments_dir: Path, selection: SelectionOptions, auto_approve: bool,
          overrides: OverrideOptions, layout: Layout, break_glass: bool,
          output_format: str, no_exposure: bool) -> int:
    """Apply a saved plan (refused if stale), or plan, confirm and apply; with an audit log.

    One apply per environment at a time; the environment's safety policy is enforced, and
    every override is written to the audit log.

    \b
    Examples:
      ttconfig apply plan.json
      ttconfig apply -e uat --sandbox --auto-approve
      ttconfig apply plan.json --format markdown > apply.md   # (a CI job's report)
      ttconfig apply -e prod --break-glass --target accounts:HPT-PROP-ENERGY --reason "…"
    """
    reported = output_format != "text"
    if reported and plan_file is None and not auto_approve:
        raise UsageError(f"--format {output_format} shows no plan to confirm: apply a saved "
                         "plan, or pass --auto-approve")
    request = ApplyRequest(environments_dir, plan_file, environment, selection, overrides,
                           auto_approve, layout, break_glass)
    conversation = Conversation(show=_show_nothing if reported else _show_changes,
                                writing=terminal.writing,
                                confirm=terminal.confirm if sys.stdin.isatty() else None)
    applied = apply_environment(request, options.reach(connection, terminal.reading,
                                                       exposure=not no_exposure),
                                conversation)
    if reported:
        _report(applied, output_format)
    else:
        _say(applied)
    return applied.exit_code


def _report(applied: Applied, output_format: str) -> None:
    """How the apply ended as the one thing on stdout: json for tools, markdown for CI."""
    _refuse_if_refused(applied)
    recorded = (recorded_steps(applied.audit_path, applied.result.intents)
                if applied.result is not None else [])
    render = result_json if output_format == "json" else result_markdown
    click.echo(render(applied, recorded), nl=False)
    if applied.recovered:
        click.echo(recovered_text(applied.recovered), err=True)


def _pull_request_links(planned: Planned) -> dict[tuple[str, ...], str]:
    """In GitHub Actions, each changed object's YAML file and line as a link the PR
    comment shows (TTCONFIG_LINK_SHA names the commit, else GITHUB_SHA); elsewhere none."""
    server, repository = os.environ.get("GITHUB_SERVER_URL"), os.environ.get(
        "GITHUB_REPOSITORY")
    sha = os.environ.get("TTCONFIG_LINK_SHA") or os.environ.get("GITHUB_SHA")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not (server and repository and sha):
        return {}
    return {key: f"{server}/{repository}/blob/{sha}/{file}#L{line}"
            for key, (file, line) in yaml_lines(planned.firm, planned.plan).items()}


def _show_nothing(plan: Plan, verdict: Verdict) -> None:
    """(--format json or markdown: the result is the one thing on stdout.)"""


def _say_notes(audit_path: Path, touched: set[tuple[str, str]], *, reverts: bool) -> None:
    """Unfinished writes and not-yet-carried break-glass changes, from the audit log."""
    notes = notes_of(audit_path, touched)
    for text in (unfinished_text(notes.unfinished, audit_path),
                 emergency_text(notes.emergencies, reverts=reverts)):
        if text:
            click.echo(text, err=True)


def _show_changes(plan: Plan, verdict: Verdict) -> None:
    """What apply is about to do, and what the policy says of it."""
    show(render_text(plan, verdict), colour=terminal.colour())


def _refuse_if_refused(applied: Applied) -> None:
    if applied.outcome is Outcome.REFUSED and applied.verdict is not None:
        raise PolicyRefusal(refusal_message(applied.verdict))


def _say(applied: Applied) -> None:
    """How the apply ended; a refusal is an error (exit 4) naming the findings."""
    _refuse_if_refused(applied)
    if applied.outcome is Outcome.NO_CHANGES:
        click.echo("No changes: live TT matches the YAML.")
    elif applied.outcome is Outcome.DECLINED:
        click.echo("Nothing applied: declined.")
    elif applied.result is not None:
        click.echo(describe_result(applied.result, applied.audit_path))
    if applied.recovered:
        click.echo(recovered_text(applied.recovered), err=True)


@click.command()
@click.argument("plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--by", "approved_by", default=None, help="Who approves (default: you / the CI "
              "actor).")
@click.option("--reason", default="", help="Why; kept in the approval and the audit log.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write it (default: PLAN.approval.json beside the plan).")
def approve(plan_file: Path, approved_by: str | None, reason: str, out: Path | None) -> None:
    """Approve a saved plan's loosening: an approval bound to that plan's checksum.

    `ttconfig apply PLAN.json --approval FILE` accepts it only for exactly that plan.

    \b
    Examples:
      ttconfig approve plan.json --by margaret.okafor --reason "desk head signed off"
    """
    click.echo(approval_text(approve_plan(plan_file, approved_by, reason, out)))


@click.command()
@options.environment(required=True)
@click.option("--id", "lock_id", required=True, help="The lock's id, as the refusal shows it.")
@options.ENVIRONMENTS_DIR
@options.layout
@options.SANDBOX
def unlock(environment: str, lock_id: str, environments_dir: Path, layout: Layout,
           sandbox: bool) -> None:
    """Break an environment's lock left by an apply that is gone (name its id); with
    --sandbox, a rehearsal's lock (kept apart from real TT's).

    \b
    Examples:
      ttconfig unlock -e prod --id 4f1c2a   # (the id the refused apply showed)
    """
    holder = unlock_environment(environments_dir / environment, lock_id,
                                layout.of(sandbox=sandbox))
    click.echo(f"Broke the lock on {environment} held by {holder.describe()}")


@click.command()
@options.environment(default="uat", help="The environment to talk to.")
@options.connection()
@options.ENVIRONMENTS_DIR
@options.FORMAT
@options.layout
@click.option("--record", is_flag=True,
              help="Append what this run saw to the audit log: the promotion gate's soak "
              "evidence (the drift workflow records; a desk's run need not).")
def drift(environment: str, connection: ConnectionOptions, environments_dir: Path,
          output_format: str, layout: Layout, record: bool) -> int:
    """Report live changes made outside ttconfig; exit 2 when there are any.

    Severity is the direction of the live change: a live loosening is high, a live
    tightening medium, anything else low. Run it on main, where the YAML is what was applied.
    With --record, the run appends a fingerprint of what it saw to the audit log (only what
    changed since the records before it): the gate counts an object unchanged across
    recorded runs as soaked, with no apply needed.

    \b
    Examples:
      ttconfig drift -e prod
      ttconfig drift -e prod --format markdown > drift.md
      ttconfig drift -e uat --record       # (the soak evidence for prod's gate)
    """
    drifted = drift_environment(environments_dir / environment, environment,
                                options.reach(connection, terminal.reading),
                                layout if record else None)
    report = drifted.report
    show(DRIFT_RENDERERS[Format(output_format)](report), colour=terminal.colour())
    if drifted.recorded is not None and drifted.recorded.problem is not None:
        click.echo(f"Warning: {drifted.recorded.describe()}", err=True)
    elif drifted.recorded is not None:
        terminal.note(drifted.recorded.describe())
    _say_notes(layout.of(sandbox=connection.sandbox).audit_file(drifted.config, environment),
               {(item.kind, fold(item.key)) for item in report.items}, reverts=False)
    return 0 if report.empty else 2


@click.command("show")
@click.argument("plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@options.FORMAT
def show_saved(plan_file: Path, output_format: str) -> None:
    """Show a saved plan (`plan --out`) as it was planned: its changes, requests and the
    policy's verdict; no TT, no YAML. An edited plan file is refused (exit 5).

    \b
    Examples:
      ttconfig show plan.json
      ttconfig show plan.json --format markdown > comment.md
    """
    shown = show_plan_file(plan_file)
    if output_format == "text":
        terminal.note(shown.describe())
    show_plan(shown.plan, shown.verdict, output_format)


COMMANDS = (plan, apply, approve, unlock, drift, show_saved)

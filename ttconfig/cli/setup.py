"""The commands that set a repository up or check it: validate, schema, import, inspect,
doctor, audit, and explain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import click

from ttconfig.cli import options, terminal
from ttconfig.desired.loader import load_firm
from ttconfig.desired.scaffold import Scaffold
from ttconfig.desired.schema import SCHEMA_DIR, write_schemas
from ttconfig.errors import ConfigError, UsageError
from ttconfig.models.base import ProductType
from ttconfig.render.audit_findings import (
    signing_text,
    unfinished_text,
    verify_json,
    verify_markdown,
)
from ttconfig.render.auditlog import (
    render_audit_json,
    render_audit_markdown,
    render_audit_text,
)
from ttconfig.render.console import console
from ttconfig.render.doctor import doctor_json, doctor_markdown, doctor_summary, doctor_table
from ttconfig.render.explain import explain_json, explain_markdown, explain_text
from ttconfig.render.inspect_one import account_text, user_text, view_json
from ttconfig.render.overview import (
    accounts_table,
    overview_json,
    overview_markdown,
    summary_line,
)
from ttconfig.render.validation import validation_text
from ttconfig.runs.audit import actor, audit_key, git_commit, unfinished_in, verify
from ttconfig.runs.auditlog import audit_history, since_of
from ttconfig.runs.connection import ConnectionOptions, credential_variables
from ttconfig.runs.doctor import doctor_environment
from ttconfig.runs.durable import BRANCH, REMOTE, publish_logs, restore_logs
from ttconfig.runs.explain import Asked
from ttconfig.runs.explain import explain as run_explain
from ttconfig.runs.importer import (
    adopt_yaml,
    import_environment,
    init_environment,
    inspect_environment,
)
from ttconfig.runs.inspect_one import AccountView, inspect_one
from ttconfig.runs.paths import Layout
from ttconfig.runs.planning import quietly
from ttconfig.runs.tidy import tidy as run_tidy
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES


@click.command()
@options.environment(help="The environment folder to check: environments/<ENV>/.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@options.ENVIRONMENTS_DIR
@options.FORMAT
def validate(environment: str | None, paths: tuple[Path, ...], environments_dir: Path,
             output_format: str) -> int:
    """Check an environment's YAML (types, keys, references) without contacting TT: every
    problem at once as file:line:col (exit 3). PATHS (files under environments/, as
    pre-commit passes them) check every environment they belong to.

    \b
    Examples:
      ttconfig validate -e prod
      ttconfig validate -e prod --format json   # {"valid", "counts", "problems": [...]}
      ttconfig validate environments/uat/accounts.yaml environments/prod/users.yaml
    """
    names = ([environment] if environment else []) + environments_of(environments_dir, paths)
    if not names:
        raise UsageError("name an environment (-e ENV) or files under "
                         f"{environments_dir}/ to check")
    problems: list[object] = []
    for name in dict.fromkeys(names):
        folder = environments_dir / name
        try:
            firm = load_firm(folder, siblings=True)
        except ConfigError as error:
            problems += error.problems
            if output_format != "text":
                click.echo(validation_text(folder, None, error.problems, output_format),
                           nl=False)
            continue
        click.echo(validation_text(folder, firm, [], output_format), nl=False)
    if problems and output_format == "text":
        raise ConfigError(problems)  # (main says each, and annotates them in GitHub Actions)
    return ConfigError.exit_code if problems else 0


def environments_of(environments_dir: Path, paths: Sequence[Path]) -> list[str]:
    """The environment folders `paths` lie in (files elsewhere are not ttconfig's)."""
    root = environments_dir.resolve()
    names = []
    for path in paths:
        parts = path.resolve().relative_to(root).parts if path.resolve().is_relative_to(
            root) else ()
        if len(parts) >= 2:
            names.append(parts[0])
    return names


@click.command()
@click.option("--out", "directory", type=click.Path(path_type=Path, file_okay=False),
              default=SCHEMA_DIR, show_default=True, help="The folder to write them to.")
def schema(directory: Path) -> None:
    """Write the JSON Schemas of the YAML files (editors validate as you type).

    \b
    Examples:
      ttconfig schema
      ttconfig schema --out ../firm-config/schemas
    """
    for path in write_schemas(directory):
        click.echo(f"wrote {path}")


@click.command()
@click.argument("name")
@click.option("--tt-environment", required=True, metavar="TT_ENV",
              help="TT's environment the folder talks to (e.g. ext_uat_cert, ext_prod_live).")
@click.option("--company", required=True, help="The TT company, as TT names it.")
@click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default="free",
              show_default=True, help="The app key's TT usage plan.")
@click.option("--api-user", default=None, metavar="EMAIL",
              help="The login the app key was created by (protected from every plan).")
@click.option("--production/--not-production", default=None,
              help="Production's safe policy (default: when TT_ENV is TT's production).")
@options.ENVIRONMENTS_DIR
def init(name: str, tt_environment: str, company: str, usage_plan: str,
         api_user: str | None, production: bool | None, environments_dir: Path) -> None:
    """Start environments/NAME/: an environment.yaml with a safe policy and every kind's
    file empty (then `ttconfig import -e NAME` fills them from TT).

    For production: change thresholds, the API user protected, two admins kept, every
    loosening approved, only reviewed plan files applied.

    \b
    Examples:
      ttconfig init prod --tt-environment ext_prod_live --company "Harbor Point Trading" \\
          --usage-plan high --api-user ttconfig-api@harborpoint.example
      ttconfig init uat --tt-environment ext_uat_cert --company "Harbor Point Trading"
    """
    key, secret = credential_variables(name)
    scaffold = Scaffold(tt_environment, company, key, secret, usage_plan=usage_plan,
                        api_user=api_user, production=production)
    for path in init_environment(environments_dir / name, scaffold):
        click.echo(f"wrote {path}")
    click.echo(f"Next: export {key} and {secret}, then `ttconfig import -e {name}`.")


@click.command("import")
@options.environment(default="uat", help="The environment to talk to.")
@options.connection()
@options.ENVIRONMENTS_DIR
@click.option("--only", "only", multiple=True, metavar="KIND:NAME",
              help="Print the YAML of these live objects (accounts, users, user_groups, "
                   "risk_groups; globs allowed; repeatable) instead of writing files.")
def import_(environment: str, connection: ConnectionOptions, environments_dir: Path,
            only: tuple[str, ...]) -> None:
    """Write environments/<ENV>/ from live TT (existing files are updated in place).

    With --only, write nothing: print the YAML of the objects named, to add to the
    environment's files (what a plan lists as "Not managed by this YAML").

    \b
    Examples:
      ttconfig import -e uat --sandbox
      ttconfig import -e prod --only accounts:HPT-NEW-BOOK --only 'users:*@desk.example'
    """
    if only:
        click.echo(adopt_yaml(environments_dir / environment, environment,
                              options.reach(connection, quietly), only), nl=False)
        return
    written = import_environment(environments_dir / environment, environment,
                                 options.reach(connection, terminal.reading))
    for path in written:
        click.echo(f"wrote {path}")


@click.command()
@click.argument("what", required=False, type=click.Choice(["account", "user"]))
@click.argument("name", required=False)
@options.environment(default="uat", help="The environment to talk to.")
@options.connection()
@options.ENVIRONMENTS_DIR
@options.FORMAT
def inspect(what: str | None, name: str | None, environment: str,
            connection: ConnectionOptions, environments_dir: Path, output_format: str) -> None:
    """Read the live risk setup and summarise it (checks credentials, plan and speed); or
    one account or user: its setup as the YAML would say it, and what governs it from
    elsewhere (a parent's restrictions, its risk group; the accounts a user may trade).

    \b
    Examples:
      ttconfig inspect -e prod
      ttconfig inspect account HPT-PROP-RATES -e prod
      ttconfig inspect user john.smith@harborpoint.example -e prod
    """
    if what is not None:
        if name is None:
            raise UsageError(f"inspect {what} needs its name")
        view = inspect_one(environments_dir / environment, environment,
                           options.reach(connection, quietly), what, name)
        text = account_text(view, environment) if isinstance(view, AccountView) \
            else user_text(view, environment)
        click.echo(view_json(view) if output_format == "json" else
                   f"```\n{text}```\n" if output_format == "markdown" else text, nl=False)
        return
    inspection = inspect_environment(environments_dir / environment, environment,
                                     options.reach(connection, terminal.reading))
    if output_format != "text":
        show = overview_json if output_format == "json" else overview_markdown
        click.echo(show(inspection.overview, inspection.requests_per_second), nl=False)
        return
    out = console(colour=terminal.colour())
    out.print(accounts_table(inspection.overview))
    out.print(summary_line(inspection.overview, inspection.requests_per_second))


@click.command()
@options.environment(default="uat", help="The environment to check.")
@options.connection()
@options.ENVIRONMENTS_DIR
@click.option("--capture", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write each answer (credentials scrubbed) to this folder, for a report.")
@options.profile(help="Try these wire-profile switches instead of environment.yaml's "
                      f"(repeatable): {options.PROFILE_HELP}.")
@click.option("--write-probe", "probe_account", metavar="ACCOUNT", default=None,
              help="UAT only: make and undo one write of each kind on this account, the "
                   "scratch account environment.yaml names (scratch: {account, user}).")
@click.option("--probe-rate", is_flag=True,
              help="UAT only: send cheap reads at the declared usage plan's rate and the next "
                   "one's until TT throttles them (a few hundred requests).")
@options.FORMAT
def doctor(environment: str, connection: ConnectionOptions, environments_dir: Path,
           capture: Path | None, profile: dict[str, str], probe_account: str | None,
           probe_rate: bool, output_format: str) -> int:
    """Check a TT before trusting it: credentials, token, company, usage plan, and every
    read ttconfig makes, its answer's shape compared with what ttconfig expects. Reads
    only (but for --write-probe); exit 1 when anything ttconfig needs is not as expected.

    \b
    Examples:
      ttconfig doctor -e uat
      ttconfig doctor -e uat --capture doctor-answers/ --probe-rate
      ttconfig doctor -e prod --format json   # {"healthy", "checks": [...], "summary"}
    """
    diagnosis = doctor_environment(environments_dir / environment, environment,
                                   options.reach(connection, quietly), capture, profile,
                                   probe_account, probe_rate)
    if output_format != "text":
        show = doctor_json if output_format == "json" else doctor_markdown
        click.echo(show(diagnosis), nl=False)
        return 0 if diagnosis.healthy else 1
    out = console(colour=terminal.colour())
    out.print(doctor_table(diagnosis))
    out.print(doctor_summary(diagnosis), markup=False, highlight=False)
    return 0 if diagnosis.healthy else 1


@click.group()
def audit() -> None:
    """The audit log of applies: show it, check its chain, keep it on a branch.

    \b
    Examples:
      ttconfig audit log -e prod --since 7d
      ttconfig audit verify .ttconfig/audit/ext_prod_live.harbor-point-trading.jsonl
    """


@audit.command("verify")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@options.FORMAT
def audit_verify(file: Path, output_format: str) -> int:
    """Check an audit log's hash chain; name the first broken record (exit 1), and the
    writes an apply left unfinished.

    \b
    Examples:
      ttconfig audit verify .ttconfig/audit/ext_prod_live.harbor-point-trading.jsonl
      ttconfig audit verify .ttconfig/audit/ext_prod_live.harbor-point-trading.jsonl \\
          --format json   # {"holds", "records", "broken_at", "signed", "unfinished"}
    """
    verdict = verify(file)
    if output_format != "text":
        writes = unfinished_in(file) if verdict.broken_at is None else []
        show = verify_json if output_format == "json" else verify_markdown
        click.echo(show(file, verdict, writes, keyed=audit_key() is not None), nl=False)
        return 0 if verdict.broken_at is None else 1
    if verdict.broken_at is None:
        click.echo(f"{file}: {verdict.records} records; the chain holds "
                   f"(head {verdict.head[:16]}…)")
        click.echo(signing_text(verdict, keyed=audit_key() is not None))
        text = unfinished_text(unfinished_in(file), file)
        if text:
            click.echo(text)
        return 0
    click.echo(f"{file}:{verdict.broken_at}: broken: {verdict.reason} "
               f"({verdict.records} records before it hold)", err=True)
    return 1


@audit.command("log")
@click.option("-e", "--env", "environments", multiple=True, metavar="ENV",
              help="This environment only (repeatable; default: every folder's).")
@click.option("--since", default=None, metavar="WHEN",
              help="Only what was done since: a date (2026-12-01), a time, or an age (7d).")
@options.FORMAT
@options.ENVIRONMENTS_DIR
@options.layout
@options.SANDBOX
def audit_log(environments: tuple[str, ...], since: str | None, output_format: str,
              environments_dir: Path, layout: Layout, sandbox: bool) -> int:
    """What was done to each environment: every apply (its plan, who, when, each request
    and how it ended) and every refusal, override and broken lock, oldest first, from the
    audit log after checking its chain. Exit 1 when a log's chain is broken.

    \b
    Examples:
      ttconfig audit log -e prod --since 7d
      ttconfig audit log --sandbox --format json
    """
    logs = audit_history(environments_dir, environments, layout, sandbox=sandbox,
                         since=since_of(since, datetime.now(UTC)))
    renders = {"text": render_audit_text, "markdown": render_audit_markdown,
               "json": render_audit_json}
    click.echo(renders[output_format](logs), nl=False)
    return 1 if any(log.verdict.broken_at is not None for log in logs) else 0


@audit.command("restore")
@options.AUDIT
def audit_restore(audit_dir: Path) -> None:
    """Bring the audit logs up to date from the ttconfig-audit branch (fetch it first).

    \b
    Examples:
      git fetch origin ttconfig-audit && ttconfig audit restore
    """
    restored = restore_logs(audit_dir)
    for path in restored:
        click.echo(f"restored {path} from the {BRANCH} branch")
    if not restored:
        click.echo(f"{audit_dir}: nothing newer on the {BRANCH} branch")


@audit.command("publish")
@options.AUDIT
@click.option("--push", is_flag=True, help=f"Push the branch to {REMOTE} (never forced).")
def audit_publish(audit_dir: Path, push: bool) -> None:
    """Commit the audit logs to the ttconfig-audit branch, appending only.

    \b
    Examples:
      ttconfig audit publish --push
    """
    commit = publish_logs(audit_dir, f"audit: {actor()} at {git_commit(Path.cwd()) or '?'}",
                          push=push)
    if commit is None:
        click.echo(f"the {BRANCH} branch already holds every record of {audit_dir}")
    else:
        click.echo(f"published {audit_dir} to the {BRANCH} branch ({commit[:12]})"
                   + (f" and pushed it to {REMOTE}" if push else ""))




@click.command()
@options.environment(required=True)
@click.argument("account")
@click.argument("market")
@click.argument("product")
@click.option("--type", "kind", default="future", show_default=True,
              type=click.Choice(list(get_args(ProductType))), help="The product type.")
@click.option("--contract", default=None, help="A contract alias (e.g. 'ZN Mar27').")
@click.option("--family", default=None,
              help="The product's family as TT names it (e.g. 'Interest Rates'), so that "
                   "family rows are matched (explain reads no TT, so it cannot look it up).")
@options.ENVIRONMENTS_DIR
@options.FORMAT
def explain(environment: str, account: str, market: str, product: str, kind: str,
            contract: str | None, family: str | None, environments_dir: Path,
            output_format: str) -> None:
    """Which limit rows govern PRODUCT of MARKET for ACCOUNT, in the YAML (no TT read).

    The account's own row and its risk group's, each the most specific that matches:
    contract, else product, else the family's row, else the default row of the market
    and type.

    \b
    Examples:
      ttconfig explain -e prod HPT-PROP-RATES CME ZB
      ttconfig explain -e prod HPT-PROP-RATES CME ZB --family "Interest Rates"
      ttconfig explain -e prod HPT-PROP-RATES CME ZB --format json   # {"governed": [...]}
    """
    explanation = run_explain(environments_dir / environment, account,
                              Asked(market, product, kind, contract, family))
    if output_format != "text":
        show = explain_json if output_format == "json" else explain_markdown
        click.echo(show(explanation), nl=False)
        return
    click.echo(explain_text(explanation))


@click.command()
@options.environment(required=True)
@options.connection()
@click.option("--dry-run", is_flag=True, help="Say what would be removed; change no file.")
@options.ENVIRONMENTS_DIR
def tidy(environment: str, connection: ConnectionOptions, dry_run: bool,
         environments_dir: Path) -> None:
    """Remove the contract rows of expired contracts from environments/<ENV>/.

    Reads TT's instruments (nothing else) and judges expiry by TT's clock; every other
    line of the YAML, comments included, is kept. Writes nothing to TT.

    \b
    Examples:
      ttconfig tidy -e uat --dry-run
      ttconfig tidy -e prod
    """
    done = run_tidy(environments_dir / environment, environment,
                    options.reach(connection, terminal.reading), write=not dry_run)
    for problem in done.removed:
        click.echo(str(problem))
    verb = "would remove" if dry_run else "removed"
    count = len(done.removed)
    click.echo(f"{verb} {count} expired contract row{'' if count == 1 else 's'}"
               + (f" from {len(done.files)} file{'' if len(done.files) == 1 else 's'}"
                  if count else ""))


COMMANDS = (init, validate, schema, import_, inspect, doctor, audit, explain, tidy)

"""The commands of the UAT → prod path: promote (YAML only) and gate (prod PRs in CI)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ttconfig.cli import options, terminal
from ttconfig.cli.plan import show_plan
from ttconfig.errors import PolicyRefusal
from ttconfig.promotion.promote import Promoted, write_promotion
from ttconfig.render.gate import GATE_RENDERERS
from ttconfig.render.heading import promotion_heading
from ttconfig.runs.connection import ConnectionOptions
from ttconfig.runs.history import mark_promotion
from ttconfig.runs.paths import AUDIT_DIR
from ttconfig.runs.planning import gate_environment, promote_environment
from ttconfig.words import plural


@click.command()
@click.option("--from", "source", default="uat", show_default=True,
              help="The environment whose desired state is promoted.")
@click.option("--to", "target", default="prod", show_default=True,
              help="The environment whose YAML would change.")
@options.ENVIRONMENTS_DIR
@options.FORMAT
@click.option("--write", is_flag=True, help="Update the target's YAML in place (comments, key "
              "order and formatting kept) and mark environment.yaml as promoted.")
@click.option("--take-uat", "take", multiple=True, metavar="KIND:NAME",
              help="Take the source's values for these objects even where prod is ahead "
                   "(changed in prod since the last promotion; globs; repeatable).")
def promote(source: str, target: str, environments_dir: Path, output_format: str,
            write: bool, take: tuple[str, ...]) -> None:
    """What the target's YAML would change to carry the source's desired state over.

    Objects and fields declared environment-specific in the target's environment.yaml
    (`promotion:`) are left out, and so is every value prod changed after its last
    promotion (git history) that promoting would loosen: prod is ahead (an emergency
    tightening) unless --take-uat names it. Reads YAML only; no TT access.

    \b
    Examples:
      ttconfig promote --from uat --to prod
      ttconfig promote --from uat --to prod --write --take-uat accounts:HPT-PROP-ENERGY
    """
    promoted = promote_environment(environments_dir, source, target, take)
    show_plan(promoted.plan, None, output_format,
              promotion_heading(source, target, promoted.ahead))
    if promoted.skipped:
        terminal.note(f"Left out of the promotion ({len(promoted.skipped)}):")
    for line in promoted.skipped:
        terminal.note(f"  {line}")
    if promoted.history:
        terminal.note(promoted.history[0].upper() + promoted.history[1:] + ".")
    if write:
        _write(environments_dir / target, promoted, source)


def _write(folder: Path, promoted: Promoted, source: str) -> None:
    """`promote --write`: the YAML, and the promotion mark only when the YAML changed (a
    mark alone would open a promotion PR with nothing in it)."""
    written = write_promotion(folder, promoted)
    for path in written:
        terminal.note(f"wrote {path}")
    if written:
        marked = mark_promotion(folder, source, datetime.now(UTC))
        terminal.note(f"marked {marked} as promoted from {source} (commit it with the YAML)")
    else:
        terminal.note(f"nothing to write: {folder.name}'s YAML already carries {source}'s")


@click.command()
@options.environment(default="prod", help="The environment the PR changes.")
@options.connection(company=False)
@options.ENVIRONMENTS_DIR
@click.option("--hotfix", is_flag=True,
              help="The PR is a hotfix (a label): report what skipped UAT, refuse nothing.")
@click.option("--source-audit", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="The source environment's audit log (default: "
              f"{AUDIT_DIR}/<its TT environment>.<its company>.jsonl).")
@options.FORMAT
def gate(environment: str, connection: ConnectionOptions, environments_dir: Path,
         hotfix: bool, source_audit: Path | None, output_format: str) -> int:
    """Refuse (exit 4) prod changes that were not tried in UAT first, each reason named.

    \b
    Examples:
      ttconfig gate -e prod
      ttconfig gate -e prod --hotfix --format markdown   # (a hotfix PR's comment)
    """
    gated = gate_environment(environments_dir, environment,
                             options.reach(connection, terminal.reading), hotfix=hotfix,
                             source_audit=source_audit)
    click.echo(GATE_RENDERERS[output_format](gated.verdict, environment, gated.source),
               nl=False)
    if gated.verdict.refused:
        raise PolicyRefusal(f"the gate refused {environment}: "
                            f"{plural(len(gated.verdict.reasons), 'reason')}, listed above")
    return 0


COMMANDS = (promote, gate)

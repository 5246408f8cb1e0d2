"""`ttconfig import` and `ttconfig inspect`: the commands that read live TT without YAML.

Import writes an environment folder from live TT; `--only KIND:NAME` instead prints the
YAML of the objects named, to adopt an object made by hand in TT. Existing files are
updated in place (comments and layout kept); missing ones are written new, each after its
schema modeline.
`environment.yaml` is written only when missing: it holds decisions (policy, credential
variable names) that live TT cannot supply. Inspect reads the accounts' risk setup and says
what the read cost, which checks credentials, usage plan and speed before a first plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ttconfig.core.selection import Pattern
from ttconfig.core.state import key_of
from ttconfig.desired.loader import load_environment
from ttconfig.desired.scaffold import Scaffold
from ttconfig.desired.writer import render_new, update_file, update_section
from ttconfig.errors import UsageError
from ttconfig.live.overview import Overview, read_overview
from ttconfig.live.read import (
    ACCOUNT_PARTS,
    USER_PARTS,
    LiveFirm,
    ReadScope,
    read_live,
    to_models,
)
from ttconfig.models import DECLARED, Kind
from ttconfig.models.base import Model, as_imported
from ttconfig.models.checks import fold
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.runs.connection import Target, credential_variables
from ttconfig.runs.planning import Reach
from ttconfig.tt.adapters.ttsetup import COMPANY_SETTINGS_KEYS
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig


def environment_yaml(live: LiveFirm, target: Target, config: ClientConfig) -> str:
    """A new folder's environment.yaml: the scaffold `ttconfig init` writes (a safe
    policy), with what TT says of the company."""
    key, secret = credential_variables(target.environment)
    settings = company_settings(live)
    return Scaffold(config.environment, live.company.name, key, secret,
                    usage_plan=config.usage_plan, app_name=config.app_name,
                    company_settings=tuple(
                        f"  {name}: {str(value).lower() if isinstance(value, bool) else value}"
                        for name, value in settings.items())).text()


def company_settings(live: LiveFirm) -> dict[str, bool | str]:
    """TT's company settings that change what the YAML means, as TT holds them (plan
    checks them again each time)."""
    company = live.company
    said: dict[str, bool | str] = {name: value for name in COMPANY_SETTINGS_KEYS
                                   if (value := getattr(company, name)) is not None}
    users = {u.id: u.email for u in live.users}
    liquidation = users.get(company.liquidation_user_id or -1)
    if liquidation is not None:
        said["liquidation_user"] = liquidation
    return said


def write_environment(folder: Path, live: LiveFirm, target: Target,
                      config: ClientConfig) -> list[Path]:
    """Write every kind's file (and environment.yaml if missing); the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    environment = folder / "environment.yaml"
    if not environment.exists():
        environment.write_text(environment_yaml(live, target, config), encoding="utf-8")
        written.append(environment)
    elif update_section(environment, "company_settings", company_settings(live)):
        written.append(environment)  # (TT's facts; the folder's policy is left as it is)
    models = imported_models(live)
    for spec in DECLARED:
        path = folder / f"{spec.file_stem}.yaml"
        update_file(path, list(models[spec.kind]), spec)
        written.append(path)
    return written


def imported_models(live: LiveFirm) -> dict[str, list[Model]]:
    """The firm as import writes it: live's models, less the quiet fields TT holds as a new
    object has them (a row's price checks and wholesale limits, credit-loss actions, …)."""
    return {kind: [_imported(model) for model in items]
            for kind, items in to_models(live).items()}


def _imported(model: Model) -> Model:
    return type(model).model_validate(as_imported(model))


def declared(folder: Path) -> EnvironmentConfig | None:
    """The folder's environment.yaml when it has one (a new folder has none yet)."""
    return load_environment(folder) if (folder / "environment.yaml").is_file() else None


def import_environment(folder: Path, environment: str, reach: Reach) -> list[Path]:
    """`ttconfig import`: read live TT whole and write `folder`; the files written."""
    target = reach.options.target(environment, declared(folder))
    with reach.connect(target) as config:
        live = asyncio.run(_read_live(config, environment, reach))
    return write_environment(folder, live, target, config)


async def _read_live(config: ClientConfig, environment: str, reach: Reach) -> LiveFirm:
    async with TTClient(config) as tt:
        with reach.reading(config, environment) as progress:
            return await read_live(tt, progress=progress)


@dataclass(frozen=True)
class Inspection:
    overview: Overview
    requests_per_second: float
    """The client's rate: the read's cost is judged against it."""


def inspect_environment(folder: Path, environment: str, reach: Reach) -> Inspection:
    """`ttconfig inspect`: the accounts' risk setup as live TT has it."""
    with reach.connect(reach.options.target(environment, declared(folder))) as config:
        overview = asyncio.run(_read_overview(config, environment, reach))
    return Inspection(overview, config.requests_per_second)


async def _read_overview(config: ClientConfig, environment: str, reach: Reach) -> Overview:
    async with TTClient(config) as tt:
        with reach.reading(config, environment) as progress:
            return await read_overview(tt, progress)


ADOPTABLE = (Kind.ACCOUNTS, Kind.USERS, Kind.USER_GROUPS, Kind.RISK_GROUPS)


def adopt_yaml(folder: Path, environment: str, reach: Reach, only: Sequence[str]) -> str:
    """`ttconfig import --only KIND:NAME`: the YAML of the live objects the patterns name,
    as import would write them, to add to the environment's files (writes nothing; reads
    the listings, then only the objects named)."""
    patterns = [Pattern.parse(text, option="--only") for text in only]
    refused = sorted({p.text for p in patterns if p.kind not in ADOPTABLE})
    if refused:
        raise UsageError(f"--only takes {', '.join(k.value for k in ADOPTABLE)}: "
                         f"not {', '.join(refused)}")
    target = reach.options.target(environment, declared(folder))
    with reach.connect(target) as config:
        models = asyncio.run(_read_named(config, patterns))
    found = {spec.kind: [m for m in models[spec.kind] if _chosen(patterns, spec.kind, m)]
             for spec in DECLARED if spec.kind in ADOPTABLE}
    missing = [p.text for p in patterns
               if not any(p.matches(p.kind, str(key_of(m))) for m in found[p.kind])]
    if missing:
        raise UsageError(f"no live object matches {', '.join(missing)} in {environment}")
    return "".join(f"# add to {folder / spec.file_stem}.yaml\n"
                   + render_new(spec, found[spec.kind]).split("\n", 1)[1]
                   for spec in DECLARED if found.get(spec.kind))


def _chosen(patterns: Sequence[Pattern], kind: Kind, model: Model) -> bool:
    return any(p.kind is kind and p.matches(kind, str(key_of(model))) for p in patterns)


async def _read_named(config: ClientConfig, patterns: Sequence[Pattern]) -> dict[str, list[Model]]:
    async with TTClient(config) as tt:
        accounts, users, user_groups, risk_groups = await asyncio.gather(
            tt.accounts.list(), tt.users.list(), tt.user_groups.list(), tt.risk_groups.list())

        def named(kind: Kind, names: Sequence[str]) -> set[str]:
            return {fold(n) for n in names if any(p.matches(kind, n) for p in patterns)}

        scope = ReadScope(
            accounts=dict.fromkeys(named(Kind.ACCOUNTS, [a.name for a in accounts]),
                                   ACCOUNT_PARTS),
            users=dict.fromkeys(named(Kind.USERS, [u.email for u in users]), USER_PARTS),
            groups=frozenset(named(Kind.USER_GROUPS, [g.name for g in user_groups])
                             | named(Kind.RISK_GROUPS, [g.name for g in risk_groups])),
            margins=False, defaults=False, risk_group_members=True, families=False)
        return imported_models(await read_live(tt, scope))


def init_environment(folder: Path, scaffold: Scaffold) -> list[Path]:
    """`ttconfig init`: a new environment folder, its environment.yaml from `scaffold`
    and every kind's file empty; an existing environment is never overwritten."""
    if (folder / "environment.yaml").exists():
        raise UsageError(f"{folder / 'environment.yaml'} exists: init writes new folders only "
                         "(`ttconfig import` updates an existing one from TT)")
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "environment.yaml"]
    written[0].write_text(scaffold.text(), encoding="utf-8")
    for spec in DECLARED:
        path = folder / f"{spec.file_stem}.yaml"
        if not path.exists():
            update_file(path, [], spec)
            written.append(path)
    return written

"""`ttconfig import`: write an environment folder from live TT.

Existing files are updated in place (comments and layout kept); missing ones are written
new, each after its schema modeline. `environment.yaml` is written only when missing: it
holds decisions (policy, credential variable names) that live TT cannot supply.
"""

from __future__ import annotations

from pathlib import Path

from ttconfig.desired.schema import ENVIRONMENT_SCHEMA, modeline
from ttconfig.desired.writer import update_file
from ttconfig.live.read import LiveFirm, to_models
from ttconfig.models import DECLARED
from ttconfig.runs.connection import Target, credential_variables
from ttconfig.tt.config import ClientConfig


def environment_yaml(live: LiveFirm, target: Target, config: ClientConfig) -> str:
    key, secret = credential_variables(target.environment)
    return "\n".join([
        modeline(f"../../schemas/{ENVIRONMENT_SCHEMA}"),
        f"tt_environment: {config.environment}",
        f"company: {live.company.name}",
        f"app_name: {config.app_name}",
        "credentials:",
        f"  app_key_env: {key}",
        f"  app_secret_env: {secret}",
        f"usage_plan: {config.usage_plan}",
        "",
    ])


def write_environment(folder: Path, live: LiveFirm, target: Target,
                      config: ClientConfig) -> list[Path]:
    """Write every kind's file (and environment.yaml if missing); the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    environment = folder / "environment.yaml"
    if not environment.exists():
        environment.write_text(environment_yaml(live, target, config), encoding="utf-8")
        written.append(environment)
    models = to_models(live)
    for spec in DECLARED:
        path = folder / f"{spec.file_stem}.yaml"
        update_file(path, list(models[spec.kind]), spec)
        written.append(path)
    return written

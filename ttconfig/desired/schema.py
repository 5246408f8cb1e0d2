"""JSON Schemas of the YAML files, generated from the models, for editors and CI.

Each YAML file starts with a modeline (`modeline(...)`) that points the YAML language server
at its schema, so editors check keys and types as people type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ttconfig.models import DECLARED
from ttconfig.models.environment import EnvironmentConfig

SCHEMA_DIR = Path("schemas")
ENVIRONMENT_SCHEMA = "environment.schema.json"


def schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for environment.yaml and every kind's file."""
    result = {ENVIRONMENT_SCHEMA: _titled(EnvironmentConfig.model_json_schema(),
                                          "ttconfig environment.yaml")}
    for spec in DECLARED:
        schema = TypeAdapter(list[spec.model]).json_schema()  # type: ignore[name-defined]
        result[f"{spec.file_stem}.schema.json"] = _titled(schema, f"ttconfig {spec.file_stem}")
    return result


def _titled(schema: dict[str, Any], title: str) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **{k: v for k, v in schema.items() if k != "title"}}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def schema_file(yaml_name: str) -> str:
    """The schema file of a YAML file name (accounts.yaml → accounts.schema.json)."""
    return yaml_name.removesuffix(".yaml") + ".schema.json"


def modeline(relative_schema: str) -> str:
    return f"# yaml-language-server: $schema={relative_schema}"

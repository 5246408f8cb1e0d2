"""The committed JSON Schemas are what the models generate, and they accept what the
loader accepts."""

from __future__ import annotations

from pathlib import Path

from ttconfig.desired.schema import render, schemas

ROOT = Path(__file__).parents[2]


def test_committed_schemas_are_current() -> None:
    stale = [name for name, schema in schemas().items()
             if not (ROOT / "schemas" / name).is_file()
             or (ROOT / "schemas" / name).read_text(encoding="utf-8") != render(schema)]
    assert stale == [], "run `ttconfig schema` and commit schemas/"


def test_every_kind_has_a_schema_of_a_list_of_objects() -> None:
    generated = schemas()
    assert "environment.schema.json" in generated
    accounts = generated["accounts.schema.json"]
    assert accounts["type"] == "array"
    assert accounts["items"]["$ref"].endswith("/Account")
    account = accounts["$defs"]["Account"]
    assert account["additionalProperties"] is False
    assert set(account["required"]) == {"name", "type"}

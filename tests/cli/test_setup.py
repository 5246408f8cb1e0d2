"""validate, import, inspect and audit verify: the commands that set a repository up."""

from __future__ import annotations

from pathlib import Path

from tests.cli.harness import TTConfig
from ttconfig.desired.loader import load_firm


def test_inspect_reads_the_sandbox_firm(ttconfig: TTConfig, tmp_path: Path) -> None:
    result = ttconfig("inspect", "--sandbox", "--usage-plan", "high")
    assert result.exit_code == 0, result.stderr
    assert "Harbor Point Trading (HPT): accounts" in result.stdout
    assert "HPT-PROP-ENERGY" in result.stdout
    assert "Read 25 accounts" in result.stdout
    assert "0 answered 429" in result.stdout
    assert (tmp_path / ".ttconfig" / "sandbox-state.json").exists()


def test_inspect_of_prod_reads_prod(ttconfig: TTConfig) -> None:
    result = ttconfig("inspect", "--sandbox", "-e", "prod", "--usage-plan", "high")
    assert result.exit_code == 0, result.stderr
    assert "HPT-CUST-ELM" in result.stdout
    assert "HPT-UAT-TEST" not in result.stdout


def test_import_writes_a_valid_folder_and_a_second_import_changes_nothing(
        ttconfig: TTConfig, tmp_path: Path) -> None:
    def run() -> None:
        result = ttconfig("import", "-e", "prod", "--sandbox", "--usage-plan", "high")
        assert result.exit_code == 0, result.stderr

    run()
    folder = tmp_path / "environments" / "prod"
    first = {p.name: p.read_text() for p in folder.glob("*.yaml")}
    load_firm(folder)
    run()
    assert {p.name: p.read_text() for p in folder.glob("*.yaml")} == first

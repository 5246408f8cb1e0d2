"""`main`: every error becomes its exit code and a message, never a traceback (a TT error
and Ctrl-C run in a child process: test_smoke.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.cli.harness import TTConfig
from ttconfig.cli import cli, hoisted


def test_missing_credentials_is_a_usage_error_naming_the_variables(ttconfig: TTConfig) -> None:
    result = ttconfig("inspect", "-e", "prod")
    assert result.exit_code == 64
    assert "TT_PROD_APP_KEY and TT_PROD_APP_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_options_are_usage_errors(ttconfig: TTConfig) -> None:
    result = ttconfig("inspect", "--no-such-option")
    assert result.exit_code == 64
    assert "No such option" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["sandbox", "--help"],
                                  ["sandbox", "serve", "--help"]])
def test_help_is_available(ttconfig: TTConfig, args: list[str]) -> None:
    result = ttconfig(*args)
    assert result.exit_code == 0
    assert "Usage:" in result.output


@pytest.mark.parametrize("args", [["-h"], ["plan", "-h"], ["sandbox", "serve", "-h"],
                                  ["audit", "verify", "-h"]])
def test_dash_h_is_help_on_every_command(ttconfig: TTConfig, args: list[str]) -> None:
    result = ttconfig(*args)
    assert result.exit_code == 0, result.stderr
    assert result.output.startswith("Usage: ")


def test_the_groups_flags_work_after_the_command_too(demo: Path, ttconfig: TTConfig) -> None:
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    said = ttconfig("plan", *target)
    assert "Read live TT with" in said.stderr
    for quiet in (["-q", "plan", *target], ["plan", *target, "-q"],
                  ["plan", "--quiet", *target]):
        result = ttconfig(*quiet)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == said.stdout, "quiet changes what is noted, not the result"
        assert result.stderr == "", quiet
    failed = ttconfig("plan", *target, "-q", "--target", "accounts:HPT-NOPE")
    assert failed.exit_code == 64
    assert "no accounts by that name" in failed.stderr, "-q never hides the error"
    coloured = ttconfig("validate", "-e", "uat", "--no-color", "-v")
    assert coloured.exit_code == 0, coloured.stderr


def test_a_flag_that_is_an_options_value_is_left_to_the_option() -> None:
    assert hoisted(cli, ["apply", "--reason", "-q", "-v", "plan.json"]) == [
        "-v", "apply", "--reason", "-q", "plan.json"]
    assert hoisted(cli, ["-v", "validate", "-e", "uat"]) == ["-v", "validate", "-e", "uat"]
    assert hoisted(cli, ["sandbox", "serve", "--port", "8080", "--no-color"]) == [
        "--no-color", "sandbox", "serve", "--port", "8080"]
    assert hoisted(cli, ["--version"]) == ["--version"]


def test_shell_completion_completes_commands_and_options() -> None:
    """README's completion line: click's, through the installed `ttconfig` script."""
    script = Path(sys.executable).parent / "ttconfig"
    for words, cword, expected in (("ttconfig pl", "1", "plain,plan"),
                                   ("ttconfig plan --for", "2", "plain,--format")):
        environ = {**os.environ, "_TTCONFIG_COMPLETE": "bash_complete", "COMP_WORDS": words,
                   "COMP_CWORD": cword}
        done = subprocess.run([str(script)], env=environ, capture_output=True, text=True,
                              timeout=60, check=False)
        assert expected in done.stdout.splitlines(), done.stdout + done.stderr


def _commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")


def test_every_help_has_examples_and_every_option_a_description(ttconfig: TTConfig) -> None:
    for path, command in _commands(cli, "ttconfig"):
        assert "Examples:" in (command.help or ""), f"{path}: no examples in --help"
        bare = [p.name for p in command.params
                if isinstance(p, click.Option) and not p.help and not p.hidden]
        assert not bare, f"{path}: options without a description: {bare}"
        shown = ttconfig(*path.split()[1:], "--help")
        assert shown.exit_code == 0, shown.stderr
        assert re.search(r"Examples:\n +(git .*&& )?ttconfig ", shown.stdout), path

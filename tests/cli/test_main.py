"""`main`: every error becomes its exit code and a message, never a traceback (a TT error
and Ctrl-C run in a child process: test_smoke.py)."""

from __future__ import annotations

import pytest

from tests.cli.harness import TTConfig


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

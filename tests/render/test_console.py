"""Colour is for a person at a terminal: every command that prints a render colours it on a
(forced) terminal, and never with NO_COLOR, --no-color, TERM=dumb or off a terminal — and
colour never changes a byte of what a pipe or a file gets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ttconfig.cli import cli
from ttconfig.render.console import colour_enabled, show
from ttconfig.render.styled import Styled

ROOT = Path(__file__).parent.parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TERMINAL = {"FORCE_COLOR": "1", "NO_COLOR": None, "TTY_COMPATIBLE": None, "TERM": "xterm"}
"""A terminal as rich recognises one when stdout is not a tty (force-color.org)."""
PIPE = {"FORCE_COLOR": None, "NO_COLOR": None, "TTY_COMPATIBLE": None, "TERM": "xterm"}
MODES: dict[str, tuple[dict[str, str | None], list[str]]] = {
    "NO_COLOR": ({**TERMINAL, "NO_COLOR": "1"}, []),
    "--no-color": (TERMINAL, ["--no-color"]),
    "TERM=dumb": ({**TERMINAL, "TERM": "dumb"}, []),
    "a pipe": (PIPE, []),
}


def environ(monkeypatch: pytest.MonkeyPatch, values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


# ------------------------------------------------------------------------- the decision


def test_a_terminal_gets_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    environ(monkeypatch, TERMINAL)
    assert colour_enabled()


@pytest.mark.parametrize("mode", MODES)
def test_no_colour_when_anything_says_so(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    values, args = MODES[mode]
    environ(monkeypatch, values)
    assert not colour_enabled(no_color=bool(args))


def test_an_empty_no_color_is_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    environ(monkeypatch, {**TERMINAL, "NO_COLOR": ""})
    assert colour_enabled(), "no-color.org: NO_COLOR counts when not empty"


# ---------------------------------------------------------------------------- printing

LINE = Styled([("  ", ""), ("+", "green"), (" HPT-" + "X" * 300 + " bell\a here", ""),
               ("  ", ""), ("LOOSENING", "bold red"), ("\n", "")])


def test_without_colour_a_render_is_printed_byte_for_byte(
        capsys: pytest.CaptureFixture[str]) -> None:
    show(LINE, colour=False)
    assert capsys.readouterr().out == LINE


def test_with_colour_only_escape_codes_are_added(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    environ(monkeypatch, {**TERMINAL, "COLUMNS": "40"})
    show(LINE, colour=True)
    out = capsys.readouterr().out
    assert "\x1b[1;31mLOOSENING\x1b[0m" in out
    assert "\x1b[32m+\x1b[0m" in out
    assert ANSI.sub("", out) == LINE.replace("\a", ""), "no wrap at 40 columns, no markup"


def test_a_plain_string_never_gets_colour(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    environ(monkeypatch, TERMINAL)
    show("[bold]HIGH[/bold] 1,000\n", colour=True)
    assert capsys.readouterr().out == "[bold]HIGH[/bold] 1,000\n"


# ------------------------------------------------------------------------ the commands

ACCOUNTS = ("- name: HPT-HEDGE\n  type: house\n"
            "  risk_settings: {credit_limit: 900000000000}\n")
"""One loosening (a credit limit far above the seed's): plan lists it, apply refuses it for
want of an approval before writing anything, drift calls live tighter than the YAML."""


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "environments" / "uat"
    folder.mkdir(parents=True)
    environment = (ROOT / "environments" / "uat" / "environment.yaml").read_text()
    (folder / "environment.yaml").write_text(
        environment.replace("policy:\n", "policy:\n  require_loosening_approval: true\n"))
    (folder / "accounts.yaml").write_text(ACCOUNTS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


COMMANDS = {
    "plan": (["plan", "-e", "uat", "--sandbox"], "\x1b[1;31mLOOSENING\x1b[0m",
             "  ~ HPT-HEDGE  [loosening]"),
    "apply": (["apply", "-e", "uat", "--sandbox", "--auto-approve"],
              "\x1b[1;31mLOOSENING\x1b[0m", "  ~ HPT-HEDGE  [loosening]"),
    "drift": (["drift", "-e", "uat", "--sandbox"], "\x1b[1;33m[MEDIUM]\x1b[0m",
              "  ~ HPT-HEDGE: changed in live  [MEDIUM]"),
}


def run(args: list[str], values: dict[str, str | None]) -> str:
    result = CliRunner().invoke(cli, args, env=values)
    # cli.main maps errors to exit codes: plan 0, drift 2, apply 4 (refused, no approval);
    # 1 would be an error.
    assert result.exit_code in (0, 2, 4), result.output
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_colours_a_terminal(desk: Path, command: str) -> None:
    args, coloured, line = COMMANDS[command]
    out = run(args, TERMINAL)
    assert coloured in out
    assert line in ANSI.sub("", out)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_colours_when_told_not_to(desk: Path, command: str, mode: str) -> None:
    args, _, line = COMMANDS[command]
    values, flags = MODES[mode]
    out = run([*flags, *args], values)
    assert line in out
    assert "\x1b[" not in out

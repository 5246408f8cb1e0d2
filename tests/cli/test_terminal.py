"""The terminal side: off a terminal (a CI log), long runs say how far they got."""

from __future__ import annotations

import pytest

from ttconfig.cli import terminal
from ttconfig.tt.config import ClientConfig, Credentials
from ttconfig.tt.secret import Secret


def test_off_a_terminal_progress_is_a_line_every_ten_seconds(
        capsys: pytest.CaptureFixture[str]) -> None:
    now = [100.0]
    lines = terminal.ProgressLines("Reading live TT (uat)", clock=lambda: now[0])
    for done in range(1, 50):
        now[0] += 0.5  # a request every half second: 24.5 s in all
        lines(done, 400)
    said = capsys.readouterr().err.splitlines()
    assert said == ["Reading live TT (uat): 20 of 400 requests (5%)",
                    "Reading live TT (uat): 40 of 400 requests (10%)"]


def test_quiet_progress_says_nothing(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal.err, "quiet", True)
    now = [0.0]
    lines = terminal.ProgressLines("Applying", clock=lambda: now[0])
    now[0] = 60.0
    lines(3, 6)
    assert capsys.readouterr().err == ""


def test_a_read_says_its_cost_and_its_progress_naming_the_environment(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """gate reads prod and then uat: each estimate and progress line says which."""
    monkeypatch.setattr(terminal, "EVERY_SECONDS", 0.0)  # a line at every call
    config = ClientConfig(environment="ext_prod_live", usage_plan="high",
                          credentials=Credentials(Secret("k"), Secret("s")))
    with terminal.reading(config, "prod") as progress:
        progress(241, 263)
    assert capsys.readouterr().err.splitlines() == [
        "Reading live TT (prod): 263 requests, the listings included (≥ 11 s at the high "
        "plan).",
        "Reading live TT (prod): 241 of 263 requests (92%)"]

"""The terminal side: off a terminal (a CI log), long runs say how far they got."""

from __future__ import annotations

import pytest

from ttconfig.cli import terminal


def test_off_a_terminal_progress_is_a_line_every_ten_seconds(
        capsys: pytest.CaptureFixture[str]) -> None:
    now = [100.0]
    lines = terminal.ProgressLines("Reading live TT", clock=lambda: now[0])
    for done in range(1, 50):
        now[0] += 0.5  # a request every half second: 24.5 s in all
        lines(done, 400)
    said = capsys.readouterr().err.splitlines()
    assert said == ["Reading live TT: 20 of 400 requests (5%)",
                    "Reading live TT: 40 of 400 requests (10%)"]


def test_quiet_progress_says_nothing(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal.err, "quiet", True)
    now = [0.0]
    lines = terminal.ProgressLines("Applying", clock=lambda: now[0])
    now[0] = 60.0
    lines(3, 6)
    assert capsys.readouterr().err == ""

"""Fixtures of the command-line tests: in-process `ttconfig` in a temporary working folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import ROOT, TTConfig, fast_settings
from ttconfig.sandbox.server import Sandbox


@pytest.fixture
def ttconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TTConfig:
    """In-process `ttconfig`, working in `tmp_path` (where `.ttconfig/` is written)."""
    monkeypatch.chdir(tmp_path)
    return TTConfig(environ={})


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding a copy of the demo environments."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def served() -> Iterator[Sandbox]:
    """A sandbox of its own at test speed (`fast_settings`), every key at the high plan:
    for whole-firm plans the session sandbox's real rates would make slow."""
    with Sandbox(settings=fast_settings("high")) as running:
        yield running


@pytest.fixture
def uat(demo: Path) -> Path:
    """The demo's UAT folder, in a working directory of its own (`demo`)."""
    return demo / "environments" / "uat"

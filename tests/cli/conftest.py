"""Fixtures of the command-line tests: in-process `ttconfig` in a temporary working folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.harness import ROOT, TTConfig


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

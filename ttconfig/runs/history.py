"""The target environment's YAML as of its last promotion, from git: what `promote` needs
to tell a value prod changed since (an emergency tightening) from one it never touched.

`promote --write` marks environment.yaml with a comment line (MARK); the last commit that
changed that line is the last promotion on the branch, and the folder as of that commit
is the baseline. Without git, or with no promotion in the history, there is no baseline
and promote says it cannot tell.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ttconfig.desired.loader import load_firm
from ttconfig.errors import ConfigError
from ttconfig.models import Firm

MARK = "# ttconfig promote --write"
MARK_LINE = re.compile(rf"^{re.escape(MARK)}.*\n?", re.MULTILINE)


@dataclass(frozen=True)
class Baseline:
    commit: str
    committed: str
    firm: Firm
    """The target's folder as of the last promotion."""
    source: Firm | None = None
    """The source's folder as of that commit (None: it did not load): what the promotion
    carried over, so what the target held then but for the values it kept."""

    def describe(self) -> str:
        return f"the last promotion, commit {self.commit[:12]} of {self.committed[:10]}"


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def last_promotion(folder: Path, source: Path | None = None) -> Baseline | None:
    """The folder (and the `source` folder) as of the last commit that changed its
    promotion mark (None: no git, no such commit, or that folder no longer loads)."""
    found = _git(folder, "log", "-1", "--format=%H %cI", "-G", re.escape(MARK), "--",
                 "environment.yaml")
    if not found or not found.strip():
        return None
    commit, committed = found.split()
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    firm = _folder_at(folder, Path(top.strip()).resolve(), commit)
    if firm is None:
        return None
    then = None if source is None else _folder_at(source, Path(top.strip()).resolve(), commit)
    return Baseline(commit, committed, firm, then)


def _folder_at(folder: Path, top: Path, commit: str) -> Firm | None:
    """An environment folder's YAML files as of `commit`, loaded (None: outside the
    repository, missing then, or not loading)."""
    if not folder.resolve().is_relative_to(top):
        return None
    relative = folder.resolve().relative_to(top).as_posix()
    names = _git(folder if folder.exists() else top, "ls-tree", "--full-tree", "--name-only",
                 f"{commit}:{relative}")
    if names is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / folder.name
        copy.mkdir()
        for name in names.split():
            if name.endswith(".yaml"):
                text = _git(top, "show", f"{commit}:{relative}/{name}")
                if text is not None:
                    (copy / name).write_text(text, encoding="utf-8")
        try:
            return load_firm(copy)
        except ConfigError:
            return None


def mark_promotion(folder: Path, source: str, now: datetime) -> Path:
    """Record in environment.yaml that `promote --write` brought `source` over now (the
    line the next promotion finds in git)."""
    path = folder / "environment.yaml"
    text = MARK_LINE.sub("", path.read_text(encoding="utf-8"))
    line = f"{MARK} from {source} at {now.isoformat(timespec='seconds')}\n"
    head, _, rest = text.partition("\n")
    if head.startswith("# yaml-language-server:"):
        path.write_text(f"{head}\n{line}{rest}", encoding="utf-8")
    else:
        path.write_text(line + text, encoding="utf-8")
    return path

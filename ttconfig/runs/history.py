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

    def describe(self) -> str:
        return f"the last promotion, commit {self.commit[:12]} of {self.committed[:10]}"


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def last_promotion(folder: Path) -> Baseline | None:
    """The folder as of the last commit that changed its promotion mark (None: no git, no
    such commit, or that folder no longer loads)."""
    found = _git(folder, "log", "-1", "--format=%H %cI", "-G", re.escape(MARK), "--",
                 "environment.yaml")
    if not found or not found.strip():
        return None
    commit, committed = found.split()
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or not folder.resolve().is_relative_to(Path(top.strip()).resolve()):
        return None
    relative = folder.resolve().relative_to(Path(top.strip()).resolve()).as_posix()
    names = _git(folder, "ls-tree", "--full-tree", "--name-only", f"{commit}:{relative}")
    if names is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / folder.name
        copy.mkdir()
        for name in names.split():
            if name.endswith(".yaml"):
                text = _git(folder, "show", f"{commit}:{relative}/{name}")
                if text is not None:
                    (copy / name).write_text(text, encoding="utf-8")
        try:
            return Baseline(commit, committed, load_firm(copy))
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

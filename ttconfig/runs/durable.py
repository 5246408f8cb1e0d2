"""The audit branch: audit logs kept for years in the firm's own repository.

`.ttconfig/audit/` is a working copy: a CI runner starts empty and artifacts expire, while
the gate, drift and recovery depend on the logs and regulators expect years. So the
workflows keep every log on a dedicated branch (`ttconfig-audit`, one file per TT
environment and company, beside its head), protected against force-pushes:

- `restore` brings a log from the branch into `.ttconfig/audit/` when the branch's is
  longer (a fresh runner, a desk behind CI). Every command that opens a real (not sandbox)
  log does this first, so ttconfig reads the log from the branch when it is there.
- `publish` commits the local logs to the branch, only ever appending: a log whose records
  do not start with the branch's is refused, never written over it. It works on git's
  objects directly (no checkout, no index of the user's), then pushes without force.

A log is append-only, so "longer and starting with the other" is the whole merge rule;
two logs that differ in a common record are a conflict for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ttconfig.errors import TTConfigError
from ttconfig.files import write_private

BRANCH = "ttconfig-audit"
REMOTE = "origin"


class AuditBranchError(TTConfigError):
    """The audit branch and a local log disagree, or git refused: nothing was written."""


@dataclass(frozen=True)
class Branch:
    """The audit branch of the repository at `repo`, as `remote` has it when fetched."""

    repo: Path = Path(".")
    name: str = BRANCH
    remote: str = REMOTE

    def _git(self, *args: str, stdin: bytes | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", *args], cwd=self.repo, input=stdin,
                                  capture_output=True, timeout=60, check=False, env=env)
        except (OSError, subprocess.SubprocessError) as error:
            raise AuditBranchError(f"git could not run ({error}): the {self.name} branch "
                                   "needs git") from None

    def _commit_of(self, ref: str) -> str | None:
        try:
            found = self._git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
        except AuditBranchError:  # no git: no branch
            return None
        return found.stdout.decode().strip() if found.returncode == 0 else None

    def local(self) -> str | None:
        """The local branch's commit, if there is one."""
        return self._commit_of(f"refs/heads/{self.name}")

    def _ref(self) -> str | None:
        """The branch's newest commit: the local branch when it is the remote's plus
        commits not pushed yet, else the remote's as last fetched, else the local one."""
        remote = self._commit_of(f"refs/remotes/{self.remote}/{self.name}")
        local = self.local()
        if remote is None or local is None:
            return remote or local
        ahead = self._git("merge-base", "--is-ancestor", remote, local).returncode == 0
        return local if ahead else remote

    def read(self, name: str) -> bytes | None:
        """The file `name` on the branch, or None (no branch, no such file, no git)."""
        ref = self._ref()
        if ref is None:
            return None
        shown = self._git("show", f"{ref}:{name}")
        return shown.stdout if shown.returncode == 0 else None

    def logs(self) -> list[str]:
        """The names of the logs the branch holds."""
        ref = self._ref()
        if ref is None:
            return []
        listed = self._git("ls-tree", "--name-only", ref)
        return sorted(n for n in listed.stdout.decode().splitlines() if n.endswith(".jsonl"))

    def restore(self, log: Path) -> bool:
        """Bring the branch's copy of `log` here when it is longer (see the module); True
        when it did. Refuses a local log that disagrees with the branch's."""
        kept = self.read(log.name)
        if kept is None:
            return False
        here = log.read_bytes() if log.exists() else b""
        if here.startswith(kept):
            return False
        if not kept.startswith(here):
            raise AuditBranchError(
                f"{log} and its copy on the {self.name} branch disagree in a record they "
                "both hold: neither is taken over the other; compare them with `git show "
                f"{self.name}:{log.name}` and keep the one that verifies")
        write_private(log, kept.decode())
        head = self.read(f"{log.name}.head")
        if head is not None:
            write_private(log.with_name(f"{log.name}.head"), head.decode())
        return True

    def publish(self, logs: Sequence[Path], message: str) -> str | None:
        """Commit `logs` (and their heads) to the branch, appending only; the new commit,
        or None when the branch already holds them."""
        old, local = self._ref(), self.local()
        files: dict[str, bytes] = {}
        for log in logs:
            kept = self.read(log.name) or b""
            content = log.read_bytes()
            if not content.startswith(kept):
                raise AuditBranchError(
                    f"{log} does not start with the records the {self.name} branch holds: "
                    f"restore it first (`ttconfig audit restore`); nothing was published")
            if content != kept:
                files[log.name] = content
                head = log.with_name(f"{log.name}.head")
                if head.exists():
                    files[head.name] = head.read_bytes()
        if not files:
            return None
        commit = self._commit(old, files, message)
        ref = f"refs/heads/{self.name}"
        self._check(self._git("update-ref", ref, commit, local or ""), "update the branch")
        return commit

    def _commit(self, parent: str | None, files: dict[str, bytes], message: str) -> str:
        """A commit of the branch's tree with `files` replaced: a private index, never the
        user's (their working tree and staged changes are not touched)."""
        with tempfile.TemporaryDirectory() as scratch:
            env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if parent is not None:
                self._check(self._git("read-tree", parent, env=env), "read the branch")
            for name, content in files.items():
                blob = self._check(self._git("hash-object", "-w", "--stdin", stdin=content),
                                   "store a log")
                self._check(self._git("update-index", "--add", "--cacheinfo",
                                      f"100644,{blob},{name}", env=env), "stage a log")
            tree = self._check(self._git("write-tree", env=env), "write the tree")
            parents = ["-p", parent] if parent else []
            return self._check(self._git("commit-tree", tree, *parents, "-m", message,
                                         env=self._identity()), "commit")

    def _identity(self) -> dict[str, str]:
        """git's own identity if configured; else one naming ttconfig (a CI runner has none:
        who applied is in the records, not in the commit)."""
        if self._git("config", "user.email").stdout.strip():
            return dict(os.environ)
        return {**os.environ, "GIT_AUTHOR_NAME": "ttconfig", "GIT_COMMITTER_NAME": "ttconfig",
                "GIT_AUTHOR_EMAIL": "ttconfig@localhost",
                "GIT_COMMITTER_EMAIL": "ttconfig@localhost"}

    def push(self) -> None:
        """Push the branch, fast-forward only: a protected branch keeps every record."""
        self._check(self._git("push", self.remote, f"refs/heads/{self.name}:refs/heads/"
                                                   f"{self.name}"), "push the audit branch")

    def _check(self, done: subprocess.CompletedProcess[bytes], what: str) -> str:
        if done.returncode != 0:
            raise AuditBranchError(f"git could not {what} ({self.name} branch): "
                                   f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout.decode().strip()


def restore_logs(directory: Path, branch: Branch | None = None) -> list[Path]:
    """`ttconfig audit restore`: every log the branch holds, brought into `directory`
    where the branch's is longer; the logs restored."""
    branch = branch or Branch()
    return [directory / name for name in branch.logs() if branch.restore(directory / name)]


def publish_logs(directory: Path, message: str, *, push: bool,
                 branch: Branch | None = None) -> str | None:
    """`ttconfig audit publish`: commit the logs of `directory` to the branch (appending
    only) and, with `push`, push it; the new commit, or None when nothing was new."""
    branch = branch or Branch()
    logs = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    commit = branch.publish(logs, message)
    if push and branch.local() is not None:
        branch.push()
    return commit

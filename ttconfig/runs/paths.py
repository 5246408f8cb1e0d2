"""The `.ttconfig/` folder: where commands keep audit logs, locks and the sandbox's state.

Every path is relative to the working directory (the repository), so a CI job and a desk
that run in the same checkout share one audit log and one lock per environment. Commands
that take `--audit-dir`, `--lock-dir` or `--state` default to these; nothing else in the
package spells `.ttconfig`.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ttconfig.models.environment import EnvironmentConfig
from ttconfig.runs.durable import BRANCH, Branch

ROOT = Path(".ttconfig")
AUDIT_DIR = ROOT / "audit"
"""One hash-chained JSON Lines log per TT environment and company (apply, refusals,
overrides, unlocks), named by `claim_name`."""
LOCK_DIR = ROOT / "locks"
"""One lock file per TT environment and company while an apply runs."""
SANDBOX_STATE = ROOT / "sandbox-state.json"
SANDBOX_DIR = ROOT / "sandbox"
"""A sandbox run's audit logs and locks, apart from real TT's: a rehearsal must never read
as an apply to TT (the prod gate's soak counts UAT's applies)."""
"""The in-process sandbox's firms, kept between commands so a plan sees the last apply."""


log = logging.getLogger("ttconfig.audit")


def claim_name(config: EnvironmentConfig) -> str:
    """`ext_uat_cert.harbor-point-trading`: the TT environment and company a folder claims,
    as its audit log and lock are named. They belong to what is written to, not to the
    folder: a folder renamed, or edited to point elsewhere, cannot take another log over,
    and two folders cannot claim one (the loader refuses that)."""
    company = re.sub(r"[^a-z0-9]+", "-", config.company.casefold()).strip("-")
    return f"{config.tt_environment}.{company or 'company'}"


def audit_file(config: EnvironmentConfig, directory: Path = AUDIT_DIR) -> Path:
    """The audit log of the TT environment and company `config` claims: the gate reads
    the source's, apply writes its own."""
    return directory / f"{claim_name(config)}.jsonl"


def credentials_file(state_path: Path) -> Path:
    """Where `sandbox serve` leaves its app keys: next to its state file."""
    return state_path.with_suffix(".credentials.env")


@dataclass(frozen=True)
class Layout:
    """The folders one command writes to (tests and CI may move them)."""

    audit_dir: Path = AUDIT_DIR
    lock_dir: Path = LOCK_DIR

    def audit_file(self, config: EnvironmentConfig, folder: str | None = None) -> Path:
        """The audit log of what `config` claims; with `folder`, a log still named by that
        folder (`uat.jsonl`, before logs were named by claim) is moved there first. The
        default folder's real logs are brought up to date from the audit branch, when the
        repository has one (runs.durable)."""
        path = audit_file(config, self.audit_dir)
        if folder is not None:
            _adopt(self.audit_dir / f"{folder}.jsonl", path)
        if self.audit_dir == AUDIT_DIR and Branch().restore(path):
            log.warning("Restored %s from the %s branch (it held records this copy did not)",
                        path, BRANCH)
        return path

    def of(self, *, sandbox: bool) -> Layout:
        """The folders for a run against the sandbox (`sandbox`) or real TT: the default
        ones move under SANDBOX_DIR for the sandbox; folders given explicitly stay."""
        if not sandbox:
            return self
        return Layout(SANDBOX_DIR / "audit" if self.audit_dir == AUDIT_DIR else self.audit_dir,
                      SANDBOX_DIR / "locks" if self.lock_dir == LOCK_DIR else self.lock_dir)


def _adopt(legacy: Path, path: Path) -> None:
    """Move a folder-named log (and its head) to its claim's name, once: never over a log
    already there, and said on stderr."""
    if legacy == path or not legacy.is_file() or legacy.is_symlink():
        return
    if path.exists():
        log.warning("%s is left as it is: %s already exists (logs are named by TT "
                    "environment and company); merge them by hand if both matter", legacy,
                    path.name)
        return
    old_head = legacy.with_name(f"{legacy.name}.head")  # (runs.audit.head_file)
    if old_head.is_file():  # the head first: a crash in between leaves a log its head misses
        os.replace(old_head, path.with_name(f"{path.name}.head"))
    os.replace(legacy, path)
    log.warning("Moved the audit log %s to %s: logs are named by the TT environment and "
                "company they record", legacy, path)

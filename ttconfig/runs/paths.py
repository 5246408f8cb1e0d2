"""The `.ttconfig/` folder: where commands keep audit logs, locks and the sandbox's state.

Every path is relative to the working directory (the repository), so a CI job and a desk
that run in the same checkout share one audit log and one lock per environment. Commands
that take `--audit-dir`, `--lock-dir` or `--state` default to these; nothing else in the
package spells `.ttconfig`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(".ttconfig")
AUDIT_DIR = ROOT / "audit"
"""One hash-chained JSON Lines log per environment (apply, refusals, overrides, unlocks)."""
LOCK_DIR = ROOT / "locks"
"""One lock file per environment while an apply runs."""
SANDBOX_STATE = ROOT / "sandbox-state.json"
SANDBOX_DIR = ROOT / "sandbox"
"""A sandbox run's audit logs and locks, apart from real TT's: a rehearsal must never read
as an apply to TT (the prod gate's soak counts UAT's applies)."""
"""The in-process sandbox's firms, kept between commands so a plan sees the last apply."""


def audit_file(environment: str, directory: Path = AUDIT_DIR) -> Path:
    """An environment's audit log: the gate reads the source's, apply writes its own."""
    return directory / f"{environment}.jsonl"


def credentials_file(state_path: Path) -> Path:
    """Where `sandbox serve` leaves its app keys: next to its state file."""
    return state_path.with_suffix(".credentials.env")


@dataclass(frozen=True)
class Layout:
    """The folders one command writes to (tests and CI may move them)."""

    audit_dir: Path = AUDIT_DIR
    lock_dir: Path = LOCK_DIR

    def audit_file(self, environment: str) -> Path:
        return audit_file(environment, self.audit_dir)

    def of(self, *, sandbox: bool) -> Layout:
        """The folders for a run against the sandbox (`sandbox`) or real TT: the default
        ones move under SANDBOX_DIR for the sandbox; folders given explicitly stay."""
        if not sandbox:
            return self
        return Layout(SANDBOX_DIR / "audit" if self.audit_dir == AUDIT_DIR else self.audit_dir,
                      SANDBOX_DIR / "locks" if self.lock_dir == LOCK_DIR else self.lock_dir)

"""The daily quota as a budget: a local ledger of requests per app key and UTC day.

TT gives each app key a daily request quota (its usage plan's). At 5,000 accounts only a
couple of whole-firm plans fit in a day, while a pull request, the gate and drift all read;
a key whose quota is spent stops every later command until midnight UTC, the emergency
tightening included. So every command that talks to TT appends what it sent to the
ledger (`.ttconfig/audit/quota-<key id>.jsonl`: the workflows carry it on the audit
branch), says the day's spend, and refuses to start once it would eat into the reserve
(policy `quota_reserve_percent`), which only `apply --break-glass` may spend.

The key itself is never written: it is named by a short sha256 of it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ttconfig.errors import PolicyRefusal
from ttconfig.files import private_dir


def key_id(app_key: str) -> str:
    """An app key as the ledger names it (never the key)."""
    return hashlib.sha256(app_key.encode()).hexdigest()[:16]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class Ledger:
    """One app key's ledger file."""

    path: Path

    @classmethod
    def of(cls, directory: Path, app_key: str) -> Ledger:
        return cls(directory / f"quota-{key_id(app_key)}.jsonl")

    def spent(self, day: str) -> int:
        """Requests recorded for `day` (UTC)."""
        if not self.path.exists():
            return 0
        total = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                total += int(entry["requests"]) if entry.get("day") == day else 0
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short counts for nothing, and refuses nothing
        return total

    def record(self, day: str, requests: int, environment: str) -> None:
        """Append one command's requests (appended only: the audit branch's rule)."""
        if requests <= 0:
            return
        private_dir(self.path.parent)
        line = json.dumps({"day": day, "requests": requests, "environment": environment,
                           "at": datetime.now(UTC).isoformat(timespec="seconds")})
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


@dataclass(frozen=True)
class Budget:
    """The day's spend against the key's quota and the reserve."""

    spent: int
    quota: int
    reserve_percent: float

    @property
    def usable(self) -> int:
        return int(self.quota * (1 - self.reserve_percent / 100))

    def said(self) -> str:
        share = self.spent / self.quota * 100 if self.quota else 0
        return (f"TT requests today with this app key: {self.spent:,} of {self.quota:,} "
                f"({share:.1f} %); {self.reserve_percent:g} % of the quota is kept in reserve")

    def check(self, *, emergency: bool) -> None:
        """Refuse to start once the reserve would be touched (not for an emergency)."""
        if emergency or self.spent < self.usable:
            return
        raise PolicyRefusal(
            f"{self.said()}: {self.spent:,} requests already, and only {self.usable:,} may be "
            "spent before the reserve. Nothing was read. The reserve is kept for "
            "`ttconfig apply --break-glass`; the quota resets at 00:00 UTC "
            "(policy.quota_reserve_percent sets the reserve)")

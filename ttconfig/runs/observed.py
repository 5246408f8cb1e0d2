"""What a drift run records in the environment's audit log: the soak evidence the prod gate
reads when UAT's log has no apply of an object (`promotion.soak`).

The record is made against the records the gate will read (only the signed ones when
TTCONFIG_AUDIT_KEY is set), so a change recorded only in an unsigned record is recorded
again, signed. A log that does not verify gets nothing appended, and drift still reports:
recording is the drift run's by-product, never a reason for it to fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ttconfig import __version__
from ttconfig.errors import TTConfigError
from ttconfig.models.base import Model
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.promotion.soak import OBSERVED, Observations, observe
from ttconfig.runs.audit import AuditLog, actor, git_commit, verified_records
from ttconfig.words import plural


@dataclass(frozen=True)
class Recorded:
    """What a drift run wrote to the audit log, or why it wrote nothing."""

    path: Path
    objects: int = 0
    changed: int = 0
    """Objects new, changed or gone since the records before this one."""
    problem: str | None = None

    def describe(self) -> str:
        if self.problem is not None:
            return f"Recorded nothing for the promotion gate's soak: {self.problem}"
        return (f"Recorded {plural(self.objects, 'live object')} in {self.path} for the promotion "
                f"gate's soak ({self.changed} new or changed since the last drift run)")


def record_observed(path: Path, config: EnvironmentConfig, environment: str,
                    live: Mapping[str, Sequence[Model]], where: str) -> Recorded:
    """Append one `observed` record: what differs in `live` from the log's records."""
    try:
        before = Observations.of(verified_records(path, evidence=True))
        sightings = observe(live)
        fields = before.record(sightings, live.keys())
        log = AuditLog(path, {"environment": environment,
                              "tt_environment": config.tt_environment, "target": where,
                              "actor": actor(), "git_commit": git_commit(Path.cwd()),
                              "tool": f"ttconfig {__version__}"}).verified()
        log.append(OBSERVED, **fields)
    except TTConfigError as error:
        return Recorded(path, problem=str(error))
    changed = sum(len(v) for v in fields["objects"].values()) + sum(
        len(v) for v in fields["gone"].values())
    return Recorded(path, len(sightings), changed)

"""Soak evidence: how long an object has been as it is in UAT, for the prod gate.

The gate lets a prod change through once UAT has held it for `promotion.soak_hours`. Two
witnesses say since when UAT has held an object, both kept in UAT's audit log:

* **applies**: the last apply that wrote the object (`applied_times`);
* **drift runs**: each `ttconfig drift --record` (the drift workflow's) records an
  `observed` event holding a short fingerprint of every live object of the kinds the YAML
  manages — only those that changed (or appeared, or went) since the records before it, so
  a quiet run costs one short line.
  An object UAT has held since long before any apply (made by hand, or applied before the
  audit logs were kept) then shows as unchanged since the first run that saw it so.

`SoakEvidence.held` combines them conservatively: a change drift saw restarts the soak at
the run that saw it (an outside change after the last apply counts); an object live no
longer matches what drift last saw has changed since, and only a later apply can say when.
Where neither witness can tell, it says why, so the refusal names what would satisfy it.

Pure: records and live models in, times out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ttconfig.core.diff import declared_links
from ttconfig.core.digest import fingerprint
from ttconfig.core.state import Key, key_of
from ttconfig.errors import TTConfigError
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.kinds import REGISTRY, Kind
from ttconfig.words import plural

OBSERVED = "observed"
"""The audit event a drift run records."""

ObjectId = tuple[str, str]
"""(kind, folded key as plans show it): how the gate names an object in UAT."""

Sighting = tuple[str, str]
"""(key as TT's live object spells it, short fingerprint of what the YAML can manage on it)."""

SHORT = 16
"""Hex digits of a recorded fingerprint: 64 bits tell one state of an object from another."""


def object_id(kind: str, key: str) -> ObjectId:
    return (str(kind), fold(key))


def observe(live: Mapping[str, Sequence[Model]]) -> dict[ObjectId, Sighting]:
    """Every live object's fingerprint, links included (each link apart from its account,
    so a new trader on an account does not restart the soak of the account's limits)."""
    seen: dict[ObjectId, Sighting] = {}
    for kind, models in live.items():
        links = REGISTRY[Kind(kind)].links
        for model in models:
            data = model.declared()
            if links is not None:
                data.pop(links.field, None)
            key = key_of(model)
            seen[object_id(kind, key)] = (str(key), fingerprint(data)[:SHORT])
    wanted, _ = declared_links(live)
    for account, user, parts in wanted.values():
        key = Key.link(account, user)
        seen[object_id(Kind.LINKS, key)] = (str(key), fingerprint(parts)[:SHORT])
    return seen


@dataclass(frozen=True)
class Seen:
    """What drift last recorded of one object, and since which run."""

    key: str
    """As the record spelt it."""
    fingerprint: str | None
    """None: a run saw it gone."""
    since: datetime
    """The first run that saw it as `fingerprint` says."""
    changed: bool
    """An earlier run saw it otherwise: `since` is then when drift saw it change."""


@dataclass(frozen=True)
class Observations:
    """UAT's drift records, replayed: each object's last sighting."""

    seen: Mapping[ObjectId, Seen] = field(default_factory=dict)
    runs: int = 0
    last_run: datetime | None = None

    @classmethod
    def of(cls, records: Iterable[Mapping[str, Any]]) -> Observations:
        seen: dict[ObjectId, Seen] = {}
        runs, last = 0, None
        for record in records:
            if record.get("event") != OBSERVED:
                continue
            runs, (last, objects, gone) = runs + 1, observed(record)
            for kind, sighted in objects.items():
                for key, value in sighted.items():
                    _sighted(seen, kind, key, value, last)
            for kind, keys in gone.items():
                for key in keys:
                    _sighted(seen, kind, key, None, last)
        return cls(seen, runs, last)

    def record(self, live: Mapping[ObjectId, Sighting], kinds: Iterable[str],
               ) -> dict[str, Any]:
        """The fields of the next `observed` record: what differs in `live` (sightings of
        `kinds`) from these records. An object of a kind not read is not gone."""
        watched = {str(kind) for kind in kinds}
        if Kind.ACCOUNTS in watched:
            watched.add(Kind.LINKS)
        objects: dict[str, dict[str, str]] = {}
        for (kind, folded), (key, value) in sorted(live.items()):
            before = self.seen.get((kind, folded))
            if before is None or before.fingerprint != value:
                objects.setdefault(kind, {})[key] = value
        gone: dict[str, list[str]] = {}
        for (kind, folded), before in sorted(self.seen.items()):
            if before.fingerprint is not None and kind in watched \
                    and (kind, folded) not in live:
                gone.setdefault(kind, []).append(before.key)
        return {"objects": objects, "gone": gone, "count": len(live)}


class ObservedRecordError(TTConfigError):
    """An `observed` audit record not in the shape ttconfig writes (an unsigned log anyone
    can rewrite and reseal): nothing is read from it, the command says which (exit 1)."""


def observed(record: Mapping[str, Any]) -> tuple[datetime, dict[str, dict[str, str]],
                                                  dict[str, list[str]]]:
    """An `observed` record's time, sightings (kind → {key: fingerprint}) and objects gone
    (kind → [key]), checked: the one reader of the record, for the gate and `audit log`."""
    try:
        when = datetime.fromisoformat(str(record["time"]))
        objects = {str(kind): {str(key): str(value) for key, value in sighted.items()}
                   for kind, sighted in (record.get("objects") or {}).items()}
        gone = {str(kind): [str(key) for key in keys]
                for kind, keys in (record.get("gone") or {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ObservedRecordError(
            f"the audit log's observed record of {record.get('time')!r} is not one ttconfig "
            f"writes ({type(error).__name__}: {error}); its soak evidence cannot be "
            "read") from None
    return when, objects, gone


def _sighted(seen: dict[ObjectId, Seen], kind: str, key: str, value: str | None,
             when: datetime) -> None:
    id_ = object_id(kind, key)
    before = seen.get(id_)
    if before is None:
        seen[id_] = Seen(key, value, when, changed=False)
    elif before.fingerprint != value:
        seen[id_] = Seen(key, value, when, changed=True)


@dataclass(frozen=True)
class Held:
    """Since when UAT has held an object as it is now, and how that is known; or, with
    `since` None, why it cannot be told."""

    since: datetime | None
    how: str


@dataclass(frozen=True)
class SoakEvidence:
    """What UAT's audit log and UAT live say about how long UAT has held each object."""

    applied: Mapping[ObjectId, datetime] = field(default_factory=dict)
    """The last applied write to each object (`applied_times`)."""
    observed: Observations = field(default_factory=Observations)
    live: Mapping[ObjectId, Sighting] | None = None
    """UAT live now, fingerprinted as drift records it (`observe`); None: not read."""
    source: str = "uat"
    """The source environment's folder: how the reasons name the commands to run there."""

    def held(self, kind: str, key: str) -> Held:
        id_ = object_id(kind, key)
        applied = self.applied.get(id_)
        seen = self.observed.seen.get(id_)
        now = None if self.live is None else self.live.get(id_)
        if seen is None or seen.fingerprint is None:
            if applied is not None:
                return Held(applied, f"was applied in UAT at {_at(applied)}")
            if self.live is not None and now is None:
                return Held(None, f"UAT's audit log has no apply of {kind} {key}, and UAT "
                            "live does not hold it")
            return Held(None, f"UAT's audit log has no apply of {kind} {key}, and "
                        f"{self._drift_never_saw()}")
        if now is None or now[1] != seen.fingerprint:
            if applied is not None and self.observed.last_run is not None \
                    and applied > self.observed.last_run:
                return Held(applied, f"was applied in UAT at {_at(applied)}")
            return Held(None, f"{kind} {key} changed in UAT after the last drift run "
                        f"({_at(self.observed.last_run)}), and not by an apply UAT's "
                        "audit log records")
        if seen.changed and (applied is None or seen.since >= applied):
            return Held(seen.since, f"changed in UAT before the drift run of "
                        f"{_at(seen.since)} and is unchanged since")
        if applied is not None:
            return Held(applied, f"was applied in UAT at {_at(applied)}")
        return Held(seen.since, f"is unchanged in UAT since the drift run of "
                    f"{_at(seen.since)}, the first to see it")

    def _drift_never_saw(self) -> str:
        if not self.observed.runs:
            return (f"no drift run of {self.source} is recorded there (`ttconfig drift -e "
                    f"{self.source} --record` records what UAT holds)")
        return (f"none of the {plural(self.observed.runs, 'drift run')} recorded there saw it "
                "as it is now")


def _at(when: datetime | None) -> str:
    return "never" if when is None else when.isoformat(timespec="minutes")

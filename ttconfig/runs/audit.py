"""The audit log: append-only JSON Lines, one record per event, hash-chained.

Each record holds the hash of the record before it (`prev_hash`) and its own (`hash`:
sha256 of its canonical JSON without `hash`), so an edited, removed or reordered record
breaks the chain at that point; `verify` names the first broken record. Anyone can
recompute sha256, so that chain proves integrity against accidents, not against forgery:
with a key in TTCONFIG_AUDIT_KEY (a CI secret), records are `signed` and `hash` is an
HMAC-SHA256 under the key, which only a holder of the key can make; a signed log then
verifies only with the key, and the gate counts only signed applies as evidence. Records are
flushed and fsynced one by one: the intent of a write is on disk before the write is sent.
Values are what the YAML and TT say about risk objects; credentials never reach this file.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import hmac
import json
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ttconfig.core.changes import ABSENT
from ttconfig.errors import TTConfigError
from ttconfig.files import private_dir, write_private
from ttconfig.models.checks import fold

GENESIS = "0" * 64
KEY_VARIABLE = "TTCONFIG_AUDIT_KEY"
SIGNED = "hmac-sha256"
"""A signed record's `signed` field: how its `hash` was made."""


def audit_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The audit signing key from TTCONFIG_AUDIT_KEY, if set (never shown anywhere)."""
    value = (environ if environ is not None else os.environ).get(KEY_VARIABLE, "")
    return value.encode() if value else None


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_plain).encode()


def _plain(value: Any) -> Any:
    if value is ABSENT:
        return "(absent)"
    raise TypeError(f"not JSON: {type(value).__name__}")


def record_hash(record: Mapping[str, Any], key: bytes | None = None) -> str:
    """sha256 of the record without its `hash`; HMAC-SHA256 under `key` for a signed one."""
    body = _canonical({k: v for k, v in record.items() if k != "hash"})
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def actor(environ: dict[str, str] | None = None) -> str:
    """Who runs this: the CI actor when in CI, else the OS user."""
    env = environ if environ is not None else dict(os.environ)
    for variable in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_REQUESTEDFOR"):
        if env.get(variable):
            return f"{env[variable]} (CI)"
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def identity(environ: Mapping[str, str] | None = None) -> str:
    """Who runs this, as approvals compare people: "github:LOGIN" (or "gitlab:") in CI,
    else "git:EMAIL" from git's configuration, else "os:USER". Names of different kinds
    cannot be compared: one person may be both a login and an email."""
    env = environ if environ is not None else os.environ
    for variable, kind in (("GITHUB_ACTOR", "github"), ("GITLAB_USER_LOGIN", "gitlab")):
        if env.get(variable):
            return f"{kind}:{env[variable]}"
    try:
        email = subprocess.run(["git", "config", "user.email"], capture_output=True,
                               text=True, timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        email = ""
    return f"git:{email.casefold()}" if email else f"os:{actor(dict(env))}"


def git_commit(directory: Path) -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory,
                                capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


class AuditBroken(TTConfigError):
    """The audit log does not verify: nothing more is appended to it (exit 1)."""


class AuditUnwritable(TTConfigError):
    """A record could not be written (disk full, read-only, gone): exit 1. Mid-apply the
    apply stops at once: a write is never sent without its intent on record."""


def _open_for_append(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)


def head_file(path: Path) -> Path:
    """Where a log's head (its record count and last hash) is kept beside it: a log cut
    short or deleted still verifies as a chain, so the head is what tells."""
    return path.with_name(f"{path.name}.head")


class AuditLog:
    """Appends records to one environment's audit file."""

    def __init__(self, path: Path, context: dict[str, Any], *,
                 key: bytes | Literal["environment"] | None = "environment") -> None:
        """`key`: the signing key (default: TTCONFIG_AUDIT_KEY's, if set)."""
        self.path = path
        self.context = dict(context)
        self._key = audit_key() if key == "environment" else key
        private_dir(path.parent)

    def verified(self) -> AuditLog:
        """This log, once its chain (and its head) verify: apply appends evidence only to a
        log that is still evidence (and never an unsigned record after signed ones)."""
        verdict = verify(self.path, self._key)
        if verdict.broken_at is not None:
            raise AuditBroken(f"{self.path}:{verdict.broken_at}: the audit log's chain is "
                              f"broken ({verdict.reason}); apply appends only to a log that "
                              f"verifies (`ttconfig audit verify {self.path}`)")
        return self

    def _tail(self) -> tuple[str, int]:
        """(the last record's hash, the number of records)."""
        last, count = None, 0
        with self.path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    last, count = line, count + 1
        if last is None:
            return GENESIS, 0
        try:
            return str(json.loads(last)["hash"]), count
        except (ValueError, KeyError, TypeError):
            raise AuditBroken(f"{self.path}:{count}: the audit log's last record is not a "
                              "record (cut off?); nothing more is appended to it") from None

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Write one record (flushed and fsynced), then the log's head; return the record."""
        try:
            return self._append(event, fields)
        except OSError as error:
            raise AuditUnwritable(f"cannot write the audit log {self.path}: "
                                  f"{error.strerror or error}") from None

    def _append(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        fd = _open_for_append(self.path)
        with os.fdopen(fd, "r+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            previous, count = self._tail()
            record: dict[str, Any] = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "event": event, **self.context, **fields, "prev_hash": previous,
            }
            if self._key is not None:
                record["signed"] = SIGNED
            record["hash"] = record_hash(record, self._key)
            handle.write(_canonical(record) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
            write_private(head_file(self.path),
                          json.dumps({"records": count + 1, "hash": record["hash"]}) + "\n")
        return record


@dataclass(frozen=True)
class Verdict:
    records: int
    broken_at: int | None
    """1-based line of the first broken record, or None when the chain holds."""
    reason: str
    head: str
    signed: int = 0
    """Records signed with the key (checked under it): the ones that are evidence."""


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def _head(path: Path) -> tuple[int, str] | None:
    try:
        head = json.loads(head_file(path).read_text(encoding="utf-8"))
        return int(head["records"]), str(head["hash"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return -1, "unreadable"


def verify(path: Path, key: bytes | Literal["environment"] | None = "environment") -> Verdict:
    """Check every record's hash and its link to the one before, and that the log is as
    long as its head says (records cut off the end, or the whole log gone, are found).
    Signed records are checked under `key` (default: TTCONFIG_AUDIT_KEY's); without it
    they cannot be, and the log does not verify."""
    key = audit_key() if key == "environment" else key
    head = _head(path)
    if not path.exists():
        if head is None or head[0] == 0:
            return Verdict(0, None, "no log yet", GENESIS)
        return Verdict(0, 1, f"the log is missing, but its head says {head[0]} records",
                       GENESIS)
    verdict, at_head = _chain(path, head[0] if head is not None else 0, key)
    if verdict.broken_at is not None or head is None:
        return verdict
    records, last = head
    if records < 0:
        return Verdict(verdict.records, verdict.records + 1,
                       f"its head file {head_file(path).name} is unreadable", verdict.head)
    if verdict.records < records or at_head != last:
        return Verdict(verdict.records, verdict.records + 1,
                       f"the log has {verdict.records} records, but its head says {records} "
                       "ending with another hash (records were cut off or replaced)",
                       verdict.head)
    return verdict


def _chain(path: Path, head: int, key: bytes | None) -> tuple[Verdict, str]:
    """The chain's verdict, and the hash of record number `head` (GENESIS for 0), in
    one pass over the log."""
    previous, count, signed, at_head = GENESIS, 0, 0, GENESIS if head == 0 else ""
    for number, line in _lines(path):
        try:
            record = json.loads(line)
        except ValueError:
            cut = "" if line.endswith(b"\n") else " (its last line is cut off)"
            return Verdict(count, number, f"not a JSON record{cut}", previous), at_head
        if not isinstance(record, dict) or "hash" not in record:
            return Verdict(count, number, "not an audit record", previous), at_head
        if record.get("prev_hash") != previous:
            return Verdict(count, number, "its prev_hash is not the hash of the record "
                                          "before it (a record was removed, added or moved)",
                           previous), at_head
        problem = _signature_problem(record, key, signed)
        if problem is not None:
            return Verdict(count, number, problem, previous, signed), at_head
        previous, count = record["hash"], count + 1
        signed += "signed" in record
        if count == head:
            at_head = previous
    return Verdict(count, None, "the chain holds", previous, signed), at_head


def _signature_problem(record: Mapping[str, Any], key: bytes | None,
                       signed_before: int) -> str | None:
    """Why `record`'s hash does not hold, if it does not."""
    if "signed" not in record:
        if signed_before:
            return ("it is not signed, after signed records: written without "
                    f"{KEY_VARIABLE}, or forged")
        if record_hash(record) != record["hash"]:
            return "its content does not match its hash (edited)"
        return None
    if record["signed"] != SIGNED:
        return f"it is signed in a way ttconfig does not know ({record['signed']!r})"
    if key is None:
        return (f"it is signed, and {KEY_VARIABLE} is not set: set it to the key the log "
                "is signed with to check it")
    if not hmac.compare_digest(record_hash(record, key), str(record["hash"])):
        return (f"its signature does not verify under {KEY_VARIABLE} (edited, forged, or "
                "signed with another key)")
    return None


def verified_records(path: Path, *, evidence: bool = False) -> list[dict[str, Any]]:
    """A log's records, only if its hash chain holds (an edited log proves nothing); none if
    there is no log yet. As `evidence` (what the gate counts), with a signing key set,
    only the signed records: anyone could have written an unsigned one."""
    key = audit_key()
    verdict = verify(path, key)
    if verdict.broken_at is None and not path.exists():
        return []
    if verdict.broken_at is not None:
        raise AuditBroken(f"{path}:{verdict.broken_at}: the audit log's chain is broken "
                            f"({verdict.reason}); the gate cannot trust its apply times")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    if evidence and key is not None:
        return [r for r in records if "signed" in r]
    return records


FINISHED = frozenset({"applied", "failed", "not applied"})
"""Outcomes that settle a write; any other (or none) leaves it unfinished."""


@dataclass(frozen=True)
class Unfinished:
    """A write an apply began and never settled: killed between the intent and its outcome,
    or recorded unknown / interrupted after its request went out. It may have landed."""

    intent: str
    time: str
    kind: str
    key: str
    operation: str
    items: tuple[str, ...]
    outcome: str | None
    """The last outcome recorded for it, if any ("unknown", "interrupted")."""
    request_id: str | None


def unfinished(records: Iterable[Mapping[str, Any]]) -> list[Unfinished]:
    """The writes of `records` that no outcome settled, oldest first."""
    intents: dict[str, Mapping[str, Any]] = {}
    last: dict[str, Mapping[str, Any]] = {}
    for record in records:
        if record.get("event") == "intent":
            intents[str(record.get("hash"))] = record
        elif record.get("event") == "outcome":
            last[str(record.get("intent"))] = record
    found = []
    for key, intent in intents.items():
        outcome = last.get(key)
        if outcome is not None and (outcome.get("outcome") in FINISHED or (
                outcome.get("outcome") == "interrupted" and outcome.get("sent") is False)):
            continue
        found.append(Unfinished(
            key, str(intent.get("time")), str(intent.get("kind")), str(intent.get("key")),
            str(intent.get("operation")), tuple(str(i) for i in intent.get("items") or ()),
            None if outcome is None else str(outcome.get("outcome")),
            None if outcome is None else outcome.get("request_id")))
    return found


def unfinished_in(path: Path) -> list[Unfinished]:
    """The unfinished writes of the log at `path` (none when there is no log)."""
    return unfinished(verified_records(path))


@dataclass(frozen=True)
class Emergency:
    """A change applied with --break-glass: the YAML may not carry it yet, and a plan made
    from that YAML would revert it."""

    kind: str
    key: str
    time: str
    actor: str
    reason: str


def emergencies(records: Iterable[Mapping[str, Any]]) -> list[Emergency]:
    """The break-glass writes of `records` that were applied, latest per object last."""
    intents: dict[str, Mapping[str, Any]] = {}
    found: dict[tuple[str, str], Emergency] = {}
    for record in records:
        if record.get("event") == "intent" and record.get("break_glass"):
            intents[str(record.get("hash"))] = record
        elif record.get("event") == "outcome" and record.get("outcome") == "applied":
            intent = intents.get(str(record.get("intent")))
            if intent is not None:
                kind, key = str(intent.get("kind")), str(intent.get("key"))
                found[(kind, key)] = Emergency(kind, key, str(intent.get("time")),
                                               str(intent.get("actor")),
                                               str(intent.get("reason")))
    return list(found.values())


@dataclass(frozen=True)
class Notes:
    """What plan and drift say besides their report, from the environment's audit log."""

    unfinished: list[Unfinished]
    emergencies: list[Emergency]
    """Break-glass changes to the objects the report touches."""


def notes_of(path: Path, touched: Iterable[tuple[str, str]]) -> Notes:
    """Unfinished writes, and break-glass changes to `touched` (kind, folded key). A log
    that does not verify gives none: refusing it is apply's, and plan and drift still
    show what they read."""
    try:
        records = verified_records(path)
    except AuditBroken:
        return Notes([], [])
    wanted = set(touched)
    return Notes(unfinished(records),
                 [e for e in emergencies(records) if (e.kind, fold(e.key)) in wanted])

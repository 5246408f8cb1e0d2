"""One apply per environment at a time: a lock file per environment, Terraform style.

TT has no server-side lock object, so two applies to the same environment (two CI jobs,
a desk and CI) would interleave their writes and leave a state neither plan described.
The lock is a file, ``<directory>/<environment>.lock``, created with ``O_CREAT|O_EXCL`` so
that exactly one of any number of racing processes creates it; the file holds who took it
(`LockInfo`), so a refused second apply can say whom to ask. A lock is never taken over
silently: a holder that died leaves its lock behind, and only someone who names the lock's
id (``ttconfig unlock -e ENV --id ID``) breaks it — the id is a nonce, so an unlock typed
for one lock can never break a newer one. The lock guards a working directory or a shared
runner; the stale-plan check in apply stays the backstop when the lock is bypassed.
A lock file holds no secrets: names, host, pid, times, a plan checksum.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ttconfig.errors import TTConfigError, UsageError
from ttconfig.files import private_dir
from ttconfig.runs.audit import actor

_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_FIELDS: dict[str, type] = {
    "id": str, "environment": str, "who": str, "host": str, "pid": int,
    "created_at": str, "operation": str,
}
_UNREADABLE_PREFIX = "unreadable-"
# The creator writes its holder right after creating the file; a reader that lands in that
# gap sees an empty or partial file. Re-reading a freshly written file briefly tells that gap
# from a real corrupt lock; an older unreadable file is reported at once.
_REREAD_ATTEMPTS = 10
_REREAD_PAUSE_SECONDS = 0.02
_FRESH_SECONDS = 5.0
_CREATE_ATTEMPTS = 5


@dataclass(frozen=True)
class LockInfo:
    """Who holds an environment's lock, as written in the lock file.

    `problem` is set only for a lock file that could not be read (crash while writing,
    hand edit): such a file still holds the lock, and `id` is then a fingerprint of its
    content, so breaking it names exactly the file that was seen.
    """

    id: str
    environment: str
    who: str
    host: str
    pid: int
    created_at: str
    plan: str | None
    operation: str
    problem: str | None = None

    def describe(self) -> str:
        """One line a person can act on: whom to ask, whether it looks stale, which id."""
        if self.problem is not None:
            return (f"an unreadable lock file ({self.problem}; last written {self.created_at}), "
                    f"lock id {self.id}")
        plan = f"plan {self.plan[:12]}" if self.plan else "plan not yet known"
        text = (f"{self.who} on host {self.host} (pid {self.pid}) since {self.created_at}"
                f"{_age(self.created_at)}, {self.operation} of {plan}, lock id {self.id}")
        liveness = self._liveness()
        return f"{text}; {liveness}" if liveness else text

    def _liveness(self) -> str | None:
        # A pid means something only on the host that wrote it; elsewhere, say nothing.
        if self.host != socket.gethostname() or self.pid <= 0:
            return None
        if _pid_alive(self.pid):
            return f"process {self.pid} is still running"
        return f"process {self.pid} is not running: the lock looks stale"


class LockHeld(TTConfigError):
    """Another apply holds the environment; exit 5 like any conflicting live edit."""

    exit_code = 5

    def __init__(self, info: LockInfo, named_as: str | None = None) -> None:
        way_out = "If that apply is gone" if info.problem is None else "If no apply is running"
        super().__init__(
            f"environment {info.environment} is locked by {info.describe()}. {way_out}, "
            f"break the lock with: ttconfig unlock {named_as or f'-e {info.environment}'} "
            f"--id {info.id}")
        self.info = info


class UnlockRefused(UsageError):
    """`ttconfig unlock` named no lock, or not the lock that is held; nothing was removed."""

    def __init__(self, message: str, holder: LockInfo | None) -> None:
        super().__init__(message)
        self.holder = holder


class EnvironmentLock:
    """The lock of one environment, kept as a file in `directory`."""

    def __init__(self, directory: Path, environment: str, named_as: str | None = None) -> None:
        """`environment`: the lock's name (what is written to: `claim_name`); `named_as`:
        how a user names it to `ttconfig unlock` (`-e prod`, `-e uat --sandbox`), for the
        message that says how to break it."""
        if not _ENVIRONMENT.fullmatch(environment):
            raise UsageError(f"not an environment name: {environment!r}")
        self.directory = directory
        self.environment = environment
        self.named_as = named_as
        self.path = directory / f"{environment}.lock"

    def acquire(self, *, plan: str | None, operation: str = "apply") -> LockInfo:
        """Take the lock or raise `LockHeld` naming its holder; never waits, never steals."""
        info = LockInfo(
            id=uuid.uuid4().hex, environment=self.environment, who=actor(),
            host=socket.gethostname(), pid=os.getpid(),
            created_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            plan=plan, operation=operation)
        self._make_directory()
        fd = self._create()
        try:
            try:
                _write_all(fd, _encode(info))
                os.fsync(fd)
            finally:
                os.close(fd)
            _fsync_directory(self.directory)
        except BaseException:
            # A lock file we created but could not fill would block everyone; it is ours.
            with contextlib.suppress(OSError):
                self.path.unlink()
            raise
        return info

    def release(self, info: LockInfo) -> None:
        """Drop the lock if it is still `info`'s; a lock broken and retaken by another stays."""
        self._remove_if(info.id)

    def holder(self) -> LockInfo | None:
        """The current holder, None when unlocked; an unreadable file is a holder too."""
        content = b""
        for attempt in range(_REREAD_ATTEMPTS):
            try:
                content = self.path.read_bytes()
            except FileNotFoundError:
                return None
            info = _decode(content, self.environment)
            if info is not None:
                return info
            if attempt + 1 < _REREAD_ATTEMPTS and self._fresh():
                time.sleep(_REREAD_PAUSE_SECONDS)
            else:
                break
        return self._unreadable(content)

    def break_lock(self, lock_id: str) -> LockInfo:
        """Remove the lock whose id is `lock_id` and return its holder; refuse any other."""
        holder = self.holder()
        if holder is None:
            raise UnlockRefused(
                f"environment {self.environment} is not locked ({self.path} does not exist); "
                f"nothing to unlock", None)
        if lock_id != holder.id:
            raise UnlockRefused(
                f"lock id {lock_id} does not match the lock on environment {self.environment}, "
                f"held by {holder.describe()}; nothing was removed", holder)
        if not self._remove_if(lock_id):
            raise UnlockRefused(
                f"the lock on environment {self.environment} changed while unlocking; "
                f"nothing was removed. Run ttconfig unlock again to see its holder", None)
        return holder

    @contextlib.contextmanager
    def held(self, *, plan: str | None, operation: str = "apply") -> Iterator[LockInfo]:
        """Hold the lock for a block; released however the block ends, Ctrl-C included."""
        info = self.acquire(plan=plan, operation=operation)
        try:
            yield info
        finally:
            self.release(info)

    def _make_directory(self) -> None:
        try:
            private_dir(self.directory)
        except OSError as exc:
            raise TTConfigError(f"cannot create lock directory {self.directory}: "
                                f"{exc.strerror or exc}") from None

    def _create(self) -> int:
        """Create the lock file exclusively, or raise `LockHeld` with whoever has it."""
        for _ in range(_CREATE_ATTEMPTS):
            try:
                return os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                holder = self.holder()
                if holder is not None:
                    raise LockHeld(holder, self.named_as) from None
                # Released between our attempt and our read: the lock is free, try again.
            except OSError as exc:
                raise TTConfigError(f"cannot create lock file {self.path}: "
                                    f"{exc.strerror or exc}") from None
        raise TTConfigError(f"the lock file {self.path} kept appearing and disappearing; "
                            f"another process is taking and releasing it. Try again")

    def _remove_if(self, lock_id: str) -> bool:
        """Unlink the lock file only if it holds `lock_id`; True when it was removed."""
        try:
            with self.path.open("rb") as file:
                content = file.read()
                seen = os.fstat(file.fileno())
        except FileNotFoundError:
            return False
        holder = _decode(content, self.environment) or self._unreadable(content)
        if holder.id != lock_id:
            return False
        try:
            # The file at the path must still be the one read: not one re-created since.
            now = os.stat(self.path)
            if (now.st_dev, now.st_ino) != (seen.st_dev, seen.st_ino):
                return False
            self.path.unlink()
        except FileNotFoundError:
            return False
        _fsync_directory(self.directory)
        return True

    def _fresh(self) -> bool:
        try:
            return time.time() - self.path.stat().st_mtime < _FRESH_SECONDS
        except OSError:
            return False

    def _unreadable(self, content: bytes) -> LockInfo:
        try:
            written = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
            created_at = written.replace(microsecond=0).isoformat()
        except OSError:
            created_at = "unknown"
        fingerprint = hashlib.sha256(content).hexdigest()[:16]
        problem = (f"{self.path} is empty" if not content
                   else f"{self.path} is not a ttconfig lock ({len(content)} bytes)")
        return LockInfo(id=_UNREADABLE_PREFIX + fingerprint, environment=self.environment,
                        who="unknown", host="unknown", pid=0, created_at=created_at,
                        plan=None, operation="unknown", problem=problem)

def _encode(info: LockInfo) -> bytes:
    record = asdict(info)
    del record["problem"]
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()


def _decode(content: bytes, environment: str) -> LockInfo | None:
    """The holder in `content`, or None if it is not a complete lock of `environment`."""
    try:
        record: Any = json.loads(content)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    for name, kind in _FIELDS.items():
        value = record.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return None
    plan = record.get("plan")
    if (plan is not None and not isinstance(plan, str)) or record["environment"] != environment:
        return None
    return LockInfo(id=record["id"], environment=record["environment"], who=record["who"],
                    host=record["host"], pid=record["pid"], created_at=record["created_at"],
                    plan=plan, operation=record["operation"])


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_directory(directory: Path) -> None:
    # Without it, a crash can forget the file's creation or removal even after it returned.
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return True  # cannot tell: do not call a live apply stale
    return True


def _age(created_at: str) -> str:
    try:
        created = datetime.fromisoformat(created_at)
    except ValueError:
        return ""
    if created.tzinfo is None:
        return ""
    seconds = int((datetime.now(UTC) - created).total_seconds())
    if seconds < 0:
        return ""
    if seconds < 120:
        return f" ({seconds} s ago)"
    if seconds < 7200:
        return f" ({seconds // 60} min ago)"
    if seconds < 2 * 86400:
        return f" ({seconds // 3600} h ago)"
    return f" ({seconds // 86400} days ago)"

"""Values as plain JSON and their sha256: how a saved plan pins the live objects it was
made from, and how drift records what it saw for the gate's soak. One spelling, so a value
read back from a file fingerprints as it did when it was written. Pure."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ttconfig.core.changes import ABSENT

ABSENT_TEXT = "(absent)"


def plain(value: Any) -> Any:
    """JSON-able, with ABSENT spelt as in plan files (a file read back compares equal)."""
    return json.loads(json.dumps(value, default=lambda v: ABSENT_TEXT if v is ABSENT else str(v)))


def fingerprint(value: Any) -> str:
    """sha256 of the value's canonical JSON (keys sorted, no spaces)."""
    canonical = json.dumps(plain(value), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()

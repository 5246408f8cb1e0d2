"""requestIds: `<app_name>-<company_name>--<uuid4>`, new for every request and every retry.

TT refuses spaces and the characters $ & + , / : ; = ? @ " < > # % { } | \\ ^ ~ [ ] and the
backtick, and refuses a reused requestId; the app and company names come from configuration,
so they are sanitised here rather than trusted.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

_UNSAFE = re.compile(r"[^A-Za-z0-9_.]+")


def sanitise(name: str, fallback: str) -> str:
    """Keep letters, digits, `_` and `.`; anything else becomes `_` (never a hyphen, which
    would blur the `-` and `--` separators)."""
    cleaned = _UNSAFE.sub("_", name.strip()).strip("_")
    return cleaned or fallback


class RequestIds:
    """Makes requestIds for one app and company."""

    def __init__(self, app_name: str, company_name: str,
                 new_guid: Callable[[], uuid.UUID] = uuid.uuid4) -> None:
        self.prefix = f"{sanitise(app_name, 'ttconfig')}-{sanitise(company_name, 'company')}"
        self._new_guid = new_guid

    def new(self) -> str:
        return f"{self.prefix}--{self._new_guid()}"

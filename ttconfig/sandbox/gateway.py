"""The API-gateway side of TT: app keys, tokens, requestIds, usage plans and POST pacing.

This is per-key bookkeeping kept in memory (a restart forgets tokens and today's counts, as
a new gateway node would). Times come from an injected monotonic clock so tests and the
server agree on what "1 second" is.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.words import plural

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
REQUEST_ID = re.compile(rf"^(?P<prefix>.+)--(?P<guid>{GUID})$")
FORBIDDEN_IN_REQUEST_ID = frozenset('$&+,/:;=?@"<>#%{}|\\^~[]`')

Clock = Callable[[], float]


def request_id_problem(value: str | None, misspelt: bool) -> str | None:
    """Why a requestId is refused, or None when it is well formed (TT rule 6)."""
    if value is None:
        if misspelt:
            return "requestId is missing (query parameter names are case-sensitive)"
        return "requestId is missing"
    if any(map(str.isspace, value)):  # in C: every request passes here
        return "requestId must not contain spaces"
    bad = sorted(set(value) & FORBIDDEN_IN_REQUEST_ID)
    if bad:
        return f"requestId contains {plural(len(bad), 'forbidden character')}: {' '.join(bad)}"
    match = REQUEST_ID.match(value)
    if match is None or match["prefix"].strip("-") == "":
        return "requestId must look like <app_name>-<company_name>--<GUID>"
    return None


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class _KeyState:
    bucket: _Bucket | None = None
    day: str = ""
    used_today: int = 0
    request_ids: set[str] = field(default_factory=set)
    redirected: set[str] = field(default_factory=set)
    """requestIds answered with a 303: the follow-up to that Location may bring it again."""
    post_in_flight: bool = False
    last_post_ack: float = float("-inf")


@dataclass(frozen=True)
class Token:
    key: str
    expires_at: float


class Gateway:
    """Per-key state of the gateway; thread-safe."""

    def __init__(self, settings: SandboxSettings, clock: Clock = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, _KeyState] = {}
        self._tokens: dict[str, Token] = {}

    def _state(self, key: str) -> _KeyState:
        return self._keys.setdefault(key, _KeyState())

    def admit(self, key: str, plan_name: str) -> str | None:
        """Count a request against the key's usage plan; the 429 message when over it."""
        plan = self.settings.plan_for(plan_name)
        now = self.clock()
        with self._lock:
            state = self._state(key)
            bucket = state.bucket
            capacity = max(1.0, plan.requests_per_second * self.settings.burst_seconds)
            if bucket is None or (bucket.rate, bucket.capacity) != (plan.requests_per_second,
                                                                    capacity):
                bucket = state.bucket = _Bucket(plan.requests_per_second, capacity, capacity, now)
            if not bucket.take(now):
                return "Too Many Requests"
            today = datetime.now(UTC).date().isoformat()
            if state.day != today:
                state.day, state.used_today = today, 0
            if state.used_today >= plan.daily_quota:
                return "Limit Exceeded"
            state.used_today += 1
            return None

    def use_request_id(self, key: str, request_id: str, *, following: bool = False) -> bool:
        """Record a requestId; False when this key already used it — unless `following`
        the 303 that answered it (once): curl -L, requests and httpx resend the Location
        as given, requestId and all, and TT's routing serves them."""
        with self._lock:
            state = self._state(key)
            if request_id in state.request_ids:
                if following and request_id in state.redirected:
                    state.redirected.discard(request_id)
                    return True
                return False
            state.request_ids.add(request_id)
            return True

    def redirected(self, key: str, request_id: str) -> None:
        """`request_id` was answered with a 303: its follow-up is not a reuse."""
        with self._lock:
            self._state(key).redirected.add(request_id)

    def issue_token(self, key: str) -> tuple[str, float]:
        lifetime = self.settings.token_lifetime_seconds
        token = self.settings.credential(secrets.token_urlsafe(32))
        with self._lock:
            self._tokens[token] = Token(key, self.clock() + lifetime)
        return token, lifetime

    def token_problem(self, key: str, authorization: str | None) -> str | None:
        """Why a request's bearer token is refused (401), or None when it is good for `key`."""
        if not authorization:
            return "missing Authorization header"
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return "Authorization must be 'Bearer <access_token>'"
        with self._lock:
            token = self._tokens.get(value.strip())
        if token is None or token.key != key:
            return "invalid access token"
        if self.clock() >= token.expires_at:
            return "access token expired"
        return None

    def expire_tokens(self) -> None:
        """Expire every token now (a test lever for expiry mid-run)."""
        with self._lock:
            self._tokens = {t: Token(v.key, float("-inf")) for t, v in self._tokens.items()}

    def begin_post(self, key: str) -> bool:
        """Start a POST; False when the previous POST is in flight or acknowledged too recently."""
        with self._lock:
            state = self._state(key)
            if state.post_in_flight:
                return False
            if self.clock() - state.last_post_ack < self.settings.post_pause_seconds:
                return False
            state.post_in_flight = True
            return True

    def end_post(self, key: str) -> None:
        """The POST was acknowledged (or its connection dropped): start the pause."""
        with self._lock:
            state = self._state(key)
            state.post_in_flight = False
            state.last_post_ack = self.clock()

    def usage(self, key: str) -> int:
        with self._lock:
            return self._state(key).used_today

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()
            self._tokens.clear()

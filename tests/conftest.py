"""Shared fixtures: a real sandbox on loopback, raw HTTP to it, and clients configured for it."""

from __future__ import annotations

import copy
import gc
import os
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import fields
from typing import Any

import httpx
import pytest

from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.secret import Secret

pytest_plugins = ["tests.canary", "tests.proof.totals"]
"""The secrets canary: every session runs under it and fails on a leaked credential. The
proof suites' totals: their chunks' counts summed over every xdist worker, then checked."""

def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: three workers for every two cores. A fifth of a worker's time is spent
    waiting (on loopback sockets, TT's write pause, child processes), so two workers left
    two cores 15 % idle: three took the suite from 4 m 52 s to 3 m 31 s on 2 cores."""
    return max(2, (os.cpu_count() or 1) * 3 // 2)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A test that ignores unraisable-exception warnings (its connections are dropped on
    purpose, and their sockets reach the garbage collector unclosed) collects its garbage
    before it ends: otherwise the warning surfaces in whichever test the collector next
    runs in, and under xdist that is any test on the same worker."""
    try:
        yield
    finally:
        if any("PytestUnraisableExceptionWarning" in str(mark.args)
               for mark in item.iter_markers("filterwarnings")):
            gc.collect()


UAT = "ext_uat_cert"
PROD = "ext_prod_live"
UAT_LOG = "ext_uat_cert.harbor-point-trading.jsonl"
PROD_LOG = "ext_prod_live.harbor-point-trading.jsonl"
"""The demo folders' audit logs: named by the TT environment and company they record."""
FAST_PAUSE = 0.2
"""POST pause used by most tests so that writes are quick; rule tests use TT's 1 s."""


def sandbox_settings() -> SandboxSettings:
    """What the `sandbox` fixture serves with: TT's rules at a short POST pause and the high
    usage plan for every key, strict (the client must never send what strict refuses)."""
    return SandboxSettings(post_pause_seconds=FAST_PAUSE, usage_plan_override="high",
                           strict=True)


@pytest.fixture(autouse=True)
def _no_audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit logs unsigned unless a test signs them: a key in the developer's shell must
    not change what the suite sees."""
    monkeypatch.delenv("TTCONFIG_AUDIT_KEY", raising=False)


@pytest.fixture(scope="session")
def session_sandbox() -> Iterator[Sandbox]:
    """One running sandbox per test process; tests get it through `sandbox`, as new."""
    with Sandbox(settings=sandbox_settings()) as running:
        yield running


@pytest.fixture(scope="session")
def session_settings(session_sandbox: Sandbox) -> SandboxSettings:
    """The session sandbox's settings as it started (its canary included)."""
    return copy.deepcopy(session_sandbox.settings)


@pytest.fixture
def sandbox(session_sandbox: Sandbox, session_settings: SandboxSettings) -> Sandbox:
    """The session's sandbox as a fresh one would be: seeded firms, an empty write log, no
    faults, no tokens, no rate or pause state, and `sandbox_settings()`.

    Starting and stopping a server took ~0.2 s a test. A test may still change settings,
    add faults or edit live data: the next test gets all of it back as new. It first waits
    for this test's delayed answers and late commits to land, so none lands in the next.
    """
    return renewed(session_sandbox, session_settings)


def renewed(running: Sandbox, settings: SandboxSettings) -> Sandbox:
    """`running` as new, with `settings` (see the `sandbox` fixture)."""
    assert running.wait_idle(), "the sandbox is still answering the previous test"
    fresh = copy.deepcopy(settings)
    for setting in fields(SandboxSettings):  # the settings first: the reset seeds with them
        setattr(running.settings, setting.name, getattr(fresh, setting.name))
    running.reset()
    return running


class RawTT:
    """Hand-made HTTP requests to the sandbox, for tests of the sandbox's own rules."""

    def __init__(self, sandbox: Sandbox, environment: str = UAT, label: str = "ttconfig") -> None:
        self.sandbox = sandbox
        self.environment = environment
        self.key, self.secret = sandbox.credentials(environment, label)
        self.http = httpx.Client(base_url=sandbox.base_url, timeout=10)
        self._token: str | None = None

    @staticmethod
    def rid() -> str:
        return f"tests-harbor--{uuid.uuid4()}"

    def url(self, service: str, endpoint: str, environment: str | None = None) -> str:
        return f"/{service}/{environment or self.environment}/{endpoint}"

    def token(self) -> str:
        if self._token is None:
            response = self.http.post(
                self.url("ttid", "token"), params={"requestId": self.rid()},
                headers={"x-api-key": self.key},
                data={"grant_type": "user_app", "app_key": f"{self.key}:{self.secret}"})
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        return self._token

    def headers(self, **extra: str) -> dict[str, str]:
        return {"x-api-key": self.key, "Authorization": f"Bearer {self.token()}", **extra}

    def get(self, service: str, endpoint: str, **params: str) -> httpx.Response:
        return self.http.get(self.url(service, endpoint),
                             params={"requestId": self.rid(), **params}, headers=self.headers())

    def post(self, service: str, endpoint: str, body: Any) -> httpx.Response:
        return self.http.post(self.url(service, endpoint), params={"requestId": self.rid()},
                              headers=self.headers(), json=body)

    def delete(self, service: str, endpoint: str) -> httpx.Response:
        return self.http.delete(self.url(service, endpoint), params={"requestId": self.rid()},
                                headers=self.headers())

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def raw(sandbox: Sandbox) -> Iterator[RawTT]:
    client = RawTT(sandbox)
    yield client
    client.close()


ClientFactory = Callable[..., TTClient]


@pytest.fixture
def make_client(sandbox: Sandbox) -> ClientFactory:
    """Build a TTClient for the sandbox; keyword arguments override ClientConfig fields."""

    def build(environment: str = UAT, label: str = "ttconfig", transport: Any = None,
              **overrides: Any) -> TTClient:
        key, secret = sandbox.credentials(environment, label)
        fields: dict[str, Any] = {
            "environment": environment,
            "credentials": Credentials(Secret(key), Secret(secret)),
            "base_url": sandbox.base_url,
            "usage_plan": "high",
            "company_name": "Harbor Point",
            "post_pause_seconds": FAST_PAUSE,
            "retry": RetryPolicy(base_seconds=0.05, cap_seconds=0.5),
            **overrides,
        }
        return TTClient(ClientConfig(**fields), transport=transport)

    return build

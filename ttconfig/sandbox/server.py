"""Run the sandbox: in-process on a free loopback port (tests, `--sandbox`), or in the foreground.

    with Sandbox() as sandbox:
        key, secret = sandbox.credentials("ext_uat_cert")
        ... httpx / the ttconfig client against sandbox.base_url ...
        assert len(sandbox.writes()) == 1
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from ttconfig.sandbox.app import SandboxApp
from ttconfig.sandbox.faults import Edit, Fault, FaultInjector
from ttconfig.sandbox.gateway import Gateway
from ttconfig.sandbox.seed import SEED, build_all
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.sandbox.store import Record, SandboxStore


class Sandbox:
    """A TT sandbox: store, gateway, faults and an HTTP server on loopback."""

    def __init__(self, *, state_path: Path | None = None, settings: SandboxSettings | None = None,
                 accounts: int | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.settings = settings or SandboxSettings()
        self.store = SandboxStore.open(state_path, lambda: self._seed(accounts), SEED)
        self.gateway = Gateway(self.settings)
        self.faults = FaultInjector()
        self.app = SandboxApp(self.store, self.settings, self.gateway, self.faults)
        self.host, self.port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _seed(self, accounts: int | None) -> Record:
        """The seeded firms, their app keys and secrets issued as the settings say (a canary)."""
        data = build_all(accounts=accounts)
        for environment in data["environments"].values():
            for app_key in environment["appKeys"]:
                app_key["key"] = self.settings.credential(app_key["key"])
                app_key["secret"] = self.settings.credential(app_key["secret"])
        return data

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning",
                              lifespan="off", access_log=False, timeout_keep_alive=30,
                              date_header=False)  # (the app dates answers by its clock)

    def _bind(self) -> socket.socket:
        # An explicit IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they
        # are TCP; without it every small response waits ~40 ms for Nagle and delayed ACKs.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        return sock

    def start(self) -> Sandbox:
        """Serve on a background thread; returns once the port is bound."""
        sock = self._bind()
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(target=self._run, args=(sock,), name="tt-sandbox",
                                        daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start")
            time.sleep(0.01)
        return self

    def _run(self, sock: socket.socket) -> None:
        assert self._server is not None
        # uvicorn's own run: its event loop (uvloop where installed) and, through the
        # config, its HTTP parser (httptools where installed) take a third off the
        # sandbox's CPU per request, which the proof suites spend thousands of.
        self._server.run(sockets=[sock])

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def bind(self) -> socket.socket:
        """Take the port now (with `port=0`, a free one), so `base_url` names the real port
        before serving: what `sandbox serve` prints is where it listens."""
        return self._bind()

    def serve_forever(self, sock: socket.socket | None = None) -> None:
        """Serve in the foreground until interrupted (`ttconfig sandbox serve`)."""
        uvicorn.Server(self._config()).run(sockets=[sock or self._bind()])

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- levers for tests and users -------------------------------------------------------

    def app_keys(self, environment: str) -> list[Record]:
        with self.store.lock:
            return [dict(k) for k in self.store.env(environment).app_keys.values()]

    def _app_key(self, environment: str, label: str) -> Record:
        for key in self.app_keys(environment):
            if key["label"] == label:
                return key
        raise KeyError(f"no app key labelled {label!r} in {environment}")

    def credentials(self, environment: str, label: str = "ttconfig") -> tuple[str, str]:
        """The (app key, app secret) of a seeded key."""
        key = self._app_key(environment, label)
        return key["key"], key["secret"]

    def usage_plan(self, environment: str, label: str = "ttconfig") -> str:
        """The usage plan in force for a seeded key."""
        return self.settings.usage_plan_override or self._app_key(environment, label)["usagePlan"]

    def writes(self) -> list[Record]:
        return self.store.writes()

    def add_fault(self, **fields: Any) -> Fault:
        edit = fields.get("edit")
        if isinstance(edit, dict):
            fields["edit"] = Edit(**edit)
        return self.faults.add(Fault(**fields))

    def edit(self, method: str, path: str, body: Any = None) -> Record:
        """Change live data as a person in TT's web UI would (logged with source "ui")."""
        return self.app.apply_edit("", Edit(method, path, body))

    # --- ttmonitor: what accounts hold (web-UI-only writes; the API only reads them) ------

    def account_id(self, environment: str, name: str) -> int:
        """The id of the account named `name` (of any company) in `environment`."""
        with self.store.lock:
            found = [a["id"] for a in self.store.env(environment).accounts.values()
                     if a["name"] == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} accounts named {name!r} in {environment}")
        account_id: int = found[0]
        return account_id

    def instrument_id(self, environment: str, alias: str) -> str:
        """The id of the instrument whose alias is `alias` (e.g. "ZN Dec26"), as ttpds
        lists it."""
        with self.store.lock:
            found = [i["id"] for i in self.store.env(environment).instruments.values()
                     if i["alias"] == alias]
        if len(found) != 1:
            raise KeyError(f"{len(found)} instruments with alias {alias!r} in {environment}")
        instrument_id: str = found[0]
        return instrument_id

    def _monitor_edit(self, environment: str, account: str | int, endpoint: str,
                      body: Record) -> Record:
        """A ttmonitor UI edit for the account's own company (any company, not only the
        first app key's as `edit` assumes)."""
        account_id = self.account_id(environment, account) if isinstance(account, str) else account
        with self.store.lock:
            record = self.store.env(environment).accounts.get(account_id, {})
        path = f"/ttmonitor/{environment}/{endpoint}/{account_id}"
        return self.app.apply_edit(environment, Edit("PUT", path, body),
                                   company_id=record.get("companyId"))

    def set_positions(self, environment: str, account: str | int,
                      positions: list[Record]) -> Record:
        """Replace an account's positions (by name or id) as TT's web UI would, logged "ui":
        each `{"instrumentId", "netPosition", "workingBuyQty"?, "workingSellQty"?}`, the
        working quantities 0 when left out; `[]` flattens the account. Returns
        `{"positions": [...]}` as `position/{accountId}` lists them; a bad position raises
        ApiFailure (400) and changes nothing."""
        return self._monitor_edit(environment, account, "position", {"positions": positions})

    def set_credit_used(self, environment: str, account: str | int,
                        credit_used: float) -> Record:
        """Set the credit an account (by name or id) uses now, as TT's web UI would; its
        credit limit stays its risk settings'. Returns `{"creditUtilization": [...]}`."""
        return self._monitor_edit(environment, account, "creditutilization",
                                  {"creditUsed": credit_used})

    def reset(self) -> None:
        self.store.reset()
        self.faults.clear()
        self.gateway.reset()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being answered and no late commit is pending (nothing
        more can change the store); False if that takes longer than `timeout` seconds.

        One sandbox serves many tests in turn: a test's delayed answer or late commit must
        land before the next test's reset, not in the next test.
        """
        deadline = time.monotonic() + timeout
        while self.app.busy:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

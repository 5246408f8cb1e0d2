"""The sandbox as an ASGI application: TT's gateway rules around the service handlers.

Order of the checks, as a request meets them at TT: host → service and environment in the
path → a GET's Content-Type → app key → usage plan (rate, then daily quota) → requestId →
POST pacing → (injected fault) → token or bearer → 303 routing → endpoint → ≤ 20 items →
handler → paging → gzip / 413. Every refusal uses the shape shared/tt-contract.md gives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from ttconfig.sandbox import control
from ttconfig.sandbox.faults import Edit, Fault, FaultInjector
from ttconfig.sandbox.gateway import Gateway, request_id_problem
from ttconfig.sandbox.responses import Pager, encode, failed, gateway
from ttconfig.sandbox.routing import ApiFailure, Call, Router
from ttconfig.sandbox.services import build_router
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.sandbox.store import Record, SandboxStore

DEPRECATED_HOST = "apigateway.trade.tt"
NOT_SIMULATED = frozenset({"ttledger", "ttbacktest"})
"""Services TT has that the sandbox does not simulate: they answer 501, not 403."""
CONTENT_TYPE_ON_GET = (
    "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 "
    "and encoded with Base64): 'Bearer'."
)


@dataclass
class Ctx:
    """One request, read once, as every later step needs it."""

    method: str
    path: str
    url: str
    service: str
    environment: str
    endpoint: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    key: str = ""
    company_id: int = 0
    user_id: int = 0
    request_id: str = ""

    @property
    def accept_gzip(self) -> bool:
        """Whether Accept-Encoding admits gzip (or *) with a non-zero q-value (RFC 9110)."""
        for coding in self.headers.get("accept-encoding", "").lower().split(","):
            name, _, params = coding.strip().partition(";")
            if name.strip() not in ("gzip", "*"):
                continue
            q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                if float(q) > 0:
                    return True
            except ValueError:
                continue
        return False


class Refusal(Exception):
    """A response that ends the request early."""

    def __init__(self, status: int, payload: Record, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.payload, self.headers = status, payload, headers or {}


class SandboxApp:
    """The ASGI callable. Holds no data itself: store, gateway and faults are shared."""

    def __init__(self, store: SandboxStore, settings: SandboxSettings, gateway: Gateway,
                 faults: FaultInjector, router: Router | None = None) -> None:
        self.store, self.settings, self.gateway, self.faults = store, settings, gateway, faults
        self._given = router
        self._routers: dict[tuple[str, str], Router] = {}
        self.pager = Pager(secrets.token_bytes(32))
        self.services = self.router.services() | {"ttid"}
        self.busy = 0
        """Requests being answered plus late commits not yet landed (only the server's event
        loop changes it): zero when nothing more can reach the store."""

    @property
    def router(self) -> Router:
        """The endpoints of the wire profile the settings choose now (a test may switch it
        on a running sandbox): each profile's router is built once."""
        if self._given is not None:
            return self._given
        profile = (self.settings.links_profile, self.settings.users_profile)
        if profile not in self._routers:
            self._routers[profile] = build_router(*profile)
        return self._routers[profile]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.busy += 1
        try:
            await self._answer(scope, receive, self._dated(send))
        finally:
            self.busy -= 1

    def _dated(self, send: Send) -> Send:
        return _Dated(send, self.settings)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.url.path.startswith("/_sandbox/"):
            answer = await control.handle(self, request)
            await answer(scope, receive, send)
            return
        ctx = await self._read(request)
        paced = False
        try:
            response, paced = await self._serve(ctx, send)
            if response is not None:
                await asyncio.sleep(self.settings.latency_ms / 1000)
                await response(scope, receive, send)
        finally:
            if paced:
                self.gateway.end_post(ctx.key)

    async def _read(self, request: Request) -> Ctx:
        parts = [*request.url.path.lstrip("/").split("/", 2), "", ""]
        return Ctx(
            method=request.method, path=request.url.path, url=str(request.url),
            # The gateway in front of TT routes /x/ as /x (contract §9).
            service=parts[0], environment=parts[1], endpoint=parts[2].rstrip("/"),
            query=dict(request.query_params), headers=dict(request.headers),
            body=await request.body() if request.method != "GET" else b"",
        )

    def _respond(self, ctx: Ctx, status: int, payload: Record,
                 headers: dict[str, str] | None = None) -> Response:
        return encode(status, payload, accept_gzip=ctx.accept_gzip, headers=headers,
                      max_plain=self.settings.max_plain_response_bytes)

    async def _serve(self, ctx: Ctx, send: Send) -> tuple[Response | None, bool]:
        """The response (None: the connection was dropped) and whether a POST pause starts."""
        paced = False
        try:
            self._gate(ctx)
            paced = ctx.method == "POST" and ctx.service != "ttid"
            if paced and not self.gateway.begin_post(ctx.key):
                paced = False
                raise Refusal(429, failed(429, "POST refused: a POST must wait "
                              f"{self.settings.post_pause_seconds:g} s after the acknowledgement "
                              "of the previous POST by the same app key"))
            fault = self.faults.match(ctx.method, ctx.path)
            if fault is not None and not await self._pre_fault(ctx, fault, send):
                return None, paced
        except Refusal as refusal:
            return self._respond(ctx, refusal.status, refusal.payload, refusal.headers), paced
        if fault is not None and fault.action == "late_commit":
            self._commit_later(ctx, fault.delay_seconds)
            return self._respond(ctx, 504, gateway("Endpoint request timed out")), paced
        response = self._backend(ctx)
        if fault is not None and fault.action == "drop":
            await _drop_connection(send)
            return None, paced
        return response, paced

    def _gate(self, ctx: Ctx) -> None:
        """The gateway's refusals, in TT's order (module docstring)."""
        host = ctx.headers.get("host", "").rsplit(":", 1)[0].lower()
        served = self.services | NOT_SIMULATED
        known = ctx.service in served and ctx.environment in self.store.envs
        if host == DEPRECATED_HOST or not known or not ctx.endpoint:
            raise Refusal(403, gateway("Forbidden"))
        if self.settings.strict and ctx.method == "GET" and "content-type" in ctx.headers:
            raise Refusal(403, gateway(CONTENT_TYPE_ON_GET))
        app_key = self.store.env(ctx.environment).app_keys.get(ctx.headers.get("x-api-key", ""))
        if app_key is None:
            raise Refusal(403, gateway("Forbidden"))
        if ctx.service in NOT_SIMULATED:  # TT has it: a 403 would read as a bad key
            raise Refusal(501, gateway(f"Not simulated: the ttconfig sandbox does not "
                                       f"simulate {ctx.service} (contract §9)"))
        ctx.key, ctx.company_id = app_key["key"], app_key["companyId"]
        ctx.user_id = app_key["userId"]
        over = self.gateway.admit(ctx.key, app_key["usagePlan"])
        if over is not None:
            raise Refusal(429, gateway(over))
        self._check_request_id(ctx)

    def _check_request_id(self, ctx: Ctx) -> None:
        request_id = ctx.query.get("requestId")
        misspelt = any(k.lower() == "requestid" and k != "requestId" for k in ctx.query)
        problem = request_id_problem(request_id, misspelt)
        following = "ttRegion" in ctx.query
        if problem is None and not self.gateway.use_request_id(ctx.key, str(request_id),
                                                               following=following):
            problem = "requestId was already used: send a new GUID with every request"
        if problem is not None:
            raise Refusal(400, failed(400, problem))
        ctx.request_id = str(request_id)

    async def _pre_fault(self, ctx: Ctx, fault: Fault, send: Send) -> bool:
        """Act on a fault before the backend; False when the request ends here unanswered."""
        if fault.action == "status":
            headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            if fault.location is not None:
                headers["Location"] = fault.location
            message = fault.message or ("Too Many Requests" if fault.status == 429 else
                                        "injected failure")
            payload = gateway(message) if fault.status == 429 else failed(fault.status, message)
            raise Refusal(fault.status, payload, headers)
        if fault.action == "drop_before":
            await _drop_connection(send)
            return False
        if fault.action == "delay":
            await asyncio.sleep(fault.delay_seconds)
        if fault.action == "edit" and fault.edit is not None:
            with contextlib.suppress(ApiFailure):
                # A refused UI edit changes nothing; the request is answered as usual.
                self.apply_edit(ctx.environment, fault.edit, company_id=ctx.company_id)
        return True

    def _commit_later(self, ctx: Ctx, delay: float) -> None:
        def commit() -> None:
            try:
                self._backend(ctx, source="late")
            finally:
                self.busy -= 1

        self.busy += 1
        asyncio.get_running_loop().call_later(delay, commit)

    def _backend(self, ctx: Ctx, *, source: str = "api") -> Response:
        try:
            if ctx.service == "ttid" and ctx.endpoint == "token":
                return self._token(ctx)
            return self._endpoint(ctx, source)
        except Refusal as refusal:
            return self._respond(ctx, refusal.status, refusal.payload, refusal.headers)
        except ApiFailure as failure:
            return self._respond(ctx, failure.status, failed(failure.status, failure.message))

    def _token(self, ctx: Ctx) -> Response:
        if (ctx.method, ctx.endpoint) != ("POST", "token"):
            raise ApiFailure(404, f"no such endpoint: /ttid/…/{ctx.endpoint}")
        # Judged by its body, not its header: TT's own sample sends the form under
        # `Content-Type: application/json` and is served (contract §9); a JSON body is not.
        text = ctx.body.decode("utf-8", "replace")
        if text.lstrip().startswith(("{", "[")):
            raise ApiFailure(400, "the token request must be form-encoded, not JSON")
        form = dict(urllib.parse.parse_qsl(text))
        if form.get("grant_type") != "user_app":
            raise ApiFailure(400, "grant_type must be user_app")
        key, _, secret = form.get("app_key", "").partition(":")
        app_key = self.store.env(ctx.environment).app_keys.get(ctx.key, {})
        if key != ctx.key or not secrets.compare_digest(secret, app_key.get("secret", "")):
            raise ApiFailure(401, "invalid app key or secret")
        token, lifetime = self.gateway.issue_token(ctx.key)
        return self._respond(ctx, 200, {"status": "Ok", "access_token": token,
                                        "token_type": "bearer",
                                        "seconds_until_expiry": int(lifetime)})

    def _endpoint(self, ctx: Ctx, source: str) -> Response:
        problem = self.gateway.token_problem(ctx.key, ctx.headers.get("authorization"))
        if problem is not None:
            raise ApiFailure(401, problem)
        if ctx.method == "GET" and self.settings.redirect_gets and "ttRegion" not in ctx.query:
            separator = "&" if "?" in ctx.url else "?"
            location = f"{ctx.url}{separator}ttRegion=us-east-1"
            self.gateway.redirected(ctx.key, str(ctx.query.get("requestId")))
            raise Refusal(303, {"status": "Ok"}, {"Location": location})
        route, params = self.router.match(ctx.method, ctx.service, ctx.endpoint)
        call = Call(env=self.store.env(ctx.environment), environment=ctx.environment,
                    company_id=ctx.company_id, user_id=ctx.user_id, params=params,
                    query=ctx.query, body=self._json_body(ctx))
        with self.store.lock:
            reply = route.handler(call)
            if ctx.method != "GET":
                self.store.record_write(ctx.environment, ctx.method, ctx.path, ctx.request_id,
                                        source=source, status=200)
        if reply.items_key is None:
            return self._respond(ctx, 200, {"status": "Ok", **reply.payload})
        page = self.pager.page(reply.payload, reply.items_key, key=ctx.key, path=ctx.path,
                               query=ctx.query, size=self.settings.page_size)
        return self._respond(ctx, 200, page)

    def _json_body(self, ctx: Ctx) -> Any:
        if ctx.method != "POST":
            return None
        if not ctx.headers.get("content-type", "").startswith("application/json"):
            raise ApiFailure(400, "the body must be JSON (Content-Type: application/json)")
        try:
            body = json.loads(ctx.body or b"null")
        except ValueError as exc:
            raise ApiFailure(400, f"the body is not valid JSON: {exc}") from None
        count = sum(len(v) for v in body.values() if isinstance(v, list)) if isinstance(
            body, dict) else 0
        if count > self.settings.max_post_items:
            raise ApiFailure(400, f"a POST may carry at most {self.settings.max_post_items} "
                                  f"items; this one carries {count}")
        return body

    def apply_edit(self, environment: str, edit: Edit, *, company_id: int | None = None) -> Record:
        """Apply a write as TT's web UI would: no gateway, logged with source "ui". It may
        reach the UI-only routes (ttmonitor's positions and credit in use), which the API
        answers 405."""
        service, env_name, endpoint = [*edit.path.lstrip("/").split("/", 2), "", ""][:3]
        env = self.store.env(env_name or environment)
        if company_id is None:
            company_id = next(iter(env.app_keys.values()))["companyId"]
        route, params = self.router.match(edit.method, service, endpoint, ui=True)
        with self.store.lock:
            call = Call(env=env, environment=env_name, company_id=company_id, user_id=0,
                        params=params, query={}, body=edit.body)
            reply = route.handler(call)
            self.store.record_write(env_name, edit.method, edit.path, None, source="ui",
                                    status=200)
        return reply.payload


class _Dated:
    """A `send` that gives every answer a `Date` header from the sandbox's clock (the
    server adds none of its own)."""

    def __init__(self, send: Send, settings: SandboxSettings) -> None:
        self.wrapped, self.settings = send, settings

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            stamp = format_datetime(self.settings.now(), usegmt=True).encode()
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
            message = {**message, "headers": [*headers, (b"date", stamp)]}
        await self.wrapped(message)


async def _drop_connection(send: Send) -> None:
    """Close the TCP connection with no response, as a network failure would.

    ASGI has no "drop" message, so this reaches the server's transport through the `send`
    callable (uvicorn's request cycle); the sandbox's tests prove it still works.
    """
    send = send.wrapped if isinstance(send, _Dated) else send
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("the ASGI server does not expose its transport; cannot drop")
    transport.abort()
    for _ in range(10):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)

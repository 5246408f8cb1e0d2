"""The one way ttconfig talks to TT: every request passes through `TTHttp`.

It owns what the contract (§1, §8) demands of a client, so no caller can get it wrong:
a fresh requestId per request and per retry; `x-api-key` always and the bearer token on all
but the token request; no Content-Type on GETs; gzip accepted; the usage-plan rate; one
write at a time with the pause after each acknowledgement; at most 20 list items per write;
paging; 303s followed only for GETs and only to the same host; retries with backoff and
full jitter, for reads and for writes that provably never reached TT. A write whose answer
is lost, late or 5xx raises `OutcomeUnknown` and is never resent.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import email.utils
import json
import logging
import os
import random
import ssl
import time
import urllib.parse
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from ttconfig.tt import wire
from ttconfig.tt.config import ClientConfig
from ttconfig.tt.errors import (
    AnswerTooLarge,
    ConnectionFailed,
    ForbiddenError,
    OutcomeUnknown,
    QuotaExceededError,
    RedirectRefused,
    RequestRejected,
    TTError,
    UnexpectedAnswer,
    error_for_status,
)
from ttconfig.tt.pacing import Clock, RateLimiter, Sleep, WritePacer
from ttconfig.tt.request_id import RequestIds
from ttconfig.tt.retry import Attempts, RetryBudget
from ttconfig.tt.secret import Secret
from ttconfig.tt.token import TokenManager

log = logging.getLogger("ttconfig.tt")

ANSWERED: contextvars.ContextVar[tuple[str, str, str] | None] = contextvars.ContextVar(
    "answered", default=None)
"""(method, path, requestId) of the last answer this task received: an adapter that cannot
read it names the request (adapters.fields.checked)."""

Json = dict[str, Any]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Answer(dict[str, Any]):
    """A successful TT answer: its JSON body, and the request it answered (for errors)."""

    def __init__(self, data: Json, *, method: str, path: str, request_id: str) -> None:
        super().__init__(data)
        self.method, self.path, self.request_id = method, path, request_id


@dataclass
class Stats:
    """What a client did, for progress lines, plans and benchmarks."""

    budget: RetryBudget
    requests: int = 0
    redirects: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    rate_wait_seconds: float = 0.0
    """Time requests spent waiting for the usage plan's rate (summed over concurrent ones)."""
    write_wait_seconds: float = 0.0
    """Time writes spent in the pause after the previous write's acknowledgement."""

    @property
    def retries(self) -> int:
        return self.budget.used


class _DeadlinePassed(httpx.ReadTimeout):
    """No complete answer within the request's deadline (`request_deadline_seconds`)."""


class _TooLarge(httpx.ReadError):
    """The answer grew past `max_body_bytes` once decompressed: not read further."""


@dataclass(frozen=True)
class _Exchange:
    request_id: str
    response: httpx.Response | None
    """Status and headers; the body, read under the caps, is `body`."""
    error: httpx.TransportError | None
    token: Secret | None
    body: bytes = b""

    def json(self) -> Any:
        """The body as JSON; None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def _failure(error: BaseException | None) -> str:
    """A transport failure as messages name it."""
    if isinstance(error, _DeadlinePassed | _TooLarge):
        return str(error)
    if isinstance(error, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(error):
        return ("TLS certificate verification failed: the server's certificate is not "
                "trusted (an intercepting proxy? set SSL_CERT_FILE to its CA bundle)")
    return type(error).__name__


async def _read_body(response: httpx.Response, cap: int) -> bytes:
    """The body, gunzipped as it arrives, never more than `cap` bytes of it held: a gzip
    bomb stops at the cap, not in memory (httpx's own decoder inflates whole chunks)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise httpx.DecodingError(f"an answer in {encoding!r}, which ttconfig did not ask for")
    inflate = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_raw():
            if inflate is not None:
                chunk = inflate.decompress(chunk, cap + 1 - size)
            size += len(chunk)
            if size > cap:
                raise _TooLarge(f"the answer is larger than {cap:,} bytes (decompressed); "
                                "not read further")
            parts.append(chunk)
        if inflate is not None:
            parts.append(inflate.flush())
    except zlib.error as error:
        raise httpx.DecodingError(f"the gzip body is corrupt ({error})") from None
    return b"".join(parts)


_CONTEXTS: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def _verifying_context() -> ssl.SSLContext:
    """httpx's default certificate-verifying TLS context (certifi's CAs, or SSL_CERT_FILE /
    SSL_CERT_DIR), made once per process and CA setting: each new one loads the CA bundle,
    ~40 ms of CPU, and a process (a test run, a benchmark) may make hundreds of clients."""
    where = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    if where not in _CONTEXTS:
        _CONTEXTS[where] = httpx.create_ssl_context()
    return _CONTEXTS[where]


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _CookielessClient(httpx.AsyncClient):
    """An httpx client that keeps no cookies. TT's REST API sets none, so a server that
    does (a hostile one, a misrouted proxy) cannot plant state that later requests carry;
    and httpx's per-response cookie parsing, ~6 % of a small request's CPU, is skipped."""

    _jar = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        """Cookies given are ignored: there are none to send."""


class TTHttp:
    """HTTP to TT under every rule of the contract. Use as an async context manager."""

    def __init__(self, config: ClientConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep,
                 random_fraction: Callable[[], float] = random.random) -> None:
        self.config = config
        self.clock, self.sleep, self.random = clock, sleep, random_fraction
        timeout = httpx.Timeout(config.read_timeout_seconds,
                                connect=config.connect_timeout_seconds)
        limits = httpx.Limits(max_connections=config.max_in_flight,
                              max_keepalive_connections=config.max_in_flight)
        self._client = _CookielessClient(
            transport=transport, timeout=timeout, limits=limits, follow_redirects=False,
            headers={"Accept": "application/json", "Accept-Encoding": "gzip"},
            verify=_verifying_context() if transport is None else True,
        )
        self._ids = RequestIds(config.app_name, config.company_name)
        self._limiter = RateLimiter(config.requests_per_second, clock, sleep)
        self._pacer = WritePacer(config.post_pause_seconds, clock, sleep)
        self._slots = asyncio.Semaphore(config.max_in_flight)
        self.tokens = TokenManager(self._fetch_token, clock=clock,
                                   margin_fraction=config.token_margin_fraction,
                                   max_margin=config.token_margin_max_seconds)
        self.retry_budget = RetryBudget(config.retry)
        self.last_request_id: str | None = None
        """The requestId of the latest request sent (for audit records)."""
        self.last_request: tuple[str, str] | None = None
        """(method, path) of the latest request sent, without host or query."""
        self.stats = Stats(self.retry_budget)
        self.server_time: datetime | None = None
        """TT's clock: the `Date` header of the latest answer that had a valid one (what
        decides whether a contract has expired is TT's clock, not this machine's)."""
        self._origin = httpx.URL(config.base_url)
        self.answers: list[Answer] | None = None
        """Every successful answer, when a list is set here (`ttconfig doctor` compares
        their shapes with what the adapters expect)."""

    async def __aenter__(self) -> TTHttp:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _attempts(self) -> Attempts:
        return Attempts(self.retry_budget, self.sleep, self.random)

    def _url(self, service: str, path: str) -> str:
        return f"{self.config.base_url.rstrip('/')}/{service}/{self.config.environment}/{path}"

    def shown(self, service: str, path: str) -> str:
        """The path as errors and logs show it (no host, no query, no secrets)."""
        return f"/{service}/{self.config.environment}/{path}"

    # --- one exchange ---------------------------------------------------------------------

    async def _exchange(self, method: str, url: str, params: Mapping[str, str], *,
                        authenticated: bool = True, content: bytes | None = None,
                        content_type: str = "application/json") -> _Exchange:
        """Send one request at the rate the plan allows.

        The token is taken after the rate-limit wait, so it is fresh when the request
        leaves. The token request itself takes no in-flight slot (its caller may hold the
        last one) and jumps the rate-limit queue that is waiting for it.
        """
        headers = {wire.API_KEY_HEADER: self.config.credentials.app_key.reveal()}
        if content is not None:
            headers["Content-Type"] = content_type
        if not authenticated:
            await self._limiter.acquire(priority=True)
            return await self._send(method, url, params, headers, content, None)
        async with self._slots:
            waited = self._limiter.waited_seconds
            await self._limiter.acquire()
            self.stats.rate_wait_seconds += self._limiter.waited_seconds - waited
            token = await self.tokens.get()
            headers["Authorization"] = f"Bearer {token.reveal()}"
            return await self._send(method, url, params, headers, content, token)

    async def _send(self, method: str, url: str, params: Mapping[str, str],
                    headers: dict[str, str], content: bytes | None,
                    token: Secret | None) -> _Exchange:
        request_id = self._ids.new()
        self.last_request_id = request_id
        # The query is encoded here, not by httpx's `params=`: a quarter of a small
        # request's client CPU went into httpx merging and re-encoding the parameters.
        query = urllib.parse.urlencode({**params, wire.REQUEST_ID_PARAM: request_id})
        request = self._client.build_request(method, f"{url}?{query}", headers=headers,
                                             content=content)
        self.last_request = (method, request.url.path)  # parsed once: URLs cost CPU
        self.stats.requests += 1
        if self.config.counter is not None:
            self.config.counter.sent += 1
        started = self.clock()
        deadline = self.config.request_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                response = await self._client.send(request, stream=True)
                try:
                    body = await _read_body(response, self.config.max_body_bytes)
                finally:
                    await response.aclose()
        except TimeoutError:
            return self._failed(request, _DeadlinePassed(
                f"no complete answer within the request's {deadline:g} s deadline"), token)
        except httpx.DecodingError as exc:  # a broken body: as a broken connection
            return self._failed(request, httpx.ReadError(str(exc)), token)
        except httpx.TransportError as exc:
            return self._failed(request, exc, token)
        self.stats.statuses[response.status_code] += 1
        self.server_time = _date(response) or self.server_time
        if response.status_code == 429 and self.config.counter is not None:
            self.config.counter.throttled += 1
        log.debug("%s %s requestId=%s -> %d in %.0f ms", method, request.url.path, request_id,
                  response.status_code, (self.clock() - started) * 1000)
        return _Exchange(request_id, response, None, token, body)

    def _failed(self, request: httpx.Request, error: httpx.TransportError,
                token: Secret | None) -> _Exchange:
        request_id = self.last_request_id or "-"
        log.debug("%s %s requestId=%s: %s", request.method, request.url.path, request_id,
                  _failure(error))
        return _Exchange(request_id, None, error, token)

    def _body(self, exchange: _Exchange, method: str, shown: str) -> Answer:
        """The JSON body of a successful answer, or the typed error for any other."""
        response = exchange.response
        assert response is not None
        data = exchange.json()
        if response.status_code == 200 and isinstance(data, dict) and (
                data.get(wire.STATUS) == wire.STATUS_OK):
            ANSWERED.set((method, shown, exchange.request_id))
            answer = Answer(data, method=method, path=shown, request_id=exchange.request_id)
            if self.answers is not None:
                self.answers.append(answer)
            return answer
        status = response.status_code
        if status == 200 and not isinstance(data, dict):
            raise UnexpectedAnswer(f"TT answered 200 with a body that is not a JSON object: "
                                   f"{self._excerpt(exchange.body)}", method=method,
                                   path=shown, request_id=exchange.request_id, status=status)
        if status == 200:
            status = _int_or(data.get(wire.STATUS_CODE), 400)
        message = self.scrub(_message(data) or response.reason_phrase or "no message")
        if response.status_code == 200:
            message = f"TT answered 200 with status {data.get(wire.STATUS)!r}: {message}"
        raise error_for_status(status)(message, method=method, path=shown,
                                       request_id=exchange.request_id, status=status)

    def _excerpt(self, body: bytes) -> str:
        """The start of a body for an error message: scrubbed, printable, short."""
        text = self.scrub(body[:120].decode("utf-8", errors="replace"))
        shown = text.encode("unicode_escape").decode("ascii")
        return repr(shown[:80] + ("…" if len(body) > 80 else "")) if body else "(empty)"

    def scrub(self, text: str) -> str:
        """Server text with the key, secret and every token taken out, as sent, URL-encoded
        or base64: a server that echoes a credential must not get it printed or audited."""
        for secret in self._secret_forms():
            text = text.replace(secret, "[redacted]")
        return text

    def _secret_forms(self) -> list[str]:
        plain = [self.config.credentials.app_key.reveal(),
                 self.config.credentials.app_secret.reveal(),
                 self.config.credentials.token_form_value(),
                 *(t.reveal() for t in self.tokens.issued)]
        forms = {form for value in plain if len(value) >= 8 for form in (
            value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
            base64.b64encode(value.encode()).decode().rstrip("="))}
        return sorted(forms, key=len, reverse=True)

    # --- reads ----------------------------------------------------------------------------

    async def get(self, service: str, path: str, params: Mapping[str, str] | None = None) -> Answer:
        """One GET, retried on 429/5xx/network failure, re-authenticated once on a 401."""
        shown = self.shown(service, path)
        attempts, refreshed = self._attempts(), False
        while True:
            exchange = await self._get_following(self._url(service, path), params or {}, shown)
            response = exchange.response
            if isinstance(exchange.error, _TooLarge):  # the same again would be as large
                raise AnswerTooLarge(str(exchange.error), method="GET", path=shown,
                                     request_id=exchange.request_id)
            if response is None:
                await attempts.again(ConnectionFailed(
                    f"network failure: {_failure(exchange.error)}", method="GET",
                    path=shown, request_id=exchange.request_id), None)
                continue
            if response.status_code == 401 and not refreshed and exchange.token is not None:
                self.tokens.invalidate(exchange.token)
                refreshed = True
                continue
            if response.status_code in RETRY_STATUSES:
                error = self._retryable_error(exchange, "GET", shown)
                await attempts.again(error, _retry_after(response))
                continue
            return self._body(exchange, "GET", shown)

    def _retryable_error(self, exchange: _Exchange, method: str, shown: str) -> TTError:
        """The error a 429 or 5xx stands for; a daily-quota 429 is raised at once."""
        response = exchange.response
        assert response is not None
        message = self.scrub(_message(exchange.json()) or response.reason_phrase)
        status = response.status_code
        if status == 429 and message == wire.QUOTA_MESSAGE:
            raise QuotaExceededError(
                "the app key's daily request quota is used up; no request will succeed until "
                "TT resets it (UTC midnight) or the key moves to a larger usage plan",
                method=method, path=shown, request_id=exchange.request_id, status=status)
        return error_for_status(status)(message, method=method, path=shown,
                                        request_id=exchange.request_id, status=status)

    async def _get_following(self, url: str, params: Mapping[str, str],
                             shown: str) -> _Exchange:
        """A GET that follows 303s to the same host, each hop with a new requestId."""
        for _hop in range(self.config.max_redirects + 1):
            exchange = await self._exchange("GET", url, params)
            response = exchange.response
            if response is None or response.status_code != 303:
                return exchange
            target = self._redirect_target(url, response, exchange.request_id, shown)
            url = str(target.copy_with(query=None))
            params = {k: v for k, v in target.params.multi_items()
                      if k != wire.REQUEST_ID_PARAM}
            self.stats.redirects += 1
        raise RequestRejected(f"more than {self.config.max_redirects} redirects", method="GET",
                              path=shown, request_id=exchange.request_id, status=303)

    def _redirect_target(self, url: str, response: httpx.Response, request_id: str,
                         shown: str) -> httpx.URL:
        location = response.headers.get("location")
        target = httpx.URL(url).join(location) if location else None
        origin = self._origin
        if target is None or (target.scheme, target.host, target.port) != (
                origin.scheme, origin.host, origin.port):
            where = target.host if target is not None else "nowhere"
            raise RedirectRefused(f"TT redirected to another host ({where}); not followed, "
                                  "so the app key is not sent there", method="GET", path=shown,
                                  request_id=request_id, status=303)
        return target

    async def get_paged(self, service: str, path: str, items_key: str,
                        params: Mapping[str, str] | None = None) -> list[Json]:
        """Every item of a paged listing (`lastPage` as "true"/"false" or a boolean)."""
        query = dict(params or {})
        items: list[Json] = []
        seen_keys: set[str] = set()
        for _page in range(self.config.max_pages):
            body = await self.get(service, path, query)
            items.extend(body.get(items_key) or [])
            if _is_last_page(body):
                return items
            next_key = body.get(wire.NEXT_PAGE_KEY)
            if not isinstance(next_key, str) or not next_key or next_key in seen_keys:
                raise TTError("TT said more pages follow but gave no new nextPageKey",
                              method="GET", path=self.shown(service, path))
            seen_keys.add(next_key)
            query[wire.NEXT_PAGE_PARAM] = next_key
        raise UnexpectedAnswer(
            f"TT still said more pages follow after {self.config.max_pages:,} pages "
            f"({len(items):,} items); stopped: a listing that never ends would spend the "
            "daily quota", method="GET", path=self.shown(service, path))

    # --- writes ---------------------------------------------------------------------------

    async def post(self, service: str, path: str, body: Json) -> Answer:
        return await self._write("POST", service, path, body)

    async def delete(self, service: str, path: str) -> Answer:
        return await self._write("DELETE", service, path, None)

    async def _write(self, method: str, service: str, path: str, body: Json | None) -> Answer:
        """One write: paced, never more than 20 items, never resent once it may have landed."""
        check_items(body)
        shown = self.shown(service, path)
        content = None if body is None else json.dumps(body).encode()
        async with self._pacer.lock:
            attempts = self._attempts()
            while True:
                before = self._pacer.waited_seconds
                await self._pacer.wait_turn()
                self.stats.write_wait_seconds += self._pacer.waited_seconds - before
                exchange = await self._exchange(method, self._url(service, path), {},
                                                content=content)
                self._pacer.acknowledged()
                outcome = await self._write_outcome(exchange, method, shown, body, attempts)
                if outcome is not None:
                    return outcome

    async def _write_outcome(self, exchange: _Exchange, method: str, shown: str,
                             body: Json | None, attempts: Attempts) -> Answer | None:
        """The answer of a write; None to send it again (only when TT provably refused it)."""
        response = exchange.response
        if response is None:
            if isinstance(exchange.error, NOTHING_SENT):
                await attempts.again(ConnectionFailed(
                    f"could not connect: {type(exchange.error).__name__}", method=method,
                    path=shown, request_id=exchange.request_id), None)
                return None
            raise self._unknown(exchange, method, shown, body,
                                f"the connection failed after the request was sent "
                                f"({_failure(exchange.error)})")
        status = response.status_code
        if status == 429:
            # Throttled at the gateway, before the service saw it: nothing was applied.
            await attempts.again(self._retryable_error(exchange, method, shown),
                                 _retry_after(response))
            return None
        if status >= 500 or 300 <= status < 400:
            raise self._unknown(exchange, method, shown, body, f"TT answered {status}")
        return self._body(exchange, method, shown)

    def _unknown(self, exchange: _Exchange, method: str, shown: str, body: Json | None,
                 why: str) -> OutcomeUnknown:
        status = exchange.response.status_code if exchange.response is not None else None
        return OutcomeUnknown(f"{why}; the write may or may not have been applied: read it "
                              "back before sending anything again", method=method, path=shown,
                              request_id=exchange.request_id, status=status, sent=body)

    # --- the token --------------------------------------------------------------------------

    async def _fetch_token(self) -> tuple[Secret, float]:
        """Ask ttid for a token; safe to repeat (a new token does not revoke older ones)."""
        shown = self.shown(wire.TTID, wire.TOKEN_PATH)
        form = urllib.parse.urlencode({
            wire.TOKEN_FORM_GRANT: wire.TOKEN_GRANT,
            wire.TOKEN_FORM_KEY: self.config.credentials.token_form_value(),
        }).encode()
        attempts = self._attempts()
        while True:
            exchange = await self._exchange(
                "POST", self._url(wire.TTID, wire.TOKEN_PATH), {}, authenticated=False,
                content=form, content_type="application/x-www-form-urlencoded")
            response = exchange.response
            if response is None:
                await attempts.again(ConnectionFailed(
                    f"network failure: {_failure(exchange.error)}", method="POST",
                    path=shown, request_id=exchange.request_id), None)
                continue
            if response.status_code in RETRY_STATUSES:
                await attempts.again(self._retryable_error(exchange, "POST", shown),
                                     _retry_after(response))
                continue
            try:
                data = self._body(exchange, "POST", shown)
            except ForbiddenError as refused:
                # TT's gateway refuses an app key it does not know for this environment
                # with a bare 403: it cannot tell a key of the other environment from a
                # mistyped one, so the message names both (keys are per environment).
                raise ForbiddenError(
                    f"{refused.message}: TT's gateway does not know this app key in "
                    f"{self.config.environment} — a key of another TT environment (keys are "
                    "per environment: UAT's key does not open production), or a mistyped "
                    "one", method="POST", path=shown, request_id=exchange.request_id,
                    status=refused.status) from None
            lifetime = data.get(wire.TOKEN_LIFETIME)
            token = data.get(wire.TOKEN_ACCESS)
            if not isinstance(token, str) or not isinstance(lifetime, int | float):
                raise TTError("the token response lacks a token or its lifetime",
                              method="POST", path=shown, request_id=exchange.request_id)
            return Secret(token), float(lifetime)


def check_items(body: Json | None) -> None:
    """Refuse (as a programming error) a write body with more than 20 list items in all."""
    if body is None:
        return
    count = sum(len(v) for v in body.values() if isinstance(v, list))
    if count > wire.MAX_POST_ITEMS:
        raise ValueError(f"a TT write may carry at most {wire.MAX_POST_ITEMS} items; "
                         f"this one carries {count}: chunk it (see tt.batching)")


def _is_last_page(body: Json) -> bool:
    last = body.get(wire.LAST_PAGE, True)
    if isinstance(last, str):
        return last.strip().lower() != "false"
    return bool(last)


def _message(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in (wire.STATUS_MESSAGE, wire.GATEWAY_MESSAGE):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
    return None


def _int_or(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _date(response: httpx.Response) -> datetime | None:
    """The answer's `Date` (RFC 9110), as an aware UTC time; None when absent or invalid."""
    value = response.headers.get("date")
    if value is None or len(value) > 64:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None

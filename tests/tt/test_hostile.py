"""[I] 2: the client is bounded against a hostile or broken TT. Each server is real, on
loopback (tests/tt/hostile.py); caps and deadlines are made small so each case ends in
well under a second of waiting. benchmarks/hostile.py prints memory and time under the
default caps."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import trustme
from click.testing import CliRunner

from tests.cli.harness import ROOT
from tests.tt.hostile import (
    KEY,
    SECRET,
    TOKEN,
    Answer,
    HostileServer,
    endless_json,
    endless_pages,
    gzip_bomb,
    ok,
    trickle,
)
from ttconfig.cli import cli
from ttconfig.errors import UsageError
from ttconfig.runs.connection import credentials_from
from ttconfig.sandbox.server import Sandbox
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.errors import (
    AnswerTooLarge,
    ConnectionFailed,
    ForbiddenError,
    OutcomeUnknown,
    RequestRejected,
    TTError,
    UnexpectedAnswer,
)
from ttconfig.tt.secret import Secret


def run(config: ClientConfig, call: str = "accounts") -> Any:
    async def go() -> Any:
        async with TTClient(config) as tt:
            if call == "accounts":
                return await tt.accounts.list()
            return await tt.http.post("ttaccount", "account/1", {"name": "x"})
    return asyncio.run(go())


def test_a_gzip_bomb_stops_at_the_size_cap() -> None:
    with (HostileServer(lambda r: gzip_bomb(64 * 2**20)) as server,
          pytest.raises(AnswerTooLarge) as raised):
        run(server.config(max_body_bytes=2**20))
    message = str(raised.value)
    assert "GET /ttaccount/ext_uat_cert/accounts" in message
    assert "larger than 1,048,576 bytes (decompressed)" in message
    assert len(server.requests) == 2, "the token, then one GET: an oversize answer is not retried"


def test_an_endless_body_stops_at_the_size_cap() -> None:
    with HostileServer(lambda r: endless_json()) as server, pytest.raises(AnswerTooLarge):
        run(server.config(max_body_bytes=2**20))


def test_a_listing_that_never_ends_stops_at_the_page_cap() -> None:
    with (HostileServer(endless_pages()) as server,
          pytest.raises(UnexpectedAnswer, match="still said more pages follow after 5 pages")):
        run(server.config(max_pages=5))
    assert len(server.requests) == 1 + 5


def test_a_trickled_answer_ends_at_the_requests_deadline() -> None:
    with HostileServer(lambda r: trickle(0.05)) as server:
        started = time.monotonic()
        with pytest.raises(ConnectionFailed, match=r"within the request's 0\.3 s deadline"):
            run(server.config(request_deadline_seconds=0.3))
        assert time.monotonic() - started < 5  # two attempts of 0.3 s, and backoff


def test_a_write_whose_answer_never_completes_is_an_unknown_outcome() -> None:
    with (HostileServer(lambda r: trickle(0.05)) as server,
          pytest.raises(OutcomeUnknown, match="deadline\\); the write may or may not")):
        run(server.config(request_deadline_seconds=0.3), "write")
    assert [r.method for r in server.requests] == ["POST", "POST"], "never resent"


@pytest.mark.parametrize(("answer", "expected"), [
    (Answer(200, {}, [b"<html>gateway</html>"]), "200 with a body that is not a JSON object: "
                                                  "'<html>gateway</html>'"),
    (Answer(200, {}, [b'{"status": "Ok", "accou']), "not a JSON object"),
    (Answer(200, {}, [b'{"status": "Failed", "status_message": "quota"}']),
     "TT answered 200 with status 'Failed': quota"),
])
def test_answers_of_the_wrong_shape_are_clear_errors_naming_the_request(
        answer: Answer, expected: str) -> None:
    with HostileServer(lambda r: answer) as server, pytest.raises(TTError) as raised:
        run(server.config())
    assert expected in str(raised.value)
    assert "GET /ttaccount/ext_uat_cert/accounts" in str(raised.value)
    assert "requestId" in str(raised.value)


def _echoing(*texts: str) -> Answer:
    return Answer(400, {"content-type": "application/json"}, [json.dumps(
        {"status": "Failed", "status_message": "bad request from " + " and ".join(texts)}
    ).encode()])


def test_credentials_a_server_echoes_are_scrubbed_from_its_messages() -> None:
    forms = [TOKEN, KEY, SECRET, f"{KEY}:{SECRET}", urllib.parse.quote(TOKEN, safe=""),
             urllib.parse.quote_plus(f"{KEY}:{SECRET}"),
             base64.b64encode(TOKEN.encode()).decode().rstrip("=")]
    with (HostileServer(lambda r: _echoing(*forms)) as server,
          pytest.raises(RequestRejected) as raised):
        run(server.config())
    shown = str(raised.value)
    assert shown.count("[redacted]") == len(forms), shown
    for form in forms:
        assert form not in shown


ACCOUNT = {"id": 7, "name": "HPT", "accountType": 2}


@pytest.mark.parametrize(("account", "expected"), [
    ({**ACCOUNT, "id": "one"}, "'id' is 'one', not an id"),
    ({"id": 7, "name": "HPT"}, "account_type"),
    ({"name": "HPT", "accountType": 2}, "the field 'id' is missing"),
])
def test_a_listing_of_the_wrong_shape_names_the_request_and_the_field(
        account: dict[str, Any], expected: str) -> None:
    with (HostileServer(lambda r: ok({"accounts": [account], "lastPage": "true"})) as server,
          pytest.raises(UnexpectedAnswer) as raised):
        run(server.config())
    shown = str(raised.value)
    assert "GET /ttaccount/ext_uat_cert/accounts failed (HTTP 200, requestId" in shown
    assert "not in the shape ttconfig expects" in shown
    assert expected in shown


def test_a_limit_sent_as_text_is_refused_not_read_as_a_number() -> None:
    row = {"marketId": 7, "productTypeId": 34, "productId": "1", "maxOrderQty": "6000"}
    body = {"accountLimits": [{"riskLimits": {"productLimits": [row]}}], "lastPage": "true"}
    with HostileServer(lambda r: ok(body)) as server:
        async def read() -> Any:
            async with TTClient(server.config()) as tt:
                return await tt.accounts.limits(1)
        with pytest.raises(UnexpectedAnswer, match="'maxOrderQty' is '6000', not a number"):
            asyncio.run(read())


def test_a_well_behaved_answer_still_reads() -> None:
    with HostileServer(lambda r: ok({"accounts": [ACCOUNT], "lastPage": "true"})) as server:
        accounts = run(server.config())
    assert [a.name for a in accounts] == ["HPT"]


# --- [I] 3: credentials and server text ----------------------------------------------------

@pytest.mark.parametrize("url", ["http://ttrestapi.trade.tt", "http://10.0.0.5:8080",
                                 "ftp://127.0.0.1"])
def test_credentials_go_only_over_https_except_to_loopback(url: str) -> None:
    with pytest.raises(UsageError, match="credentials go only over https"):
        ClientConfig(environment="ext_uat_cert", base_url=url,
                     credentials=Credentials(Secret(KEY), Secret(SECRET)))
    for fine in ("https://ttrestapi.trade.tt", "http://127.0.0.1:8080", "http://[::1]:80",
                 "http://localhost:9"):
        ClientConfig(environment="ext_uat_cert", base_url=fine,
                     credentials=Credentials(Secret(KEY), Secret(SECRET)))


def test_plan_against_plain_http_is_refused_before_any_connection() -> None:
    # 192.0.2.1 is TEST-NET-1: a connection attempt would hang until its timeout
    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["plan", "-e", "uat", "--environments-dir", str(ROOT / "environments"),
              "--base-url", "http://192.0.2.1:8080"],
        env={"TT_UAT_APP_KEY": KEY, "TT_UAT_APP_SECRET": SECRET})
    assert result.exit_code == 64, result.output
    assert "credentials go only over https" in result.stderr
    assert "nothing was sent" in result.stderr
    assert KEY not in result.output
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("key", "secret", "said"), [
    (f"  {KEY}\n", f"{SECRET}\n", None),
    (KEY, f"{SECRET[:5]} {SECRET[5:]}", "TT_UAT_APP_SECRET has whitespace inside it"),
])
def test_credentials_are_trimmed_or_refused_with_a_hint(key: str, secret: str,
                                                        said: str | None) -> None:
    environ = {"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret}
    if said is None:
        credentials = credentials_from(environ, "uat")
        assert (credentials.app_key.reveal(), credentials.app_secret.reveal()) == (KEY, SECRET)
        return
    with pytest.raises(UsageError, match=said) as raised:
        credentials_from(environ, "uat")
    assert SECRET[5:] not in str(raised.value)


def test_a_tls_server_whose_certificate_is_not_trusted_says_so(tmp_path: Path) -> None:
    authority = trustme.CA()
    served = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.configure_cert(context)

    async def serve() -> str:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0,
                                            ssl=context)
        port = server.sockets[0].getsockname()[1]
        config = ClientConfig(environment="ext_uat_cert", base_url=f"https://127.0.0.1:{port}",
                              credentials=Credentials(Secret(KEY), Secret(SECRET)),
                              retry=RetryPolicy(max_attempts=1))
        try:
            async with TTClient(config) as tt:
                await tt.accounts.list()
        except ConnectionFailed as failed:
            return str(failed)
        finally:
            server.close()
        return "no error"

    said = asyncio.run(serve())
    assert "TLS certificate verification failed" in said
    assert "POST /ttid/ext_uat_cert/token" in said


def test_a_key_of_the_other_environment_is_named_as_a_likely_cause(
        sandbox: Sandbox, make_client: Any) -> None:
    key, secret = sandbox.credentials("ext_uat_cert")

    with pytest.raises(ForbiddenError) as raised:
        asyncio.run(_with_key(make_client, key, secret))
    shown = str(raised.value)
    assert "does not know this app key in ext_prod_live" in shown
    assert "a key of another TT environment" in shown
    assert key not in shown


async def _with_key(make_client: Any, key: str, secret: str) -> None:
    async with make_client("ext_prod_live",
                           credentials=Credentials(Secret(key), Secret(secret))) as tt:
        await tt.accounts.list()


@pytest.mark.parametrize(("header", "seen"), [
    ("Mon, 21 Dec 2026 08:00:00 GMT", "2026-12-21T08:00:00+00:00"),
    ("yesterday", None),
    ("Mon, 99 Dec 2026 08:00:00 GMT", None),
    ("Mon, 21 Dec 2026 08:00:00 GMT; " + "x" * 200, None),
])
def test_tt_clock_is_the_date_of_its_answers_and_a_bad_date_is_not_taken(
        header: str, seen: str | None) -> None:
    """Expiry is judged by TT's clock (its `Date` header); one that does not parse, or is
    absurdly long, leaves the clock unknown rather than failing the read."""
    accounts = ok({"accounts": [], "lastPage": "true"}, date=header)

    async def go(config: ClientConfig) -> str | None:
        async with TTClient(config) as tt:
            await tt.accounts.list()
            return None if tt.http.server_time is None else tt.http.server_time.isoformat()
    with HostileServer(lambda r: accounts) as server:
        assert asyncio.run(go(server.config())) == seen

"""requestIds, secrets, write chunking and the error tree: the client's small pure parts."""

from __future__ import annotations

import pickle
import re
import ssl
import uuid
from pathlib import Path

import httpx
import pytest

from ttconfig.errors import TTConfigError
from ttconfig.tt import wire
from ttconfig.tt.batching import chunk_bodies
from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.errors import (
    AuthError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknown,
    RateLimitedError,
    RequestRejected,
    ServerError,
    error_for_status,
)
from ttconfig.tt.http import TTHttp, _verifying_context, check_items
from ttconfig.tt.request_id import RequestIds, sanitise
from ttconfig.tt.retry import backoff_seconds
from ttconfig.tt.secret import Secret

TT_REQUEST_ID = re.compile(r"^[^\s$&+,/:;=?@\"<>#%{}|\\^~\[\]`]+--[0-9a-f-]{36}$")


@pytest.mark.parametrize(("app", "company", "prefix"), [
    ("ttconfig", "Harbor Point", "ttconfig-Harbor_Point"),
    ("risk sync/2", "A&B, Inc.", "risk_sync_2-A_B_Inc."),
    ("tt--config", "x", "tt_config-x"),
    ("", "   ", "ttconfig-company"),
    ("käse", "Ünïcode ©", "k_se-n_code"),
])
def test_request_ids_are_tt_shaped_whatever_the_configured_names(
        app: str, company: str, prefix: str) -> None:
    ids = RequestIds(app, company)
    value = ids.new()
    assert value.startswith(f"{prefix}--")
    assert TT_REQUEST_ID.match(value)
    assert value.count("--") == 1
    uuid.UUID(value.rsplit("--", 1)[1])


def test_every_request_id_is_new() -> None:
    ids = RequestIds("ttconfig", "HPT")
    assert len({ids.new() for _ in range(10_000)}) == 10_000


def test_sanitise_falls_back_when_nothing_is_left() -> None:
    assert sanitise("///", "fallback") == "fallback"


def test_secrets_never_show_their_value() -> None:
    secret = Secret("canary-5f2a")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>20}",
             repr([secret]), repr({"k": secret})]
    assert all("canary-5f2a" not in text for text in shown)
    assert secret.reveal() == "canary-5f2a"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_config_repr_hides_credentials() -> None:
    config = ClientConfig(environment="ext_uat_cert",
                          credentials=Credentials(Secret("key-canary"), Secret("secret-canary")))
    assert "canary" not in repr(config)


@pytest.mark.parametrize(("secret", "form"), [
    ("s3cr3t", "k3y:s3cr3t"),
    ("k3y:s3cr3t", "k3y:s3cr3t"),    # as TT's Setup shows it
])
def test_token_form_value_accepts_both_secret_forms(secret: str, form: str) -> None:
    assert Credentials(Secret("k3y"), Secret(secret)).token_form_value() == form


def test_config_refuses_unknown_environment_and_plan() -> None:
    creds = Credentials(Secret("k"), Secret("s"))
    with pytest.raises(ValueError, match="unknown TT environment"):
        ClientConfig(environment="ext_prod_sim", credentials=creds)
    with pytest.raises(ValueError, match="unknown usage plan"):
        ClientConfig(environment="ext_uat_cert", credentials=creds, usage_plan="platinum")


def test_chunking_keeps_order_and_counts_lists_together() -> None:
    product = [{"p": i} for i in range(30)]
    contract = [{"c": i} for i in range(15)]
    bodies = chunk_bodies({"productLimits": product, "contractLimits": contract},
                          {"riskLimitSettings": {"applyLimits": True}})
    assert [sum(len(v) for v in b.values() if isinstance(v, list)) for b in bodies] == [20, 20, 5]
    assert "riskLimitSettings" in bodies[0]
    assert all("riskLimitSettings" not in b for b in bodies[1:])
    flat = [item for b in bodies for name in ("productLimits", "contractLimits")
            for item in b.get(name, [])]
    assert flat == product + contract
    for body in bodies:
        check_items(body)


def test_chunking_of_nothing_sends_only_settings_or_nothing() -> None:
    assert chunk_bodies({"users": []}) == []
    assert chunk_bodies({"users": []}, {"riskLimitSettings": {}}) == [{"riskLimitSettings": {}}]


def test_a_body_over_twenty_items_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="at most 20 items; this one carries 21"):
        check_items({"productLimits": [{}] * 11, "contractLimits": [{}] * 10})
    with pytest.raises(ValueError, match="batch size"):
        chunk_bodies({"users": [{}]}, size=wire.MAX_POST_ITEMS + 1)


@pytest.mark.parametrize(("status", "error"), [
    (400, RequestRejected), (401, AuthError), (403, ForbiddenError), (404, NotFoundError),
    (409, ConflictError), (413, RequestRejected), (429, RateLimitedError), (500, ServerError),
    (503, ServerError),
])
def test_statuses_map_to_typed_errors(status: int, error: type[Exception]) -> None:
    assert error_for_status(status) is error


def test_errors_name_the_request_and_exit_one() -> None:
    error = OutcomeUnknown("lost", method="POST", path="/ttaccount/ext_uat_cert/account",
                           request_id="ttconfig-x--1", status=None, sent={"name": "A"})
    assert str(error) == ("TT request POST /ttaccount/ext_uat_cert/account failed "
                          "(no response, requestId ttconfig-x--1): lost")
    assert isinstance(error, TTConfigError)
    assert error.exit_code == 1
    assert error.sent == {"name": "A"}


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 0.5), (2, 1.0), (3, 2.0), (7, 20.0)])
def test_backoff_is_full_jitter_under_a_capped_exponential(attempt: int, ceiling: float) -> None:
    policy = RetryPolicy(base_seconds=0.5, cap_seconds=20.0)
    assert backoff_seconds(policy, attempt, None, lambda: 0.0) == 0.0
    assert backoff_seconds(policy, attempt, None, lambda: 1.0) == pytest.approx(ceiling)


def test_retry_after_wins_but_is_capped() -> None:
    policy = RetryPolicy(max_retry_after_seconds=60.0)
    assert backoff_seconds(policy, 1, 7.0, lambda: 1.0) == 7.0
    assert backoff_seconds(policy, 1, 3600.0, lambda: 1.0) == 60.0


def test_every_client_verifies_tls_with_one_shared_context(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    """Clients share the CA bundle once loaded (each load costs ~40 ms of CPU), and still
    verify certificates and host names exactly as httpx's default context does."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    config = ClientConfig(environment="ext_uat_cert", base_url="https://tt.example",
                          usage_plan="high", credentials=Credentials(Secret("k"), Secret("s")))
    first, second = _verifying_context(), _verifying_context()
    assert first is second
    assert (first.verify_mode, first.check_hostname) == (ssl.CERT_REQUIRED, True)
    default = httpx.create_ssl_context()
    assert len(first.get_ca_certs()) == len(default.get_ca_certs()) > 0
    assert first.minimum_version == default.minimum_version
    assert TTHttp(config)._client._transport._pool._ssl_context is first  # type: ignore[attr-defined]
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # another CA setting: another context
    assert _verifying_context() is not first

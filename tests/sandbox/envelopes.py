"""Assertions on TT's response shapes, shared by the sandbox's tests."""

from __future__ import annotations

from typing import Any

import httpx

Json = dict[str, Any]


def ok(response: httpx.Response) -> Json:
    """The body of a success: HTTP 200 and {"status": "Ok", ...}."""
    assert response.status_code == 200, response.text
    body: Json = response.json()
    assert body["status"] == "Ok"
    return body


def failed(response: httpx.Response, status: int) -> str:
    """Assert TT's failure envelope with `status`; its (non-empty) status_message."""
    assert response.status_code == status, response.text
    body: Json = response.json()
    assert set(body) == {"status", "status_message", "statusCode"}, body
    assert body["status"] == "Failed"
    assert body["statusCode"] == status
    message = body["status_message"]
    assert isinstance(message, str)
    assert message
    return message

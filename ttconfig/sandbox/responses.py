"""TT's response shapes: the Ok and Failed envelopes, gateway refusals, paging and gzip."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from ttconfig.sandbox.routing import ApiFailure
from ttconfig.sandbox.store import Record

PAGING_PARAMS = ("requestId", "nextPageKey", "ttRegion")
MIN_GZIP_BYTES = 1024
"""Bodies shorter than this go plain even to a client that accepts gzip, as API gateways
do (a minimum compression size; TT's ASSUMED): compressing a few hundred bytes costs
both sides more than it saves."""


def encode(status: int, payload: Record, *, accept_gzip: bool, max_plain: int,
           headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response; gzip when the client accepts it and the body is not small, 413 when
    too large without it."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    extra = dict(headers or {})
    if accept_gzip and len(body) >= MIN_GZIP_BYTES:
        extra["Content-Encoding"] = "gzip"
        # Level 1: a third of level 5's CPU for these small JSON bodies, which the
        # sandbox and the client share when tests run them in one process.
        body = gzip.compress(body, compresslevel=1)
    elif len(body) > max_plain:
        message = "Response too large: send Accept-Encoding: gzip to receive it compressed"
        body = json.dumps({"message": message}).encode()
        status = 413
    return Response(body, status_code=status, headers=extra, media_type="application/json")


def failed(status: int, message: str) -> Record:
    return {"status": "Failed", "status_message": message, "statusCode": status}


def gateway(message: str) -> Record:
    """Refusals made by the API gateway carry only a message."""
    return {"message": message}


class Pager:
    """Opaque, tamper-evident `nextPageKey`s bound to the key, path and filters of a listing."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, binding: str, offset: int) -> str:
        mac = hmac.new(self._secret, f"{binding}|{offset}".encode(), hashlib.sha256)
        return mac.hexdigest()[:20]

    def _binding(self, key: str, path: str, query: Mapping[str, str]) -> str:
        filters = sorted((k, v) for k, v in query.items() if k not in PAGING_PARAMS)
        return f"{key}|{path}|{filters}"

    def page(self, payload: Record, items_key: str, *, key: str, path: str,
             query: Mapping[str, str], size: int) -> Record:
        """Cut one page out of `payload[items_key]`, adding `lastPage` (a string) and the key."""
        binding = self._binding(key, path, query)
        offset = self._offset(query.get("nextPageKey"), binding)
        items: list[Any] = payload[items_key]
        end = offset + size
        page = {**payload, items_key: items[offset:end], "lastPage": "true"}
        if end < len(items):
            raw = json.dumps([end, self._sign(binding, end)]).encode()
            page["lastPage"] = "false"
            page["nextPageKey"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return {"status": "Ok", **page}

    def _offset(self, token: str | None, binding: str) -> int:
        if token is None:
            return 0
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            offset, signature = json.loads(raw)
            valid = isinstance(offset, int) and hmac.compare_digest(
                str(signature), self._sign(binding, offset))
        except (ValueError, TypeError):
            valid = False
        if not valid:
            raise ApiFailure(400, "invalid nextPageKey")
        return int(offset)

"""Errors of TT requests. Each carries the request: method, path, requestId, status, message.

::

    TTError
    ├── AuthError            401: token missing, expired or refused; bad app key or secret
    ├── ForbiddenError       403: wrong host, path case, environment or app key
    ├── NotFoundError        404
    ├── ConflictError        409: TT refused the write because of live state
    ├── RequestRejected      400 and other 4xx: TT refused the request as malformed
    ├── RateLimitedError     429 "Too Many Requests" after the retry budget was spent
    ├── QuotaExceededError   429 "Limit Exceeded": the key's daily quota is used up
    ├── ServerError          5xx on a read, after retries
    ├── ConnectionFailed     no usable connection to TT, after retries
    ├── RedirectRefused      a 303 to another host (never followed: it would leak the key)
    ├── UnexpectedAnswer     a 200 whose body is not what the contract says
    ├── AnswerTooLarge       an answer over the client's size cap (not read further)
    └── OutcomeUnknown       a write whose result is unknown: read back before resending

Messages never contain the app key, the app secret or a token: the client never puts them
into anything but request headers and the token form.
"""

from __future__ import annotations

from typing import Any

from ttconfig.errors import TTConfigError


class TTError(TTConfigError):
    """A TT request failed."""

    def __init__(self, message: str, *, method: str, path: str, request_id: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.request_id = request_id
        self.status = status
        self.completed: list[Any] = []
        """Answers of the earlier requests of the same batched write that did succeed."""

    def __str__(self) -> str:
        status = f"HTTP {self.status}" if self.status is not None else "no response"
        return (f"TT request {self.method} {self.path} failed ({status}, requestId "
                f"{self.request_id or '-'}): {self.message}")


class AuthError(TTError):
    """TT did not accept the credentials or the token."""


class ForbiddenError(TTError):
    """TT's gateway refused the request (host, path case, environment, or app key)."""


class NotFoundError(TTError):
    """The object does not exist, or the app key's company cannot see it."""


class ConflictError(TTError):
    """TT refused a write because of live state (a duplicate name, a dependent object, ...)."""


class RequestRejected(TTError):
    """TT refused the request as malformed; resending it would fail the same way."""


class RateLimitedError(TTError):
    """TT kept answering 429 until the retry budget was spent."""


class QuotaExceededError(TTError):
    """The app key's daily request quota is used up; retrying before tomorrow cannot help."""


class ServerError(TTError):
    """TT answered a read with 5xx until the retries ran out."""


class ConnectionFailed(TTError):
    """No connection to TT could be made, or reads kept failing on the network."""


class RedirectRefused(TTError):
    """TT redirected to another host; following would send the app key there."""


class UnexpectedAnswer(TTError):
    """TT answered Ok, but not in the shape the contract describes."""


class AnswerTooLarge(UnexpectedAnswer):
    """An answer larger than the client reads (`max_body_bytes`, decompressed)."""


class OutcomeUnknown(TTError):
    """A write was sent but its result is unknown (lost response, timeout, 5xx, redirect).

    TT writes carry no idempotency key, so resending could apply the write twice. The apply
    layer must read the object back, decide applied / not applied, and send only what is
    missing. `sent` is the body that was sent (data only; never credentials).
    """

    def __init__(self, message: str, *, method: str, path: str, request_id: str | None,
                 status: int | None, sent: Any) -> None:
        super().__init__(message, method=method, path=path, request_id=request_id,
                         status=status)
        self.sent = sent


STATUS_ERRORS: dict[int, type[TTError]] = {
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


def error_for_status(status: int) -> type[TTError]:
    """The error class of a final (not retried) HTTP status."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return RequestRejected

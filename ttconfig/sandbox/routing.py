"""How a service endpoint is declared and called: routes, the call context, replies.

A handler is a plain function of a `Call` that returns a `Reply` (one object or a page of a
list) or raises `ApiFailure`; the gateway (app.py) does everything TT does around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ttconfig.sandbox.store import EnvData, Record


class ApiFailure(Exception):
    """A refusal in TT's failure envelope: {"status": "Failed", "status_message", "statusCode"}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Call:
    """What a handler sees of one request."""

    env: EnvData
    environment: str
    company_id: int
    user_id: int
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any = None

    def int_param(self, name: str) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise ApiFailure(400, f"{name} must be an integer, got {value!r}")
        return int(value)


@dataclass
class Reply:
    """A successful answer. `items_key` names the list to page, when the endpoint is paged."""

    payload: Record = field(default_factory=dict)
    items_key: str | None = None


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    service: str
    pattern: re.Pattern[str]
    handler: Handler
    ui_only: bool = False
    """Reached only by a web-UI edit (`SandboxApp.apply_edit`), never over the API."""


class Router:
    """Routes of all services; `{name}` in a template matches one path segment."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, service: str, template: str, *,
            ui_only: bool = False) -> Callable[[Handler], Handler]:
        """Declare an endpoint. `ui_only`: a write TT makes only in its web UI (the sandbox
        lets tests make it as a UI edit); over the API its path exists and the method is
        not allowed there (405), as at TT."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        pattern = re.compile(f"^{regex}$")

        def register(handler: Handler) -> Handler:
            self._routes.append(Route(method, service, pattern, handler, ui_only))
            return handler

        return register

    def match(self, method: str, service: str, endpoint: str, *,
              ui: bool = False) -> tuple[Route, dict[str, str]]:
        """The route for a request, or an ApiFailure (404 unknown path, 405 wrong method).

        `ui`: the request is a web-UI edit, which may also reach the UI-only routes. An API
        request never does: on their paths it is answered 405, like any method the path
        does not allow (not 404, which would say the path does not exist)."""
        allowed = False
        for route in self._routes_of(service):
            found = route.pattern.match(endpoint)
            if found is None:
                continue
            if route.method == method and (ui or not route.ui_only):
                return route, found.groupdict()
            allowed = True
        if allowed:
            raise ApiFailure(405, f"method {method} is not allowed on /{service}/…/{endpoint}")
        raise ApiFailure(404, f"no such endpoint: /{service}/…/{endpoint}")

    def _routes_of(self, service: str) -> Iterator[Route]:
        return (r for r in self._routes if r.service == service)

    def services(self) -> set[str]:
        return {r.service for r in self._routes}

"""The loopback-only control endpoint under `/_sandbox/`: faults, edits, settings, write log.

It lets a test in another process (or a user with curl) script the sandbox. Requests from
anything but loopback are refused, so `serve --host 0.0.0.0` does not expose it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ttconfig.sandbox.faults import Edit, Fault
from ttconfig.sandbox.routing import ApiFailure

if TYPE_CHECKING:
    from ttconfig.sandbox.app import SandboxApp

LOOPBACK = ("127.0.0.1", "::1", "localhost")
TUNABLE = ("usage_plan_override", "burst_seconds", "post_pause_seconds", "max_post_items",
           "page_size", "max_plain_response_bytes", "token_lifetime_seconds", "redirect_gets",
           "latency_ms")


async def handle(app: SandboxApp, request: Request) -> JSONResponse:
    if request.client is None or request.client.host not in LOOPBACK:
        return JSONResponse({"message": "Forbidden"}, status_code=403)
    route = (request.method, request.url.path.removeprefix("/_sandbox/"))
    try:
        body: Any = await request.json() if request.method == "POST" else None
        return JSONResponse({"status": "Ok", **_dispatch(app, route, body)})
    except (ValueError, TypeError, KeyError, ApiFailure) as exc:
        return JSONResponse({"status": "Failed", "status_message": str(exc)}, status_code=400)


def _dispatch(app: SandboxApp, route: tuple[str, str], body: Any) -> dict[str, Any]:
    match route:
        case ("GET", "health"):
            return {}
        case ("GET", "writes"):
            return {"writes": app.store.writes()}
        case ("GET", "faults"):
            return {"faults": [f.to_json() for f in app.faults.rules()]}
        case ("POST", "faults"):
            return {"fault": app.faults.add(Fault.from_json(body)).to_json()}
        case ("DELETE", "faults"):
            app.faults.clear()
            return {}
        case ("POST", "edit"):
            return {"result": app.apply_edit("", Edit(**body))}
        case ("POST", "reset"):
            app.store.reset()
            app.faults.clear()
            app.gateway.reset()
            return {}
        case ("POST", "expire-tokens"):
            app.gateway.expire_tokens()
            return {}
        case ("GET", "settings"):
            return {"settings": _settings(app)}
        case ("POST", "settings"):
            return {"settings": _update_settings(app, body)}
    raise ValueError(f"no control endpoint {route[0]} /_sandbox/{route[1]}")


def _settings(app: SandboxApp) -> dict[str, Any]:
    return {name: getattr(app.settings, name) for name in TUNABLE}


def _update_settings(app: SandboxApp, body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(TUNABLE))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
    current = {f.name: getattr(app.settings, f.name) for f in dataclasses.fields(app.settings)}
    for name, value in body.items():
        if current[name] is not None and type(value) is not type(current[name]) and not (
                isinstance(current[name], float) and isinstance(value, int)):
            raise TypeError(f"{name} must be {type(current[name]).__name__}, got {json.dumps(value)}")
        setattr(app.settings, name, value)
    return _settings(app)

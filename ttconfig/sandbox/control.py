"""The loopback-only control endpoint under `/_sandbox/`: faults, edits, settings, write log.

It lets a test in another process (or a user with curl) script the sandbox. Requests from
anything but loopback are refused, so `serve --host 0.0.0.0` does not expose it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ttconfig.sandbox.faults import Edit, Fault
from ttconfig.sandbox.routing import ApiFailure
from ttconfig.sandbox.settings import UsagePlan

if TYPE_CHECKING:
    from ttconfig.sandbox.app import SandboxApp

LOOPBACK = ("127.0.0.1", "::1", "localhost")
NUMBER = (int, float)
TUNABLE: dict[str, tuple[type, ...]] = {
    "usage_plan_override": (str, type(None)),
    "burst_seconds": NUMBER,
    "post_pause_seconds": NUMBER,
    "max_post_items": (int,),
    "page_size": (int,),
    "max_plain_response_bytes": (int,),
    "token_lifetime_seconds": NUMBER,
    "redirect_gets": (bool,),
    "latency_ms": NUMBER,
}

MINIMUM: dict[str, float] = {
    "burst_seconds": 0, "post_pause_seconds": 0, "max_post_items": 1, "page_size": 1,
    "max_plain_response_bytes": 0, "token_lifetime_seconds": 1, "latency_ms": 0,
}

Action = Callable[["SandboxApp", Any], dict[str, Any]]


async def handle(app: SandboxApp, request: Request) -> JSONResponse:
    if request.client is None or request.client.host not in LOOPBACK:
        return JSONResponse({"message": "Forbidden"}, status_code=403)
    route = (request.method, request.url.path.removeprefix("/_sandbox/"))
    action = ACTIONS.get(route)
    if action is None:
        return JSONResponse({"status": "Failed", "status_message":
                             f"no control endpoint {route[0]} /_sandbox/{route[1]}"},
                            status_code=404)
    try:
        raw = await request.body()
        body: Any = json.loads(raw) if raw.strip() else None
        return JSONResponse({"status": "Ok", **action(app, body)})
    except (ValueError, TypeError, KeyError, ApiFailure) as exc:
        return JSONResponse({"status": "Failed", "status_message": str(exc)}, status_code=400)


def _reset(app: SandboxApp, _body: Any) -> dict[str, Any]:
    app.store.reset()
    app.faults.clear()
    app.gateway.reset()
    return {}


def _clear_faults(app: SandboxApp, _body: Any) -> dict[str, Any]:
    app.faults.clear()
    return {}


def _expire_tokens(app: SandboxApp, _body: Any) -> dict[str, Any]:
    app.gateway.expire_tokens()
    return {}


def _settings(app: SandboxApp, _body: Any = None) -> dict[str, Any]:
    values = {name: getattr(app.settings, name) for name in TUNABLE}
    values["usage_plans"] = {name: {"requests_per_second": plan.requests_per_second,
                                    "daily_quota": plan.daily_quota}
                             for name, plan in app.settings.usage_plans.items()}
    return {"settings": values}


def _update_settings(app: SandboxApp, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TypeError("the body must be an object of settings")
    plans = _checked_plans(app, body.pop("usage_plans", {}))
    for name, value in body.items():
        _check_setting(app, name, value)
    for name, value in body.items():
        setattr(app.settings, name, value)
    app.settings.usage_plans = {**app.settings.usage_plans, **plans}
    return _settings(app)


def _checked_plans(app: SandboxApp, body: Any) -> dict[str, UsagePlan]:
    """Usage plans to change, e.g. {"free": {"requests_per_second": 1, "daily_quota": 50}}."""
    if not isinstance(body, dict):
        raise TypeError("usage_plans must be an object of plans")
    plans = {}
    for name, fields in body.items():
        current = app.settings.usage_plans.get(name)
        if current is None or not isinstance(fields, dict):
            raise ValueError(f"usage_plans: unknown plan {name!r} or not an object")
        rate = fields.get("requests_per_second", current.requests_per_second)
        quota = fields.get("daily_quota", current.daily_quota)
        if set(fields) - {"requests_per_second", "daily_quota"}:
            raise ValueError("a plan has requests_per_second and daily_quota only")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
            raise ValueError("requests_per_second must be a positive number")
        if isinstance(quota, bool) or not isinstance(quota, int) or quota < 0:
            raise ValueError("daily_quota must be a non-negative integer")
        plans[name] = UsagePlan(float(rate), quota)
    return plans


def _check_setting(app: SandboxApp, name: str, value: Any) -> None:
    """Refuse a setting of the wrong type or range before any setting changes."""
    if name not in TUNABLE:
        raise ValueError(f"unknown setting {name!r}; one of {', '.join(TUNABLE)}")
    kinds = TUNABLE[name]
    right_type = isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))
    if not right_type:
        raise TypeError(f"{name} must be {' or '.join(k.__name__ for k in kinds)}, "
                        f"got {json.dumps(value)}")
    if name == "usage_plan_override" and value is not None and (
            value not in app.settings.usage_plans):
        raise ValueError(f"unknown usage plan {value!r}")
    minimum = MINIMUM.get(name)
    if minimum is not None and float(value) < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}")


def _health(app: SandboxApp, _body: Any) -> dict[str, Any]:
    return {}


def _writes(app: SandboxApp, _body: Any) -> dict[str, Any]:
    return {"writes": app.store.writes()}


def _faults(app: SandboxApp, _body: Any) -> dict[str, Any]:
    return {"faults": [f.to_json() for f in app.faults.rules()]}


def _add_fault(app: SandboxApp, body: Any) -> dict[str, Any]:
    return {"fault": app.faults.add(Fault.from_json(body)).to_json()}


def _edit(app: SandboxApp, body: Any) -> dict[str, Any]:
    return {"result": app.apply_edit("", Edit(**body))}


ACTIONS: dict[tuple[str, str], Action] = {
    ("GET", "health"): _health,
    ("GET", "writes"): _writes,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _add_fault,
    ("DELETE", "faults"): _clear_faults,
    ("POST", "edit"): _edit,
    ("POST", "reset"): _reset,
    ("POST", "expire-tokens"): _expire_tokens,
    ("GET", "settings"): _settings,
    ("POST", "settings"): _update_settings,
}

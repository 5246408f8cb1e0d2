"""Strict checks of request bodies, as TT's services would make them: a wrong type is a 400.

`True` is not an integer and `"5"` is not a number here, so a client that sends the wrong
JSON type is caught by the sandbox rather than silently coerced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ttconfig.sandbox.routing import ApiFailure
from ttconfig.sandbox.store import Record
from ttconfig.words import plural

Check = Callable[[str, Any], Any]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ApiFailure(400, f"{name} must be true or false")
    return value


def one_of(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ApiFailure(400, f"{name} must be one of {', '.join(choices)}")
    return str(value)


def flag(name: str, value: Any) -> int:
    """TT's 0/1 integer flags (userActive, fullAdmin, ...)."""
    if not is_int(value) or value not in (0, 1):
        raise ApiFailure(400, f"{name} must be 0 or 1")
    return int(value)


def integer(name: str, value: Any) -> int:
    if not is_int(value):
        raise ApiFailure(400, f"{name} must be an integer")
    return int(value)


def quantity(name: str, value: Any) -> int | None:
    """A limit: a non-negative integer, or null for "not set" (which is not 0)."""
    if value is None:
        return None
    if not is_int(value) or value < 0:
        raise ApiFailure(400, f"{name} must be a non-negative integer or null")
    return int(value)


def amount(name: str, value: Any) -> float | int | None:
    """A money amount: a non-negative number, or null for "not set"."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ApiFailure(400, f"{name} must be a non-negative number or null")
    return value


def percent(name: str, value: Any) -> float | int | None:
    """A percentage, 0 to 100, or null for "not set"."""
    result = amount(name, value)
    if result is not None and result > 100:
        raise ApiFailure(400, f"{name} must be a percentage from 0 to 100 or null")
    return result


def time_of_day(name: str, value: Any) -> str | None:
    """HH:MM, or null (the company's)."""
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        raise ApiFailure(400, f"{name} must be a time of day as HH:MM or null")
    return value


LOSS_ACTIONS = ("deleteOrders", "disableTrading", "closePositions")


def _as_is(_name: str, value: Any) -> Any:
    return value


def loss_actions(name: str, value: Any) -> list[Record]:
    """Credit-loss actions: [{action, atPercent}], each action at most once."""
    actions = []
    for index, item in enumerate(items(name, value)):
        where = f"{name}[{index}]"
        schema: dict[str, Check] = {"action": text, "atPercent": percent}
        action = {key: schema[key](f"{where}.{key}", raw)
                  for key, raw in fields(item, {k: _as_is for k in schema}, where=where).items()}
        if "action" not in action or "atPercent" not in action:
            raise ApiFailure(400, f"{where} needs both action and atPercent")
        if action["action"] not in LOSS_ACTIONS:
            raise ApiFailure(400, f"{where}.action must be one of {', '.join(LOSS_ACTIONS)}")
        if action["atPercent"] is None:
            raise ApiFailure(400, f"{where}.atPercent must be a percentage")
        actions.append(action)
    if len({a["action"] for a in actions}) != len(actions):
        raise ApiFailure(400, f"{name}: the same action appears twice")
    return actions


PARENT_ORDER_TYPES = ("ttIceberg", "ttTimeSliced", "ttTimed", "ttStop", "ttIfTouched",
                      "ttRetry", "ttOco", "ttBracket", "ttTrailingLimit")
"""TT order types with parent-order checks (algo risk settings; ASSUMED, contract §9)."""


def parent_limits(name: str, value: Any) -> list[Record]:
    """Algo parent-order checks: [{orderType, maxOrderQty?, priceReasonabilityTicks?}],
    each order type at most once."""
    checked = []
    for index, item in enumerate(items(name, value)):
        where = f"{name}[{index}]"
        schema: dict[str, Check] = {"orderType": text, "maxOrderQty": quantity,
                                    "priceReasonabilityTicks": quantity}
        entry = {key: schema[key](f"{where}.{key}", raw)
                 for key, raw in fields(item, {k: _as_is for k in schema}, where=where).items()}
        one_of(f"{where}.orderType", entry.get("orderType"), PARENT_ORDER_TYPES)
        checked.append(entry)
    if len({e["orderType"] for e in checked}) != len(checked):
        raise ApiFailure(400, f"{name}: the same orderType appears twice")
    return checked


def money(name: str, value: Any) -> float | int:
    result = amount(name, value)
    if result is None:
        raise ApiFailure(400, f"{name} must be a non-negative number")
    return result


def text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiFailure(400, f"{name} must be a non-empty string")
    return value


def optional_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ApiFailure(400, f"{name} must be a string")
    return value


def currency(name: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ApiFailure(400, f"{name} must be a three-letter ISO 4217 code")
    return value


def texts(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ApiFailure(400, f"{name} must be a list of strings")
    return value


def obj(name: str, value: Any) -> Record:
    if not isinstance(value, dict):
        raise ApiFailure(400, f"{name} must be an object")
    return value


def items(name: str, value: Any) -> list[Record]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ApiFailure(400, f"{name} must be a list of objects")
    return value


def fields(body: Any, schema: Mapping[str, Check], *, where: str = "body") -> Record:
    """Check the keys present in `body` against `schema`; unknown keys are refused."""
    data = obj(where, body)
    unknown = sorted(set(data) - set(schema))
    if unknown:
        raise ApiFailure(400, f"{plural(len(unknown), 'unknown field')} in {where}: "
                               f"{', '.join(unknown)}")
    return {key: schema[key](key, value) for key, value in data.items()}


def required(data: Record, *names: str) -> None:
    missing = [n for n in names if n not in data]
    if missing:
        raise ApiFailure(400, f"missing {plural(len(missing), 'required field')}: "
                               f"{', '.join(missing)}")

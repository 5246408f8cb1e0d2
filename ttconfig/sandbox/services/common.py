"""Lookups every service needs: objects of the caller's company, or a 404."""

from __future__ import annotations

from typing import Any

from ttconfig.sandbox.routing import ApiFailure, Call
from ttconfig.sandbox.store import Record


def owned(call: Call, table: dict[Any, Record], param: str, what: str) -> tuple[int, Record]:
    """The record named by a path parameter, if it belongs to the caller's company."""
    object_id = call.int_param(param)
    record = table.get(object_id)
    if record is None or record.get("companyId") != call.company_id:
        raise ApiFailure(404, f"{what} {object_id} not found")
    return object_id, record


def account(call: Call, param: str = "accountId") -> tuple[int, Record]:
    return owned(call, call.env.accounts, param, "account")


def user(call: Call, param: str = "userId") -> tuple[int, Record]:
    return owned(call, call.env.users, param, "user")


def company_rows(call: Call, table: dict[Any, Record]) -> list[Record]:
    return [r for r in table.values() if r.get("companyId") == call.company_id]


def bump(record: Record) -> None:
    """Every write to an account, user or group raises its revision by one."""
    record["revision"] = int(record.get("revision", 0)) + 1


def name_taken(rows: list[Record], name: str, *, key: str = "name",
               skip: int | None = None) -> bool:
    folded = name.casefold()
    return any(r[key].casefold() == folded and r.get("id") != skip for r in rows)

"""`ttconfig explain`'s text: each row that governs the product, where it is declared, and
what it says."""

from __future__ import annotations

from typing import Any

from ttconfig.models.limits import ROW_SCOPE, ContractLimit, InterProductLimit, ProductLimit
from ttconfig.runs.explain import Explanation, Governed


def _value(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _kind_of(row: ProductLimit) -> str:
    if isinstance(row, ContractLimit):
        return "the contract row"
    if row.family is not None:
        return "the family row"
    return "the default row" if row.is_default else "the product row"


def _values(row: ProductLimit | InterProductLimit) -> str:
    values = [f"{k} {_value(v)}" for k, v in row.declared().items()
              if k not in ROW_SCOPE and k != "legs"]
    return " · ".join(values) if values else "(no values declared)"


def _spreads(governed: Governed) -> list[str]:
    return [f"      and the inter-product row {row.name}{f' ({where})' if where else ''}: "
            f"{_values(row)}, on the legs together" for row, where in governed.spreads]


def explain_text(explanation: Explanation) -> str:
    lines = [f"{explanation.account} · {explanation.product}"]
    for governed in explanation.governed:
        row = governed.row
        unless = "".join(f"\n      unless the product is in family {f!r} (--family), whose "
                         "row governs then" for f in governed.families)
        if row is None:
            lines.append(f"  {governed.owner}: no row matches{unless}")
        else:
            where = f" ({governed.where})" if governed.where else ""
            lines.append(f"  {governed.owner}: {_kind_of(row)} {row.name}{where}")
            lines.append("      " + _values(row) + unless)
        lines += _spreads(governed)
    lines.append("An order must pass each: the account's row on the account's own positions, "
                 "a risk group's on the combined positions of its accounts. With apply limits "
                 "on, a product no account row matches cannot be traded on the account.")
    return "\n".join(lines)

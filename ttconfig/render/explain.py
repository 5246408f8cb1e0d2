"""`ttconfig explain`'s report: each row that governs the product, where it is declared, and
what it says; as text, a markdown table, or one json object."""

from __future__ import annotations

import json
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


EACH = ("An order must pass each: the account's row on the account's own positions, a risk "
        "group's on the combined positions of its accounts. With apply limits on, a product "
        "no account row matches cannot be traded on the account.")


def _unless(families: tuple[str, ...]) -> list[str]:
    return [f"unless the product is in family {f!r} (--family), whose row governs then"
            for f in families]


def explain_text(explanation: Explanation) -> str:
    lines = [f"{explanation.account} · {explanation.product}"]
    for governed in explanation.governed:
        row = governed.row
        unless = "".join(f"\n      {line}" for line in _unless(governed.families))
        if row is None:
            lines.append(f"  {governed.owner}: no row matches{unless}")
        else:
            where = f" ({governed.where})" if governed.where else ""
            lines.append(f"  {governed.owner}: {_kind_of(row)} {row.name}{where}")
            lines.append("      " + _values(row) + unless)
        lines += _spreads(governed)
    lines.append(EACH)
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def explain_markdown(explanation: Explanation) -> str:
    lines = [f"## ttconfig explain: {explanation.account} · {explanation.product}", "",
             "| governed by | row | declared at | values |", "|---|---|---|---|"]
    for governed in explanation.governed:
        row, owner = governed.row, _cell(governed.owner)
        said = (["no row matches"] if row is None else [f"{_kind_of(row)} {row.name}"])
        said += _unless(governed.families)
        where = f"`{governed.where}`" if governed.where else ""
        values = "" if row is None else _values(row)
        lines.append(f"| {owner} | {_cell(', '.join(said))} | {where} | {_cell(values)} |")
        lines += [f"| {owner} | and the inter-product row {_cell(spread.name)} | "
                  f"{f'`{at}`' if at else ''} | {_cell(_values(spread))}, on the legs "
                  "together |" for spread, at in governed.spreads]
    return "\n".join([*lines, "", EACH]) + "\n"


def _row_data(row: ProductLimit | InterProductLimit, where: str | None,
              kind: str | None = None) -> dict[str, Any]:
    values = {k: v for k, v in row.declared().items() if k not in ROW_SCOPE and k != "legs"}
    return {"name": row.name, **({"kind": kind} if kind else {}), "where": where,
            "values": values}


def explain_json(explanation: Explanation) -> str:
    governed = [{"owner": g.owner,
                 "row": None if g.row is None else _row_data(
                     g.row, g.where, _kind_of(g.row).removeprefix("the ")),
                 "families": list(g.families),
                 "spreads": [_row_data(row, where) for row, where in g.spreads]}
                for g in explanation.governed]
    return json.dumps({"account": explanation.account, "product": explanation.product,
                       "governed": governed}, indent=2, ensure_ascii=False) + "\n"

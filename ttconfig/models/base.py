"""What every desired-state model shares: strictness, and the value types users write.

Models are strict (no coercion: `true` is not 1, "5" is not 5), refuse unknown keys and are
immutable. A field left out of the YAML is *not managed*: it stays out of
`model_fields_set`, and diff ignores the live value. For limits, an explicit `null` means
"not set", which TT keeps apart from 0.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from ttconfig.models.currencies import ISO_4217


class Model(BaseModel):
    """Base of every desired-state model."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              str_strip_whitespace=False, validate_default=False)

    def managed(self) -> frozenset[str]:
        """The fields the YAML declares (the only ones ttconfig manages)."""
        return frozenset(self.model_fields_set)

    def declared(self) -> dict[str, Any]:
        """What the YAML declares, as plain JSON-like data (unset fields left out)."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude_unset=True)
        return data

    def key(self) -> Hashable:
        """The natural key of an object of a kind (its name, email, or scope)."""
        raise NotImplementedError(f"{type(self).__name__} is not a kind of object")


Name = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                        pattern=r"^\S(.*\S)?$")]
"""A name as TT shows it: not empty, no leading or trailing spaces."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not a valid email address")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]


def _currency(value: str) -> str:
    if value not in ISO_4217:
        shown = repr(value) if len(value) <= 20 else repr(value[:20]) + "…"  # one line
        raise ValueError(f"{shown} is not an ISO 4217 currency code")
    return value


Currency = Annotated[str, AfterValidator(_currency)]

Quantity = Annotated[int, Field(ge=0, le=2**31 - 1)] | None
"""A limit quantity; `null` is "not set" (no limit), which is not 0."""


def _fits_a_float(value: Any) -> Any:
    # pydantic checks int | float for inf/NaN by converting to float, which raises
    # OverflowError (not a validation error) for an int beyond a float's range.
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            raise ValueError("too large a number for an amount") from None
    return value


Amount = Annotated[int | float, BeforeValidator(_fits_a_float), Field(ge=0, allow_inf_nan=False)]
"""A money amount (margins, credit)."""

Percent = Annotated[int | float, BeforeValidator(_fits_a_float),
                    Field(ge=0, le=100, allow_inf_nan=False)]
"""A percentage, 0 to 100 (of a price, of a credit limit)."""


@dataclass(frozen=True)
class WhenNew:
    """What TT holds for a field when a row is made without it (field metadata).

    A field without one holds null ("not set") on a new row. Apply sends a new row whole,
    so the values the YAML leaves out are TT's own, never a guess of ours.
    """

    value: object = None
    quiet: bool = False
    """Import writes the field only where TT holds another value: the checks most rows
    leave as a new row has them stay out of the YAML (and so unmanaged there)."""


QUIET = WhenNew(None, quiet=True)
"""Not set on a new object, and written by import only when set."""


def as_imported(model: Model) -> dict[str, Any]:
    """What import writes for `model`: what it declares, less its quiet fields where they
    hold a new object's value (a nested model left empty so is left out too)."""
    data: dict[str, Any] = {}
    for name, plain in model.declared().items():
        info = type(model).model_fields[name]
        when = next((m for m in info.metadata if isinstance(m, WhenNew)), None)
        value = getattr(model, name)
        if isinstance(value, Model):
            plain = as_imported(value)
        elif isinstance(value, list):
            plain = [as_imported(item) if isinstance(item, Model) else shown
                     for item, shown in zip(value, plain, strict=True)]
        if when is not None and when.quiet and (plain == when.value or plain == {}):
            continue
        data[name] = plain
    return data


class Risk(StrEnum):
    """How a field moves risk when its value changes; fields carry it as metadata
    (`Annotated[..., Risk.LIMIT]`) and `core.risk` reads it from the models. A field
    without one is neutral (names, descriptions, currencies, order-tag values)."""

    LIMIT = "limit"
    """Higher is looser; null ("not set") is loosest."""
    MARGIN = "margin"
    """Higher is tighter."""
    CONTROL = "control"
    """A switch that restrains: true is tighter (apply limits, disable trading)."""
    GRANT = "grant"
    """A permission or allowed activity: true is looser."""
    TRADE_MODE = "trade_mode"
    """view_only < standard < pro."""
    PREVENTION = "prevention"
    """A self-cross prevention mode: `not_applied` (or not set) is looser than any mode
    that prevents; the modes that prevent are alike."""


Limit = Annotated[Quantity, Risk.LIMIT]
"""A quantity limit: higher is looser, null is "not set" (loosest)."""
PercentLimit = Annotated[Percent | None, Risk.LIMIT]
"""A limit in percent: higher is looser, null is "not set" (loosest)."""
Grant = Annotated[bool | None, Risk.GRANT]
Control = Annotated[bool | None, Risk.CONTROL]

ProductType = Literal["future", "option", "spread", "stock", "index"]

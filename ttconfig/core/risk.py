"""Which way a change moves risk: loosening, tightening or neutral (DESIGN principle 4).

A higher limit loosens; "not set" (null) is the loosest value a limit can have; a lower
margin loosens; a granted permission or allowed activity loosens; switching a control on
(apply limits, apply margin, disable trading, view only) tightens. Anything that does not
move risk (names, descriptions, currencies, order-tag values) is neutral. Which rule a
field follows is declared on the field itself, in the models (`Risk`).
"""

from __future__ import annotations

import math
from typing import Any

from ttconfig.core.changes import ABSENT, Direction
from ttconfig.models.base import Risk
from ttconfig.models.kinds import REGISTRY, Kind, field_risks

RISKS = field_risks()
"""Each risk-moving field's rule, as the models declare it (`models.base.Risk`)."""

LIMITS = frozenset(name for name, risk in RISKS.items() if risk is Risk.LIMIT)
"""Higher is looser; null (not set) is loosest."""

TRADE_MODES = {"view_only": 1, "standard": 2, "pro": 3}


def _sign(old: float, new: float) -> Direction:
    if new > old:
        return "loosening"
    if new < old:
        return "tightening"
    return "neutral"


def _limit(value: Any) -> float:
    return math.inf if value is None or value is ABSENT else float(value)


def direction(path: tuple[str, ...], old: Any, new: Any) -> Direction:
    """The direction of `old` → `new` for the field at `path` (its last part names it)."""
    risk = RISKS.get(path[-1] if path else "")
    if risk is Risk.LIMIT:
        return _sign(_limit(old), _limit(new))
    if risk is Risk.MARGIN:
        return _sign(-_number(old), -_number(new))
    if risk is Risk.CONTROL:
        return _sign(_flag(new), _flag(old))
    if risk is Risk.GRANT:
        return _sign(_flag(old), _flag(new))
    if risk is Risk.TRADE_MODE:
        return _sign(TRADE_MODES.get(str(old), 0), TRADE_MODES.get(str(new), 0))
    if risk is Risk.PREVENTION:
        return _sign(_prevents(new), _prevents(old))
    return "neutral"


def _prevents(value: Any) -> int:
    return 0 if value in (None, ABSENT, "not_applied") else 1


def _flag(value: Any) -> int:
    return 1 if value is True else 0


def _number(value: Any) -> float:
    return 0.0 if value is None or value is ABSENT else float(value)


def membership(kind: str, added: bool) -> Direction:
    """Joining a risk group puts the account under the group's limits (tightening)."""
    members = REGISTRY[Kind(kind)].members
    if members is None or not members.joining_tightens:
        return "neutral"
    return "tightening" if added else "loosening"


def percent_change(old: Any, new: Any) -> float | None:
    """The % change of a numeric value, when both sides are numbers and old is not 0."""
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if not numeric or old == 0:
        return None
    return (float(new) - float(old)) / abs(float(old)) * 100.0


def is_high(path: tuple[str, ...], old: Any, new: Any, percent: float) -> bool:
    """A loosening a risk officer must not miss: a limit or margin moved by more than
    `percent`, or a limit taken to "not set" (or removed), which leaves no limit at all."""
    if direction(path, old, new) != "loosening":
        return False
    name = path[-1] if path else ""
    if name in LIMITS and (new is None or new is ABSENT):
        return True
    change = percent_change(old, new)
    return change is not None and abs(change) > percent

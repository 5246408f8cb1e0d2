"""The month an alias names, and TT's expiration dates as read. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ttconfig.live.expiry import alias_month_end
from ttconfig.tt.adapters.ttpds import expiration


@pytest.mark.parametrize(("alias", "end"), [
    ("ES Dec26", date(2026, 12, 31)),
    ("CL Dec26-Jan27", date(2026, 12, 31)),
    ("OZN Feb28 C112", date(2028, 2, 29)),
    ("ZN Mar27", date(2027, 3, 31)),
    ("Custom strip", None),
    ("ESDec26", None),
])
def test_the_first_month_an_alias_names(alias: str, end: date | None) -> None:
    assert alias_month_end(alias) == end


@pytest.mark.parametrize(("value", "read"), [
    (20261218133000, datetime(2026, 12, 18, 13, 30, tzinfo=UTC)),
    ("20261218133000", None),
    (True, None),
    (2026121813300, None),
    (20261318133000, None),
    (None, None),
])
def test_tt_expiration_dates_are_read_strictly(value: object, read: datetime | None) -> None:
    """TT's expirationDate is an int yyyyMMddHHmmss (contract §9); anything else is "not
    said", never a guess."""
    assert expiration(value) == read

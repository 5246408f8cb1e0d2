"""Contract rows whose contract has expired: a warning at the YAML's line, never written.

Contracts expire every month or quarter, and the YAML that named "ES Dec26" still names it
on the day after. TT then lists the instrument with a past `expirationDate`, or no longer
lists it at all. Either way the row is not a typo ([H]'s unknown-name error would stop
every plan of the desk until someone edits the YAML) and there is nothing to write: the
plan leaves it out, says so with its file and line, and `ttconfig tidy` removes it from the
YAML. What has expired is judged by TT's clock (the `Date` of its answers), not this
machine's. Pure.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ttconfig.live.read import LiveFirm
from ttconfig.live.resolve import Catalog
from ttconfig.models import Firm, Kind
from ttconfig.models.checks import Issue, Path, fold
from ttconfig.models.limits import ContractLimit, Limits

MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(\d{2})\b")
"""The first month-year an alias names ("ES Dec26", "CL Dec26-Jan27", "OZN Mar27 C112")."""
OWNERS = (Kind.ACCOUNTS, Kind.USERS, Kind.RISK_GROUPS)


@dataclass(frozen=True)
class Expired:
    """One contract row of the YAML whose contract has expired."""

    path: Path
    """Where the row is (an `Issue` path: the loader turns it into file:line:col)."""
    row: str
    """The row as plans name it ("CME ES future ES Dec26")."""
    on: date
    """When it expired: TT's expirationDate, or the end of the month its alias names."""
    listed: bool
    """Whether TT still lists the contract (with a past expiration date)."""

    def what(self) -> str:
        said = (f"expired on {self.on.isoformat()}" if self.listed else
                f"TT no longer lists (its alias names {self.on:%b %Y}, past)")
        return f"the contract row {self.row} is for a contract that {said}"

    def issue(self, environment: str) -> Issue:
        """The plan's warning: what, and what to do."""
        return Issue(self.path, f"{self.what()}: it is not written; `ttconfig tidy -e "
                                f"{environment}` removes it from the YAML")


def alias_month_end(alias: str) -> date | None:
    """The last day of the first month-year `alias` names; None when it names none."""
    found = MONTH.search(alias)
    if found is None:
        return None
    month = list(calendar.month_abbr).index(found.group(1))
    year = 2000 + int(found.group(2))
    return date(year, month, calendar.monthrange(year, month)[1])


def expired_rows(firm: Firm, live: LiveFirm) -> list[Expired]:
    """Every contract row of `firm` whose contract has expired by TT's clock."""
    now = live.as_of or datetime.now(UTC)
    catalog = Catalog.of(live)
    listed = {(i.product_id, fold(i.alias)): i for i in live.instruments}
    found = []
    for path, row in _contract_rows(firm):
        product = catalog.products.get((fold(row.market), fold(row.product), row.type))
        if product is None:
            continue  # an unknown product: resolve's error, not an expiry
        instrument = listed.get((product, fold(row.contract)))
        if instrument is not None:
            if instrument.expires is not None and instrument.expires <= now:
                found.append(Expired(path, row.name, instrument.expires.date(), listed=True))
            continue
        if product not in catalog.contracts:
            continue  # (its contracts were not read: nothing is known)
        month_end = alias_month_end(row.contract)
        if month_end is not None and month_end < now.date():
            found.append(Expired(path, row.name, month_end, listed=False))
    return found


def _contract_rows(firm: Firm) -> Iterator[tuple[Path, ContractLimit]]:
    for kind in OWNERS:
        for index, owner in enumerate(firm.of(kind)):
            limits: Limits | None = getattr(owner, "limits", None)
            for number, row in enumerate([] if limits is None else limits.contracts):
                yield (kind.value, index, "limits", "contracts", number), row


def without_expired(firm: Firm, expired: list[Expired]) -> Firm:
    """`firm` without the expired rows (a row's later neighbours move up one place, so a
    problem found in them afterwards is located by the firm this returns, not the YAML's)."""
    if not expired:
        return firm
    gone = {e.path for e in expired}
    origin = dict(firm.origin or {})
    lists = {}
    for kind in OWNERS:
        owners = []
        for index, owner in enumerate(firm.of(kind)):
            limits: Limits | None = getattr(owner, "limits", None)
            if limits is not None and any(p[:2] == (kind.value, index) for p in gone):
                kept = [row for number, row in enumerate(limits.contracts)
                        if (kind.value, index, "limits", "contracts", number) not in gone]
                copy = owner.model_copy(update={
                    "limits": limits.model_copy(update={"contracts": kept})})
                if id(owner) in origin:  # (still declared where the owner is)
                    origin[id(copy)] = origin[id(owner)]
                owner = copy
            owners.append(owner)
        lists[kind.value] = owners
    return firm.model_copy(update=lists).declared_at(origin)

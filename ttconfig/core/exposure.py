"""What a plan's risk changes mean for the positions and credit in use now. Pure.

A limit is a number; whether lowering it is harmless depends on what the account holds.
`needs` says which accounts' positions and credit a plan's changes are about (and only
those: an exposure read costs requests); `annotate` lays what TT reported (a `Book`) over
the plan's changes: for each changed position limit or credit limit, the exposure it
limits and the headroom before and after. A headroom below zero after the apply is a
*breach on apply*: TT will accept only orders that reduce the position (or, for credit,
none that use more), so a "tightening" silently turns a desk into liquidate-only.

Worst-case position follows TT's rule (SEEN, TT help `rl-account-position-examples`):
position plus the same side's working orders. Where TT did not say what is working, the
figure is the position alone and the annotation says so. An annotation is shown beside the
plan and judged by the policy; it is not part of the plan (nor of its checksum).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from ttconfig.core.changes import ABSENT, Change, FieldChange
from ttconfig.core.diff import ROW_LISTS, row_name
from ttconfig.core.plan import Plan
from ttconfig.core.state import Key, State
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.kinds import Kind
from ttconfig.models.limits import EVERY_PRODUCT

ProductRef = tuple[str, str, str]
"""A product as limit rows name it, folded: (market, product symbol, type)."""
ContractRef = tuple[str, str, str, str]
"""A contract: its product's ref and its alias, folded."""

Measure = Literal["position", "long", "short", "credit", "working"]
"""What an annotation counts: a side of a position, credit in use, or (for a user unlinked
from an account) the quantity of the account's working orders."""
POSITION_FIELDS: Mapping[str, Measure] = {"max_position": "position",
                                          "max_long_position": "long",
                                          "max_short_position": "short"}
"""The limit fields a position counts against, and which side of it each measures."""
CREDIT = ("risk_settings", "credit_limit")
OWNERS = (Kind.ACCOUNTS, Kind.RISK_GROUPS)


@dataclass(frozen=True)
class Holding:
    """What an account (or a risk group's accounts together) holds in one product or
    contract: the net position and the working orders on each side (None: TT did not say,
    so the worst case is the position alone)."""

    net: float
    working_buy: float | None = 0
    working_sell: float | None = 0

    def __add__(self, other: Holding) -> Holding:
        def both(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a + b
        return Holding(self.net + other.net, both(self.working_buy, other.working_buy),
                       both(self.working_sell, other.working_sell))

    @property
    def position_only(self) -> bool:
        return self.working_buy is None or self.working_sell is None

    @property
    def long(self) -> float:
        """The worst-case long position: the position plus the working buys."""
        return max(0.0, self.net + (self.working_buy or 0))

    @property
    def short(self) -> float:
        """The worst-case short position (as a size): the position less the working sells."""
        return max(0.0, -(self.net - (self.working_sell or 0)))

    def measured(self, measure: Measure) -> float:
        if measure == "long":
            return self.long
        if measure == "short":
            return self.short
        return max(self.long, self.short)


@dataclass(frozen=True)
class Book:
    """What ttmonitor reported for the accounts a plan touches (names folded)."""

    products: Mapping[str, Mapping[ProductRef, Holding]] = field(default_factory=dict)
    contracts: Mapping[str, Mapping[ContractRef, Holding]] = field(default_factory=dict)
    credit: Mapping[str, float] = field(default_factory=dict)
    """Credit in use per account."""
    unknown: Mapping[str, str] = field(default_factory=dict)
    """Accounts whose exposure could not be read, and why (the failed request)."""
    families: Mapping[ProductRef, str] = field(default_factory=dict)
    """Each product's family (folded), for family rows."""
    symbols: Mapping[ProductRef, str] = field(default_factory=dict)
    """Each product's symbol as TT spells it, to name the product a default row's figure
    is of."""
    requests: int = 0
    accounts: int = 0
    """Accounts whose exposure was asked for."""


@dataclass(frozen=True)
class Needs:
    """Which accounts' exposure a plan is about (display names, in plan order)."""

    positions: tuple[str, ...] = ()
    contracts: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()

    @property
    def accounts(self) -> set[str]:
        return {fold(a) for a in (*self.positions, *self.contracts, *self.credit)}

    @property
    def requests(self) -> int:
        """One request per account and measure (a page each)."""
        return len(self.positions) + len(self.contracts) + len(self.credit)


@dataclass(frozen=True)
class Annotation:
    """One changed limit beside the exposure it limits."""

    kind: Kind
    key: str
    path: tuple[str, ...]
    measure: Measure
    old: float | None
    """The limit before (None: not set, no limit)."""
    new: float | None
    exposure: float | None = None
    """The worst-case position (or credit in use) the limit counts; None: unknown."""
    net: float | None = None
    """The net position, when `exposure` is a position."""
    where: str = ""
    """The product a default or family row's figure is of (the one nearest its limit)."""
    position_only: bool = False
    unknown: str | None = None
    """Why the exposure is unknown (then nothing about it is judged)."""
    account: str = ""
    """The account an unlink's working orders are on."""
    exposure_before: float | None = None
    """For an account joining a risk group: the group's exposure without it."""
    limit_path: tuple[str, ...] = ()
    """For a join: the group's row field it is judged by (the one it leaves least room)."""

    @property
    def before(self) -> float | None:
        """Headroom before the apply (None: no limit)."""
        held = self.exposure if self.exposure_before is None else self.exposure_before
        return None if self.old is None or held is None else self.old - held

    @property
    def after(self) -> float | None:
        return None if self.new is None or self.exposure is None else self.new - self.exposure

    @property
    def breach(self) -> bool:
        """The apply leaves the exposure over the limit."""
        return self.after is not None and self.after < 0

    @property
    def already_over(self) -> bool:
        return self.before is not None and self.before < 0

    @property
    def derisking(self) -> bool:
        """A limit set to 0: meant to stop the exposure, never held for breaching it."""
        return self.new == 0

    @property
    def id(self) -> tuple[str, str, tuple[str, ...]]:
        """(kind, object, field): what a reviewed plan's breach is compared by."""
        return (self.kind.value, fold(self.key), self.path)

    def headroom_percent(self) -> float | None:
        """Headroom after the apply as a share of the new limit."""
        if self.after is None or not self.new:
            return None
        return self.after / self.new * 100

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["path"] = list(self.path)
        if self.limit_path:  # (a join's; other annotations read as before)
            data["limit_path"] = list(self.limit_path)
        else:
            del data["limit_path"], data["exposure_before"]
        data |= {"headroom_before": self.before, "headroom_after": self.after,
                 "breach": self.breach}
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Annotation:
        names = {f for f in cls.__dataclass_fields__}
        kept = {k: v for k, v in data.items() if k in names}
        return cls(**{**kept, "kind": Kind(data["kind"]), "path": tuple(data["path"]),
                      "limit_path": tuple(data.get("limit_path") or ())})


@dataclass(frozen=True)
class Exposure:
    """A plan's exposure annotations, and what reading them cost."""

    annotations: tuple[Annotation, ...] = ()
    requests: int = 0
    accounts: int = 0
    """Accounts whose exposure was read."""

    @cached_property
    def _by_id(self) -> dict[tuple[str, str, tuple[str, ...]], Annotation]:
        return {a.id: a for a in self.annotations}

    def of(self, change: Change, path: tuple[str, ...]) -> Annotation | None:
        """The annotation of one field of a change (renders ask for every field)."""
        return self._by_id.get((change.kind.value, fold(change.key), path))

    @property
    def breaches(self) -> list[Annotation]:
        return [a for a in self.annotations if a.breach]

    @property
    def unknown(self) -> list[Annotation]:
        return [a for a in self.annotations if a.unknown is not None]

    def to_data(self) -> dict[str, Any]:
        return {"requests": self.requests, "accounts": self.accounts,
                "annotations": [a.to_data() for a in self.annotations]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Exposure:
        return cls(tuple(Annotation.from_data(a) for a in data.get("annotations", [])),
                   int(data.get("requests", 0)), int(data.get("accounts", 0)))


# --- what a plan's changes are about -------------------------------------------------------

def _limit(value: Any) -> float | None:
    """A limit as a number: not set, absent (no row) and not a number are no limit."""
    if value is ABSENT or value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, int | float) else None


def _measured(change: FieldChange) -> Measure | None:
    path = change.path
    if path == CREDIT:
        return "credit"
    if len(path) == 4 and path[0] == "limits" and path[1] in ("products", "contracts"):
        return POSITION_FIELDS.get(path[3])
    return None


def _annotated(plan: Plan) -> Iterator[tuple[Change, FieldChange, Measure]]:
    """The changed fields that limit a position or credit, on either side of the change
    (a field not set before nor after limits nothing, so says nothing)."""
    for change in plan.changes:
        if change.kind in OWNERS and change.action == "update":
            for f in change.fields:
                measure = _measured(f)
                if measure is not None and (_limit(f.old), _limit(f.new)) != (None, None):
                    yield change, f, measure


def _joins(plan: Plan) -> Iterator[tuple[Change, str]]:
    """Accounts the plan adds to a risk group: the group's rows then count them too."""
    for change in plan.changes:
        if change.kind is Kind.RISK_GROUPS and change.action in ("create", "update"):
            for f in change.fields:
                if len(f.path) == 2 and f.path[0] == "accounts" and f.new == "member":
                    yield change, f.path[1]


def _unlinked(plan: Plan) -> Iterator[Change]:
    """Users the plan unlinks from an account: orders they left working stay working."""
    return (c for c in plan.changes if c.kind is Kind.LINKS and c.action == "delete")


def _model(change: Change, desired: State, live: State) -> Model | None:
    return desired.find(change.kind, change.key) or live.find(change.kind, change.key)


def members(change: Change, desired: State, live: State) -> list[str]:
    """The accounts whose exposure a change counts: the account itself, or a risk
    group's accounts as the apply leaves them (the YAML's, else TT's)."""
    if change.kind is Kind.ACCOUNTS:
        return [change.key.name]
    model = _model(change, desired, live)
    return list(model.declared().get("accounts", [])) if model is not None else []


def needs(plan: Plan, desired: State, live: State) -> Needs:
    """The accounts whose positions (by product, by contract) and credit the plan's
    changed position and credit limits count."""
    positions: dict[str, str] = {}
    contracts: dict[str, str] = {}
    credit: dict[str, str] = {}
    for change, f, measure in _annotated(plan):
        target = credit if measure == "credit" else (
            contracts if f.path[1] == "contracts" else positions)
        for account in members(change, desired, live):
            target.setdefault(fold(account), account)
    for change in _unlinked(plan):
        positions.setdefault(fold(change.key.name), change.key.name)
    for change, _ in _joins(plan):
        model = _model(change, desired, live)
        for list_name, target in (("products", positions), ("contracts", contracts)):
            if any(_limit(row.get(name)) is not None for row in _rows_of(model, list_name)
                   for name in POSITION_FIELDS):
                for account in members(change, desired, live):
                    target.setdefault(fold(account), account)
    return Needs(tuple(positions.values()), tuple(contracts.values()), tuple(credit.values()))


# --- annotations ---------------------------------------------------------------------------

def annotate(plan: Plan, desired: State, live: State, book: Book) -> Exposure:
    """Every changed position and credit limit of the plan, and every unlink, beside what
    `book` holds."""
    found = [_annotation(change, f, measure, desired, live, book)
             for change, f, measure in _annotated(plan)]
    found += [_working(change, book) for change in _unlinked(plan)]
    found += [joined for change, account in _joins(plan)
              if (joined := _joined(change, account, desired, live, book)) is not None]
    return Exposure(tuple(found), book.requests, book.accounts)


def _annotation(change: Change, f: FieldChange, measure: Measure, desired: State,
                live: State, book: Book) -> Annotation:
    base = Annotation(change.kind, str(change.key), f.path, measure, _limit(f.old),
                      _limit(f.new))
    named = members(change, desired, live)
    owners = [fold(a) for a in named]
    failed = [f"{a}: {book.unknown[fold(a)]}" for a in named if fold(a) in book.unknown]
    if failed:
        return replace(base, unknown="; ".join(failed))
    if measure == "credit":
        return replace(base, exposure=sum(book.credit.get(a, 0.0) for a in owners))
    row = _row(change, f.path, desired, live)
    if row is None:
        return replace(base, unknown="the row is not in the YAML nor in TT")
    held = _held(row, f.path[1], owners, book, _own(_model(change, desired, live)))
    if not held:
        return replace(base, exposure=0.0, net=0.0)
    where, holding = max(held.items(), key=lambda item: item[1].measured(measure))
    return replace(base, exposure=holding.measured(measure), net=holding.net,
                   where=where if row.get("product", EVERY_PRODUCT) == EVERY_PRODUCT else "",
                   position_only=holding.position_only)


def _working(change: Change, book: Book) -> Annotation:
    """The account's working orders, for a user unlinked from it (ttmonitor says what is
    working on the account, not whose it is)."""
    account = fold(change.key.name)
    base = Annotation(change.kind, str(change.key), (), "working", None, None,
                      account=change.key.name)
    if account in book.unknown:
        return replace(base, unknown=f"{change.key.name}: {book.unknown[account]}")
    held = {ref: h for ref, h in book.products.get(account, {}).items()
            if (h.working_buy or 0) + (h.working_sell or 0)}
    where = ", ".join(
        f"{book.symbols.get(ref, ref[1])}"
        + "".join(f" {q:,.0f} to {side}" for side, q in (("buy", h.working_buy or 0),
                                                         ("sell", h.working_sell or 0)) if q)
        for ref, h in sorted(held.items()))
    return replace(base, exposure=sum((h.working_buy or 0) + (h.working_sell or 0)
                                      for h in held.values()), where=where)


def _joined(change: Change, account: str, desired: State, live: State,
            book: Book) -> Annotation | None:
    """An account joining a risk group, judged by the group's position row it leaves the
    least headroom (None: it holds nothing the group's rows limit)."""
    after = [fold(a) for a in members(change, desired, live)]
    base = Annotation(change.kind, str(change.key), ("accounts", account), "position",
                      None, None, account=account)
    failed = [f"{a}: {book.unknown[a]}" for a in after if a in book.unknown]
    if failed:
        return replace(base, unknown="; ".join(failed))
    before = [a for a in after if a != fold(account)]
    model = _model(change, desired, live)
    found = [annotation for list_name in ("products", "contracts")
             for row in _rows_of(model, list_name)
             for annotation in _row_join(base, row, list_name, (before, after), book,
                                         _own(model))]
    return min(found, key=lambda a: a.after if a.after is not None else float("inf"),
               default=None)


def _row_join(base: Annotation, row: Mapping[str, Any], list_name: str,
              owners: tuple[list[str], list[str]], book: Book,
              own: set[ProductRef]) -> list[Annotation]:
    """One group row's limits with and without the joining account (only where it holds
    something the row limits)."""
    held_before = _held(row, list_name, owners[0], book, own)
    held_after = _held(row, list_name, owners[1], book, own)
    found = []
    for name, measure in POSITION_FIELDS.items():
        limit = _limit(row.get(name))
        if limit is None or not held_after:
            continue
        where, holding = max(held_after.items(), key=lambda item: item[1].measured(measure))
        prior = held_before.get(where)
        was = 0.0 if prior is None else prior.measured(measure)
        if holding.measured(measure) == was:
            continue  # (the joiner holds nothing here)
        found.append(replace(
            base, measure=measure, old=limit, new=limit, exposure=holding.measured(measure),
            net=holding.net, exposure_before=was, position_only=holding.position_only,
            where=where if row.get("product", EVERY_PRODUCT) == EVERY_PRODUCT else "",
            limit_path=("limits", list_name, row_name(dict(row), ROW_LISTS[list_name]), name)))
    return found


def _rows_of(model: Model | None, list_name: str) -> list[dict[str, Any]]:
    if model is None:
        return []
    limits = model.declared().get("limits") or {}
    return list(limits.get(list_name) or [])


def _row(change: Change, path: tuple[str, ...], desired: State,
         live: State) -> dict[str, Any] | None:
    """The limit row a field path names, as the YAML (else TT) has it."""
    for side in (desired, live):
        for row in _rows_of(side.find(change.kind, change.key), path[1]):
            if row_name(row, ROW_LISTS[path[1]]) == path[2]:
                return row
    return None


def _own(model: Model | None) -> set[ProductRef]:
    """Products with a row of their own in the owner (as the apply leaves it): a default
    or family row does not govern them."""
    return {_ref(row) for row in _rows_of(model, "products")
            if row.get("product", EVERY_PRODUCT) != EVERY_PRODUCT}


def _ref(row: Mapping[str, Any]) -> ProductRef:
    return (fold(str(row["market"])), fold(str(row.get("product", EVERY_PRODUCT))),
            fold(str(row.get("type", "future"))))


def _summed(books: Iterable[Mapping[Any, Holding]]) -> dict[Any, Holding]:
    total: dict[Any, Holding] = {}
    for held in books:
        for ref, holding in held.items():
            total[ref] = total[ref] + holding if ref in total else holding
    return total


def _held(row: Mapping[str, Any], list_name: str, owners: Sequence[str], book: Book,
          own: set[ProductRef]) -> dict[str, Holding]:
    """What the owners hold that the row limits, by product (or contract) shown."""
    ref = _ref(row)
    if list_name == "contracts":
        contracts = _summed(book.contracts.get(a, {}) for a in owners)
        found = contracts.get((*ref, fold(str(row["contract"]))))
        return {} if found is None else {str(row["contract"]): found}
    products = _summed(book.products.get(a, {}) for a in owners)
    if ref[1] != EVERY_PRODUCT:
        return {row["product"]: products[ref]} if ref in products else {}
    family = row.get("family")
    return {book.symbols.get(held, held[1]): holding for held, holding in products.items()
            if held[0] == ref[0] and held[2] == ref[2] and held not in own
            and (family is None or book.families.get(held) == fold(str(family)))}


# --- what is over its limit already --------------------------------------------------------

def over_limits(live: State, book: Book) -> list[Annotation]:
    """Position limits TT holds that the exposure in use is over now (drift shows them:
    TT accepts only reducing orders there until it is back under)."""
    found = []
    for kind in OWNERS:
        for model in live.get(kind, ()):
            found += _over(kind, Key.of(model.key()), model, live, book)
    return [a for a in found if a.breach]


def _over(kind: Kind, key: Key, model: Model, live: State, book: Book) -> list[Annotation]:
    owners = ([fold(key.name)] if kind is Kind.ACCOUNTS
              else [fold(a) for a in model.declared().get("accounts", [])])
    own = _own(model)
    found = []
    for list_name in ("products", "contracts"):
        for row in _rows_of(model, list_name):
            held = _held(row, list_name, owners, book, own)
            for name, measure in POSITION_FIELDS.items():
                limit = _limit(row.get(name))
                if limit is None or not held:
                    continue
                where, holding = max(held.items(), key=lambda item: item[1].measured(measure))
                path = ("limits", list_name, row_name(row, ROW_LISTS[list_name]), name)
                found.append(Annotation(
                    kind, str(key), path, measure, limit, limit, holding.measured(measure),
                    holding.net, where if row.get("product", EVERY_PRODUCT) == EVERY_PRODUCT
                    else "", holding.position_only))
    return found

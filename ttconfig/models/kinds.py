"""The one registry of kinds: what each kind of object is, in one place.

Every table that used to say something about a kind (its file, key, title, links, members,
references, whether it owns limits, which fields a create carries, how it is removed)
derives from `REGISTRY`. Adding a kind is an entry here, its model, its adapter and its
sandbox service; nothing else names it.

`Kind` values are the canonical ids: snake_case, used in `--target KIND:NAME`, json plans
and audit records. `Kind.parse` also accepts the file spelling (`user-groups`), the
singular (`user_group`) and spaces (`user groups`). `KindSpec.title` is how text and
markdown show a kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import get_args

from ttconfig.models.accounts import Account
from ttconfig.models.base import Model, Risk
from ttconfig.models.groups import RiskGroup, UserGroup
from ttconfig.models.setup import OrderTagDefault, ProductMargin
from ttconfig.models.users import User


class Kind(StrEnum):
    """A kind of object ttconfig manages, in the order plans list them."""

    ACCOUNTS = "accounts"
    USERS = "users"
    LINKS = "links"
    USER_GROUPS = "user_groups"
    RISK_GROUPS = "risk_groups"
    PRODUCT_MARGINS = "product_margins"
    ORDER_TAG_DEFAULTS = "order_tag_defaults"

    @property
    def spec(self) -> KindSpec:
        return REGISTRY[self]

    @classmethod
    def parse(cls, text: str) -> Kind | None:
        """The kind a person means by `text` (any accepted spelling), or None."""
        return _ALIASES.get(_spelling(text))


class Operation(StrEnum):
    """What one TT request does to its object (a plan step's operation).

    The text people and json read ("create account", "upsert product margin") is
    `Operation.text(kind)`: generic operations are named with the kind's singular.
    """

    CREATE = "create"
    UPDATE = "update"
    UPDATE_RISK_SETTINGS = "update risk settings"
    UPDATE_RESTRICTIONS = "update restrictions"
    UPDATE_EXCHANGE_ACCESS = "update exchange access"
    UPSERT_LIMIT_ROWS = "upsert limit rows"
    DELETE_LIMIT_ROW = "delete limit row"
    ADD_MEMBERS = "add members"
    REMOVE_MEMBER = "remove member"
    LINK_USER = "link user"
    """One link, before the plan batches an account's links into LINK_USERS."""
    LINK_USERS = "link users"
    UNLINK_USER = "unlink user"
    DEACTIVATE = "deactivate"
    UPSERT_ITEM = "upsert"
    """Set a company-level item (a margin, an order-tag default): the kind says which."""
    DELETE = "delete"

    @classmethod
    def of_text(cls, kind: Kind, text: str) -> Operation:
        """The operation `text(kind)` says (a saved plan's step, read back)."""
        found = next((op for op in cls if op.text(kind) == text), None)
        if found is None:
            raise ValueError(f"no operation on {kind.value} is called {text!r}")
        return found

    def text(self, kind: Kind) -> str:
        spec = REGISTRY[kind]
        if self is Operation.UPSERT_ITEM and spec.item_operation is not None:
            return spec.item_operation
        if self in (Operation.CREATE, Operation.UPDATE, Operation.DELETE,
                    Operation.DEACTIVATE):
            return f"{self.value} {spec.singular}"
        return self.value


@dataclass(frozen=True)
class LinkList:
    """Where an object declares account↔user links: its list, and the other end."""

    field: str
    """The list on this kind ("users" on an account)."""
    other_end: str
    """The key naming the other end in each entry ("user")."""
    other_kind: Kind


@dataclass(frozen=True)
class MemberList:
    """A group's member list and the kind its members are."""

    field: str
    member_kind: Kind
    joining_tightens: bool
    """Joining a risk group puts an account under its limits; a user group grants nothing."""


@dataclass(frozen=True)
class KindSpec:
    """Everything ttconfig knows about one kind."""

    kind: Kind
    title: str
    """How text and markdown name the kind ("user groups")."""
    singular: str
    """How operations name one object ("user group": "create user group")."""
    declared_by: type[Model] | None
    """The desired-state model; None for links, which accounts and users declare inline."""
    file: str | None = None
    """`environments/<env>/<file>.yaml` (or a folder of that name); None for links."""
    key_fields: tuple[str, ...] = ()
    """The fields that name an object (what plans, targets and promotion match on)."""
    named_by: str | None = None
    """The one field that names it, for kinds `promotion.names` can rename."""
    core_fields: tuple[str, ...] = ()
    """Fields a create request carries (the rest are separate requests after it)."""
    links: LinkList | None = None
    members: MemberList | None = None
    references: tuple[tuple[str, Kind], ...] = ()
    """Single references to other objects: (field, kind referred to)."""
    owns_limits: bool = False
    """Has `limits:` rows (bounds and coverage apply to them)."""
    item_operation: str | None = None
    """Company-level items: the one write that sets them (no create/update split)."""
    removal: Operation = Operation.DELETE
    """How the object goes when prune removes it (TT has no user delete)."""

    @property
    def declared(self) -> bool:
        """Has its own YAML file (links are declared on accounts or users)."""
        return self.file is not None

    @property
    def model(self) -> type[Model]:
        if self.declared_by is None:
            raise TypeError(f"{self.kind} have no model of their own")
        return self.declared_by

    @property
    def file_stem(self) -> str:
        if self.file is None:
            raise TypeError(f"{self.kind} have no file of their own")
        return self.file


_SPECS = (
    KindSpec(Kind.ACCOUNTS, "accounts", "account", Account, "accounts", ("name",), "name",
             core_fields=("name", "type", "parent", "description", "order_cross_prevention"),
             links=LinkList("users", "user", Kind.USERS),
             references=(("parent", Kind.ACCOUNTS),), owns_limits=True),
    KindSpec(Kind.USERS, "users", "user", User, "users", ("email",), "email",
             core_fields=("email", "first_name", "last_name", "alias", "trade_mode", "active",
                          "settings"),
             links=LinkList("accounts", "account", Kind.ACCOUNTS), owns_limits=True,
             removal=Operation.DEACTIVATE),
    KindSpec(Kind.LINKS, "account↔user links", "link", None),
    KindSpec(Kind.USER_GROUPS, "user groups", "user group", UserGroup, "user-groups",
             ("name",), "name", core_fields=("name",),
             members=MemberList("users", Kind.USERS, joining_tightens=False)),
    KindSpec(Kind.RISK_GROUPS, "risk groups", "risk group", RiskGroup, "risk-groups",
             ("name",), "name", core_fields=("name", "description"),
             members=MemberList("accounts", Kind.ACCOUNTS, joining_tightens=True),
             owns_limits=True),
    KindSpec(Kind.PRODUCT_MARGINS, "product margins", "product margin", ProductMargin,
             "product-margins", ("market", "product", "type"),
             item_operation="upsert product margin"),
    KindSpec(Kind.ORDER_TAG_DEFAULTS, "order-tag defaults", "order tag default",
             OrderTagDefault, "order-tag-defaults", ("market", "field", "account", "user"),
             references=(("account", Kind.ACCOUNTS), ("user", Kind.USERS)),
             item_operation="set order-tag default"),
)

REGISTRY: dict[Kind, KindSpec] = {spec.kind: spec for spec in _SPECS}
DECLARED: tuple[KindSpec, ...] = tuple(spec for spec in _SPECS if spec.declared)
"""The kinds with a file of their own, in file order."""
LIMIT_OWNERS: tuple[Kind, ...] = tuple(spec.kind for spec in _SPECS if spec.owns_limits)


def _spelling(text: str) -> str:
    return text.strip().casefold().replace("-", "_").replace(" ", "_")


def _aliases() -> dict[str, Kind]:
    aliases: dict[str, Kind] = {}
    for spec in _SPECS:
        for name in (spec.kind.value, spec.title, spec.singular, spec.file or ""):
            if name:
                aliases[_spelling(name)] = spec.kind
        aliases[_spelling(spec.kind.value.removesuffix("s"))] = spec.kind
    return aliases


_ALIASES = _aliases()


def field_risks(models: Iterable[type[Model]] | None = None) -> dict[str, Risk]:
    """Every field of every kind that moves risk, by name, read from the models' metadata.

    Plans name a field by its last path part, so one name has one rule across kinds (a
    `place_orders` restriction and a `place_orders` permission both grant); a name that
    carried two rules would be ambiguous, and is refused here, at import.
    """
    risks: dict[str, Risk] = {}
    for model in models if models is not None else (spec.model for spec in DECLARED):
        for name, risk in _risks_of(model):
            if risks.setdefault(name, risk) is not risk:
                raise TypeError(f"field {name!r} has two risk rules: {risks[name]}, {risk}")
    return risks


def _risks_of(model: type[Model]) -> Iterator[tuple[str, Risk]]:
    for name, info in model.model_fields.items():
        for marker in info.metadata:
            if isinstance(marker, Risk):
                yield name, marker
        for nested in _models_in(info.annotation):
            yield from _risks_of(nested)


def _models_in(annotation: object) -> Iterator[type[Model]]:
    """The models a field holds: itself, in a list, or in an Optional."""
    if isinstance(annotation, type) and issubclass(annotation, Model):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)

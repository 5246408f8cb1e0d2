"""Keys and States: how objects are named and found, the same way for desired and live.

A `Key` is an object's natural key as the YAML spells it (an account's name, a margin's
market, product and type, a link's account and user), compared case-folded and
Unicode-normalised once, when it is made: two spellings of one name are one key, and the
spelling people wrote is kept for display. A `State` is kind → {Key: model}, built once
from a desired firm or from live models; diff, plan and apply look objects up in it
instead of folding names again. Pure.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence

from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.kinds import Kind

LINK_SEPARATOR = " ↔ "


def _fold_part(part: str | None) -> str | None:
    return None if part is None else fold(part)


class Key(str):
    """An object's natural key. As a str it is the key as plans show it ("CME ES future",
    "ACCOUNT ↔ USER"), so renders, json and audit records read it unchanged; its `parts`
    are the key's fields as the YAML spells them, so nothing ever parses the text back;
    `folded` is what matching compares (case and Unicode form folded once, here)."""

    parts: tuple[str | None, ...]
    folded: tuple[str | None, ...]

    def __new__(cls, parts: tuple[str | None, ...], separator: str = " ") -> Key:
        key = super().__new__(cls, separator.join(p for p in parts if p is not None))
        key.parts = parts
        key.folded = tuple(_fold_part(p) for p in parts)
        return key

    def __reduce__(self) -> tuple[type[Key], tuple[tuple[str | None, ...], str]]:
        separator = LINK_SEPARATOR if LINK_SEPARATOR in self else " "
        return (Key, (self.parts, separator))

    @classmethod
    def of(cls, natural: Hashable) -> Key:
        """The Key of a model's `key()`: a name, or a tuple of parts."""
        if isinstance(natural, tuple):
            return cls(tuple(None if p is None else str(p) for p in natural))
        return cls((str(natural),))

    @classmethod
    def link(cls, account: str, user: str) -> Key:
        return cls((account, user), LINK_SEPARATOR)

    @classmethod
    def saved(cls, kind: Kind, text: str) -> Key:
        """A key as a saved plan holds it (its text): a link's two names are joined by
        LINK_SEPARATOR, as `__reduce__` relies on too; any other key is read as one part
        (enough to show it; nothing matches on a saved key's parts)."""
        if kind is Kind.LINKS and LINK_SEPARATOR in text:
            account, _, user = text.partition(LINK_SEPARATOR)
            return cls.link(account, user)
        return cls((text,))

    @property
    def name(self) -> str:
        """The first part: an account's or group's name, a link's account, a user's email."""
        return str(self.parts[0])


def key_of(model: Model) -> Key:
    return Key.of(model.key())


class State(Mapping[str, Sequence[Model]]):
    """One environment's objects, desired or live: kind → its models in order, and each
    model findable by its Key however the name is spelled.

    A State is a mapping of kind to models, so whatever reads a firm kind by kind reads a
    State; it is made once per side of a plan (`State.of`), and the keyed index is built
    then, not again by each reader.
    """

    def __init__(self, models: Mapping[str, Sequence[Model]]) -> None:
        self._models = {Kind(kind): tuple(items) for kind, items in models.items()}
        self._index = {kind: {key_of(m).folded: m for m in items}
                       for kind, items in self._models.items()}

    @classmethod
    def of(cls, models: Mapping[str, Sequence[Model]]) -> State:
        """`models` as a State (itself when it is one already)."""
        return models if isinstance(models, State) else cls(models)

    def __getitem__(self, kind: str) -> Sequence[Model]:
        return self._models[Kind(kind)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def find(self, kind: Kind, key: Key) -> Model | None:
        """The object of that kind with that key, however its name is spelled."""
        return self._index.get(kind, {}).get(key.folded)

    def keyed(self, kind: Kind) -> Mapping[tuple[str | None, ...], Model]:
        """The kind's objects by folded key."""
        return self._index.get(kind, {})

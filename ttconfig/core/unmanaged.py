"""What live TT holds that the YAML does not manage: objects of the kinds the YAML declares
that it does not name (an account made by hand in TT, a user whose block was deleted).

A plan leaves them as they are (their kind does not prune), so without this a reviewer
would never see them: `plan` and `drift` list them, with the command that prints the YAML
that would adopt one and the setting that would remove them. Pure: a function of the
desired and live States.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ttconfig.core.state import State, key_of
from ttconfig.models.kinds import Kind

KINDS = (Kind.ACCOUNTS, Kind.USERS, Kind.USER_GROUPS, Kind.RISK_GROUPS)
"""The kinds of named objects TT holds that a plan may leave undeclared."""


@dataclass(frozen=True)
class Unmanaged:
    """One kind's live objects the YAML does not name (names as TT spells them)."""

    kind: Kind
    names: tuple[str, ...]


def unmanaged(desired: State, live: State, prune: Mapping[str, bool]) -> tuple[Unmanaged, ...]:
    """Per kind the YAML declares (at least one object) and does not prune, the live
    objects it does not name; kinds with none are left out."""
    found = []
    for kind in KINDS:
        declared = desired.keyed(kind)
        if not declared or prune.get(kind, False):
            continue
        names = sorted((key_of(model) for folded, model in live.keyed(kind).items()
                        if folded not in declared), key=str.casefold)
        if names:
            found.append(Unmanaged(kind, tuple(str(name) for name in names)))
    return tuple(found)

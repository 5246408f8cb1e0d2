"""`--target kind:name` and `--exclude kind:name`: plan (and read) only part of the YAML.

Names take shell-style globs (`accounts:HPT-PROP-*`, `users:*@harborpoint.example`) and
match case-insensitively. A targeted account brings its declared ancestors along (a new
account needs its parent); pruning is off for a targeted run, since objects left out of the
selection are not "absent from the YAML". Pure: a function of the firm and the patterns.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ttconfig.core.changes import Change
from ttconfig.errors import UsageError
from ttconfig.models import DECLARED, Firm, Kind
from ttconfig.models.checks import fold


@dataclass(frozen=True)
class Pattern:
    kind: Kind
    glob: str
    text: str = ""
    """As the user wrote it (errors quote it)."""
    option: str = "--target"

    @classmethod
    def parse(cls, text: str, option: str = "--target") -> Pattern:
        kind, sep, glob = text.partition(":")
        chosen = Kind.parse(kind)
        if not sep or not glob or chosen is None or not chosen.spec.declared:
            raise UsageError(f"{text!r}: expected KIND:NAME with KIND one of "
                             f"{', '.join(spec.kind for spec in DECLARED)}")
        return cls(chosen, fold(glob), text, option)

    def matches(self, kind: str, name: str) -> bool:
        return kind == self.kind and fnmatch.fnmatchcase(fold(name), self.glob)


def _name(model: Any) -> str:
    key = model.key()
    return " ".join(str(k) for k in key if k) if isinstance(key, tuple) else str(key)


@dataclass(frozen=True)
class Selection:
    """The selected part of a firm: what to read, and which changes to keep."""

    firm: Firm
    """The firm with prune off (objects outside the selection are not absent)."""
    chosen: Firm
    """Only the selected objects (and their ancestors): what the plan reads."""
    patterns: tuple[Pattern, ...] = ()

    def check_matched(self, live: Mapping[str, Sequence[Any]]) -> None:
        """Refuse a pattern that names nothing in the YAML nor in live TT (`live`: the
        live models, by kind). A typo in an emergency `--target` must not read as "no
        changes: already live"; a pattern naming objects that have no change is fine."""
        problems = []
        for pattern in self.patterns:
            names = {fold(n): n for n in (*(_name(m) for m in self.firm.of(pattern.kind)),
                                          *(_name(m) for m in live.get(pattern.kind, ())))}
            if not any(fnmatch.fnmatchcase(name, pattern.glob) for name in names):
                near = difflib.get_close_matches(pattern.glob, names, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(names[n] for n in near)}?" if near else ""
                problems.append(f"{pattern.option} {pattern.text}: no "
                                f"{pattern.kind.spec.title} by that name in the YAML or in "
                                f"TT{hint}")
        if problems:
            raise UsageError("\n".join(problems))

    def keeper(self, live_accounts: set[str], live_users: set[str]) -> Callable[[Change], bool]:
        """Which changes to keep. A link is kept when one end is selected and the other is
        selected too or already exists in TT (a link to a user the run does not create
        could not be applied)."""

        def keeps(change: Change) -> bool:
            if change.kind != "links":
                return _named(getattr(self.chosen, change.kind), change.key)
            account, user = (str(part) for part in change.key.parts)
            account_ok = _named(self.chosen.accounts, account)
            user_ok = _named(self.chosen.users, user)
            return (account_ok or user_ok) and (account_ok or fold(account) in live_accounts) \
                and (user_ok or fold(user) in live_users)

        return keeps


def _named(models: Sequence[Any], key: str) -> bool:
    return any(fold(_name(m)) == fold(key) for m in models)


def select(firm: Firm, targets: Sequence[str], excludes: Sequence[str]) -> Selection | None:
    """The part of `firm` the patterns select; None when there are no patterns."""
    if not targets and not excludes:
        return None
    wanted = [Pattern.parse(t) for t in targets]
    unwanted = [Pattern.parse(e, "--exclude") for e in excludes]
    kept: dict[str, list[Any]] = {}
    for kind, items in firm.by_kind().items():
        kept[kind] = [m for m in items
                      if (not wanted or any(p.matches(kind, _name(m)) for p in wanted))
                      and not any(p.matches(kind, _name(m)) for p in unwanted)]
    kept["accounts"] = _with_ancestors(firm, kept["accounts"])
    policy = firm.environment.policy.model_copy(update={"prune": {}})
    environment = firm.environment.model_copy(update={"policy": policy})
    unpruned = firm.model_copy(update={"environment": environment})
    chosen = Firm.model_construct(None, environment=environment, **kept)
    return Selection(unpruned, chosen.declared_at(firm.origin), (*wanted, *unwanted))


def _with_ancestors(firm: Firm, chosen: list[Any]) -> list[Any]:
    by_name = {fold(a.name): a for a in firm.accounts}
    names = {fold(a.name) for a in chosen}
    for account in list(chosen):
        parent = account.parent
        while parent is not None and fold(parent) in by_name and fold(parent) not in names:
            names.add(fold(parent))
            parent = by_name[fold(parent)].parent
    return [a for a in firm.accounts if fold(a.name) in names]

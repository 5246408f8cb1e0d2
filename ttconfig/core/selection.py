"""`--target kind:name` and `--exclude kind:name`: plan (and read) only part of the YAML.

Names take shell-style globs (`accounts:HPT-PROP-*`, `users:*@harborpoint.example`) and
match case-insensitively. A targeted account brings its declared ancestors along (a new
account needs its parent); pruning is off for a targeted run, since objects left out of the
selection are not "absent from the YAML". Pure: a function of the firm and the patterns.

`links:GLOB` names account↔user links by their key as plans show it ("ACCOUNT ↔ USER"), by
their account or by their user: `links:*`, `links:HPT-PROP-RATES`, `links:*@desk.example`.
The accounts and users that declare them are read for their links only; a link the YAML
no longer declares is planned away when its account is named (`links:ACCOUNT`, `links:*`).
"""

from __future__ import annotations

import difflib
import fnmatch
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ttconfig.core.changes import ABSENT, Change
from ttconfig.core.diff import declared_links
from ttconfig.core.state import LINK_SEPARATOR
from ttconfig.errors import UsageError
from ttconfig.models import DECLARED, Firm, Kind
from ttconfig.models.base import Model
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
        if not sep or not glob or chosen is None or chosen not in SELECTABLE:
            raise UsageError(f"{text!r}: expected KIND:NAME with KIND one of "
                             f"{', '.join(SELECTABLE)}")
        return cls(chosen, fold(glob), text, option)

    def matches(self, kind: str, name: str) -> bool:
        """Whether the pattern names this object; a link by its key, account or user."""
        if kind != self.kind:
            return False
        if kind is Kind.LINKS and LINK_SEPARATOR in name:
            return any(fnmatch.fnmatchcase(fold(text), self.glob)
                       for text in (name, *name.split(LINK_SEPARATOR)))
        return fnmatch.fnmatchcase(fold(name), self.glob)

    def matches_link(self, account: str, user: str) -> bool:
        return self.matches(Kind.LINKS, f"{account}{LINK_SEPARATOR}{user}")


SELECTABLE = (*(spec.kind for spec in DECLARED), Kind.LINKS)
"""What --target and --exclude name: every declared kind, and links."""


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
    for_links: frozenset[tuple[Kind, str]] = frozenset()
    """(kind, folded name) of the objects in `chosen` only to read their links: nothing
    else of theirs is planned."""

    def check_matched(self, live: Mapping[str, Sequence[Any]]) -> None:
        """Refuse a pattern that names nothing in the YAML nor in live TT (`live`: the
        live models, by kind). A typo in an emergency `--target` must not read as "no
        changes: already live"; a pattern naming objects that have no change is fine."""
        problems = []
        for pattern in self.patterns:
            names = {fold(n): n for n in _names(self.firm, live, pattern.kind)}
            if not any(pattern.matches(pattern.kind, name) for name in names):
                near = difflib.get_close_matches(pattern.glob, names, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(names[n] for n in near)}?" if near else ""
                problems.append(f"{pattern.option} {pattern.text}: no "
                                f"{pattern.kind.spec.title} by that name in the YAML or in "
                                f"TT{hint}")
        if problems:
            raise UsageError("\n".join(problems))

    def keeper(self, live_accounts: set[str], live_users: set[str]) -> Callable[[Change], bool]:
        """Which changes to keep. A link is kept when one end is selected (or a links
        pattern names it) and each end is selected too or already exists in TT (a link to a
        user the run does not create could not be applied)."""

        joining = {fold(member) for group in self.chosen.risk_groups
                   if self._selected(Kind.RISK_GROUPS, group.name) for member in group.accounts}

        def keeps(change: Change) -> bool:
            if change.kind is Kind.LINKS:
                named, missing = self._link(change, live_accounts, live_users)
                return named and not missing
            return self._selected(change.kind, change.key) or self._leave(change, joining)

        return keeps

    def _leave(self, change: Change, joining: set[str]) -> bool:
        """An undeclared risk group giving up accounts a selected group takes (TT keeps an
        account in one group: the join needs this leave first, in the same run)."""
        return change.kind is Kind.RISK_GROUPS and bool(change.fields) \
            and not _named(self.firm.risk_groups, change.key) \
            and all(f.path[0] == "accounts" and f.new is ABSENT and fold(f.path[1]) in joining
                    for f in change.fields)

    def waiting(self, change: Change, live_accounts: set[str],
                live_users: set[str]) -> str | None:
        """Why a link the run names is left out of it (an end neither in TT nor selected:
        the link could not be written), with the --target that brings it in; else None."""
        if change.kind is not Kind.LINKS:
            return None
        named, missing = self._link(change, live_accounts, live_users)
        if not named or not missing:
            return None
        verb = "are" if len(missing) > 1 else "is"
        return (f"links {change.key} is left out of this run: {' and '.join(missing)} {verb} "
                "not in TT yet and not targeted (add "
                + " ".join(f"--target {shlex.quote(f'{kind}:{name}')}"
                           for kind, name in self._ends(change, live_accounts, live_users))
                + " to write it too)")

    def _selected(self, kind: Kind, key: str) -> bool:
        return _named(self.chosen.of(kind), key) and (kind, fold(key)) not in self.for_links

    def _link(self, change: Change, live_accounts: set[str],
              live_users: set[str]) -> tuple[bool, list[str]]:
        """(whether the run names this link, the ends it lacks to write it)."""
        account, user = (str(part) for part in change.key.parts)
        if any(p.matches_link(account, user) for p in self.patterns
               if p.option == "--exclude" and p.kind is Kind.LINKS):
            return False, []
        named = self._selected(Kind.ACCOUNTS, account) or self._selected(Kind.USERS, user) \
            or any(p.matches_link(account, user) for p in self.patterns
                   if p.option == "--target" and p.kind is Kind.LINKS)
        missing = [f"its {kind.spec.singular} {name}" for kind, name
                   in self._ends(change, live_accounts, live_users)]
        return named, missing

    def _ends(self, change: Change, live_accounts: set[str],
              live_users: set[str]) -> list[tuple[Kind, str]]:
        """The link's ends neither selected nor in TT."""
        account, user = (str(part) for part in change.key.parts)
        return [(kind, name) for kind, name, live in ((Kind.ACCOUNTS, account, live_accounts),
                                                      (Kind.USERS, user, live_users))
                if not self._selected(kind, name) and fold(name) not in live]


def _named(models: Sequence[Any], key: str) -> bool:
    return any(fold(_name(m)) == fold(key) for m in models)


def _names(firm: Firm, live: Mapping[str, Sequence[Any]], kind: Kind) -> list[str]:
    """Every name of `kind` in the YAML and in live TT (links: their keys)."""
    if kind is Kind.LINKS:
        return [f"{account}{LINK_SEPARATOR}{user}" for side in (firm.by_kind(), live)
                for account, user, _ in declared_links(side)[0].values()]
    return [*(_name(m) for m in firm.of(kind)), *(_name(m) for m in live.get(kind, ()))]


def select(firm: Firm, targets: Sequence[str], excludes: Sequence[str]) -> Selection | None:
    """The part of `firm` the patterns select; None when there are no patterns."""
    if not targets and not excludes:
        return None
    wanted = [Pattern.parse(t) for t in targets]
    unwanted = [Pattern.parse(e, "--exclude") for e in excludes]
    objects = [p for p in wanted if p.kind is not Kind.LINKS]
    kept: dict[str, list[Any]] = {}
    for kind, items in firm.by_kind().items():
        kept[kind] = [m for m in items
                      if (any(p.matches(kind, _name(m)) for p in objects)
                          or not wanted)
                      and not any(p.matches(kind, _name(m)) for p in unwanted)]
    kept["accounts"] = _with_ancestors(firm, kept["accounts"])
    for_links = _declaring_links(firm, [p for p in wanted if p.kind is Kind.LINKS], kept)
    policy = firm.environment.policy.model_copy(update={"prune": {}})
    environment = firm.environment.model_copy(update={"policy": policy})
    unpruned = firm.model_copy(update={"environment": environment})
    chosen = Firm.model_construct(None, environment=environment, **kept)
    return Selection(unpruned, chosen.declared_at(firm.origin), (*wanted, *unwanted),
                     for_links)


def _declaring_links(firm: Firm, patterns: Sequence[Pattern],
                     kept: dict[str, list[Any]]) -> frozenset[tuple[Kind, str]]:
    """Add to `kept`, for their links only, the accounts and users that a links pattern
    names or that declare a link it names: each as a copy that declares its key and its
    links and nothing else, so the plan reads (and can change) only those. Returns them."""
    added: set[tuple[Kind, str]] = set()
    for kind in (Kind.ACCOUNTS, Kind.USERS):
        field = kind.spec.links
        assert field is not None  # (accounts and users are where links are declared)
        have = {fold(_name(m)) for m in kept[kind]}
        for model in firm.of(kind):
            name = _name(model)
            links = getattr(model, field.field)
            ends = [(name, getattr(link, field.other_end)) if kind is Kind.ACCOUNTS
                    else (getattr(link, field.other_end), name) for link in links]
            if fold(name) in have or not any(
                    p.matches(Kind.LINKS, name) or any(p.matches_link(*end) for end in ends)
                    for p in patterns):
                continue
            kept[kind].append(_links_only(model, field.field))
            added.add((kind, fold(name)))
    return frozenset(added)


def _links_only(model: Model, links: str) -> Model:
    """`model` declaring only what names it and its links (what a plan then reads)."""
    declared = {name for name, info in type(model).model_fields.items() if info.is_required()}
    return type(model).model_construct(declared | {links},
                                       **{k: getattr(model, k) for k in type(model).model_fields})


def _with_ancestors(firm: Firm, chosen: list[Any]) -> list[Any]:
    by_name = {fold(a.name): a for a in firm.accounts}
    names = {fold(a.name) for a in chosen}
    for account in list(chosen):
        parent = account.parent
        while parent is not None and fold(parent) in by_name and fold(parent) not in names:
            names.add(fold(parent))
            parent = by_name[fold(parent)].parent
    return [a for a in firm.accounts if fold(a.name) in names]

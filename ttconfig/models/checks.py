"""Checks across objects that one model alone cannot make: duplicates, references, cycles.

Pure: the checks see a `Firm` and return `Issue`s that point into it by path, e.g.
("accounts", 3, "parent"); the loader turns paths into file:line:col. Names are compared
after Unicode NFKC normalisation and case folding, as two names that look alike in a
review must not be two different objects.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass

from ttconfig.models import Firm
from ttconfig.models.limits import Limits

Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Issue:
    """A problem at `path`; `other` is where the clashing declaration is, if any;
    `missing` is the (kind, name) of an object a reference did not find."""

    path: Path
    message: str
    other: Path | None = None
    missing: tuple[str, str] | None = None


def fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def check(firm: Firm) -> list[Issue]:
    """Every cross-object problem of `firm`, sorted by path."""
    found: list[Issue] = [
        *_duplicates(firm), *_references(firm), *_cycles(firm), *_links(firm),
        *_limit_scopes(firm), *_risk_group_membership(firm), *_group_members(firm),
        *_opt_ins(firm), *_exchanges(firm),
    ]
    return sorted(found, key=lambda issue: tuple(str(p) for p in issue.path))


def _first_seen(items: Iterable[tuple[Hashable, Path, str]],
                message: Callable[[str], str]) -> Iterator[Issue]:
    """An issue for every key seen before; `items` are (key, path, name as written)."""
    seen: dict[Hashable, tuple[Path, str]] = {}
    for key, path, shown in items:
        if key not in seen:
            seen[key] = (path, shown)
            continue
        first_path, first_shown = seen[key]
        alike = "" if first_shown == shown else (
            f" (the other is written {first_shown!r}: names that differ only in case or "
            "Unicode form are the same name)")
        yield Issue(path, message(shown) + alike, first_path)


def _twice(what: str) -> Callable[[str], str]:
    return lambda shown: f"{what} {shown!r} is declared twice"


def _duplicates(firm: Firm) -> Iterator[Issue]:
    yield from _first_seen(((fold(a.name), ("accounts", i, "name"), a.name)
                            for i, a in enumerate(firm.accounts)), _twice("account"))
    yield from _first_seen(((fold(u.email), ("users", i, "email"), u.email)
                            for i, u in enumerate(firm.users)), _twice("user"))
    yield from _first_seen(((fold(g.name), ("user_groups", i, "name"), g.name)
                            for i, g in enumerate(firm.user_groups)), _twice("user group"))
    yield from _first_seen(((fold(g.name), ("risk_groups", i, "name"), g.name)
                            for i, g in enumerate(firm.risk_groups)), _twice("risk group"))
    yield from _first_seen(((tuple(map(fold, m.key())), ("product_margins", i),
                             " ".join(m.key())) for i, m in enumerate(firm.product_margins)),
                           _twice("the product margin of"))
    yield from _first_seen(
        ((tuple(fold(k) if k else "" for k in d.key()), ("order_tag_defaults", i),
          f"{d.market} {d.field}" + "".join(f" for {k}" for k in (d.account, d.user) if k))
         for i, d in enumerate(firm.order_tag_defaults)), _twice("the order-tag default"))


def _account_refs(firm: Firm) -> Iterator[tuple[str, str, Path]]:
    """(kind referred to, name, where) for every reference made from accounts and users."""
    for i, a in enumerate(firm.accounts):
        if a.parent is not None:
            yield "account", a.parent, ("accounts", i, "parent")
        for j, user_link in enumerate(a.users):
            yield "user", user_link.user, ("accounts", i, "users", j, "user")
    for i, u in enumerate(firm.users):
        for j, account_link in enumerate(u.accounts):
            yield "account", account_link.account, ("users", i, "accounts", j, "account")


def _other_refs(firm: Firm) -> Iterator[tuple[str, str, Path]]:
    """(kind referred to, name, where) for every reference made from groups and setup."""
    for i, g in enumerate(firm.user_groups):
        for j, email in enumerate(g.users):
            yield "user", email, ("user_groups", i, "users", j)
    for i, r in enumerate(firm.risk_groups):
        for j, name in enumerate(r.accounts):
            yield "account", name, ("risk_groups", i, "accounts", j)
    for i, d in enumerate(firm.order_tag_defaults):
        if d.account is not None:
            yield "account", d.account, ("order_tag_defaults", i, "account")
        if d.user is not None:
            yield "user", d.user, ("order_tag_defaults", i, "user")


def _references(firm: Firm) -> Iterator[Issue]:
    known = {"account": {fold(a.name): a.name for a in firm.accounts},
             "user": {fold(u.email): u.email for u in firm.users}}
    for kind, name, path in (*_account_refs(firm), *_other_refs(firm)):
        if fold(name) not in known[kind]:
            close = difflib.get_close_matches(name, list(known[kind].values()), n=1,
                                              cutoff=0.75)
            yield Issue(path, _undeclared(kind, name, close[0] if close else None),
                        missing=(kind, name))


def _undeclared(kind: str, name: str, close: str | None) -> str:
    """What a reference to an undeclared object says. A user's block deleted to offboard
    them leaves their references behind, which reads as a typo: the loader cannot tell the
    two apart (it does not read TT), so the message says what to do in both readings."""
    if kind != "user":
        return f"{kind} {name!r} is not declared" + (f"; did you mean {close!r}?" if close
                                                      else "")
    return (f"user {name!r} is not declared in users.yaml: to offboard a trader, remove this "
            "reference too (or keep their block with `active: false`)"
            + (f"; if it is a typo, did you mean {close!r}?" if close else ""))


def _cycles(firm: Firm) -> Iterator[Issue]:
    parent = {fold(a.name): fold(a.parent) for a in firm.accounts if a.parent is not None}
    index = {fold(a.name): i for i, a in enumerate(firm.accounts)}
    shown = {fold(a.name): a.name for a in firm.accounts}
    reported: set[str] = set()
    for start in sorted(parent, key=lambda n: index[n]):
        chain, node = [start], parent.get(start)
        while node is not None and node not in chain and node in parent:
            chain.append(node)
            node = parent[node]
        if node == start and start not in reported:
            reported.update(chain)
            names = " → ".join(shown[n] for n in [*chain, start])
            yield Issue(("accounts", index[start], "parent"),
                        f"account parents form a cycle: {names}")


def _links(firm: Firm) -> Iterator[Issue]:
    declared: list[tuple[Hashable, Path, str]] = []
    for i, a in enumerate(firm.accounts):
        declared += [((fold(a.name), fold(link.user)), ("accounts", i, "users", j),
                      f"{a.name} ↔ {link.user}") for j, link in enumerate(a.users)]
    for i, u in enumerate(firm.users):
        declared += [((fold(back.account), fold(u.email)), ("users", i, "accounts", j),
                      f"{back.account} ↔ {u.email}") for j, back in enumerate(u.accounts)]
    yield from _first_seen(declared, lambda shown: (
        f"the link {shown} is declared twice: declare each account↔user link once, under "
        "the account or under the user"))


def _scopes(limits: Limits | None, path: Path) -> Iterator[Issue]:
    if limits is None:
        return
    rows: list[tuple[Hashable, Path, str]] = [
        (row.scope(), (*path, "products", j), f"{row.market} {row.product} {row.type}")
        for j, row in enumerate(limits.products)]
    rows += [(row.scope(), (*path, "contracts", j), f"{row.market} {row.contract}")
             for j, row in enumerate(limits.contracts)]
    rows += [(tuple(tuple(fold(p) for p in leg) for leg in row.scope()),
              (*path, "inter_product", j), row.name)
             for j, row in enumerate(limits.inter_product)]
    yield from _first_seen(rows, lambda shown: (
        f"a limit row for {shown!r} appears twice for the same owner"))


def _limit_scopes(firm: Firm) -> Iterator[Issue]:
    for i, a in enumerate(firm.accounts):
        yield from _scopes(a.limits, ("accounts", i, "limits"))
    for i, u in enumerate(firm.users):
        yield from _scopes(u.limits, ("users", i, "limits"))
    for i, r in enumerate(firm.risk_groups):
        yield from _scopes(r.limits, ("risk_groups", i, "limits"))


OPT_INS = {"advanced_risk": ("near_touch_ticks", "far_touch_ticks"),
           "market_impact": ("market_impact_participation_percent",
                             "market_impact_price_movement_ticks",
                             "market_impact_cooling_off_seconds")}
"""Risk settings TT has only where the company opted in (company setting → settings)."""


def _opt_ins(firm: Firm) -> Iterator[Issue]:
    settings = firm.environment.company_settings
    for i, account in enumerate(firm.accounts):
        declared = account.risk_settings.declared() if account.risk_settings else {}
        for opt_in, names in OPT_INS.items():
            if getattr(settings, opt_in):
                continue
            for name in (n for n in names if n in declared):
                yield Issue(("accounts", i, "risk_settings", name),
                            f"{name} needs TT's company setting {opt_in}: declare "
                            f"company_settings: {{{opt_in}: true}} in environment.yaml (plan "
                            "checks it against TT's company)")


def _exchanges(firm: Firm) -> Iterator[Issue]:
    for i, user in enumerate(firm.users):
        entries = ((fold(e.market), ("users", i, "exchanges", j), e.market)
                   for j, e in enumerate(user.exchanges or []))
        yield from _first_seen(entries, lambda shown: (
            f"exchange {shown!r} appears twice in one user's exchange access"))


def _risk_group_membership(firm: Firm) -> Iterator[Issue]:
    members = ((fold(name), ("risk_groups", i, "accounts", j), name)
               for i, r in enumerate(firm.risk_groups) for j, name in enumerate(r.accounts))
    yield from _first_seen(members, lambda shown: (
        f"account {shown!r} is in more than one risk group (an account is in at most one)"))


def _listed_twice_in(group: str) -> Callable[[str], str]:
    return lambda shown: f"user {shown!r} is listed twice in user group {group!r}"


def _group_members(firm: Firm) -> Iterator[Issue]:
    for i, g in enumerate(firm.user_groups):
        members = ((fold(e), ("user_groups", i, "users", j), e) for j, e in enumerate(g.users))
        yield from _first_seen(members, _listed_twice_in(g.name))

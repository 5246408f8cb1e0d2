"""`ttconfig promote --from uat --to prod`: what prod's YAML becomes to carry UAT's over.

`promote` is pure: the source's and the target's desired state (two loaded folders) in;
out come the target's models after promotion, the plan of what that changes in the
target's YAML (the existing renders show it, every loosening and HIGH marked), and what was
left out and why. No TT access: a promotion is an edit of the target's YAML, reviewed like
any other; `plan -e prod` then shows what it does to TT. `write_promotion` writes it.

The target's `environment.yaml` section `promotion:` says how:

- `names` map source names to target names (`uat: "UAT-*"` ↔ `prod: "HPT-*"`: what `*`
  and `?` match carries over), for the objects of the mapping's kind (accounts, users,
  user or risk groups) and every reference to them: an account's parent, links, group
  members, order-tag defaults.
- `exclude` with a `name` glob and no `field` leaves objects out (matched case-folded
  against the object's key as plans show it, under its source or its target name).
  Links, memberships and order-tag defaults that refer to them stay as the target has
  them; an account whose parent is left out, and not in the target, goes too.
- `exclude` with a `field` glob keeps the target's value of the fields whose dotted path
  it matches ("risk_settings.credit_limit"; "limits.*.max_position" for
  "limits.products.CME ES future.max_position"); a glob that matches a section or a limit
  row ("limits.*", "limits.products.Eurex FGBL future") keeps all of it. For links
  (`kind: links`) the name is "ACCOUNT ↔ USER" and the fields are its permissions
  ("order_permissions.place_orders").

What the source declares of an object both sides have wins, field by field; keys the
source leaves out stay as the target has them, and so does the spelling of the target's
names. Promotion never deletes objects: objects only in the target are left alone, and so
are links and members that refer to an object the source does not have. A limit row, link
or member the source dropped between objects both sides have is dropped (the plan shows
it). The result must pass the loader's cross-object checks, or ConfigError.

The plan is `diff(promoted, target)`, so it is exactly what the promoted YAML changes, and
promoting again after `write_promotion` gives an empty plan.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ttconfig.core.changes import ABSENT, path_text, shown
from ttconfig.core.diff import ROW_LISTS, compare, diff, row_key, row_name, shown_key
from ttconfig.core.plan import Plan, build_plan
from ttconfig.desired import yaml12
from ttconfig.desired.writer import plain, render_new, update_text
from ttconfig.errors import ConfigError
from ttconfig.models import DECLARED, Firm, KindSpec
from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.models.checks import check, fold
from ttconfig.models.environment import Exclusion
from ttconfig.promotion.rules import NAMED, Rule, Rules, Where

# Views of the kind registry in the shapes the merge below walks.
MODELS: dict[str, type[Model]] = {spec.kind: spec.model for spec in DECLARED}
IDENTITY: dict[str, tuple[str, ...]] = {spec.kind: spec.key_fields for spec in DECLARED}
"""The keys that name an object: the target's spelling of them is kept."""
LINKS: dict[str, tuple[str, str, str]] = {
    spec.kind: (spec.links.field, spec.links.other_end, spec.links.other_kind)
    for spec in DECLARED if spec.links is not None}
"""Where links are declared: kind → (list key, the other end's key, the other end's kind)."""
MEMBERS: dict[str, tuple[str, str]] = {
    spec.kind: (spec.members.field, spec.members.member_kind)
    for spec in DECLARED if spec.members is not None}
"""Member lists: kind → (list key, the members' kind)."""
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    spec.kind: spec.references for spec in DECLARED if spec.references}
"""Single references: kind → (key, the kind referred to)."""


@dataclass(frozen=True)
class Promoted:
    """A promotion: the plan of the target's YAML changes, the target's models after it
    (per kind, in the target's order, new objects appended), and what was left out."""

    plan: Plan
    models: dict[str, list[Model]]
    skipped: list[str]
    history: str | None = None
    """What "prod is ahead" was judged against (the last promotion), or why it could not."""
    ahead: tuple[str, ...] = ()
    """The values kept because prod is ahead (an emergency tightening), one line per object."""


def promote(source: Firm, target: Firm, *, environment: str = "prod",
            kept: Sequence[Rule] = ()) -> Promoted:
    """Carry `source`'s desired state over to `target`'s YAML, as `target.environment.
    promotion` says, but for the values `kept` keeps (prod is ahead). ConfigError if the
    result would be invalid or a mapping is ambiguous."""
    promotion = target.environment.promotion
    work = _Promotion(Rules(promotion, kept), environment, promotion.source,
                      {kind: list(getattr(target, kind)) for kind in MODELS})
    items = work.prepare({kind: list(getattr(source, kind)) for kind in MODELS})
    models = work.promoted(items)
    _check(target, models, environment)
    live = _links_on_accounts(work.target)
    changes = diff(models, live)
    parents: dict[str, str | None] = {}
    for kind_models in (live["accounts"], models["accounts"]):
        parents.update({m.name: m.parent for m in kind_models if isinstance(m, Account)})
    policy = target.environment.policy
    plan = build_plan(changes, environment=environment,
                      tt_environment=target.environment.tt_environment, parents=parents,
                      high_percent=policy.high_loosening_percent)
    return Promoted(plan, models, work.said_left_out(), ahead=tuple(work.said_ahead()))


@dataclass(frozen=True)
class Ahead:
    """A value the target changed after its last promotion that promoting would loosen
    (an emergency tightening in prod): kept, unless the reviewer takes the source's."""

    kind: str
    name: str
    path: tuple[str, ...]

    def rule(self, since: str, option: str) -> Rule:
        glob = ".".join(_glob_escaped(part) for part in self.path)
        return Rule(-1, Exclusion(kind=self.kind, name=_glob_escaped(self.name), field=glob),
                    reason=f"prod is ahead: changed in prod after {since}; "
                           f"`{option} {shlex.quote(f'{self.kind}:{self.name}')}` takes it")


def prod_is_ahead(plan: Plan, target: Firm,
                  baseline: Mapping[str, Sequence[Model]]) -> list[Ahead]:
    """The loosenings `plan` (a promotion's) would make to values where the target is not
    what `baseline` says: the target's YAML as its last promotion would have made it had it
    taken everything (so a value a promotion kept stays ahead at the next one)."""
    since = {(c.kind, fold(str(c.key)), f.path)
             for c in diff(target.by_kind(), _links_on_accounts(
                 {kind: list(baseline.get(kind, ())) for kind in MODELS}))
             for f in c.fields}
    return [Ahead(c.kind.value, str(c.key), f.path)
            for c in plan.changes for f in c.fields
            if f.direction == "loosening" and (c.kind, fold(str(c.key)), f.path) in since]


def _by_part(said: Sequence[tuple[str, str]]) -> str:
    """Values kept, each part (a row, the risk settings) named once before its fields."""
    parts: dict[str, list[str]] = {}
    for part, value in said:
        parts.setdefault(part, []).append(value)
    return " and ".join(f"{part} {', '.join(values)}".strip() for part, values in parts.items())


def _glob_escaped(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def write_promotion(folder: Path, promoted: Promoted) -> list[Path]:
    """Update the target's YAML files in `folder` in place (comments, key order and flow
    style of what did not change are kept); the files changed. Files whose objects do not
    change are not touched."""
    written: list[Path] = []
    for spec in DECLARED:
        if spec.kind in promoted.models:
            written += _write_kind(folder, spec, promoted.models[spec.kind])
    return written


# --- the promotion ----------------------------------------------------------------------


@dataclass
class _Item:
    """One source object, renamed as the target names things."""

    kind: str
    source_name: str
    name: str
    key: Hashable
    """The folded key of the renamed object (what it is matched to the target's by)."""
    data: dict[str, Any]


def _folded(key: Hashable) -> Hashable:
    if isinstance(key, tuple):
        return tuple(fold(k) if isinstance(k, str) else k for k in key)
    return fold(str(key))


def _key(model: Model) -> Hashable:
    return _folded(model.key())


@dataclass
class _Promotion:
    rules: Rules
    environment: str
    source_name: str
    target: dict[str, list[Model]]
    skipped: list[str] = field(default_factory=list)
    kept: dict[tuple[str, str, bool], list[tuple[str, str]]] = field(default_factory=dict)
    """Values the target keeps, by (object, rule, whether prod is ahead): one line each in
    `said_left_out` (an exclusion's) or `said_ahead`."""
    left_out: dict[str, set[str]] = field(default_factory=lambda: {"accounts": set(),
                                                                    "users": set()})
    """Folded names of the source's accounts and users left out."""
    known: dict[str, set[str]] = field(default_factory=dict)
    """Folded names of the source's accounts and users promoted."""

    # source side: rename, leave out, drop references to what was left out

    def prepare(self, source: Mapping[str, Sequence[Model]]) -> dict[str, list[_Item]]:
        items: dict[str, list[_Item]] = {}
        for kind, models in source.items():
            items[kind] = []
            for model in models:
                item = self._renamed(kind, model)
                rule = self.rules.object_rule(kind, (item.source_name, item.name))
                if rule is None:
                    items[kind].append(item)
                    continue
                self.skipped.append(f"{kind} {self._label(item)}: left out ({rule})")
                if kind in LINKS:
                    self.left_out[kind].add(fold(item.name))
        self._orphans(items)
        for kind in LINKS:
            self.known[kind] = {fold(i.name) for i in items[kind]}
        for kind in MODELS:
            items[kind] = [self._without_left_out(i) for i in items[kind]]
            _unique(items[kind])
        return items

    def _label(self, item: _Item) -> str:
        """The object's name here, and in the source if a mapping renamed it."""
        if item.source_name == item.name:
            return item.name
        return f"{item.name} ({self.source_name}: {item.source_name})"

    def _renamed(self, kind: str, model: Model) -> _Item:
        data = model.declared()
        name = shown_key(model.key())
        rename = self.rules.rename
        if kind in NAMED:
            data[NAMED[kind]] = rename(kind, data[NAMED[kind]])
        for key, other in REFERENCES.get(kind, ()):
            if data.get(key) is not None:
                data[key] = rename(other, data[key])
        if kind in MEMBERS and MEMBERS[kind][0] in data:
            key, other = MEMBERS[kind]
            data[key] = [rename(other, m) for m in data[key]]
        if kind in LINKS and LINKS[kind][0] in data:
            key, end, other = LINKS[kind]
            data[key] = [{**link, end: rename(other, link[end])} for link in data[key]]
        try:
            renamed = MODELS[kind].model_validate(data).key()
        except ValidationError as error:
            raise ConfigError([f"promotion.names: {kind} {name} renamed is not valid: "
                               f"{error.errors()[0]['msg']}"]) from None
        return _Item(kind, name, shown_key(renamed), _folded(renamed), data)

    def _orphans(self, items: dict[str, list[_Item]]) -> None:
        """Leave out accounts whose parent is left out and not in the target, and order-tag
        defaults of an account or user left out (until nothing more goes)."""
        in_target = {fold(str(m.key())) for m in self.target["accounts"]}
        going = True
        while going:
            going = False
            for item in list(items["accounts"]):
                parent = item.data.get("parent")
                if parent is not None and fold(parent) in self.left_out["accounts"] \
                        and fold(parent) not in in_target:
                    self.skipped.append(f"accounts {self._label(item)}: left out (its parent "
                                        f"{parent} is left out and not in {self.environment})")
                    items["accounts"].remove(item)
                    self.left_out["accounts"].add(fold(item.name))
                    going = True
        kept = []
        for item in items["order_tag_defaults"]:
            gone = next(((k, item.data[r]) for r, k in REFERENCES["order_tag_defaults"]
                         if item.data.get(r) is not None
                         and fold(item.data[r]) in self.left_out[k]), None)
            if gone is None:
                kept.append(item)
            else:
                self.skipped.append(f"order_tag_defaults {item.name}: left out (its "
                                    f"{gone[0].removesuffix('s')} {gone[1]} is left out)")
        items["order_tag_defaults"] = kept

    def _without_left_out(self, item: _Item) -> _Item:
        """The item without links and members that refer to an object left out."""
        if item.kind in LINKS and LINKS[item.kind][0] in item.data:
            key, end, other = LINKS[item.kind]
            links = []
            for link in item.data[key]:
                if fold(link[end]) not in self.left_out[other]:
                    links.append(link)
                    continue
                account, user = (item.name, link[end]) if item.kind == "accounts" \
                    else (link[end], item.name)
                self.skipped.append(f"links {account} ↔ {user}: left out (the "
                                    f"{other.removesuffix('s')} {link[end]} is left out)")
            item.data[key] = links
        if item.kind in MEMBERS and MEMBERS[item.kind][0] in item.data:
            key, other = MEMBERS[item.kind]
            members = []
            for member in item.data[key]:
                if fold(member) in self.left_out[other]:
                    self.skipped.append(f"{item.kind} {item.name}: member {member} left out "
                                        f"(the {other.removesuffix('s')} is left out)")
                else:
                    members.append(member)
            item.data[key] = members
        return item

    # the target after promotion

    def promoted(self, items: dict[str, list[_Item]]) -> dict[str, list[Model]]:
        data: dict[str, list[dict[str, Any]]] = {}
        origin: dict[str, list[bool]] = {}
        for kind in MODELS:
            by_key = {i.key: i for i in items[kind]}
            data[kind], origin[kind] = [], []
            for model in self.target[kind]:
                item = by_key.pop(_key(model), None)
                have = model.declared()
                data[kind].append(have if item is None else self._object(item, have))
                origin[kind].append(True)
            for item in by_key.values():
                data[kind].append(self._object(item, {}))
                origin[kind].append(False)
        _Links(self, items).apply(data)
        return {kind: self._models(kind, data[kind], origin[kind]) for kind in MODELS}

    def _models(self, kind: str, data: list[dict[str, Any]], existing: list[bool],
                ) -> list[Model]:
        models = []
        for item, old in zip(data, existing, strict=True):
            try:
                models.append(MODELS[kind].model_validate(item))
            except ValidationError as error:
                if old:
                    raise ConfigError([f"promotion: {kind} {_name(kind, item)} would be "
                                       f"invalid: {error.errors()[0]['msg']}"]) from None
                self.skipped.append(f"{kind} {_name(kind, item)}: left out (without the "
                                    f"fields excluded it is incomplete: "
                                    f"{error.errors()[0]['msg']})")
        return models

    def _object(self, item: _Item, have: dict[str, Any]) -> dict[str, Any]:
        where = self.rules.where(item.kind, item.name, (item.source_name, item.name))
        identity = IDENTITY[item.kind]
        links = LINKS.get(item.kind, ("",))[0]
        result = dict(have) if have else {k: v for k, v in item.data.items() if k in identity}
        for key, value in item.data.items():
            if key in identity or key == links:
                continue
            merged = self.value(where, value, result.get(key, ABSENT), (key,))
            _put(result, key, merged)
        return result

    def value(self, where: Where, want: Any, have: Any, path: tuple[str, ...]) -> Any:
        """What the target has at `path` after promotion (ABSENT: nothing)."""
        rule = where.rule(path)
        if rule is not None:
            self._kept(where, want, have, path, rule)
            return have
        if isinstance(want, dict):
            return self._mapping(where, want, have, path)
        if isinstance(want, list) and path[-1] in ROW_LISTS:
            rows = self._rows(where, want, have if isinstance(have, list) else [], path)
            return ABSENT if want and not rows and not isinstance(have, list) else rows
        if isinstance(want, list) and MEMBERS.get(where.kind, ("",))[0] == path[-1] \
                and len(path) == 1:
            return self._members(where, want, have if isinstance(have, list) else [], path)
        return want

    def _kept(self, where: Where, want: Any, have: Any, path: tuple[str, ...],
              rule: Rule) -> None:
        """The values the source would have changed, had `rule` not kept them: one line
        per object, part (a row, the risk settings) and rule, naming each value."""
        for change in compare(where.kind, want, have, path):
            if change.new is ABSENT:
                continue  # the source does not declare it: nothing was left out
            held = "not set" if change.old is ABSENT else _shown(change.old)
            key = (f"{where.kind} {where.name}", str(rule), rule.reason is not None)
            self.kept.setdefault(key, []).append((
                path_text(change.path[:-1]),
                f"{change.path[-1]} {held} ({self.source_name} has {_shown(change.new)})"))

    def said_left_out(self) -> list[str]:
        """What was left out: objects and members, then the values environment-specific
        rules kept, one line per object and rule."""
        return [*self.skipped, *self._said(ahead=False)]

    def said_ahead(self) -> list[str]:
        """The values kept because prod is ahead, one line per object."""
        return self._said(ahead=True)

    def _said(self, *, ahead: bool) -> list[str]:
        return [f"{name}: {self.environment} keeps {_by_part(said)}; {rule}"
                for (name, rule, is_ahead), said in self.kept.items() if is_ahead == ahead]

    def _mapping(self, where: Where, want: dict[str, Any], have: Any,
                 path: tuple[str, ...]) -> Any:
        result = self.merge_mapping(where, want, have, path)
        if want and not result and not isinstance(have, dict):
            return ABSENT  # everything in it was excluded
        return result

    def merge_mapping(self, where: Where, want: dict[str, Any], have: Any,
                      path: tuple[str, ...]) -> dict[str, Any]:
        """`have` with `want`'s keys promoted into it."""
        result = dict(have) if isinstance(have, dict) else {}
        for key, value in want.items():
            _put(result, key, self.value(where, value, result.get(key, ABSENT), (*path, key)))
        return result

    def _rows(self, where: Where, want: list[Any], have: list[Any],
              path: tuple[str, ...]) -> list[Any]:
        identity = ROW_LISTS[path[-1]]
        wanted = {row_key(row, identity): row for row in want}
        result = []
        for row in have:
            here = (*path, row_name(row, identity))
            source_row = wanted.pop(row_key(row, identity), None)
            if source_row is not None:
                values = {k: v for k, v in source_row.items() if k not in identity}
                result.append(self.value(where, values, row, here))
            elif (rule := self._row_rule(where, row, here)) is not None:
                self.skipped.append(f"{where.kind} {where.name} {'.'.join(here)}: "
                                    f"{self.environment} keeps the row ({self.source_name} "
                                    f"has none; {rule})")
                result.append(row)
        for row in wanted.values():
            values = {k: v for k, v in row.items() if k not in identity}
            merged = self.value(where, values, ABSENT, (*path, row_name(row, identity)))
            if merged is not ABSENT:
                result.append({**{k: v for k, v in row.items() if k in identity}, **merged})
        return result

    def _row_rule(self, where: Where, row: dict[str, Any], here: tuple[str, ...],
                  ) -> Rule | None:
        paths = [here, *((*here, key) for key in row)]
        return next((r for p in paths
                     if (r := where.rule(p)) is not None),
                    None)

    def _members(self, where: Where, want: list[str], have: list[str],
                 path: tuple[str, ...]) -> list[str]:
        other = MEMBERS[where.kind][1]
        wanted = {fold(m): m for m in want}
        result = []
        for member in have:
            if wanted.pop(fold(member), None) is not None:
                result.append(member)
            elif (rule := where.rule((*path, member))) is not None:
                self.skipped.append(f"{where.kind} {where.name}: {self.environment} keeps "
                                    f"member {member} ({self.source_name} has not; {rule})")
                result.append(member)
            elif fold(member) not in self.known[other]:
                result.append(member)  # only the target has it: left alone
        for member in wanted.values():
            rule = where.rule((*path, member))
            if rule is None:
                result.append(member)
            else:
                self.skipped.append(f"{where.kind} {where.name}: member {member} left out "
                                    f"({rule})")
        return result


@dataclass
class _Link:
    account: str
    user: str
    parts: dict[str, Any]
    side: str
    """The kind the source declares it under."""
    owner: Hashable

    @property
    def name(self) -> str:
        return f"{self.account} ↔ {self.user}"


class _Links:
    """Account↔user links: their own kind, whichever side declares them."""

    def __init__(self, work: _Promotion, items: dict[str, list[_Item]]) -> None:
        self.work = work
        self.wanted: dict[tuple[str, str], _Link] = {}
        self.managed: set[str] = set()
        for kind, (key, end, _other) in LINKS.items():
            for item in items[kind]:
                if key in item.data and kind == "accounts":
                    self.managed.add(fold(item.name))
                for link in item.data.get(key, []):
                    account, user = (item.name, link[end]) if kind == "accounts" \
                        else (link[end], item.name)
                    self.managed.add(fold(account))
                    parts = {k: v for k, v in link.items() if k != end}
                    self.wanted[(fold(account), fold(user))] = _Link(account, user, parts,
                                                                     kind, item.key)

    def apply(self, data: dict[str, list[dict[str, Any]]]) -> None:
        for kind in LINKS:
            for obj in data[kind]:
                self._existing(kind, obj)
        owners = {(kind, _folded(obj[IDENTITY[kind][0]])): obj
                  for kind in LINKS for obj in data[kind]}
        for link in self.wanted.values():
            self._new(owners[(link.side, link.owner)], link)

    def _existing(self, kind: str, obj: dict[str, Any]) -> None:
        key, end, _other = LINKS[kind]
        if key not in obj:
            return
        name = obj[IDENTITY[kind][0]]
        kept = []
        for link in obj[key]:
            account, user = (name, link[end]) if kind == "accounts" else (link[end], name)
            decided = self._decide(_Link(account, user, {k: v for k, v in link.items()
                                                         if k != end}, kind, None))
            if decided is not None:
                kept.append({end: link[end], **decided})
        obj[key] = kept

    def _decide(self, have: _Link) -> dict[str, Any] | None:
        """A link the target declares, after promotion (None: dropped)."""
        work = self.work
        want = self.wanted.pop((fold(have.account), fold(have.user)), None)
        rule = work.rules.object_rule("links", (have.name,))
        if rule is not None:
            if want is not None and not _same(want.parts, have.parts):
                work.skipped.append(f"links {have.name}: {work.environment} keeps it as it "
                                    f"is ({rule})")
            return have.parts
        if want is not None:
            where = work.rules.where("links", have.name, (have.name, want.name))
            return work.merge_mapping(where, want.parts, have.parts, ())
        both = fold(have.account) in work.known["accounts"] \
            and fold(have.user) in work.known["users"]
        if both and fold(have.account) in self.managed:
            return None  # the source has both ends and no link between them
        return have.parts

    def _new(self, owner: dict[str, Any], link: _Link) -> None:
        work = self.work
        rule = work.rules.object_rule("links", (link.name,))
        if rule is not None:
            work.skipped.append(f"links {link.name}: left out ({rule})")
            return
        where = work.rules.where("links", link.name, (link.name,))
        merged = work.merge_mapping(where, link.parts, {}, ())
        key, end, _other = LINKS[link.side]
        other_end = link.user if link.side == "accounts" else link.account
        owner.setdefault(key, []).append({end: other_end, **merged})


# --- helpers ----------------------------------------------------------------------------


def _put(result: dict[str, Any], key: str, value: Any) -> None:
    if value is ABSENT:
        result.pop(key, None)
    else:
        result[key] = value


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have
    return bool(want == have)


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return shown(value)


def _name(kind: str, data: dict[str, Any]) -> str:
    return shown_key(tuple(data.get(k) for k in IDENTITY[kind]))


def _unique(items: list[_Item]) -> None:
    seen: dict[Hashable, _Item] = {}
    for item in items:
        first = seen.setdefault(item.key, item)
        if first is not item:
            raise ConfigError([
                f"promotion.names: the source's {item.kind} {first.source_name} and "
                f"{item.source_name} would both be {item.name}: leave one out or map it "
                "elsewhere"])


def _links_on_accounts(models: Mapping[str, Sequence[Model]]) -> dict[str, list[Model]]:
    """The target as diff's live side reads it: every link under its account (diff reads
    live links from accounts only)."""
    moved: dict[str, list[dict[str, Any]]] = {}
    for user in models["users"]:
        for link in user.declared().get("accounts", []):
            moved.setdefault(fold(link.pop("account")), []).append(
                {"user": str(user.key()), **link})
    result = {kind: list(models[kind]) for kind in MODELS}
    result["accounts"] = []
    for model in models["accounts"]:
        extra = moved.get(fold(str(model.key())))
        if extra:
            data = model.declared()
            data["users"] = [*data.get("users", []), *extra]
            model = Account.model_validate(data)
        result["accounts"].append(model)
    return result


def _check(target: Firm, models: dict[str, list[Model]], environment: str) -> None:
    kinds: dict[str, Any] = dict(models)
    firm = Firm.model_construct(None, environment=target.environment, **kinds)
    issues = check(firm)
    if issues:
        raise ConfigError([
            f"promotion would make {environment}'s YAML invalid: "
            f"{_where(models, issue.path)}: {issue.message}" for issue in issues])


def _where(models: dict[str, list[Model]], path: tuple[str | int, ...]) -> str:
    kind, index = str(path[0]), path[1]
    name = shown_key(models[kind][index].key()) if isinstance(index, int) else "?"
    return f"{kind} {name}"


# --- writing ----------------------------------------------------------------------------


def _write_kind(folder: Path, spec: KindSpec, models: list[Model]) -> list[Path]:
    """A kind's file (or each file of its folder) updated to hold `models`: every object
    stays in the file that holds it, new ones go to the last file. update_text drops what
    it is not given, so each file gets all of its objects, changed or not."""
    file, subfolder = folder / f"{spec.file_stem}.yaml", folder / spec.file_stem
    files = [file] if file.is_file() else []
    files += sorted(subfolder.glob("*.yaml")) if subfolder.is_dir() else []
    if not files:
        if not models:
            return []
        file.write_text(render_new(spec, models), encoding="utf-8")
        return [file]
    texts = [path.read_text(encoding="utf-8") for path in files]
    held = [_file_models(text, spec) for text in texts]
    where = {_key(m): index for index, models_in in enumerate(held) for m in models_in}
    placed: list[list[Model]] = [[] for _ in files]
    for model in models:
        placed[where.get(_key(model), len(files) - 1)].append(model)
    written = []
    for path, text, before, after in zip(files, texts, held, placed, strict=True):
        if [plain(m) for m in before] == [plain(m) for m in after]:
            continue  # nothing changes here: the file is not rewritten
        updated = update_text(text, after)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            written.append(path)
    return written


def _file_models(text: str, spec: KindSpec) -> list[Model]:
    data = yaml12.parse(text).data
    return [spec.model.model_validate(item) for item in data or []]

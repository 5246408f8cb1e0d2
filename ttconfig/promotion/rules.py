"""Promotion's rules: which objects and fields are environment-specific, and how names map.

Shared by `promote` (UAT's names → prod's) and the gate (prod's names → UAT's), so both
read `promotion:` in environment.yaml the same way. Pure.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ttconfig.errors import ConfigError
from ttconfig.models import DECLARED
from ttconfig.models.checks import fold
from ttconfig.models.environment import WILDCARDS, Exclusion, NameMapping, Promotion

NAMED: dict[str, str] = {spec.kind: spec.named_by for spec in DECLARED if spec.named_by}
"""Kinds whose objects have one name, which `names` mappings rename."""


def _matches(name: str, glob: str) -> bool:
    return fnmatch.fnmatchcase(fold(name), fold(glob))


@dataclass(frozen=True)
class Rule:
    index: int
    exclusion: Exclusion
    reason: str | None = None
    """Why, when it is not one of environment.yaml's exclusions (prod is ahead)."""

    def names(self, name: str) -> bool:
        return _matches(name, self.exclusion.name)

    def fields(self, dotted: str) -> bool:
        return self.exclusion.field is not None and _matches(dotted, self.exclusion.field)

    def __str__(self) -> str:
        if self.reason is not None:
            return self.reason
        parts = [f"kind: {self.exclusion.kind}"]
        if self.exclusion.name != "*" or self.exclusion.field is None:
            parts.append(f"name: {self.exclusion.name}")
        if self.exclusion.field is not None:
            parts.append(f"field: {self.exclusion.field}")
        return f"excluded by promotion.exclude[{self.index}] {{{', '.join(parts)}}}"




@dataclass(frozen=True)
class NameRule:
    index: int
    mapping: NameMapping
    pattern: re.Pattern[str]
    reverse: re.Pattern[str]

    @classmethod
    def of(cls, index: int, mapping: NameMapping) -> NameRule:
        if mapping.kind not in NAMED:
            raise ConfigError([
                f"promotion.names[{index}]: {mapping.kind} have no single name to map; "
                f"names map {', '.join(NAMED)}"])
        return cls(index, mapping, _pattern(mapping.uat), _pattern(mapping.prod))

    def rename(self, kind: str, name: str) -> str | None:
        """The prod name of a UAT name (None: this mapping does not apply)."""
        return self._carry(kind, name, self.pattern, self.mapping.prod)

    def source_name(self, kind: str, name: str) -> str | None:
        """The UAT name of a prod name: the mapping read backwards (for the gate)."""
        return self._carry(kind, name, self.reverse, self.mapping.uat)

    def _carry(self, kind: str, name: str, pattern: re.Pattern[str], into: str) -> str | None:
        if self.mapping.kind != kind:
            return None
        match = pattern.fullmatch(name)
        if match is None:
            return None
        parts = iter(match.groups())
        return WILDCARDS.sub(lambda _: next(parts), into)


def _pattern(glob: str) -> re.Pattern[str]:
    regex = "".join({"*": "(.*)", "?": "(.)"}.get(c, re.escape(c)) for c in glob)
    return re.compile(regex, re.IGNORECASE | re.DOTALL)


class Rules:
    def __init__(self, promotion: Promotion, kept: Sequence[Rule] = ()) -> None:
        self.rules = [*(Rule(i, e) for i, e in enumerate(promotion.exclude)), *kept]
        self.mappings = [NameRule.of(i, m) for i, m in enumerate(promotion.names)]

    def rename(self, kind: str, name: str) -> str:
        for mapping in self.mappings:
            renamed = mapping.rename(kind, name)
            if renamed is not None:
                return renamed
        return name

    def source_name(self, kind: str, name: str) -> str:
        for mapping in self.mappings:
            renamed = mapping.source_name(kind, name)
            if renamed is not None:
                return renamed
        return name

    def excludes(self, kind: str, names: Iterable[str], path: tuple[str, ...] | None) -> bool:
        """The object (path None), or the field at `path` or a section above it, is left
        out of promotion."""
        names = tuple(names)
        if self.object_rule(kind, names) is not None:
            return True
        if path is None:
            return False
        where = self.where(kind, names[0], names)
        return any(where.rule(path[:depth]) is not None for depth in range(1, len(path) + 1))

    def object_rule(self, kind: str, names: Iterable[str]) -> Rule | None:
        names = tuple(names)
        return next((r for r in self.rules if r.exclusion.kind == kind
                     and r.exclusion.field is None and any(map(r.names, names))), None)

    def where(self, kind: str, name: str, names: Iterable[str]) -> Where:
        """An object, with the field exclusions whose name glob matches it."""
        names = tuple(names)
        return Where(kind, name, tuple(r for r in self.rules if r.exclusion.kind == kind
                                        and r.exclusion.field is not None
                                        and any(map(r.names, names))))


@dataclass(frozen=True)
class Where:
    """The object being merged, and the field exclusions that apply to it."""

    kind: str
    name: str
    rules: tuple[Rule, ...]

    def rule(self, path: tuple[str, ...]) -> Rule | None:
        if not self.rules:
            return None
        dotted = ".".join(path)
        return next((r for r in self.rules if r.fields(dotted)), None)

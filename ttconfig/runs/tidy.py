"""`ttconfig tidy`: take the contract rows of expired contracts out of the YAML.

A plan leaves such rows out and warns at their lines (live.expiry); tidy is the edit that
follows, made the way a person would make it: each row's lines removed from its file,
every other line, comment and layout kept, so the pull request shows only the removals.
It reads TT's reference data (the instruments of the products the YAML's contract rows
name), nothing else, and writes nothing to TT.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ttconfig.desired.loader import Problem, located
from ttconfig.desired.writer import without_items_at
from ttconfig.errors import ConfigError
from ttconfig.live.expiry import expired_rows
from ttconfig.live.read import LiveFirm, ReadScope, read_live, scope_of
from ttconfig.models import Firm
from ttconfig.models.checks import Issue
from ttconfig.runs.planning import Reach, check_company, load
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig


@dataclass(frozen=True)
class Tidied:
    removed: list[Problem]
    """Each row removed, where it was and why."""
    files: list[Path]
    """The files rewritten."""


def tidy(folder: Path, environment: str, reach: Reach, *, write: bool = True) -> Tidied:
    """Find the expired contract rows of `folder` against TT and (with `write`) remove
    them from their files."""
    firm = load(folder)
    with reach.connect(reach.options.target(environment, firm.environment)) as config:
        live = asyncio.run(_read(config, firm, environment, reach))
    expired = expired_rows(firm, live)
    removed = located(firm, [Issue(e.path, e.what()) for e in expired])
    by_file: dict[str, set[int]] = defaultdict(set)
    for problem in removed:
        by_file[problem.file].add(problem.line)
    files = []
    for name, lines in sorted(by_file.items()):
        path = Path(name)
        text, count = without_items_at(path.read_text(encoding="utf-8"), lines)
        if count != len(lines):  # (rows sharing a line: a flow-style list)
            raise ConfigError([f"{path}: {len(lines)} expired rows start on lines "
                               f"{', '.join(map(str, sorted(lines)))}, but only {count} of "
                               "them can be removed by line; remove them by hand"])
        if write:
            path.write_text(text, encoding="utf-8")
        files.append(path)
    return Tidied(removed, files)


async def _read(config: ClientConfig, firm: Firm, environment: str, reach: Reach,
                ) -> LiveFirm:
    """Only what tells expiry: the company (to refuse another's key), markets, products
    and the instruments of the products the contract rows name."""
    async with TTClient(config) as tt:
        check_company(firm, (await tt.setup.company()).name)
        contracts = scope_of(firm).contracts
        with reach.reading(config, environment) as progress:
            return await read_live(tt, ReadScope(
                accounts={}, users={}, groups=frozenset(), margins=False, defaults=False,
                risk_group_members=False, contracts=contracts, families=False), progress)

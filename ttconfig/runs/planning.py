"""`ttconfig plan`: desired YAML and live TT in, a plan out (reads only; writes nothing).

The steps: load and validate the YAML, read live TT through the client, check that the app
key belongs to the company the YAML declares, name live as the YAML names it, diff, plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ttconfig.core.changes import Change
from ttconfig.core.diff import diff
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.selection import Selection
from ttconfig.core.state import State
from ttconfig.desired.loader import load_firm
from ttconfig.errors import TTConfigError
from ttconfig.live.read import LiveFirm, Progress, read_admins, read_live, scope_of, to_models
from ttconfig.models import Firm
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.safety.policy import Facts, admin_losses
from ttconfig.tt.client import TTClient


class CompanyMismatch(TTConfigError):
    """The app key belongs to another company than environment.yaml declares."""


@dataclass(frozen=True)
class Planned:
    plan: Plan
    firm: Firm
    live: LiveFirm
    requests: int
    """TT requests the live read made."""
    live_models: Mapping[str, Sequence[Model]]
    """`live` named as the YAML names it (made once: diff, policy and fingerprints use it)."""
    admins: frozenset[str] | None = None
    """Active full admins in TT, read only when the plan takes admin rights away."""

    def facts(self, now: datetime) -> Facts:
        """What the safety policy needs to judge this plan."""
        desired = self.firm.by_kind()
        return Facts(desired, self.live_models, now, self.admins)


def load(folder: Path) -> Firm:
    return load_firm(folder)


async def make_plan(firm: Firm, environment: str, tt: TTClient,
                    selection: Selection | None = None,
                    progress: Progress | None = None) -> Planned:
    check_company(firm, (await tt.setup.company()).name)
    live = await read_live(tt, scope_of(selection.chosen if selection else firm), progress)
    if selection is not None:
        firm = selection.firm
    live_models = State.of(to_models(live))
    plan = plan_from(firm, environment, live, keeper(selection, live), live_models)
    admins = await read_admins(tt, live) if admin_losses(plan, live_models) else None
    return Planned(plan, firm, live, tt.stats.requests, live_models, admins)


def keeper(selection: Selection | None, live: LiveFirm) -> Callable[[Change], bool] | None:
    """The change filter of a --target/--exclude run (None: keep everything)."""
    if selection is None:
        return None
    return selection.keeper({fold(a.account.name) for a in live.accounts},
                            {fold(u.email) for u in live.users})


def check_company(firm: Firm, company: str) -> None:
    """Refuse to go on with another company's key: its firm is not the one the YAML means."""
    declared = firm.environment.company
    if company.casefold() != declared.casefold():
        raise CompanyMismatch(
            f"the app key belongs to company {company!r}, but environment.yaml declares "
            f"{declared!r}: wrong credentials for this environment?")


def plan_from(firm: Firm, environment: str, live: LiveFirm,
              keep: Callable[[Change], bool] | None = None,
              live_models: Mapping[str, Sequence[Model]] | None = None) -> Plan:
    live_models = State.of(to_models(live) if live_models is None else live_models)
    desired = State.of(firm.by_kind())
    prune: dict[str, bool] = {str(k): v for k, v in firm.environment.policy.prune.items()}
    changes = diff(desired, live_models, prune)
    if keep is not None:
        changes = [c for c in changes if keep(c)]
    names = {a.account.id: a.account.name for a in live.accounts}
    parents: dict[str, str | None] = {
        a.account.name: names.get(a.account.parent_id) if a.account.parent_id else None
        for a in live.accounts}
    parents.update({a.name: a.parent for a in firm.accounts})
    return build_plan(changes, environment=environment,
                      tt_environment=firm.environment.tt_environment, parents=parents,
                      high_percent=firm.environment.policy.high_loosening_percent)

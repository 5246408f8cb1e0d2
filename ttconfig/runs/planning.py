"""`ttconfig plan`: desired YAML and live TT in, a plan out (reads only; writes nothing).

The steps: load and validate the YAML, read live TT through the client, check that the app
key belongs to the company the YAML declares, name live as the YAML names it, diff, plan.
The workflows of the commands that plan without writing (plan, drift, gate) are here too:
each returns a value for the command line to render.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ttconfig.core.changes import Change
from ttconfig.core.diff import ROW_LISTS, diff, row_name
from ttconfig.core.exposure import annotate, needs, over_limits
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.selection import Pattern, Selection, select
from ttconfig.core.state import State, key_of
from ttconfig.core.unmanaged import unmanaged
from ttconfig.desired.loader import load_firm, located
from ttconfig.errors import ConfigError, TTConfigError, UsageError
from ttconfig.live.expiry import expired_rows, without_expired
from ttconfig.live.exposure import read_book, read_whole_book
from ttconfig.live.read import (
    LiveFirm,
    Progress,
    families_of,
    read_admins,
    read_live,
    scope_of,
    to_models,
    unmodelled,
)
from ttconfig.live.resolve import unresolved
from ttconfig.models import Firm, Kind
from ttconfig.models.base import Model
from ttconfig.models.checks import Issue, fold
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.promotion.gate import GateVerdict, applied_times, declared_keys, evaluate_gate
from ttconfig.promotion.promote import Promoted, prod_is_ahead
from ttconfig.promotion.promote import promote as promote_firm
from ttconfig.promotion.soak import Observations, SoakEvidence, observe
from ttconfig.runs.audit import verified_records
from ttconfig.runs.connection import Connect, ConnectionOptions, Connector
from ttconfig.runs.history import Baseline, last_promotion
from ttconfig.runs.observed import Recorded, record_observed
from ttconfig.runs.paths import Layout
from ttconfig.safety.drift import Drift, Over, drift_of
from ttconfig.safety.policy import Facts, Finding, Overrides, Verdict, admin_losses, evaluate
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig
from ttconfig.tt.records import Company
from ttconfig.words import plural

log = logging.getLogger("ttconfig.live")


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
    notices: tuple[Finding, ...] = ()
    """What the plan leaves as it is and why: expired contract rows (at the YAML's line),
    trading TT itself disabled on an account. Warnings, in every render."""

    def facts(self, now: datetime) -> Facts:
        """What the safety policy needs to judge this plan."""
        desired = self.firm.by_kind()
        return Facts(desired, self.live_models, now, self.admins, families_of(self.live),
                     self.notices, self.plan.exposure)


def load(folder: Path) -> Firm:
    return load_firm(folder, siblings=True)


async def make_plan(firm: Firm, environment: str, tt: TTClient,
                    selection: Selection | None = None,
                    progress: Progress | None = None, *, exposure: bool = True) -> Planned:
    company = await tt.setup.company()
    check_company(firm, company.name)
    check_company_settings(firm, company)
    live = await read_live(tt, scope_of(selection.chosen if selection else firm), progress)
    live_models = State.of(to_models(live))
    if selection is not None:
        selection.check_matched(live_models)
    check_names(selection.chosen if selection else firm, live)
    check_liquidation(selection.chosen if selection else firm, live)
    if selection is not None:
        firm = selection.firm
    expired = expired_rows(firm, live)
    notices = (*(Finding("expired", str(p), "warning")
                 for p in located(firm, [e.issue(environment) for e in expired])),
               *held_by_tt(firm, live))
    firm = without_expired(firm, expired)
    plan = plan_from(firm, environment, live, keeper(selection, live), live_models)
    if selection is None:  # (a --target run leaves out what it did not choose on purpose)
        plan = replace(plan, unmanaged=unmanaged(State.of(firm.by_kind()), live_models,
                                                 firm.environment.policy.prune))
    else:
        check_moves(plan, live_models)
        plan = replace(plan, selected=tuple(f"{p.option} {shlex.quote(p.text)}"
                                            for p in selection.patterns))
        notices = (*notices, *waiting_links(selection, firm, live, live_models))
    _say_unmodelled(unmodelled(live))
    if exposure:
        plan = await with_exposure(tt, plan, firm, live, live_models)
    admins = await read_admins(tt, live) if admin_losses(plan, live_models) else None
    notices = (*notices, *await unlinked_but_active(tt, firm, live, plan))
    return Planned(plan, firm, live, tt.stats.requests, live_models, admins, notices)


async def with_exposure(tt: TTClient, plan: Plan, firm: Firm, live: LiveFirm,
                        live_models: State) -> Plan:
    """The plan with what its changed position and credit limits mean for the positions
    and credit in use now (ttmonitor; only the accounts those changes are about: one
    request per account and measure, which the plan's header counts)."""
    desired = State.of(as_created(firm, live).by_kind())
    wanted = needs(plan, desired, live_models)
    if not wanted.requests:
        return plan
    book = await read_book(tt, live, wanted)
    return replace(plan, exposure=annotate(plan, desired, live_models, book))


async def unlinked_but_active(tt: TTClient, firm: Firm, live: LiveFirm,
                              plan: Plan) -> list[Finding]:
    """Users the plan unlinks who are not in the YAML's users (their block was deleted):
    unlinking is not offboarding, the user stays active in TT, so the plan says so and how
    to deactivate (not of a user the plan itself deactivates: users pruned). Each such
    user's detail is read (one request) to know it is active."""
    settled = {fold(u.email) for u in firm.users} | {
        fold(str(c.key)) for c in plan.changes
        if c.kind is Kind.USERS and c.action in ("deactivate", "delete")}
    losing: dict[str, list[str]] = {}
    for change in plan.changes:
        if change.kind is Kind.LINKS and change.action == "delete":
            account, email = (str(part) for part in change.key.parts)
            if fold(email) not in settled:
                losing.setdefault(email, []).append(account)
    users = {fold(u.email): u for u in live.users}
    found = []
    for email, accounts in sorted(losing.items()):
        user = users.get(fold(email))
        detail = None if user is None else user.detail or await tt.users.get(user.id)
        if detail is not None and detail.active:
            found.append(Finding(
                "stays active", f"{email} is unlinked from {', '.join(sorted(accounts))} but "
                "is not in users.yaml: the user stays active in TT (declare it with "
                "`active: false` to deactivate it, or prune users)", "warning"))
    return found


def _say_unmodelled(rows: list[str]) -> None:
    """Rows TT holds that the YAML cannot say yet: left as they are, and said so."""
    if rows:
        shown = "; ".join(rows[:5]) + (f"; and {len(rows) - 5} more" if len(rows) > 5 else "")
        log.warning("TT holds %s ttconfig cannot represent yet; the plan leaves them as "
                    "they are: %s", plural(len(rows), "limit row"), shown)


def yaml_lines(firm: Firm, plan: Plan) -> dict[tuple[str, ...], tuple[str, int]]:
    """Where the YAML says what each change changes: (kind, key) → (file, line) of the
    object's first changed field, and (kind, key, dotted field path) → that field's line (a
    field the YAML leaves out: its nearest parent's). A link is found where its account or
    user declares it; what the YAML no longer declares (a removal) has no line."""
    wanted: dict[tuple[str, ...], tuple[Any, ...]] = {}
    for change in plan.changes:
        found = _declared(firm, change)
        if found is None:
            continue
        at, data = found
        fields = [(".".join(f.path), (*at, *_yaml_path(data, f.path))) for f in change.fields]
        key = (change.kind.value, str(change.key))
        wanted[key] = fields[0][1] if fields else at
        wanted.update({(*key, dotted): place for dotted, place in fields})
    issues = [Issue(path, str(number)) for number, path in enumerate(wanted.values())]
    places = {problem.message: (problem.file, problem.line)
              for problem in located(firm, issues)}
    return {key: places[str(number)] for number, key in enumerate(wanted)
            if str(number) in places}


def _declared(firm: Firm, change: Change) -> tuple[tuple[Any, ...], Any] | None:
    """(the loader's path of what declares the change's object, its declared data)."""
    if change.kind is Kind.LINKS:
        account, user = (fold(str(part)) for part in change.key.parts)
        for kind, own, other in ((Kind.ACCOUNTS, account, user), (Kind.USERS, user, account)):
            links = kind.spec.links
            assert links is not None  # (accounts and users are where links are declared)
            for index, model in enumerate(firm.of(kind)):
                if fold(str(key_of(model))) != own:
                    continue
                for row, link in enumerate(model.declared().get(links.field) or []):
                    if fold(str(link.get(links.other_end))) == other:
                        return (kind.value, index, links.field, row), link
        return None
    for index, model in enumerate(firm.of(change.kind)):
        if fold(str(key_of(model))) == fold(str(change.key)):
            return (change.kind.value, index), model.declared()
    return None


def _yaml_path(data: Any, path: tuple[str, ...]) -> tuple[str | int, ...]:
    """A change's field path as the YAML's keys and list indices (a row by its name, a
    member by itself), as deep as the YAML goes."""
    found: list[str | int] = []
    parent = ""
    for part in path:
        if isinstance(data, dict) and part in data:
            found.append(part)
            data, parent = data[part], part
        elif isinstance(data, list):
            identity = ROW_LISTS.get(parent)
            index = next((i for i, item in enumerate(data)
                          if (row_name(item, identity) if identity and isinstance(item, dict)
                              else str(item)) == part), None)
            if index is None:
                break
            found.append(index)
            data, parent = data[index], ""
        else:
            break
    return tuple(found)


def check_moves(plan: Plan, live: State) -> None:
    """Refuse a --target run that moves an account into a risk group without the leave of
    the group it is in (TT keeps an account in one risk group, so it would refuse the join
    half-way through the apply), naming the --target that brings the leave along."""
    group_of = {fold(member): str(key_of(group)) for group in live.get(Kind.RISK_GROUPS, ())
                for member in group.declared().get("accounts") or []}
    kept = {fold(str(c.key)) for c in plan.changes if c.kind is Kind.RISK_GROUPS}
    moves = [f"risk group {change.key} takes {f.path[1]} from risk group {other}, which "
             f"this run leaves out (TT keeps an account in one risk group and would refuse "
             f"the join): add --target {shlex.quote(f'risk_groups:{other}')}"
             for change in plan.changes if change.kind is Kind.RISK_GROUPS
             for f in change.fields if f.path[0] == "accounts" and f.new == "member"
             and (other := group_of.get(fold(f.path[1]))) is not None
             and fold(other) != fold(str(change.key)) and fold(other) not in kept]
    if moves:
        raise UsageError("\n".join(moves))


def waiting_links(selection: Selection, firm: Firm, live: LiveFirm,
                  live_models: State) -> list[Finding]:
    """The links a --target run names but leaves out because an end is neither in TT nor
    targeted: said, so "no changes" is never read as "the link is there"."""
    accounts, users = _live_names(live)
    desired = State.of(as_created(firm, live).by_kind())
    return [Finding("left out", reason, "warning") for change in diff(desired, live_models)
            if (reason := selection.waiting(change, accounts, users)) is not None]


def _live_names(live: LiveFirm) -> tuple[set[str], set[str]]:
    return {fold(a.account.name) for a in live.accounts}, {fold(u.email) for u in live.users}


def keeper(selection: Selection | None, live: LiveFirm) -> Callable[[Change], bool] | None:
    """The change filter of a --target/--exclude run (None: keep everything)."""
    if selection is None:
        return None
    return selection.keeper(*_live_names(live))


def check_names(firm: Firm, live: LiveFirm) -> None:
    """Refuse a plan whose YAML names a market, product, contract or order-tag field TT
    does not list (exit 3, at the YAML's line): found now, not half-way through an apply.
    A contract TT no longer lists because it expired is a warning (live.expiry)."""
    gone = {e.path for e in expired_rows(firm, live)}
    issues = [i for i in unresolved(firm, live) if i.path[:5] not in gone]
    if issues:
        raise ConfigError(located(firm, issues))


def check_company(firm: Firm, company: str) -> None:
    """Refuse to go on with another company's key: its firm is not the one the YAML means."""
    declared = firm.environment.company
    if company.casefold() != declared.casefold():
        raise CompanyMismatch(
            f"the app key belongs to company {company!r}, but environment.yaml declares "
            f"{declared!r}: wrong credentials for this environment?")


def check_company_settings(firm: Firm, company: Company) -> None:
    """Refuse a plan whose YAML means something else than TT's company makes of it: with
    "default account limits to 0 when not set" on, a limit not set is the tightest value,
    not the loosest, and every direction and bound depends on which it is."""
    declared = firm.environment.company_settings
    problems = [
        f"environment.yaml's company_settings.{name} is {str(said).lower()}, but TT's "
        f"company {company.name} has it {'on' if held else 'off'}: set it to "
        f"{str(held).lower()}"
        for name in type(declared).model_fields if isinstance(getattr(declared, name), bool)
        and (held := getattr(company, name)) is not None and held != (said := getattr(
            declared, name))]
    if problems:
        raise ConfigError(problems)
    if declared.default_limits_to_zero:
        log.info("TT's company setting 'default account limits to 0 when not set' is on: "
                  "a limit not set is shown and judged as 0.")


def held_by_tt(firm: Firm, live: LiveFirm) -> list[Finding]:
    """The YAML's accounts on which TT itself has disabled trading (a check tripped): TT's
    flag, not the YAML's, so no plan changes it; said so the reviewer knows the desk is
    stopped, and where it is restored."""
    declared = {fold(a.name) for a in firm.accounts}
    return [Finding("held by TT", f"TT has disabled trading on account {a.account.name} "
                    f"itself ({', '.join(a.account.held_by_tt)}): ttconfig leaves it so; "
                    "trading is restored in TT Setup", "warning")
            for a in live.accounts
            if a.account.held_by_tt and fold(a.account.name) in declared]


def check_liquidation(firm: Firm, live: LiveFirm) -> None:
    """Refuse a plan whose accounts close positions on a credit loss when TT's company has
    no liquidation user to close them as (TT could not act), or whose environment.yaml
    names another liquidation user than TT's company has."""
    users = {u.id: u.email for u in live.users}
    held = users.get(live.company.liquidation_user_id or -1)
    declared = firm.environment.company_settings.liquidation_user
    problems = []
    if declared is not None and fold(declared) != fold(held or ""):
        problems.append(f"environment.yaml's company_settings.liquidation_user is {declared}, "
                        f"but TT's company {live.company.name} has "
                        f"{held or 'no liquidation user'}")
    closing = [a.name for a in firm.accounts if a.risk_settings is not None
               and a.risk_settings.credit_loss_actions.close_positions_at_percent is not None]
    if closing and live.company.liquidation_user_id is None:
        problems.append(f"{', '.join(closing)} close positions on a credit loss "
                        "(close_positions_at_percent), but TT's company has no liquidation "
                        "user to close them as: name one in TT Setup first")
    if problems:
        raise ConfigError(problems)


def as_created(firm: Firm, live: LiveFirm) -> Firm:
    """`firm` with each account TT does not hold yet as ttconfig will create it: every
    restriction explicit (`Account.as_created`). Plan and apply both see it so."""
    existing = {fold(a.account.name) for a in live.accounts}
    defaults = firm.environment.defaults.restrictions
    new = [a for a in firm.accounts if fold(a.name) not in existing]
    if not new:
        return firm
    return firm.model_copy(update={"accounts": [
        a if fold(a.name) in existing else a.as_created(defaults) for a in firm.accounts]})


def plan_from(firm: Firm, environment: str, live: LiveFirm,
              keep: Callable[[Change], bool] | None = None,
              live_models: Mapping[str, Sequence[Model]] | None = None) -> Plan:
    live_models = State.of(to_models(live) if live_models is None else live_models)
    desired = State.of(as_created(firm, live).by_kind())
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


# --- the workflows of plan, drift and gate: load, connect, read, plan, judge ---------------

Reading = Callable[[ClientConfig, str], AbstractContextManager[Progress | None]]
"""How a live read shows its progress: given the client (its rate tells what the read will
cost) and the environment read (as the user named it), a context holding the progress
callback. The CLI's draws a bar on a terminal."""


def quietly(config: ClientConfig, environment: str) -> AbstractContextManager[Progress | None]:
    """A read that shows nothing (the default outside the command line)."""
    return nullcontext()


@dataclass(frozen=True)
class SelectionOptions:
    """`--target` and `--exclude` as given: the objects a run is limited to."""

    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def of(self, firm: Firm) -> Selection | None:
        """The chosen objects of `firm` (None: no option given, everything is planned)."""
        return select(firm, self.targets, self.excludes)


@dataclass(frozen=True)
class Reach:
    """How a workflow gets to live TT: where, by which way in, showing what progress."""

    options: ConnectionOptions = field(default_factory=ConnectionOptions)
    connect: Connect = field(default_factory=Connector)
    reading: Reading = quietly
    exposure: bool = True
    """Read, for the plan's changed position and credit limits, the positions and credit
    in use now (ttmonitor); `--no-exposure` skips it."""

    def plan(self, firm: Firm, environment: str, selection: Selection | None = None,
             ) -> Planned:
        """Connect for `environment`, read live TT and plan (one client, one read)."""
        with self.connect(self.options.target(environment, firm.environment)) as config:
            return asyncio.run(self._plan(firm, environment, config, selection))

    def drift(self, firm: Firm, environment: str) -> tuple[Planned, Over]:
        """Plan as `plan` does (no exposure annotations: drift reads the plan backwards),
        and find the position limits the firm's accounts are over now."""
        with self.connect(self.options.target(environment, firm.environment)) as config:
            return asyncio.run(self._drift(firm, environment, config))

    async def _plan(self, firm: Firm, environment: str, config: ClientConfig,
                    selection: Selection | None, *, exposure: bool | None = None) -> Planned:
        async with TTClient(config) as tt:
            with self.reading(config, environment) as progress:
                return await make_plan(firm, environment, tt, selection, progress,
                                       exposure=self.exposure if exposure is None
                                       else exposure)

    async def _drift(self, firm: Firm, environment: str,
                     config: ClientConfig) -> tuple[Planned, Over]:
        planned = await self._plan(firm, environment, config, None, exposure=False)
        if not self.exposure:
            return planned, Over()
        async with TTClient(config) as tt:
            book = await read_whole_book(tt, planned.live)
        return planned, Over(tuple(over_limits(State.of(planned.live_models), book)),
                             book.unknown.get("*"))


@dataclass(frozen=True)
class Judged:
    """A plan and the safety policy's verdict on it: what `ttconfig plan` shows."""

    planned: Planned
    verdict: Verdict


def now() -> datetime:
    """The time change windows, soak times and audit records are judged by (UTC)."""
    return datetime.now(UTC)


def plan_environment(folder: Path, environment: str, reach: Reach,
                     selection: SelectionOptions, overrides: Overrides) -> Judged:
    """`ttconfig plan`: load the YAML, read live TT, diff, plan, and judge at plan stage."""
    firm = load_firm(folder, siblings=True)
    planned = reach.plan(firm, environment, selection.of(firm))
    verdict = evaluate(planned.plan, firm.environment.policy, planned.facts(now()), overrides,
                       stage="plan")
    return Judged(planned, verdict)


@dataclass(frozen=True)
class Drifted:
    """`ttconfig drift`'s report, and the environment.yaml it was judged under."""

    report: Drift
    config: EnvironmentConfig
    recorded: Recorded | None = None
    """The soak evidence the run appended to the audit log (None: asked not to)."""


def drift_environment(folder: Path, environment: str, reach: Reach,
                      layout: Layout | None = None) -> Drifted:
    """`ttconfig drift`: what live TT changed away from the YAML (the plan read backwards).

    With a `layout`, the run also records what it saw in the environment's audit log: the
    evidence the gate's soak reads for objects no apply dates (`runs.observed`)."""
    firm = load_firm(folder, siblings=True)
    planned, over = reach.drift(firm, environment)
    notes = tuple(f"{note.rule}: {note.message}" for note in planned.notices)
    recorded = None
    if layout is not None:
        path = layout.of(sandbox=reach.options.sandbox).audit_file(firm.environment,
                                                                   environment)
        recorded = record_observed(path, firm.environment, environment,
                                   planned.live_models, reach.options.where)
    return Drifted(replace(drift_of(planned.plan), notices=notes,
                           unmanaged=planned.plan.unmanaged, over_limits=over),
                   firm.environment, recorded)


@dataclass(frozen=True)
class Gated:
    """The gate's verdict on `environment`, judged against its promotion `source`."""

    verdict: GateVerdict
    environment: str
    source: str
    hotfix: bool = False


def gate_environment(environments_dir: Path, environment: str, reach: Reach, *,
                     hotfix: bool, source_audit: Path | None = None) -> Gated:
    """`ttconfig gate`: plan the environment and its source, and judge the first by the second.

    The source's audit log (default: the one of the TT environment and company the source
    folder claims, in `.ttconfig/audit/`; a gate run against the sandbox reads the
    sandbox's) says when each change was applied there, and since when its drift runs saw
    UAT hold it; it counts only if its chain holds.
    """
    target_firm = load_firm(environments_dir / environment, siblings=True)
    promotion = target_firm.environment.promotion
    source_firm = load_firm(environments_dir / promotion.source, siblings=True)
    default = Layout().of(sandbox=reach.options.sandbox).audit_file(source_firm.environment,
                                                                    promotion.source)
    records = verified_records(source_audit or default, evidence=True)
    observations = Observations.of(records)  # (a record it cannot read: said before TT)
    reach = replace(reach, exposure=False)  # (the gate judges YAML history, not positions)
    target_plan = reach.plan(target_firm, environment).plan
    source = reach.plan(source_firm, promotion.source)
    evidence = SoakEvidence(applied_times(records), observations,
                            observe(source.live_models), promotion.source)
    verdict = evaluate_gate(target_plan, promote_firm(source_firm, target_firm).plan,
                            declared_keys(source_firm), source.plan, evidence, promotion,
                            now(), hotfix=hotfix)
    return Gated(verdict, environment, promotion.source, hotfix)


def _promoted_then(baseline: Baseline, target: str) -> Mapping[str, Sequence[Model]]:
    """The target as its last promotion would have left it had it taken everything from
    the source: a value that promotion kept (prod was ahead) still differs from it, so it
    stays ahead at the next promotion instead of being reverted then. Without the source
    as of then, the target's YAML then."""
    if baseline.source is None:
        return baseline.firm.by_kind()
    try:
        return promote_firm(baseline.source, baseline.firm, environment=target).models
    except ConfigError:
        return baseline.firm.by_kind()


def promote_environment(environments_dir: Path, source: str, target: str,
                        take: Sequence[str] = ()) -> Promoted:
    """`ttconfig promote`: the target's YAML as it would be with the source's desired state
    carried over (YAML only; no TT). The source must be the one the target declares.

    A value the target changed after its last promotion (git: `runs.history`) that the
    promotion would loosen is kept — prod is ahead (an emergency tightening) — unless
    `take` (--take-uat KIND:NAME) names its object."""
    source_firm = load_firm(environments_dir / source, siblings=True)
    target_firm = load_firm(environments_dir / target, siblings=True)
    declared = target_firm.environment.promotion.source
    if source != declared:
        raise UsageError(f"environments/{target}/environment.yaml promotes from "
                         f"{declared!r}, not {source!r}")
    promoted = promote_firm(source_firm, target_firm, environment=target)
    baseline = last_promotion(environments_dir / target, environments_dir / source)
    patterns = [Pattern.parse(text, option="--take-uat") for text in take]
    ahead = [] if baseline is None else prod_is_ahead(promoted.plan, target_firm,
                                                        _promoted_then(baseline, target))
    idle = [p.text for p in patterns
            if not any(p.matches(Kind(a.kind), a.name) for a in ahead)]
    if idle:
        raise UsageError(f"--take-uat {', '.join(idle)}: prod is ahead on nothing it names "
                         f"(ahead: {', '.join(sorted({a.name for a in ahead})) or 'nothing'})")
    if baseline is None:
        return replace(promoted, history=f"no `promote --write` in environments/{target}'s "
                       "git history: whether prod is ahead of it cannot be told")
    kept = [a.rule(baseline.describe(), "--take-uat") for a in ahead
            if not any(p.matches(Kind(a.kind), a.name) for p in patterns)]
    if kept:
        promoted = promote_firm(source_firm, target_firm, environment=target, kept=kept)
    return replace(promoted, history=f"prod is ahead is judged against {baseline.describe()}")

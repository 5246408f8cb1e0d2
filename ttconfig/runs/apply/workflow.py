"""`ttconfig apply` and `ttconfig unlock` as workflows: every decision, no terminal.

Apply, in order: the saved plan (if any) is read and checked against the YAML; the
environment's lock is taken; live TT is read and planned again; a saved plan must still be
what was reviewed (else refused and audited); the safety policy judges; a refusal is
audited; the person is asked (unless the plan was saved or --auto-approve); overrides used
are audited; then the `Applier` writes. What to show and how to ask are callbacks the
command line supplies (`Conversation`), so this module never prints and tests can answer.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from ttconfig.core.plan import Plan
from ttconfig.core.selection import Selection
from ttconfig.desired.loader import load_firm
from ttconfig.errors import PolicyRefusal, StalePlanError, UsageError
from ttconfig.models import Firm
from ttconfig.runs.apply.applier import Applier, ApplyResult, Recovered, audit_context, recover
from ttconfig.runs.audit import AuditLog, actor, identity
from ttconfig.runs.interrupt import Signals
from ttconfig.runs.lock import EnvironmentLock, LockInfo
from ttconfig.runs.paths import Layout, claim_name
from ttconfig.runs.planfile import (
    SavedPlan,
    check_desired,
    check_distinct_approver,
    check_exposure,
    check_gate,
    check_live,
    check_target,
    firm_matches,
    read_approval,
    read_plan_file,
)
from ttconfig.runs.planning import Planned, Reach, SelectionOptions, make_plan, now
from ttconfig.safety.policy import Overrides, Verdict, evaluate
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig

WriteProgress = Callable[[int, int], None]
Writing = Callable[[Plan], AbstractContextManager[WriteProgress | None]]
"""How the writes show their progress: given the plan, a context holding the callback."""


def _no_progress(plan: Plan) -> AbstractContextManager[WriteProgress | None]:
    return nullcontext()


def _show_nothing(plan: Plan, verdict: Verdict) -> None:
    """The default `show`: a workflow run without a person watching."""


@dataclass(frozen=True)
class Conversation:
    """What apply says to the person running it, and how it asks them."""

    show: Callable[[Plan, Verdict], None] = _show_nothing
    """The plan and its verdict, once there are changes, before anything is refused or asked."""
    confirm: Callable[[Plan], bool] | None = None
    """Ask before writing; None when nobody can answer (no terminal)."""
    writing: Writing = _no_progress


@dataclass(frozen=True)
class OverrideOptions:
    """The safety overrides as given on the command line (the approval still a file)."""

    force: bool = False
    allow_loosening: bool = False
    approval_file: Path | None = None
    outside_window: bool = False
    reason: str = ""
    allow_breach: bool = False

    def read(self) -> Overrides:
        """The overrides the policy weighs, the approval file read (and checked) now."""
        approval = read_approval(self.approval_file) if self.approval_file else None
        return Overrides(force=self.force, allow_loosening=self.allow_loosening,
                         approval=approval, outside_window=self.outside_window,
                         reason=self.reason, allow_breach=self.allow_breach)


@dataclass(frozen=True)
class ApplyRequest:
    """What to apply: a saved plan, or the YAML of an environment (then asked first)."""

    environments_dir: Path
    plan_file: Path | None = None
    environment: str | None = None
    """Default: the saved plan's environment, else uat."""
    selection: SelectionOptions = field(default_factory=SelectionOptions)
    overrides: OverrideOptions = field(default_factory=OverrideOptions)
    auto_approve: bool = False
    layout: Layout = field(default_factory=Layout)
    break_glass: bool = False
    """An emergency tightening: --target and --reason required, only tightening allowed,
    no saved plan required, audited as break-glass."""

    def check_break_glass(self) -> None:
        if not self.break_glass:
            return
        if self.plan_file is not None:
            raise UsageError("--break-glass plans and applies at once: not with a plan file")
        if not self.selection.targets:
            raise UsageError("--break-glass needs --target KIND:NAME: an emergency change "
                             "reads and writes only the objects it names")
        if not self.overrides.reason.strip():
            raise UsageError("--break-glass needs --reason TEXT: it is kept in the audit log")


class Outcome(StrEnum):
    NO_CHANGES = "no changes"
    REFUSED = "refused"
    """By the safety policy; audited. The command line names the findings and exits 4."""
    DECLINED = "declined"
    APPLIED = "applied"


@dataclass(frozen=True)
class Applied:
    """How an apply ended; `result` only when writes were attempted."""

    outcome: Outcome
    audit_path: Path
    verdict: Verdict | None = None
    result: ApplyResult | None = None
    recovered: tuple[Recovered, ...] = ()
    """Writes earlier applies left unfinished, settled before this one wrote."""
    environment: str = ""
    tt_environment: str = ""
    """Which environment, and its TT's: what a report of the apply is headed with."""

    @property
    def exit_code(self) -> int:
        """1 when the confirmation was declined (nothing applied, as Terraform exits)."""
        if self.outcome is Outcome.DECLINED:
            return 1
        return 0 if self.result is None else self.result.exit_code


def apply_environment(request: ApplyRequest, reach: Reach,
                      conversation: Conversation = Conversation()) -> Applied:
    """`ttconfig apply`: one environment, under its lock, audited."""
    request.check_break_glass()
    saved = read_plan_file(request.plan_file) if request.plan_file is not None else None
    environment, selection = _chosen(request, saved)
    folder = request.environments_dir / environment
    firm = load_firm(folder, siblings=True)
    layout = request.layout.of(sandbox=reach.options.sandbox)
    if saved is None and firm.environment.policy.require_saved_plan and not request.break_glass:
        raise PolicyRefusal(
            f"{environment}'s policy requires a reviewed plan file (require_saved_plan): "
            f"make one with `ttconfig plan -e {environment} --out plan.json`, have it "
            "reviewed, then `ttconfig apply plan.json`")
    if saved is not None:
        check_target(saved, reach.options.where)
        firm_matches(saved, firm, environment)
        check_desired(saved, folder)
        check_gate(saved, firm)
    elif not request.auto_approve and conversation.confirm is None:
        raise UsageError("apply asks for confirmation; without a terminal pass --auto-approve")
    if not reach.exposure and firm.environment.policy.exposure.on_breach == "approve":
        raise UsageError(f"{environment}'s policy holds a tightening below the exposure in "
                         "use (policy.exposure.on_breach: approve): apply reads it, "
                         "--no-exposure cannot skip it")
    overrides = replace(request.overrides.read(), break_glass=request.break_glass)
    if overrides.approval is not None and firm.environment.policy.require_distinct_approver:
        check_distinct_approver(overrides.approval, str(saved.data.get("created_by_id", ""))
                                if saved is not None else identity())
    run = _Run(firm, environment, selection.of(firm), saved, overrides,
               request.auto_approve or saved is not None,
               layout.audit_file(firm.environment, environment), conversation,
               reach.options.where, request.break_glass)
    lock = EnvironmentLock(layout.lock_dir, claim_name(firm.environment),
                           f"-e {environment}" + (" --sandbox" if reach.options.sandbox else ""))
    with lock.held(plan=saved.checksum if saved else None), \
            reach.connect(replace(reach.options.target(environment, firm.environment),
                                  emergency=request.break_glass)) as config:
        signals = Signals()
        applied = signals.run(run.apply(config, reach))
        if applied.result is not None and applied.result.interrupted:
            # SIGTERM is recorded; the only other way the task is cancelled is Ctrl-C
            applied.result.signal = signals.received or signal.SIGINT
        return applied


def _chosen(request: ApplyRequest, saved: SavedPlan | None) -> tuple[str, SelectionOptions]:
    """The environment and selection: a saved plan's own, unless told otherwise."""
    if saved is None:
        return request.environment or "uat", request.selection
    if request.selection.targets or request.selection.excludes:
        raise UsageError("a saved plan keeps the --target/--exclude it was made with")
    return (request.environment or saved.environment,
            SelectionOptions(saved.targets, saved.excludes))


@dataclass(frozen=True)
class _Run:
    """One apply: what to apply, what was allowed, where the audit goes."""

    firm: Firm
    environment: str
    selection: Selection | None
    saved: SavedPlan | None
    overrides: Overrides
    approved: bool
    audit_path: Path
    conversation: Conversation
    where: str
    """"sandbox" or TT's base URL: every audit record says which."""
    break_glass: bool = False

    async def apply(self, config: ClientConfig, reach: Reach) -> Applied:
        async with TTClient(config) as tt:
            with reach.reading(config, self.environment) as progress:
                planned = await make_plan(self.firm, self.environment, tt, self.selection,
                                          progress, exposure=reach.exposure)
            context = audit_context(self.firm, self.environment, planned.plan, self.where)
            if self.break_glass:
                context |= {"break_glass": True, "reason": self.overrides.reason}
            audit = AuditLog(self.audit_path, context).verified()
            # A --target plan says nothing of objects outside it: settle only from a whole plan.
            recovered = () if self.selection else tuple(recover(audit, planned.plan))
            return replace(await self._judged(tt, planned, audit), recovered=recovered)

    async def _judged(self, tt: TTClient, planned: Planned, audit: AuditLog) -> Applied:
        """Judge the plan, confirm it, write it."""
        plan = planned.plan
        if self.saved is not None:
            self._check_fresh(self.saved, planned, audit)
        verdict = evaluate(plan, self.firm.environment.policy, planned.facts(now()),
                           self.overrides, stage="apply")
        if plan.empty:
            return self._ended(Outcome.NO_CHANGES, verdict)
        self.conversation.show(plan, verdict)
        if self.break_glass and plan.summary.loosening:
            loosening = [f"{c.kind.spec.title} {c.key}" for c in plan.changes
                         if any(f.direction == "loosening" for f in c.fields)]
            audit.append("refused", reason="break-glass with loosening", objects=loosening)
            raise PolicyRefusal("--break-glass applies only tightening; the selection "
                                f"loosens {', '.join(loosening)}: narrow --target, or make "
                                "the change through a reviewed plan")
        if verdict.refused:
            audit.append("refused", reason="policy",
                         findings=[asdict(f) for f in verdict.of("refused")])
            return self._ended(Outcome.REFUSED, verdict)
        if not self._confirmed(plan):
            return self._ended(Outcome.DECLINED, verdict)
        self._audit_overrides(verdict, audit)
        result = await self._write(tt, planned, audit)
        return replace(self._ended(Outcome.APPLIED, verdict), result=result)

    def _ended(self, outcome: Outcome, verdict: Verdict) -> Applied:
        return Applied(outcome, self.audit_path, verdict, environment=self.environment,
                       tt_environment=self.firm.environment.tt_environment)

    def _confirmed(self, plan: Plan) -> bool:
        if self.approved:
            return True
        assert self.conversation.confirm is not None, "checked before the lock was taken"
        return self.conversation.confirm(plan)

    def _check_fresh(self, saved: SavedPlan, planned: Planned, audit: AuditLog) -> None:
        """A saved plan must still be what was reviewed; a refusal is audited."""
        try:
            check_live(saved, planned)
            check_exposure(saved, planned)
        except StalePlanError as stale:
            audit.append("refused", reason="stale plan", plan_file=str(saved.path),
                         reviewed=saved.checksum, message=str(stale).splitlines()[0])
            raise

    def _audit_overrides(self, verdict: Verdict, audit: AuditLog) -> None:
        """Every override that let a finding through, with who allowed it and why."""
        if not verdict.of("overridden"):
            return
        overrides = self.overrides
        audit.append("overrides", reason=overrides.reason, force=overrides.force,
                     allow_loosening=overrides.allow_loosening,
                     outside_window=overrides.outside_window,
                     allow_breach=overrides.allow_breach,
                     approval=None if overrides.approval is None else asdict(overrides.approval),
                     findings=[asdict(f) for f in verdict.of("overridden")])

    async def _write(self, tt: TTClient, planned: Planned, audit: AuditLog) -> ApplyResult:
        with self.conversation.writing(planned.plan) as progress:
            applier = Applier(tt, planned.firm, self.environment, planned.live, audit,
                              selection=self.selection, progress=progress)
            return await applier.apply(planned.plan)


def unlock_environment(folder: Path, lock_id: str, layout: Layout) -> LockInfo:
    """`ttconfig unlock`: break a lock whose apply is gone (its id named), and audit it."""
    config = load_firm(folder, siblings=True).environment
    environment = folder.name
    holder = EnvironmentLock(layout.lock_dir, claim_name(config)).break_lock(lock_id)
    audit = AuditLog(layout.audit_file(config, environment),
                     {"environment": environment, "actor": actor()})
    audit.append("unlock", lock=asdict(holder))
    return holder

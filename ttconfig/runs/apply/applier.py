"""Apply a plan: one TT request per step, in the plan's order, with an audit trail.

This module is the protocol around the writes; `writers.py` holds the one TT call per
(kind, operation).

Before each request an *intent* record is on disk; after it an *outcome* record. When the
client cannot know whether a write landed (`OutcomeUnknown`), apply waits for late commits,
reads the object back, and decides: applied (nothing more to send), or not applied (send
only what is still missing, once). It never resends blind. It stops at the first failure it
cannot resolve; everything before is recorded, and the next plan shows what remains.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ttconfig import __version__
from ttconfig.core.changes import ABSENT, Change
from ttconfig.core.plan import Plan, Step
from ttconfig.core.selection import Selection
from ttconfig.core.state import State
from ttconfig.errors import TTConfigError
from ttconfig.live.ids import Ids
from ttconfig.live.read import LiveFirm, read_live, scope_of
from ttconfig.models import Firm
from ttconfig.models.accounts import Account
from ttconfig.models.checks import fold
from ttconfig.models.groups import RiskGroup
from ttconfig.models.users import User
from ttconfig.runs.apply.writers import Writes, write
from ttconfig.runs.audit import (
    AuditLog,
    AuditUnwritable,
    Unfinished,
    actor,
    git_commit,
    unfinished_in,
)
from ttconfig.runs.planning import as_created, keeper, plan_from
from ttconfig.tt.client import TTClient
from ttconfig.tt.errors import OutcomeUnknown, TTError

SETTLE_SECONDS = 2.0
"""Wait before reading back after an unknown outcome: a 504's write may land late."""


def audit_context(firm: Firm, environment: str, plan: Plan, where: str) -> dict[str, Any]:
    """What every audit record of this apply says about where and by whom (`where`:
    "sandbox" or TT's base URL)."""
    return {"environment": environment, "tt_environment": firm.environment.tt_environment,
            "target": where,
            "actor": actor(), "git_commit": git_commit(Path.cwd()),
            "plan": plan.checksum(), "tool": f"ttconfig {__version__}"}


@dataclass
class ApplyResult:
    done: list[Step] = field(default_factory=list)
    remaining: list[Step] = field(default_factory=list)
    """Steps not applied: the one that failed, and those never sent."""
    failure: str | None = None
    diverged: list[Change] = field(default_factory=list)
    unknown: Step | None = None
    """A step sent without an answer whose read-back failed too: never called "not
    applied", since it may have landed."""
    unrecorded: bool = False
    """The unknown step's outcome could not be written to the audit log (it was sent)."""
    unverified: str | None = None
    """Why the read-back after the last step failed (every step was applied)."""
    interrupted: bool = False
    """Stopped by a signal (Ctrl-C, or the SIGTERM CI runners and `timeout` send)."""
    signal: int | None = None
    """Which, when the run that applied knows (`runs.interrupt`): the exit is 128 + it."""
    intents: list[str] = field(default_factory=list)
    """The hash of each step's intent record, in the order the steps were begun (those
    done, then the one that stopped the apply if it got that far): a report finds each
    request's outcome and requestId in the audit log by it."""

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signal or 2)
        return 1 if self.failure or self.diverged or self.unverified else 0


class Applier:
    """Executes one plan against one TT environment."""

    def __init__(self, tt: TTClient, firm: Firm, environment: str, live: LiveFirm,
                 audit: AuditLog, *, settle_seconds: float = SETTLE_SECONDS,
                 progress: Callable[[int, int], None] | None = None,
                 selection: Selection | None = None) -> None:
        self.tt, self.firm, self.environment = tt, firm, environment
        self.audit = audit
        self.writes = Writes(tt, firm, State.of(as_created(firm, live).by_kind()), live,
                             Ids.of(live))
        self.settle_seconds = settle_seconds
        self.progress = progress
        self.scope = scope_of(selection.chosen if selection else firm)
        self.selection = selection
        self._sent = False
        """Whether a request of the step in progress has gone out."""
        self.begun: list[str] = []
        """The hash of each intent record written, in order (`ApplyResult.intents`)."""

    @property
    def live(self) -> LiveFirm:
        """Live TT as last read (the plan's read, or the latest read-back)."""
        return self.writes.live

    @property
    def ids(self) -> Ids:
        return self.writes.ids

    async def apply(self, plan: Plan) -> ApplyResult:
        """Send the plan's steps in order, then read back and verify. A plan with no steps
        sends nothing and reads nothing: it was made from a read that shows live matches."""
        result = ApplyResult(intents=self.begun)  # (the list each step begun is added to)
        steps = list(plan.steps)
        if not steps or not await self._prepared(result, steps):
            return result
        for index, step in enumerate(steps):
            if not await self._step(step, plan, result, steps[index:]):
                return result
            result.done.append(step)
            if self.progress is not None:
                self.progress(index + 1, len(steps))
        try:
            result.diverged = await self._verify(plan)
        except asyncio.CancelledError:
            result.interrupted, result.unverified = True, "interrupted"
        except Exception as error:  # every write went through: say so, and what is not known
            result.unverified = _said(error)
        return result

    async def _prepared(self, result: ApplyResult, steps: list[Step]) -> bool:
        """The contracts the steps name, read before the first write (False: stopped)."""
        try:
            await self._load_instruments()
            return True
        except asyncio.CancelledError:
            result.interrupted, result.failure = True, "interrupted"
        except Exception as error:
            result.failure = _said(error)
        result.remaining = steps
        return False

    async def _step(self, step: Step, plan: Plan, result: ApplyResult,
                    rest: list[Step]) -> bool:
        """Run one step; when the apply must stop here, say how in `result` (False).

        Whatever stops it — TT's refusal, no answer, a signal, a bug — the step's outcome
        is on record and the result names what was not applied and what may have landed.
        """
        self._sent = False
        try:
            await self._run(step, plan)
            return True
        except asyncio.CancelledError:  # a signal: end here, with the summary
            result.interrupted, result.failure, unknown = True, "interrupted", self._sent
        except _Unresolved as unresolved:
            result.failure, unknown = str(unresolved), True
        except (TTError, _Failed) as error:
            result.failure, unknown = str(error), False
        except AuditUnwritable as error:  # after the intent: the write went out
            result.failure, unknown, result.unrecorded = str(error), True, True
        except Exception as error:  # in reading back an unknown outcome (on record)
            result.failure, unknown = _said(error), True
        result.unknown = step if unknown else None
        result.remaining = rest[1:] if unknown else rest
        return False

    async def _load_instruments(self) -> None:
        owners: tuple[Account | User | RiskGroup, ...] = (
            *self.firm.accounts, *self.firm.users, *self.firm.risk_groups)
        wanted = {self.ids.product(row.market, row.product, row.type)[0]
                  for owner in owners if owner.limits is not None
                  for row in owner.limits.contracts}
        have = {product for product, _ in self.ids.instruments}
        for product_id in sorted(wanted - have):
            for instrument in await self.tt.reference.instruments(product_id):
                self.ids.instruments[(product_id, fold(instrument.alias))] = instrument.id

    async def _run(self, step: Step, plan: Plan) -> None:
        try:
            intent = self.audit.append("intent", plan=plan.checksum(), kind=step.kind.value,
                                       key=str(step.key), operation=step.operation,
                                       items=list(step.items), direction=step.direction,
                                       changes=_field_data(step.change))
        except AuditUnwritable as error:  # no intent on record: nothing is sent
            raise _Failed(f"{error}; nothing was sent for {step.operation} {step.key}"
                          ) from None
        self.begun.append(intent["hash"])
        if await self._send(step, intent["hash"]) is not None:
            await self._resolve(step, plan, intent["hash"])

    async def _send(self, step: Step, intent: str, **extra: Any) -> OutcomeUnknown | None:
        """Send one step and record its outcome: None when applied, the error when there
        was no answer (unknown). A refusal is recorded as failed and raised."""
        sent = self.tt.http.stats.requests
        try:
            await write(self.writes, step)
        except asyncio.CancelledError:
            # Stopped mid-step: if a request had gone out it may have landed; the record
            # says so, and the next apply reads the object back before anything else.
            self._sent = self.tt.http.stats.requests > sent
            self.audit.append("outcome", intent=intent, outcome="interrupted",
                              sent=self._sent,
                              **(self._last_request() if self._sent else {}), **extra)
            raise
        except OutcomeUnknown as unknown:
            self.audit.append("outcome", intent=intent, outcome="unknown",
                              method=unknown.method, path=unknown.path,
                              request_id=unknown.request_id, status=unknown.status, **extra)
            return unknown
        except TTError as error:
            self.audit.append("outcome", intent=intent, outcome="failed",
                              method=error.method, path=error.path,
                              request_id=error.request_id, status=error.status,
                              message=error.message, **extra)
            raise
        except Exception as error:  # not TT's answer: a name TT lacks, a bug
            # Whatever it is, the apply ends as any failure does: the outcome on record and
            # the summary printed. Nothing sent for this step: it is not applied; a request
            # sent: it may have landed.
            if self.tt.http.stats.requests == sent:
                self.audit.append("outcome", intent=intent, outcome="failed",
                                  message=_said(error), **extra)
                raise _Failed(_said(error)) from error
            self.audit.append("outcome", intent=intent, outcome="unknown",
                              message=_said(error), **self._last_request(), **extra)
            raise _Unresolved(_said(error)) from error
        self.audit.append("outcome", intent=intent, outcome="applied",
                          **self._last_request(), **extra)
        return None

    def _last_request(self) -> dict[str, Any]:
        method, path = self.tt.http.last_request or ("-", "-")
        return {"method": method, "path": path, "request_id": self.tt.http.last_request_id}

    async def _resolve(self, step: Step, plan: Plan, intent: str) -> None:
        """Read back after an unknown outcome; send only what is missing, once. When the
        read-back fails, or the one resend gets no answer either, the step stays unknown
        (_Unresolved): it may have landed, so it is never reported as not applied."""
        await asyncio.sleep(self.settle_seconds)
        try:
            live = await read_live(self.tt, self.scope)
            self.writes.live, self.writes.ids = live, Ids.of(live)
            await self._load_instruments()
        except TTError as error:
            raise _Unresolved(str(error)) from None
        keep = keeper(self.selection, self.live)
        missing = _pending(plan_from(self.firm, self.environment, self.live, keep), step)
        if missing is None:
            self.audit.append("outcome", intent=intent, outcome="applied",
                              resolved_by="read back")
            return
        self.audit.append("outcome", intent=intent, outcome="not applied",
                          resolved_by="read back", resend=list(missing.items))
        if (again := await self._send(missing, intent, resent=True)) is not None:
            raise _Unresolved(str(again))

    async def _verify(self, plan: Plan) -> list[Change]:
        """Read back what the plan wrote to and re-plan: anything left is reported as
        diverged, never re-applied. Objects the plan did not touch are as its read found
        them, so they are not read again."""
        self.writes.live = await read_live(self.tt, self.scope.touched(plan.changes),
                                           before=self.live)
        leftover = plan_from(self.firm, self.environment, self.live,
                             keeper(self.selection, self.live))
        for change in leftover.changes:
            self.audit.append("diverged", kind=change.kind.value, key=str(change.key))
        return list(leftover.changes)

class _Unresolved(Exception):
    """A step's outcome stays unknown: TT did not answer and could not be read back."""


class _Failed(Exception):
    """A step failed before any request of it was sent (it is not applied)."""


def _said(error: Exception) -> str:
    """An error as the summary says it: ttconfig's own errors by their message, anything
    else (a bug) by its type too, since the message alone may be a bare key or number."""
    return str(error) if isinstance(error, TTConfigError) else f"{type(error).__name__}: {error}"


def _field_data(change: Change | None) -> list[dict[str, Any]]:
    if change is None:
        return []
    return [{"path": list(f.path), "old": "(absent)" if f.old is ABSENT else f.old,
             "new": "(absent)" if f.new is ABSENT else f.new, "direction": f.direction}
            for f in change.fields][:200]


def _pending(plan: Plan, step: Step) -> Step | None:
    """What of `step` a fresh plan still wants (None: the step is fully applied).

    Only the step's own items count. A plan may hold several steps of one operation on one
    object (tightened restrictions early, loosened ones late; batches of 20): another step's
    items still pending say nothing about this one, and sending them here would write them
    twice."""
    same = (step.kind, step.key, step.op)
    wanted = {item for c in plan.steps if (c.kind, c.key, c.op) == same
              for item in c.items}
    items = tuple(item for item in step.items if item in wanted)
    if not items:
        return None
    return step.but(items=items)


@dataclass(frozen=True)
class Recovered:
    """An unfinished write of an earlier apply, settled by this apply's fresh read."""

    write: Unfinished
    outcome: str
    """"applied" (live shows it: nothing of it is pending) or "not applied"."""


def recover(audit: AuditLog, plan: Plan) -> list[Recovered]:
    """Settle the writes earlier applies left unfinished, before this apply writes: the plan
    was made from a fresh read, so a write that landed has nothing pending in it. Each is
    recorded as an outcome of its own intent (`recovered_by`), which the gate then counts."""
    settled = []
    for left in unfinished_in(audit.path):
        pending = any((step.kind.value, str(step.key), step.operation) ==
                      (left.kind, left.key, left.operation)
                      and (not left.items or set(left.items) & set(step.items))
                      for step in plan.steps)
        outcome = "not applied" if pending else "applied"
        audit.append("outcome", intent=left.intent, outcome=outcome,
                     recovered_by="read back before the next apply")
        settled.append(Recovered(left, outcome))
    return settled


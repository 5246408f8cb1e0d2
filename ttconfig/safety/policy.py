"""The safety policy of an environment (`environment.yaml` `policy:`) applied to a plan.

Pure: the plan, the desired and live models, and the facts the caller read are the input;
a `Verdict` listing every finding is the output. Each finding names its rule and how it can
be allowed. Three kinds of rule:

* never overridable: lockout (the app key's own user, the minimum number of admins);
* overridable only by a reviewed change to environment.yaml: protected objects, bounds,
  coverage;
* overridable at apply by a flag that the audit log records: thresholds (`--force`),
  loosening approval (`--allow-loosening` or an approval file bound to the plan's checksum),
  change windows (`--allow-outside-window`).

Bounds and coverage refuse only what a plan makes worse: a value or a gap that is already in
TT and that the plan leaves alone is a warning, so a plan that fixes one thing is never held
hostage by another — and a tightening is never blocked by a bound it does not yet meet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from ttconfig.core.changes import ABSENT, Change, path_text
from ttconfig.core.diff import ROW_LISTS, declared_links, row_key, row_name, shown_key
from ttconfig.core.exposure import Annotation, Exposure
from ttconfig.core.plan import Plan
from ttconfig.core.risk import direction
from ttconfig.models.base import Model
from ttconfig.models.checks import fold
from ttconfig.models.environment import Bound, Policy
from ttconfig.models.kinds import LIMIT_OWNERS
from ttconfig.models.limits import EVERY_PRODUCT
from ttconfig.safety.change_windows import describe, next_opening, open_window
from ttconfig.words import plural

Outcome = Literal["refused", "overridden", "warning", "needed"]
Stage = Literal["plan", "apply"]
EDIT_POLICY = "a reviewed change to policy in environment.yaml"


@dataclass(frozen=True)
class Approval:
    """A reviewer's approval of one plan, bound to its checksum."""

    plan: str
    approved_by: str
    approved_at: str
    reason: str = ""
    approved_by_id: str = ""
    """Who approved, as `runs.audit.identity` names people ("github:LOGIN", "git:EMAIL")."""


@dataclass(frozen=True)
class Overrides:
    """What the person or CI job running apply allowed, explicitly."""

    force: bool = False
    allow_loosening: bool = False
    approval: Approval | None = None
    outside_window: bool = False
    reason: str = ""
    allow_breach: bool = False
    """--allow-breach: apply a tightening below the exposure in use now (exposure rule)."""
    break_glass: bool = False
    """An emergency tightening (`apply --break-glass`): de-risking, never held for exposure."""


@dataclass(frozen=True)
class Facts:
    """What the policy needs besides the plan."""

    desired: Mapping[str, Sequence[Model]]
    live: Mapping[str, Sequence[Model]]
    now: datetime
    admins: frozenset[str] | None = None
    """Folded emails of TT's active full admins; read only when the plan takes admin rights
    away (None: not read)."""
    families: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    """(market, symbol, type) → family name, all folded: which family row covers a product
    (empty when TT's families were not read: then no family row covers anything)."""
    notices: tuple[Finding, ...] = ()
    """What the plan leaves as it is and why (runs.planning): shown with the findings."""
    exposure: Exposure | None = None
    """The plan's exposure annotations, when ttmonitor was read (None: not read)."""


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    outcome: Outcome
    override: str | None = None
    """How to allow it; None: it cannot be allowed."""


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...] = ()

    @property
    def refused(self) -> bool:
        return any(f.outcome == "refused" for f in self.findings)

    def of(self, outcome: Outcome) -> list[Finding]:
        return [f for f in self.findings if f.outcome == outcome]

    def to_data(self) -> dict[str, Any]:
        return {"refused": self.refused, "findings": [asdict(f) for f in self.findings]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Verdict:
        """A verdict as `to_data` wrote it (a saved plan's, to show it again)."""
        return cls(tuple(Finding(**finding) for finding in data["findings"]))


def evaluate(plan: Plan, policy: Policy, facts: Facts, overrides: Overrides = Overrides(),
             *, stage: Stage = "apply") -> Verdict:
    """Every finding of every rule, refusals first."""
    findings = [*_lockout(plan, policy, facts), *_protected(plan, policy),
                *_bounds(policy.bounds, facts), *_coverage(policy, facts),
                *_thresholds(plan, policy, facts, overrides),
                *_loosening(plan, policy, overrides, stage),
                *_windows(plan, policy, facts.now, overrides, stage),
                *_exposure(plan, policy, facts.exposure, overrides, stage),
                *facts.notices]
    order = {"refused": 0, "overridden": 1, "needed": 2, "warning": 3}
    return Verdict(tuple(sorted(findings, key=lambda f: order[f.outcome])))


# --- what a plan takes away --------------------------------------------------------------

@dataclass(frozen=True)
class Removal:
    """Something a plan takes from a user or account: access, admin rights, existence."""

    kind: str
    name: str
    what: str


def removals(plan: Plan) -> Iterator[Removal]:
    for change in _effective(plan):
        if change.kind == "users":
            yield from _user_removals(change)
        elif change.kind == "links" and change.action == "delete":
            account, _, user = change.key.partition(" ↔ ")
            yield Removal("users", user, f"unlinked from account {account}")
            yield Removal("accounts", account, f"loses its link to {user}")
        elif change.kind == "accounts" and change.action == "delete":
            yield Removal("accounts", change.key, "deleted")


def _effective(plan: Plan) -> list[Change]:
    """The changes that send something: deactivating a user who is already inactive is in
    the plan (the prune saw it) but changes nothing, so no rule counts it."""
    return [c for c in plan.changes if c.fields or c.action != "deactivate"]


def _user_removals(change: Change) -> Iterator[Removal]:
    if change.action == "deactivate":
        yield Removal("users", change.key, "deactivated")
    for f in change.fields:
        if f.path == ("active",) and f.new is False and change.action != "deactivate":
            yield Removal("users", change.key, "deactivated")
        elif f.path[-1] in ("full_admin", "view_only_admin") and f.old is True \
                and f.new is not True:
            yield Removal("users", change.key, f"loses {f.path[-1].replace('_', ' ')} rights")


def admin_losses(plan: Plan, live: Mapping[str, Sequence[Model]]) -> set[str]:
    """Folded emails of admins the plan deactivates or takes full admin rights from."""
    admins = {fold(shown_key(u.key())) for u in live.get("users", ())
              if _is_admin(u.declared())}
    lost = set()
    for removal in removals(plan):
        name = fold(removal.name)
        if removal.kind == "users" and (removal.what == "loses full admin rights" or (
                removal.what == "deactivated" and name in admins)):
            lost.add(name)
    return lost


def _is_admin(data: Mapping[str, Any]) -> bool:
    return data.get("active") is not False and (data.get("settings") or {}).get(
        "full_admin") is True


def _admin_gains(plan: Plan, live: Mapping[str, Sequence[Model]]) -> set[str]:
    """Users the plan makes active full admins (a grant to an inactive user counts only if
    the plan also activates them)."""
    active = {fold(shown_key(u.key())): u.declared().get("active") is not False
              for u in live.get("users", ())}
    gained = set()
    for change in plan.changes:
        if change.kind != "users" or change.action == "deactivate":
            continue
        new = {f.path: f.new for f in change.fields}
        will_be_active = new.get(("active",), active.get(fold(change.key), True))
        if new.get(("settings", "full_admin")) is True and will_be_active is True:
            gained.add(fold(change.key))
    return gained


# --- lockout and protection ---------------------------------------------------------------

def _lockout(plan: Plan, policy: Policy, facts: Facts) -> list[Finding]:
    findings = []
    api_user = policy.protected.api_user
    if api_user is not None:
        findings += [Finding("lockout", f"{removal.name} is the app key's own user "
                             f"(policy.protected.api_user) and would be {removal.what}: "
                             "ttconfig would lock itself out", "refused")
                     for removal in removals(plan)
                     if removal.kind == "users" and fold(removal.name) == fold(api_user)]
    lost = admin_losses(plan, facts.live)
    if lost:
        if facts.admins is None:
            return [*findings, Finding("lockout", "the plan takes admin rights away, but the "
                                       "admins in TT were not counted", "refused")]
        left = (facts.admins - lost) | _admin_gains(plan, facts.live)
        if len(left) < policy.protected.min_admins:
            findings.append(Finding(
                "lockout", f"the plan leaves {plural(len(left), 'active full admin')} in TT "
                f"(removes {', '.join(sorted(lost))}); policy.protected.min_admins is "
                f"{policy.protected.min_admins}", "refused"))
    return findings


def _protected(plan: Plan, policy: Policy) -> list[Finding]:
    users = {fold(u) for u in policy.protected.users}
    accounts = {fold(a) for a in policy.protected.accounts}
    return [Finding("protected", f"{removal.name} is protected (policy.protected."
                    f"{removal.kind}) and would be {removal.what}", "refused", EDIT_POLICY)
            for removal in removals(plan)
            if fold(removal.name) in (users if removal.kind == "users" else accounts)]


# --- bounds -------------------------------------------------------------------------------

def _bounds(bounds: Sequence[Bound], facts: Facts) -> list[Finding]:
    if not bounds:
        return []
    findings = []
    for kind in LIMIT_OWNERS:
        live = {fold(shown_key(m.key())): m.declared() for m in facts.live.get(kind, ())}
        for model in facts.desired.get(kind, ()):
            owner = shown_key(model.key())
            live_rows = _rows_by_key(live.get(fold(owner), {}))
            for list_name, row in _rows(model.declared()):
                before = live_rows.get((list_name, row_key(row, ROW_LISTS[list_name])))
                findings += _row_bounds(bounds, kind, owner, list_name, row, before)
    return findings


def _rows(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    limits = data.get("limits") or {}
    for list_name in ROW_LISTS:
        for row in limits.get(list_name) or []:
            yield list_name, row


def _rows_by_key(data: Mapping[str, Any]) -> dict[tuple[str, Any], dict[str, Any]]:
    return {(name, row_key(row, ROW_LISTS[name])): row for name, row in _rows(data)}


def _row_bounds(bounds: Sequence[Bound], kind: str, owner: str, list_name: str,
                row: dict[str, Any], before: dict[str, Any] | None) -> list[Finding]:
    findings = []
    for bound in bounds:
        if bound.field not in row or not _in_scope(bound, row):
            continue
        new = row[bound.field]
        if new is not None and new <= bound.max:
            continue
        old = ABSENT if before is None else before.get(bound.field, ABSENT)
        where = (f"{kind[:-1].replace('_', ' ')} {owner} {row_name(row, ROW_LISTS[list_name])}"
                 f" {bound.field}")
        limit = f"the bound {bound.max:,}{_bound_scope(bound)}"
        shown_new = "not set" if new is None else f"{new:,}"
        if old is not ABSENT and old == new:
            findings.append(Finding("bounds", f"{where} is {shown_new} in TT, above {limit}; "
                                    "this plan does not change it", "warning"))
        elif old is not ABSENT and direction((bound.field,), old, new) == "tightening":
            findings.append(Finding("bounds", f"{where} is lowered to {shown_new} but stays "
                                    f"above {limit}", "warning"))
        else:
            findings.append(Finding("bounds", f"{where} would be {shown_new}, above {limit}",
                                    "refused", EDIT_POLICY))
    return findings


def _in_scope(bound: Bound, row: Mapping[str, Any]) -> bool:
    """Whether `bound` is about `row`: its market and product, or for an inter-product row,
    those of any of its legs (a spread of a bounded product is bounded too)."""
    if "legs" in row:
        return any(_in_scope(bound, leg) for leg in row["legs"])
    return all(want is None or fold(want) == fold(str(row.get(name, "")))
               for name, want in (("market", bound.market), ("product", bound.product)))


def _bound_scope(bound: Bound) -> str:
    scope = " ".join(part for part in (bound.market, bound.product) if part)
    return f" for {scope}" if scope else ""


# --- coverage -----------------------------------------------------------------------------

Gap = tuple[str, ...]
"""One coverage gap, by identity: ("risk group", account) or ("limit row", account, product)."""


def _coverage(policy: Policy, facts: Facts) -> list[Finding]:
    rules = policy.coverage
    if not (rules.limit_row_for_traded_products or rules.trading_accounts_in_a_risk_group):
        return []
    accounts = {fold(shown_key(m.key())) for m in facts.desired.get("accounts", ())}
    before = _gaps(_State.of(facts.live, facts.families), accounts,
                   rules.limit_row_for_traded_products, rules.trading_accounts_in_a_risk_group)
    after = _gaps(_State.after(facts.desired, facts.live, facts.families), accounts,
                  rules.limit_row_for_traded_products, rules.trading_accounts_in_a_risk_group)
    return [Finding("coverage", message + ("; already so in TT and not changed by this plan"
                                           if gap in before else ""),
                    "warning" if gap in before else "refused", EDIT_POLICY)
            for gap, message in sorted(after.items())]


@dataclass
class _State:
    """The facts coverage needs, for live TT or for live after the plan."""

    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    families: Mapping[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, models: Mapping[str, Sequence[Model]],
           families: Mapping[tuple[str, str, str], str] | None = None) -> _State:
        state = cls(families=families or {})
        for account in models.get("accounts", ()):
            data = account.declared()
            state.accounts[fold(data["name"])] = data
            for link in data.get("users", []):
                state.links[(fold(data["name"]), fold(link["user"]))] = link
        state.groups = {fold(g.declared()["name"]): g.declared()
                        for g in models.get("risk_groups", ())}
        return state

    @classmethod
    def after(cls, desired: Mapping[str, Sequence[Model]], live: Mapping[str, Sequence[Model]],
              families: Mapping[tuple[str, str, str], str] | None = None) -> _State:
        """Live with the desired state laid over it, as apply leaves it."""
        state = cls.of(live, families)
        for account in desired.get("accounts", ()):
            key = fold(shown_key(account.key()))
            state.accounts[key] = _overlay(state.accounts.get(key, {}), account.declared())
        wanted, managed = declared_links(desired)
        live_links = state.links
        state.links = {k: v for k, v in live_links.items() if k[0] not in managed}
        for link, (_, _, parts) in wanted.items():
            state.links[link] = _overlay(live_links.get(link, {}), parts)
        for group in desired.get("risk_groups", ()):
            key = fold(shown_key(group.key()))
            state.groups[key] = _overlay(state.groups.get(key, {}), group.declared())
        return state

    def group_of(self, account: str) -> tuple[str, dict[str, Any]] | None:
        return next(((g["name"], g) for g in self.groups.values()
                     if account in {fold(a) for a in g.get("accounts", [])}), None)

    def trades(self, account: str) -> bool:
        """Orders can be placed for it: not restricted, and some user may place them."""
        data = self.accounts.get(account, {})
        if (data.get("restrictions") or {}).get("place_orders") is False:
            return False
        return any(key[0] == account and (link.get("order_permissions") or {}).get(
            "place_orders") is True for key, link in self.links.items())


def _overlay(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        merged[key] = (_overlay(below, value) if isinstance(value, dict)
                       and isinstance(below, dict) else value)
    return merged


def _product(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (fold(row["market"]), fold(row.get("product", EVERY_PRODUCT)),
            fold(row.get("type", "future")))


def _covered(rows: Sequence[Mapping[str, Any]], families: Mapping[tuple[str, str, str], str],
             ) -> Callable[[tuple[str, str, str]], bool]:
    """Whether `rows` give a product a row that limits it: its own, its family's, or the
    default row of its market and type (TT's best match, contract §9)."""
    own = {_product(r) for r in rows if r.get("family") is None}
    of_family = {(fold(r["market"]), fold(r["family"]), fold(r.get("type", "future")))
                 for r in rows if r.get("family") is not None}

    def covered(product: tuple[str, str, str]) -> bool:
        market, _, kind = product
        family = families.get(product)
        return (product in own or (market, EVERY_PRODUCT, kind) in own
                or (family is not None and (market, family, kind) in of_family))
    return covered


def _product_name(row: Mapping[str, Any]) -> str:
    return f"{row['market']} {row['product']} {row.get('type', 'future')}"


def _gaps(state: _State, accounts: set[str], rows: bool, groups: bool) -> dict[Gap, str]:
    gaps: dict[Gap, str] = {}
    for account in sorted(accounts):
        if account not in state.accounts or not state.trades(account):
            continue
        name = state.accounts[account]["name"]
        group = state.group_of(account)
        if groups and group is None:
            gaps[("risk group", account)] = (f"account {name} can trade but is in no risk "
                                             "group (coverage.trading_accounts_in_a_risk_group)")
        if rows:
            for product, (shown, source) in _traded(state, account, group).items():
                gaps[("limit row", account, *product)] = (
                    f"account {name} trades {shown} ({source}) but has no product limit "
                    "row for it (coverage.limit_row_for_traded_products)")
    return gaps


def _traded(state: _State, account: str, group: tuple[str, dict[str, Any]] | None,
            ) -> dict[tuple[str, str, str], tuple[str, str]]:
    """Products the account trades without a product row of its own (or its family's, or
    the default row of its market and type): those its risk group allows, and those it has
    contract rows for (product → its name, why it counts)."""
    limits = state.accounts[account].get("limits") or {}
    covered = _covered(limits.get("products") or [], state.families)
    traded: dict[tuple[str, str, str], tuple[str, str]] = {}
    if group is not None:
        group_limits = group[1].get("limits") or {}
        for row in [*(group_limits.get("products") or []), *(group_limits.get("contracts")
                                                             or [])]:
            if row.get("trading_allowed") is not False:
                traded.setdefault(_product(row), (_product_name(row),
                                                  f"risk group {group[0]} allows it"))
    for row in limits.get("contracts") or []:
        traded.setdefault(_product(row), (_product_name(row),
                                          f"it has a contract row for {row['contract']}"))
    return {p: why for p, why in traded.items() if not covered(p)}


# --- thresholds ---------------------------------------------------------------------------

def _thresholds(plan: Plan, policy: Policy, facts: Facts,
                overrides: Overrides) -> list[Finding]:
    findings = []
    for kind, threshold in sorted(policy.thresholds.items()):
        counts = {"creates": 0, "updates": 0, "deletes": 0}
        for change in _effective(plan):
            if change.kind == kind:
                counts[{"create": "creates", "update": "updates"}.get(change.action,
                                                                       "deletes")] += 1
        existing = _existing(kind, facts.live)
        for label, count in counts.items():
            cap = getattr(threshold, f"max_{label}")
            share = count / max(existing, 1) * 100
            over = []
            if cap is not None and count > cap:
                over.append(f"more than max_{label} {cap}")
            if threshold.max_percent is not None and count and share > threshold.max_percent:
                over.append(f"{share:.0f}% of {existing} in TT, more than max_percent "
                            f"{threshold.max_percent:g}%")
            if over:
                findings.append(Finding(
                    "thresholds", f"{count} {kind.replace('_', ' ')} {label}: "
                    + " and ".join(over) + f" (policy.thresholds.{kind})",
                    "overridden" if overrides.force else "refused",
                    "--force (recorded in the audit log)"))
    return findings


def _existing(kind: str, live: Mapping[str, Sequence[Model]]) -> int:
    if kind == "links":
        return sum(len(a.declared().get("users", [])) for a in live.get("accounts", ()))
    return len(live.get(kind, ()))


# --- loosening and change windows ---------------------------------------------------------

def _loosening(plan: Plan, policy: Policy, overrides: Overrides, stage: Stage,
               ) -> list[Finding]:
    if not policy.require_loosening_approval or not plan.summary.loosening:
        return []
    what = (plural(plan.summary.loosening, "loosening field change")
            + (f", {plan.summary.high} HIGH" if plan.summary.high else ""))
    how = ("--allow-loosening, or --approval FILE written by `ttconfig approve` for "
           f"plan {plan.checksum()[:16]}…")
    if stage == "plan":
        return [Finding("loosening", f"{what}: apply needs an approval "
                        "(policy.require_loosening_approval)", "needed", how)]
    approval = overrides.approval
    if approval is not None and approval.plan != plan.checksum():
        return [Finding("loosening", f"{what}, and the approval file is for another plan "
                        f"({approval.plan[:16]}…, this plan is {plan.checksum()[:16]}…): "
                        "the plan changed since it was approved", "refused", how)]
    if approval is not None:
        return [Finding("loosening", f"{what}, approved by {approval.approved_by} at "
                        f"{approval.approved_at}", "overridden", how)]
    if overrides.allow_loosening:
        return [Finding("loosening", f"{what}, allowed by --allow-loosening", "overridden",
                        how)]
    return [Finding("loosening", f"{what} without approval "
                    "(policy.require_loosening_approval)", "refused", how)]


def _windows(plan: Plan, policy: Policy, now: datetime, overrides: Overrides,
             stage: Stage) -> list[Finding]:
    windows = policy.change_windows
    if not windows or not plan.summary.loosening:
        return []
    how = "apply inside a window, or --allow-outside-window (recorded in the audit log)"
    listed = "; ".join(describe(w) for w in windows)
    current = open_window(windows, now)
    if stage == "apply" and current is not None:
        return []
    opening = next_opening(windows, now)
    state = (f"open now ({describe(current)})" if current is not None else
             f"the next opens {opening.isoformat() if opening else 'never'}")
    message = f"loosening may be applied only inside change windows ({listed}); {state}"
    if stage == "plan":
        return [Finding("change_window", message, "needed", how)]
    if overrides.outside_window:
        return [Finding("change_window", message + "; applied outside it by "
                        "--allow-outside-window", "overridden", how)]
    return [Finding("change_window", message, "refused", how)]


# --- exposure -----------------------------------------------------------------------------

def _exposure(plan: Plan, policy: Policy, exposure: Exposure | None, overrides: Overrides,
              stage: Stage) -> list[Finding]:
    """A breach on apply is held for an approval (on_breach: approve) unless it de-risks;
    a thin headroom and an exposure that could not be read are warnings, never holds."""
    if exposure is None:
        return []
    rule = policy.exposure
    findings = [Finding("exposure", f"{_named(a)}: exposure unknown ({a.unknown}); the "
                        "change is not judged on it", "warning") for a in exposure.unknown]
    findings += [Finding("exposure", f"link {a.key}: {a.account} has orders working "
                         f"({a.where}); they stay working after the unlink", "warning")
                 for a in exposure.annotations if a.measure == "working" and a.exposure]
    floor = rule.min_headroom_percent
    findings += [Finding("exposure", f"{_named(a)}: headroom after apply "
                         f"{a.headroom_percent():.0f}% of the new limit, under "
                         f"policy.exposure.min_headroom_percent {floor:g}%", "warning")
                 for a in exposure.annotations if floor is not None and not a.breach
                 and (share := a.headroom_percent()) is not None and share < floor]
    held = [a for a in exposure.breaches if not (a.derisking or overrides.break_glass)]
    findings += [Finding("exposure", f"{_named(a)}: {_breach(a)}; a de-risking change "
                         "(a limit of 0, --break-glass) is not held", "warning")
                 for a in exposure.breaches if a.derisking or overrides.break_glass]
    if not held:
        return findings
    what = "; ".join(f"{_named(a)}: {_breach(a)}" for a in held)
    if rule.on_breach == "warn":
        return [*findings, Finding("exposure", what, "warning")]
    how = (f"--allow-breach, or --approval FILE written by `ttconfig approve` for plan "
           f"{plan.checksum()[:16]}…")
    return [*findings, _breach_finding(what, plan, overrides, stage, how)]


def _breach_finding(what: str, plan: Plan, overrides: Overrides, stage: Stage,
                    how: str) -> Finding:
    if stage == "plan":
        return Finding("exposure", f"{what}: apply needs an approval "
                       "(policy.exposure.on_breach: approve)", "needed", how)
    approval = overrides.approval
    if approval is not None and approval.plan == plan.checksum():
        return Finding("exposure", f"{what}; approved by {approval.approved_by} at "
                       f"{approval.approved_at}", "overridden", how)
    if overrides.allow_breach:
        return Finding("exposure", f"{what}; allowed by --allow-breach", "overridden", how)
    return Finding("exposure", f"{what} without approval (policy.exposure.on_breach: "
                   "approve)", "refused", how)


def _named(annotation: Annotation) -> str:
    return f"{annotation.kind.spec.singular} {annotation.key} {path_text(annotation.path)}"


def _breach(annotation: Annotation) -> str:
    what = "credit in use" if annotation.measure == "credit" else "worst-case position"
    where = f" ({annotation.where})" if annotation.where else ""
    return (f"{what}{where} {annotation.exposure:,.0f} is over the new limit "
            f"{annotation.new:,.0f}: BREACH ON APPLY")

"""Saved plans (`plan --out PLAN.json`) and the checks that make "what was reviewed is what
gets applied" true.

A plan file holds where it applies (environment, TT environment, company), what made it
(tool version, git commit, a sha256 per desired YAML file), the plan and its checksum, the
policy verdict, and the live fingerprint of every object the plan touches; then a checksum of
all of that. Apply refuses (exit 5) a file that was edited, YAML that changed, a different
tool version, or a touched object that changed in TT since — showing planned from / live
now / desired. No secrets are ever in it: nothing that reaches it comes from credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ttconfig import __version__
from ttconfig.core.changes import path_text
from ttconfig.core.exposure import Exposure
from ttconfig.core.plan import Plan, checksum_of
from ttconfig.errors import PolicyRefusal, StalePlanError, UsageError
from ttconfig.files import write_private
from ttconfig.models import Firm
from ttconfig.runs.audit import (
    KEY_VARIABLE,
    actor,
    audit_key,
    git_commit,
    identity,
    record_hash,
)
from ttconfig.runs.planning import Gated, Judged, Planned, SelectionOptions
from ttconfig.safety.fingerprint import Objects, Row, Touched, three_way, touched
from ttconfig.safety.policy import Approval, Verdict
from ttconfig.words import plural

FORMAT = "ttconfig-plan"
FORMAT_VERSION = 1
APPROVAL_FORMAT = "ttconfig-approval"


class LiveChanged(StalePlanError):
    """An object the saved plan touches changed in TT since: `rows` hold, field by field,
    what it was planned from, what live is now and what the YAML wants — the reviewer's
    evidence, which the CLI shows as a table under the message (`render.staleness`)."""

    def __init__(self, message: str, rows: Sequence[Row]) -> None:
        super().__init__(message)
        self.rows = tuple(rows)


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def desired_files(folder: Path) -> dict[str, str]:
    """sha256 of every file of an environment folder, by its path inside the folder."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def digest(files: dict[str, str]) -> str:
    return hashlib.sha256(_canonical(files)).hexdigest()


@dataclass(frozen=True)
class SavedPlan:
    path: Path
    data: dict[str, Any]

    @property
    def environment(self) -> str:
        return str(self.data["environment"])

    @property
    def checksum(self) -> str:
        return str(self.data["checksum"])

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.data["selection"]["targets"])

    @property
    def excludes(self) -> tuple[str, ...]:
        return tuple(self.data["selection"]["excludes"])

    @property
    def exposure(self) -> Exposure | None:
        """The exposure the plan was reviewed with (None: none was read). The file's
        checksum anyone can recompute, so a record not in ttconfig's shape is refused by
        name (exit 5), never read as if it were."""
        recorded = self.data.get("exposure")
        if recorded is None:
            return None
        try:
            return Exposure.from_data(recorded)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise StalePlanError(f"{self.path}: its exposure record is not one ttconfig "
                                 f"writes ({type(error).__name__}: {error}); make a new "
                                 "plan") from None


def plan_document(planned: Planned, folder: Path, verdict: Verdict, *, git_commit: str | None,
                  created_by: str, targets: Sequence[str] = (),
                  excludes: Sequence[str] = (), where: str = "",
                  gate: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan file's content, its own checksum last."""
    firm = planned.firm
    files = desired_files(folder)
    document: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "tool": f"ttconfig {__version__}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": created_by, "created_by_id": identity(), "git_commit": git_commit,
        "environment": planned.plan.environment,
        "tt_environment": planned.plan.tt_environment,
        "company": firm.environment.company,
        "target": where,
        "selection": {"targets": list(targets), "excludes": list(excludes)},
        "desired": {"digest": digest(files), "files": files},
        "checksum": planned.plan.checksum(),
        "plan": planned.plan.to_data(),
        "policy": verdict.to_data(),
        "objects": [t.to_data() for t in touched_objects(planned)],
        **({"gate": gate} if gate is not None else {}),
        **({"exposure": planned.plan.exposure.to_data()}
           if planned.plan.exposure is not None else {}),
    }
    document["file_checksum"] = hashlib.sha256(_canonical(document)).hexdigest()
    return document


def touched_objects(planned: Planned) -> list[Touched]:
    desired = planned.firm.by_kind()
    return touched(planned.plan, Objects(desired, desired=True),
                   Objects(planned.live_models, desired=False))


def write_plan_file(path: Path, document: dict[str, Any]) -> None:
    """Written whole or not at all (tmp + rename): a half-written plan must never apply."""
    try:
        write_private(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as error:
        raise UsageError(f"cannot write the plan to {path}: {error.strerror}") from None


def read_plan_file(path: Path, *, to_apply: bool = True) -> SavedPlan:
    """A plan file as written by `plan --out`; an edited one is refused (exit 5), and so,
    `to_apply`, is one another ttconfig version made."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read plan file {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StalePlanError(f"{path} is not a plan file written by `ttconfig plan --out` "
                             f"({error}); make a new plan") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StalePlanError(f"{path} is not a ttconfig plan file; make one with "
                             "`ttconfig plan --out`")
    if data.get("format_version") != FORMAT_VERSION:
        raise StalePlanError(f"{path} has plan format {data.get('format_version')!r}; this "
                             f"ttconfig reads {FORMAT_VERSION}: make a new plan")
    stored = data.get("file_checksum")
    body = {k: v for k, v in data.items() if k != "file_checksum"}
    if stored != hashlib.sha256(_canonical(body)).hexdigest():
        raise StalePlanError(f"{path} was edited after `ttconfig plan --out` wrote it (its "
                             "checksum does not match): make a new plan and review it")
    plan = data.get("plan")
    if not isinstance(plan, dict) or checksum_of(plan) != data.get("checksum"):
        # file_checksum anyone can recompute; this one ties the body people review (and
        # `approve` shows) to the checksum apply compares the re-derived plan with.
        raise StalePlanError(f"{path}: the plan in the file does not match its checksum (its "
                             "body was edited): what it shows is not what would be applied; "
                             "make a new plan and review it")
    if to_apply and data.get("tool") != f"ttconfig {__version__}":
        raise StalePlanError(f"{path} was made by {data.get('tool')}; this is ttconfig "
                             f"{__version__}, which may plan differently: make a new plan")
    return SavedPlan(path, data)


@dataclass(frozen=True)
class Shown:
    """A saved plan as `ttconfig show` renders it: the plan and verdict it recorded."""

    saved: SavedPlan
    plan: Plan
    verdict: Verdict

    def describe(self) -> str:
        data = self.saved.data
        commit = data.get("git_commit")
        return (f"{self.saved.path}: planned {data.get('created_at')} by "
                f"{data.get('created_by')} with {data.get('tool')}"
                + (f" at commit {str(commit)[:12]}" if commit else "")
                + f", checksum {self.saved.checksum[:16]}…")


def show_plan_file(path: Path) -> Shown:
    """`ttconfig show`: a saved plan, checked as apply checks it (an edited file is
    refused), then shown as it was planned; no TT, no YAML."""
    saved = read_plan_file(path, to_apply=False)
    plan = replace(Plan.from_data(saved.data["plan"]), exposure=saved.exposure)
    return Shown(saved, plan, Verdict.from_data(saved.data["policy"]))


def check_desired(saved: SavedPlan, folder: Path) -> None:
    """Refuse when the YAML differs from what the plan was made from."""
    then: dict[str, str] = saved.data["desired"]["files"]
    now = desired_files(folder)
    if digest(now) == saved.data["desired"]["digest"]:
        return
    changed = sorted(name for name in then.keys() & now.keys() if then[name] != now[name])
    added, removed = sorted(now.keys() - then.keys()), sorted(then.keys() - now.keys())
    parts = [f"{label}: {', '.join(names)}" for label, names in
             (("changed", changed), ("added", added), ("removed", removed)) if names]
    raise StalePlanError(f"the YAML in {folder} changed since {saved.path} was made ("
                         + "; ".join(parts) + "): make a new plan and review it")


def check_live(saved: SavedPlan, planned: Planned) -> None:
    """Refuse when a touched object changed in TT, or the plan would now differ."""
    fresh = {(t.kind, t.key): t for t in touched_objects(planned)}
    desired = Objects(planned.firm.by_kind(),
                      desired=True)
    rows: list[Row] = []
    for item in saved.data["objects"]:
        now = fresh.get((item["kind"], item["key"]))
        if now is not None and now.fingerprint == item["fingerprint"]:
            continue
        live_now = None if now is None else now.planned_from
        if now is None:  # the plan no longer changes it: live now equals desired
            live_now = desired.get(item["kind"], item["key"])
        rows += three_way(item["kind"], item["key"], item["planned_from"], live_now,
                          desired.get(item["kind"], item["key"]))
    if rows:
        objects = len({(r.kind, r.key) for r in rows})
        raise LiveChanged(f"live TT changed since {saved.path} was made: "
                          f"{plural(objects, 'object')} the plan touches "
                          f"{'differs' if objects == 1 else 'differ'}. Make a new plan and "
                          "review it.", rows)
    if planned.plan.checksum() != saved.checksum:
        raise StalePlanError(_what_differs(saved, planned))


def check_exposure(saved: SavedPlan, planned: Planned) -> None:
    """Refuse (exit 5) when the exposure read now shows a breach on apply, per object and
    field, that the reviewed plan did not show: positions and credit moved since the
    review, and the reviewer did not see this. (A plan saved without an exposure read has
    nothing to compare; the policy still judges today's.)"""
    recorded = saved.exposure
    exposure = planned.plan.exposure
    if recorded is None or exposure is None:
        return
    reviewed = {a.id for a in recorded.breaches}
    new = [a for a in exposure.breaches if a.id not in reviewed]
    if new:
        shown = "; ".join(f"{a.kind.spec.singular} {a.key} {path_text(a.path)}: "
                          f"{a.exposure:,.0f} in use, new limit {a.new:,.0f}" for a in new)
        raise StalePlanError(f"exposure moved since {saved.path} was reviewed: the apply "
                             f"would now breach {plural(len(new), 'limit')} the reviewed plan did "
                             f"not show ({shown}). Make a new plan and review it.")


def _what_differs(saved: SavedPlan, planned: Planned) -> str:
    then = {(c["kind"], c["key"]) for c in saved.data["plan"]["changes"]}
    now = {(c.kind, c.key) for c in planned.plan.changes}
    extra = sorted(f"{kind} {key}" for kind, key in now - then)
    gone = sorted(f"{kind} {key}" for kind, key in then - now)
    parts = ([f"now also changes {', '.join(extra)}"] if extra else []) + (
        [f"no longer changes {', '.join(gone)}"] if gone else [])
    return (f"live TT changed since {saved.path} was made: the plan would now differ ("
            + ("; ".join(parts) or "same objects, different steps") + f"; checksum "
            f"{planned.plan.checksum()[:16]}…, reviewed {saved.checksum[:16]}…). Make a new "
            "plan and review it.")


def approval_document(saved: SavedPlan, approved_by: str, reason: str) -> dict[str, Any]:
    """The approval; signed (HMAC-SHA256 of the rest) when TTCONFIG_AUDIT_KEY is set."""
    document = {"format": APPROVAL_FORMAT, "environment": saved.environment,
                "plan": saved.checksum, "approved_by": approved_by,
                "approved_by_id": identity(),
                "approved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "reason": reason}
    key = audit_key()
    return document if key is None else {**document, "signature": _signature(document, key)}


def _signature(document: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in document.items() if k != "signature"}
    return record_hash(body, key)


def _check_signature(path: Path, data: dict[str, Any]) -> None:
    """With a key set, an approval counts only if signed with it: anyone can write the
    JSON of an unsigned one, naming any approver."""
    key = audit_key()
    if key is None:
        return
    signature = data.get("signature")
    if not isinstance(signature, str):
        raise PolicyRefusal(f"{path} is not signed, and {KEY_VARIABLE} is set: only an "
                            "approval made by `ttconfig approve` with the key counts")
    if not hmac.compare_digest(_signature(data, key), signature):
        raise PolicyRefusal(f"{path}'s signature does not verify under {KEY_VARIABLE} "
                            "(edited after it was signed, or signed with another key)")


def read_approval(path: Path) -> Approval:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read approval file {path}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != APPROVAL_FORMAT or not all(
            isinstance(data.get(k), str) for k in ("plan", "approved_by", "approved_at")):
        raise UsageError(f"{path} is not an approval file written by `ttconfig approve`")
    _check_signature(path, data)
    return Approval(data["plan"], data["approved_by"], data["approved_at"],
                    str(data.get("reason", "")), str(data.get("approved_by_id", "")))


def check_distinct_approver(approval: Approval, author: str) -> None:
    """policy.require_distinct_approver: the approver is not the plan's author, and the
    two names are of one kind (a CI login and a git email cannot be compared)."""
    approver = approval.approved_by_id
    if not approver or not author:
        raise PolicyRefusal("the policy requires an approver other than the plan's author "
                            "(require_distinct_approver), and this plan or approval does "
                            "not say who made it: make both with this ttconfig")
    if approver.partition(":")[0] != author.partition(":")[0]:
        raise PolicyRefusal(f"the plan was made as {author} and approved as {approver}: "
                            "names of different kinds cannot be compared "
                            "(require_distinct_approver); approve where the plan was made")
    if approver == author:
        raise PolicyRefusal(f"the plan was approved by its own author ({author}); the "
                            "policy requires another approver (require_distinct_approver)")


def firm_matches(saved: SavedPlan, firm: Firm, environment: str) -> None:
    """The plan file must be for this environment and this TT environment."""
    if saved.environment != environment:
        raise UsageError(f"{saved.path} is a plan for {saved.environment}, not {environment}")
    if saved.data["tt_environment"] != firm.environment.tt_environment:
        raise StalePlanError(f"{saved.path} is for {saved.data['tt_environment']}, but "
                             f"environment.yaml now says {firm.environment.tt_environment}")


def save_plan(path: Path, judged: Judged, folder: Path, selection: SelectionOptions,
              where: str, gated: Gated | None = None) -> None:
    """`ttconfig plan --out`: the plan file, with who made it, from which commit, where
    it was planned against (`where`: "sandbox" or TT's base URL), and for an environment
    that promotes from another, the gate's verdict (apply reads nothing from the source)."""
    gate = None if gated is None else gate_record(gated, judged.planned.plan.checksum())
    write_plan_file(path, plan_document(judged.planned, folder, judged.verdict,
                                        git_commit=git_commit(Path.cwd()), created_by=actor(),
                                        targets=selection.targets, excludes=selection.excludes,
                                        where=where, gate=gate))


def gate_record(gated: Gated, checksum: str) -> dict[str, Any]:
    """The gate's verdict as the plan file keeps it: bound to the plan's checksum, and
    signed when TTCONFIG_AUDIT_KEY is set (a verdict edited to "passed" then fails)."""
    record: dict[str, Any] = {
        "passed": not gated.verdict.refused, "hotfix": gated.hotfix, "source": gated.source,
        "checked": gated.verdict.checked, "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "refused": [r.message for r in gated.verdict.reasons],
        "waived": [r.message for r in gated.verdict.waived]}
    key = audit_key()
    if key is not None:
        record["signature"] = record_hash({**record, "plan": checksum}, key)
    return record


def check_gate(saved: SavedPlan, firm: Firm) -> None:
    """For an environment with `promotion:`, a saved plan applies only with a gate verdict
    that passed, recorded when the plan was made (and signed, when a key is set)."""
    if "promotion" not in firm.environment.model_fields_set:
        return
    gate = saved.data.get("gate")
    source = firm.environment.promotion.source
    if not isinstance(gate, dict):
        raise PolicyRefusal(
            f"{saved.path} records no gate verdict, and {saved.environment} promotes from "
            f"{source}: make the plan with `ttconfig plan -e {saved.environment} --out "
            f"{saved.path.name}` (it runs the gate; --hotfix for a hotfix)")
    key = audit_key()
    if key is not None:
        body = {k: v for k, v in gate.items() if k != "signature"}
        expected = record_hash({**body, "plan": saved.checksum}, key)
        if not hmac.compare_digest(expected, str(gate.get("signature", ""))):
            raise PolicyRefusal(f"{saved.path}'s gate verdict is not signed under "
                                f"{KEY_VARIABLE} for this plan: make the plan again")
    if gate.get("passed") is not True:
        reasons = "; ".join(str(r) for r in gate.get("refused") or []) or "no reason recorded"
        raise PolicyRefusal(f"the gate refused this plan when it was made ({reasons}); "
                            "nothing applied")


def check_target(saved: SavedPlan, where: str) -> None:
    """A plan applies only where it was planned: a sandbox rehearsal's plan file must not
    go to real TT because credentials happen to be set (nor the other way round)."""
    planned = saved.data.get("target")
    if planned != where:
        raise StalePlanError(f"{saved.path} was planned against {planned or 'an unnamed target'}"
                             f"; this apply would go to {where}: make the plan against where "
                             "it is applied")


@dataclass(frozen=True)
class Approved:
    """An approval written for a saved plan."""

    saved: SavedPlan
    document: dict[str, Any]
    path: Path

    @property
    def loosening(self) -> int:
        """Loosening field changes the approval covers."""
        return int(self.saved.data["plan"]["summary"]["loosening"])


def approve_plan(plan_file: Path, approved_by: str | None = None, reason: str = "",
                 out: Path | None = None) -> Approved:
    """`ttconfig approve`: an approval bound to a saved plan's checksum, beside it by default."""
    saved = read_plan_file(plan_file)
    document = approval_document(saved, approved_by or actor(), reason)
    path = out or plan_file.with_suffix(".approval.json")
    try:
        write_private(path, json.dumps(document, indent=2) + "\n")
    except OSError as error:
        raise UsageError(f"cannot write the approval to {path}: {error.strerror}") from None
    return Approved(saved, document, path)

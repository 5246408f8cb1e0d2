"""What a rendered plan says it compares, in every format.

A plan compares live TT with the YAML and ends in TT writes; a promotion compares two
environments' YAML and writes nothing to TT, so it must not read like a plan (nor promise
write requests), and its json says which environments it carries from and to.
"""

from __future__ import annotations

from dataclasses import dataclass

from ttconfig.core.plan import Plan


@dataclass(frozen=True)
class Heading:
    text: str
    markdown: str
    no_changes: str
    promotion: tuple[str, str] | None = None
    """(source, target) when the plan is a promotion."""
    kept: tuple[str, ...] = ()
    """A promotion's values the target keeps because it is ahead (an emergency tightening
    made there since the last promotion): every format says them, right after the plan."""

    @property
    def kept_title(self) -> str:
        target = self.promotion[1] if self.promotion else "the target"
        return (f"Kept in {target}: {target} is ahead (tightened there since the last "
                f"promotion); the promotion would loosen these")

    @property
    def writes(self) -> bool:
        """Whether applying it sends TT writes (a promotion only changes YAML)."""
        return self.promotion is None


def plan_heading(plan: Plan) -> Heading:
    where = f"{plan.environment} ({plan.tt_environment})"
    no_changes = ("No changes: live TT matches the YAML." if not plan.selected else
                  f"No changes in what {' '.join(plan.selected)} selects: live TT matches the "
                  "YAML there.")
    return Heading(f"Plan for {where}", f"ttconfig plan: {where}", no_changes)


def promotion_heading(source: str, target: str, kept: tuple[str, ...] = ()) -> Heading:
    return Heading(f"Promotion {source} → {target}: what {target}'s YAML would change to",
                   f"ttconfig promote: {source} → {target}",
                   f"No changes: {target}'s YAML already carries {source}'s desired state"
                   + (", but for what it keeps (below)." if kept else "."),
                   promotion=(source, target), kept=kept)

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

    @property
    def writes(self) -> bool:
        """Whether applying it sends TT writes (a promotion only changes YAML)."""
        return self.promotion is None


def plan_heading(plan: Plan) -> Heading:
    where = f"{plan.environment} ({plan.tt_environment})"
    return Heading(f"Plan for {where}", f"ttconfig plan: {where}",
                   "No changes: live TT matches the YAML.")


def promotion_heading(source: str, target: str) -> Heading:
    return Heading(f"Promotion {source} → {target}: what {target}'s YAML would change to",
                   f"ttconfig promote: {source} → {target}",
                   f"No changes: {target}'s YAML already carries {source}'s desired state.",
                   promotion=(source, target))

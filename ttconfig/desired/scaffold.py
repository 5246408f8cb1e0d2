"""A new environment folder's environment.yaml, with a safe policy: what `ttconfig init`
writes, and what `ttconfig import` writes into a folder that has none.

A folder written without a policy would let the first plan against production delete,
loosen and unlink without a reviewed plan file; the scaffold starts from the other end
(production: thresholds, the API user protected, two admins kept, loosening approved,
only saved plans applied) and says, in comments, what each setting does, so that a team
relaxes it knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass

from ttconfig.desired.schema import ENVIRONMENT_SCHEMA, modeline

PRODUCTION_ENVIRONMENTS = frozenset({"ext_prod_live"})
"""TT environments whose scaffold is production's (TT's own production environment)."""


@dataclass(frozen=True)
class Scaffold:
    """What a new environment.yaml says."""

    tt_environment: str
    company: str
    app_key_env: str
    app_secret_env: str
    usage_plan: str = "free"
    app_name: str = "ttconfig"
    api_user: str | None = None
    production: bool | None = None
    """None: production when `tt_environment` is TT's production environment."""
    company_settings: tuple[str, ...] = ()
    """Lines of `company_settings:` as read from TT (import), already indented."""

    @property
    def is_production(self) -> bool:
        return self.tt_environment in PRODUCTION_ENVIRONMENTS if self.production is None \
            else self.production

    def text(self) -> str:
        return "\n".join([
            modeline(f"../../schemas/{ENVIRONMENT_SCHEMA}"),
            f"tt_environment: {self.tt_environment}",
            f"company: {_quoted(self.company)}",
            f"app_name: {self.app_name}",
            "credentials:",
            f"  app_key_env: {self.app_key_env}",
            f"  app_secret_env: {self.app_secret_env}",
            f"usage_plan: {self.usage_plan}",
            *(["company_settings:", *self.company_settings] if self.company_settings else []),
            *(self._production() if self.is_production else self._other()),
            "",
        ])

    def _api_user(self) -> list[str]:
        if self.api_user is not None:
            return [f"    api_user: {self.api_user}   # the login the app key was created by"]
        return ["    # api_user: someone@example.com   # the login the app key was created by:",
                "    #   set it, so that no plan can deactivate, unlink or demote it"]

    def _production(self) -> list[str]:
        return [
            "policy:",
            "  # Objects absent from the YAML are left alone: no kind prunes.",
            "  prune: {}",
            "  # More changes than this in one plan needs --force (recorded in the audit log).",
            "  thresholds:",
            "    accounts: {max_creates: 5, max_updates: 20, max_deletes: 0, max_percent: 25}",
            "    users: {max_deletes: 2, max_percent: 20}",
            "    links: {max_deletes: 5, max_percent: 10}",
            "  # Never deleted, deactivated, unlinked or stripped of admin rights.",
            "  protected:",
            *self._api_user(),
            "    min_admins: 2                      # active full admins a plan keeps",
            "  # Any loosening needs --allow-loosening or `ttconfig approve`'s file.",
            "  require_loosening_approval: true",
            "  require_saved_plan: true   # apply only a reviewed `plan --out` file",
            "  high_loosening_percent: 50",
        ]

    def _other(self) -> list[str]:
        return [
            "policy:",
            "  prune: {}   # objects absent from the YAML are left alone",
            "  thresholds:   # more changes than this in one plan needs --force",
            "    accounts: {max_deletes: 2, max_percent: 50}",
            "    users: {max_deletes: 5, max_percent: 50}",
            "  protected:",
            *self._api_user(),
            "    min_admins: 1",
        ]


def _quoted(text: str) -> str:
    """A YAML scalar for a name (quoted when YAML would read it otherwise)."""
    plain = text and text.strip() == text and not any(c in text for c in ":#{}[],&*!|>'\"%@`")
    return text if plain else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

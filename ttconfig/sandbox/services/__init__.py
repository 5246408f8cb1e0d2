"""The TT services the sandbox serves, one module per service (shared/tt-contract.md §2–7;
ttmonitor: its wire contract, paths SEEN and shapes ASSUMED)."""

from __future__ import annotations

from ttconfig.sandbox.routing import Router
from ttconfig.sandbox.services import ttaccount, ttgroup, ttmonitor, ttpds, ttsetup, ttuser


def build_router(links_profile: str = "account-users", users_profile: str = "ttuser",
                 ) -> Router:
    """Every endpoint; the wire profile picks which link and user-creation paths exist."""
    router = Router()
    ttaccount.register(router, links_profile)
    ttuser.register(router, users_profile)
    for service in (ttgroup, ttsetup, ttpds, ttmonitor):
        service.register(router)
    return router

"""The TT services the sandbox serves, one module per service (shared/tt-contract.md §2–7)."""

from __future__ import annotations

from ttconfig.sandbox.routing import Router
from ttconfig.sandbox.services import ttaccount, ttgroup, ttpds, ttsetup, ttuser


def build_router() -> Router:
    router = Router()
    for service in (ttaccount, ttuser, ttgroup, ttsetup, ttpds):
        service.register(router)
    return router

"""`ttconfig sandbox serve`'s banner: where the sandbox listens and how to load its keys.

The banner names the credentials file and the variables each key is exported as, never a
key or a secret: a terminal is scrolled back, logged and pasted.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ttconfig.runs.connection import sandbox_key_variables
from ttconfig.sandbox.server import Sandbox


def _key_lines(server: Sandbox) -> list[str]:
    lines = []
    for environment in sorted(server.store.envs):
        for key in server.app_keys(environment):
            plan = server.settings.usage_plan_override or key["usagePlan"]
            key_var, secret_var = sandbox_key_variables(environment, key["label"])
            lines.append(f"  {environment:14} {key['label']:9} plan {plan:6} "
                         f"${key_var} ${secret_var}")
    return lines


def serve_banner(server: Sandbox, credentials: Path) -> str:
    return "\n".join([
        f"TT sandbox on {server.base_url} (state: {server.store.path})", "",
        "Seeded app keys (never printed; this file, readable by you only, exports them):",
        f"  . {shlex.quote(str(credentials))}", "", *_key_lines(server), "",
        f"Try it: see README.md, section 'Sandbox'. Control endpoint: "
        f"{server.base_url}/_sandbox/health", ""])

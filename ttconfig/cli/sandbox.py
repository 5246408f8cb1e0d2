"""`ttconfig sandbox serve` and `reset`: a local TT to rehearse against, and its app keys.

`serve` hands its credentials over in an owner-only file next to its state, never on the
terminal (a terminal is scrolled back, logged and pasted); the banner names the variables.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from datetime import date
from pathlib import Path

import click

from ttconfig.cli import options
from ttconfig.errors import TTConfigError, UsageError
from ttconfig.render.sandbox import serve_banner
from ttconfig.runs.connection import sandbox_key_variables
from ttconfig.runs.paths import SANDBOX_STATE, credentials_file
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import DEMO_TODAY, USAGE_PLAN_NAMES, SandboxSettings

STATE = click.option("--state", "state_path", type=click.Path(path_type=Path),
                     default=SANDBOX_STATE, show_default=True,
                     help="State file (created from the seed when missing).")


@click.group()
def sandbox() -> None:
    """The built-in TT sandbox: a local TT to rehearse against, no credentials needed.

    \b
    Examples:
      ttconfig sandbox serve --port 8787 --usage-plan free
      ttconfig sandbox reset
    """


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (loopback: only this machine).")
@click.option("--port", default=8787, show_default=True, type=int,
              help="The port to listen on (0: any free one).")
@STATE
@click.option("--usage-plan", type=click.Choice(USAGE_PLAN_NAMES), default=None,
              help="Give every app key this usage plan (default: as seeded).")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Simulated round-trip time added to every response.")
@click.option("--post-pause", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds a POST must wait after the previous POST's acknowledgement.")
@click.option("--page-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Items per page of a paged listing (TT pages its listings).")
@click.option("--token-lifetime", type=click.FloatRange(min=1), default=43199.0,
              show_default=True, help="Seconds until an access token expires.")
@click.option("--redirect-gets", is_flag=True, help="Answer every GET first with a 303.")
@click.option("--strict", is_flag=True,
              help="Also refuse a GET that sends a Content-Type (403), as one third-party "
                   "guide reports TT doing; off by default, since TT's own samples send it.")
@click.option("--today", default=DEMO_TODAY.isoformat(), show_default=True,
              callback=lambda _ctx, _param, value: _today(value),
              help="The date the sandbox's clock shows (its Date header, by which clients "
                   "judge what has expired): YYYY-MM-DD, or 'real'. The default is the demo "
                   "firm's day, so the demo plans the same on any day.")
@options.profile(help="Serve a wire profile's endpoints only (repeatable): "
                      f"{options.PROFILE_HELP}.")
def serve(host: str, port: int, state_path: Path, usage_plan: str | None, latency_ms: float,
          post_pause: float, page_size: int, token_lifetime: float, redirect_gets: bool,
          strict: bool, today: date | None, profile: dict[str, str]) -> None:
    """Serve the sandbox in the foreground until interrupted.

    Every other limit (rates, quotas, the 413 threshold, ...) can be changed while it runs
    through the loopback-only control endpoint, POST /_sandbox/settings.

    \b
    Examples:
      ttconfig sandbox serve
      ttconfig sandbox serve --usage-plan free --latency-ms 40 --today real
    """
    settings = SandboxSettings(usage_plan_override=usage_plan, latency_ms=latency_ms,
                               post_pause_seconds=post_pause, page_size=page_size,
                               token_lifetime_seconds=token_lifetime,
                               redirect_gets=redirect_gets, strict=strict, today=today)
    settings.links_profile = profile.get("links", settings.links_profile)
    settings.users_profile = profile.get("users", settings.users_profile)
    server = Sandbox(state_path=state_path, settings=settings, host=host, port=port)
    try:
        sock = server.bind()
        click.echo(serve_banner(server, write_credentials(server, credentials_file(state_path))))
        server.serve_forever(sock)
    except OSError as exc:
        raise TTConfigError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    # Serving ends only on Ctrl-C (or SIGTERM). uvicorn catches the signal to shut down and
    # does not always raise it again afterwards; end the way an interrupt ends: exit 130.
    raise KeyboardInterrupt


def _today(value: str) -> date | None:
    if value == "real":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD, nor 'real'") from None


@sandbox.command()
@STATE
def reset(state_path: Path) -> None:
    """Restore the sandbox's seeded firms (the state file is rewritten).

    A sandbox that is running keeps its own copy: reset it with POST /_sandbox/reset.

    \b
    Examples:
      ttconfig sandbox reset
    """
    state_path.unlink(missing_ok=True)
    Sandbox(state_path=state_path)
    click.echo(f"Sandbox state reset to the seed: {state_path}")


def write_credentials(server: Sandbox, path: Path) -> Path:
    """Write the seeded app keys as `export` lines to `path`, readable by the owner only.

    Credentials are never printed, not even the sandbox's: a terminal is scrolled back,
    logged and pasted. The file is created 0600 (mkstemp) and renamed into place, so no
    moment exists when another user could read it.
    """
    lines = [f"# App keys of the TT sandbox on {server.base_url}. Load them with: . {path}"]
    for environment in sorted(server.store.envs):
        for key in server.app_keys(environment):
            key_var, secret_var = sandbox_key_variables(environment, key["label"])
            lines += [f"export {key_var}={shlex.quote(key['key'])}",
                      f"export {secret_var}={shlex.quote(key['secret'])}"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise UsageError(f"cannot write the sandbox's credentials to {path}: "
                         f"{error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


COMMANDS = (sandbox,)

"""The error tree of ttconfig; every error knows the exit code it ends a run with.

::

    TTConfigError                 exit 1   (anything ttconfig reports as a failure)
    ├── UsageError                exit 64  (a command line that cannot be run)
    │   └── ttconfig.runs.lock.UnlockRefused     (the id does not name the lock's holder)
    ├── ConfigError               exit 3   (invalid desired state)
    ├── PolicyRefusal             exit 4   (a safety policy refused the plan)
    ├── StalePlanError            exit 5   (live changed since the plan, or the plan was edited)
    │   └── ttconfig.runs.planfile.LiveChanged   (touched objects changed; carries their rows)
    ├── ttconfig.runs.lock.LockHeld    exit 5   (another apply holds the environment's lock)
    └── ttconfig.tt.errors.TTError exit 1  (a TT request failed; carries the request)

Only `cli.main` turns these into exit codes; library code raises and never exits.
"""

from __future__ import annotations

from collections.abc import Sequence


class TTConfigError(Exception):
    """A failure ttconfig reports to the user without a traceback."""

    exit_code: int = 1


class UsageError(TTConfigError):
    """The command line asks for something that cannot be run."""

    exit_code = 64


class ConfigError(TTConfigError):
    """The desired state is invalid; `problems` holds every problem found, sorted."""

    exit_code = 3

    def __init__(self, problems: Sequence[object]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


class PolicyRefusal(TTConfigError):
    """A safety policy refused the plan."""

    exit_code = 4


class StalePlanError(TTConfigError):
    """Live TT changed since the plan was made, or the plan file was edited."""

    exit_code = 5

"""`ttconfig doctor -e ENV`: the first command against a real TT, read-only.

Before a firm trusts ttconfig with its TT, doctor checks what every other command takes for
granted, one line per check: the credentials, a token and its lifetime, the key's
company, the usage plan (passively: from the 429s its own reads meet, never provoked),
and every read endpoint ttconfig uses, called once, its answer's shape compared with what
the adapters expect (`tt.shapes`). It counts rows the model cannot represent yet, and with
`capture` it writes each answer, credentials scrubbed, for a report to TT or to us.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from ttconfig.desired.loader import load_environment
from ttconfig.errors import UsageError
from ttconfig.files import private_dir, write_private
from ttconfig.models.checks import fold
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.runs.planning import Reach
from ttconfig.runs.probe import check_probe, check_rate_probe, probe_all, probe_rate
from ttconfig.tt import shapes
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, RetryPolicy
from ttconfig.tt.errors import TTError
from ttconfig.tt.http import Answer


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str


@dataclass
class Diagnosis:
    environment: str
    tt_environment: str
    checks: list[Check] = field(default_factory=list)
    requests: int = 0
    captured: Path | None = None

    def add(self, name: str, verdict: Verdict, detail: str) -> None:
        self.checks.append(Check(name, verdict, detail))

    @property
    def healthy(self) -> bool:
        """Everything ttconfig needs is as expected (warnings allowed)."""
        return all(c.verdict is not Verdict.FAIL for c in self.checks)


def doctor_environment(folder: Path, environment: str, reach: Reach,
                       capture: Path | None = None,
                       profile: Mapping[str, str] | None = None,
                       probe_account: str | None = None,
                       probe_rate: bool = False) -> Diagnosis:
    """Check `environment`'s TT as ttconfig will use it. `profile` tries other wire-profile
    switches than environment.yaml's (before changing it). Reads only, unless
    `probe_account` asks for the write probe (UAT, the scratch account only: runs.probe)."""
    config = load_environment(folder)
    if probe_account is not None:
        check_probe(config, probe_account)
    if probe_rate:
        check_rate_probe(config)
    if profile:
        config = config.model_copy(update={"wire_profile": config.wire_profile.model_copy(
            update=dict(profile))})
    diagnosis = Diagnosis(environment, config.tt_environment)
    with ExitStack() as stack:
        try:  # (only entering: the credentials are read and checked there)
            client_config = stack.enter_context(
                reach.connect(reach.options.target(environment, config)))
        except UsageError as error:
            diagnosis.add("credentials", Verdict.FAIL, str(error))
            return diagnosis
        diagnosis.add("credentials", Verdict.OK, "present and well-formed"
                      + ("" if reach.options.sandbox else
                         f" ({config.credentials.app_key_env}, "
                         f"{config.credentials.app_secret_env})"))
        asyncio.run(_examine(client_config, config, diagnosis, capture,
                             probe_account is not None))
        if probe_rate:  # (even after failed reads: 429s are what it explains)
            asyncio.run(_rate(client_config, diagnosis))
    return diagnosis


async def _examine(client_config: ClientConfig, config: EnvironmentConfig,
                   diagnosis: Diagnosis, capture: Path | None, probe: bool) -> None:
    async with TTClient(client_config) as tt:
        answers: list[Answer] = []
        tt.http.answers = answers
        try:
            await tt.http.tokens.get()
        except TTError as error:
            diagnosis.add("token", Verdict.FAIL, error.message)
            return
        lifetime = tt.http.tokens.lifetime or 0
        diagnosis.add("token", Verdict.OK, f"obtained; lifetime {lifetime:,.0f} s")
        if not await _company(tt, config, diagnosis):
            return
        failed = await _read_everything(tt, diagnosis)
        _shapes(answers, failed, diagnosis, client_config.profile.links)
        if probe:
            for name, failure, done in await probe_all(tt, config):
                diagnosis.add(f"write probe: {name}", Verdict.FAIL if failure else Verdict.OK,
                              failure or done)
        _usage_plan(tt, client_config, diagnosis)
        diagnosis.requests = tt.stats.requests
        if capture is not None:
            diagnosis.captured = _capture(answers, capture, tt.http.scrub)


async def _company(tt: TTClient, config: EnvironmentConfig, diagnosis: Diagnosis) -> bool:
    try:
        company = await tt.setup.company()
    except TTError as error:
        diagnosis.add("company", Verdict.FAIL, error.message)
        return False
    if fold(company.name) != fold(config.company):
        diagnosis.add("company", Verdict.FAIL, f"the key belongs to {company.name!r}, but "
                      f"environment.yaml says {config.company!r}")
        return False
    diagnosis.add("company", Verdict.OK, f"{company.name} (id {company.id})")
    return True


async def _read_everything(tt: TTClient, diagnosis: Diagnosis) -> dict[str, str]:
    """Every read ttconfig makes, once (the first object of each listing for the detail
    reads); endpoint → error for those that failed."""
    failed: dict[str, str] = {}

    async def read(call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call()
        except TTError as error:
            failed[shapes.template(error.path)] = str(error)
            return None

    _markets, _, products, accounts, users, user_groups, risk_groups, _, _, company = (
        await asyncio.gather(
            read(tt.reference.markets), read(tt.reference.families),
            read(tt.reference.products),
            read(tt.accounts.list), read(tt.users.list),
            read(tt.user_groups.list), read(tt.risk_groups.list),
            read(tt.setup.order_tag_fields),
            read(tt.setup.order_tag_defaults),
            read(tt.setup.company)))
    details: list[Awaitable[Any]] = []
    if accounts:
        first = accounts[0].id
        details += [read(lambda: tt.accounts.get(first)),
                    read(lambda: tt.accounts.limits(first)),
                    read(lambda: tt.accounts.risk_settings(first)),
                    read(lambda: tt.accounts.restrictions(first)),
                    read(lambda: tt.accounts.users(first)),
                    read(lambda: tt.monitor.product_positions(first)),
                    read(lambda: tt.monitor.contract_positions(first)),
                    read(lambda: tt.monitor.credit(first))]
    if users:
        user = users[0].id
        details += [read(lambda: tt.users.get(user)),
                    read(lambda: tt.users.limits(user))]
    if user_groups:
        details.append(read(lambda: tt.user_groups.users(user_groups[0].id)))
    if risk_groups:
        group = risk_groups[0].id
        details += [read(lambda: tt.risk_groups.accounts(group)),
                    read(lambda: tt.risk_groups.limits(group)),
                    read(lambda: tt.risk_groups.risk_settings(group))]
    if products:
        details.append(read(lambda: tt.reference.instruments(products[0].id)))
    if company is not None:
        details.append(read(lambda: tt.setup.product_margins(company.id)))
    await asyncio.gather(*details)
    return failed


def _shapes(answers: list[Answer], failed: dict[str, str], diagnosis: Diagnosis,
            links: str) -> None:
    """One line per endpoint: read and shaped as expected, or how not."""
    first: dict[str, Answer] = {}
    for answer in answers:
        first.setdefault(shapes.template(answer.path), answer)
    for path in shapes.expected_for(links):
        if path in failed:
            diagnosis.add(path, Verdict.FAIL, failed[path])
            continue
        read = first.get(path)
        if read is None:
            diagnosis.add(path, Verdict.WARN, "not read: nothing listed to read it for")
            continue
        found = shapes.differences(path, read)
        problems = [f"{d.where}: {d.what}" for d in found if d.failure]
        extra = [d.where for d in found if not d.failure]
        if problems:
            diagnosis.add(path, Verdict.FAIL, "; ".join(problems))
        elif extra:
            diagnosis.add(path, Verdict.WARN, "as expected, and keys ttconfig does not read: "
                          + ", ".join(extra))
        else:
            diagnosis.add(path, Verdict.OK, "as expected")


async def _rate(config: ClientConfig, diagnosis: Diagnosis) -> None:
    """`--probe-rate`: the plan's rate tried, and the next one's (runs.probe)."""
    def client(plan: str) -> TTClient:
        return TTClient(replace(config, usage_plan=plan, rate_safety=1.0, max_in_flight=8,
                                retry=RetryPolicy(max_attempts=1)))
    try:
        tried = await probe_rate(client, config.usage_plan)
    except TTError as error:
        diagnosis.add("usage plan (probed)", Verdict.FAIL, str(error))
        return
    said = "; ".join(f"{t.plan} ({t.rate:g}/s): {t.throttled} of {t.sent} throttled"
                     for t in tried)
    if tried[0].throttled:
        diagnosis.add("usage plan (probed)", Verdict.FAIL,
                      f"{said}: the key's real plan is lower than the declared "
                      f"{config.usage_plan!r}")
    elif len(tried) > 1 and not tried[1].throttled:
        diagnosis.add("usage plan (probed)", Verdict.WARN,
                      f"{said}: the key allows at least {tried[1].plan!r}; declare it to "
                      "read faster")
    else:
        diagnosis.add("usage plan (probed)", Verdict.OK, f"{said}: as declared")


def _usage_plan(tt: TTClient, config: ClientConfig, diagnosis: Diagnosis) -> None:
    """Passive: the 429s met by doctor's own reads (it never provokes one)."""
    throttled = tt.stats.statuses.get(429, 0)
    if throttled:
        diagnosis.add("usage plan", Verdict.WARN, f"{throttled} of {tt.stats.requests} answers "
                      f"were 429 at the declared {config.usage_plan!r} plan's rate: the key's "
                      "real plan may be lower (usage_plan in environment.yaml)")
    else:
        diagnosis.add("usage plan", Verdict.OK, f"no 429 in {tt.stats.requests} requests at "
                      f"the declared {config.usage_plan!r} plan's rate (observed, not probed)")


def _capture(answers: list[Answer], directory: Path, scrub: Callable[[str], str]) -> Path:
    """Each endpoint's first answer as JSON, with the credentials and tokens scrubbed."""
    try:
        private_dir(directory)
    except OSError as error:
        raise UsageError(f"--capture {directory}: {error.strerror or error}") from None
    seen: set[str] = set()
    for answer in answers:
        path = shapes.template(answer.path)
        if path in seen:
            continue
        seen.add(path)
        name = path.strip("/").replace("/", "_").replace("{", "").replace("}", "") + ".json"
        text = json.dumps({"request": f"{answer.method} {path}", "answer": dict(answer)},
                          indent=2, ensure_ascii=False)
        try:
            write_private(directory / name, scrub(text) + "\n")
        except OSError as error:
            raise UsageError(f"--capture {directory}: {error.strerror or error}") from None
    return directory


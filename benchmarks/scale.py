"""Benchmark of issue [F]: ttconfig's plan and apply at 100, 1,000 and 5,000 accounts, for
every usage plan at 30 ms simulated latency, beside a naive sequential reader in the same run.

    python benchmarks/scale.py                  # the full run (about 15 min on 2 cores)
    python benchmarks/scale.py --quick          # CI: 100 accounts, high plan (under 60 s)
    python benchmarks/scale.py --accounts 1000 --plans free,high --markdown figures.md

Per firm size:

* The firm. The sandbox seeds N accounts with users, links, limits and groups in
  proportion (ttconfig/sandbox/seed.py). A sandbox child process reads it once, in
  process and unthrottled (not measured), and writes it as YAML as `ttconfig import` does,
  with `--changes` account limit rows tightened (max_order_qty set to 1), so the plan has
  work to do and apply has rows to send.
* Plan, for each usage plan: what `ttconfig plan` does (the company check, the read of the
  YAML's scope `read_live(scope_of(firm))`, naming, diff and plan) over loopback HTTP to a
  sandbox child process that polices the plan's rate and adds 30 ms to every answer.
  Requests are set against the minimum below; the read's wall time against requests ÷
  rate, the floor no reader can beat at that plan.
* The minimum. TT lists every kind of object, but what the YAML declares beyond a
  listing's columns lives in per-object resources that have no bulk endpoint. A plan of
  the YAML therefore needs at least: one token; each listing it uses (company, markets,
  products, accounts, users, user groups, risk groups; order-tag fields and defaults and
  product margins when declared), a request per page of 500; per account, one request for
  each declared part missing from the listing (description → the account's detail,
  limits, risk settings, restrictions); its links, read once per account that declares
  them or once per user (`user/{id}/accounts` carries the same links), whichever is
  fewer; per user, its detail when trade mode, active or settings are declared, and its
  limits when declared; per user group that declares members, its members; per risk
  group, its members (of every group as soon as one declares members: an account is in
  at most one) and its limits when declared; the instruments of every product that has
  contract rows (to name them). Paged resources count a request per page. It is computed
  from the YAML and the firm's counts, not from ttconfig's own read scope.
* Local compute: load and validate the YAML, name live as the YAML does, diff, plan, and
  render text, markdown and json, from a live firm in memory (no network, not scaled).
* Peak memory: `resource.getrusage(RUSAGE_SELF).ru_maxrss` of this process after each size
  (tracemalloc is not used: it slows every allocation). The sandbox and the naive
  reader run in child processes and are not counted; sizes run in ascending order, so
  each figure is that size's high-water mark: interpreter, YAML firm, live firm, plan.
* Apply: the plan through `Applier`, as `ttconfig apply --target` the tightened accounts
  does (one POST per ≤ 20 rows of an account, TT's 1 s pause after each
  acknowledgement), then its read-back of those accounts, after which their plan must be
  empty; every POST must have gone to their limits, so the whole firm's plan is empty too.
  POSTs against Σ ⌈rows ÷ 20⌉ per owner (a limit row belongs to one account, so ⌈all
  rows ÷ 20⌉ is reachable only when one account holds them all); the wall time from the
  start to the last step's answer against the POSTs' own time, (POSTs − 1) × 1 s +
  POSTs × round trip (the issue's POSTs × (1 s + round trip) counts one pause too many:
  nothing comes before the first POST).
* The naive baseline: a reader a firm would write by hand (plain httpx, one request at a
  time, TT's sample 333 ms sleep between requests) reading the same resources as ttconfig
  from the same sandbox at the same latency, in its own process, just before ttconfig's
  reads. (Run alongside them, the two disturbed each other badly on 2 cores.)

Time scaling. At 5,000 accounts a free-plan read takes hours, so a run can be time-scaled ×K:
the sandbox's rate ×K and the client's ×K (through its `rate_safety`); latency, POST
pauses, retry backoff and the naive reader's 333 ms ÷K. Requests in flight (rate ×
latency) stay what they would be in real time. The wall time measured ×K is reported as
the estimate, labelled "×K". Local work (parsing, the client's and the sandbox's own CPU,
waking up from sleeps) is not scaled, so a scaled figure counts it K times: scaled figures
are pessimistic, the more so the larger K. `--time-scale auto` (the default) runs every
ttconfig read at K = `--scaled-rps` ÷ the plan's rate (400 req/s: free ×133, high ×16), under
the ~470 req/s this machine's client and sandbox manage together, so every read's
wall ÷ floor is comparable. The naive reader and apply work one request at a time, so this
machine's time per request (a few ms) weighs on them most. Apply, a few dozen POSTs, runs
at `--apply-scale` (×10). The naive reader, tens of thousands of requests, runs at
`--naive-scale` (×50) to keep the full run under 15 minutes, which makes its estimate the
most pessimistic figure: its floor, (requests − 1) × 333 ms + requests × latency, is
printed beside it, and "naive floor ÷ this" divides that floor by ttconfig's estimate, so
the comparison never flatters ttconfig. `--time-scale K` uses one K for everything;
`--time-scale 1` is real time.

Invariants (exit status 1 when one fails; timings never fail the run): no 429, other
non-200 answer or retry for ttconfig's reads, its apply or the naive reader; no reader
below the minimum; no read faster than the scaled rate allows (rate × (wall + the 1 s
burst)); the plan holds exactly the tightened rows; apply completes, sends exactly
Σ ⌈rows ÷ 20⌉ POSTs, and the plan after it is empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from ttconfig.core.plan import Plan
from ttconfig.core.selection import select
from ttconfig.desired.loader import load_firm
from ttconfig.desired.writer import render_new
from ttconfig.live.read import LiveFirm, read_live, scope_of, to_models
from ttconfig.models import DECLARED, Firm
from ttconfig.models.checks import fold
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text
from ttconfig.runs.apply.applier import Applier
from ttconfig.runs.audit import AuditLog
from ttconfig.runs.planning import check_company, plan_from
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES, SandboxSettings, UsagePlan
from ttconfig.tt import wire
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.secret import Secret

Json = dict[str, Any]

TT_ENVIRONMENT = "ext_uat_cert"
ENVIRONMENT = "uat"
ENVIRONMENT_YAML = """\
tt_environment: ext_uat_cert
company: Harbor Point Trading
credentials: {app_key_env: TT_UAT_APP_KEY, app_secret_env: TT_UAT_APP_SECRET}
usage_plan: high
company_settings: {advanced_risk: true, market_impact: true}
"""
NAIVE_PAUSE = 0.333
"""TT's sample code sleeps this long between requests."""
POST_PAUSE = 1.0
BURST_SECONDS = 1.0
UNTHROTTLED = 1_000_000.0
UNLIMITED_QUOTA = 10**9
"""The sandbox's daily quota during the benchmark; TT's real one is reported beside."""
DEFAULTS = ClientConfig(environment=TT_ENVIRONMENT,
                        credentials=Credentials(Secret("-"), Secret("-")))
PLAN_RATES = {name: rate for name, (rate, _quota) in wire.USAGE_PLANS.items()}
PLAN_QUOTAS = {name: quota for name, (_rate, quota) in wire.USAGE_PLANS.items()}


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds the table only."""
    print(message, file=sys.stderr, flush=True)


# --- time scaling --------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """One run's clock: TT's rates ×k; its latency, pauses and backoff ÷k."""

    k: float
    latency_ms: float

    @property
    def label(self) -> str:
        return "real time" if self.k == 1 else f"×{self.k:g}"

    def sandbox_settings(self, plan: str, rate: float) -> Json:
        """The control-endpoint body that puts the sandbox on this clock at `plan`."""
        return {"usage_plan_override": plan,
                "usage_plans": {plan: {"requests_per_second": rate * self.k,
                                       "daily_quota": UNLIMITED_QUOTA}},
                "latency_ms": self.latency_ms / self.k,
                "post_pause_seconds": POST_PAUSE / self.k, "burst_seconds": BURST_SECONDS}

    def retry(self) -> RetryPolicy:
        base = DEFAULTS.retry
        return RetryPolicy(max_attempts=base.max_attempts, base_seconds=base.base_seconds / self.k,
                           cap_seconds=base.cap_seconds / self.k,
                           max_retry_after_seconds=base.max_retry_after_seconds / self.k,
                           budget=base.budget)


@dataclass(frozen=True)
class Scaling:
    """Which K each run gets (see the module docstring)."""

    fixed: float | None
    scaled_rps: float
    naive: float
    apply: float
    latency_ms: float

    def read(self, plan: str) -> Timing:
        k = self.fixed or max(1, round(self.scaled_rps / PLAN_RATES[plan]))
        return Timing(k, self.latency_ms)

    def naive_timing(self) -> Timing:
        return Timing(self.fixed or self.naive, self.latency_ms)

    def apply_timing(self) -> Timing:
        return Timing(self.fixed or self.apply, self.latency_ms)


# --- child processes: the sandbox and the naive reader ------------------------------------


def _child(worker: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", worker],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _end(child: subprocess.Popen[str]) -> None:
    """Let a child finish (its stdin is closed), or stop it: only our own child, by pid."""
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class SandboxProcess:
    """A sandbox in a child process, so its CPU and memory are not the benchmark's."""

    def __init__(self, accounts: int, folder: Path | None = None, changes: int = 0) -> None:
        self._child = _child("sandbox")
        stdin, stdout = self._pipes()
        stdin.write(json.dumps({"accounts": accounts, "changes": changes,
                                "folder": None if folder is None else str(folder)}) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            _end(self._child)
            raise RuntimeError("the sandbox child process failed to start (see stderr)")
        info = json.loads(line)
        self.base_url: str = info["base_url"]
        self.credentials = Credentials(Secret(info.pop("key")), Secret(info.pop("secret")))
        self.firm: Json = info
        self._http = httpx.Client(base_url=self.base_url, timeout=60)

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self._child.stdin is not None
        assert self._child.stdout is not None
        return self._child.stdin, self._child.stdout

    def configure(self, settings: Json) -> Json:
        answer = self._http.post("/_sandbox/settings", json=settings)
        answer.raise_for_status()
        return dict(answer.json()["settings"])

    def api_posts(self) -> list[str]:
        """The paths of every POST a client made (web-UI edits are not the client's)."""
        writes = self._http.get("/_sandbox/writes").json()["writes"]
        return [w["path"] for w in writes if w["method"] == "POST" and w["source"] == "api"]

    def close(self) -> None:
        self._http.close()
        self._pipes()[0].close()
        _end(self._child)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def sandbox_worker() -> None:
    """The child: seed, optionally write the firm's YAML, serve until stdin closes."""
    spec = json.loads(sys.stdin.readline())
    plans = {name: UsagePlan(UNTHROTTLED, UNLIMITED_QUOTA) for name in USAGE_PLAN_NAMES}
    sandbox = Sandbox(settings=SandboxSettings(usage_plans=plans, usage_plan_override="high"),
                      accounts=spec["accounts"])
    report: Json = {}
    if spec["folder"] is not None:
        report = asyncio.run(write_firm(sandbox, Path(spec["folder"]), spec["changes"]))
    sandbox.start()
    try:
        key, secret = sandbox.credentials(TT_ENVIRONMENT)
        print(json.dumps({"base_url": sandbox.base_url, "key": key, "secret": secret,
                          "page_size": sandbox.settings.page_size, **report}), flush=True)
        sys.stdin.read()
    finally:
        sandbox.stop()


async def write_firm(sandbox: Sandbox, folder: Path, changes: int) -> Json:
    """Read the seeded firm in process and write it as `import` does, `changes` rows tighter."""
    started = time.monotonic()
    key, secret = sandbox.credentials(TT_ENVIRONMENT)
    # in process, no socket: a loopback URL, as http:// goes nowhere else with credentials
    config = ClientConfig(environment=TT_ENVIRONMENT, base_url="http://127.0.0.1",
                          usage_plan="high", rate_safety=UNTHROTTLED,
                          credentials=Credentials(Secret(key), Secret(secret)))
    transport = httpx.ASGITransport(app=sandbox.app)
    async with TTClient(config, transport=transport) as tt:
        live = await read_live(tt)
    models = {kind: [m.declared() for m in items] for kind, items in to_models(live).items()}
    tightened = tighten(models["accounts"], changes)
    folder.mkdir(parents=True)
    (folder / "environment.yaml").write_text(ENVIRONMENT_YAML)
    for spec in DECLARED:
        items = [spec.model.model_validate(data) for data in models[spec.kind]]
        (folder / f"{spec.file_stem}.yaml").write_text(render_new(spec, items))
    return {"tightened": tightened, "seconds": time.monotonic() - started,
            "yaml_bytes": sum(p.stat().st_size for p in folder.iterdir())}


def _limit_rows(account: Json) -> list[Json]:
    limits = account.get("limits") or {}
    return [*limits.get("products", []), *limits.get("contracts", [])]


def tighten(accounts: list[Json], changes: int) -> dict[str, int]:
    """Set max_order_qty to 1 on `changes` rows, accounts with the most rows first (so some
    owners need more than one POST); rows at 0 or 1 are skipped (1 would be no change, and
    0 → 1 a loosening). Returns the rows tightened per account."""
    tightened: dict[str, int] = {}
    left = changes
    for account in sorted(accounts, key=lambda a: (-len(_limit_rows(a)), a["name"])):
        for row in _limit_rows(account):
            if left == 0:
                return tightened
            if row.get("max_order_qty") not in (0, 1):
                row["max_order_qty"] = 1
                tightened[account["name"]] = tightened.get(account["name"], 0) + 1
                left -= 1
    return tightened


# --- what a plan of the YAML needs, and the minimum ----------------------------------------

ACCOUNT_PARTS = {"description": "detail", "limits": "limits", "risk_settings": "risksettings",
                 "restrictions": "restrictions", "users": "users"}
"""Declared account fields the listing lacks → the per-account resource that holds them."""
USER_PARTS = {"trade_mode": "detail", "active": "detail", "settings": "detail",
              "limits": "limits"}
RISK_GROUP_PARTS = {"accounts": "accounts", "limits": "limits"}


@dataclass(frozen=True)
class Needs:
    """The per-object resources a plan of the YAML must read, by folded name."""

    accounts: dict[str, list[str]]
    users: dict[str, list[str]]
    user_groups: list[str]
    risk_groups: dict[str, list[str]]
    every_risk_group_members: bool
    margins: bool
    defaults: bool


def _parts(data: Mapping[str, Any], table: Mapping[str, str]) -> list[str]:
    return sorted({table[name] for name in data if name in table})


def needs_of(firm: Firm) -> Needs:
    linked = {fold(link["account"]) for user in firm.users
              for link in user.declared().get("accounts", [])}
    accounts = {fold(a.name): _parts(a.declared(), ACCOUNT_PARTS) for a in firm.accounts}
    for name in linked:
        accounts[name] = sorted({*accounts.get(name, []), "users"})
    risk_groups = {fold(g.name): _parts(g.declared(), RISK_GROUP_PARTS)
                   for g in firm.risk_groups}
    return Needs(
        accounts=accounts,
        users={fold(u.email): _parts(u.declared(), USER_PARTS) for u in firm.users},
        user_groups=[fold(g.name) for g in firm.user_groups if "users" in g.declared()],
        risk_groups=risk_groups,
        every_risk_group_members=any("accounts" in p for p in risk_groups.values()),
        margins=bool(firm.product_margins), defaults=bool(firm.order_tag_defaults))


@dataclass(frozen=True)
class Minimum:
    """The fewest requests a plan of the YAML can make, by part."""

    listings: int
    accounts: int
    links: int
    links_per_account: int
    links_per_user: int
    users: int
    groups: int
    instruments: int

    @property
    def total(self) -> int:
        return (self.listings + self.accounts + self.links + self.users + self.groups
                + self.instruments)


def minimum(needs: Needs, live: LiveFirm, page: int) -> Minimum:
    def pages(count: int) -> int:
        return max(1, math.ceil(count / page))

    listings = (1 + 1 + 1 + pages(len(live.products)) + pages(len(live.accounts))  # token,
                + pages(len(live.users)) + pages(len(live.user_groups))  # company, markets
                + pages(len(live.risk_groups)))
    if needs.defaults:
        listings += pages(len(live.fields)) + pages(len(live.defaults))
    if needs.margins:
        listings += pages(len(live.margins))
    per_account = [(a, needs.accounts.get(fold(a.account.name), [])) for a in live.accounts]
    linked = [a for a, parts in per_account if "users" in parts]
    by_account = sum(pages(len(a.links or [])) for a in linked)
    links_of: Counter[int] = Counter(link.user_id for a in live.accounts for link in a.links or [])
    by_user = sum(pages(links_of[u.id]) for u in live.users)
    return Minimum(
        listings=listings,
        accounts=sum(len(parts) - ("users" in parts) for _a, parts in per_account),
        links=min(by_account, by_user), links_per_account=by_account, links_per_user=by_user,
        users=sum(len(needs.users.get(fold(u.email), [])) for u in live.users),
        groups=_group_reads(needs, live, pages), instruments=_instrument_reads(live, pages))


def _group_reads(needs: Needs, live: LiveFirm, pages: Callable[[int], int]) -> int:
    reads = sum(pages(len(members or [])) for group, members in live.user_groups
                if fold(group.name) in needs.user_groups)
    for live_group in live.risk_groups:
        parts = needs.risk_groups.get(fold(live_group.group.name), [])
        if needs.every_risk_group_members or "accounts" in parts:
            reads += pages(len(live_group.members or []))
        reads += 2 * ("limits" in parts)  # its limits and its risk settings are read together
    return reads


def _instrument_reads(live: LiveFirm, pages: Callable[[int], int]) -> int:
    limit_sets = [*(a.limits for a in live.accounts), *(u.limits for u in live.users),
                  *(g.limits for g in live.risk_groups)]
    products = {row.scope.product_id for limits in limit_sets if limits is not None
                for row in limits.contract_limits if row.scope.product_id is not None}
    per_product = Counter(i.product_id for i in live.instruments)
    return sum(pages(per_product[p]) for p in products)


# --- the naive reader (runs in a child process) ---------------------------------------------

ACCOUNT_PATHS = {"detail": ("account/{id}", None), "limits": ("account/{id}/limits",
                                                               "accountLimits"),
                 "risksettings": ("account/{id}/risksettings", None),
                 "restrictions": ("account/{id}/restrictions", None),
                 "users": ("account/{id}/users", "users")}
USER_PATHS = {"detail": ("user/{id}", None), "limits": ("user/{id}/limits", "userLimits")}
RISK_GROUP_PATHS = {"accounts": ("riskgroup/{id}/accounts", "accounts"),
                    "limits": ("riskgroup/{id}/limits", "riskGroupLimits")}


class NaiveReader:
    """What a firm writes by hand: plain httpx, one request at a time, 333 ms apart."""

    def __init__(self, spec: Json) -> None:
        self.http = httpx.Client(base_url=spec["base_url"], timeout=60)
        self.environment, self.pause = TT_ENVIRONMENT, float(spec["pause"])
        self.key, self.secret = spec["key"], spec["secret"]
        self.headers: dict[str, str] = {"x-api-key": self.key}
        self.requests, self.statuses = 0, Counter[int]()
        self.products: set[str] = set()

    def _send(self, method: str, path: str, params: Mapping[str, str] | None = None,
              data: Mapping[str, str] | None = None) -> Json:
        if self.requests:
            time.sleep(self.pause)
        query = {**(params or {}), "requestId": f"naive-harborpoint--{uuid.uuid4()}"}
        answer = self.http.request(method, f"/{path.split('/', 1)[0]}/{self.environment}/"
                                   f"{path.split('/', 1)[1]}", params=query,
                                   headers=self.headers, data=data)
        self.requests += 1
        self.statuses[answer.status_code] += 1
        return dict(answer.json()) if answer.status_code == 200 else {}

    def token(self) -> None:
        body = self._send("POST", "ttid/token", data={"grant_type": "user_app",
                                                     "app_key": f"{self.key}:{self.secret}"})
        self.headers["Authorization"] = f"Bearer {body.get('access_token', '')}"

    def paged(self, path: str, key: str, params: Mapping[str, str] | None = None) -> list[Json]:
        items: list[Json] = []
        query = dict(params or {})
        while True:
            body = self._send("GET", path, query)
            items += body.get(key) or []
            if str(body.get("lastPage", True)).lower() != "false":
                return items
            query["nextPageKey"] = str(body["nextPageKey"])

    def part(self, service: str, template: tuple[str, str | None], object_id: int) -> None:
        path, key = template
        full = f"{service}/{path.format(id=object_id)}"
        items = [self._send("GET", full)] if key is None else self.paged(full, key)
        self.products |= {str(row["productId"]) for item in items
                          for row in (item.get("riskLimits") or {}).get("contractLimits") or []}

    def read(self, needs: Json) -> None:
        """The listings, then every per-object resource the YAML needs, then instruments."""
        self.token()
        company = self._send("GET", "ttsetup/company")["company"][0]
        self._send("GET", "ttpds/markets")
        self.paged("ttpds/products", "products")
        if needs["defaults"]:
            self.paged("ttsetup/ordertagdefaults/fields", "fields")
            self.paged("ttsetup/ordertagdefaults", "orderTagDefaults")
        accounts = {fold(a["name"]): a["id"] for a in self.paged("ttaccount/accounts",
                                                                  "accounts")}
        users = {fold(u["email"]): u["id"] for u in self.paged("ttuser/users", "users")}
        user_groups = self.paged("ttgroup/usergroups", "userGroups")
        risk_groups = self.paged("ttgroup/riskgroups", "riskGroups")
        if needs["margins"]:
            self.paged(f"ttsetup/company/productmargin/{company['id']}", "productMargins")
        for name, parts in needs["accounts"].items():
            for part in parts:
                self.part("ttaccount", ACCOUNT_PATHS[part], accounts[name])
        for email, parts in needs["users"].items():
            for part in parts:
                self.part("ttuser", USER_PATHS[part], users[email])
        self._groups(needs, user_groups, risk_groups)
        for product in sorted(self.products):
            self.paged("ttpds/instruments", "instruments", {"productId": product})

    def _groups(self, needs: Json, user_groups: list[Json], risk_groups: list[Json]) -> None:
        for group in user_groups:
            if fold(group["name"]) in needs["user_groups"]:
                self.part("ttgroup", ("usergroup/{id}/users", "users"), group["id"])
        for group in risk_groups:
            parts = set(needs["risk_groups"].get(fold(group["name"]), []))
            if needs["every_risk_group_members"]:
                parts.add("accounts")
            for part in sorted(parts):
                self.part("ttgroup", RISK_GROUP_PATHS[part], group["id"])


def naive_worker() -> None:
    spec = json.loads(sys.stdin.read())
    reader = NaiveReader(spec)
    started = time.monotonic()
    try:
        reader.read(spec["needs"])
    finally:
        wall = time.monotonic() - started
        reader.http.close()
        print(json.dumps({"requests": reader.requests, "wall": wall,
                          "statuses": {str(k): v for k, v in reader.statuses.items()}}),
              flush=True)


class NaiveProcess:
    """The naive reader in its own process: its blocking calls stay out of our event loop."""

    def __init__(self, sandbox: SandboxProcess, needs: Needs, timing: Timing) -> None:
        self.timing = timing
        self._child = _child("naive")
        spec = {"base_url": sandbox.base_url, "pause": NAIVE_PAUSE / timing.k,
                "key": sandbox.credentials.app_key.reveal(),
                "secret": sandbox.credentials.app_secret.reveal(), "needs": asdict(needs)}
        assert self._child.stdin is not None
        self._child.stdin.write(json.dumps(spec))
        self._child.stdin.close()

    def result(self) -> ReadRun:
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        _end(self._child)
        if not line:
            raise RuntimeError("the naive reader failed (see stderr)")
        data = json.loads(line)
        statuses = Counter({int(k): v for k, v in data["statuses"].items()})
        requests = int(data["requests"])
        floor = max(0, requests - 1) * NAIVE_PAUSE + requests * self.timing.latency_ms / 1000
        return ReadRun("naive", "any", self.timing.k, requests, statuses, 0, data["wall"],
                       floor)


# --- ttconfig's runs ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadRun:
    """One read of the firm: by ttconfig at a usage plan, or by the naive reader."""

    reader: str
    plan: str
    k: float
    requests: int
    statuses: Counter[int]
    retries: int
    wall: float
    """Seconds measured (on the scaled clock)."""
    floor: float
    """Real seconds no such reader can beat: requests ÷ rate, or the naive reader's sleeps."""
    compute: float = 0.0
    """Naming, diff and plan after the read (not scaled)."""

    @property
    def estimate(self) -> float:
        return self.wall * self.k

    @property
    def not_ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)


def client_config(sandbox: SandboxProcess, plan: str, timing: Timing, *,
                  unthrottled: bool = False) -> ClientConfig:
    safety = UNTHROTTLED if unthrottled else DEFAULTS.rate_safety * timing.k
    return ClientConfig(environment=TT_ENVIRONMENT, base_url=sandbox.base_url,
                        usage_plan=plan, rate_safety=safety, company_name="Harbor Point",
                        post_pause_seconds=POST_PAUSE / timing.k,
                        credentials=sandbox.credentials, retry=timing.retry())


async def plan_read(sandbox: SandboxProcess, firm: Firm, plan_name: str,
                    timing: Timing) -> tuple[ReadRun, LiveFirm, Plan]:
    """What `ttconfig plan` does before the policy: check the company, read, diff, plan."""
    async with TTClient(client_config(sandbox, plan_name, timing)) as tt:
        started = time.monotonic()
        check_company(firm, (await tt.setup.company()).name)
        live = await read_live(tt, scope_of(firm))
        wall = time.monotonic() - started
        stats = tt.stats
    computing = time.perf_counter()
    plan = plan_from(firm, ENVIRONMENT, live, live_models=to_models(live))
    compute = time.perf_counter() - computing
    run = ReadRun("ttconfig", plan_name, timing.k, stats.requests, Counter(stats.statuses),
                  stats.retries, wall, stats.requests / PLAN_RATES[plan_name], compute)
    return run, live, plan


@dataclass(frozen=True)
class ApplyRun:
    rows: int
    owners: int
    posts: int
    stray_posts: int
    """POSTs to anything but a tightened account's limits."""
    minimum_posts: int
    plan_requests: int
    k: float
    wall: float
    latency_ms: float
    statuses: Counter[int]
    retries: int
    failure: str | None
    leftover: int

    @property
    def estimate(self) -> float:
        return self.wall * self.k

    @property
    def expected(self) -> float:
        """The POSTs' own time: a round trip each, and TT's pause between two of them. (The
        issue's POSTs × (1 s + round trip) counts a pause before the first one too.)"""
        return max(0, self.posts - 1) * POST_PAUSE + self.posts * self.latency_ms / 1000


async def apply_plan(sandbox: SandboxProcess, firm: Firm, live: LiveFirm, plan: Plan,
                     tightened: Mapping[str, int], timing: Timing, audit: Path) -> ApplyRun:
    """`ttconfig apply --target` the tightened accounts: steps timed from the start to the
    last step's answer, then the read-back of the targeted accounts, which must be clean.
    With every POST going to those accounts (checked), that makes the whole plan empty."""
    before = len(sandbox.api_posts())
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        if done == total:
            marks["steps"] = time.monotonic()

    selection = select(firm, [f"accounts:{name}" for name in tightened], [])
    async with TTClient(client_config(sandbox, "high", timing, unthrottled=True)) as tt:
        applier = Applier(tt, firm, ENVIRONMENT, live, AuditLog(audit, {}),
                          settle_seconds=2.0 / timing.k, progress=progress, selection=selection)
        started = time.monotonic()
        result = await applier.apply(plan)
        stats = tt.stats
    ids = {a.account.name: a.account.id for a in live.accounts}
    wanted = {f"/ttaccount/{TT_ENVIRONMENT}/account/{ids[name]}/limits" for name in tightened}
    posts = sandbox.api_posts()[before:]
    return ApplyRun(rows=sum(tightened.values()), owners=len(tightened), posts=len(posts),
                    stray_posts=sum(1 for path in posts if path not in wanted),
                    minimum_posts=sum(math.ceil(n / wire.MAX_POST_ITEMS)
                                      for n in tightened.values()),
                    plan_requests=plan.summary.requests, k=timing.k,
                    wall=marks.get("steps", started) - started, latency_ms=timing.latency_ms,
                    statuses=Counter(stats.statuses), retries=stats.retries,
                    failure=result.failure, leftover=len(result.diverged))


@dataclass(frozen=True)
class Compute:
    load: float
    plan: float
    render: float
    changes: int

    @property
    def total(self) -> float:
        return self.load + self.plan + self.render


def local_compute(folder: Path, live: LiveFirm) -> Compute:
    """Load + validate, name, diff, plan, render: all a plan does but the network."""
    started = time.perf_counter()
    firm = load_firm(folder)
    loaded = time.perf_counter()
    plan = plan_from(firm, ENVIRONMENT, live, live_models=to_models(live))
    planned = time.perf_counter()
    for render in (render_text, render_markdown, render_json):
        render(plan)
    return Compute(loaded - started, planned - loaded, time.perf_counter() - planned,
                   len(plan.changes))


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes / KiB


# --- one firm size -------------------------------------------------------------------------


@dataclass
class SizeFigures:
    accounts: int
    users: int = 0
    limit_rows: int = 0
    risk_groups: int = 0
    yaml_bytes: int = 0
    planned_rows: int = 0
    tightened: dict[str, int] = field(default_factory=dict)
    minimum: Minimum | None = None
    reads: list[ReadRun] = field(default_factory=list)
    naive: ReadRun | None = None
    apply: ApplyRun | None = None
    compute: Compute | None = None
    rss_mib: float = 0.0


@dataclass(frozen=True)
class Options:
    accounts: list[int]
    plans: list[str]
    changes: int
    scaling: Scaling


def _plan_rows(plan: Plan) -> int:
    return sum(len(step.items) for step in plan.steps if step.operation == "upsert limit rows")


def _describe_firm(figures: SizeFigures, live: LiveFirm) -> None:
    figures.users = len(live.users)
    figures.risk_groups = len(live.risk_groups)
    figures.limit_rows = sum(len(limits.product_limits) + len(limits.contract_limits)
                             for limits in (*(a.limits for a in live.accounts),
                                            *(u.limits for u in live.users),
                                            *(g.limits for g in live.risk_groups))
                             if limits is not None)


def _configure(box: SandboxProcess, timing: Timing, plan: str, rate: float) -> None:
    """Put the sandbox on the run's clock, and check from its answer that it is."""
    wanted = timing.sandbox_settings(plan, rate)
    now = box.configure(wanted)
    in_force = (now["usage_plan_override"], now["usage_plans"][plan]["requests_per_second"],
                now["latency_ms"], now["post_pause_seconds"])
    if in_force != (plan, rate * timing.k, wanted["latency_ms"], wanted["post_pause_seconds"]):
        raise RuntimeError(f"the sandbox did not take the scaled settings: {in_force}")


def _read_plans(box: SandboxProcess, firm: Firm, options: Options,
                figures: SizeFigures) -> tuple[LiveFirm, Plan]:
    live: LiveFirm | None = None
    plan: Plan | None = None
    for plan_name in options.plans:
        timing = options.scaling.read(plan_name)
        _configure(box, timing, plan_name, PLAN_RATES[plan_name])
        run, live, plan = asyncio.run(plan_read(box, firm, plan_name, timing))
        figures.reads.append(run)
        log(f"  plan read at {plan_name} {timing.label}: {run.requests:,} requests, "
            f"{run.not_ok} not 200, {run.wall:.1f} s measured → {run.estimate:,.0f} s "
            f"(floor {run.floor:,.0f} s)")
    assert live is not None
    assert plan is not None
    return live, plan


def _apply(box: SandboxProcess, firm: Firm, live: LiveFirm, plan: Plan, options: Options,
           figures: SizeFigures, tmp: Path) -> None:
    timing = options.scaling.apply_timing()
    _configure(box, timing, "high", UNTHROTTLED)
    figures.apply = asyncio.run(apply_plan(box, firm, live, plan, figures.tightened, timing,
                                           tmp / "audit" / "uat.jsonl"))
    a = figures.apply
    log(f"  apply {timing.label}: {a.posts} POSTs for {a.rows} rows, {a.wall:.1f} s measured "
        f"→ {a.estimate:,.0f} s; plan after apply: {a.leftover} changes")


def _naive(box: SandboxProcess, needs: Needs, options: Options) -> ReadRun:
    timing = options.scaling.naive_timing()
    _configure(box, timing, "free", PLAN_RATES["free"])
    run = NaiveProcess(box, needs, timing).result()
    log(f"  naive reader {timing.label}: {run.requests:,} requests, {run.wall:.1f} s "
        f"measured → {run.estimate:,.0f} s (floor {run.floor:,.0f} s)")
    return run


def measure(accounts: int, options: Options) -> SizeFigures:
    figures = SizeFigures(accounts)
    log(f"[{accounts:,} accounts] seeding the sandbox and writing the firm's YAML …")
    with tempfile.TemporaryDirectory(prefix="ttconfig-scale-") as name:
        tmp = Path(name)
        folder = tmp / ENVIRONMENT
        with SandboxProcess(accounts, folder, options.changes) as box:
            figures.yaml_bytes = int(box.firm["yaml_bytes"])
            figures.tightened = dict(box.firm["tightened"])
            log(f"  YAML written in {box.firm['seconds']:.1f} s")
            firm = load_firm(folder)
            needs = needs_of(firm)
            figures.naive = _naive(box, needs, options)
            live, plan = _read_plans(box, firm, options, figures)
            figures.planned_rows = _plan_rows(plan)
            _describe_firm(figures, live)
            figures.minimum = minimum(needs, live, int(box.firm["page_size"]))
            _apply(box, firm, live, plan, options, figures, tmp)
        figures.compute = local_compute(folder, live)
    figures.rss_mib = peak_rss_mib()
    return figures


# --- invariants ----------------------------------------------------------------------------


def _read_problems(figures: SizeFigures, run: ReadRun) -> Iterator[str]:
    where = f"{figures.accounts:,} accounts, {run.reader} at {run.plan}"
    assert figures.minimum is not None
    if run.not_ok or run.retries:
        yield f"{where}: {run.not_ok} answers not 200 ({dict(run.statuses)}), {run.retries} retries"
    if run.requests < figures.minimum.total:
        yield f"{where}: {run.requests} requests, below the minimum {figures.minimum.total}"
    if run.reader == "ttconfig":
        allowed = PLAN_RATES[run.plan] * run.k * (run.wall + BURST_SECONDS) + 1
        if run.requests > allowed:
            yield f"{where}: {run.requests} requests in {run.wall:.2f} s beat the scaled rate"


def _apply_problems(figures: SizeFigures, run: ApplyRun) -> Iterator[str]:
    where = f"{figures.accounts:,} accounts, apply"
    not_ok = sum(n for status, n in run.statuses.items() if status != 200)
    if run.failure is not None or run.leftover:
        yield f"{where}: failure {run.failure!r}, {run.leftover} changes left after apply"
    if not_ok or run.retries:
        yield f"{where}: {not_ok} answers not 200 ({dict(run.statuses)}), {run.retries} retries"
    if run.stray_posts:
        yield f"{where}: {run.stray_posts} POSTs to something else than the tightened limits"
    if not run.posts == run.minimum_posts == run.plan_requests:
        yield (f"{where}: {run.posts} POSTs sent, {run.plan_requests} planned, "
               f"Σ⌈rows ÷ 20⌉ = {run.minimum_posts}")


def problems(figures: SizeFigures) -> list[str]:
    found: list[str] = []
    if figures.planned_rows != sum(figures.tightened.values()):
        found.append(f"{figures.accounts:,} accounts: the plan holds {figures.planned_rows} "
                     f"rows, {sum(figures.tightened.values())} were tightened")
    for run in [*figures.reads, *([figures.naive] if figures.naive else [])]:
        found += _read_problems(figures, run)
    if figures.apply is not None:
        found += _apply_problems(figures, figures.apply)
    return found


# --- the report ----------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds < 100:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{int(seconds // 3600)} h {round(seconds % 3600 / 60):02d} min"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(head: Sequence[str], align: str, rows: Sequence[Sequence[object]]) -> list[str]:
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
    return [_row(head), rule, *(_row(r) for r in rows), ""]


def firm_table(sizes: Sequence[SizeFigures]) -> list[str]:
    rows = []
    for s in sizes:
        c = s.compute
        assert c is not None
        rows.append([f"{s.accounts:,}", f"{s.users:,}", f"{s.limit_rows:,}", s.risk_groups,
                     f"{s.yaml_bytes / 2**20:.1f} MiB",
                     f"{s.planned_rows} rows in {c.changes} accounts", f"{c.load:.2f} s",
                     f"{c.plan:.2f} s", f"{c.render:.2f} s", f"**{c.total:.2f} s**",
                     f"{s.rss_mib:.0f} MiB"])
    return _table(["accounts", "users", "limit rows", "risk groups", "YAML", "plan", "load",
                   "name + diff + plan", "render ×3", "local compute", "peak RSS"],
                  "rrrrrrrrrrr", rows)


def _naive_cells(s: SizeFigures, n: ReadRun, minimum: int) -> list[object]:
    return [f"{s.accounts:,}", "naive: 1 at a time, 333 ms apart", "any (≤ 3/s)",
            f"×{n.k:g}", f"{n.requests:,}", f"{minimum:,}", f"{n.requests / minimum:.3f}",
            f"{n.statuses[429]} / 0", duration(n.estimate), duration(n.floor),
            f"{n.estimate / n.floor:.3f}", "—", "—", "—"]


def _read_cells(s: SizeFigures, r: ReadRun, minimum: int, naive: ReadRun) -> list[object]:
    total = r.estimate + r.compute
    per_day = PLAN_QUOTAS[r.plan] // r.requests
    return [f"{s.accounts:,}", "ttconfig plan", f"{r.plan} ({PLAN_RATES[r.plan]:g}/s)",
            f"×{r.k:g}", f"{r.requests:,}", f"{minimum:,}", f"{r.requests / minimum:.3f}",
            f"{r.statuses[429]} / {r.retries}", duration(r.estimate), duration(r.floor),
            f"{r.estimate / r.floor:.3f}", duration(total),
            str(per_day) if per_day else "**0: over quota**", f"{naive.floor / total:.1f}×"]


def read_table(sizes: Sequence[SizeFigures]) -> list[str]:
    rows = []
    for s in sizes:
        assert s.minimum is not None
        assert s.naive is not None
        rows += [_read_cells(s, r, s.minimum.total, s.naive) for r in s.reads]
        rows.append(_naive_cells(s, s.naive, s.minimum.total))
    return _table(["accounts", "reader", "usage plan", "scale", "requests", "minimum",
                   "÷ min", "429s / retries", "read wall (est.)", "floor", "÷ floor",
                   "plan total", "plans/day in TT's quota", "naive floor ÷ this"],
                  "rlllrrrrrrrrrr", rows)


def naive_notes(sizes: Sequence[SizeFigures]) -> list[str]:
    """Why the naive reader's estimate exceeds its floor: this machine's time per request."""
    notes = []
    for s in sizes:
        n = s.naive
        assert n is not None
        extra = (n.wall - n.floor / n.k) / n.requests
        notes.append(f"{s.accounts:,} accounts: beyond its scaled sleeps and latency, the "
                     f"naive reader spent {extra * 1000:.1f} ms per request on this machine "
                     f"(client, sandbox, scheduling), counted ×{n.k:g} in its estimate.")
    return ["Naive reader: its floor is what it takes against TT; its estimate adds this "
            "machine's own time per request, ×K:", "", *(f"- {n}" for n in notes), ""]


def minimum_notes(sizes: Sequence[SizeFigures]) -> list[str]:
    """Where ttconfig's reads go beyond the minimum."""
    notes = []
    for s in sizes:
        m = s.minimum
        assert m is not None
        if not s.reads:
            continue
        over = s.reads[0].requests - m.total
        links = m.links_per_account - m.links
        notes.append(f"{s.accounts:,} accounts: ttconfig reads {over:,} more than the minimum: "
                     f"{links:,} because it reads links per account where reading them per "
                     f"user would take fewer, and {over - links:,} other (the company is "
                     "read twice: once to check the app key's company before anything else).")
    return [*(f"- {n}" for n in notes), ""]


def apply_notes(sizes: Sequence[SizeFigures]) -> list[str]:
    """What apply's estimate holds beyond its POSTs' pauses and latency: local work."""
    notes = []
    for s in sizes:
        a = s.apply
        assert a is not None
        local = a.wall - a.expected / a.k
        notes.append(f"{s.accounts:,} accounts: {local:.2f} s of this machine's time beyond "
                     f"the scaled pauses and latency (the client, the sandbox, the audit "
                     f"records, looking up the firm's names), counted ×{a.k:g}.")
    return ["Apply: its estimate beyond its POSTs' pauses and round trips is this machine's "
            "own time, ×K:",
            "", *(f"- {n}" for n in notes), ""]


def minimum_table(sizes: Sequence[SizeFigures]) -> list[str]:
    rows = []
    for s in sizes:
        m = s.minimum
        assert m is not None
        rows.append([f"{s.accounts:,}", m.listings, f"{m.accounts:,}",
                     f"{m.links:,} (per account {m.links_per_account:,}, per user "
                     f"{m.links_per_user:,})", f"{m.users:,}", m.groups, m.instruments,
                     f"**{m.total:,}**"])
    return _table(["accounts", "token + listings", "account parts", "links", "user parts",
                   "group members + limits", "instruments", "minimum"], "rrrrrrrr", rows)


def apply_table(sizes: Sequence[SizeFigures]) -> list[str]:
    rows = []
    for s in sizes:
        a = s.apply
        assert a is not None
        rows.append([f"{s.accounts:,}", a.rows, a.owners, a.posts, a.minimum_posts,
                     math.ceil(a.rows / wire.MAX_POST_ITEMS), f"×{a.k:g}", duration(a.estimate),
                     duration(a.expected), f"{a.estimate / a.expected:.3f}",
                     f"{a.statuses[429]} / {a.retries}",
                     "empty" if a.leftover == 0 and a.failure is None else
                     f"**{a.leftover} left**"])
    return _table(["accounts", "rows", "accounts touched", "POSTs", "Σ⌈rows ÷ 20⌉ per account",
                   "⌈rows ÷ 20⌉", "scale", "apply wall (est.)",
                   "(POSTs − 1) × 1 s + POSTs × RTT", "÷",
                   "429s / retries", "plan after apply"], "rrrrrrrrrrrl", rows)


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    return (f"{os.cpu_count()} cores{f' ({model})' if model else ''}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    """The 1-minute load average: on a shared machine, other work skews the wall times."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def report(sizes: Sequence[SizeFigures], options: Options, command: str, seconds: float,
           failures: Sequence[str], load_before: str) -> str:
    latency = options.scaling.latency_ms
    lines = [f"Command: `{command}`  ", f"Machine: {machine()}; 1-min load average "
             f"{load_before} before the run, {load_average()} after  ",
             f"Ran in {duration(seconds)}; simulated latency {latency:g} ms; "
             f"{options.changes} rows tightened per firm. Wall times marked ×K ran time-scaled "
             "×K and are shown ×K (local CPU counted K times: pessimistic).", "",
             "**Firm and local compute** (not scaled; peak RSS is ru_maxrss of the benchmark "
             "process, sandboxes excluded)", "", *firm_table(sizes),
             "**Plan: the read, per usage plan, and the naive reader**", "", *read_table(sizes),
             *naive_notes(sizes),
             "**The minimum, by part**", "", *minimum_table(sizes), *minimum_notes(sizes),
             "**Apply**", "", *apply_table(sizes), *apply_notes(sizes)]
    lines.append("Invariants: " + ("all hold." if not failures else
                                   "FAILED:\n" + "\n".join(f"- {f}" for f in failures)))
    return "\n".join(lines) + "\n"


# --- command line --------------------------------------------------------------------------


def _numbers(text: str) -> list[int]:
    return sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})


def _plans(text: str) -> list[str]:
    plans = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in plans if p not in PLAN_RATES]
    if unknown or not plans:
        raise argparse.ArgumentTypeError(f"usage plans are among {', '.join(PLAN_RATES)}")
    return plans


def _scale(text: str) -> float | None:
    if text == "auto":
        return None
    value = float(text)
    if value < 1:
        raise argparse.ArgumentTypeError("the time scale is 'auto' or a number ≥ 1")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--accounts", type=_numbers, default=[100, 1000, 5000],
                   help="firm sizes, comma-separated (default 100,1000,5000)")
    p.add_argument("--plans", type=_plans, default=list(PLAN_RATES),
                   help="usage plans, comma-separated (default: all four)")
    p.add_argument("--changes", type=int, default=200, help="limit rows tightened (200)")
    p.add_argument("--latency-ms", type=float, default=30.0)
    p.add_argument("--time-scale", type=_scale, default=None, metavar="auto|K",
                   help="K for every run, or auto (default; see the docstring)")
    p.add_argument("--scaled-rps", type=float, default=400.0,
                   help="auto: the request rate each ttconfig read runs at (400)")
    p.add_argument("--naive-scale", type=float, default=50.0,
                   help="auto: K of the naive reader (50)")
    p.add_argument("--apply-scale", type=float, default=10.0,
                   help="auto: K of apply (10)")
    p.add_argument("--quick", action="store_true",
                   help="CI smoke run: --accounts 100 --plans high --changes 40")
    p.add_argument("--markdown", type=Path, help="also write the report to this file")
    p.add_argument("--worker", choices=["sandbox", "naive"], help=argparse.SUPPRESS)
    return p


def options_of(args: argparse.Namespace) -> Options:
    if args.quick:
        args.accounts, args.plans, args.changes = [100], ["high"], 40
    scaling = Scaling(args.time_scale, args.scaled_rps, args.naive_scale, args.apply_scale,
                      args.latency_ms)
    return Options(args.accounts, args.plans, args.changes, scaling)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.worker is not None:
        (sandbox_worker if args.worker == "sandbox" else naive_worker)()
        return 0
    options = options_of(args)
    load_before = load_average()
    started = time.monotonic()
    sizes = [measure(n, options) for n in options.accounts]
    failures = [f for s in sizes for f in problems(s)]
    shown = " ".join(sys.argv[1:] if argv is None else argv)
    text = report(sizes, options, f"python benchmarks/scale.py {shown}".strip(),
                  time.monotonic() - started, failures, load_before)
    print(text, end="")
    if args.markdown is not None:
        args.markdown.write_text(text)
    if failures:
        log("invariants failed:\n" + "\n".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

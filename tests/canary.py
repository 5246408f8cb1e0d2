"""The secrets canary (shared/reference/reliability.md, T7), run by every test session.

A session draws one unique canary, ``canary-<uuid4 hex>``, and exports it as
TTCONFIG_SANDBOX_CANARY: every sandbox (in process, or in a child process running
``--sandbox``, which inherits the environment) then issues app keys, app secrets and access
tokens that start with it, so every credential a test hands to ttconfig carries it. Every
artefact the session produces is searched for it, as text and in base64:

* stdout and stderr of every child process (``subprocess.Popen.communicate``, which
  ``subprocess.run`` uses) and of every in-process ``CliRunner.invoke``;
* every test's captured stdout, stderr and log, its failure or skip text, every collection
  error and every warning;
* the text and traceback of every exception a test catches with ``pytest.raises``;
* every file under the session's basetemp at the end (plan files, audit logs, approval
  and lock files, written YAML, ``.ttconfig/`` folders), the files of every
  ``tempfile.TemporaryDirectory`` just before it is removed, and the JUnit XML if asked for.

Any occurrence fails the session (exit status 1) and is listed with its artefact, line and a
redacted context; the terminal summary gives the figures.

Under pytest-xdist the controller draws the canary and hands it to every worker
(``workerinput``). Each worker searches what only it sees (child processes, CliRunner
output, caught exceptions, its temporary directories and its own basetemp) and sends its
figures and hits back (``workeroutput``); the controller searches what every worker sends it
(test and collection reports, warnings) and the JUnit XML. A hit on any worker, or a worker
that went down without reporting, fails the run; the summary gives totals over all of them.

Two files hold credentials by design and are searched without them: the sandbox's state file
(its ``appKeys`` table, as TT's own database would) and the owner-only credentials file of
``ttconfig sandbox serve``.
"""

from __future__ import annotations

import base64
import json
import re
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ttconfig.sandbox.settings import CANARY_VARIABLE

PLUGIN_NAME = "ttconfig-secrets-canary"
WORKER_KEY = "ttconfig_secrets_canary"
"""The key of the canary in an xdist worker's workerinput, and of its figures in its
workeroutput."""
CONTEXT = 40
"""Characters of context shown on each side of a hit."""
SHOWN = 20
"""Hits listed in the terminal; the count covers all of them."""
CREDENTIAL_RUN = re.compile(r"[A-Za-z0-9+/=_-]+")
EXPORT_LINE = re.compile(rb"^export [A-Z][A-Z0-9_]*=\S*$", re.MULTILINE)


def new_canary() -> str:
    """A value no artefact can contain unless a credential leaked into it."""
    return f"canary-{uuid.uuid4().hex}"


def needles(canary: str) -> tuple[bytes, ...]:
    """The canary as bytes, and as it reads inside base64 (standard and URL-safe alphabets)
    at each of the three byte alignments, so an encoded credential is found too."""
    raw = canary.encode()
    found = [raw]
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * shift + raw)
            # Skip the characters that mix in the padding bytes; keep whole groups only.
            found.append(encoded[(shift * 4 + 2) // 3:(shift + len(raw)) // 3 * 4])
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Hit:
    """One occurrence of the canary: where it is, and its surroundings with credentials cut."""

    artefact: str
    line: int
    context: str

    def __str__(self) -> str:
        return f"{self.artefact}:{self.line}: …{self.context}…"


def _redacted(window: str, texts: tuple[str, ...]) -> str:
    """`window` with every credential-like run removed that holds a needle or is cut by an
    edge of the window (it may hold the rest of one)."""

    def cut(match: re.Match[str]) -> str:
        touches_edge = match.start() == 0 or match.end() == len(window)
        return "[redacted]" if touches_edge or any(t in match[0] for t in texts) else match[0]

    return CREDENTIAL_RUN.sub(cut, window).replace("\n", "⏎")


@dataclass
class Scanner:
    """Searches artefacts for one canary and keeps the figures and the hits."""

    canary: str
    artefacts: int = 0
    searched_bytes: int = 0
    seconds: float = 0.0
    """Time spent reading and searching: the canary's cost to the session."""
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._needles = needles(self.canary)
        self._texts = tuple(n.decode() for n in self._needles)

    def scan(self, artefact: str, content: str | bytes | None) -> list[Hit]:
        """Search one artefact; record and return its hits. Empty artefacts do not count."""
        if not content:
            return []
        started = time.perf_counter()
        data = content.encode("utf-8", "replace") if isinstance(content, str) else content
        self.artefacts += 1
        self.searched_bytes += len(data)
        found = [self._hit(artefact, data, start, needle)
                 for needle in self._needles for start in _offsets(data, needle)]
        self.hits += found
        self.seconds += time.perf_counter() - started
        return found

    def _hit(self, artefact: str, data: bytes, start: int, needle: bytes) -> Hit:
        window = data[max(0, start - CONTEXT):start + len(needle) + CONTEXT]
        context = _redacted(window.decode("utf-8", "replace"), self._texts)
        return Hit(artefact, data.count(b"\n", 0, start) + 1, context)

    def scan_file(self, path: Path, name: str) -> list[Hit]:
        """Search one file, without the credentials a credential store holds by design."""
        started = time.perf_counter()
        try:
            data = path.read_bytes()
        except OSError:
            return []  # removed meanwhile, or a socket: nothing written to read
        if any(n in data for n in self._needles):
            data = _without_stored_credentials(path, data)
        self.seconds += time.perf_counter() - started
        return self.scan(name, data)

    def figures(self) -> dict[str, Any]:
        """The figures and hits as plain data (what an xdist worker sends its controller)."""
        return {"artefacts": self.artefacts, "searched_bytes": self.searched_bytes,
                "seconds": self.seconds, "hits": [asdict(hit) for hit in self.hits]}

    def absorb(self, figures: dict[str, Any], source: str) -> None:
        """Add another process's figures and hits, each hit marked with where it was found."""
        self.artefacts += int(figures["artefacts"])
        self.searched_bytes += int(figures["searched_bytes"])
        self.seconds += float(figures["seconds"])
        self.hits += [Hit(f"[{source}] {h['artefact']}", int(h["line"]), str(h["context"]))
                      for h in figures["hits"]]

    def scan_tree(self, root: Path, label: str) -> list[Hit]:
        """Search every regular file under `root`, hidden folders (``.ttconfig/``) included."""
        found: list[Hit] = []
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found += self.scan_file(path, f"{label}/{path.relative_to(root)}")
        return found


def _offsets(data: bytes, needle: bytes) -> Iterator[int]:
    start = data.find(needle)
    while start != -1:
        yield start
        start = data.find(needle, start + 1)


def _without_stored_credentials(path: Path, data: bytes) -> bytes:
    """`data` less the credentials of the two stores that hold them by design.

    The sandbox's state file is TT's side: its ``appKeys`` table is where TT keeps the keys
    it issued, and only that table's ``key`` and ``secret`` are dropped (a credential
    anywhere else in it is a hit). The file ``ttconfig sandbox serve`` writes for its user
    is searched without its ``export`` lines, and only while its owner alone can read it.
    """
    if path.name.endswith(".credentials.env"):
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return data
        return EXPORT_LINE.sub(b"", data)
    try:
        state = json.loads(data)
        environments = state["environments"].values() if state.get("version") == 1 else []
        for environment in environments:
            for app_key in environment["appKeys"]:
                app_key["key"] = app_key["secret"] = ""
    except (ValueError, TypeError, KeyError, AttributeError):
        return data
    return json.dumps(state).encode()


def _command(args: Any) -> str:
    words = [str(a) for a in args] if isinstance(args, list | tuple) else [str(args)]
    text = " ".join("python" if w == sys.executable else w for w in words)
    return text if len(text) <= 100 else text[:99] + "…"


def _exception_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


class CanaryPlugin:
    """The session-wide collectors and the end-of-session verdict (module docstring)."""

    def __init__(self, canary: str, worker: str | None = None) -> None:
        self.canary = canary
        self.worker = worker
        """This xdist worker's id ("gw0"), or None in the controller or a plain session."""
        self.session = Scanner(canary)
        """Every artefact this process searched, and in the controller (once they reported)
        every worker's figures and hits too."""
        self.workers: list[str] = []
        """Workers whose figures the controller has added."""
        self.silent: list[str] = []
        """Workers that went down without their figures: their artefacts are unaccounted."""
        self._scanners = [self.session]
        self._roots: list[Path] = []
        self._test = "(outside tests)"
        self._patches = pytest.MonkeyPatch()

    # --- collection ----------------------------------------------------------------------

    def record(self, artefact: str, content: str | bytes | None) -> None:
        for scanner in self._scanners:
            scanner.scan(f"{self._test}: {artefact}", content)

    def watch(self, root: Path) -> None:
        """Search every file under `root` when the session ends."""
        self._roots.append(root)

    @contextmanager
    def also_into(self, scanner: Scanner) -> Iterator[Scanner]:
        """Send every artefact to `scanner` too, meanwhile (to test the collectors)."""
        self._scanners.append(scanner)
        try:
            yield scanner
        finally:
            self._scanners.remove(scanner)

    def _patch(self) -> None:
        plugin = self
        communicate = subprocess.Popen.communicate
        invoke = CliRunner.invoke
        fill_unfilled = pytest.ExceptionInfo.fill_unfilled
        cleanup = tempfile.TemporaryDirectory.cleanup

        def recorded_communicate(process: subprocess.Popen[Any], *args: Any, **kwargs: Any,
                                 ) -> tuple[Any, Any]:
            out, err = communicate(process, *args, **kwargs)
            plugin.record(f"stdout of `{_command(process.args)}`", out)
            plugin.record(f"stderr of `{_command(process.args)}`", err)
            return out, err

        def recorded_invoke(runner: CliRunner, *args: Any, **kwargs: Any) -> Result:
            result = invoke(runner, *args, **kwargs)
            plugin.record("CliRunner stdout", result.stdout_bytes)
            plugin.record("CliRunner stderr", result.stderr_bytes)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                plugin.record("CliRunner exception", _exception_text(result.exception))
            return result

        def recorded_fill(info: pytest.ExceptionInfo[BaseException],
                          exc_info: tuple[type[BaseException], BaseException, TracebackType],
                          ) -> None:
            fill_unfilled(info, exc_info)
            plugin.record(f"{exc_info[0].__name__} caught by pytest.raises",
                          _exception_text(exc_info[1]))

        def recorded_cleanup(directory: tempfile.TemporaryDirectory[str]) -> None:
            root = Path(directory.name)
            if root.is_dir():
                for scanner in plugin._scanners:
                    scanner.scan_tree(root, f"{plugin._test}: TemporaryDirectory")
            cleanup(directory)

        self._patches.setattr(subprocess.Popen, "communicate", recorded_communicate)
        self._patches.setattr(CliRunner, "invoke", recorded_invoke)
        self._patches.setattr(pytest.ExceptionInfo, "fill_unfilled", recorded_fill)
        self._patches.setattr(tempfile.TemporaryDirectory, "cleanup", recorded_cleanup)

    # --- hooks ---------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        self._patches.setenv(CANARY_VARIABLE, self.canary)
        self._patch()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._patches.undo()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist controller: every worker searches for the controller's canary."""
        node.workerinput[WORKER_KEY] = self.canary

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: add a finished worker's figures and hits to the session's."""
        name = str(node.gateway.id)
        figures = getattr(node, "workeroutput", {}).get(WORKER_KEY)
        if figures is None:
            self.silent.append(name)
        else:
            self.session.absorb(figures, name)
            self.workers.append(name)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        self._test = item.nodeid
        try:
            return (yield)
        finally:
            self._test = "(outside tests)"

    # Reports and warnings: an xdist worker sends each of them to its controller, which
    # searches them there (once); a worker leaves them alone.

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker is not None:
            return
        where = f"{report.nodeid} [{report.when}]"
        for name, content in report.sections:
            if name.endswith(f" {report.when}"):  # earlier phases' sections come again
                self.session.scan(f"{where} {name}", content)
        if report.longrepr is not None:
            self.session.scan(f"{where} {report.outcome} report", report.longreprtext)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if self.worker is None and report.longrepr is not None:
            self.session.scan(f"{report.nodeid} collection report", report.longreprtext)

    def pytest_warning_recorded(self, warning_message: Any, nodeid: str) -> None:
        if self.worker is None:
            self.session.scan(f"{nodeid or '(session)'} warning", str(warning_message.message))

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, None, None]:
        # Files first: pytest's own sessionfinish may remove the basetemp of a passed run.
        for root in self._roots:
            self.session.scan_tree(root, "basetemp")
        if self.worker is not None:  # xdist sends workeroutput once every impl has run
            session.config.workeroutput[WORKER_KEY] = self.session.figures()  # type: ignore[attr-defined]
        yield
        xml = getattr(session.config.option, "xmlpath", None)  # junitxml has just written it
        if xml and Path(xml).is_file():
            self.session.scan_file(Path(xml), f"JUnit XML {xml}")
        if (self.session.hits or self.silent) and session.exitstatus in (
                pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        scanner = self.session
        short = f"{self.canary[:15]}…"
        uncaptured = (" (tests' own output not captured, so not searched: -s)"
                      if terminalreporter.config.option.capture == "no" else "")
        over = f" (this process and {len(self.workers)} xdist workers)" if self.workers else ""
        failed = bool(scanner.hits or self.silent)
        terminalreporter.write_line(
            f"secrets canary {short}: {scanner.artefacts} artefacts{over}, "
            f"{scanner.searched_bytes:,} bytes searched in {scanner.seconds:.2f} s, "
            f"{len(scanner.hits)} hits{uncaptured}", red=failed, bold=failed)
        for name in self.silent:
            terminalreporter.write_line(
                f"  UNSEARCHED: worker {name} went down before sending its figures", red=True)
        for hit in scanner.hits[:SHOWN]:
            terminalreporter.write_line(f"  LEAK {hit}", red=True)
        if len(scanner.hits) > SHOWN:
            terminalreporter.write_line(f"  … and {len(scanner.hits) - SHOWN} more", red=True)


def plugin_of(config: pytest.Config) -> CanaryPlugin:
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    assert isinstance(plugin, CanaryPlugin), "tests/canary.py is not registered"
    return plugin


# --- the module as a pytest plugin (tests/conftest.py: pytest_plugins) ---------------------

def pytest_configure(config: pytest.Config) -> None:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is None:  # a plain session, or an xdist controller
        plugin = CanaryPlugin(new_canary())
    else:
        plugin = CanaryPlugin(workerinput[WORKER_KEY], worker=str(workerinput["workerid"]))
    config.pluginmanager.register(plugin, PLUGIN_NAME)


@pytest.fixture(autouse=True, scope="session")
def _canary_watches_basetemp(pytestconfig: pytest.Config,
                             tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test's tmp_path lives under the basetemp: search it all at the end."""
    plugin_of(pytestconfig).watch(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def canary(pytestconfig: pytest.Config) -> str:
    """This session's canary: every sandbox credential starts with it."""
    return plugin_of(pytestconfig).canary


@pytest.fixture
def canary_plugin(pytestconfig: pytest.Config) -> CanaryPlugin:
    return plugin_of(pytestconfig)

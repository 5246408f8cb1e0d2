"""environments/<env>/ → a validated `Firm`, or every problem at once as path:line:col.

Reading is fast first and precise later: files are parsed to plain data (yaml12), checked
by the strict models and by the cross-object checks, and only the paths that have a
problem are located in their file. A kind is one file (`accounts.yaml`) or a folder of
files (`accounts/*.yaml`); any other YAML file in the folder is an error, so a misspelt
file name cannot be silently ignored.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ttconfig.desired import yaml12
from ttconfig.errors import ConfigError, UsageError
from ttconfig.models import DECLARED, Firm, Kind, KindSpec
from ttconfig.models.checks import Issue, check, fold
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.models.limits import limits_unset_as_zero

ENVIRONMENT_FILE = "environment.yaml"
MAX_FILE_BYTES = 16 * 2**20
InFile = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, where it is."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def annotation(self) -> str:
        """The GitHub Actions workflow command that shows this problem on a PR's diff."""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.file},line={self.line},col={self.column}::{message}"


@dataclass
class _Source:
    shown: str
    text: str


@dataclass
class _Unknown:
    """What the cross-checks cannot know: kinds whose files could not be read, and names of
    items that failed validation. References to them are not reported as unknown."""

    unreadable: set[str] = field(default_factory=set)
    names: dict[str, set[str]] = field(default_factory=lambda: {"account": set(),
                                                                "user": set()})

    def excuses(self, missing: tuple[str, str]) -> bool:
        kind, name = missing
        return f"{kind}s" in self.unreadable or fold(name) in self.names[kind]


@dataclass
class _Run:
    """Problems found so far: located ones, and (source, path) ones still to locate."""

    located: list[Problem] = field(default_factory=list)
    pending: list[tuple[_Source, InFile, str]] = field(default_factory=list)

    def at(self, shown: str, message: str, line: int = 1, column: int = 1) -> None:
        self.located.append(Problem(shown, line, column, message))

    def problems(self) -> list[Problem]:
        by_source: dict[int, tuple[_Source, list[InFile]]] = {}
        for source, path, _ in self.pending:
            by_source.setdefault(id(source), (source, []))[1].append(path)
        places = {sid: yaml12.locate(src.text, paths) for sid, (src, paths) in by_source.items()}
        located = [Problem(source.shown, *places[id(source)][path], message)
                   for source, path, message in self.pending]
        return sorted({*self.located, *located})


def load_firm(folder: Path, *, shown_root: Path | None = None, siblings: bool = False,
              ) -> Firm:
    """The firm `folder` declares; ConfigError with every problem if there is any.

    With `siblings` (every command that reads or writes TT), also refuse a folder whose
    TT environment and company another folder beside it claims too.
    """
    run = _Run()
    root = shown_root if shown_root is not None else Path.cwd()
    environment, read = _environment_of(run, folder, root)
    if siblings and environment is not None and read is not None:
        _check_claim(run, folder, environment, read[0], root)
    items: dict[str, list[tuple[Any, _Source, int]]] = {}
    unknown = _Unknown()
    for spec, files in _kind_files(run, folder, root).items():
        reads = [_read(run, f, root) for f in files]
        if None in reads:
            unknown.unreadable.add(spec.kind)
        items[spec.kind] = _read_kind(run, spec, reads, unknown)
    if environment is not None and environment.company_settings.default_limits_to_zero:
        items = {kind: [(_unset_as_zero(m), source, position) for m, source, position in v]
                 for kind, v in items.items()}
    if environment is not None:
        kinds: dict[str, Any] = {k: [m for m, _, _ in v] for k, v in items.items()}
        firm = Firm.model_construct(None, environment=environment, **kinds)
        firm.declared_at({id(m): (source, position) for v in items.values()
                          for m, source, position in v})
        _cross_check(run, firm, items, unknown)
    problems = run.problems()
    if problems or environment is None:
        raise ConfigError(problems)
    return firm


def _unset_as_zero(model: Any) -> Any:
    """With the company defaulting limits to 0, a limit the YAML sets to null is 0 (TT
    holds the two alike), so plans show and judge it as 0."""
    return limits_unset_as_zero(model) if getattr(model, "limits", None) is not None else model


def located(firm: Firm, issues: Sequence[Issue]) -> list[Problem]:
    """`issues` found in `firm` after loading (paths (kind, index, ...) into its lists),
    at the file, line and column of the YAML that declared them."""
    run = _Run()
    origin: dict[int, tuple[_Source, int]] = firm.origin or {}
    for issue in issues:
        kind, index, *rest = issue.path
        model = firm.of(Kind(str(kind)))[int(index)]
        if id(model) in origin:
            source, position = origin[id(model)]
            run.pending.append((source, (position, *rest), issue.message))
        else:  # a firm made in code, not loaded: name the object instead
            run.at(f"{kind}[{index}]", issue.message, 0, 0)
    return run.problems()


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _read(run: _Run, path: Path, root: Path) -> tuple[_Source, Any] | None:
    shown = _shown(path, root)
    try:  # a directory or a dangling link named *.yaml, a file that cannot be opened
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        run.at(shown, f"cannot read the file: {error.strerror or error}")
        return None
    if size > MAX_FILE_BYTES:
        run.at(shown, f"the file is {size / 2**20:.1f} MiB; the limit is "
                      f"{MAX_FILE_BYTES // 2**20} MiB: split the kind into a folder of files")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[:error.start].decode("utf-8")  # valid: the error is the first bad byte
        run.at(shown, f"not UTF-8 text (byte {error.start})",
               *yaml12.position(before, len(before)))
        return None
    parsed = yaml12.parse(text)
    for problem in parsed.problems:
        run.at(shown, problem.message, problem.line, problem.column)
    return (_Source(shown, text), parsed.data) if not parsed.problems else None


def _kind_files(run: _Run, folder: Path, root: Path) -> dict[KindSpec, list[Path]]:
    found: dict[KindSpec, list[Path]] = {}
    known = {f"{spec.file_stem}.yaml": spec for spec in DECLARED}
    for spec in DECLARED:
        file, subfolder = folder / f"{spec.file_stem}.yaml", folder / spec.file_stem
        if file.is_file() and subfolder.is_dir():
            run.at(_shown(file, root), f"{spec.file_stem} is declared both in {file.name} and "
                                       f"in the folder {spec.file_stem}/: keep one")
        files = [file] if file.is_file() else []
        files += sorted(subfolder.glob("*.yaml")) if subfolder.is_dir() else []
        found[spec] = files
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        if path.name != ENVIRONMENT_FILE and path.name not in known:
            close = difflib.get_close_matches(path.name, [ENVIRONMENT_FILE, *known], n=1,
                                              cutoff=0.8)
            hint = f"; did you mean {close[0]!r}?" if close else (
                f"; the files are {ENVIRONMENT_FILE}, " + ", ".join(known))
            run.at(_shown(path, root), f"unknown file {path.name!r}{hint}")
    return found


def _claim(environment: Any) -> tuple[str, str] | None:
    """The (TT environment, company) an environment.yaml's data claims, if it says both."""
    if not isinstance(environment, dict):
        return None
    tt, company = environment.get("tt_environment"), environment.get("company")
    if not isinstance(tt, str) or not isinstance(company, str):
        return None
    return tt, fold(company)


def _check_claim(run: _Run, folder: Path, environment: EnvironmentConfig, source: _Source,
                 root: Path) -> None:
    """One folder per (TT environment, company): a second folder claiming the same would
    write to it under its own policy, lock and audit log (a "uat" folder edited to point
    at production would apply to production with none of production's safeguards)."""
    mine = (environment.tt_environment, fold(environment.company))
    here = folder.resolve()
    try:
        siblings = sorted(here.parent.iterdir())
    except OSError as error:
        run.at(source.shown, f"cannot list the folders beside this one to check that no "
                             f"other claims its TT environment: {error.strerror or error}")
        return
    for sibling in siblings:
        other = sibling / ENVIRONMENT_FILE
        try:
            if sibling == here or not other.is_file():
                continue
            claimed = _claim(yaml12.parse(other.read_text(encoding="utf-8")).data)
        except (OSError, UnicodeDecodeError):  # that folder's own run reports it
            continue
        if claimed == mine:
            run.pending.append((source, ("tt_environment",), (
                f"{environment.tt_environment} for {environment.company} is also the "
                f"environment of {_shown(other, root)}: one folder per TT environment and "
                "company, so each is written to under its own policy, lock and audit log")))


def load_environment(folder: Path) -> EnvironmentConfig:
    """Only `folder`'s environment.yaml (import reads it before the rest exists)."""
    run = _Run()
    environment, _ = _environment_of(run, folder, Path.cwd())
    if environment is None:
        raise ConfigError(run.problems())
    return environment


def _environment_of(run: _Run, folder: Path, root: Path,
                    ) -> tuple[EnvironmentConfig | None, tuple[_Source, Any] | None]:
    """The folder's environment.yaml, read and validated; a folder that does not exist is
    a usage error naming the ones that do (folder names are the user's own)."""
    if not folder.is_dir():
        raise UsageError(f"no environment folder {_shown(folder, root)}{_nearest(folder)}")
    if not (folder / ENVIRONMENT_FILE).is_file():
        run.at(_shown(folder / ENVIRONMENT_FILE, root), f"missing {ENVIRONMENT_FILE}: every "
               "environment folder says which TT environment and company it describes")
        raise ConfigError(run.problems())
    read = _read(run, folder / ENVIRONMENT_FILE, root)
    return _read_environment(run, read), read


def _nearest(folder: Path) -> str:
    """"; did you mean …? (the folders here: …)" from the folders beside `folder`."""
    try:
        here = sorted(p.name for p in folder.parent.iterdir()
                      if (p / ENVIRONMENT_FILE).is_file())
    except OSError:
        return ""
    if not here:
        return f" (no folder in {folder.parent} has an {ENVIRONMENT_FILE})"
    close = difflib.get_close_matches(folder.name, here, n=1)
    guess = f"; did you mean {close[0]!r}?" if close else ""
    return f"{guess} (the environment folders: {', '.join(here)})"


def _read_environment(run: _Run, read: tuple[_Source, Any] | None) -> EnvironmentConfig | None:
    if read is None:
        return None
    source, data = read
    try:
        return EnvironmentConfig.model_validate(data)
    except ValidationError as error:
        _report(run, source, (), error, EnvironmentConfig)
        return None


def _read_kind(run: _Run, spec: KindSpec, reads: Iterable[tuple[_Source, Any] | None],
               unknown: _Unknown) -> list[tuple[Any, _Source, int]]:
    valid: list[tuple[Any, _Source, int]] = []
    for read in reads:
        if read is None:
            continue
        source, data = read
        if data is None:
            continue
        if not isinstance(data, list):
            run.pending.append((source, (), f"expected a list of {spec.title}"
                                             " (each item starting with '- ')"))
            continue
        for index, item in enumerate(data):
            try:
                valid.append((spec.model.model_validate(item), source, index))
            except ValidationError as error:
                _report(run, source, (index,), error, spec.model)
                _remember_name(unknown, spec, item)
    return valid


def _remember_name(unknown: _Unknown, spec: KindSpec, item: Any) -> None:
    key = (spec.singular, spec.named_by) if spec.links is not None and spec.named_by else None
    if key is not None and isinstance(item, dict) and isinstance(item.get(key[1]), str):
        unknown.names[key[0]].add(fold(item[key[1]]))


def _cross_check(run: _Run, firm: Firm, items: dict[str, list[tuple[Any, _Source, int]]],
                 unknown: _Unknown) -> None:
    def where(path: tuple[str | int, ...]) -> tuple[_Source, InFile]:
        kind, index, *rest = path
        _model, source, position = items[str(kind)][int(index)]
        return source, (position, *rest)

    for issue in check(firm):
        if issue.missing is not None and unknown.excuses(issue.missing):
            continue
        source, path = where(issue.path)
        run.pending.append((source, path, _with_other(issue, where)))


def _with_other(issue: Issue, where: Any) -> str:
    if issue.other is None:
        return issue.message
    source, path = where(issue.other)
    line, column = yaml12.locate(source.text, [path])[path]
    return f"{issue.message}; first declared at {source.shown}:{line}:{column}"


def _report(run: _Run, source: _Source, prefix: InFile, error: ValidationError,
            model: type[BaseModel]) -> None:
    for detail in error.errors():
        run.pending.append((source, (*prefix, *detail["loc"]), describe(detail, model)))


def describe(detail: ErrorDetails, model: type[BaseModel]) -> str:
    """A user's message for one pydantic error."""
    loc, kind = detail["loc"], detail["type"]
    if kind == "extra_forbidden":
        allowed = sorted(_fields_at(model, loc[:-1]))
        key = _clipped(loc[-1])
        close = difflib.get_close_matches(key.strip("'\""), allowed, n=1, cutoff=0.6)
        hint = (f"; did you mean {close[0]!r}?" if close else
                f"; expected one of: {', '.join(allowed)}")
        return f"unknown key {key}{hint}"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    subject = f"{loc[-1]}: " if loc and isinstance(loc[-1], str) else ""
    if kind == "value_error":  # our validators' own words, which say what is wrong
        return subject + detail["msg"].removeprefix("Value error, ")
    message = detail["msg"].replace("Input should be", "expected")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        message = "expected a mapping (keys and values)"
    elif kind in ("list_type", "tuple_type"):
        message = "expected a list"
    return f"{subject}{message}, got {_shown_value(detail.get('input'))}"


def _shown_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {_clipped(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _clipped(value)


SHOWN_CHARS = 80
"""The most of a value a message repeats: a problem stays one readable line."""


def _clipped(value: Any) -> str:
    """repr(value), at most SHOWN_CHARS long; a huge int by its size (Python refuses to
    print one of more than 4,300 digits, and a hex literal in YAML can be that long)."""
    if isinstance(value, int) and value.bit_length() > 4 * SHOWN_CHARS:
        return f"a number of about {round(value.bit_length() * math.log10(2))} digits"
    shown = repr(value)
    return shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS - 1] + "…"


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> set[str]:
    """The keys allowed at `loc` inside `model` (for "did you mean")."""
    current: Any = model
    for part in loc:
        current = _inner(current, part)
        if current is None:
            return set()
    if isinstance(current, type) and issubclass(current, BaseModel):
        return set(current.model_fields)
    return set()


def _inner(annotation: Any, part: int | str) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field_info = annotation.model_fields.get(str(part))
        return None if field_info is None else _unwrap(field_info.annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return _unwrap(args[-1]) if args else None


def _unwrap(annotation: Any) -> Any:
    """The model inside Optional[...] / Annotated[...], or the container type as it is."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation)
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else annotation
    return annotation

"""Reading YAML 1.2 strictly and fast: plain data first, positions only when needed.

libyaml (through PyYAML) parses; this module turns its event stream into plain Python
data under the YAML 1.2 core schema (`NO` and `yes` are strings, `010` is 10, only
`true`/`false` are booleans), refusing what a reviewed risk file should never contain:
duplicate keys, anchors and aliases (a change in one place that silently changes many),
tags, several documents, nesting deeper than `MAX_DEPTH`. Building data from events skips
the node graph, which is where most YAML loaders spend their time; positions of values
are found afterwards, for the few paths that have a problem (`locate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_DEPTH = 64
Path = tuple[str | int, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL = {"true": True, "True": True, "TRUE": True,
         "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
"""What libyaml counts as a line break (CRLF is one)."""
_SPECIAL_FLOAT = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
                  "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
                  "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
                  ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    column: int
    message: str


@dataclass
class Parsed:
    """A file's data (None when it could not be read) and its problems."""

    data: Any
    problems: list[Problem] = field(default_factory=list)


def resolve(value: str) -> Any:
    """A plain scalar under the YAML 1.2 core schema."""
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    first = value[0]
    if first.isdigit() or first in "+-.":
        if _INT.fullmatch(value):
            return int(value)
        if value.startswith(("0o", "0x")):
            try:
                return int(value[2:], 8 if value[1] == "o" else 16)
            except ValueError:
                return value
        if _FLOAT.fullmatch(value):
            return float(value)
        return _SPECIAL_FLOAT.get(value, value)
    return value


def position(text: str, index: int) -> tuple[int, int]:
    """(line, column), 1-based, of character `index` of `text`, counted as libyaml counts."""
    breaks = list(_BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _plain(event: Any) -> bool:
    """A plain (unquoted, not block) scalar: the only kind whose type is resolved."""
    return bool(event.implicit[0]) and not event.style


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(mark.line + 1, mark.column + 1, message)


def _node_checks(event: Any) -> None:
    if getattr(event, "anchor", None) is not None:
        raise _Refused(event.start_mark, f"anchors (&{event.anchor}) are not allowed: "
                                         "write the value out where it is used")
    if getattr(event, "tag", None) is not None:
        raise _Refused(event.start_mark, f"tags ({event.tag}) are not allowed")


def _scalar(event: Any) -> Any:
    if not _plain(event):
        return event.value
    try:
        return resolve(event.value)
    except ValueError:  # int() reads at most sys.get_int_max_str_digits() digits
        digits = len(event.value.lstrip("+-"))
        raise _Refused(event.start_mark, f"a number of {digits} digits is too long to read "
                                         "(quote it if it is meant as text)") from None


_SCALAR, _ALIAS, _STREAM_END = yaml.ScalarEvent, yaml.AliasEvent, yaml.StreamEndEvent
_MAP_START, _SEQ_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END, _DOCUMENT = yaml.MappingEndEvent, yaml.SequenceEndEvent, \
    yaml.DocumentStartEvent
_NO_KEY = object()
_MISSING = object()
_WORDS: dict[str, Any] = {**dict.fromkeys(_NULL), **_BOOL}
"""The plain scalars that are null or a boolean."""
_NUMBER_STARTS = frozenset("0123456789+-.")


def _plain_value(event: Any) -> Any:
    """A plain scalar's value (as `resolve`), the common case answered without a call."""
    value = event.value
    word = _WORDS.get(value, _MISSING)
    if word is not _MISSING:
        return word
    return _scalar(event) if value[:1] in _NUMBER_STARTS else value


def _build(loader: Any) -> Any:
    """The data of the events `loader` gives, with a stack instead of recursion.

    This loop runs once per event of every file ttconfig reads (a firm of 5,000 users is
    millions of events): it dispatches on the event's exact type, checks anchors and tags
    only when libyaml saw one, and leaves the rare events to `_structural`."""
    stack: list[list[Any]] = []  # [container, pending key or _NO_KEY]
    documents: list[int] = []
    result: Any = None
    next_event = loader.get_event
    while True:
        event = next_event()
        kind = type(event)
        if kind is _SCALAR:
            if event.anchor is not None or event.tag is not None:
                _node_checks(event)
            value = _plain_value(event) if event.implicit[0] and not event.style \
                else event.value
        elif kind is _MAP_END or kind is _SEQ_END:
            value = stack.pop()[0]
        elif _structural(event, stack, documents):
            continue
        else:
            return result
        if not stack:
            result = value
            continue
        top = stack[-1]
        if type(top[0]) is list:
            top[0].append(value)
        elif top[1] is _NO_KEY:
            top[1] = _key(top[0], value, event)
        else:
            top[0][top[1]] = value
            top[1] = _NO_KEY


def _key(mapping: dict[Any, Any], key: Any, event: Any) -> Any:
    if isinstance(key, dict | list):
        raise _Refused(event.start_mark, "a mapping key must be a plain value")
    if key in mapping:
        raise _Refused(event.start_mark, f"duplicate key {key!r}")
    return key


def _structural(event: Any, stack: list[list[Any]], documents: list[int]) -> bool:
    """Open a mapping or sequence, count a document, refuse an alias; False at the end of
    the stream."""
    kind = type(event)
    if kind is _MAP_START or kind is _SEQ_START:
        _node_checks(event)
        if len(stack) >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        stack.append([{} if kind is _MAP_START else [], _NO_KEY])
    elif kind is _ALIAS:
        raise _Refused(event.start_mark, f"aliases (*{event.anchor}) are not allowed: "
                                         "write the value out where it is used")
    elif kind is _DOCUMENT:
        documents.append(1)
        if len(documents) > 1:
            raise _Refused(event.start_mark, "a file holds one YAML document")
    return event is not None and kind is not _STREAM_END


def parse(text: str) -> Parsed:
    """The data of one YAML document, or the first problem that stops reading it."""
    # libyaml skips a leading BOM without counting it in its marks' index: without it here,
    # the index points into `text` (the tab check and the end of the file rely on it).
    text = text.removeprefix("\ufeff")
    try:
        loader = _Loader(text)
        try:
            return Parsed(_build(loader))
        finally:
            loader.dispose()
    except _Refused as refused:
        return Parsed(None, [refused.problem])
    except yaml.MarkedYAMLError as error:
        return Parsed(None, [_syntax_problem(text, error)])
    except yaml.reader.ReaderError:
        return Parsed(None, [_reader_problem(text)])
    except yaml.YAMLError as error:
        return Parsed(None, [Problem(1, 1, "YAML: " + " ".join(str(error).split()))])


def _reader_problem(text: str) -> Problem:
    """A character no YAML file may hold, where it is. (libyaml counts the position of the
    character it refuses in bytes of UTF-8, so it is found here by what YAML allows.)"""
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:
        return Problem(1, 1, "YAML: a character that is not allowed in YAML")
    line, column = position(text, found.start())
    return Problem(line, column, f"the character U+{ord(found.group()):04X} is not allowed in "
                                 "YAML (control characters, U+FFFE and U+FFFF): remove it")


def _syntax_problem(text: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return Problem(1, 1, f"YAML syntax: {error.problem or error}")
    # At the end of a file libyaml adds a line break the file may not have: the end is
    # then shown as a line after the last one, which an editor (or a PR's diff) lacks.
    line, column = (mark.line + 1, mark.column + 1) if mark.index < len(text) else \
        position(text, len(text))
    if 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return Problem(line, column, "a tab character: YAML indents with spaces only")
    said = " ".join(str(part) for part in (error.context, error.problem) if part)
    return Problem(line, column, f"YAML syntax: {said}")


def locate(text: str, paths: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """(line, column) of each path: of its key when it is a mapping value, else of the value;
    of its deepest existing ancestor when the path itself is missing."""
    wanted = set(paths)
    prefixes = {p[:i] for p in wanted for i in range(len(p) + 1)}
    found: dict[Path, tuple[int, int]] = {}
    for path, mark in _marks(text):
        if path in prefixes and path not in found:
            found[path] = (mark.line + 1, mark.column + 1)
    result = {}
    for path in wanted:
        for end in range(len(path), -1, -1):
            if path[:end] in found:
                result[path] = found[path[:end]]
                break
        else:
            result[path] = (1, 1)
    return result


def _marks(text: str) -> Iterator[tuple[Path, Any]]:
    """(path, mark) for every key and node, in document order."""
    stack: list[list[Any]] = []  # [path, kind, next index or pending key]
    try:
        for event in yaml.parse(text, Loader=_Loader):
            yield from _event_marks(stack, event)
    except yaml.YAMLError:
        return


def _event_marks(stack: list[list[Any]], event: Any) -> Iterator[tuple[Path, Any]]:
    if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
        stack.pop()
        _advance(stack)
        return
    starts = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
    if not starts and not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
        return
    if stack and stack[-1][1] == "map" and stack[-1][2] is _NO_KEY:
        key: Any = _scalar(event) if isinstance(event, yaml.ScalarEvent) else \
            str(getattr(event, "value", ""))
        yield (*stack[-1][0], key), event.start_mark
        stack[-1][2] = key
        return
    path: Path = (*stack[-1][0], stack[-1][2]) if stack else ()
    yield path, event.start_mark
    if starts:
        kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
        stack.append([path, kind, _NO_KEY if kind == "map" else 0])
    else:
        _advance(stack)


def _advance(stack: list[list[Any]]) -> None:
    if not stack:
        return
    frame = stack[-1]
    if frame[1] == "seq":
        frame[2] += 1
    else:
        frame[2] = _NO_KEY

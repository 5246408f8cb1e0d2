"""Issue [F]: mutated environment folders give a configuration error, never a traceback.

Every input is a small copy of the demo's production folder (`data/fuzz/prod`: accounts with
parents, limits, contract rows, restrictions and user links, users with limits and an account
link, groups, margins, order-tag defaults, an environment.yaml with policy and promotion) with
one file, or the folder itself, mutated. It goes through `ttconfig validate` as a user's run
does (`ttconfig.cli.main` with argv, in-process for speed). A user must get a valid firm
(exit 0) or every problem as `file:line:col: message` (exit 3). Anything else is a bug: another
exit code, a traceback, output that names no file or a position outside the file, a problem
longer than one readable line, a YAML tag that runs code, an input that takes seconds. Every
tenth input runs as under GitHub Actions, where each problem must also be one annotation.

Mutations are seeded: input i depends only on the seed and i, so a failure replays with
TTCONFIG_FUZZ_SEED (printed with the summary; `pytest -s` shows it). TTCONFIG_FUZZ sets the
number of inputs (5,000 by default, as in CI; the nightly workflow asks for more). The inputs
run as chunks of CHUNK consecutive indexes so pytest-xdist spreads them over every core; one
seed is drawn per run (tests/proof/totals.py, before the workers start), and that plugin
sums the chunks and checks that every family had its turn.

Families (each a function below, named in the summary):
  text:   bytes and characters: deletions, insertions of YAML's own characters, truncation,
          lines duplicated/swapped/deleted, indentation, tabs, control characters and NUL,
          BOMs, invalid UTF-8, very long lines, odd Unicode, line endings, and edits a YAML
          reader must ignore (comments, blank lines, trailing spaces: the firm is unchanged).
  struct: the file parsed as the loader parses it (ttconfig.desired.yaml12), one top-level item or
          the whole file changed and written back with libyaml's emitter (ruamel's round-trip
          writer takes ~20 ms a file: minutes for a run), the item spliced in place so that
          the rest of the file keeps its comments and layout. Changed: value types
          (int, str, list, map, null, bool, float, huge and negative numbers, NaN, inf,
          YAML 1.1 spellings), keys renamed/deleted/duplicated/added, required keys dropped,
          objects duplicated, references left dangling or spelt in another case, parent
          cycles, shared objects (aliases), deep nesting, tags such as
          `!!python/object/apply:os.system` (whose payload would create a file), anchors,
          aliases, merge keys, a bounded alias bomb, several documents, another kind's file.
  folder: files deleted, emptied, misnamed, split into a folder of files, both a file and a
          folder, unknown files, a directory or a dangling link where a file should be.
Where the outcome is known in advance it is asserted too: e.g. a NUL or a bad UTF-8 byte must
be reported at its own line and column, a CRLF file or a name in another case must still be
valid with the same objects, a tag must be refused at the tag.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import random
import re
import shutil
import sys
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.proof.totals import Recorder, chunk_id, chunks
from ttconfig import cli
from ttconfig.cli import setup
from ttconfig.desired import yaml12
from ttconfig.desired.loader import load_firm
from ttconfig.errors import ConfigError

COUNT = int(os.environ.get("TTCONFIG_FUZZ") or 5000)
CHUNK = 500
"""Inputs per test: ~5 s."""
SEED = int(os.environ.get("TTCONFIG_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
CORPUS = Path(__file__).parent / "data" / "fuzz" / "prod"
SCHEMAS = Path(__file__).parents[2] / "schemas"
ENV = "prod"
SHOWN = f"environments/{ENV}/"
ENVIRONMENT = "environment.yaml"
SLOW_SECONDS = 10.0
"""One input taking this long means something grew without bound (an alias bomb expanded)."""
LONGEST_PROBLEM = 1000
"""Characters a problem may take: one readable line, never a long value repeated whole."""
SHRINK_BUDGET = 300
"""Runs spent making each distinct failure's input smaller."""

Path_ = tuple[Any, ...]
"""A path into parsed YAML: keys and indexes."""

LOCATED = re.compile(rf"^{re.escape(SHOWN)}(?P<file>[^:\n]+):(?P<line>[0-9]+):"
                     r"(?P<column>[0-9]+): \S")
ANNOTATION = re.compile(rf"^::error file={re.escape(SHOWN)}[^,\n]+,line=[0-9]+,col=[0-9]+::")
VALID = re.compile(rf"^environments/{ENV}: valid \(.*\)\n$")
BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML (and libyaml's line numbers) count as a line break."""
NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters outside YAML 1.2's c-printable: a YAML file may not contain them at all."""


# --- the corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """The valid folder every input starts from, read once."""

    files: dict[str, bytes]
    texts: dict[str, str]
    data: dict[str, Any]
    spans: dict[str, list[tuple[Any, int, int]]]
    """Per file: each top-level item (index or key) and its first and last line (1-based)."""
    words: frozenset[str]
    """Every key and enum value the published JSON schemas know: a renamed key outside this
    set is unknown for sure."""
    names: frozenset[str]
    """Every string in the corpus, case-folded: a reference outside it dangles for sure."""

    @property
    def kinds(self) -> list[str]:
        return [name for name in self.files if name != ENVIRONMENT]


def load_corpus() -> Corpus:
    files = {p.name: p.read_bytes() for p in sorted(CORPUS.iterdir())}
    texts = {name: raw.decode("utf-8") for name, raw in files.items()}
    data: dict[str, Any] = {}
    for name, text in texts.items():
        parsed = yaml12.parse(text)
        assert not parsed.problems, (name, parsed.problems)
        data[name] = parsed.data
    spans = {name: _spans(texts[name], data[name]) for name in files}
    names = frozenset(s.casefold() for doc in data.values() for _, s in _walk(doc)
                      if isinstance(s, str))
    return Corpus(files, texts, data, spans, _schema_words(), names)


def _spans(text: str, doc: Any) -> list[tuple[Any, int, int]]:
    keys = list(range(len(doc))) if isinstance(doc, list) else list(doc)
    places = yaml12.locate(text, [(k,) for k in keys])
    starts = [(places[(k,)][0], k) for k in keys]
    last = len(text.splitlines())
    return [(k, line, (starts[i + 1][0] - 1) if i + 1 < len(starts) else last)
            for i, (line, k) in enumerate(starts)]


def _schema_words() -> frozenset[str]:
    words: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            words.update(node.get("properties", {}) if isinstance(node.get("properties"),
                                                                  dict) else ())
            words.update(v for v in node.get("enum", []) if isinstance(v, str))
            if isinstance(node.get("const"), str):
                words.add(node["const"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for schema in SCHEMAS.glob("*.schema.json"):
        collect(json.loads(schema.read_text(encoding="utf-8")))
    return frozenset(words)


def _walk(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What an input must give, when the mutation decides it: the exit code, and for exit 3
    optionally a problem at this file (and line, and column)."""

    code: int
    why: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Edit:
    """A file's new content and what was done to it."""

    content: str | bytes
    note: str
    expect: Expect | None = None


@dataclass(frozen=True)
class Mutant:
    """One input: the corpus folder with these files replaced (None: deleted), directories
    made and links created (path → target)."""

    family: str
    note: str
    files: dict[str, bytes | None] = field(default_factory=dict)
    dirs: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    expect: Expect | None = None


def _place(text: str, index: int) -> tuple[int, int]:
    """(line, column), 1-based, of character `index` of `text`."""
    breaks = list(BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _boundary(rng: random.Random, text: str) -> int:
    return rng.randrange(len(text) + 1)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _line_index(rng: random.Random, lines: list[str]) -> int:
    return rng.randrange(len(lines)) if lines else 0


YAML_PIECES = [*":-?[]{},#&*!|>'\"%@`\\", " ", "\t", "\n", "- ", ": ", "\n- ", "  ", "~",
               "null", "0", "-1", "'", "\"\\", "{}", "[]", "---", "..."]
"""What most often changes a YAML file's meaning."""
ODD = ["\u202e", "\u200b", "\u200d", "\ufeff", "\xa0", "\u3000", "\u0301", "\uff1a", "\U0001f600",
       "\ue000", "\U0010fffd", "\x85", "\u2028", "\u2029", "\u0130", "ß", "\u03c2", "\u05d0",
       "\ufffe", "\uffff", "\U0001d400", "ﬁ", "\u00ad", "\u2060", "\u180e", "\u034f"]
"""Unicode that looks like nothing, like something else, or breaks lines."""
CONTROL = [*map(chr, range(0x00, 0x09)), "\x0b", "\x0c", *map(chr, range(0x0e, 0x20)), "\x7f",
           *map(chr, range(0x80, 0x85)), *map(chr, range(0x86, 0xa0)), "\ufffe", "\uffff"]
BAD_UTF8 = [b"\xff", b"\xfe", b"\x80", b"\xbf", b"\xc3", b"\xc0\xaf", b"\xe0\x80\xaf",
            b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98", b"\xe2\x82",
            b"\xf8\x88\x80\x80\x80", b"\xc3\x28"]


def char_delete(rng: random.Random, name: str, text: str) -> Edit:
    at, size = _boundary(rng, text), rng.choice((1, 1, 1, 2, 3, 10, 40))
    return Edit(text[:at] + text[at + size:], f"deleted {size} characters at {at}")


def char_insert(rng: random.Random, name: str, text: str) -> Edit:
    at = _boundary(rng, text)
    piece = rng.choice(YAML_PIECES) if rng.random() < 0.8 else chr(rng.randrange(0x20, 0x7f))
    return Edit(text[:at] + piece + text[at:], f"inserted {piece!r} at {at}")


def char_replace(rng: random.Random, name: str, text: str) -> Edit:
    at = rng.randrange(len(text))
    piece = rng.choice(YAML_PIECES) if rng.random() < 0.7 else chr(rng.randrange(0x20, 0x7f))
    return Edit(text[:at] + piece + text[at + 1:], f"replaced {text[at]!r} at {at} by {piece!r}")


def truncate(rng: random.Random, name: str, text: str) -> Edit:
    at = _boundary(rng, text)
    return Edit(text[:at], f"truncated at {at}")


def line_duplicate(rng: random.Random, name: str, text: str) -> Edit:
    lines = _lines(text)
    i = _line_index(rng, lines)
    lines.insert(i, lines[i])
    return Edit("".join(lines), f"duplicated line {i + 1}")


def line_swap(rng: random.Random, name: str, text: str) -> Edit:
    lines = _lines(text)
    i, j = _line_index(rng, lines), _line_index(rng, lines)
    lines[i], lines[j] = lines[j], lines[i]
    return Edit("".join(lines), f"swapped lines {i + 1} and {j + 1}")


def line_delete(rng: random.Random, name: str, text: str) -> Edit:
    lines = _lines(text)
    i = _line_index(rng, lines)
    del lines[i:i + rng.choice((1, 1, 2, 5))]
    return Edit("".join(lines), f"deleted lines from {i + 1}")


def indentation(rng: random.Random, name: str, text: str) -> Edit:
    lines = _lines(text)
    i = _line_index(rng, lines)
    body = lines[i].lstrip(" ")
    old = len(lines[i]) - len(body)
    new = 0 if rng.random() < 0.2 else max(0, old + rng.choice((-4, -3, -2, -1, 1, 2, 3, 4)))
    count = rng.choice((1, 1, 1, 3, 10))
    for j in range(i, min(i + count, len(lines))):
        stripped = lines[j].lstrip(" ")
        lines[j] = " " * max(0, len(lines[j]) - len(stripped) + new - old) + stripped
    return Edit("".join(lines), f"indented {count} lines from {i + 1} by {new - old}")


def tab(rng: random.Random, name: str, text: str) -> Edit:
    lines = _lines(text)
    i = _line_index(rng, lines)
    line = lines[i]
    if rng.random() < 0.5 and line.startswith(" "):
        lines[i] = "\t" + line[1:] if rng.random() < 0.5 else line.replace("  ", "\t", 1)
    else:
        lines[i] = line.replace(": ", ":\t", 1) if ": " in line else "\t" + line
    return Edit("".join(lines), f"a tab on line {i + 1}")


def _unprintable_at(name: str, text: str, at: int, piece: str, what: str) -> Edit:
    """`piece` inserted at `at`; a character YAML refuses must be reported exactly there."""
    new = text[:at] + piece + text[at:]
    bad = NOT_PRINTABLE.search(piece)
    if bad is None:
        return Edit(new, f"{what} {piece!r} at {at}")
    line, column = _place(new, at + bad.start())
    return Edit(new, f"{what} {piece!r} at {line}:{column}",
                Expect(3, f"{piece!r} is not allowed in YAML", name, line, column))


def control_char(rng: random.Random, name: str, text: str) -> Edit:
    piece = "\x00" if rng.random() < 0.3 else rng.choice(CONTROL)
    return _unprintable_at(name, text, _boundary(rng, text), piece, "control character")


def odd_unicode(rng: random.Random, name: str, text: str) -> Edit:
    piece = "".join(rng.choice(ODD) for _ in range(rng.choice((1, 1, 2, 3))))
    return _unprintable_at(name, text, _boundary(rng, text), piece, "odd Unicode")


def bom(rng: random.Random, name: str, text: str) -> Edit:
    if rng.random() < 0.5:  # an editor's BOM: the file means the same
        return Edit("\ufeff" + text.removeprefix("\ufeff"), "a BOM at the start",
                    Expect(0, "a BOM at the start is no content"))
    at = _boundary(rng, text)
    return Edit(text[:at] + "\ufeff" + text[at:], f"a BOM at {at}")


def invalid_utf8(rng: random.Random, name: str, text: str) -> Edit:
    at = _boundary(rng, text)
    bad = rng.choice(BAD_UTF8)
    line, column = _place(text, at)
    content = text[:at].encode() + bad + text[at:].encode()
    return Edit(content, f"bytes {bad!r} at {line}:{column}",
                Expect(3, f"{bad!r} is not UTF-8", name, line, column))


def truncated_utf8(rng: random.Random, name: str, text: str) -> Edit:
    """A copy cut in the middle of a multi-byte character (a lost write, a bad merge)."""
    at = _boundary(rng, text)
    char = rng.choice(["é", "€", "\U0001f600", "ß"])
    encoded = char.encode()
    cut = rng.randrange(1, len(encoded))
    line, column = _place(text, at)
    content = text[:at].encode() + encoded[:cut]
    return Edit(content, f"cut inside {char!r} at {line}:{column}",
                Expect(3, "a cut character is not UTF-8", name, line, column))


def long_line(rng: random.Random, name: str, text: str) -> Edit:
    lines = _lines(text)
    i = _line_index(rng, lines)
    size = rng.choice((1025, 5000, 100_000))
    kind = rng.choice(("value", "key", "comment", "digits"))
    if kind == "comment":
        lines.insert(i, "#" + "x" * size + "\n")
        return Edit("".join(lines), f"a {size}-character comment before line {i + 1}",
                    Expect(0, "a comment line is no content"))
    long = {"value": "x" * size, "key": "k" * size + ": 1", "digits": "9" * size}[kind]
    head, sep, _ = lines[i].partition(": ")
    lines[i] = (head + sep + long if sep and kind != "key" else
                head[:len(head) - len(head.lstrip(" -"))] + long) + "\n"
    return Edit("".join(lines), f"a {size}-character {kind} on line {i + 1}")


def line_endings(rng: random.Random, name: str, text: str) -> Edit:
    style = rng.choice(("\r\n", "\r", "mixed"))
    if style == "mixed":
        new = "".join(line.replace("\n", "\r\n") if rng.random() < 0.5 else line
                      for line in _lines(text))
    else:
        new = text.replace("\n", style)
    return Edit(new, f"line endings {style!r}", Expect(0, "line endings do not change YAML"))


def invariant(rng: random.Random, name: str, text: str) -> Edit:
    """Edits after which YAML means the same: the firm must be valid with the same objects."""
    lines = _lines(text)
    done = []
    for _ in range(rng.randint(1, 4)):
        i = _line_index(rng, lines)
        how = rng.choice(("comment", "blank", "trailing", "end comment"))
        if how == "comment":
            lines.insert(i, " " * rng.randrange(12) + "# " + rng.choice(ODD[:9]) + " note\n")
        elif how == "blank":
            lines.insert(i, " " * rng.randrange(6) + "\n")
        elif how == "trailing" or lines[i].rstrip().endswith(":"):
            lines[i] = lines[i].rstrip("\n") + " " * rng.randint(1, 5) + "\n"
        elif "#" not in lines[i]:
            lines[i] = lines[i].rstrip("\n") + "  # see " + rng.choice(("ticket 7", "'x'"))
            lines[i] += "\n"
        done.append(f"{how}@{i + 1}")
    return Edit("".join(lines), "unchanged meaning: " + ", ".join(done),
                Expect(0, "comments and blank lines are no content"))


TextMutator = Callable[[random.Random, str, str], Edit]
TEXT_MUTATORS: tuple[TextMutator, ...] = (
    char_delete, char_insert, char_replace, truncate, line_duplicate, line_swap, line_delete,
    indentation, tab, control_char, odd_unicode, bom, invalid_utf8, truncated_utf8, long_line,
    line_endings, invariant)


# --- structure-aware mutations: on the text, knowing its shape ------------------------------

VALUE_LINE = re.compile(r"^(?P<lead> *(?:- )?)(?P<key>[A-Za-z_][\w-]*):(?P<gap> +)"
                        r"(?P<value>[^#\s].*?)\s*$")
"""A block mapping's `key: value` line (the only lines whose value can be swapped)."""


def _value_lines(lines: list[str]) -> list[tuple[int, re.Match[str]]]:
    return [(i, m) for i, line in enumerate(lines) if (m := VALUE_LINE.match(line))]


def _with_value(match: re.Match[str], value: str) -> str:
    return f"{match['lead']}{match['key']}: {value}\n"


def _value_column(match: re.Match[str]) -> int:
    return len(match["lead"]) + len(match["key"]) + 3


def key_duplicate(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    lines = _lines(corpus.texts[name])
    i, match = rng.choice(_value_lines(lines))
    indent = " " * len(match["lead"])
    value = match["value"] if rng.random() < 0.5 else rng.choice(("1", "x", "null", "[]"))
    lines.insert(i + 1, f"{indent}{match['key']}: {value}\n")
    return Edit("".join(lines), f"key {match['key']!r} again on line {i + 2}",
                Expect(3, "a duplicate key", name, i + 2, len(indent) + 1))


TAGS = ['!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/apply:os.mkdir ["{marker}"]', "!!python/name:os.system",
        "!!python/object/new:builtins.list [[1]]", "!!binary aGVsbG8=", "!!set {a: null}",
        "!!omap [{a: 1}]", "!!str 5", "!!int '5'", "!!float 1", "!!null ''", "!!bool yes",
        "!custom x", "!<tag:yaml.org,2002:str> x", "!!timestamp 2026-01-01", "! 5",
        "!!map {a: 1}", "!!seq [a]", "!!str", "!e!thing 5"]
MARKER = "{marker}"


def yaml_tag(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    lines = _lines(corpus.texts[name])
    i, match = rng.choice(_value_lines(lines))
    tag = rng.choice(TAGS)
    lines[i] = _with_value(match, tag)
    offset = 0
    if tag.startswith("!e!"):
        lines[:0] = ["%TAG !e! tag:example.com,2000:\n", "---\n"]
        offset = 2
    return Edit("".join(lines), f"tag {tag} on line {i + 1 + offset}",
                Expect(3, "tags are refused where they are", name, i + 1 + offset,
                       _value_column(match)))


def anchor_alias(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    lines = _lines(corpus.texts[name])
    values = _value_lines(lines)
    (i, first), (j, second) = sorted(rng.sample(values, 2), key=lambda pair: pair[0])
    if rng.random() < 0.2:  # an alias with no anchor
        lines[j] = _with_value(second, "*nowhere")
        return Edit("".join(lines), f"alias on line {j + 1}",
                    Expect(3, "aliases are refused", name, j + 1, _value_column(second)))
    lines[i] = _with_value(first, "&x " + first["value"])
    lines[j] = _with_value(second, "*x")
    return Edit("".join(lines), f"anchor on line {i + 1}, alias on line {j + 1}",
                Expect(3, "anchors are refused", name, i + 1, _value_column(first)))


def merge_key(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    lines = _lines(corpus.texts[name])
    values = _value_lines(lines)
    i, match = rng.choice([(i, m) for i, m in values if m["lead"].endswith("- ")] or values)
    indent = " " * len(match["lead"])
    merged = rng.choice(("{type: house, description: merged}", "[]", "*base"))
    lines.insert(i + 1, f"{indent}<<: {merged}\n")
    where = (i + 2, len(indent) + (5 if merged == "*base" else 1))
    if merged == "*base" and i > 0 and rng.random() < 0.5:
        k, anchored = rng.choice([(k, m) for k, m in _value_lines(lines[:i])] or [(i, match)])
        lines[k] = _with_value(anchored, "&base " + anchored["value"])
        where = (k + 1, _value_column(anchored))
    return Edit("".join(lines), f"merge key <<: {merged} on line {i + 2}",
                Expect(3, "a merge key is an unknown key or an alias", name, *where))


def alias_bomb(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    """Billion laughs, bounded: refused at the first anchor, so it never grows."""
    levels, width = rng.randint(3, 9), rng.randint(2, 9)
    first = len(_lines(corpus.texts[name])) + 1
    lead = "- " if name != ENVIRONMENT else ""
    bomb = [f"{lead}{'' if lead else 'l0: '}&l0 [{', '.join(['lol'] * width)}]\n"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        bomb.append(f"{lead}{'' if lead else f'l{level}: '}&l{level} [{refs}]\n")
    text = corpus.texts[name].rstrip("\n") + "\n" + "".join(bomb)
    return Edit(text, f"alias bomb {width}^{levels} from line {first}",
                Expect(3, "the bomb's first anchor is refused", name, first))


def deep_nesting(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    lines = _lines(corpus.texts[name])
    i, match = rng.choice(_value_lines(lines))
    depth = rng.choice((2, 10, 62, 63, 64, 65, 100, 1000, 20_000))
    value = rng.choice(("[" * depth + "x" + "]" * depth,
                        "{a: " * depth + "x" + "}" * depth,
                        "- " * depth + "x"))
    line: int | None = i + 1
    if value.startswith("- "):
        lines[i] = f"{match['lead']}{match['key']}:\n{' ' * (len(match['lead']) + 2)}{value}\n"
        line = None  # the key's line, or the next one where the nesting goes too deep
    else:
        lines[i] = _with_value(match, value)
    return Edit("".join(lines), f"{depth} levels of nesting on line {i + 1}",
                Expect(3, "a nested value where none fits", name, line))


def multi_document(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    lines = _lines(corpus.texts[name])
    content = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    if rng.random() < 0.3:
        marker = rng.choice(("...\n", "--- \n", "---\n# again\n"))
        return Edit("".join([*lines, marker, *lines]), f"the file twice, after {marker!r}")
    at = rng.randint(content[0] + 1, content[-1])
    lines.insert(at, "---\n")
    return Edit("".join(lines), f"'---' before line {at + 1}",
                Expect(3, "a second document in the middle of the file"))


EMPTYISH = ("", "\n", "# nothing\n", "null\n", "~\n", "---\n", "[]\n")
TOP_LEVEL = (*EMPTYISH, "{}\n", "42\n", "x\n", "- - -\n", "{a: 1}\n", "'- name: x'\n", "- x\n",
             "- [a]\n", "- null\n", "\"\"\n", "-\n", "?\n", ":\n")


def top_level(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    text = rng.choice(TOP_LEVEL)
    expect = None if text in EMPTYISH and name != ENVIRONMENT else Expect(
        3, "no mapping where environment.yaml needs one, or no list of objects", name)
    return Edit(text, f"the whole file is {text!r}", expect)


def kind_swap(rng: random.Random, corpus: Corpus, name: str) -> Edit:
    other = rng.choice([n for n in corpus.files if n != name])
    return Edit(corpus.texts[other], f"the content of {other}",
                Expect(3, "another kind's objects do not fit", name))


# --- structure-aware mutations: on the parsed data, written back ----------------------------


class Raw(str):
    """A scalar written as it is, plain when YAML allows: 1_000, 0x1F, .NaN, 9…9 (5,000)."""


class _Dumper(yaml.CSafeDumper):
    pass


def _represent_raw(dumper: _Dumper, value: Raw) -> yaml.Node:
    text = str(value)
    tag: str = dumper.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Raw, _represent_raw)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**20,
                     default_flow_style=False)


VALUES: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63), 10**30, 0.5,
    -0.0, 1e308, float("nan"), float("inf"), float("-inf"), "", " ", "x", "5", "true", "null",
    "x" * 10_000, "\u202eHPT", "H\u200bPT", "ＨＰＴ-ARB", "e\u0301", "\U0001f600", "a\x00b",
    "a\nb", "\ttab", [], [1, 2], [None], [[]], {}, {"a": 1}, {"name": "x"}, {"": None},
    Raw("1_000"), Raw("0x10"), Raw("0o17"), Raw("0b11"), Raw("1e400"), Raw("-1e400"),
    Raw(".NaN"), Raw("-.inf"), Raw("9" * 4301), Raw("-" + "9" * 5000), Raw("12:30"),
    Raw("2026-01-01"), Raw("yes"), Raw("NO"), Raw("~"), Raw("010"), Raw("+1"), Raw(".5"),
    Raw("1."), Raw("-.5e-3"), Raw("0x" + "f" * 5000), Raw("1" * 4300), Raw("00"), Raw("-0"))
"""Values of every type YAML can write, and the numbers that break naive readers."""
KEYS: tuple[Any, ...] = (None, True, 1, 1.5, Raw("1_000"), "", "<<", "k" * 300, "nаme",
                         "名前", "Name", "NAME", "x-custom", "risk_setings", "\u200bname")
"""Keys that are not field names: other types, near misses and lookalikes."""
TOP_REQUIRED = {
    "accounts.yaml": {"name", "type"}, "users.yaml": {"email"}, "user-groups.yaml": {"name"},
    "risk-groups.yaml": {"name"}, "order-tag-defaults.yaml": {"market", "field", "value"},
    "product-margins.yaml": {"market", "product", "currency", "outright_margin",
                             "spread_margin"},
    ENVIRONMENT: {"tt_environment", "company", "credentials", "usage_plan"}}
ROW_REQUIRED = {"products": {"market"},  # (without a product: the default row)
                "contracts": {"market", "product", "contract"}}
LINK_REQUIRED = {("accounts.yaml", "users"): "user", ("users.yaml", "accounts"): "account"}
ENV_REQUIRED = {("credentials",): {"app_key_env", "app_secret_env"},
                ("policy", "bounds"): {"field", "max"},
                ("policy", "change_windows"): {"cron", "timezone", "minutes"}}
"""Required keys, by where they are (from the published schemas, kept short on purpose)."""


def _fresh(value: Any) -> Any:
    return pickle.loads(pickle.dumps(value))


def _get(root: Any, path: Path_) -> Any:
    for part in path:
        root = root[part]
    return root


def _keys(root: Any) -> list[Path_]:
    """Paths of every mapping key."""
    return [(*p, k) for p, node in _walk(root) if isinstance(node, dict) for k in node]


def _rename(mapping: dict[Any, Any], old: Any, new: Any) -> None:
    items = [(new if k == old else k, v) for k, v in mapping.items()]
    mapping.clear()
    mapping.update(items)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 2:
        return word + "x"
    i = rng.randrange(len(word) - 1)
    return rng.choice((word[:i] + word[i + 1:], word[:i] + word[i + 1] + word[i] + word[i + 2:],
                       word[:i] + "x" + word[i:], word.upper()))


Change = Callable[[random.Random, Corpus, str, Any], tuple[str, int | None]]
"""Mutates a document (or a one-item piece of it) in place: a note, and the exit code the
change must give (None when it depends on the value)."""


def _near(rng: random.Random, old: Any) -> Any:
    """A value of the old one's type, or on a boundary of what it may be."""
    if isinstance(old, bool):
        return rng.choice((not old, None, 0, 1, Raw("yes"), "true"))
    if isinstance(old, int | float):
        return rng.choice((0, -1, old + 1, -old, float(old), 2**31 - 1, 2**31, None, str(old),
                           Raw("1_000"), rng.randint(-10**9, 10**9)))
    if isinstance(old, str):
        return rng.choice((old.swapcase(), f" {old}", f"{old} ", "", old * 2, old[:-1],
                           _fullwidth(old), f"{old}\n", None, Raw(old)))
    return rng.choice((None, [], {}, [old], "x"))


def type_change(rng: random.Random, corpus: Corpus, name: str, doc: Any) -> tuple[str, None]:
    path = rng.choice([p for p, _ in _walk(doc) if p])
    old = _get(doc, path)
    value = _near(rng, old) if rng.random() < 0.4 else _fresh(rng.choice(VALUES))
    _get(doc, path[:-1])[path[-1]] = value
    return f"{path} := {str(value)[:40]!r} ({type(value).__name__})", None


def key_rename(rng: random.Random, corpus: Corpus, name: str, doc: Any) -> tuple[str, int | None]:
    path = rng.choice(_keys(doc))
    old = path[-1]
    new = rng.choice(KEYS) if rng.random() < 0.5 else _typo(rng, str(old))
    if new == old or new in _get(doc, path[:-1]):
        new = f"{old}_x"
    _rename(_get(doc, path[:-1]), old, new)
    unknown = not isinstance(new, str) or new not in corpus.words
    return f"{path} renamed to {str(new)[:40]!r}", 3 if unknown else None


def key_delete(rng: random.Random, corpus: Corpus, name: str, doc: Any) -> tuple[str, None]:
    path = rng.choice(_keys(doc))
    del _get(doc, path[:-1])[path[-1]]
    return f"{path} deleted", None


def _required(name: str, path: Path_) -> bool:
    key, parent = path[-1], path[:-1]
    if name == ENVIRONMENT:
        scope = parent if len(parent) < 2 else parent[:2]
        return (len(path) == 1 and key in TOP_REQUIRED[name]) or \
            key in ENV_REQUIRED.get(tuple(scope), set())
    if len(path) == 2:
        return key in TOP_REQUIRED[name]
    if len(path) >= 3 and path[-3] in ROW_REQUIRED:
        return key in ROW_REQUIRED[path[-3]]
    return len(path) == 4 and LINK_REQUIRED.get((name, path[1])) == key


def required_drop(rng: random.Random, corpus: Corpus, name: str,
                  doc: Any) -> tuple[str, int | None]:
    paths = [p for p in _keys(doc) if _required(name, p)]
    if not paths:
        return key_delete(rng, corpus, name, doc)
    path = rng.choice(paths)
    del _get(doc, path[:-1])[path[-1]]
    return f"required {path} deleted", 3


def unknown_key(rng: random.Random, corpus: Corpus, name: str, doc: Any) -> tuple[str, int]:
    path = rng.choice([p for p, node in _walk(doc) if isinstance(node, dict)])
    mapping = _get(doc, path)
    near = [_typo(rng, str(k)) for k in mapping] or ["x"]
    key = rng.choice([*near, *KEYS])
    if key in mapping or (isinstance(key, str) and key in corpus.words):
        key = "not_a_field"
    mapping[key] = _fresh(rng.choice(VALUES[:20]))
    return f"unknown key {str(key)[:40]!r} in {path}", 3


def _keyed(name: str, path: Path_) -> bool:
    """Lists whose items have a key of their own: a copy must be refused."""
    if name == ENVIRONMENT:
        return False
    return path == () or path[-1] in ROW_REQUIRED or path[-1] in ("users", "accounts")


def object_duplicate(rng: random.Random, corpus: Corpus, name: str,
                     doc: Any) -> tuple[str, int | None]:
    lists = [p for p, node in _walk(doc) if isinstance(node, list) and node]
    if not lists:
        return type_change(rng, corpus, name, doc)
    path = rng.choice(lists)
    items = _get(doc, path)
    copy = _fresh(rng.choice(items))
    if path == () and isinstance(copy, dict) and rng.random() < 0.5:
        key = "email" if "email" in copy else "name"
        if isinstance(copy.get(key), str):
            copy[key] = copy[key].swapcase()  # the same name for a reviewer, and for ttconfig
    items.insert(rng.randrange(len(items) + 1), copy)
    return f"an item of {path} twice", 3 if _keyed(name, path) else None


def _references(name: str, doc: Any) -> list[Path_]:
    if name == ENVIRONMENT:
        return []
    return [p for p, v in _walk(doc) if isinstance(v, str) and p and (
        p[-1] in ("parent", "user", "account") or
        (name in ("user-groups.yaml", "risk-groups.yaml") and len(p) == 3))]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def reference(rng: random.Random, corpus: Corpus, name: str, doc: Any) -> tuple[str, int | None]:
    paths = _references(name, doc)
    if not paths:
        return type_change(rng, corpus, name, doc)
    path = rng.choice(paths)
    old: str = _get(doc, path)
    if rng.random() < 0.4:  # the same name to NFKC and case folding: still the same object
        new = rng.choice((old.swapcase(), old.upper(), _fullwidth(old)))
        _get(doc, path[:-1])[path[-1]] = new
        return f"{path} written {new!r}", 0
    local, at, domain = old.partition("@")
    new = _typo(rng, local) + at + domain if rng.random() < 0.7 else f"ghost-{old}"
    if new.casefold() in corpus.names:
        new = f"ghost-{old}"
    _get(doc, path[:-1])[path[-1]] = new
    return f"{path} refers to {new!r}", 3


def parent_cycle(rng: random.Random, corpus: Corpus, name: str, doc: Any) -> tuple[str, int]:
    accounts = [a for a in doc if isinstance(a, dict) and isinstance(a.get("name"), str)]
    child = rng.choice(accounts)
    parent = next((a for a in accounts if a["name"] == child.get("parent")), child)
    parent["parent"] = child["name"]
    return f"{child['name']} and {parent['name']} are each other's parents", 3


def _overlap(one: Path_, other: Path_) -> bool:
    return one[:len(other)] == other or other[:len(one)] == one


def shared_object(rng: random.Random, corpus: Corpus, name: str,
                  doc: Any) -> tuple[str, int | None]:
    """The same object in two places: written as an anchor and an alias."""
    containers = [p for p, node in _walk(doc) if p and isinstance(node, dict | list) and node]
    source = rng.choice(containers) if containers else ()
    targets = [p for p, _ in _walk(doc) if p and not _overlap(p, source)]
    if not containers or not targets:
        return type_change(rng, corpus, name, doc)
    target = rng.choice(targets)
    _get(doc, target[:-1])[target[-1]] = _get(doc, source)
    return f"{target} is the object at {source}", 3


CHANGES: dict[str, Change] = {
    "type_change": type_change, "key_rename": key_rename, "key_delete": key_delete,
    "required_drop": required_drop, "unknown_key": unknown_key,
    "object_duplicate": object_duplicate, "reference": reference,
    "parent_cycle": parent_cycle, "shared_object": shared_object}


def _splice(corpus: Corpus, name: str, key: Any, text: str) -> str:
    lines = _lines(corpus.texts[name])
    first, last = next((f, la) for k, f, la in corpus.spans[name] if k == key)
    return "".join(lines[:first - 1]) + text + "".join(lines[last:])


def structural(family: str) -> Callable[[random.Random, Corpus, str], Edit]:
    """`family`'s change applied to one top-level item (spliced into the file, whose other
    lines and comments stay as they are) or to the whole file (written anew)."""
    change = CHANGES[family]

    def mutate(rng: random.Random, corpus: Corpus, name: str) -> Edit:
        if family == "parent_cycle":
            name = "accounts.yaml"
        doc = _fresh(corpus.data[name])
        whole = family == "parent_cycle" or rng.random() < 0.3
        key = rng.choice(corpus.spans[name])[0]
        piece = doc if whole else ([doc[key]] if isinstance(doc, list) else {key: doc[key]})
        note, code = change(rng, corpus, name, piece)
        text = _dump(piece) if whole else _splice(corpus, name, key, _dump(piece))
        scope = "the file" if whole else f"item {key!r}"
        return Edit(text, f"{note} in {scope}", None if code is None else Expect(
            code, family, name if code == 3 else None))

    mutate.__name__ = family
    return mutate


StructMutator = Callable[[random.Random, Corpus, str], Edit]
STRUCT_MUTATORS: tuple[StructMutator, ...] = (
    key_duplicate, yaml_tag, anchor_alias, merge_key, alias_bomb, deep_nesting, multi_document,
    top_level, kind_swap, *(structural(family) for family in CHANGES))


# --- folder mutations ---------------------------------------------------------------------


def _split(corpus: Corpus, name: str, parts: int) -> dict[str, bytes | None]:
    """A kind's file as a folder of `parts` files (the same objects)."""
    lines = _lines(corpus.texts[name])
    spans = corpus.spans[name]
    stem = name.removesuffix(".yaml")
    size = -(-len(spans) // parts)
    files: dict[str, bytes | None] = {name: None}
    for n, start in enumerate(range(0, len(spans), size)):
        chunk = spans[start:start + size]
        text = "".join(lines[chunk[0][1] - 1:chunk[-1][2]])
        files[f"{stem}/part-{n + 1}.yaml"] = text.encode()
    return files


def file_delete(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(list(corpus.files))
    expect = Expect(3, "no environment.yaml", ENVIRONMENT, 1, 1) if name == ENVIRONMENT else None
    return Mutant("file_delete", f"{name} deleted", {name: None}, expect=expect)


def file_empty(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(list(corpus.files))
    text = rng.choice(EMPTYISH)
    expect = Expect(3, "an empty environment.yaml", ENVIRONMENT) if name == ENVIRONMENT else None
    return Mutant("file_empty", f"{name} is {text!r}", {name: text.encode()}, expect=expect)


def file_rename(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(list(corpus.files))
    stem = name.removesuffix(".yaml")
    new = rng.choice((_typo(rng, stem) + ".yaml", stem + ".yml", stem.capitalize() + ".yaml",
                      stem + ".YAML", stem + "s.yaml"))
    if new in corpus.files:
        new = "x-" + name
    expect: Expect | None = Expect(3, "an unknown file name", new, 1, 1)
    if name == ENVIRONMENT:  # nothing else is read without it
        expect = Expect(3, "no environment.yaml", ENVIRONMENT, 1, 1)
    elif not new.endswith((".yaml", ".yml")):  # .YAML is not read at all: the kind is empty
        expect = None
    return Mutant("file_rename", f"{name} renamed {new}",
                  {name: None, new: corpus.files[name]}, expect=expect)


def kind_folder(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(corpus.kinds)
    parts = rng.randint(1, 3)
    return Mutant("kind_folder", f"{name} split into {parts} files",
                  _split(corpus, name, parts), expect=Expect(0, "a folder of files is the kind"))


def file_and_folder(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(corpus.kinds)
    files = {**_split(corpus, name, 1), name: corpus.files[name]}
    return Mutant("file_and_folder", f"{name} and its folder", files,
                  expect=Expect(3, "a kind in a file and a folder", name, 1, 1))


def unknown_file(rng: random.Random, corpus: Corpus) -> Mutant:
    new = rng.choice(("notes.yaml", "acount.yaml", "environment.yml", "README.yaml",
                      "users.yml", "ünknown.yaml", "x y.yaml"))
    content = rng.choice([*corpus.files.values(), b"", b"\xff"])
    return Mutant("unknown_file", f"an extra file {new}", {new: content},
                  expect=Expect(3, "an unknown file", new, 1, 1))


def not_a_file(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(corpus.kinds)
    stem = name.removesuffix(".yaml")
    files = _split(corpus, name, 2)
    if rng.random() < 0.5:
        return Mutant("not_a_file", f"a directory {stem}/broken.yaml", files,
                      dirs=(f"{stem}/broken.yaml",),
                      expect=Expect(3, "a directory is no file", f"{stem}/broken.yaml", 1, 1))
    return Mutant("not_a_file", f"a dangling link {stem}/gone.yaml", files,
                  links={f"{stem}/gone.yaml": "/nonexistent/gone.yaml"},
                  expect=Expect(3, "a dangling link is no file", f"{stem}/gone.yaml", 1, 1))


def linked_file(rng: random.Random, corpus: Corpus) -> Mutant:
    name = rng.choice(list(corpus.files))
    return Mutant("linked_file", f"{name} is a link to the corpus", {name: None},
                  links={name: str(CORPUS / name)}, expect=Expect(0, "a link to a valid file"))


FolderMutator = Callable[[random.Random, Corpus], Mutant]
FOLDER_MUTATORS: tuple[FolderMutator, ...] = (
    file_delete, file_empty, file_rename, kind_folder, file_and_folder, unknown_file,
    not_a_file, linked_file)
FAMILIES = [m.__name__ for m in (*TEXT_MUTATORS, *STRUCT_MUTATORS, *FOLDER_MUTATORS)]


def make_mutant(seed: int, index: int, corpus: Corpus) -> Mutant:
    """Input `index` of the run with `seed` (it depends on nothing else)."""
    rng = random.Random(f"{seed}:{index}")
    group = rng.choices(("text", "struct", "folder"), weights=(45, 45, 10))[0]
    if group == "folder":
        return rng.choice(FOLDER_MUTATORS)(rng, corpus)
    name = rng.choice(list(corpus.files))
    if group == "text":
        mutator: TextMutator = rng.choice(TEXT_MUTATORS)
        edit, family = mutator(rng, name, corpus.texts[name]), mutator.__name__
    else:
        struct: StructMutator = rng.choice(STRUCT_MUTATORS)
        edit, family = struct(rng, corpus, name), struct.__name__
        name = "accounts.yaml" if family == "parent_cycle" else name
    if isinstance(edit.content, str) and edit.content and rng.random() < 0.15:  # and a blind one
        again: TextMutator = rng.choice(TEXT_MUTATORS[:9])
        more = again(rng, name, edit.content)
        edit = Edit(more.content, f"{edit.note}; then {again.__name__}: {more.note}")
    content = edit.content.encode() if isinstance(edit.content, str) else edit.content
    return Mutant(family, f"{name}: {edit.note}", {name: content}, expect=edit.expect)


# --- running an input ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int | None
    stdout: str
    stderr: str
    crash: BaseException | None
    seconds: float


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def apply_mutant(folder: Path, mutant: Mutant, markers: Path) -> None:
    for relative, content in mutant.files.items():
        target = folder / relative
        _remove(target)
        if content is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.replace(MARKER.encode(), str(markers).encode()))
    for relative in mutant.dirs:
        (folder / relative).mkdir(parents=True, exist_ok=True)
    for relative, destination in mutant.links.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).symlink_to(destination)


def materialize(root: Path, corpus: Corpus, mutant: Mutant | None = None) -> Path:
    """A folder `root/environments/prod` holding the corpus, mutated by `mutant`."""
    folder = root / "environments" / ENV
    folder.mkdir(parents=True)
    for name, raw in corpus.files.items():
        (folder / name).write_bytes(raw)
    if mutant is not None:
        apply_mutant(folder, mutant, root / "markers" / "ran")
    return folder


class Workspace:
    """One folder every input is written into and restored from (fast: one file each)."""

    def __init__(self, root: Path, corpus: Corpus) -> None:
        self.root, self.corpus = root, corpus
        self.folder = materialize(root, corpus)
        self.marker = root / "markers" / "ran"
        self.marker.parent.mkdir()
        pristine = validate(root)
        assert pristine.code == 0, pristine.stderr
        self.valid_stdout = pristine.stdout

    def run(self, mutant: Mutant, github: bool = False) -> tuple[Outcome, list[str]]:
        """`ttconfig validate` on the mutated folder, and what is wrong with its outcome."""
        apply_mutant(self.folder, mutant, self.marker)
        try:
            outcome = validate(self.root, github)
            return outcome, findings(outcome, mutant, self, github)
        finally:
            self.restore(mutant)
            _remove(self.marker)

    def restore(self, mutant: Mutant) -> None:
        touched = {Path(p).parts[0] for p in (*mutant.files, *mutant.dirs, *mutant.links)}
        for top in touched:
            _remove(self.folder / top)
            if top in self.corpus.files:
                (self.folder / top).write_bytes(self.corpus.files[top])

    def is_pristine(self) -> bool:
        entries = sorted(p.name for p in self.folder.iterdir())
        return entries == sorted(self.corpus.files) and all(
            (self.folder / n).read_bytes() == raw for n, raw in self.corpus.files.items())


@contextlib.contextmanager
def _user_run(argv: list[str], github: bool) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """sys.argv, the GitHub Actions variable and the output streams, as for a user's run."""
    saved_argv, saved_github = sys.argv, os.environ.pop("GITHUB_ACTIONS", None)
    if github:
        os.environ["GITHUB_ACTIONS"] = "true"
    out, err = io.StringIO(), io.StringIO()
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings():
            warnings.simplefilter("always")  # shown to the user as they would be, not raised
            yield out, err
    finally:
        sys.argv = saved_argv
        os.environ.pop("GITHUB_ACTIONS", None)
        if saved_github is not None:
            os.environ["GITHUB_ACTIONS"] = saved_github


def validate(root: Path, github: bool = False) -> Outcome:
    """`ttconfig validate -e prod` with `root` as the working directory, in-process."""
    argv = ["ttconfig", "validate", "-e", ENV, "--environments-dir", "environments"]
    code: int | None = None
    crash: BaseException | None = None
    start = time.perf_counter()
    with contextlib.chdir(root), _user_run(argv, github) as (out, err):
        try:
            cli.main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
        except Exception as error:  # a traceback the user would see: what we are here for
            crash = error
    return Outcome(code, out.getvalue(), err.getvalue(), crash, time.perf_counter() - start)


def _text_of(path: Path) -> str | None:
    """A regular file's text (bytes that are not UTF-8 shown as U+FFFD), else None."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace") if path.is_file() else None
    except OSError:
        return None


def _position_problem(folder: Path, file: str, line: int, column: int) -> str | None:
    """What is wrong with a problem's file:line:col, if anything."""
    path = folder / file
    if not (os.path.lexists(path) or file == ENVIRONMENT):
        return f"names {file}, which is not in the folder"
    text = _text_of(path)
    if text is None:  # missing, a directory, a dangling link: only the file itself
        return None if (line, column) == (1, 1) else f"{line}:{column} in no text"
    lines = BREAK.split(text)
    if not 1 <= line <= len(lines) or not 1 <= column <= len(lines[line - 1]) + 1:
        return f"{line}:{column} is outside {file} ({len(lines)} lines)"
    return None


def _problems_of(outcome: Outcome, folder: Path) -> tuple[list[tuple[str, int, int]], list[str]]:
    """(file, line, column) of every problem printed, and what is wrong with the output."""
    found: list[tuple[str, int, int]] = []
    wrong: list[str] = []
    for text in outcome.stderr.splitlines():
        match = LOCATED.match(text)
        if match is None:
            wrong.append(f"unlocated: a line of output names no file:line:col: {text[:200]!r}")
            continue
        place = (match["file"], int(match["line"]), int(match["column"]))
        found.append(place)
        if len(text) > LONGEST_PROBLEM:
            wrong.append(f"long: a problem of {len(text)} characters: {text[:200]!r}")
        problem = _position_problem(folder, *place)
        if problem is not None:
            wrong.append(f"position: {problem}: {text[:200]!r}")
    if not found:
        wrong.append("silent: exit 3 without a problem")
    return found, wrong


def _expected(expect: Expect, outcome: Outcome, found: list[tuple[str, int, int]],
              valid_stdout: str) -> list[str]:
    if outcome.code != expect.code:
        return [f"expected exit {expect.code} ({expect.why}), got {outcome.code}: "
                f"{(outcome.stderr or outcome.stdout)[:300]!r}"]
    if expect.code == 0 and outcome.stdout != valid_stdout:
        return [f"expected the same objects ({expect.why}): {outcome.stdout!r}"]
    if expect.file is None:
        return []
    hit = any(f == expect.file and expect.line in (None, line) and expect.column in (None, col)
              for f, line, col in found)
    return [] if hit else [f"expected a problem at {expect.file}:{expect.line}:{expect.column} "
                           f"({expect.why}), got {outcome.stderr[:300]!r}"]


def findings(outcome: Outcome, mutant: Mutant, workspace: Workspace,
             github: bool = False) -> list[str]:
    """Everything wrong with an input's outcome; empty when the user got what they should."""
    if outcome.crash is not None:
        return [f"traceback: {_crash_site(outcome.crash)}"]
    wrong: list[str] = []
    if outcome.code not in (0, 3):
        wrong.append(f"exit code {outcome.code}: {(outcome.stderr or outcome.stdout)[:300]!r}")
    if "Traceback" in outcome.stdout + outcome.stderr:
        wrong.append(f"traceback text in the output: {outcome.stderr[-300:]!r}")
    if workspace.marker.exists():
        wrong.append("code ran: a YAML tag's payload created its file")
    if outcome.seconds > SLOW_SECONDS:
        wrong.append(f"slow: {outcome.seconds:.1f} s")
    found: list[tuple[str, int, int]] = []
    if outcome.code == 0:
        if outcome.stderr or not VALID.match(outcome.stdout):
            wrong.append(f"exit 0 output: {outcome.stdout[:200]!r} {outcome.stderr[:200]!r}")
    elif outcome.code == 3:
        found, bad = _problems_of(outcome, workspace.folder)
        wrong += bad + _annotations(outcome, github)
    if mutant.expect is not None and outcome.code in (0, 3):
        wrong += _expected(mutant.expect, outcome, found, workspace.valid_stdout)
    return wrong


def _annotations(outcome: Outcome, github: bool) -> list[str]:
    """Under GitHub Actions each problem is also an annotation on stdout, one line each."""
    lines = outcome.stdout.splitlines()
    if not github:
        return [f"stdout on a configuration error: {outcome.stdout[:200]!r}"] if lines else []
    if len(lines) != len(outcome.stderr.splitlines()) or not all(map(ANNOTATION.match, lines)):
        return [f"annotation: {outcome.stdout[:300]!r}"]
    return []


def _crash_site(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "ttconfig" in f.filename and "/tests/" not in f.filename]
    frame = (ours or frames)[-1]
    return (f"{type(error).__name__}: {str(error)[:160]} at "
            f"{Path(frame.filename).name}:{frame.lineno} ({frame.name})")


def signature(wrong: list[str], family: str) -> str:
    """What makes two failures the same bug: where a traceback comes from, else the first
    finding without its details, for one family."""
    first = wrong[0]
    if first.startswith("traceback:"):
        return first.split(": ", 2)[1] + " at " + first.rsplit(" at ", 1)[-1]
    return f"{family}: " + first.split(":", 1)[0]


# --- a run --------------------------------------------------------------------------------


@dataclass
class Failure:
    index: int
    mutant: Mutant
    wrong: list[str]


@dataclass
class Fuzz:
    workspace: Workspace
    seed: int
    codes: Counter[int | None] = field(default_factory=Counter)
    families: dict[str, Counter[str]] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    expected: int = 0
    seconds: float = 0.0
    slowest: float = 0.0

    def run(self, indexes: range) -> None:
        start = time.perf_counter()
        for index in indexes:
            self.one(index)
        self.seconds = time.perf_counter() - start

    def one(self, index: int) -> None:
        self.check(index, make_mutant(self.seed, index, self.workspace.corpus))

    def check(self, index: int, mutant: Mutant) -> None:
        """Run one input and count it (every tenth as under GitHub Actions)."""
        outcome, wrong = self.workspace.run(mutant, github=index % 10 == 0)
        self.codes[outcome.code] += 1
        self.expected += mutant.expect is not None
        self.slowest = max(self.slowest, outcome.seconds)
        tally = self.families.setdefault(mutant.family, Counter())
        tally[str(outcome.code)] += 1
        if wrong:
            tally["fail"] += 1
            self.failures.setdefault(signature(wrong, mutant.family), []).append(
                Failure(index, mutant, wrong))

    def summary(self) -> str:
        inputs = sum(self.codes.values())
        failed = sum(len(f) for f in self.failures.values())
        families = " ".join(
            f"{name}={sum(c[k] for k in ('0', '3'))}({c['0']}/{c['3']}"
            f"{'/FAIL ' + str(c['fail']) if c['fail'] else ''})"
            for name, c in sorted(self.families.items()))
        return (f"yaml fuzz: seed={self.seed} inputs={inputs} exit0={self.codes[0]} "
                f"exit3={self.codes[3]} failed={failed} with_expectation={self.expected} "
                f"seconds={self.seconds:.1f} ({1000 * self.seconds / max(inputs, 1):.1f} ms "
                f"each, slowest {self.slowest:.2f} s); by family, total(exit0/exit3): "
                f"{families}")

    def report(self, folder: Path) -> str:
        """Every distinct failure, its first input saved (as is, and made small) under
        `folder`, with how to replay it."""
        lines = [self.summary(), f"{len(self.failures)} distinct failure(s); inputs saved "
                                 f"under {folder}:"]
        for n, (sig, failures) in enumerate(sorted(self.failures.items())):
            first = failures[0]
            saved = save_failure(self.workspace, folder / f"{n:02d}-{first.mutant.family}",
                                 first, sig, minimize=n < 5)
            lines.append(f"- {sig} [{len(failures)} input(s); first #{first.index}, "
                         f"{first.mutant.family}: {first.mutant.note[:200]}]\n    "
                         f"{first.wrong[0][:400]}\n    saved: {saved}")
        lines.append(f"replay: TTCONFIG_FUZZ_SEED={self.seed} TTCONFIG_FUZZ="
                     f"{max(f.index for fs in self.failures.values() for f in fs) + 1} "
                     "pytest -s tests/proof/test_yaml_fuzz.py")
        return "\n".join(lines)


# --- failures: saved, and made small ------------------------------------------------------


def shrink(workspace: Workspace, mutant: Mutant, sig: str) -> Mutant:
    """A smaller input with the same failure: the mutated file's lines cut down (delta
    debugging), then every other file of the folder deleted that the failure does not need."""
    budget = [SHRINK_BUDGET]

    def still_fails(candidate: Mutant) -> bool:
        budget[0] -= 1
        _, wrong = workspace.run(candidate)
        return bool(wrong) and signature(wrong, candidate.family) == sig

    contents = [(k, v) for k, v in mutant.files.items() if v is not None]
    if len(contents) == 1 and not mutant.dirs and not mutant.links:
        name, raw = contents[0]
        lines = raw.splitlines(keepends=True)
        lines = _ddmin(lines, lambda ls: budget[0] > 0 and still_fails(
            replace(mutant, files={**mutant.files, name: b"".join(ls)})))
        mutant = replace(mutant, files={**mutant.files, name: b"".join(lines)})
    for other in workspace.corpus.files:
        if other not in mutant.files and budget[0] > 0:
            candidate = replace(mutant, files={**mutant.files, other: None})
            mutant = candidate if still_fails(candidate) else mutant
    return mutant


def _ddmin(lines: list[bytes], fails: Callable[[list[bytes]], bool]) -> list[bytes]:
    chunks = 2
    while len(lines) >= 2:
        size = -(-len(lines) // chunks)
        for start in range(0, len(lines), size):
            candidate = lines[:start] + lines[start + size:]
            if fails(candidate):
                lines, chunks = candidate, max(chunks - 1, 2)
                break
        else:
            if chunks >= len(lines):
                break
            chunks = min(len(lines), chunks * 2)
    return lines


def save_failure(workspace: Workspace, folder: Path, failure: Failure, sig: str,
                 minimize: bool) -> Path:
    """The failing input as a folder `ttconfig validate -e prod` runs in, and a smaller one."""
    small = shrink(workspace, failure.mutant, sig) if minimize else None
    materialize(folder / "original", workspace.corpus, failure.mutant)
    if small is not None:
        materialize(folder / "minimal", workspace.corpus, small)
    (folder / "README.txt").write_text(
        f"seed {SEED}, input #{failure.index}, family {failure.mutant.family}\n"
        f"{failure.mutant.note}\n\n" + "\n".join(failure.wrong) + "\n\n"
        f"cd {folder / 'minimal' if small else folder / 'original'} && "
        f"ttconfig validate -e {ENV}\n", encoding="utf-8")
    return folder


# --- the tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus()


@pytest.fixture
def workspace(tmp_path: Path, corpus: Corpus) -> Workspace:
    return Workspace(tmp_path / "work", corpus)


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("inputs", chunks(COUNT, CHUNK), ids=chunk_id)
def test_mutated_folders_give_only_configuration_errors(workspace: Workspace, tmp_path: Path,
                                                         inputs: range,
                                                         proof_record: Recorder) -> None:
    fuzz = Fuzz(workspace, SEED)
    fuzz.run(inputs)
    print(f"\ninputs {chunk_id(inputs)} of {COUNT}: {fuzz.summary()}")
    proof_record("yaml fuzz", len(chunks(COUNT, CHUNK)),
                 {"inputs": sum(fuzz.codes.values()), "exit 0": fuzz.codes[0],
                  "exit 3": fuzz.codes[3],
                  "failed": sum(len(f) for f in fuzz.failures.values()),
                  **{f"family: {name}": sum(c[k] for k in ("0", "3"))
                     for name, c in fuzz.families.items()}},
                 {"inputs": COUNT, "exit 0": 1, "exit 3": 1,
                  # enough inputs that every family must have had its turn
                  **({f"family: {name}": 1 for name in FAMILIES} if COUNT >= 2000 else {})})
    assert workspace.is_pristine(), "the harness left a mutation behind"
    assert not fuzz.failures, fuzz.report(tmp_path / "failures")
    assert set(fuzz.families) <= set(FAMILIES), fuzz.summary()


def _nul_in_accounts(corpus: Corpus) -> Mutant:
    text = corpus.texts["accounts.yaml"]
    at = text.index("type: house") + len("type: ")
    line, column = _place(text, at)
    content = (text[:at] + "\x00" + text[at:]).encode()
    return Mutant("control_char", "NUL", {"accounts.yaml": content},
                  expect=Expect(3, "NUL", "accounts.yaml", line, column))


def test_the_harness_tells_valid_from_invalid_and_sees_every_kind_of_failure(
        workspace: Workspace, corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    valid, wrong = workspace.run(Mutant("none", "the corpus itself"))
    assert (valid.code, wrong) == (0, [])
    nul = _nul_in_accounts(corpus)
    invalid, wrong = workspace.run(nul)
    assert (invalid.code, wrong) == (3, []), invalid.stderr
    # ... and each way an input can fail is reported.
    assert workspace.run(replace(nul, expect=Expect(0, "wrong on purpose")))[1][0].startswith(
        "expected exit 0")
    moved = replace(nul.expect, line=1) if nul.expect else None
    assert workspace.run(replace(nul, expect=moved))[1][0].startswith("expected a problem at")

    def crash(folder: Path, **_: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(setup, "load_firm", crash)
    crashed = workspace.run(nul)[1]
    assert signature(crashed, "any").startswith("KeyError at setup.py:"), crashed
    assert crashed[0].endswith("(validate)"), crashed

    def unlocated(folder: Path, **_: object) -> None:
        raise ConfigError(["something is wrong somewhere"])

    monkeypatch.setattr(setup, "load_firm", unlocated)
    assert workspace.run(nul)[1][0].startswith("unlocated:")
    assert workspace.is_pristine()


def test_an_input_depends_only_on_the_seed_and_its_index(corpus: Corpus) -> None:
    first = [make_mutant(SEED, i, corpus) for i in range(200)]
    assert first == [make_mutant(SEED, i, corpus) for i in range(200)]
    assert first != [make_mutant(SEED + 1, i, corpus) for i in range(200)]


def test_a_failure_is_reported_with_its_input_saved_and_made_small(
        workspace: Workspace, corpus: Corpus, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    def fragile(folder: Path, **options: Any) -> Any:  # a bug only a BEL in accounts triggers
        if b"\x07" in (folder / "accounts.yaml").read_bytes():
            raise RuntimeError("bell")
        return load_firm(folder, **options)

    monkeypatch.setattr(setup, "load_firm", fragile)
    text = corpus.texts["accounts.yaml"]
    at = text.index("HPT-CUST-ALDER")
    bell = Mutant("control_char", "a BEL", {"accounts.yaml": (text[:at] + "\x07" +
                                                              text[at:]).encode()})
    fuzz = Fuzz(workspace, SEED)
    fuzz.check(7, bell)
    fuzz.check(8, Mutant("none", "the corpus itself"))
    report = fuzz.report(tmp_path / "failures")
    saved = tmp_path / "failures" / "00-control_char"
    assert "RuntimeError at setup.py" in report
    assert f"saved: {saved}" in report
    assert f"TTCONFIG_FUZZ_SEED={SEED} TTCONFIG_FUZZ=8 " in report
    assert (saved / "original" / "environments" / ENV / "accounts.yaml").read_bytes() == \
        bell.files["accounts.yaml"]
    minimal = saved / "minimal" / "environments" / ENV
    assert sorted(p.name for p in minimal.iterdir()) == ["accounts.yaml"]
    assert (minimal / "accounts.yaml").read_bytes() == b"- name: \x07HPT-CUST-ALDER\n"
    assert "ttconfig validate -e prod" in (saved / "README.txt").read_text(encoding="utf-8")
    assert workspace.is_pristine()

"""Writing desired state as YAML: new files in a stable layout, existing files in place.

New files list each object's declared keys in the models' order, block style, after a
schema modeline. Existing files are updated through ruamel's round-trip mode, object by
object (matched by key), so comments, key order and formatting of everything that did not
change survive and a git diff shows only what changed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken

from ttconfig.desired.schema import modeline, schema_file
from ttconfig.models import KindSpec
from ttconfig.models.base import Model

KEYS_FIRST = ("name", "email", "user", "account", "market", "family", "product", "type", "contract",
              "legs",
              "field", "apply")
"""Keys that say which object a block is; written first, whatever the model's field order."""


def _null(representer: Any, _value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


_SEXAGESIMAL = re.compile(r"[0-9]+(:[0-5]?[0-9])+")
"""A time of day ("17:00"): a string in YAML 1.2, but a number (1020) to YAML 1.1 tools."""


def _text(representer: Any, value: str) -> Any:
    """Strings with invisible or line-breaking characters are double-quoted with escapes,
    so they read back exactly (and show in a review); so are times of day, which editors
    and linters that speak YAML 1.1 would read as numbers."""
    if (any(unicodedata.category(c)[0] in "CZ" and c != " " for c in value)
            or _SEXAGESIMAL.fullmatch(value)):
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return representer.represent_str(value)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.preserve_quotes = True
    yaml.representer.add_representer(type(None), _null)
    yaml.representer.add_representer(str, _text)
    return yaml


ROOT_SHIFT = 2
_INDENTED = re.compile(r"(?m)^(?= +#)")


def _dump(data: Any) -> str:
    """Dump a top-level list with its items at column 0 and nested lists indented.

    ruamel indents a top-level sequence like a nested one; every line then starts with the
    same two spaces, which are taken off again (and end-of-line comments, which ruamel keeps
    at their column, were moved right by as much before: `_shift_comments`).
    """
    out = io.StringIO()
    _yaml().dump(data, out)
    return "".join(line[ROOT_SHIFT:] if line.startswith(" " * ROOT_SHIFT) else line
                   for line in out.getvalue().splitlines(keepends=True))


def _shift_comments(node: Any, by: int) -> None:
    """Move the comments under `node` right by `by` columns: end-of-line and leading ones by
    their column, full-line ones (kept as text after a newline) by their indentation."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if isinstance(current, CommentedMap | CommentedSeq):
            for token in _tokens([*current.ca.items.values(), current.ca.comment]):
                if id(token) in seen:  # a leading comment is held by two nodes
                    continue
                seen.add(id(token))
                if token.value.startswith("\n"):
                    token.value = _INDENTED.sub(" " * by, token.value)
                else:
                    token.column = token.column + by
            stack.extend(current.values() if isinstance(current, CommentedMap) else current)


def _tokens(entry: Any) -> Iterator[CommentToken]:
    if isinstance(entry, CommentToken):
        yield entry
    elif isinstance(entry, list):
        for part in entry:
            yield from _tokens(part)


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        first = [k for k in KEYS_FIRST if k in value]
        return {k: _ordered(value[k]) for k in [*first, *(k for k in value if k not in first)]}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def plain(model: Model) -> dict[str, Any]:
    """The declared (managed) content of a model as plain data, identifying keys first."""
    data: dict[str, Any] = _ordered(model.declared())
    return data


def yaml_of(items: Sequence[Model]) -> str:
    """Objects as a kind's file lists them (no modeline): to show one, or to paste it."""
    return _dump([plain(item) for item in items]) if items else "[]\n"


def render_new(spec: KindSpec, items: Sequence[Model], schema_dir: str = "../../schemas") -> str:
    """A new file for a kind: a modeline, then the objects."""
    out = io.StringIO()
    out.write(modeline(f"{schema_dir}/{schema_file(spec.file_stem + '.yaml')}") + "\n")
    data = [plain(item) for item in items]
    out.write(_dump(data) if data else "[]\n")
    return out.getvalue()


def update_text(text: str, items: Sequence[Model]) -> str:
    """`text` (an existing kind file) with its objects made equal to `items`.

    Objects are matched by their key: changed ones are edited in place, new ones appended,
    ones no longer declared removed. Comments and the order of untouched keys are kept.
    """
    yaml = _yaml()
    document = yaml.load(text)
    existing: CommentedSeq = document if isinstance(document, CommentedSeq) else CommentedSeq()
    _shift_comments(existing, ROOT_SHIFT)
    by_key = {_key(node, items): index for index, node in enumerate(existing)
              if isinstance(node, CommentedMap)}
    wanted = [(item.key(), plain(item)) for item in items]
    result = CommentedSeq()
    for key, data in wanted:
        index = by_key.get(key)
        if index is None:
            result.append(data)
        else:
            node = existing[index]
            _merge(node, data)
            result.append(node)
    _carry_comments(existing, result)
    return _keep_header(text, _dump(result) if result else "[]\n")


def without_items_at(text: str, lines: set[int]) -> tuple[str, int]:
    """`text` without the list items (mappings) that start on `lines` (1-based), wherever
    they are nested; (the text, how many were removed). Everything else, comments and
    layout included, is kept as it was."""
    document = _yaml().load(text)
    if not isinstance(document, CommentedSeq):
        return text, 0
    _shift_comments(document, ROOT_SHIFT)
    removed = _remove_at(document, lines)
    return (_keep_header(text, _dump(document) if document else "[]\n"), removed) \
        if removed else (text, 0)


def _remove_at(node: Any, lines: set[int]) -> int:
    removed = 0
    if isinstance(node, CommentedSeq):
        doomed = [i for i, item in enumerate(node)
                  if isinstance(item, CommentedMap) and item.lc.line + 1 in lines]
        for index in reversed(doomed):
            del node[index]
        removed += len(doomed)
    children = node.values() if isinstance(node, CommentedMap) else \
        node if isinstance(node, CommentedSeq) else ()
    return removed + sum(_remove_at(child, lines) for child in children)


def update_file(path: Path, items: Sequence[Model], spec: KindSpec) -> None:
    """Make `path` declare `items`: updated in place if it exists, written new if not."""
    if path.exists():
        path.write_text(update_text(path.read_text(encoding="utf-8"), items), encoding="utf-8")
    else:
        path.write_text(render_new(spec, items), encoding="utf-8")


def _key(node: CommentedMap, items: Sequence[Model]) -> Any:
    """The key an existing node would have, computed by the model of the kind."""
    if not items:
        return None
    model = type(items[0])
    try:
        return model.model_validate(_to_plain(node)).key()
    except ValueError:
        return None


def _to_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _merge(node: CommentedMap, data: dict[str, Any]) -> None:
    """Make `node` hold `data`: nested mappings are merged so their comments survive."""
    for key in [k for k in node if k not in data]:
        del node[key]
    for key, value in data.items():
        current = node.get(key)
        if isinstance(current, CommentedMap) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, CommentedSeq) and isinstance(value, list) and \
                _to_plain(current) != value:
            _merge_list(current, value)
        elif key not in node:
            node.insert(_position(node, data, key), key, value)
        elif _to_plain(current) != value:
            node[key] = value


def _position(node: CommentedMap, data: dict[str, Any], key: str) -> int:
    """Where a key new to `node` goes: after the last key `data` (in the model's order)
    puts before it, so an imported block reads as a new file would."""
    earlier = list(data)[:list(data).index(key)]
    placed = [index for index, existing in enumerate(node) if existing in earlier]
    return max(placed) + 1 if placed else 0


def _merge_list(node: CommentedSeq, values: list[Any]) -> None:
    """Replace a list's items, keeping nodes whose content did not change (and comments)."""
    old = [(_to_plain(item), item) for item in node]
    kept: list[Any] = []
    for value in values:
        match = next((item for content, item in old if content == value), None)
        if match is None and isinstance(value, dict):
            match = next((item for content, item in old if isinstance(item, CommentedMap)
                          and _same_identity(content, value)), None)
            if match is not None:
                _merge(match, value)
        kept.append(match if match is not None else value)
    node[:] = kept


def _same_identity(old: Any, new: dict[str, Any]) -> bool:
    """Two list items that name the same thing (a limit row's scope, a link's other end):
    the old node is updated in place, so its comments and layout survive."""
    keys = [k for k in KEYS_FIRST if k != "apply" and (k in old or k in new)]
    return bool(keys) and isinstance(old, dict) and all(old.get(k) == new.get(k) for k in keys)


def _carry_comments(old: CommentedSeq, new: CommentedSeq) -> None:
    if hasattr(old, "ca") and old.ca.comment:
        new.ca.comment = old.ca.comment


def _keep_header(original: str, rendered: str) -> str:
    """Keep the file's leading comment lines (the modeline, a header) exactly."""
    header = []
    for line in original.splitlines(keepends=True):
        if line.startswith("#") or not line.strip():
            header.append(line)
        else:
            break
    body = rendered
    for line in header:
        if body.startswith(line):
            body = body[len(line):]
    return "".join(header) + body


def update_section(path: Path, section: str, values: Mapping[str, Any]) -> bool:
    """Set `values` in the mapping `section` of the YAML mapping file at `path` (made if
    missing), every other line and comment kept; whether anything changed."""
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    held = data.get(section)
    if held is None:
        data[section] = held = CommentedMap()
    changed = {k: v for k, v in values.items() if held.get(k, _MISSING) != v}
    if not changed:
        return False
    for key, value in changed.items():
        held[key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return True


_MISSING = object()

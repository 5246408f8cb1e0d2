"""Drift as text for terminals, markdown for an issue or pull-request comment, json for
machines, in the look of the plan renders: a risk officer reading a drift report should
meet the same paths and values as in a plan, only told from live's side ("desired X, live
Y"), and the live loosenings first wherever the reader may stop early.

The markdown stays under GitHub's comment limit as the plan's does: when the whole report
does not fit, the tables are cut between rows with a line saying how many rows are left
out, never mid-table, and the HIGH table is the last to shrink.

JSON format (version 1): {"format_version": 1, "environment", "tt_environment", "counts":
{"high", "medium", "low"} (objects), "items": [{"kind", "key", "state", "direction",
"severity", "fields": [{"path": [..], "desired", "live", "direction", "severity"}]}]}.
A value that does not exist on one side is "(absent)"; null is "not set".
"""

from __future__ import annotations

import json

from ttconfig.core.changes import path_text, shown
from ttconfig.render.exposure import over_limit_lines
from ttconfig.render.markdown import LIMIT, MARGIN
from ttconfig.render.styled import Piece, Styled, joined, plain
from ttconfig.render.text import KIND_TITLES
from ttconfig.render.unmanaged import unmanaged_lines, unmanaged_markdown
from ttconfig.safety.drift import SEVERITIES, Drift, DriftField, DriftItem, Severity

MEANINGS: dict[Severity, str] = {"high": "live loosening", "medium": "live tightening",
                                 "low": "neutral"}
SIGNS = {"changed in live": "~", "missing in live": "-", "extra in live": "+"}
"""From live's side: an object missing in live was taken away there, an extra one added."""
STYLES = {"+": "green", "~": "yellow", "-": "red", "high": "bold red", "medium": "bold yellow"}
"""rich styles by meaning, for a terminal that wants colour (`render.console`)."""


def _title(drift: Drift) -> str:
    return f"{drift.environment} ({drift.tt_environment})"


def headline(drift: Drift) -> str:
    """One sentence for a terminal, a log line or a comment's first line."""
    if drift.empty:
        return "No drift: live TT matches the YAML."
    total = len(drift.items)
    counts = ", ".join(f"{drift.counts[s]} {s} ({MEANINGS[s]})" for s in SEVERITIES
                       if drift.counts[s])
    noun = "object differs" if total == 1 else "objects differ"
    return f"{total} {noun} from the YAML — {counts}."


def _mark(severity: Severity) -> str:
    return "" if severity == "low" else f"[{severity.upper()}: {MEANINGS[severity]}]"


# ------------------------------------------------------------------------------------ text


def _painted(text: str, meaning: str) -> Piece:
    return (text, STYLES.get(meaning, ""))


def _field_line(f: DriftField) -> list[Piece]:
    mark = _mark(f.severity)
    line = [plain(f"      {path_text(f.path)}: desired {shown(f.desired)}, live {shown(f.live)}")]
    return [*line, plain("  "), _painted(mark, f.severity)] if mark else line


def _item_lines(item: DriftItem) -> list[list[Piece]]:
    sign = SIGNS[item.state]
    head = [plain("  "), _painted(sign, sign), plain(f" {item.key}: {item.state}  "),
            _painted(f"[{item.severity.upper()}]", item.severity)]
    return [head] + [_field_line(f) for f in item.fields]


def _kind_lines(drift: Drift) -> list[list[Piece]]:
    lines: list[list[Piece]] = []
    for kind, title in KIND_TITLES.items():
        items = [item for item in drift.items if item.kind == kind]
        if items:
            lines.append([plain(f"{title}:")])
            for item in items:
                lines += _item_lines(item)
            lines.append([])
    return lines


def render_drift_text(drift: Drift) -> Styled:
    """The whole drift by kind, in the plan's kind order, then TT's own notices."""
    notes = [[plain("Notes (not drift):")], *([plain(f"  {n}")] for n in drift.notices),
             []] if drift.notices else []
    notes += [[plain(line)] for line in unmanaged_lines(drift.unmanaged, drift.environment)]
    over = over_limit_lines(drift.over_limits)
    over_lines = [*([plain(line)] for line in over), []] if over else []
    if drift.empty:
        return Styled(joined([[plain(f"Drift in {_title(drift)}")], [],
                              [plain(headline(drift))], [], *over_lines, *notes]))
    head = [plain(f"Drift in {_title(drift)}: {headline(drift)}")]
    return Styled(joined([head, [], *over_lines, *_kind_lines(drift), *notes]))


# -------------------------------------------------------------------------------- markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _summary_table(drift: Drift) -> list[str]:
    lines = ["| severity | objects | fields |", "|---|---:|---:|"]
    for severity in SEVERITIES:
        fields = sum(1 for item in drift.items for f in item.fields if f.severity == severity)
        lines.append(f"| {severity} ({MEANINGS[severity]}) | {drift.counts[severity]} | "
                     f"{fields} |")
    return lines


def _object(item: DriftItem) -> str:
    return f"{KIND_TITLES.get(item.kind, item.kind)}: {item.key}"


def _rows(items: list[DriftItem]) -> list[str]:
    """One row per field, the riskiest first; an object without fields gets one row of its
    own so that it is never missing from the tables."""
    rows = []
    for item in items:
        head = f"| {_cell(_object(item))} | {item.state} |"
        if not item.fields:
            desired, live = (("present", "(absent)") if item.state == "missing in live"
                             else ("(absent)", "present"))
            rows.append(f"{head} _(the whole object)_ | {desired} | {live} | {item.severity} |")
        ordered = sorted(item.fields, key=lambda f: SEVERITIES.index(f.severity))
        rows += [f"{head} `{_cell(path_text(f.path))}` | {_cell(shown(f.desired))} | "
                 f"{_cell(shown(f.live))} | {f.severity} |" for f in ordered]
    return rows


def _section(title: str, rows: list[str], keep: int | None) -> list[str]:
    if not rows:
        return []
    kept = rows if keep is None else rows[:keep]
    lines = [f"### {title}", "", "| object | state | field | desired | live | severity |",
             "|---|---|---|---|---|---|", *kept]
    if len(kept) < len(rows):
        lines.append(f"| … | | {len(rows) - len(kept)} more rows in the json report | | | |")
    return [*lines, ""]


def render_drift_markdown(drift: Drift, *, limit: int = LIMIT) -> str:
    """The comment, HIGH objects first; always under `limit` characters."""
    head = [f"## ttconfig drift: {_title(drift)}", ""]
    notes = ["### Notes (not drift)", "", *(f"- {_cell(n)}" for n in drift.notices[:20]),
             *([f"- … and {len(drift.notices) - 20} more in the json report"]
               if len(drift.notices) > 20 else []), ""] if drift.notices else []
    notes += unmanaged_markdown(drift.unmanaged, drift.environment)
    over = over_limit_lines(drift.over_limits)
    if over:
        notes = [f"### {_cell(over[0].rstrip(':'))}", "",
                 *(f"- {_cell(line.strip())}" for line in over[1:]), "", *notes]
    if drift.empty:
        return "\n".join([*head, headline(drift), "", *notes])
    head += [headline(drift), "", *_summary_table(drift), "", *notes]
    high = [item for item in drift.items if item.severity == "high"]
    rest = [item for item in drift.items if item.severity != "high"]
    high_rows, rest_rows = _rows(high), _rows(rest)
    attempts: list[tuple[int | None, int | None]] = [(None, None)]
    attempts += [(None, keep) for keep in (200, 50, 10, 0)]
    attempts += [(keep, 0) for keep in (500, 200, 50, 10)]
    for keep_high, keep_rest in attempts:
        text = "\n".join([
            *head,
            *_section(f"HIGH: live loosening ({len(high)} objects)", high_rows, keep_high),
            *_section(f"Other differences ({len(rest)} objects)", rest_rows, keep_rest)])
        if len(text) <= limit - MARGIN:
            return text
    return "\n".join([*head, f"_{len(high)} HIGH and {len(rest)} other objects differ; too "
                      "many to list here: see the json report._", ""])


# ------------------------------------------------------------------------------------ json


def render_drift_json(drift: Drift) -> str:
    return json.dumps(drift.to_data(), indent=2, ensure_ascii=False) + "\n"

"""The plan as markdown for a pull-request comment, written for a risk officer.

Order: a summary table; every loosening first (old → new, % change), then tightening; then
the details in collapsible blocks. GitHub refuses comments over 65,536 characters, so when
the whole plan does not fit, details are summarised first and then the longest tables are
cut between rows with a line saying how many rows are left out — never mid-table, and the
loosening table is the last to shrink.
"""

from __future__ import annotations

from ttconfig.core.changes import Change, FieldChange, path_text, shown
from ttconfig.core.plan import Plan
from ttconfig.core.risk import percent_change
from ttconfig.models.kinds import Kind
from ttconfig.render.exposure import breach_lines, field_phrase, read_note
from ttconfig.render.heading import Heading, plan_heading
from ttconfig.render.outside import outside_markdown
from ttconfig.render.policy import verdict_markdown
from ttconfig.render.text import KIND_TITLES, diff_lines, summary_line
from ttconfig.render.unmanaged import unmanaged_markdown
from ttconfig.safety.policy import Verdict
from ttconfig.words import plural

LIMIT = 65_536
MARGIN = 1_000
ACTIONS = ("create", "update", "delete", "deactivate")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _summary_table(plan: Plan) -> list[str]:
    lines = ["| kind | " + " | ".join(ACTIONS) + " |", "|---|" + "---:|" * len(ACTIONS)]
    for kind, title in KIND_TITLES.items():
        counts = plan.summary.by_kind.get(kind)
        if counts:
            lines.append(f"| {title} | " + " | ".join(str(counts.get(a, 0)) for a in ACTIONS)
                         + " |")
    return lines


def _percent(change: FieldChange, high: bool) -> str:
    value = percent_change(change.old, change.new)
    text = "" if value is None else f"{value:+.1f}%"
    if change.new is None and change.direction == "loosening":
        text = "to not set"
    return f"**HIGH** {text}".strip() if high else text


def _new_link(change: Change) -> str | None:
    """A new trader on an account as one sentence ("ann@… can place, modify and delete
    orders on HPT-X"); None when the change is not a new link with its two names."""
    if change.kind is not Kind.LINKS or change.action != "create" or len(
            change.key.parts) != 2:
        return None
    account, user = change.key.parts
    granted = [f.path for f in change.fields if f.new is True]
    orders = [path[-1].removesuffix("_orders").replace("_", " ") for path in granted
              if path[0] == "order_permissions"]
    others = [path[-1].replace("_", " ") for path in granted if path[0] != "order_permissions"]
    parts = ([f"{_listed(orders)} orders"] if orders else []) + others
    can = f"can {_listed(parts)}" if parts else "is linked, with nothing granted,"
    return f"{user} {can} on {account}"


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _risk_rows(plan: Plan, direction: str) -> list[str]:
    """HIGH rows first: a reviewer reads the top of the table. A new trader reads as one
    row: on an account, what they can do there; a new user, its settings on one line
    (each field is in the details)."""
    folded = {id(c): found for c in plan.changes
              if (found := _new_trader(c, direction)) is not None}
    fields = [(c, f) for c in plan.changes for f in c.fields
              if f.direction == direction and id(c) not in folded]
    high = [cf for cf in fields if plan.is_high(cf[1])]
    rest = [cf for cf in fields if not plan.is_high(cf[1])]
    return [*(_field_row(c, f, plan) for c, f in high),
            *(f"| {_object(c, plan)} | {folded[id(c)][0]} | {_cell(folded[id(c)][1])} | |"
              + (" |" if plan.exposure else "") for c in plan.changes if id(c) in folded),
            *(_field_row(c, f, plan) for c, f in rest)]


def _new_trader(change: Change, direction: str) -> tuple[str, str] | None:
    """(what, the sentence) for a new link, or a new user (its fields that go
    `direction`; the rest are in the details)."""
    if change.action != "create" or change.direction != direction:
        return None
    if change.kind is Kind.USERS:
        settings = [f"{path_text(f.path)} {shown(f.new)}" for f in change.fields
                    if f.direction == direction]
        return "new user", ", ".join(settings)
    sentence = _new_link(change)
    return None if sentence is None else ("new link", sentence)


def _object(change: Change, plan: Plan, field: FieldChange | None = None) -> str:
    """The object's name, linked to its YAML in the PR when the plan knows where it is (a
    field's row: to the field's line)."""
    key = (change.kind.value, str(change.key))
    url = (plan.links.get((*key, ".".join(field.path))) if field else None) or \
        plan.links.get(key)
    return f"[{_cell(change.key)}]({url})" if url else _cell(change.key)


def _field_row(change: Change, field: FieldChange, plan: Plan) -> str:
    exposure = f" {_cell(field_phrase(plan, change, field) or '')} |" if plan.exposure else ""
    return (f"| {_object(change, plan, field)} | `{_cell(path_text(field.path))}` | "
            f"{_cell(shown(field.old))} → {_cell(shown(field.new))} | "
            f"{_percent(field, plan.is_high(field))} |{exposure}")


def _risk_section(title: str, rows: list[str], keep: int | None, fields: int,
                  exposure: bool = False) -> list[str]:
    """One risk table, headed by its field changes as the summary line counts them (a new
    trader's fields share a row); with `exposure`, a column saying what each change means
    for the positions and credit in use now."""
    if not rows:
        return []
    shown_rows = rows if keep is None else rows[:keep]
    column, rule, empty = (" exposure now |", "---|", " |") if exposure else ("", "", "")
    lines = [f"### {title} ({plural(fields, 'field change')})", "",
             f"| object | field | old → new | change |{column}",
             f"|---|---|---|---:|{rule}", *shown_rows]
    if len(shown_rows) < len(rows):
        lines.append(f"| … | {len(rows) - len(shown_rows)} more rows in the plan artifact "
                     f"| | |{empty}")
    return [*lines, ""]


def _details(plan: Plan) -> list[str]:
    lines = []
    for kind, title in KIND_TITLES.items():
        changes: list[Change] = [c for c in plan.changes if c.kind == kind]
        if changes:
            body = [line for c in changes for line in diff_lines(c, plan)]
            lines += [f"<details><summary>{title} ({len(changes)})</summary>", "", "```diff",
                      *body, "```", "", "</details>", ""]
    return lines


def _kept_markdown(heading: Heading) -> list[str]:
    if not heading.kept:
        return []
    return [f"### {heading.kept_title}", "", *(f"- {line}" for line in heading.kept), ""]


def render_markdown(plan: Plan, verdict: Verdict | None = None, heading: Heading | None = None,
                    *, limit: int = LIMIT) -> str:
    """The comment; always under `limit` characters. The policy verdict, when given, comes
    right after the summary: a refusal is the first thing a reviewer must see."""
    heading = heading or plan_heading(plan)
    head = [f"## {heading.markdown}", ""]
    unmanaged = [*_kept_markdown(heading), *outside_markdown(plan.outside),
                 *unmanaged_markdown(plan.unmanaged, plan.environment)]
    if plan.empty:
        return "\n".join([*head, heading.no_changes, "", *unmanaged])
    note = read_note(plan.exposure)
    head += [summary_line(plan, writes=heading.writes), "", *_summary_table(plan), "",
             *([note, ""] if note else []), *breach_lines(plan.exposure),
             *verdict_markdown(verdict or Verdict())]
    foot = ["", *verdict_markdown(verdict or Verdict(), warnings=True), *unmanaged,
            f"Plan checksum: `{plan.checksum()}`", ""]
    loosening, tightening = _risk_rows(plan, "loosening"), _risk_rows(plan, "tightening")
    exposed = plan.exposure is not None
    attempts: list[tuple[int | None, int | None, bool]] = [(None, None, True),
                                                            (None, None, False)]
    attempts += [(None, keep, False) for keep in (200, 50, 10, 0)]
    attempts += [(keep, 0, False) for keep in (500, 200, 50, 10)]
    for keep_loose, keep_tight, details in attempts:
        text = "\n".join([
            *head, *_risk_section("Loosening", loosening, keep_loose,
                                  plan.summary.loosening, exposed),
            *_risk_section("Tightening", tightening, keep_tight, plan.summary.tightening,
                           exposed),
            *(_details(plan) if details else
              [f"_Details of {len(plan.changes)} changes left out to fit a comment; see the "
               "plan artifact._", ""]),
            *foot])
        if len(text) <= limit - MARGIN:
            return text
    return "\n".join([*head, f"_{len(loosening)} loosening and {len(tightening)} tightening "
                      "changes; too many to list here: see the plan artifact._", *foot])

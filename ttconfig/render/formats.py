"""One renderer per output format, with one signature per thing rendered.

`--format` names a `Format`; the CLI looks the renderer up here and nowhere else, so a new
format is a renderer and a line in each table. Every plan renderer takes
`(plan, verdict, heading)` — the verdict is shown when given, the heading says whether the
plan is a plan or a promotion — and every drift renderer takes the drift. Renders are
strings; the text ones are `Styled`, whose colours only a terminal sees.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from ttconfig.core.plan import Plan
from ttconfig.render.drift import render_drift_json, render_drift_markdown, render_drift_text
from ttconfig.render.heading import Heading
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text
from ttconfig.safety.drift import Drift
from ttconfig.safety.policy import Verdict


class Format(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


class PlanRenderer(Protocol):
    def __call__(self, plan: Plan, verdict: Verdict | None = None,
                 heading: Heading | None = None, /) -> str: ...


DriftRenderer = Callable[[Drift], str]

PLAN_RENDERERS: dict[Format, PlanRenderer] = {
    Format.TEXT: render_text, Format.MARKDOWN: render_markdown, Format.JSON: render_json}
DRIFT_RENDERERS: dict[Format, DriftRenderer] = {
    Format.TEXT: render_drift_text, Format.MARKDOWN: render_drift_markdown,
    Format.JSON: render_drift_json}

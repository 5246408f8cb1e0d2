"""The demo plan's renders are golden files: the output users and machines rely on, byte
for byte. Regenerate them deliberately with TTCONFIG_REGENERATE=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.seeded import plan_against_seed
from ttconfig.render.formats import PLAN_RENDERERS, Format
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.styled import Styled
from ttconfig.render.text import render_text
from ttconfig.runs.planning import Planned, load

ROOT = Path(__file__).parent.parent.parent
GOLDEN = ROOT / "tests" / "golden"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("TTCONFIG_REGENERATE") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def uat() -> Planned:
    return plan_against_seed(load(ROOT / "environments" / "uat"), "uat", "ext_uat_cert")


def test_the_demo_plan_as_text(uat: Planned) -> None:
    golden("plan-uat.txt", render_text(uat.plan))


def test_the_demo_plan_as_json(uat: Planned) -> None:
    text = render_json(uat.plan)
    golden("plan-uat.json", text)
    data = json.loads(text)
    assert data["format_version"] == 1
    assert data["checksum"] == uat.plan.checksum()
    assert data["summary"]["requests"] == 6


def test_the_demo_plan_as_markdown(uat: Planned) -> None:
    text = render_markdown(uat.plan)
    golden("plan-uat.md", text)
    assert text.index("### Loosening") < text.index("### Tightening") < text.index("<details>")
    assert "| HPT-PROP-RATES | `limits.products[\"CME ZN future\"].max_position` | 10,000 → " \
           "15,000 | +50.0% |" in text


@pytest.mark.parametrize(("fmt", "name"), [(Format.TEXT, "plan-uat.txt"),
                                           (Format.MARKDOWN, "plan-uat.md"),
                                           (Format.JSON, "plan-uat.json")])
def test_the_format_table_picks_the_golden_render(uat: Planned, fmt: Format, name: str) -> None:
    assert PLAN_RENDERERS[fmt](uat.plan) == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_text_is_the_same_with_its_colours_or_without(uat: Planned) -> None:
    text = render_text(uat.plan)
    assert isinstance(text, Styled)
    assert "\033[" not in text
    styled = text.rich()
    assert ("LOOSENING", "bold red") in [(styled.plain[s.start:s.end], s.style)
                                         for s in styled.spans]
    assert styled.plain == text

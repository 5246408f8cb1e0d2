"""One renderer per format, one signature per thing rendered: the table `--format` is looked
up in covers every format, and the heading and verdict mean the same in each."""

from __future__ import annotations

import json

import pytest

from ttconfig.core.changes import Change, FieldChange
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind
from ttconfig.render.formats import DRIFT_RENDERERS, PLAN_RENDERERS, Format
from ttconfig.render.heading import promotion_heading
from ttconfig.render.policy import render_verdict_text
from ttconfig.render.text import render_text
from ttconfig.safety.drift import drift_of
from ttconfig.safety.policy import Finding, Verdict

ES = ("limits", "products", "CME ES future", "max_order_qty")
REFUSED = Verdict((Finding("thresholds", "3 accounts deleted (at most 2)", "refused",
                           "--force"),))


def plan(*changes: Change) -> Plan:
    return build_plan(list(changes), environment="prod", tt_environment="ext_prod_live")


LOOSER = plan(Change(Kind.ACCOUNTS, Key.of("HPT-ARB"), "update",
                     (FieldChange(ES, 50, 100, "loosening"),)))


def test_every_format_has_a_plan_and_a_drift_renderer() -> None:
    assert set(PLAN_RENDERERS) == set(DRIFT_RENDERERS) == set(Format)
    assert [f.value for f in Format] == ["text", "markdown", "json"]


@pytest.mark.parametrize("fmt", Format)
def test_every_plan_renderer_shows_the_verdict(fmt: Format) -> None:
    assert "thresholds" not in PLAN_RENDERERS[fmt](LOOSER)
    assert "3 accounts deleted (at most 2)" in PLAN_RENDERERS[fmt](LOOSER, REFUSED)


def test_the_text_verdict_follows_the_plan_as_the_terminal_always_showed_it() -> None:
    assert render_text(LOOSER, REFUSED) == render_text(LOOSER) + render_verdict_text(REFUSED)
    assert render_text(plan(), REFUSED).endswith(render_verdict_text(REFUSED))


@pytest.mark.parametrize("fmt", Format)
def test_a_promotion_promises_no_tt_writes_in_any_format(fmt: Format) -> None:
    heading = promotion_heading("uat", "prod")
    assert "write request" in PLAN_RENDERERS[fmt](LOOSER) or fmt is Format.JSON
    text = PLAN_RENDERERS[fmt](LOOSER, None, heading)
    assert "write request" not in text
    assert "uat → prod" in text or fmt is Format.JSON


def test_a_promotion_says_so_first_in_json() -> None:
    data = json.loads(PLAN_RENDERERS[Format.JSON](LOOSER, None, promotion_heading("uat", "prod")))
    assert next(iter(data)) == "promotion"
    assert data["promotion"] == {"from": "uat", "to": "prod", "kept": []}
    assert "promotion" not in json.loads(PLAN_RENDERERS[Format.JSON](LOOSER))


@pytest.mark.parametrize("fmt", Format)
def test_every_drift_renderer_takes_the_drift(fmt: Format) -> None:
    assert "HPT-ARB" in DRIFT_RENDERERS[fmt](drift_of(LOOSER))

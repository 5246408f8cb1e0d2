"""Drift's renders put the live loosenings first, in the plan's look, told from live's side;
the markdown fits a comment however large the drift."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.safety.test_drift import ES, change, drift, planned
from ttconfig.core.changes import ABSENT, Change
from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind
from ttconfig.render.drift import render_drift_json, render_drift_markdown, render_drift_text
from ttconfig.render.markdown import LIMIT
from ttconfig.safety.drift import Drift


def mixed() -> Drift:
    return drift(
        change(planned(ES, 40, 50), key="HPT-TIGHT"),
        change(planned(("description",), "x", "y"), key="HPT-NEUTRAL"),
        change(planned(ES, 100, 50), planned(("limits", "apply"), False, True), key="HPT-LOOSE"),
        Change(Kind.LINKS, Key.link("HPT-A", "ann@x.example"), "delete", ()))


def test_no_drift_is_said_in_every_format() -> None:
    result = drift()
    assert "No drift: live TT matches the YAML." in render_drift_text(result)
    assert "No drift" in render_drift_markdown(result)
    assert json.loads(render_drift_json(result))["items"] == []


def test_text_says_what_live_did_field_by_field() -> None:
    text = render_drift_text(mixed())
    assert text.startswith("Drift in uat (ext_uat_cert): 4 objects differ from the YAML — "
                           "2 high (live loosening), 1 medium (live tightening), 1 low "
                           "(neutral).\n")
    assert ('      limits.products["CME ES future"].max_order_qty: desired 50, live 100  '
            "[HIGH: live loosening]") in text
    assert "      limits.apply: desired true, live false  [HIGH: live loosening]" in text
    assert "  ~ HPT-TIGHT: changed in live  [MEDIUM]" in text
    assert "      description: desired \"y\", live \"x\"\n" in text
    assert "  + HPT-A ↔ ann@x.example: extra in live  [HIGH]" in text
    assert text.index("accounts:") < text.index("account↔user links:")
    assert "\033[" not in text


def test_text_colours_severity_and_signs_for_a_terminal() -> None:
    styled = render_drift_text(mixed()).rich()
    spans = {(styled.plain[s.start:s.end], str(s.style)) for s in styled.spans}
    assert ("[HIGH: live loosening]", "bold red") in spans
    assert ("[MEDIUM]", "bold yellow") in spans
    assert ("+", "green") in spans
    assert not any(text == "[LOW]" for text, _ in spans), "neutral stays plain"


def test_json_round_trips_with_absent_spelled_out() -> None:
    result = drift(change(planned(ES, ABSENT, 50)))
    data = json.loads(render_drift_json(result))
    assert data == result.to_data()
    assert data["format_version"] == 1
    assert data["counts"] == {"high": 1, "medium": 0, "low": 0}
    (item,) = data["items"]
    assert item["state"] == "changed in live"
    assert item["fields"] == [{"path": list(ES), "desired": 50, "live": "(absent)",
                               "direction": "loosening", "severity": "high"}]


def test_markdown_lists_high_objects_first() -> None:
    text = render_drift_markdown(mixed())
    assert text.startswith("## ttconfig drift: uat (ext_uat_cert)\n")
    assert "| high (live loosening) | 2 | 2 |" in text
    high = text.index("### HIGH: live loosening (2 objects)")
    rest = text.index("### Other differences (2 objects)")
    assert high < text.index("HPT-LOOSE") < rest < text.index("HPT-TIGHT")
    assert ("| account↔user links: HPT-A ↔ ann@x.example | extra in live | _(the whole "
            "object)_ | (absent) | present | high |") in text[:rest]
    assert "| accounts: HPT-LOOSE | changed in live | `limits.apply` | true | false | high |" \
        in text


def test_a_huge_drift_fits_a_comment_with_high_rows_kept_first() -> None:
    changes = [change(*(planned(("limits", "products", f"CME P{j:02d} future",
                                 "max_order_qty"), 100 if i % 2 else 10, 50)
                        for j in range(10)), key=f"HPT-BOOK-{i:05d}") for i in range(3000)]
    text = render_drift_markdown(drift(*changes))
    assert len(text) < LIMIT
    assert "### HIGH: live loosening (1500 objects)" in text
    assert "more rows in the json report" in text
    rows = [line for line in text.splitlines() if line.startswith("| accounts: ")]
    assert rows
    assert all(line.count("|") == 7 for line in rows), "rows are whole"
    assert "### Other" not in text or text.index("### HIGH") < text.index("### Other")


def test_notices_are_said_in_every_format_and_are_not_drift() -> None:
    note = "held by TT: TT has disabled trading on account HPT-ARB itself (max order limit)"
    for result in (replace(drift(), notices=(note,)), replace(mixed(), notices=(note,))):
        assert f"Notes (not drift):\n  {note}" in render_drift_text(result)
        assert f"### Notes (not drift)\n\n- {note}" in render_drift_markdown(result)
        assert json.loads(render_drift_json(result))["notices"] == [note]
    assert replace(drift(), notices=(note,)).empty

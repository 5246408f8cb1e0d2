"""The gate's verdict as the PR's check log shows it: each refusal named, a hotfix's waived
reasons still listed with what to bring back."""

from __future__ import annotations

from ttconfig.promotion.gate import GateVerdict, Reason
from ttconfig.render.gate import render_gate, render_gate_markdown

SKIPPED = Reason("not in UAT", "prod changes accounts HPT-NEW, which UAT's YAML does not "
                 "declare (as HPT-NEW)")
SOAK = Reason("soak", "accounts HPT-ARB was applied in UAT at 2026-11-21T10:00")


def test_a_refusal_names_every_reason_and_does_not_pass() -> None:
    text = render_gate(GateVerdict((SKIPPED, SOAK), (), 3), "prod", "uat")
    assert text.splitlines() == [
        "Gate for prod: every change must be tried in uat first (3 prod changes checked).",
        f"  REFUSED  not in UAT: {SKIPPED.message}",
        f"  REFUSED  soak: {SOAK.message}"]


def test_a_hotfix_lists_what_it_waives_and_passes() -> None:
    text = render_gate(GateVerdict((), (SKIPPED,), 1), "prod", "uat")
    assert f"  WAIVED (hotfix)  not in UAT: {SKIPPED.message}\n" in text
    assert "bring what skipped uat back to its YAML" in text
    assert text.endswith("Gate passed.\n")
    assert "REFUSED" not in text


def test_nothing_to_say_is_a_pass() -> None:
    assert render_gate(GateVerdict((), (), 0), "prod", "uat") == (
        "Gate for prod: every change must be tried in uat first (0 prod changes checked)."
        "\nGate passed.\n")


def test_one_change_is_counted_as_one() -> None:
    verdict = GateVerdict((SKIPPED,), (), 1)
    assert "(1 prod change checked)." in render_gate(verdict, "prod", "uat")
    assert "(1 prod change checked)." in render_gate_markdown(verdict, "prod", "uat")

"""The markdown render stays under GitHub's comment limit by summarising, never by
cutting mid-table, and lists loosening first whatever it leaves out."""

from __future__ import annotations

from ttconfig.core.changes import Change, FieldChange
from ttconfig.core.plan import build_plan
from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind
from ttconfig.render.markdown import LIMIT, render_markdown


def big_plan(accounts: int) -> str:
    changes = [Change(Kind("accounts"), Key.of(f"HPT-BOOK-{i:05d}"), "update", tuple(
        FieldChange(("limits", "products", f"CME P{j:02d} future", "max_order_qty"), 100,
                    200 if j % 2 else 50, "loosening" if j % 2 else "tightening")
        for j in range(10))) for i in range(accounts)]
    return render_markdown(build_plan(changes, environment="prod",
                                      tt_environment="ext_prod_live"))


def table_rows_are_whole(text: str) -> bool:
    return all(line.count("|") >= 5 for line in text.splitlines() if line.startswith("| "))


def test_a_small_plan_is_shown_whole() -> None:
    text = big_plan(3)
    assert "<details>" in text
    assert text.count("+100.0%") == 15
    assert "more rows" not in text


def test_a_huge_plan_fits_a_comment_with_loosening_kept_first() -> None:
    text = big_plan(3000)
    assert len(text) < LIMIT
    assert "<details>" not in text
    assert "### Loosening (15000)" in text
    assert "more rows in the plan artifact" in text
    assert table_rows_are_whole(text)
    assert "### Tightening" not in text or text.index("### Loosening") < text.index(
        "### Tightening")


def test_the_checksum_is_always_there() -> None:
    assert "Plan checksum: `" in big_plan(3000)

"""The markdown render stays under GitHub's comment limit by summarising, never by
cutting mid-table, and lists loosening first whatever it leaves out."""

from __future__ import annotations

from ttconfig.core.changes import Change, FieldChange
from ttconfig.core.plan import build_plan
from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind
from ttconfig.render.markdown import LIMIT, render_markdown
from ttconfig.safety.policy import Finding, Verdict


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
    assert "### Loosening (15,000 field changes)" in text
    assert "more rows in the plan artifact" in text
    assert table_rows_are_whole(text)
    assert "### Tightening" not in text or text.index("### Loosening") < text.index(
        "### Tightening")


def test_the_checksum_is_always_there() -> None:
    assert "Plan checksum: `" in big_plan(3000)


def test_what_the_plan_must_get_past_comes_first_and_warnings_after_the_changes() -> None:
    """A value already over a bound in TT is worth saying, but not above the changes a
    reviewer must judge; an approval the plan needs is."""
    plan = build_plan([Change(Kind.ACCOUNTS, Key.of("HPT-A"), "update", (FieldChange(
        ("limits", "products", "CME ES future", "max_order_qty"), 10, 20, "loosening"),))],
        environment="prod", tt_environment="ext_prod_live")
    verdict = Verdict((Finding("loosening approval", "1 loosening needs an approval",
                               "needed", "--allow-loosening"),
                       Finding("bounds", "HPT-B CME NQ future max_order_qty is 99,999 in TT, "
                               "over the bound 10,000", "warning")))
    text = render_markdown(plan, verdict)
    needed, change = text.index("loosening approval"), text.index("HPT-A")
    warning = text.index("### Policy: warnings")
    assert needed < change < warning < text.index("Plan checksum")
    assert text.count("over the bound 10,000") == 1


def test_diff_blocks_put_the_sign_in_the_first_column_so_github_colours_them() -> None:
    plan = build_plan([
        Change(Kind.ACCOUNTS, Key.of("HPT-A"), "update", (FieldChange(
            ("limits", "products", "CME ES future", "max_order_qty"), 10, 20, "loosening"),)),
        Change(Kind.ACCOUNTS, Key.of("HPT-B"), "delete", ())],
        environment="prod", tt_environment="ext_prod_live")
    text = render_markdown(plan)
    block = text[text.index("```diff\n") + 8:text.index("\n```", text.index("```diff"))]
    assert block.splitlines() == [
        "  HPT-A  [loosening]",
        '-     limits.products["CME ES future"].max_order_qty: 10',
        '+     limits.products["CME ES future"].max_order_qty: 20  LOOSENING HIGH',
        "- HPT-B (delete)"]

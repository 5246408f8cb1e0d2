"""The never-looser check itself: it flags a state looser than both ends, and only that."""

from __future__ import annotations

from tests.proof.never_looser import looser_than_bounds

ROW = ("account limits", 1, (7, 34, "ES", None), "max_order_qty")
CHECK = ("restrictions", 1, "", "place_orders")


def test_a_limit_looser_mid_apply_than_before_and_after_is_flagged() -> None:
    before, after = {ROW: 10}, {ROW: 5}
    assert looser_than_bounds(before, after, [(1, {ROW: 7}), (2, {ROW: 10})]) == []
    (found,) = looser_than_bounds(before, after, [(1, {ROW: 20})])
    assert found.startswith("after write 1:")
    assert "was 20, looser than both 10 (before) and 5 (after)" in found


def test_not_set_and_a_row_gone_mid_apply_are_looser_than_any_limit() -> None:
    before, after = {ROW: 10}, {ROW: 10}
    assert len(looser_than_bounds(before, after, [(1, {ROW: None})])) == 1
    assert len(looser_than_bounds(before, after, [(1, {})])) == 1, "the row was deleted"


def test_a_grant_given_mid_apply_that_neither_end_has_is_flagged() -> None:
    before, after = {CHECK: False}, {CHECK: False}
    assert len(looser_than_bounds(before, after, [(3, {CHECK: True})])) == 1
    assert looser_than_bounds({CHECK: False}, {CHECK: True}, [(3, {CHECK: True})]) == []

"""An exposure annotation as people read it: one phrase beside the change it is about."""

from __future__ import annotations

from tests.core.test_exposure import ZN, planned, rates_group
from ttconfig.core.exposure import Book, Holding, annotate
from ttconfig.models import Kind
from ttconfig.render.exposure import phrase


def test_a_join_reads_as_the_groups_row_it_is_judged_by() -> None:
    plan, want, have = planned({Kind.RISK_GROUPS: [rates_group("A", "B")]},
                               {Kind.RISK_GROUPS: [rates_group("A")]})
    book = Book(products={"a": {ZN: Holding(6000, 0, 0)}, "b": {ZN: Holding(5000, 500, 0)}})
    [found] = annotate(plan, want, have, book).annotations
    assert phrase(found) == (
        'with B joining, the group\'s limits.products["CME ZN future"].max_position 10,000 '
        "counts position +11,000 (worst case 11,500 with working orders) · headroom 4,000 → "
        "−1,500 · BREACH ON APPLY")

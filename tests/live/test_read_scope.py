"""What the read-back after an apply reads again: the objects the plan wrote to, within
what the plan itself read. Pure: scopes and changes, no server."""

from __future__ import annotations

from ttconfig.core.changes import Change
from ttconfig.core.state import Key
from ttconfig.live.read import ACCOUNT_PARTS, ReadScope
from ttconfig.models.kinds import Kind


def _change(kind: Kind, key: Key) -> Change:
    return Change(kind, key, "update", ())


PLAN_SCOPE = ReadScope(
    accounts={"hpt-prop": frozenset({"limits", "links"}), "hpt-hedge": ACCOUNT_PARTS},
    users={"ann@x.example": frozenset({"detail"})},
    groups=frozenset({"rates aggregate"}), margins=True, defaults=False,
    risk_group_members=True)


def test_reads_again_only_what_changed_and_only_parts_the_plan_read() -> None:
    touched = PLAN_SCOPE.touched([
        _change(Kind.ACCOUNTS, Key(("HPT-PROP",))),
        _change(Kind.LINKS, Key.link("HPT-HEDGE", "ann@x.example")),
        _change(Kind.USERS, Key(("Ann@X.example",))),
        # a group the YAML leaves alone, which an account of the plan's group leaves
        _change(Kind.RISK_GROUPS, Key(("Customer Exposure",))),
        _change(Kind.RISK_GROUPS, Key(("Rates Aggregate",))),
    ])
    assert touched.accounts == {"hpt-prop": frozenset({"limits", "links"}),
                                "hpt-hedge": frozenset({"links"})}
    assert touched.users == {"ann@x.example": frozenset({"detail"})}
    assert touched.groups == frozenset({"rates aggregate"})
    assert touched.risk_group_members  # every group's members: one may have lost one
    assert (touched.margins, touched.defaults) == (False, False)


def test_a_plan_without_group_or_company_changes_reads_none_of_them_again() -> None:
    touched = PLAN_SCOPE.touched([_change(Kind.ACCOUNTS, Key(("HPT-HEDGE",)))])
    assert touched.accounts == {"hpt-hedge": ACCOUNT_PARTS}
    assert (touched.users, touched.groups) == ({}, frozenset())
    assert (touched.margins, touched.defaults, touched.risk_group_members) == (False,) * 3
    assert touched.account_parts("HPT-PROP") == frozenset()

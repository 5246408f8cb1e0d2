"""Live objects the YAML does not name, per kind the YAML declares and does not prune."""

from __future__ import annotations

from ttconfig.core.state import State
from ttconfig.core.unmanaged import Unmanaged, unmanaged
from ttconfig.models import Kind
from ttconfig.models.accounts import Account
from ttconfig.models.groups import UserGroup
from ttconfig.models.users import User


def _account(name: str) -> Account:
    return Account(name=name, type="house")


def _user(email: str) -> User:
    return User(email=email)


def test_each_declared_kind_lists_what_live_holds_beyond_the_yaml_however_spelt() -> None:
    desired = State({Kind.ACCOUNTS: [_account("HPT-A"), _account("hpt-b")],
                     Kind.USERS: [_user("ann@x.example")]})
    live = State({Kind.ACCOUNTS: [_account("HPT-B"), _account("HPT-A"), _account("hpt-z"),
                                  _account("HPT-C")],
                  Kind.USERS: [_user("Ann@X.example"), _user("bob@x.example")],
                  Kind.USER_GROUPS: [UserGroup(name="Desk")]})
    assert unmanaged(desired, live, {}) == (
        Unmanaged(Kind.ACCOUNTS, ("HPT-C", "hpt-z")),
        Unmanaged(Kind.USERS, ("bob@x.example",))), "user groups: the YAML declares none"


def test_a_pruned_kind_lists_nothing_its_plan_removes_them() -> None:
    desired = State({Kind.ACCOUNTS: [_account("HPT-A")], Kind.USERS: [_user("a@x.example")]})
    live = State({Kind.ACCOUNTS: [_account("HPT-A"), _account("HPT-B")],
                  Kind.USERS: [_user("a@x.example"), _user("b@x.example")]})
    assert unmanaged(desired, live, {Kind.ACCOUNTS: True}) == (
        Unmanaged(Kind.USERS, ("b@x.example",)),)
    assert unmanaged(desired, desired, {}) == ()

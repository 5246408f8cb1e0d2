"""--target and --exclude: plan part of the YAML, read only that part, never prune."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.seeded import plan_against_seed
from ttconfig.core.changes import Change
from ttconfig.core.selection import Pattern, select
from ttconfig.core.state import Key
from ttconfig.errors import UsageError
from ttconfig.models import Kind
from ttconfig.runs.planning import Planned, load

ROOT = Path(__file__).parents[2]
UAT = load(ROOT / "environments" / "uat")


def planned(targets: list[str], excludes: list[str] | None = None) -> Planned:
    return plan_against_seed(UAT, "uat", "ext_uat_cert", select(UAT, targets, excludes or []))


def keys(result: Planned) -> list[tuple[str, str]]:
    return [(c.kind, c.key) for c in result.plan.changes]


def test_an_account_glob_plans_its_accounts_and_their_links() -> None:
    result = planned(["accounts:hpt-prop-*"])
    assert keys(result) == [
        ("accounts", "HPT-PROP-ENERGY"), ("accounts", "HPT-PROP-RATES"),
        ("links", "HPT-PROP-RATES ↔ john.smith@harborpoint.example"),
    ], "NBERG's link waits for a run that creates NBERG"
    assert result.requests < 60, "only the targeted accounts are read in detail"


def test_a_user_target_plans_the_user_and_its_links_read_from_the_account_side() -> None:
    result = planned(["users:noah.berg@*"])
    assert keys(result) == [("users", "noah.berg@harborpoint.example"),
                            ("links", "HPT-PROP-RATES ↔ noah.berg@harborpoint.example")]


def test_exclude_leaves_objects_out() -> None:
    result = planned([], ["product-margins:*", "users:*", "accounts:HPT-PROP-ENERGY"])
    assert keys(result) == [("accounts", "HPT-PROP-RATES"),
                            ("links", "HPT-PROP-RATES ↔ john.smith@harborpoint.example")]


@pytest.mark.parametrize("target", ["links:*", "links:HPT-PROP-RATES",
                                    "links:john.smith@*", "links:hpt-prop-rates ↔ john*"])
def test_a_links_target_plans_only_links(target: str) -> None:
    """`--target links:GLOB`: a link's key, its account or its user; the accounts and users
    themselves are read for their links only, and nothing else of theirs is planned."""
    result = planned([target])
    assert keys(result) == [("links", "HPT-PROP-RATES ↔ john.smith@harborpoint.example")], \
        "noah.berg's link waits for the run that creates the user"
    assert (target != "links:*") <= (result.requests < 40), "only those accounts' links are read"


@pytest.mark.parametrize("target", ["links:*noah*", "accounts:HPT-PROP-RATES"])
def test_a_link_left_out_for_want_of_its_user_is_said_with_the_target_that_brings_it(
        target: str) -> None:
    """noah.berg is not in TT yet: the link cannot be written in a run that does not create
    him, and "no changes" must not read as "the link is there"."""
    result = planned([target])
    assert ("links", "HPT-PROP-RATES ↔ noah.berg@harborpoint.example") not in keys(result)
    assert [(n.rule, n.message) for n in result.notices if n.rule == "left out"] == [(
        "left out", "links HPT-PROP-RATES ↔ noah.berg@harborpoint.example is left out of this "
        "run: its user noah.berg@harborpoint.example is not in TT yet and not targeted (add "
        "--target users:noah.berg@harborpoint.example to write it too)")]
    both = planned([target, "users:noah.berg@*"])
    assert ("links", "HPT-PROP-RATES ↔ noah.berg@harborpoint.example") in keys(both)
    assert not [n for n in both.notices if n.rule == "left out"]


def test_a_links_target_plans_the_removal_of_a_link_the_yaml_no_longer_declares() -> None:
    rates = next(a for a in UAT.accounts if a.name == "HPT-PROP-RATES")
    unlinked = rates.model_copy(update={"users": [u for u in rates.users
                                                  if not u.user.startswith("john.smith")]})
    firm = UAT.model_copy(update={"accounts": [unlinked if a is rates else a
                                               for a in UAT.accounts]})
    result = plan_against_seed(firm, "uat", "ext_uat_cert",
                               select(firm, ["links:HPT-PROP-RATES"], []))
    assert [(c.kind, c.key, c.action) for c in result.plan.changes] == [
        ("links", "HPT-PROP-RATES ↔ john.smith@harborpoint.example", "delete")]


def test_links_can_be_excluded_from_an_accounts_target() -> None:
    result = planned(["accounts:hpt-prop-*"], ["links:*"])
    assert keys(result) == [("accounts", "HPT-PROP-ENERGY"), ("accounts", "HPT-PROP-RATES")]


def test_a_links_target_that_names_no_link_is_refused() -> None:
    with pytest.raises(UsageError, match="--target links:nobody@x: no account↔user links by that"):
        planned(["links:nobody@x"])


@pytest.mark.parametrize("text", ["accounts", "acount:X", ":X", "accounts:"])
def test_bad_patterns_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="KIND:NAME"):
        Pattern.parse(text)


def test_kinds_take_file_names_and_singulars() -> None:
    assert Pattern.parse("risk-groups:Rates*").kind == "risk_groups"
    assert Pattern.parse("user:a@b.example").kind == "users"
    assert Pattern.parse("order-tag-default:CME*").kind == "order_tag_defaults"


def test_a_target_that_names_nothing_is_refused_with_the_nearest_names() -> None:
    """A typo in an emergency tightening must not read as "no changes: already live"."""
    with pytest.raises(UsageError) as refused:
        planned(["accounts:HPT-PROP-ENRGY"])
    assert refused.value.exit_code == 64
    assert str(refused.value) == (
        "--target accounts:HPT-PROP-ENRGY: no accounts by that name in the YAML or in TT; "
        "did you mean HPT-PROP-ENERGY, HPT-PROP, HPT-PROP-RATES?")


def test_every_pattern_that_names_nothing_is_listed_excludes_too() -> None:
    with pytest.raises(UsageError) as refused:
        planned(["users:nobody@*", "accounts:HPT-PROP-*"], ["risk-groups:Ratez*"])
    assert str(refused.value).splitlines() == [
        "--target users:nobody@*: no users by that name in the YAML or in TT",
        "--exclude risk-groups:Ratez*: no risk groups by that name in the YAML or in TT",
    ]


def test_a_target_naming_only_a_live_object_or_objects_without_changes_is_fine() -> None:
    without_training = UAT.model_copy(update={
        "accounts": [a for a in UAT.accounts if a.name != "HPT-TRAINING"]})
    result = plan_against_seed(without_training, "uat", "ext_uat_cert",
                               select(without_training, ["accounts:HPT-TRAINING"], []))
    assert keys(result) == []
    assert keys(planned(["accounts:HPT-ARB"])) == []


def test_a_targeted_join_that_needs_another_groups_leave_is_refused_naming_it() -> None:
    """TT keeps an account in one risk group: a run that moves HPT-PROP-ENERGY into
    Customer Exposure without Energy Aggregate's leave would be refused half-way."""
    groups = []
    for group in UAT.risk_groups:
        members = [m for m in group.accounts if m != "HPT-PROP-ENERGY"]
        if group.name == "Customer Exposure":
            members.append("HPT-PROP-ENERGY")
        groups.append(group.model_copy(update={"accounts": members}))
    moved = UAT.model_copy(update={"risk_groups": groups})
    with pytest.raises(UsageError, match=re.escape(
            "risk group Customer Exposure takes HPT-PROP-ENERGY from risk group Energy "
            "Aggregate, which this run leaves out (TT keeps an account in one risk group and "
            "would refuse the join): add --target 'risk_groups:Energy Aggregate'")):
        plan_against_seed(moved, "uat", "ext_uat_cert",
                          select(moved, ["risk_groups:Customer Exposure"], []))
    both = plan_against_seed(moved, "uat", "ext_uat_cert", select(
        moved, ["risk_groups:Customer Exposure", "risk_groups:Energy Aggregate"], []))
    assert {c.key for c in both.plan.changes} == {"Customer Exposure", "Energy Aggregate"}


def test_a_targeted_join_brings_along_the_leave_of_an_undeclared_group() -> None:
    groups = [g.model_copy(update={"accounts": [*g.accounts, "HPT-PROP-ENERGY"]})
              if g.name == "Customer Exposure" else g
              for g in UAT.risk_groups if g.name != "Energy Aggregate"]
    moved = UAT.model_copy(update={"risk_groups": groups})
    result = plan_against_seed(moved, "uat", "ext_uat_cert",
                               select(moved, ["risk_groups:Customer Exposure"], []))
    assert [(c.key, [f.path for f in c.fields]) for c in result.plan.changes] == [
        ("Customer Exposure", [("accounts", "HPT-PROP-ENERGY")]),
        ("Energy Aggregate", [("accounts", "HPT-PROP-ENERGY")])]
    assert next(s.key for s in result.plan.steps) == "Energy Aggregate", "the leave goes first"


def test_a_link_waiting_for_both_its_ends_names_both() -> None:
    link = Change(Kind.LINKS, Key.link("HPT-PROP-RATES", "noah.berg@harborpoint.example"),
                  "create", ())
    selection = select(UAT, ["links:*"], [])
    assert selection is not None
    said = selection.waiting(link, set(), set())
    assert said == ("links HPT-PROP-RATES ↔ noah.berg@harborpoint.example is left out of this "
                    "run: its account HPT-PROP-RATES and its user noah.berg@harborpoint.example "
                    "are not in TT yet and not targeted (add --target accounts:HPT-PROP-RATES "
                    "--target users:noah.berg@harborpoint.example to write it too)")

"""`promote --from uat --to prod`: prod's YAML after carrying UAT's desired state over.

Pure: two loaded folders in, a plan of the YAML changes out; `--write` through the writer.
The demo firm's UAT differs from prod on purpose (test accounts and logins, limits and
credit loosened to try things, rows prod never got): the exclusions below leave exactly
UAT's five pending changes.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from ttconfig.core.changes import ABSENT, Change, FieldChange
from ttconfig.desired.loader import load_firm
from ttconfig.errors import ConfigError
from ttconfig.models import Firm
from ttconfig.models.accounts import Account
from ttconfig.models.environment import Promotion
from ttconfig.models.users import User
from ttconfig.promotion.promote import Promoted, promote, write_promotion
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text

ENVIRONMENTS = Path(__file__).parents[2] / "environments"
RATES = "HPT-PROP-RATES"
RECOMMENDED: list[dict[str, Any]] = [
    # UAT limits people loosened to try things (x10, x3): prod keeps its own.
    {"kind": "accounts", "name": "HPT-TRAINING", "field": "limits.*"},
    {"kind": "accounts", "name": "HPT-MM-ICE", "field": "limits.*"},
    # HPT-PROP-RATES is x2 in UAT: of its limits only CME ZN max_position is promoted.
    {"kind": "accounts", "name": RATES, "field": "limits.*.max_order_qty"},
    {"kind": "accounts", "name": RATES, "field": "limits.*.max_long_position"},
    {"kind": "accounts", "name": RATES, "field": "limits.*.max_short_position"},
    {"kind": "accounts", "name": RATES, "field": "limits.products.*[!N] future.*"},
    {"kind": "accounts", "name": RATES, "field": "limits.products.* option.*"},
    # Limit rows UAT set up that production never got.
    {"kind": "accounts", "name": "HPT-HEDGE", "field": "limits.products.Eurex FGBL future.*"},
    {"kind": "accounts", "name": "HPT-CUST-CEDAR", "field": "limits.contracts.*"},
    {"kind": "users", "name": "jessica.taylor@harborpoint.example",
     "field": "limits.products.CME ES future.*"},
]
"""What environments/prod/environment.yaml should add to its `promotion.exclude`."""

JOHN = "john.smith@harborpoint.example"
NOAH = "noah.berg@harborpoint.example"
PENDING = {
    ("accounts", "HPT-PROP-ENERGY", "update"),
    ("accounts", RATES, "update"),
    ("links", f"{RATES} ↔ {JOHN}", "update"),
    ("users", NOAH, "create"),
    ("links", f"{RATES} ↔ {NOAH}", "create"),
    ("product_margins", "CME SR3 future", "create"),
}
CL_QTY = ("limits", "products", "CME CL future", "max_order_qty")
ZN_POSITION = ("limits", "products", "CME ZN future", "max_position")
STAGED = ("order_permissions", "submit_staged_orders")


def demo(folder: str) -> Firm:
    return load_firm(ENVIRONMENTS / folder)


def with_exclusions(target: Firm, extra: list[dict[str, Any]],
                    names: list[dict[str, Any]] | None = None) -> Firm:
    """`target` with `extra` exclusions (and `names`) added to its promotion section."""
    promotion = target.environment.promotion
    data = promotion.model_dump(mode="json")
    data["exclude"] = [*data["exclude"], *extra]
    if names is not None:
        data["names"] = names
    environment = target.environment.model_copy(
        update={"promotion": Promotion.model_validate(data)})
    return target.model_copy(update={"environment": environment})


def recommended() -> Promoted:
    return promote(demo("uat"), with_exclusions(demo("prod"), RECOMMENDED))


def field(promoted: Promoted, kind: str, key: str, path: tuple[str, ...]) -> FieldChange:
    change = next(c for c in promoted.plan.changes if (c.kind, c.key) == (kind, key))
    return next(f for f in change.fields if f.path == path)


def everything(promoted: Promoted) -> str:
    """Every name and value the promotion shows or writes, as one text."""
    models = {kind: [m.declared() for m in items] for kind, items in promoted.models.items()}
    return render_json(promoted.plan) + json.dumps(models)


def copy_demo(tmp_path: Path) -> tuple[Path, Path]:
    for folder in ("uat", "prod"):
        shutil.copytree(ENVIRONMENTS / folder, tmp_path / folder)
    return tmp_path / "uat", tmp_path / "prod"


def add_exclusions(prod: Path, exclusions: list[dict[str, Any]]) -> None:
    """Append `exclusions` to the promotion.exclude list of prod's environment.yaml copy."""
    path = prod / "environment.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  exclude:\n"
    assert anchor in text
    rows = "".join(f"    - {json.dumps(e)}\n" for e in exclusions)
    end = text.index(anchor) + len(anchor)
    while text[end:].startswith("    - "):
        end = text.index("\n", end) + 1
    path.write_text(text[:end] + rows + text[end:], encoding="utf-8")


def changed_lines(before: str, after: str) -> list[str]:
    return [line.rstrip("\n") for line in difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# --- the demo firm ------------------------------------------------------------------------


def test_the_demo_promotes_exactly_uats_pending_changes() -> None:
    promoted = recommended()
    assert {(c.kind, c.key, c.action) for c in promoted.plan.changes} == PENDING
    energy = next(c for c in promoted.plan.changes if c.key == "HPT-PROP-ENERGY")
    assert energy.fields == (FieldChange(CL_QTY, 100, 50, "tightening"),)
    rates = next(c for c in promoted.plan.changes if (c.kind, c.key) == ("accounts", RATES))
    assert rates.fields == (FieldChange(ZN_POSITION, 5000, 15000, "loosening"),), (
        "prod's ZN max_position is 5,000 (UAT's was 10,000 before its pending change): "
        "promotion carries UAT's value, 15,000")
    john = field(promoted, "links", f"{RATES} ↔ {JOHN}", STAGED)
    assert (john.old, john.new, john.direction) == (True, False, "tightening")
    noah = next(c for c in promoted.plan.changes if c.key == NOAH)
    assert {f.path[0]: f.new for f in noah.fields}["alias"] == "NBERG"
    link = next(c for c in promoted.plan.changes if c.key == f"{RATES} ↔ {NOAH}")
    assert field(promoted, "links", link.key, ("order_permissions", "place_orders")).new is True
    margin = next(c for c in promoted.plan.changes if c.kind == "product_margins")
    assert {f.path[0]: f.new for f in margin.fields}["outright_margin"] == 1200
    assert promoted.plan.summary.by_kind == {
        "accounts": {"update": 2}, "links": {"update": 1, "create": 1},
        "users": {"create": 1}, "product_margins": {"create": 1}}


def test_uat_only_objects_and_credit_limits_never_reach_prod() -> None:
    """With the exclusions prod's environment.yaml has today (whatever more it gets)."""
    promoted = promote(demo("uat"), demo("prod"))
    shown = everything(promoted)
    assert "HPT-UAT-" not in shown
    assert "uat-algo" not in shown
    assert "uat-tester" not in shown
    paths = [f.path for c in promoted.plan.changes for f in c.fields]
    assert not [p for p in paths if "credit_limit" in p]
    assert {c.action for c in promoted.plan.changes} <= {"create", "update"}
    assert {(c.kind, c.key, c.action) for c in promoted.plan.changes} >= PENDING
    assert field(promoted, "accounts", "HPT-PROP-ENERGY", CL_QTY).new == 50


def test_what_is_left_out_is_listed_with_the_rule_that_left_it_out() -> None:
    skipped = recommended().skipped
    rule0 = "excluded by promotion.exclude[0] {kind: accounts, name: HPT-UAT-*}"
    assert f"accounts HPT-UAT-ALGO: left out ({rule0})" in skipped
    assert f"accounts HPT-UAT-TEST: left out ({rule0})" in skipped
    assert ("users uat-tester01@harborpoint.example: left out (excluded by "
            "promotion.exclude[1] {kind: users, name: uat-*})") in skipped
    assert ("order_tag_defaults CME Manual Order Indicator HPT-UAT-ALGO: left out (its "
            "account HPT-UAT-ALGO is left out)") in skipped
    assert ("user_groups Equity Index Desk: member uat-algo-cert@harborpoint.example left "
            "out (the user is left out)") in skipped
    assert ("accounts HPT-TRAINING: prod keeps risk_settings credit_limit 100,000 (uat has "
            "1,000,000); excluded by promotion.exclude[2] {kind: accounts, field: "
            "risk_settings.credit_limit}") in skipped
    assert any(line.startswith('accounts HPT-PROP-RATES: prod keeps limits.products["CME ZN '
                               'future"] max_order_qty 1,000 (uat has 2,000)')
               for line in skipped)
    training = [line for line in skipped if line.startswith("accounts HPT-TRAINING: prod keeps "
                                                            "limits.")]
    assert training == [
        'accounts HPT-TRAINING: prod keeps limits.products["CME MES future"] max_order_qty 10 '
        "(uat has 100), max_position 50 (uat has 500), max_long_position 40 (uat has 400), "
        'max_short_position 30 (uat has 300) and limits.products["CME ES future"] '
        "max_order_qty 2 (uat has 20), max_position 10 (uat has 100), max_long_position 8 "
        '(uat has 80), max_short_position 6 (uat has 60) and limits.products["CME ZN future"] '
        "max_order_qty 10 (uat has 100), max_position 50 (uat has 500); excluded by "
        "promotion.exclude[3] {kind: accounts, name: HPT-TRAINING, field: limits.*}"], \
        "one line per object and rule, each row named once, every value named"


def test_objects_only_in_prod_and_their_links_and_memberships_are_left_alone() -> None:
    promoted = recommended()
    models = promoted.models
    assert [a for a in models["accounts"] if isinstance(a, Account)
            and a.name == "HPT-CUST-ELM"], "only in prod: kept"
    assert "henry.lowe@harborpoint.example" in [u.key() for u in models["users"]]
    equity = next(a for a in models["accounts"]
                  if isinstance(a, Account) and a.name == "HPT-PROP-EQIDX")
    assert "priya.raman@harborpoint.example" in [link.user for link in equity.users], (
        "priya is only in prod: UAT cannot have meant to unlink her")
    group = next(g.declared() for g in models["user_groups"]
                 if g.key() == "Equity Index Desk")
    assert "priya.raman@harborpoint.example" in group["users"]
    assert "uat-algo-cert@harborpoint.example" not in group["users"]


def test_prod_keeps_the_value_of_an_excluded_field() -> None:
    position = {"kind": "accounts", "name": "HPT-PROP-*", "field": "limits.*.max_position"}
    promoted = promote(demo("uat"), with_exclusions(demo("prod"), [*RECOMMENDED, position]))
    keys = {(c.kind, c.key) for c in promoted.plan.changes}
    assert ("accounts", RATES) not in keys, "its only change was an excluded field"
    rates = next(a for a in promoted.models["accounts"]
                 if isinstance(a, Account) and a.name == RATES)
    assert rates.limits is not None
    assert rates.limits.products[0].max_position == 5000
    training = next(a for a in promoted.models["accounts"]
                    if isinstance(a, Account) and a.name == "HPT-TRAINING")
    assert training.risk_settings is not None
    assert training.risk_settings.credit_limit == 100_000, "UAT has 1,000,000"
    assert any('"CME ZN future"] max_position 5,000 (uat has 15,000)' in line
               for line in promoted.skipped)


def test_a_loosening_is_marked_in_every_render() -> None:
    promoted = recommended()
    plan = promoted.plan
    zn = field(promoted, "accounts", RATES, ZN_POSITION)
    assert zn.direction == "loosening"
    assert plan.is_high(zn), "+200 % is over prod's high_loosening_percent (50)"
    assert not plan.is_high(field(promoted, "accounts", "HPT-PROP-ENERGY", CL_QTY))
    text = render_text(plan)
    assert 'limits.products["CME ZN future"].max_position: 5,000 → 15,000  LOOSENING HIGH' \
        in text
    assert "max_order_qty: 100 → 50  TIGHTENING" in text
    assert plan.summary.high == 1
    assert "HIGH" in render_markdown(plan)
    data = json.loads(render_json(plan))
    rates = next(c for c in data["changes"] if c["key"] == RATES)
    assert rates["direction"] == "loosening"
    assert rates["fields"][0]["high"] is True
    assert plan.environment == "prod"
    assert plan.tt_environment == "ext_prod_live"


# --- --write ------------------------------------------------------------------------------


def test_write_then_promote_again_gives_an_empty_plan(tmp_path: Path) -> None:
    uat, prod = copy_demo(tmp_path)
    before = {p.name: p.read_bytes() for p in prod.iterdir()}
    promoted = promote(load_firm(uat), load_firm(prod))
    written = write_promotion(prod, promoted)
    assert sorted(p.name for p in written) == ["accounts.yaml", "product-margins.yaml",
                                               "users.yaml"]
    for path in prod.iterdir():
        if path not in written:
            assert path.read_bytes() == before[path.name], f"{path.name} was rewritten"
    again = promote(load_firm(uat), load_firm(prod))
    assert again.plan.empty, render_text(again.plan)
    assert again.models == promoted.models
    assert write_promotion(prod, again) == []


def test_write_changes_only_the_changed_lines(tmp_path: Path) -> None:
    uat, prod = copy_demo(tmp_path)
    add_exclusions(prod, RECOMMENDED)
    files = {name: (prod / name).read_text(encoding="utf-8")
             for name in ("accounts.yaml", "users.yaml", "product-margins.yaml")}
    write_promotion(prod, promote(load_firm(uat), load_firm(prod)))
    after = {name: (prod / name).read_text(encoding="utf-8") for name in files}
    assert changed_lines(files["accounts.yaml"], after["accounts.yaml"]) == [
        "-        max_order_qty: 100", "+        max_order_qty: 50",
        "-        max_position: 5000", "+        max_position: 15000",
        "-        submit_staged_orders: true", "+        submit_staged_orders: false"]
    assert changed_lines(files["product-margins.yaml"], after["product-margins.yaml"]) == [
        "+- market: CME", "+  product: SR3", "+  type: future", "+  currency: USD",
        "+  outright_margin: 1200", "+  spread_margin: 300"]
    added = changed_lines(files["users.yaml"], after["users.yaml"])
    assert added[0] == f"+- email: {NOAH}"
    assert all(line.startswith("+") for line in added), "a new user is appended"
    assert "+    - account: HPT-PROP-RATES" in added


def comment_demo(tmp_path: Path) -> tuple[Path, Path, str]:
    """The demo with comments and a reordered key in prod's accounts.yaml."""
    uat, prod = copy_demo(tmp_path)
    add_exclusions(prod, RECOMMENDED)
    path = prod / "accounts.yaml"
    text = path.read_text(encoding="utf-8")
    energy = text.index("- name: HPT-PROP-ENERGY\n")
    row = text.index("      - market: CME\n        product: CL\n", energy)
    text = text[:row] + "      # energy review: CL size\n" + text[row:]
    text = text.replace("- name: HPT-ERR\n  type: house\n",
                        "# the error account: trade-out only\n"
                        "- name: HPT-ERR\n  type: house   # never a trading account\n")
    text = text.replace("- name: HPT-PROP-ENERGY\n  type: house\n  parent: HPT-PROP\n",
                        "- name: HPT-PROP-ENERGY\n  parent: HPT-PROP\n  type: house\n")
    text = text.replace("    credit_limit: 1000000\n    currency: USD\n    check_credit: true\n"
                        "    apply_pnl: true\n    apply_margin: false\n",
                        "    credit_limit: 1000000\n    currency: USD\n    check_credit: true\n"
                        "    apply_pnl: true   # P&L counts\n    apply_margin: false\n", 1)
    path.write_text(text, encoding="utf-8")
    return uat, prod, text


def test_write_keeps_comments_on_unchanged_objects_and_key_order(tmp_path: Path) -> None:
    uat, prod, _before = comment_demo(tmp_path)
    write_promotion(prod, promote(load_firm(uat), load_firm(prod)))
    after = (prod / "accounts.yaml").read_text(encoding="utf-8")
    assert "# the error account: trade-out only\n- name: HPT-ERR\n" \
           "  type: house   # never a trading account\n" in after
    assert "    apply_pnl: true   # P&L counts\n" in after
    assert "- name: HPT-PROP-ENERGY\n  parent: HPT-PROP\n  type: house\n" in after, (
        "the changed account keeps its key order")
    assert "        max_order_qty: 50\n" in after


def test_write_keeps_a_comment_above_a_changed_limit_row(tmp_path: Path) -> None:
    uat, prod, before = comment_demo(tmp_path)
    write_promotion(prod, promote(load_firm(uat), load_firm(prod)))
    after = (prod / "accounts.yaml").read_text(encoding="utf-8")
    assert "    products:\n      # energy review: CL size\n      - market: CME\n" in after
    assert changed_lines(before, after) == [
        "-        max_order_qty: 100", "+        max_order_qty: 50",
        "-        max_position: 5000", "+        max_position: 15000",
        "-        submit_staged_orders: true", "+        submit_staged_orders: false"]


def test_write_keeps_comments_on_and_after_a_changed_limit_row(tmp_path: Path) -> None:
    uat, prod = copy_demo(tmp_path)
    add_exclusions(prod, RECOMMENDED)
    path = prod / "accounts.yaml"
    text = path.read_text(encoding="utf-8")
    energy = text.index("- name: HPT-PROP-ENERGY\n")
    cap = text.index("        max_order_qty: 100\n", energy)
    text = text[:cap] + "        max_order_qty: 100   # energy review\n" + \
        text[cap + len("        max_order_qty: 100\n"):]
    path.write_text(text, encoding="utf-8")
    write_promotion(prod, promote(load_firm(uat), load_firm(prod)))
    after = path.read_text(encoding="utf-8")
    assert re.search(r"\n        max_order_qty: 50 +# energy review\n", after), (
        "the comment keeps its column")


def test_a_kind_without_a_file_in_prod_is_written_new(tmp_path: Path) -> None:
    uat, prod = copy_demo(tmp_path)
    (prod / "product-margins.yaml").unlink()
    promoted = promote(load_firm(uat), load_firm(prod))
    margins = [c for c in promoted.plan.changes if c.kind == "product_margins"]
    assert len(margins) == len(load_firm(uat).product_margins), "all of them are new"
    assert prod / "product-margins.yaml" in write_promotion(prod, promoted)
    text = (prod / "product-margins.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/"
                           "product-margins.schema.json\n")
    assert load_firm(prod).product_margins == load_firm(uat).product_margins


# --- name mappings, links and members on small firms -------------------------------------


ENVIRONMENT = """\
tt_environment: {tt}
company: Harbor Point Trading
credentials: {{app_key_env: TT_KEY, app_secret_env: TT_SECRET}}
usage_plan: free
"""


def folder(root: Path, name: str, files: dict[str, str], promotion: str = "") -> Path:
    path = root / name
    path.mkdir()
    tt = "ext_prod_live" if name == "prod" else "ext_uat_cert"
    (path / "environment.yaml").write_text(ENVIRONMENT.format(tt=tt) + promotion,
                                           encoding="utf-8")
    for file, text in files.items():
        (path / file).write_text(text, encoding="utf-8")
    return path


UAT_ACCOUNTS = """\
- name: UAT-PROP
  type: house
- name: UAT-PROP-RATES
  type: house
  parent: UAT-PROP
  limits:
    products:
      - {market: CME, product: ZN, max_order_qty: 300, max_position: 900}
  users:
    - user: ann.lee@harborpoint.example
      order_permissions: {place_orders: true}
- name: UAT-PROP-NEW
  type: house
  parent: UAT-PROP
  users:
    - user: bo.chan@harborpoint.example
      order_permissions: {place_orders: true, modify_orders: true}
"""
UAT_USERS = """\
- email: ann.lee@harborpoint.example
  trade_mode: pro
- email: bo.chan@harborpoint.example
  trade_mode: standard
"""
UAT_GROUPS = """\
- name: Rates Aggregate
  accounts: [UAT-PROP-RATES, UAT-PROP-NEW]
"""
UAT_DEFAULTS = """\
- account: UAT-PROP-NEW
  market: CME
  field: Operator ID
  value: NEWDESK
"""
PROD_ACCOUNTS = """\
# Desks of the prop book.
- name: HPT-PROP
  type: house
- name: HPT-PROP-RATES
  type: house
  parent: HPT-PROP
  limits:
    products:
      - {market: CME, product: ZN, max_order_qty: 200, max_position: 900}
  users:
    - user: ann.lee@harborpoint.example
      order_permissions: {place_orders: true}
    - user: zoe.prodonly@harborpoint.example
      order_permissions: {place_orders: true}
"""
PROD_USERS = """\
- email: ann.lee@harborpoint.example
  trade_mode: pro
- email: zoe.prodonly@harborpoint.example
  trade_mode: pro
"""
PROD_GROUPS = """\
- name: Rates Aggregate
  accounts: [HPT-PROP-RATES]
"""
MAPPED = """\
promotion:
  names:
    - {kind: accounts, uat: "UAT-*", prod: "HPT-*"}
"""


def mapped_firms(tmp_path: Path) -> tuple[Path, Path]:
    uat = folder(tmp_path, "uat", {"accounts.yaml": UAT_ACCOUNTS, "users.yaml": UAT_USERS,
                                   "risk-groups.yaml": UAT_GROUPS,
                                   "order-tag-defaults.yaml": UAT_DEFAULTS})
    prod = folder(tmp_path, "prod", {"accounts.yaml": PROD_ACCOUNTS, "users.yaml": PROD_USERS,
                                     "risk-groups.yaml": PROD_GROUPS}, MAPPED)
    return uat, prod


def keys(changes: tuple[Change, ...]) -> set[tuple[str, str, str]]:
    return {(c.kind, c.key, c.action) for c in changes}


def test_a_name_mapping_carries_names_parents_links_and_members_over(tmp_path: Path) -> None:
    uat, prod = mapped_firms(tmp_path)
    promoted = promote(load_firm(uat), load_firm(prod))
    assert keys(promoted.plan.changes) == {
        ("accounts", "HPT-PROP-RATES", "update"),
        ("accounts", "HPT-PROP-NEW", "create"),
        ("users", "bo.chan@harborpoint.example", "create"),
        ("links", "HPT-PROP-NEW ↔ bo.chan@harborpoint.example", "create"),
        ("risk_groups", "Rates Aggregate", "update"),
        ("order_tag_defaults", "CME Operator ID HPT-PROP-NEW", "create"),
    }
    assert "UAT-" not in everything(promoted)
    new = next(a for a in promoted.models["accounts"]
               if isinstance(a, Account) and a.name == "HPT-PROP-NEW")
    assert new.parent == "HPT-PROP"
    assert [link.user for link in new.users] == ["bo.chan@harborpoint.example"]
    group = next(c for c in promoted.plan.changes if c.kind == "risk_groups")
    assert group.fields == (FieldChange(("accounts", "HPT-PROP-NEW"), ABSENT, "member",
                                        "tightening"),)
    rates = next(c for c in promoted.plan.changes if c.key == "HPT-PROP-RATES")
    assert rates.fields == (FieldChange(("limits", "products", "CME ZN future",
                                         "max_order_qty"), 200, 300, "loosening"),)
    parents = {s.key: s.depth for s in promoted.plan.steps if s.operation == "create account"}
    assert parents == {"HPT-PROP-NEW": 1}
    assert not [c for c in promoted.plan.changes if "zoe" in c.key], (
        "zoe is only in prod: her link stays")

    write_promotion(prod, promoted)
    text = (prod / "accounts.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Desks of the prop book.\n- name: HPT-PROP\n")
    assert "    - user: ann.lee@harborpoint.example\n      order_permissions: {place_orders: " \
        "true}\n" in text, "an unchanged flow-style mapping stays flow style"
    assert "- name: HPT-PROP-NEW\n  type: house\n  parent: HPT-PROP\n" in text
    assert promote(load_firm(uat), load_firm(prod)).plan.empty


def test_what_uat_removed_between_objects_both_have_is_removed(tmp_path: Path) -> None:
    uat, prod = mapped_firms(tmp_path)
    accounts = UAT_ACCOUNTS.replace(
        "  users:\n    - user: ann.lee@harborpoint.example\n"
        "      order_permissions: {place_orders: true}\n", "  users: []\n")
    (uat / "accounts.yaml").write_text(accounts, encoding="utf-8")
    (uat / "risk-groups.yaml").write_text("- name: Rates Aggregate\n  accounts: []\n",
                                          encoding="utf-8")
    promoted = promote(load_firm(uat), load_firm(prod))
    assert ("links", "HPT-PROP-RATES ↔ ann.lee@harborpoint.example", "delete") in \
        keys(promoted.plan.changes)
    unlink = next(c for c in promoted.plan.changes if c.action == "delete")
    assert unlink.direction == "tightening"
    group = next(c for c in promoted.plan.changes if c.kind == "risk_groups")
    assert group.fields == (FieldChange(("accounts", "HPT-PROP-RATES"), "member", ABSENT,
                                        "loosening"),)
    rates = next(a for a in promoted.models["accounts"]
                 if isinstance(a, Account) and a.name == "HPT-PROP-RATES")
    assert [link.user for link in rates.users] == ["zoe.prodonly@harborpoint.example"]


def test_a_link_declared_under_a_user_is_promoted_once(tmp_path: Path) -> None:
    """UAT declares the new link under the user, prod under accounts: after writing, a
    second promotion finds it (diff reads live links from accounts only)."""
    uat, prod = mapped_firms(tmp_path)
    (uat / "users.yaml").write_text(
        UAT_USERS + "- email: cy.new@harborpoint.example\n  accounts:\n"
        "    - {account: UAT-PROP-RATES, order_permissions: {place_orders: true}}\n",
        encoding="utf-8")
    promoted = promote(load_firm(uat), load_firm(prod))
    assert ("links", "HPT-PROP-RATES ↔ cy.new@harborpoint.example", "create") in \
        keys(promoted.plan.changes)
    cy = next(u for u in promoted.models["users"]
              if isinstance(u, User) and u.email == "cy.new@harborpoint.example")
    assert [link.account for link in cy.accounts] == ["HPT-PROP-RATES"]
    write_promotion(prod, promoted)
    assert promote(load_firm(uat), load_firm(prod)).plan.empty


def test_an_excluded_link_keeps_prods_permissions(tmp_path: Path) -> None:
    uat, prod = mapped_firms(tmp_path)
    (uat / "accounts.yaml").write_text(UAT_ACCOUNTS.replace(
        "      order_permissions: {place_orders: true}\n",
        "      order_permissions: {place_orders: false}\n"), encoding="utf-8")
    target = load_firm(prod)
    plain = promote(load_firm(uat), target)
    assert ("links", "HPT-PROP-RATES ↔ ann.lee@harborpoint.example", "update") in \
        keys(plain.plan.changes)
    excluded = promote(load_firm(uat), with_exclusions(target, [
        {"kind": "links", "name": "* ↔ ann.lee@*", "field": "order_permissions.*"}]))
    assert not [c for c in excluded.plan.changes if c.kind == "links" and "ann" in c.key]
    assert any(line.startswith("links HPT-PROP-RATES ↔ ann.lee@harborpoint.example: prod "
                               "keeps order_permissions place_orders true (uat has false)")
               for line in excluded.skipped)


def test_an_account_whose_parent_is_left_out_goes_too(tmp_path: Path) -> None:
    uat, prod = mapped_firms(tmp_path)
    (uat / "accounts.yaml").write_text(
        UAT_ACCOUNTS + "- name: UAT-PROP-NEW-1\n  type: house\n  parent: UAT-PROP-NEW\n",
        encoding="utf-8")
    target = with_exclusions(load_firm(prod), [{"kind": "accounts", "name": "UAT-PROP-NEW"}])
    promoted = promote(load_firm(uat), target)
    assert "HPT-PROP-NEW" not in everything(promoted)
    assert "bo.chan@harborpoint.example" in everything(promoted), "the user is not excluded"
    assert promoted.skipped[:3] == [
        "accounts HPT-PROP-NEW (uat: UAT-PROP-NEW): left out (excluded by "
        "promotion.exclude[0] {kind: accounts, name: UAT-PROP-NEW})",
        "accounts HPT-PROP-NEW-1 (uat: UAT-PROP-NEW-1): left out (its parent HPT-PROP-NEW is "
        "left out and not in prod)",
        "order_tag_defaults CME Operator ID HPT-PROP-NEW: left out (its account HPT-PROP-NEW "
        "is left out)"]


@pytest.mark.parametrize(("names", "message"), [
    ('[{kind: accounts, uat: "UAT-PROP-NEW", prod: "HPT-PROP"}]', "would both be HPT-PROP"),
    ('[{kind: product_margins, uat: "X*", prod: "Y*"}]', "have no single name"),
])
def test_a_mapping_that_cannot_be_followed_is_refused(tmp_path: Path, names: str,
                                                       message: str) -> None:
    uat, prod = mapped_firms(tmp_path)
    environment = prod / "environment.yaml"
    text = environment.read_text(encoding="utf-8")
    environment.write_text(text.replace(MAPPED, f"promotion:\n  names: {names}\n"),
                           encoding="utf-8")
    (uat / "accounts.yaml").write_text(UAT_ACCOUNTS + "- name: HPT-PROP\n  type: house\n",
                                       encoding="utf-8")
    with pytest.raises(ConfigError, match=r"promotion\.names") as error:
        promote(load_firm(uat), load_firm(prod))
    assert message in str(error.value)


def test_a_mapping_whose_wildcards_differ_is_a_config_error_where_it_is_written(
        tmp_path: Path) -> None:
    _uat, prod = mapped_firms(tmp_path)
    environment = prod / "environment.yaml"
    text = environment.read_text(encoding="utf-8")
    environment.write_text(text.replace(
        MAPPED, 'promotion:\n  names: [{kind: accounts, uat: "UAT-*", prod: "HPT-*-*"}]\n'),
        encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_firm(prod)
    line = next(n for n, text_line in enumerate(environment.read_text().splitlines(), 1)
                if "HPT-*-*" in text_line)
    assert f"environment.yaml:{line}:" in str(error.value)
    assert "'UAT-*' has 1 wildcard and 'HPT-*-*' has 2" in str(error.value)


def test_a_changed_flow_style_row_stays_flow_style(tmp_path: Path) -> None:
    uat, prod = mapped_firms(tmp_path)
    write_promotion(prod, promote(load_firm(uat), load_firm(prod)))
    text = (prod / "accounts.yaml").read_text(encoding="utf-8")
    assert "      - {market: CME, product: ZN, max_order_qty: 300, max_position: 900}\n" \
        in text


def test_a_kind_kept_in_a_folder_of_files_keeps_each_object_in_its_file(tmp_path: Path) -> None:
    uat, prod = mapped_firms(tmp_path)
    (prod / "accounts").mkdir()
    first, second = PROD_ACCOUNTS.split("- name: HPT-PROP-RATES\n")
    (prod / "accounts" / "a.yaml").write_text(first, encoding="utf-8")
    (prod / "accounts" / "b.yaml").write_text("- name: HPT-PROP-RATES\n" + second,
                                              encoding="utf-8")
    (prod / "accounts.yaml").unlink()
    written = write_promotion(prod, promote(load_firm(uat), load_firm(prod)))
    assert prod / "accounts" / "a.yaml" not in written
    assert (prod / "accounts" / "a.yaml").read_text(encoding="utf-8") == first
    text = (prod / "accounts" / "b.yaml").read_text(encoding="utf-8")
    assert text.startswith("- name: HPT-PROP-RATES\n")
    assert "- name: HPT-PROP-NEW\n" in text, "new objects go to the last file"
    assert promote(load_firm(uat), load_firm(prod)).plan.empty

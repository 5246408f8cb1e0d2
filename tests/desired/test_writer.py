"""The YAML writer: new files load back equal; updates keep comments, order and format."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttconfig.desired.loader import load_firm
from ttconfig.desired.writer import render_new, update_text
from ttconfig.models import DECLARED, Firm
from ttconfig.models.accounts import Account

MINIMAL = Path(__file__).parents[1] / "data" / "valid" / "minimal"
ACCOUNTS = DECLARED[0]


def reload(folder: Path, accounts: list[Account]) -> Firm:
    (folder / "accounts.yaml").write_text(render_new(ACCOUNTS, accounts), encoding="utf-8")
    return load_firm(folder)


def test_a_new_file_starts_with_its_schema_modeline_and_loads_back_equal(tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    firm = load_firm(folder)
    text = render_new(ACCOUNTS, firm.accounts)
    assert text.splitlines()[0] == (
        "# yaml-language-server: $schema=../../schemas/accounts.schema.json")
    assert "max_position: null" in text, "not set is written out, never left blank"
    assert reload(folder, list(firm.accounts)).accounts == firm.accounts


def test_an_update_changes_only_what_changed(tmp_path: Path) -> None:
    text = (MINIMAL / "accounts.yaml").read_text(encoding="utf-8")
    firm = load_firm(MINIMAL)
    prop, rates = firm.accounts
    new = Account.model_validate({"name": "HPT-NEW", "type": "customer", "parent": "HPT-PROP"})
    updated = update_text(text, [prop.model_copy(update={"description": "Prop book"}), rates,
                                 new])
    before, after = text.splitlines(), updated.splitlines()
    changed = [(b, a) for b, a in zip(before, after, strict=False) if b != a]
    assert changed == [("  description: NO            # YAML 1.2: a string, not false",
                        "  description: Prop book     # YAML 1.2: a string, not false")]
    assert after[len(before):] == ["- name: HPT-NEW", "  type: customer", "  parent: HPT-PROP"]


def test_an_update_removes_objects_no_longer_declared_and_keeps_the_header() -> None:
    text = (MINIMAL / "accounts.yaml").read_text(encoding="utf-8")
    _prop, rates = load_firm(MINIMAL).accounts
    updated = update_text(text, [rates])
    assert updated.splitlines()[0] == "# Desks of the prop book."
    assert "HPT-PROP-RATES" in updated
    assert "name: HPT-PROP\n" not in updated


NAMES = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=12).filter(
    lambda s: s.strip("-") == s)
QUANTITY = st.none() | st.integers(min_value=0, max_value=2**31 - 1)
ROW = st.fixed_dictionaries({"market": st.sampled_from(["CME", "ICE", "Eurex"]),
                             "product": st.sampled_from(["ES", "NQ", "CL", "FDAX", "NO", "010"])},
                            optional={"type": st.sampled_from(["future", "option", "spread"]),
                                      "max_order_qty": QUANTITY, "max_position": QUANTITY,
                                      "trading_allowed": st.booleans()})


@st.composite
def accounts(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique_by=str.casefold))
    result = []
    for name in names:
        rows = draw(st.lists(ROW, max_size=4, unique_by=lambda r: (
            r["market"], r["product"], r.get("type", "future"))))
        item: dict[str, Any] = {"name": name, "type": draw(st.sampled_from(
            ["customer", "house", "omnibus"]))}
        if draw(st.booleans()):
            item["description"] = draw(st.text(max_size=30))
        if rows:
            item["limits"] = {"products": rows}
        result.append(item)
    return result


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=accounts())
def test_any_valid_model_written_to_yaml_loads_back_equal(tmp_path: Path,
                                                          data: list[dict[str, Any]]) -> None:
    folder = tmp_path / "roundtrip"
    if not folder.exists():
        shutil.copytree(MINIMAL, folder)
        (folder / "users.yaml").write_text("[]\n")
        shutil.rmtree(folder / "risk-groups")
    models = [Account.model_validate(item) for item in data]
    loaded = reload(folder, models).accounts
    assert loaded == models
    assert [a.managed() for a in loaded] == [a.managed() for a in models]


def test_an_update_puts_a_new_key_where_the_model_has_it_not_at_the_end() -> None:
    """A field new to an existing block (import after an upgrade) lands beside its
    neighbours in the model's order, so the YAML reads as a new file would."""
    text = (MINIMAL / "accounts.yaml").read_text(encoding="utf-8")
    prop, rates = load_firm(MINIMAL).accounts
    crossed = prop.model_copy(update={"order_cross_prevention": "reject_new"})
    lines = update_text(text, [Account.model_validate(crossed.declared()), rates]).splitlines()
    at = lines.index("  order_cross_prevention: reject_new")
    assert lines[at - 1].startswith("  description: NO"), lines[:8]
    assert lines[at + 1] == "  limits:"
